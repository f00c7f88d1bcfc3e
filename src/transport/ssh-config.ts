/**
 * The subset of OpenSSH's client configuration (~/.ssh/config) that `bootstrap` honours, so a host a user
 * already reaches with `ssh alias` is reached the same way: Host blocks (patterns with * and ?, several per
 * line, negation with !), HostName, User, Port, IdentityFile and ProxyJump. Every other keyword, and Match
 * blocks, are ignored. As in ssh, the first value found for a keyword wins; IdentityFile accumulates.
 *
 * Precedence, applied by ssh.ts: a value set in the inventory wins over ~/.ssh/config, which wins over the
 * built-in defaults (user root, port 22, the default key files, no jump host).
 */
import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { InputError } from '../util/errors.js';
import { matchPatternList } from './patterns.js';

export { matchPatternList } from './patterns.js';

export interface SshConfigEntry {
  /** The Host line's patterns, e.g. ["web-*", "!web-test"]. */
  patterns: string[];
  /** Keyword (lower case) → values in file order. */
  options: Map<string, string[]>;
  /** 1-based line of the Host keyword, for messages. */
  line: number;
}

/** What ~/.ssh/config says about one host; undefined where it says nothing. */
export interface SshConfigHost {
  hostName?: string;
  user?: string;
  port?: number;
  /** Absolute paths (~ and %-tokens expanded), in the order ssh would try them. */
  identityFiles: string[];
  /** The first jump host of ProxyJump, or undefined (also for "ProxyJump none"). */
  proxyJump?: JumpHost;
}

export interface JumpHost {
  host: string;
  user?: string;
  port?: number;
}

export class SshConfigError extends InputError {
  override name = 'SshConfigError';
}

const KEYWORDS = new Set(['host', 'hostname', 'user', 'port', 'identityfile', 'proxyjump']);

/** Splits a line into words as ssh does: whitespace or one "=" between keyword and value, "double quotes". */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|([^\s"]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) out.push(m[1] ?? m[2] ?? '');
  return out;
}

export function parseSshConfig(text: string): SshConfigEntry[] {
  // Options before the first Host line apply to every host, like a "Host *" block at the top.
  const entries: SshConfigEntry[] = [{ patterns: ['*'], options: new Map(), line: 0 }];
  let current: SshConfigEntry | undefined = entries[0];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) return;
    const keyword = (m[1] as string).toLowerCase();
    const args = words(m[2] as string);
    if (keyword === 'match') {
      // Match blocks need ssh's whole evaluation model; their options are skipped rather than misapplied.
      current = undefined;
      return;
    }
    if (keyword === 'host') {
      current = { patterns: args, options: new Map(), line: index + 1 };
      entries.push(current);
      return;
    }
    if (!current || !KEYWORDS.has(keyword) || !args.length) return;
    const values = current.options.get(keyword) ?? [];
    values.push(keyword === 'identityfile' ? args.join(' ') : (args[0] as string));
    current.options.set(keyword, values);
  });
  return entries;
}

function parsePort(value: string, where: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshConfigError(`${where}: bad port "${value}"`);
  return port;
}

/** "[user@]host[:port]" (the first hop of a comma-separated chain). */
export function parseJumpHost(spec: string, where: string): JumpHost | undefined {
  if (spec.toLowerCase() === 'none') return undefined;
  if (spec.includes(',')) throw new SshConfigError(`${where}: ProxyJump with several hops (${spec}) is not supported; use one jump host`);
  const m = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new SshConfigError(`${where}: cannot read ProxyJump "${spec}"`);
  const host = (m[2] as string).replace(/^\[|\]$/g, '');
  return { host, user: m[1], port: m[3] !== undefined ? parsePort(m[3], where) : undefined };
}

export interface ExpandContext {
  home: string;
  /** Remote host name (after HostName), for %h. */
  host: string;
  /** Remote user, for %r. */
  remoteUser: string;
}

/** ~ and the %-tokens ssh allows in IdentityFile that make sense here: %d %h %r %u %%. */
export function expandPath(value: string, ctx: ExpandContext): string {
  let out = value.replace(/%([dhru%])/g, (_, token: string) => {
    switch (token) {
      case 'd': return ctx.home;
      case 'h': return ctx.host;
      case 'r': return ctx.remoteUser;
      case 'u': return userInfo().username;
      default: return '%';
    }
  });
  if (out === '~') out = ctx.home;
  else if (out.startsWith('~/')) out = join(ctx.home, out.slice(2));
  return isAbsolute(out) ? out : join(ctx.home, '.ssh', out);
}

/**
 * What the config says for `alias` (the name or address given to ssh). `defaultUser` is what %r expands to when
 * the config sets no User.
 */
export function lookupSshConfig(entries: readonly SshConfigEntry[], alias: string, file: string, defaultUser: string, home = homedir()): SshConfigHost {
  const first = new Map<string, string>();
  const identityFiles: string[] = [];
  let proxyJumpLine = 0;
  for (const entry of entries) {
    if (!matchPatternList(alias.toLowerCase(), entry.patterns)) continue;
    for (const [keyword, values] of entry.options) {
      if (keyword === 'identityfile') identityFiles.push(...values);
      else if (!first.has(keyword)) {
        first.set(keyword, values[0] as string);
        if (keyword === 'proxyjump') proxyJumpLine = entry.line;
      }
    }
  }
  const where = (line: number) => `${file}${line ? `:${line}` : ''}`;
  const hostName = first.get('hostname')?.replace(/%h/g, alias);
  const user = first.get('user');
  const portText = first.get('port');
  const port = portText !== undefined ? parsePort(portText, file) : undefined;
  const proxy = first.get('proxyjump');
  const ctx = { home, host: hostName ?? alias, remoteUser: user ?? defaultUser };
  return {
    hostName,
    user,
    port,
    identityFiles: [...new Set(identityFiles.map((f) => expandPath(f, ctx)))],
    proxyJump: proxy !== undefined ? parseJumpHost(proxy, where(proxyJumpLine)) : undefined,
  };
}

/** Reads and parses a config file; a missing file is an empty config. */
export function loadSshConfig(file: string): SshConfigEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new SshConfigError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseSshConfig(text);
}
