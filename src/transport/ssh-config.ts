/**
 * OpenSSH's client configuration resolved for one host the way `ssh -G` (OpenSSH 9.2) resolves it, so a host a
 * user already reaches with `ssh alias` is reached the same way: ~/.ssh/config then /etc/ssh/ssh_config, Host and
 * Match blocks, Include, IgnoreUnknown, first-obtained-value-wins, ssh's second ("final") pass, %-tokens, ${VAR}
 * and ~ in the places ssh expands them. See ssh-options.ts for what is resolved.
 *
 * Anything ssh refuses is refused here with a located SshConfigError ("file:line: message"); keywords that would
 * change where or how to connect and that bootstrap does not implement are refused when they apply to the host.
 *
 * The judge is the client installed here (Debian's OpenSSH 9.2p1), through test/transport/ssh-config-differential:
 * where it differs from upstream 9.2 (host/user character checks, ServerAliveInterval 300 with BatchMode, ProxyJump
 * read as one word, a ProxyCommand after `ProxyJump none`) this file follows the client. Not reproduced: the value
 * checks of keywords bootstrap ignores beyond yes/no, numbers, times and word lists (Ciphers, forwardings, …), and
 * the limit of 100 identity files.
 *
 * The second half of this file (lookupSshConfig, parseSshConfig, …) is the earlier partial reader, kept until its
 * last caller moves to resolveSshOptions.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, hostname as osHostname, userInfo } from 'node:os';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { InputError } from '../util/errors.js';
import { matchPattern, matchPatternList, patternListResult } from './patterns.js';
import type { SshConfigSource, SshOptions, SshQuery, StrictHostKeyChecking } from './ssh-options.js';

export { matchPatternList } from './patterns.js';

export class SshConfigError extends InputError {
  override name = 'SshConfigError';
}

/** ssh's READCONF_MAX_DEPTH: the top file is depth 0, each Include one deeper. */
const MAX_INCLUDE_DEPTH = 16;
const DEFAULT_PORT = 22;

/** The tokens ssh's DEFAULT_CLIENT_PERCENT_EXPAND_ARGS offers (IdentityFile, UserKnownHostsFile, IdentityAgent, …). */
const CLIENT_TOKENS = 'CLiklnpdhru';
/** The tokens of `Match exec` (readconf.c match_cfg_line). */
const MATCH_EXEC_TOKENS = 'CLdhiklnpru';
/** ProxyCommand (sshconnect.c expand_proxy_command). */
const PROXY_COMMAND_TOKENS = 'hknpr';

// ---------------------------------------------------------------------------------------------------------------
// Splitting lines as ssh does
// ---------------------------------------------------------------------------------------------------------------

const WHITESPACE = ' \t\r\n';

/**
 * ssh's strdelim(): the next word of `s`, ended by whitespace, a double quote or one "=" (with whitespace around
 * it); a word in double quotes keeps its spaces. Returns the word and the rest (undefined once the line is used
 * up), or null for an unterminated quote.
 */
function strdelim(s: string): { word: string; rest: string | undefined } | null {
  const stop = s.search(/[ \t\r\n"=]/);
  if (stop < 0) return { word: s, rest: undefined };
  if (s[stop] === '"') {
    const close = s.indexOf('"', stop + 1);
    if (close < 0) return null;
    return { word: s.slice(0, stop) + s.slice(stop + 1, close), rest: skipWhitespace(s.slice(close + 1)) };
  }
  let rest = skipWhitespace(s.slice(stop + 1));
  // One "=" may stand between words, with or without whitespace around it.
  if (s[stop] !== '=' && rest.startsWith('=')) rest = skipWhitespace(rest.slice(1));
  return { word: s.slice(0, stop), rest };
}

function skipWhitespace(s: string): string {
  let i = 0;
  while (i < s.length && WHITESPACE.includes(s[i] as string)) i++;
  return s.slice(i);
}

/**
 * ssh 9.x's argv_split(): words separated by blanks, '…' and "…" quoting (also inside a word), \ escaping a
 * quote, a backslash or (outside quotes) a blank, and a word starting with # ending the line. null for an
 * unterminated quote.
 */
export function splitArgs(s: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '#') break;
    let arg = '';
    let quote = '';
    for (; i < s.length; i++) {
      const ch = s[i] as string;
      const next = s[i + 1];
      if (ch === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (!quote && next === ' ')) { arg += next; i++; } else arg += ch;
      } else if (!quote && (ch === ' ' || ch === '\t')) break;
      else if (!quote && (ch === '"' || ch === "'")) quote = ch;
      else if (quote && ch === quote) quote = '';
      else arg += ch;
    }
    if (quote) return null;
    args.push(arg);
  }
  return args;
}

// ---------------------------------------------------------------------------------------------------------------
// Expansion: %-tokens, ${VAR}, ~
// ---------------------------------------------------------------------------------------------------------------

/**
 * ssh's percent_expand(): each %x in `value` whose letter is in `allowed` becomes tokens[x]; %% is a %. Any other
 * %x, or a % at the end, is an error as in ssh. `where` ("file:line") locates the message.
 */
export function expandTokens(value: string, tokens: Record<string, string>, allowed: string, where: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c !== '%') { out += c; continue; }
    const key = value[++i];
    if (key === '%') out += '%';
    else if (key === undefined) throw new SshConfigError(`${where}: invalid format in "${value}": % at the end`);
    else if (allowed.includes(key) && tokens[key] !== undefined) out += tokens[key];
    else throw new SshConfigError(`${where}: unknown key %${key} in "${value}"`);
  }
  return out;
}

/** ssh's dollar expansion: ${VAR} from `env`; an unset or unterminated variable is an error as in ssh. */
export function expandEnv(value: string, env: Record<string, string | undefined>, where: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$' || value[i + 1] !== '{') { out += value[i]; continue; }
    const end = value.indexOf('}', i + 2);
    if (end < 0) throw new SshConfigError(`${where}: environment variable in "${value}" is missing its closing '}'`);
    const name = value.slice(i + 2, end);
    if (!name) throw new SshConfigError(`${where}: zero-length environment variable in "${value}"`);
    const val = env[name];
    if (val === undefined) throw new SshConfigError(`${where}: environment variable \${${name}} has no value`);
    out += val;
    i = end;
  }
  return out;
}

/** Home directories of other users, for ~user (ssh asks getpwnam). */
function passwdHome(user: string): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields[0] === user && fields.length >= 7) return fields[5];
    }
  } catch {
    // No passwd file: no such user.
  }
  return undefined;
}

/**
 * ssh's tilde_expand(): "~", "~/path", "~user/path" become the home directory followed by "/" and the path (so
 * "~" alone gives "home/", as ssh prints it); other paths are unchanged.
 */
export function expandTilde(path: string, home: string, localUser: string, where: string): string {
  if (!path.startsWith('~')) return path;
  const body = path.slice(1);
  const slash = body.indexOf('/');
  const user = slash < 0 ? body : body.slice(0, slash);
  const rest = slash < 0 ? '' : body.slice(slash).replace(/^\/+/, '');
  const dir = user === '' || user === localUser ? home : passwdHome(user);
  if (dir === undefined) throw new SshConfigError(`${where}: no such user ${user} in "${path}"`);
  return `${dir}${dir.endsWith('/') ? '' : '/'}${rest}`;
}

/** %C: the SHA-1 of local host name, remote host, port and remote user (ssh 9.2 has no %j in it). */
function connectionHash(localHostname: string, host: string, port: string, user: string): string {
  return createHash('sha1').update(localHostname + host + port + user).digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

/** Port numbers by service name (ssh's getservbyname(…, "tcp") fallback in a2port). */
function servicePort(name: string): number | undefined {
  try {
    for (const line of readFileSync('/etc/services', 'utf8').split('\n')) {
      const words = line.replace(/#.*/, '').trim().split(/\s+/);
      const m = /^(\d+)\/tcp$/.exec(words[1] ?? '');
      if (m && (words[0] === name || words.slice(2).includes(name))) return Number(m[1]);
    }
  } catch {
    // No services database: names are not ports.
  }
  return undefined;
}

/** ssh's a2port(): 0..65535 in decimal, else a TCP service name; -1 when neither. */
function toPort(value: string): number {
  if (/^\s*[+-]?\d+$/.test(value)) {
    const n = Number(value);
    return n >= 0 && n <= 65535 ? n : -1;
  }
  return servicePort(value) ?? -1;
}

/** ssh's convtime(): "90", "90s", "1h30m", … in seconds; -1 when malformed. */
function toSeconds(value: string): number {
  if (!value) return -1;
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const re = /\s*([+-]?\d+)([smhdwSMHDW]?)/y;
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const m = re.exec(value);
    if (!m) return -1;
    const n = Number(m[1]);
    if (n < 0) return -1;
    total += n * (units[(m[2] as string).toLowerCase()] as number);
    if (total > 0x7fffffff) return -1;
    pos = re.lastIndex;
  }
  return total;
}

/** ssh's atoi_err(): a decimal 0..INT_MAX. */
function toInt(value: string): number | undefined {
  if (!/^\s*[+-]?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 0 && n <= 0x7fffffff ? n : undefined;
}

/** yes/no and their aliases, as ssh's multistate tables read them (case-insensitive). */
function fromTable<T>(value: string | undefined, table: Record<string, T>): T | undefined {
  return value === undefined ? undefined : table[value.toLowerCase()];
}
const FLAG = { yes: true, true: true, no: false, false: false };
const STRICT: Record<string, StrictHostKeyChecking> = { yes: 'yes', true: 'yes', no: 'no', false: 'no', off: 'no', ask: 'ask', 'accept-new': 'accept-new' };
const CANONICALIZE = { yes: 'yes', true: 'yes', no: 'no', false: 'no', always: 'always' } as const;
const ADDRESS_FAMILY = { any: 'any', inet: 'inet', inet6: 'inet6' } as const;

/**
 * ssh lower-cases the host name unless it is an address (is_addr_fast: contains % or :, or only digits and dots),
 * and rewrites a numeric address in its canonical form (resolve_addr: "127.1" is 127.0.0.1).
 */
function normaliseHostName(host: string): string {
  const looksLikeAddress = host.includes('%') || host.includes(':') || /^[0-9.]*$/.test(host);
  if (!looksLikeAddress) return host.toLowerCase();
  const v4 = canonicalIPv4(host);
  if (v4 !== undefined) return v4;
  if (host.includes(':') && !host.includes('%')) {
    try {
      const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
      return canonical.toLowerCase() === host.toLowerCase() ? host : canonical;
    } catch {
      return host;
    }
  }
  return host;
}

/** inet_aton's forms (a, a.b, a.b.c, a.b.c.d; decimal, 0octal, 0xhex) as a dotted quad, else undefined. */
function canonicalIPv4(host: string): string | undefined {
  const parts = host.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) n = part.length > 2 ? parseInt(part.slice(2), 16) : 0;
    else if (/^0[0-7]*$/.test(part)) n = parseInt(part, 8);
    else if (/^[1-9]\d*$/.test(part)) n = Number(part);
    else return undefined;
    nums.push(n);
  }
  const last = nums.pop() as number;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return undefined;
  const bytes = [...nums];
  for (let i = 4 - nums.length - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes.join('.');
}

// ---------------------------------------------------------------------------------------------------------------
// The parse: ssh's Options, first obtained value wins
// ---------------------------------------------------------------------------------------------------------------

/** A value and the "file:line" it came from, for messages about it after the parse. */
interface At<T> { value: T; where: string }

/** Where an IdentityFile came from: ssh drops a repeated file only when it repeats in the same place. */
type IdentityOrigin = 'command line' | 'user config' | 'system config';

interface IdentityEntry { raw: string; origin: IdentityOrigin; where: string }

/** What the configuration set so far; undefined is ssh's "unset" (-1 / NULL). */
interface State {
  user?: string;
  hostname?: At<string>;
  port?: number;
  identityFiles: IdentityEntry[];
  identitiesOnly?: boolean;
  identityAgent?: At<string>;
  /** ProxyJump: "none", or the nearest-to-target hop plus the hops before it (ssh's jump_extra). */
  jump?: { none: true } | { none: false; user?: string; host: string; port?: number; extra?: string; where: string };
  proxyCommand?: At<string>;
  connectTimeout?: number;
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  userKnownHostsFiles?: At<string[]>;
  globalKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  hostKeyAlias?: string;
  checkHostIP?: boolean;
  hashKnownHosts?: boolean;
  batchMode?: boolean;
  controlPath?: At<string>;
  ignoreUnknown?: string;
  canonicalizeHostname?: At<'yes' | 'no' | 'always'>;
  proxyUseFdpass?: At<boolean>;
  bindAddress?: At<string>;
  bindInterface?: At<string>;
  addressFamily?: At<'any' | 'inet' | 'inet6'>;
}

interface FileFlags {
  /** A user configuration: ~ allowed in Include, relative Include from ~/.ssh, IdentityFile "user provided". */
  user: boolean;
  /** Inside an Include from a block that did not apply: nothing in it applies either. */
  neverMatch: boolean;
}

/** One pass over the configuration files (ssh's process_config_files). */
interface Pass {
  /** The name Host lines match: the host as given (first pass) or the final host name (final pass). */
  host: string;
  final: boolean;
  /** Set when a `Match final` asks for a second pass. */
  wantFinal: boolean;
}

/** Keywords bootstrap reads; every other keyword ssh knows is accepted and ignored. */
type Handler = (r: Reader, l: Line) => void;

interface Line {
  keyword: string;
  /** The words after the keyword (argv_split). */
  args: string[];
  /** The rest of the line after the keyword, raw (ProxyCommand, ProxyJump and Match read it so). */
  rest: string;
  where: string;
  active: boolean;
  /** The file being read: its flags, Include depth and the Host/Match state it shares with its includer. */
  ctx: FileCtx;
}

interface FileCtx {
  flags: FileFlags;
  depth: number;
  active: { on: boolean };
}

/** ssh 9.2's keywords (readconf.c) that bootstrap has no use for: accepted, not interpreted. */
const IGNORED_KEYWORDS = new Set(`protocol cipher fallbacktorsh globalknownhostsfile2 rhostsauthentication userknownhostsfile2
useroaming usersh useprivilegedport afstokenpassing kerberosauthentication kerberostgtpassing rsaauthentication
rhostsrsaauthentication compressionlevel gssapiauthentication gssapidelegatecredentials pkcs11provider smartcarddevice
forwardagent forwardx11 forwardx11trusted forwardx11timeout exitonforwardfailure xauthlocation gatewayports
passwordauthentication kbdinteractiveauthentication kbdinteractivedevices challengeresponseauthentication
skeyauthentication tisauthentication pubkeyauthentication dsaauthentication hostbasedauthentication certificatefile
addkeystoagent ciphers macs remoteforward localforward permitremoteopen escapechar connectionattempts
compression tcpkeepalive keepalive numberofpasswordprompts syslogfacility loglevel logverbose dynamicforward
preferredauthentications hostkeyalgorithms casignaturealgorithms clearallforwardings enablesshkeysign verifyhostkeydns
nohostauthenticationforlocalhost rekeylimit sendenv setenv controlmaster controlpersist tunnel tunneldevice
localcommand permitlocalcommand remotecommand visualhostkey kexalgorithms ipqos requesttty sessiontype stdinnull
forkafterauthentication canonicaldomains canonicalizefallbacklocal canonicalizemaxdots canonicalizepermittedcnames
streamlocalbindmask streamlocalbindunlink revokedhostkeys fingerprinthash updatehostkeys hostbasedacceptedalgorithms
hostbasedkeytypes pubkeyacceptedalgorithms pubkeyacceptedkeytypes securitykeyprovider knownhostscommand
requiredrsasize enableescapecommandline`.split(/\s+/));

/** How ssh checks the value of a keyword bootstrap ignores: yes/no, an integer, a time, or one of some words. */
type ValueCheck = 'flag' | 'int' | 'time' | readonly string[];

/**
 * Ignored keywords whose value ssh checks (even where the block does not apply), so that a typo there is refused
 * here as well. Keywords with richer values (Ciphers, forwardings, …) are not checked.
 */
const IGNORED_VALUE_CHECKS: Record<string, ValueCheck> = {
  ...Object.fromEntries(`forwardx11 forwardx11trusted exitonforwardfailure gatewayports passwordauthentication
    kbdinteractiveauthentication challengeresponseauthentication skeyauthentication tisauthentication
    hostbasedauthentication gssapiauthentication gssapidelegatecredentials tcpkeepalive keepalive
    nohostauthenticationforlocalhost clearallforwardings enablesshkeysign permitlocalcommand visualhostkey stdinnull
    forkafterauthentication canonicalizefallbacklocal streamlocalbindunlink enableescapecommandline`
    .split(/\s+/).map((k) => [k, 'flag' as const])),
  connectionattempts: 'int',
  numberofpasswordprompts: 'int',
  canonicalizemaxdots: 'int',
  requiredrsasize: 'int',
  forwardx11timeout: 'time',
  controlmaster: ['true', 'yes', 'false', 'no', 'auto', 'ask', 'autoask'],
  requesttty: ['true', 'yes', 'false', 'no', 'force', 'auto'],
  sessiontype: ['none', 'subsystem', 'default'],
  tunnel: ['ethernet', 'point-to-point', 'true', 'yes', 'false', 'no'],
  verifyhostkeydns: ['true', 'false', 'yes', 'no', 'ask'],
  updatehostkeys: ['true', 'false', 'yes', 'no', 'ask'],
  pubkeyauthentication: ['true', 'false', 'yes', 'no', 'unbound', 'host-bound'],
  dsaauthentication: ['true', 'false', 'yes', 'no', 'unbound', 'host-bound'],
  compression: ['yes', 'no'],
};

/** Refuses a value ssh would refuse for a keyword bootstrap otherwise ignores. */
function checkIgnoredValue(l: Line, check: ValueCheck): void {
  const arg = l.args[0] ?? '';
  const ok = check === 'flag' ? fromTable(arg, FLAG) !== undefined
    : check === 'int' ? toInt(arg) !== undefined
    : check === 'time' ? arg === 'none' || toSeconds(arg) !== -1
    : check.includes(arg.toLowerCase());
  if (!ok) throw new SshConfigError(`${l.where}: unsupported option "${arg}" for ${l.keyword}`);
  oneArg(l);
}

function oneArg(l: Line): string {
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

const HANDLERS: Record<string, Handler> = {
  host: (r, l) => r.hostLine(l),
  match: (r, l) => r.matchLine(l),
  include: (r, l) => r.includeLine(l),
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
  identityfile: (r, l) => r.identityFileLine(l),
  identityfile2: (r, l) => r.identityFileLine(l),
  identitiesonly: flagOption((s, v) => { s.identitiesOnly ??= v; }),
  checkhostip: flagOption((s, v) => { s.checkHostIP ??= v; }),
  hashknownhosts: flagOption((s, v) => { s.hashKnownHosts ??= v; }),
  batchmode: flagOption((s, v) => { s.batchMode ??= v; }),
  proxyusefdpass: flagOption((s, v, where) => { s.proxyUseFdpass ??= { value: v, where }; }),
  identityagent: (r, l) => r.identityAgentLine(l),
  proxycommand: (r, l) => r.proxyCommandLine(l),
  proxyjump: (r, l) => r.proxyJumpLine(l),
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

/** The tokens that describe the local side (%d %u %i %l %L), the same in every keyword that takes tokens. */
function localTokens(source: SshConfigSource): Record<string, string> {
  return {
    d: source.home,
    u: source.localUser,
    i: String(source.uid),
    l: source.localHostname,
    L: source.localHostname.split('.')[0] as string,
  };
}

/** Reads configuration files into a State for one pass. */
class Reader {
  constructor(
    readonly state: State,
    readonly query: SshQuery,
    readonly source: SshConfigSource,
    readonly pass: Pass,
  ) {}

  /** ssh's read_config_file_depth; `active` is shared with the including file (and restored by it). */
  readFile(file: string, flags: FileFlags, depth: number, active: { on: boolean }, includedAt?: string, checkOwner = includedAt !== undefined): void {
    if (depth > MAX_INCLUDE_DEPTH) throw new SshConfigError(`${includedAt ?? file}: too many recursive configuration includes`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      if (checkOwner) this.checkOwnership(file, includedAt ?? file);
    } catch (err) {
      if (err instanceof SshConfigError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // A missing file is no configuration (ssh: fopen fails with ENOENT); a directory reads as empty.
      if (code === 'ENOENT' || code === 'EISDIR') return;
      throw new SshConfigError(`${includedAt ?? file}: cannot read ${file}: ${(err as Error).message}`);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((raw, index) => this.line(raw, `${file}:${index + 1}`, flags, depth, active));
  }

  /** ssh refuses an included file another user owns or others can write. */
  private checkOwnership(file: string, where: string): void {
    const st = statSync(file);
    const uid = process.getuid?.() ?? st.uid;
    if ((st.uid !== 0 && st.uid !== uid) || (st.mode & 0o022) !== 0) {
      throw new SshConfigError(`${where}: bad owner or permissions on ${file}`);
    }
  }

  /** ssh's process_config_line_depth. */
  private line(raw: string, where: string, flags: FileFlags, depth: number, active: { on: boolean }): void {
    // ssh strips trailing whitespace (and form feeds), but never the first character.
    const text = raw.replace(/(?<=.)[ \t\r\n\f]+$/s, '');
    let first = strdelim(text);
    if (first && first.word === '' && first.rest !== undefined) first = strdelim(first.rest);
    if (!first || first.word === '' || first.word.startsWith('#') || first.word === '\n') return;
    const keyword = first.word.toLowerCase();
    const rest = first.rest === undefined ? '' : skipWhitespace(first.rest);
    if (rest === '') throw new SshConfigError(`${where}: no argument after keyword "${keyword}"`);
    const handler = HANDLERS[keyword];
    const known = handler !== undefined || IGNORED_KEYWORDS.has(keyword);
    const ignored = this.state.ignoreUnknown !== undefined && patternListResult(keyword, this.state.ignoreUnknown.split(','), true) === 1;
    if (!known && !ignored) throw new SshConfigError(`${where}: Bad configuration option: ${keyword}`);
    const args = splitArgs(rest);
    if (args === null) throw new SshConfigError(`${where}: invalid quotes`);
    const line: Line = { keyword, args, rest, where, active: active.on, ctx: { flags, depth, active } };
    const check = IGNORED_VALUE_CHECKS[keyword];
    if (check) checkIgnoredValue(line, check);
    if (!handler) return;
    handler(this, line);
  }

  /** Host: applies when a pattern matches the host and no negated one does; each word is one pattern. */
  hostLine(l: Line): void {
    const active = l.ctx.active;
    active.on = false;
    for (const arg of l.args) {
      if (arg === '') throw new SshConfigError(`${l.where}: keyword host empty argument`);
    }
    if (l.ctx.flags.neverMatch) return;
    for (const arg of l.args) {
      const negated = arg.startsWith('!');
      if (!matchPattern(this.pass.host, negated ? arg.slice(1) : arg)) continue;
      if (negated) { active.on = false; return; }
      active.on = true;
    }
  }

  /** Match: every criterion must hold (readconf.c match_cfg_line). */
  matchLine(l: Line): void {
    const result = this.evaluateMatch(l.rest, l.where);
    l.ctx.active.on = l.ctx.flags.neverMatch ? false : result;
  }

  private evaluateMatch(condition: string, where: string): boolean {
    const s = this.state;
    const port = s.port ?? DEFAULT_PORT;
    const ruser = s.user ?? this.source.localUser;
    const host = this.pass.final ? (s.hostname?.value ?? this.pass.host) : s.hostname ? expandTokens(s.hostname.value, { h: this.pass.host }, 'h', s.hostname.where) : this.pass.host;
    const words = matchWords(condition, where);
    let result = true;
    let attributes = 0;
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      const negate = word.startsWith('!');
      const attrib = (negate ? word.slice(1) : word).toLowerCase();
      if (attrib === 'all') {
        if (attributes > 1 || i + 1 < words.length) throw new SshConfigError(`${where}: '${word}' cannot be combined with other Match attributes`);
        if (result) result = !negate;
        return result;
      }
      attributes++;
      if (attrib === 'canonical' || attrib === 'final') {
        if (attrib === 'final') this.pass.wantFinal = true;
        if (this.pass.final === negate) result = false;
        continue;
      }
      const arg = words[++i];
      if (arg === undefined) throw new SshConfigError(`${where}: missing Match criteria for ${word.replace(/^!/, '')}`);
      let matched: boolean;
      switch (attrib) {
        case 'host': matched = patternListResult(host.toLowerCase(), arg.toLowerCase().split(',')) === 1; break;
        case 'originalhost': matched = patternListResult(this.query.host.toLowerCase(), arg.toLowerCase().split(',')) === 1; break;
        case 'user': matched = matchPatternList(ruser, arg.split(',')); break;
        case 'localuser': matched = matchPatternList(this.source.localUser, arg.split(',')); break;
        case 'exec': {
          const tokens = {
            ...localTokens(this.source),
            C: connectionHash(this.source.localHostname, host, String(port), ruser),
            h: host,
            k: s.hostKeyAlias ?? host,
            n: this.query.host,
            p: String(port),
            r: ruser,
          };
          const command = expandTokens(arg, tokens, MATCH_EXEC_TOKENS, where);
          // As ssh, a command is not run once an earlier criterion failed.
          if (!result) continue;
          matched = (this.source.exec ?? shellExec(this.source.env))(command);
          break;
        }
        default:
          throw new SshConfigError(`${where}: unsupported Match attribute ${word.replace(/^!/, '')}`);
      }
      if (matched === negate) result = false;
    }
    if (attributes === 0) throw new SshConfigError(`${where}: one or more attributes required for Match`);
    return result;
  }

  /** Include: globbed paths in order, read with this block's state; the block's state is restored afterwards. */
  includeLine(l: Line): void {
    const { flags, depth, active } = l.ctx;
    for (const arg of l.args) {
      if (arg === '') throw new SshConfigError(`${l.where}: keyword include empty argument`);
      if (arg.startsWith('~') && !flags.user) throw new SshConfigError(`${l.where}: bad include path ${arg}`);
      const pattern = isAbsolute(arg) || arg.startsWith('~') ? arg : `${flags.user ? '~/.ssh' : '/etc/ssh'}/${arg}`;
      // glob(3)'s GLOB_TILDE takes ~ from $HOME before the password database.
      const globHome = this.source.env.HOME ?? this.source.home;
      const wasActive = active.on;
      // A file included where the block does not apply is read (and checked) but nothing in it applies.
      const included = { user: flags.user, neverMatch: flags.neverMatch || !wasActive };
      for (const file of includeGlob(expandTilde(pattern, globHome, this.source.localUser, l.where))) {
        this.readFile(file, included, depth + 1, active, l.where);
        // Host and Match lines in the included file do not change the includer's block.
        active.on = wasActive;
      }
    }
  }

  identityFileLine(l: Line): void {
    const arg = oneArg(l);
    if (!l.active) return;
    addIdentity(this.state, { raw: arg, origin: l.ctx.flags.user ? 'user config' : 'system config', where: l.where });
  }

  identityAgentLine(l: Line): void {
    const arg = oneArg(l);
    // ssh expands ${VAR} once when reading the line (also where the block does not apply): an unset one is refused.
    expandEnv(arg, this.source.env, l.where);
    if (arg.startsWith('$') && arg[1] !== '{' && !/^[A-Za-z0-9_]+$/.test(arg.slice(1))) {
      throw new SshConfigError(`${l.where}: invalid environment name ${arg}`);
    }
    if (l.active) this.state.identityAgent ??= { value: arg, where: l.where };
  }

  /**
   * ProxyCommand: the raw rest of the line; ignored once ProxyJump (or ProxyCommand) is set, as in ssh, except
   * that the ssh 9.2 client still takes a ProxyCommand after `ProxyJump none` (observed with ssh -G).
   */
  proxyCommandLine(l: Line): void {
    const command = l.rest.replace(/^[ \t\r\n=]+/, '');
    if (l.active && this.state.proxyCommand === undefined && (this.state.jump === undefined || this.state.jump.none)) {
      this.state.proxyCommand = { value: command, where: l.where };
    }
  }

  /** ProxyJump: every hop is checked; only the first setting of ProxyJump or ProxyCommand counts. */
  proxyJumpLine(l: Line): void {
    // The Debian ssh 9.2 client reads the first word only ("a b" is a, "a, b" has an empty hop; observed with -G).
    const spec = l.args[0];
    if (!spec) throw new SshConfigError(`${l.where}: missing argument`);
    const active = l.active && this.state.proxyCommand === undefined && this.state.jump === undefined;
    setJump(this.state, spec, active, l.where);
  }

}

/** The words of a Match line as ssh reads them (strdelim), up to a word starting with #. */
function matchWords(condition: string, where: string): string[] {
  const words: string[] = [];
  let rest: string | undefined = condition;
  while (rest !== undefined && rest !== '') {
    const next = strdelim(rest);
    if (!next) throw new SshConfigError(`${where}: invalid quotes`);
    if (next.word === '' || next.word.startsWith('#')) break;
    words.push(next.word);
    rest = next.rest;
  }
  return words;
}

/** ssh's add_identity_file: a file already listed (same text, same origin) is not listed twice. */
function addIdentity(state: State, entry: IdentityEntry): void {
  if (state.identityFiles.some((e) => e.raw === entry.raw && e.origin === entry.origin)) return;
  state.identityFiles.push(entry);
}

/** Parses a ProxyJump / -J value into the state (readconf.c parse_jump). */
function setJump(state: State, spec: string, active: boolean, where: string): void {
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

/** The default `Match exec` runner: `$SHELL -c command` (else /bin/sh), output discarded, as ssh does. */
function shellExec(env: Record<string, string | undefined>): (command: string) => boolean {
  return (command) => {
    const shell = env.SHELL || '/bin/sh';
    const result = spawnSync(shell, ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'], env: env as NodeJS.ProcessEnv });
    return result.status === 0;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// glob(3) for Include
// ---------------------------------------------------------------------------------------------------------------

function hasMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

/** A glob(3) component: * ? [set] [!set]; a leading "." must be matched literally. */
function componentRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      let set = pattern.slice(i + 1, close);
      const negate = set.startsWith('!');
      if (negate) set = set.slice(1);
      re += `[${negate ? '^' : ''}${set.replace(/[\\^\]]/g, '\\$&')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Files matching a glob pattern, sorted byte-wise as glob(3) in the C locale; a literal path if it exists. */
function includeGlob(pattern: string): string[] {
  const parts = pattern.split('/');
  let paths = [parts[0] as string];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const base of paths) {
      if (part === '') { next.push(`${base}/`); continue; }
      if (!hasMagic(part)) { next.push(`${base}/${part}`); continue; }
      let names: string[];
      try {
        names = readdirSync(base === '' ? '/' : base);
      } catch {
        continue;
      }
      const re = componentRegExp(part);
      for (const name of names.sort(byteCompare)) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (re.test(name)) next.push(`${base}/${name}`);
      }
    }
    paths = next;
  }
  return paths.filter((p) => exists(p)).sort(byteCompare);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function byteCompare(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution: both passes, defaults, expansion
// ---------------------------------------------------------------------------------------------------------------

/** ssh's default identities, in its order (readconf.c fill_default_options). */
const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((f) => `~/.ssh/${f}`);

/** resolveSshOptions's answer with what ssh -G prints unexpanded, for comparing with ssh. */
export interface SshResolution {
  options: SshOptions;
  /** IdentityFile values as written (ssh -G prints these), defaults included. */
  identityFilesRaw: string[];
  /** ProxyCommand as written, undefined for none. */
  proxyCommandRaw?: string;
  /** ControlPath expanded as ssh expands it (ssh -G prints it so); undefined for none. */
  controlPath?: string;
  /** ProxyJump as ssh -G prints it ("proxyjump" line), undefined for none. */
  proxyJumpLine?: string;
}

function readAll(state: State, query: SshQuery, source: SshConfigSource, pass: Pass): void {
  const reader = new Reader(state, query, source, pass);
  // ssh checks the owner of ~/.ssh/config (not of a file given with -F) as it does of included files.
  const isDefaultUserFile = source.userFile === join(source.home, '.ssh', 'config');
  if (source.userFile !== null) reader.readFile(source.userFile, { user: true, neverMatch: false }, 0, { on: true }, undefined, isDefaultUserFile);
  if (source.systemFile !== null) reader.readFile(source.systemFile, { user: false, neverMatch: false }, 0, { on: true });
}

/** The command-line options (-l -p -i -J) are set before the files are read, so they win and Match sees them. */
function initialState(query: SshQuery, where: string): State {
  const state: State = { identityFiles: [] };
  // Debian's ssh 9.2 (the fix for CVE-2023-51385) refuses shell metacharacters in the command line's host and user.
  if (query.host.startsWith('-') || /['`"$\\;&<>|(){}\s\p{Cc}]/u.test(query.host)) throw new SshConfigError(`${where}: hostname contains invalid characters`);
  if (query.user !== undefined && (query.user.startsWith('-') || /['`";&<>|(){}]|\s-|\\$/.test(query.user))) {
    throw new SshConfigError(`${where}: remote username contains invalid characters`);
  }
  if (query.user !== undefined) state.user = query.user;
  if (query.port !== undefined) {
    if (!Number.isInteger(query.port) || query.port <= 0 || query.port > 65535) throw new SshConfigError(`${where}: bad port ${query.port}`);
    state.port = query.port;
  }
  for (const file of query.identityFiles ?? []) addIdentity(state, { raw: file, origin: 'command line', where });
  if (query.proxyJump !== undefined) {
    setJump(state, query.proxyJump, true, where);
    state.proxyCommand = { value: 'none', where };
  }
  return state;
}

/** Resolves one host's options as `ssh -G` does, with the raw values ssh -G prints. */
export function resolveSshConfig(query: SshQuery, source: SshConfigSource): SshResolution {
  const queryWhere = `ssh options for ${query.host}`;
  const state = initialState(query, queryWhere);
  const pass: Pass = { host: query.host, final: false, wantFinal: false };
  readAll(state, query, source, pass);

  let host = query.host;
  if (state.hostname) {
    host = expandTokens(state.hostname.value, { h: host }, 'h', state.hostname.where);
    state.hostname = { value: host, where: state.hostname.where };
  }
  host = normaliseHostName(host);

  const canonicalize = state.canonicalizeHostname;
  const direct = isNone(state.proxyCommand?.value) && (state.jump === undefined || state.jump.none);
  if (canonicalize && (canonicalize.value === 'always' || (canonicalize.value === 'yes' && direct))) {
    throw new SshConfigError(`${canonicalize.where}: CanonicalizeHostname ${canonicalize.value} is not supported by bootstrap (it resolves host names through DNS search domains); use HostName`);
  }
  // ssh re-reads the configuration, matching the final host name, when asked to by `Match final` or canonicalisation.
  if (pass.wantFinal || (canonicalize && canonicalize.value !== 'no')) {
    state.hostname = { value: host, where: state.hostname?.where ?? queryWhere };
    readAll(state, query, source, { host, final: true, wantFinal: false });
  }
  return finish(state, query, source, host, queryWhere);
}

function isNone(value: string | undefined): boolean {
  return value === undefined || value.toLowerCase() === 'none';
}

/** Applies ssh's defaults and expansions (ssh.c after the parse, fill_default_options). */
function finish(state: State, query: SshQuery, source: SshConfigSource, host: string, queryWhere: string): SshResolution {
  refuseUnsupported(state);
  const user = state.user ?? source.localUser;
  const port = state.port ?? DEFAULT_PORT;
  const hostKeyAlias = state.hostKeyAlias?.toLowerCase();
  const tokens: Record<string, string> = {
    ...localTokens(source),
    C: connectionHash(source.localHostname, host, String(port), user),
    k: hostKeyAlias ?? query.host,
    n: query.host,
    p: String(port),
    h: host,
    r: user,
  };
  const expandPathValue = (value: string, where: string) =>
    expandEnv(expandTokens(expandTilde(value, source.home, source.localUser, where), tokens, CLIENT_TOKENS, where), source.env, where);

  const jump = state.jump && !state.jump.none ? state.jump : undefined;
  if (jump) refuseJumpLoop(jump, host, port, user);
  const proxyCommandRaw = jump || isNone(state.proxyCommand?.value) ? undefined : state.proxyCommand?.value;
  const proxyCommand = proxyCommandRaw === undefined ? undefined
    : expandTokens(proxyCommandRaw, { h: host, k: hostKeyAlias ?? query.host, n: query.host, p: String(port), r: user }, PROXY_COMMAND_TOKENS, state.proxyCommand?.where ?? queryWhere);
  if (proxyCommand === '-') throw new SshConfigError(`${state.proxyCommand?.where}: ProxyCommand - (stdio forwarding) is not supported by bootstrap`);

  const defaultIdentities = state.identityFiles.length === 0;
  const identities = defaultIdentities ? DEFAULT_IDENTITIES.map((raw) => ({ raw, where: queryWhere })) : state.identityFiles;
  const identityFiles = identities
    .filter((e) => e.raw.toLowerCase() !== 'none')
    .map((e) => resolvePath(source.cwd ?? process.cwd(), expandPathValue(e.raw, e.where)));

  const userKnown = state.userKnownHostsFiles;
  const userKnownHostsFiles = userKnown === undefined ? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'].map((f) => expandPathValue(f, queryWhere))
    : userKnown.value[0]?.toLowerCase() === 'none' ? [] : userKnown.value.map((f) => expandPathValue(f, userKnown.where));
  const globalList = state.globalKnownHostsFiles ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
  const globalKnownHostsFiles = globalList[0]?.toLowerCase() === 'none' ? [] : globalList.map((f) => expandTilde(f, source.home, source.localUser, queryWhere));

  const agent = state.identityAgent;
  const controlPath = isNone(state.controlPath?.value) ? undefined : expandPathValue(state.controlPath?.value as string, state.controlPath?.where as string);
  const options: SshOptions = {
    host: query.host,
    hostname: host,
    user,
    port,
    identityFiles,
    defaultIdentities,
    identitiesOnly: state.identitiesOnly ?? false,
    ...(agent ? { identityAgent: agentPath(expandPathValue(agent.value, agent.where), source.env) } : {}),
    proxyJump: jump ? [...(jump.extra ? jump.extra.split(',') : []), jumpHopText(jump)] : [],
    ...(proxyCommand !== undefined ? { proxyCommand } : {}),
    ...(state.connectTimeout !== undefined ? { connectTimeoutS: state.connectTimeout } : {}),
    // Debian's ssh keeps a batch session's connection probed: ServerAliveInterval defaults to 300 with BatchMode.
    serverAliveInterval: state.serverAliveInterval ?? (state.batchMode ? 300 : 0),
    serverAliveCountMax: state.serverAliveCountMax ?? 3,
    userKnownHostsFiles,
    globalKnownHostsFiles,
    strictHostKeyChecking: state.strictHostKeyChecking ?? 'ask',
    ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}),
    checkHostIP: state.checkHostIP ?? false,
    hashKnownHosts: state.hashKnownHosts ?? false,
  };
  if (options.identityAgent === undefined) delete options.identityAgent;
  return {
    options,
    identityFilesRaw: identities.map((e) => e.raw),
    ...(proxyCommandRaw !== undefined ? { proxyCommandRaw } : {}),
    ...(controlPath !== undefined ? { controlPath } : {}),
    ...(jump ? { proxyJumpLine: options.proxyJump.join(',') } : {}),
  };
}

/** IdentityAgent after expansion: SSH_AUTH_SOCK (or $SSH_AUTH_SOCK) is ssh's default; $VAR names another variable. */
function agentPath(value: string, env: Record<string, string | undefined>): string | undefined {
  if (value === 'SSH_AUTH_SOCK' || value === '$SSH_AUTH_SOCK') return undefined;
  if (value.startsWith('$')) return env[value.slice(1)] ?? 'none';
  return value;
}

/** The last hop as ssh -G prints it: user@, the host ([…] when numeric), :port. */
function jumpHopText(jump: JumpSpec): string {
  const numeric = jump.host.includes(':') || /^[0-9.]*$/.test(jump.host);
  return `${jump.user !== undefined ? `${jump.user}@` : ''}${numeric ? `[${jump.host}]` : jump.host}${jump.port !== undefined ? `:${jump.port}` : ''}`;
}

/** ssh refuses a ProxyJump through the host itself (same name, port and user). */
function refuseJumpLoop(jump: JumpSpec & { where: string }, host: string, port: number, user: string): void {
  if (jump.host === host && (jump.port ?? DEFAULT_PORT) === port && (jump.user ?? user) === user) {
    throw new SshConfigError(`${jump.where}: jumphost loop via ${jump.host}`);
  }
}

/** Settings that change where or how ssh connects and that bootstrap does not implement, when they apply. */
function refuseUnsupported(state: State): void {
  const refuse = (where: string, what: string) => {
    throw new SshConfigError(`${where}: ${what} is not supported by bootstrap; remove it for this host or connect without it`);
  };
  if (state.proxyUseFdpass?.value) refuse(state.proxyUseFdpass.where, 'ProxyUseFdpass yes');
  if (state.bindAddress) refuse(state.bindAddress.where, 'BindAddress');
  if (state.bindInterface) refuse(state.bindInterface.where, 'BindInterface');
  if (state.addressFamily && state.addressFamily.value !== 'any') refuse(state.addressFamily.where, `AddressFamily ${state.addressFamily.value}`);
}

/** What `ssh -G [-l user] [-p port] [-i file] [-J jumps] host` answers for the keywords bootstrap uses. */
export function resolveSshOptions(query: SshQuery, source: SshConfigSource): SshOptions {
  return resolveSshConfig(query, source).options;
}

/** The files and local facts ssh itself would use: ~/.ssh/config, /etc/ssh/ssh_config, the passwd entry. */
export function defaultConfigSource(): SshConfigSource {
  const me = userInfo();
  const env = { ...process.env };
  return {
    userFile: join(me.homedir, '.ssh', 'config'),
    systemFile: '/etc/ssh/ssh_config',
    home: me.homedir,
    localUser: me.username,
    uid: me.uid,
    localHostname: osHostname(),
    env,
    exec: shellExec(env),
  };
}
