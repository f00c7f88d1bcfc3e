/** The keywords bootstrap reads: the table from keyword to handler, and the handlers. */
import { SshConfigError } from './errors.js';
import { expandEnv } from './expand.js';
import { includeLine } from './include.js';
import { setJump } from './jump.js';
import { hostLine, matchLine } from './match.js';
import { addIdentity, type Handler, type Line, type Reader, type State } from './state.js';
import { ADDRESS_FAMILY, CANONICALIZE, FLAG, fromTable, STRICT, toInt, toPort, toSeconds } from './values.js';

export function oneArg(l: Line): string {
  if (!l.args.length || l.args[0] === '') throw new SshConfigError(`${l.where}: missing argument`);
  if (l.args.length > 1) throw new SshConfigError(`${l.where}: keyword ${l.keyword} extra arguments at end of line`);
  return l.args[0] as string;
}

/** A string keyword: the first value obtained (in a block that applies) wins. */
function stringOption(set: (r: Reader, value: string, where: string) => void): Handler {
  return (r, l) => {
    const value = oneArg(l);
    if (l.active) set(r, value, l.where);
  };
}

/** A yes/no value (ssh's multistate_flag), else the error ssh gives. */
function checkFlag(l: Line): boolean {
  const arg = oneArg(l);
  const value = fromTable(arg, FLAG);
  if (value === undefined) throw new SshConfigError(`${l.where}: unsupported option "${arg}"`);
  return value;
}

function flagOption(set: (s: State, value: boolean, where: string) => void): Handler {
  return (r, l) => {
    const value = checkFlag(l);
    if (l.active) set(r.state, value, l.where);
  };
}

function timeOption(get: (s: State) => number | undefined, set: (s: State, v: number) => void): Handler {
  return (r, l) => {
    const arg = oneArg(l);
    const value = arg === 'none' ? -1 : toSeconds(arg);
    if (value === -1 && arg !== 'none') throw new SshConfigError(`${l.where}: invalid time value "${arg}"`);
    // "none" is ssh's unset; it does not claim the keyword, so a later value still applies.
    if (l.active && get(r.state) === undefined && value !== -1) set(r.state, value);
  };
}

/** UserKnownHostsFile / GlobalKnownHostsFile: one line's list, taken only if no earlier line set one. */
function listOption(get: (s: State) => unknown, set: (s: State, v: string[], where: string) => void): Handler {
  return (r, l) => {
    l.args.forEach((arg, i) => {
      if (arg === '') throw new SshConfigError(`${l.where}: keyword ${l.keyword} empty argument`);
      if (arg.toLowerCase() === 'none' && (i > 0 || l.args.length > 1)) {
        throw new SshConfigError(`${l.where}: keyword ${l.keyword} "none" argument must appear alone`);
      }
    });
    if (l.active && get(r.state) === undefined && l.args.length) set(r.state, l.args, l.where);
  };
}

export const HANDLERS: Record<string, Handler> = {
  host: hostLine,
  match: matchLine,
  include: includeLine,
  ignoreunknown: stringOption((r, v) => { r.state.ignoreUnknown ??= v; }),
  hostname: stringOption((r, v, where) => { r.state.hostname ??= { value: v, where }; }),
  user: stringOption((r, v) => { r.state.user ??= v; }),
  hostkeyalias: stringOption((r, v) => { r.state.hostKeyAlias ??= v; }),
  controlpath: stringOption((r, v, where) => { r.state.controlPath ??= { value: v, where }; }),
  bindaddress: stringOption((r, v, where) => { r.state.bindAddress ??= { value: v, where }; }),
  bindinterface: stringOption((r, v, where) => { r.state.bindInterface ??= { value: v, where }; }),
  port: (r, l) => {
    const arg = oneArg(l);
    const port = toPort(arg);
    if (port <= 0) throw new SshConfigError(`${l.where}: Bad port '${arg}'`);
    if (l.active) r.state.port ??= port;
  },
  identityfile: identityFileLine,
  identityfile2: identityFileLine,
  identitiesonly: flagOption((s, v) => { s.identitiesOnly ??= v; }),
  checkhostip: flagOption((s, v) => { s.checkHostIP ??= v; }),
  hashknownhosts: flagOption((s, v) => { s.hashKnownHosts ??= v; }),
  batchmode: flagOption((s, v) => { s.batchMode ??= v; }),
  proxyusefdpass: flagOption((s, v, where) => { s.proxyUseFdpass ??= { value: v, where }; }),
  identityagent: identityAgentLine,
  proxycommand: proxyCommandLine,
  proxyjump: proxyJumpLine,
  connecttimeout: timeOption((s) => s.connectTimeout, (s, v) => { s.connectTimeout = v; }),
  serveraliveinterval: timeOption((s) => s.serverAliveInterval, (s, v) => { s.serverAliveInterval = v; }),
  serveralivecountmax: (r, l) => {
    const arg = l.args[0] ?? '';
    const value = toInt(arg);
    if (value === undefined) throw new SshConfigError(`${l.where}: integer value "${arg}" is invalid`);
    oneArg(l);
    if (l.active) r.state.serverAliveCountMax ??= value;
  },
  userknownhostsfile: listOption((s) => s.userKnownHostsFiles, (s, v, where) => { s.userKnownHostsFiles = { value: v, where }; }),
  globalknownhostsfile: listOption((s) => s.globalKnownHostsFiles, (s, v) => { s.globalKnownHostsFiles = v; }),
  stricthostkeychecking: (r, l) => {
    const arg = oneArg(l);
    const value = fromTable(arg, STRICT);
    if (value === undefined) throw new SshConfigError(`${l.where}: unsupported option "${arg}"`);
    if (l.active) r.state.strictHostKeyChecking ??= value;
  },
  canonicalizehostname: (r, l) => {
    const arg = oneArg(l);
    const value = fromTable(arg, CANONICALIZE);
    if (value === undefined) throw new SshConfigError(`${l.where}: unsupported option "${arg}"`);
    if (l.active) r.state.canonicalizeHostname ??= { value, where: l.where };
  },
  addressfamily: (r, l) => {
    const arg = oneArg(l);
    const value = fromTable(arg, ADDRESS_FAMILY);
    if (value === undefined) throw new SshConfigError(`${l.where}: unsupported option "${arg}"`);
    if (l.active) r.state.addressFamily ??= { value, where: l.where };
  },
};

function identityFileLine(r: Reader, l: Line): void {
  const arg = oneArg(l);
  if (!l.active) return;
  addIdentity(r.state, { raw: arg, origin: l.ctx.flags.user ? 'user config' : 'system config', where: l.where });
}

function identityAgentLine(r: Reader, l: Line): void {
  const arg = oneArg(l);
  // ssh expands ${VAR} once when reading the line (also where the block does not apply): an unset one is refused.
  expandEnv(arg, r.source.env, l.where);
  if (arg.startsWith('$') && arg[1] !== '{' && !/^[A-Za-z0-9_]+$/.test(arg.slice(1))) {
    throw new SshConfigError(`${l.where}: invalid environment name ${arg}`);
  }
  if (l.active) r.state.identityAgent ??= { value: arg, where: l.where };
}

/**
 * ProxyCommand: the raw rest of the line; ignored once ProxyJump (or ProxyCommand) is set, as in ssh, except
 * that the ssh 9.2 client still takes a ProxyCommand after `ProxyJump none` (observed with ssh -G).
 */
function proxyCommandLine(r: Reader, l: Line): void {
  const command = l.rest.replace(/^[ \t\r\n=]+/, '');
  if (l.active && r.state.proxyCommand === undefined && (r.state.jump === undefined || r.state.jump.none)) {
    r.state.proxyCommand = { value: command, where: l.where };
  }
}

/** ProxyJump: every hop is checked; only the first setting of ProxyJump or ProxyCommand counts. */
function proxyJumpLine(r: Reader, l: Line): void {
  // The Debian ssh 9.2 client reads the first word only ("a b" is a, "a, b" has an empty hop; observed with -G).
  const spec = l.args[0];
  if (!spec) throw new SshConfigError(`${l.where}: missing argument`);
  const active = l.active && r.state.proxyCommand === undefined && r.state.jump === undefined;
  setJump(r.state, spec, active, l.where);
}
