/**
 * What OpenSSH's client configuration decides for one host, for the keywords bootstrap uses: the answer
 * `ssh -G [-l user] [-p port] [-i file] [-J jumps] host` prints, read from ~/.ssh/config and
 * /etc/ssh/ssh_config (ssh-config/), with the paths expanded the way ssh expands them when it uses them.
 *
 * The inventory's explicit settings play the part of ssh's command-line options: they win over the config,
 * which fills what they leave out, as `ssh -l user -p port -i key host` does.
 */

/** The command-line side of a lookup: what the inventory (or a jump spec) says, which wins over the config. */
export interface SshQuery {
  /** The name given, as on ssh's command line (ssh's original host, %n). */
  host: string;
  /** `-l`: the inventory's user, or a jump spec's user@. */
  user?: string;
  /** `-p`: the inventory's port, or a jump spec's :port. */
  port?: number;
  /** `-i`: absolute key files tried before the config's IdentityFile lines. */
  identityFiles?: string[];
  /** `-J`: a jump chain ("a,b" or "none") that replaces the config's ProxyJump and ProxyCommand. */
  proxyJump?: string;
}

/** Where the configuration comes from and what ssh would know about the local side. */
export interface SshConfigSource {
  /** The user's config (ssh's -F or ~/.ssh/config); null reads none. A missing file is an empty config. */
  userFile: string | null;
  /** The system config, /etc/ssh/ssh_config; null reads none (as `ssh -F file` reads none). */
  systemFile: string | null;
  /** The local user's home (ssh's pw_dir): ~, %d, relative Include and IdentityFile paths. */
  home: string;
  /** The local user name (%u, `Match localuser`, and the default User). */
  localUser: string;
  /** The local uid (%i). */
  uid: number;
  /** The local host name (%l; %L is its first label). */
  localHostname: string;
  /**
   * The directory a relative IdentityFile is read from once expanded: ssh opens it as given, so from its working
   * directory. Default: process.cwd().
   */
  cwd?: string;
  /** Environment for ${VAR} in paths and for IdentityAgent SSH_AUTH_SOCK. */
  env: Record<string, string | undefined>;
  /**
   * Runs a `Match exec` command (tokens already expanded) through the user's shell, as ssh does, and says
   * whether it exited 0. Default: `$SHELL -c command` (else /bin/sh), synchronously.
   */
  exec?: (command: string) => boolean;
}

export type StrictHostKeyChecking = 'yes' | 'no' | 'accept-new' | 'ask';

/** One host's resolved options (ssh -G's values for these keywords). */
export interface SshOptions {
  /** The name looked up (ssh -G's `host`, %n). */
  host: string;
  /** ssh -G's `hostname`: HostName with %h/%% expanded, else the host; lower-cased as ssh does. */
  hostname: string;
  user: string;
  port: number;
  /**
   * Key files in the order ssh tries them: -i files, then the config's IdentityFile lines, each with ~,
   * ${VAR} and every TOKEN of ssh_config(5) expanded and a relative path taken from `cwd` as ssh does; ssh's
   * default identities when none is set; empty for `IdentityFile none` alone.
   */
  identityFiles: string[];
  /** True when identityFiles are ssh's defaults (a missing default file is skipped without a word). */
  defaultIdentities: boolean;
  identitiesOnly: boolean;
  /** IdentityAgent: undefined for ssh's default ($SSH_AUTH_SOCK), "none", or an expanded socket path. */
  identityAgent?: string;
  /** ProxyJump hops, first (nearest the control machine) to last, as written: "[user@]host[:port]"; [] for none. */
  proxyJump: string[];
  /** ProxyCommand with its tokens expanded, or undefined (also for "none"); exclusive with proxyJump. */
  proxyCommand?: string;
  /** ConnectTimeout in seconds; undefined when not set (ssh -G's "none"). */
  connectTimeoutS?: number;
  serverAliveInterval: number;
  serverAliveCountMax: number;
  /** UserKnownHostsFile, expanded (ssh -G's userknownhostsfile); new keys are added to the first. */
  userKnownHostsFiles: string[];
  /** GlobalKnownHostsFile, expanded. */
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  /** HostKeyAlias: the name known_hosts is searched under instead of the host name. */
  hostKeyAlias?: string;
  checkHostIP: boolean;
  /** HashKnownHosts: write new known_hosts names hashed. */
  hashKnownHosts: boolean;
}
