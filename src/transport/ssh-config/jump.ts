/** ProxyJump and -J: the hops as ssh parses them, and the jump host as ssh -G prints and checks it. */
import { SshConfigError } from './errors.js';
import type { State } from './state.js';
import { DEFAULT_PORT, toPort } from './values.js';

/** Parses a ProxyJump / -J value into the state (readconf.c parse_jump). */
export function setJump(state: State, spec: string, active: boolean, where: string): void {
  if (spec.toLowerCase() === 'none') {
    if (active) state.jump = { none: true };
    return;
  }
  // Every hop must parse; the last one is the jump host, the ones before it are passed on as written.
  const hops = spec.split(',').map((hop) => parseJumpSpec(hop, where));
  if (!active) return;
  const comma = spec.lastIndexOf(',');
  state.jump = { none: false, ...(hops[hops.length - 1] as JumpSpec), extra: comma > 0 ? spec.slice(0, comma) : undefined, where };
  // ssh marks ProxyCommand as set ("none") so that a later ProxyCommand line does not apply.
  state.proxyCommand = { value: 'none', where };
}

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/**
 * One ProxyJump hop as ssh reads it: `[user@]host[:port]`, `[user@][address]:port`, or
 * `ssh://[user@]host[:port][/]` (misc.c parse_user_host_port / parse_uri; the scheme is case-sensitive).
 */
export function parseJumpSpec(spec: string, where: string): JumpSpec {
  const parsed = spec.startsWith('ssh://') ? parseSshUri(spec.slice(6)) : parseUserHostPort(spec);
  if (!parsed) throw new SshConfigError(`${where}: Invalid ProxyJump "${spec}"`);
  return parsed;
}

/** `[user@]host[:port]`: the user ends at the last @, the host at the first : or / (or the closing ]). */
function parseUserHostPort(text: string): JumpSpec | undefined {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  if (user === '') return undefined;
  const split = splitHostPort(at >= 0 ? text.slice(at + 1) : text);
  if (!split) return undefined;
  return jumpSpec(user, split.host, split.rest);
}

/** The part after ssh://: user (to the first @, ";params" dropped, %-decoded), a host name, :port, an empty path. */
function parseSshUri(text: string): JumpSpec | undefined {
  const at = text.indexOf('@');
  let user: string | undefined;
  if (at >= 0) {
    user = (text.slice(0, at).split(';')[0] as string);
    if (user === '') return undefined;
    try {
      user = decodeURIComponent(user);
    } catch {
      return undefined;
    }
  }
  const split = splitHostPort(at >= 0 ? text.slice(at + 1) : text);
  if (!split || !/^[A-Za-z0-9._-]+$/.test(split.host)) return undefined;
  let rest = split.rest;
  if (split.delimiter === ':' && rest !== undefined) {
    const slash = rest.indexOf('/');
    if (slash >= 0 && rest.slice(slash + 1) !== '') return undefined;
    rest = slash >= 0 ? rest.slice(0, slash) : rest;
  } else if (rest) return undefined; // a path
  return jumpSpec(user, split.host, split.delimiter === ':' ? rest : undefined);
}

/** misc.c hpdelim2: the host ([…] or up to ':' or '/') and what follows the delimiter. */
function splitHostPort(text: string): { host: string; delimiter?: string; rest?: string } | undefined {
  let end: number;
  if (text.startsWith('[')) {
    end = text.indexOf(']');
    if (end < 0) return undefined;
    end++;
  } else {
    end = text.search(/[:/]/);
    if (end < 0) end = text.length;
  }
  const delimiter = text[end];
  if (delimiter !== undefined && delimiter !== ':' && delimiter !== '/') return undefined;
  const host = text.slice(0, end).replace(/^\[(.*)\]$/s, '$1');
  if (!host) return undefined;
  return delimiter === undefined ? { host } : { host, delimiter, rest: text.slice(end + 1) };
}

function jumpSpec(user: string | undefined, host: string, portText: string | undefined): JumpSpec | undefined {
  let port: number | undefined;
  if (portText) {
    port = toPort(portText);
    if (port <= 0) return undefined;
  }
  return { ...(user !== undefined ? { user } : {}), host, ...(port !== undefined ? { port } : {}) };
}

/** The last hop as ssh -G prints it: user@, the host ([…] when numeric), :port. */
export function jumpHopText(jump: JumpSpec): string {
  const numeric = jump.host.includes(':') || /^[0-9.]*$/.test(jump.host);
  return `${jump.user !== undefined ? `${jump.user}@` : ''}${numeric ? `[${jump.host}]` : jump.host}${jump.port !== undefined ? `:${jump.port}` : ''}`;
}

/** ssh refuses a ProxyJump through the host itself (same name, port and user). */
export function refuseJumpLoop(jump: JumpSpec & { where: string }, host: string, port: number, user: string): void {
  if (jump.host === host && (jump.port ?? DEFAULT_PORT) === port && (jump.user ?? user) === user) {
    throw new SshConfigError(`${jump.where}: jumphost loop via ${jump.host}`);
  }
}
