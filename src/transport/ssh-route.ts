/**
 * Where a host is reached and with what: the inventory's ssh settings with ~/.ssh/config applied under them
 * (see ssh-config.ts), for the host and its jump host.
 *
 * The inventory's merged settings carry the built-in defaults already; `explicit` says which of user and port
 * the inventory wrote. The others (and a missing identityFile or bastion) may come from ~/.ssh/config.
 */
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { HostSpec } from '../inventory/types.js';
import type { HostKeyCheck } from './known-hosts.js';
import { loadSshConfig, lookupSshConfig, SshConfigError } from './ssh-config.js';
import type { SshConfigEntry } from './ssh-config.js';

/** Built-in defaults of the inventory's ssh settings (src/inventory/resolve.ts); equal means "not set". */
const INVENTORY_DEFAULT = { user: 'root', port: 22 };

export interface RouteOptions {
  /** The ssh client config to read; null reads none. Default: <homeDir>/.ssh/config. */
  sshConfigFile?: string | null;
  /** Where ~/.ssh lives. Default: the user's home. */
  homeDir?: string;
  /** The inventory file, named in the re-pin hint of host key errors. */
  inventoryFile?: string;
}

/** One machine to open an SSH connection to, with everything needed to authenticate and verify it. */
export interface SshEndpoint {
  /** For messages: the inventory host name, or "jump host <address> of <host>". */
  label: string;
  address: string;
  port: number;
  user: string;
  /** Explicit key files; when empty the default keys are tried instead. */
  identityFiles: string[];
  agent: boolean;
  hostKeyCheck: HostKeyCheck;
}

export interface SshRoute {
  target: SshEndpoint;
  bastion?: SshEndpoint;
  connectTimeoutMs: number;
}

function configEntries(opts: RouteOptions): { entries: SshConfigEntry[]; file: string } {
  const file = opts.sshConfigFile === undefined ? join(opts.homeDir ?? homedir(), '.ssh', 'config') : opts.sshConfigFile;
  return file === null ? { entries: [], file: '' } : { entries: loadSshConfig(file), file };
}

/** Applies ~/.ssh/config under the inventory's settings: the endpoints a host is reached through. */
export function resolveRoute(host: HostSpec, opts: RouteOptions = {}): SshRoute {
  const { entries, file } = configEntries(opts);
  const home = opts.homeDir ?? homedir();
  const ssh = host.ssh;
  const repin = opts.inventoryFile ?? '<inventory>';
  const userWritten = ssh.explicit ? ssh.explicit.user : ssh.user !== INVENTORY_DEFAULT.user;
  const inventoryUser = userWritten ? ssh.user : undefined;
  const conf = lookupSshConfig(entries, host.address, file, inventoryUser ?? INVENTORY_DEFAULT.user, home);
  const address = conf.hostName ?? host.address;
  const portWritten = ssh.explicit ? ssh.explicit.port : ssh.port !== INVENTORY_DEFAULT.port;
  const port = portWritten ? ssh.port : conf.port ?? INVENTORY_DEFAULT.port;
  const target: SshEndpoint = {
    label: host.name,
    address,
    port,
    user: inventoryUser ?? conf.user ?? INVENTORY_DEFAULT.user,
    identityFiles: ssh.identityFile ? [ssh.identityFile] : conf.identityFiles,
    agent: ssh.agent,
    hostKeyCheck: { name: host.name, address, port, lookupName: address, pinned: host.hostKeys, knownHostsFiles: [ssh.knownHostsFile], globalKnownHostsFiles: [], checkHostIP: false, repin },
  };

  let jump: { alias: string; port?: number; user?: string; identityFile?: string; agent: boolean; pinned: string[] } | undefined;
  if (ssh.bastion) {
    const b = ssh.bastion;
    jump = {
      alias: b.address,
      port: b.port !== INVENTORY_DEFAULT.port ? b.port : undefined,
      user: b.user !== INVENTORY_DEFAULT.user ? b.user : undefined,
      identityFile: b.identityFile,
      agent: b.agent,
      pinned: b.hostKeys,
    };
  } else if (conf.proxyJump) {
    // As ssh does, a ProxyJump host without user@ logs in with the ssh_config User, else the local user name.
    jump = { alias: conf.proxyJump.host, port: conf.proxyJump.port, user: conf.proxyJump.user, agent: ssh.agent, pinned: [] };
    jump.user ??= lookupSshConfig(entries, jump.alias, file, '', home).user ?? userInfo().username;
  }
  let bastion: SshEndpoint | undefined;
  if (jump) {
    const bconf = lookupSshConfig(entries, jump.alias, file, jump.user ?? INVENTORY_DEFAULT.user, home);
    if (bconf.proxyJump && bconf.proxyJump.host !== jump.alias) {
      throw new SshConfigError(`${file}: the jump host ${jump.alias} of ${host.name} has its own ProxyJump; chains of jump hosts are not supported`);
    }
    const baddress = bconf.hostName ?? jump.alias;
    const bport = jump.port ?? bconf.port ?? INVENTORY_DEFAULT.port;
    bastion = {
      label: `jump host ${baddress} of ${host.name}`,
      address: baddress,
      port: bport,
      user: jump.user ?? bconf.user ?? INVENTORY_DEFAULT.user,
      identityFiles: jump.identityFile ? [jump.identityFile] : bconf.identityFiles,
      agent: jump.agent,
      hostKeyCheck: { name: `jump host of ${host.name}`, address: baddress, port: bport, lookupName: baddress, pinned: jump.pinned, knownHostsFiles: [ssh.knownHostsFile], globalKnownHostsFiles: [], checkHostIP: false, repin },
    };
  }
  return { target, bastion, connectTimeoutMs: ssh.connectTimeoutMs };
}
