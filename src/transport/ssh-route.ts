/**
 * Where a host is reached and with what: the inventory's ssh settings applied as ssh's command-line options
 * over the OpenSSH client configuration (ssh-config/ resolves it as `ssh -G` does), for the host and for
 * every jump host in front of it.
 *
 * A jump chain is unrolled the way ssh unrolls it: `ProxyJump a,b` reaches the target from b, and b is looked
 * up as `ssh -J a b` would look it up (so b's own ProxyJump is replaced by "a"), while a, the first hop, is
 * looked up on its own and may have its own ProxyJump or ProxyCommand. Only that first connection can run
 * through a ProxyCommand; every later one is a direct-tcpip channel of the connection before it.
 */
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { BastionSettings, HostSpec, SshSettings } from '../inventory/types.js';
import type { HostKeyCheck } from './known-hosts.js';
import { parseJumpSpec, resolveSshOptions, SshConfigError } from './ssh-config/index.js';
import type { SshConfigSource, SshOptions, SshQuery, StrictHostKeyChecking } from './ssh-options.js';

/** Built-in defaults of the inventory's ssh settings (src/inventory/resolve.ts); equal means "not set". */
const INVENTORY_DEFAULT = { user: 'root', port: 22, connectTimeoutMs: 10_000 };
/** bootstrap's keep-alive when the config sets none (ssh's ServerAliveInterval 0): a lost host is noticed. */
const DEFAULT_KEEPALIVE = { intervalMs: 15_000, countMax: 3 };
/** ssh itself has no limit, but a chain this long is a loop (a jump host whose config jumps back). */
const MAX_HOPS = 16;

export interface RouteOptions {
  /** The user's ssh client config (ssh's -F); null reads none. Default: <homeDir>/.ssh/config. */
  sshConfigFile?: string | null;
  /**
   * The system-wide config; null reads none. Default: /etc/ssh/ssh_config, unless sshConfigFile is given,
   * in which case none is read, as `ssh -F file` reads only that file.
   */
  systemSshConfigFile?: string | null;
  /** Where ~/.ssh lives. Default: the user's home. */
  homeDir?: string;
  /** The inventory file, named in the re-pin hint of host key errors. */
  inventoryFile?: string;
  /** Runs `Match exec` commands; default: the user's shell, as ssh does. */
  matchExec?: (command: string) => boolean;
}

/** One machine to open an SSH connection to, with everything needed to authenticate and verify it. */
export interface SshEndpoint {
  /** For messages: the inventory host name, or "jump host <address> of <host>". */
  label: string;
  address: string;
  port: number;
  user: string;
  /** Key files in the order they are tried. */
  identityFiles: string[];
  /** identityFiles are ssh's defaults: a missing one is skipped without a word. */
  defaultIdentities: boolean;
  /** IdentitiesOnly: agent keys are used only when they are one of identityFiles' keys. */
  identitiesOnly: boolean;
  /** Whether ssh-agent is asked at all (the inventory's agent setting, and IdentityAgent none). */
  agent: boolean;
  /** IdentityAgent's socket; undefined for the default ($SSH_AUTH_SOCK). */
  agentSocket?: string;
  hostKeyCheck: HostKeyCheck;
  strictHostKeyChecking: StrictHostKeyChecking;
  hashKnownHosts: boolean;
  keepalive: { intervalMs: number; countMax: number };
  /** What the configuration resolved to, for `bootstrap ssh-config`. */
  options: SshOptions;
}

export interface SshRoute {
  target: SshEndpoint;
  /** The jump hosts, nearest the control machine first: each is reached through the ones before it. */
  jumps: SshEndpoint[];
  /** ProxyCommand (tokens expanded) whose stdin and stdout carry the first connection of the chain. */
  proxyCommand?: string;
  connectTimeoutMs: number;
}

/** Where the configuration is read from, per the options (see RouteOptions). */
export function configSource(opts: RouteOptions = {}): SshConfigSource {
  const home = opts.homeDir ?? homedir();
  const user = userInfo();
  return {
    userFile: opts.sshConfigFile === undefined ? join(home, '.ssh', 'config') : opts.sshConfigFile,
    systemFile: opts.systemSshConfigFile !== undefined ? opts.systemSshConfigFile : opts.sshConfigFile === undefined ? '/etc/ssh/ssh_config' : null,
    home,
    localUser: user.username,
    uid: user.uid,
    localHostname: hostname(),
    env: process.env,
    exec: opts.matchExec,
  };
}

interface Written {
  user: boolean;
  port: boolean;
  knownHostsFile: boolean;
  connectTimeout: boolean;
}

/** Which settings the inventory wrote; for settings built by hand, a value other than the default counts. */
function written(ssh: SshSettings): Written {
  return {
    user: ssh.explicit ? ssh.explicit.user : ssh.user !== INVENTORY_DEFAULT.user,
    port: ssh.explicit ? ssh.explicit.port : ssh.port !== INVENTORY_DEFAULT.port,
    knownHostsFile: ssh.explicit?.knownHostsFile ?? ssh.knownHostsFile !== join(homedir(), '.ssh', 'known_hosts'),
    connectTimeout: ssh.explicit?.connectTimeout ?? ssh.connectTimeoutMs !== INVENTORY_DEFAULT.connectTimeoutMs,
  };
}

/** The inventory's bastion as the command line of `ssh -J`'s last hop would give it. */
function bastionQuery(b: BastionSettings): SshQuery {
  return {
    host: b.address,
    user: b.user !== INVENTORY_DEFAULT.user ? b.user : undefined,
    port: b.port !== INVENTORY_DEFAULT.port ? b.port : undefined,
    identityFiles: b.identityFile ? [b.identityFile] : undefined,
  };
}

interface Hop {
  options: SshOptions;
  /** Keys pinned in the inventory for this machine. */
  pinned: readonly string[];
  /** The inventory's bastion (its agent and known_hosts settings apply), not a jump host from the configuration. */
  fromInventory?: boolean;
}

/**
 * The hops in front of a resolved host, nearest the control machine first, and the ProxyCommand the first of
 * them is reached through. `where` names the host for messages.
 */
function chainTo(options: SshOptions, source: SshConfigSource, where: string, depth = 0): { hops: Hop[]; proxyCommand?: string } {
  if (depth > MAX_HOPS) throw new SshConfigError(`${where}: more than ${MAX_HOPS} jump hosts; the ProxyJump settings form a loop`);
  if (options.proxyJump.length === 0) return { hops: [], proxyCommand: options.proxyCommand };
  const specs = options.proxyJump;
  const last = parseJumpSpec(specs[specs.length - 1]!, `ProxyJump of ${options.host}`);
  const before = specs.slice(0, -1).join(',');
  const lastOptions = resolveSshOptions({ host: last.host, user: last.user, port: last.port, proxyJump: before || undefined }, source);
  const inner = chainTo(lastOptions, source, where, depth + 1);
  return { hops: [...inner.hops, { options: lastOptions, pinned: [] }], proxyCommand: inner.proxyCommand };
}

/** Applies the inventory over the OpenSSH configuration: the endpoints a host is reached through. */
export function resolveRoute(host: HostSpec, opts: RouteOptions = {}): SshRoute {
  const source = configSource(opts);
  const ssh = host.ssh;
  const set = written(ssh);
  const repin = opts.inventoryFile ?? '<inventory>';
  const targetOptions = resolveSshOptions(
    {
      host: host.address,
      user: set.user ? ssh.user : undefined,
      port: set.port ? ssh.port : undefined,
      identityFiles: ssh.identityFile ? [ssh.identityFile] : undefined,
      // The inventory's bastion replaces the configuration's jump settings, as `ssh -J` does.
      proxyJump: ssh.bastion ? 'none' : undefined,
    },
    source,
  );
  let chain: { hops: Hop[]; proxyCommand?: string };
  if (ssh.bastion) {
    const bastion = resolveSshOptions(bastionQuery(ssh.bastion), source);
    const inner = chainTo(bastion, source, host.name, 1);
    chain = { hops: [...inner.hops, { options: bastion, pinned: ssh.bastion.hostKeys, fromInventory: true }], proxyCommand: inner.proxyCommand };
  } else {
    chain = chainTo(targetOptions, source, host.name);
  }

  // The inventory's knownHostsFile is a command-line option of the ssh that reaches the host (and of its
  // bastion): jump hosts from the configuration use the configuration's, as ssh's own jump processes do.
  const inventoryKnownHosts = set.knownHostsFile ? [ssh.knownHostsFile] : undefined;
  const endpoint = (label: string, o: SshOptions, pinned: readonly string[], agent: boolean, knownHosts?: string[]): SshEndpoint => ({
    label,
    address: o.hostname,
    port: o.port,
    user: o.user,
    identityFiles: o.identityFiles,
    defaultIdentities: o.defaultIdentities,
    identitiesOnly: o.identitiesOnly,
    agent: agent && o.identityAgent !== 'none',
    agentSocket: o.identityAgent === 'none' ? undefined : o.identityAgent,
    hostKeyCheck: {
      name: label,
      address: o.hostname,
      port: o.port,
      lookupName: o.hostKeyAlias ?? o.hostname,
      aliased: o.hostKeyAlias !== undefined,
      pinned,
      knownHostsFiles: knownHosts ?? o.userKnownHostsFiles,
      globalKnownHostsFiles: o.globalKnownHostsFiles,
      checkHostIP: o.checkHostIP,
      repin,
    },
    strictHostKeyChecking: o.strictHostKeyChecking,
    hashKnownHosts: o.hashKnownHosts,
    keepalive: o.serverAliveInterval > 0 ? { intervalMs: o.serverAliveInterval * 1000, countMax: o.serverAliveCountMax } : DEFAULT_KEEPALIVE,
    options: o,
  });

  const jumps = chain.hops.map((hop, i) =>
    endpoint(
      `jump host ${hop.options.hostname}${chain.hops.length > 1 ? ` (hop ${i + 1})` : ''} of ${host.name}`,
      hop.options,
      hop.pinned,
      hop.fromInventory ? ssh.bastion!.agent : ssh.agent,
      hop.fromInventory ? inventoryKnownHosts : undefined,
    ),
  );
  const connectTimeoutMs = set.connectTimeout || targetOptions.connectTimeoutS === undefined ? ssh.connectTimeoutMs : targetOptions.connectTimeoutS * 1000;
  return { target: endpoint(host.name, targetOptions, host.hostKeys, ssh.agent, inventoryKnownHosts), jumps, proxyCommand: chain.proxyCommand, connectTimeoutMs };
}
