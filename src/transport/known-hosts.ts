/**
 * Host key verification: the key a server presents is compared with the keys pinned in the inventory, else
 * with known_hosts files read exactly as OpenSSH 9.2 reads them (hostfile.c, sshconnect.c), so that a file
 * shared with ssh gives the same answer here:
 *
 * - the name looked up is lower-cased first ("[name]:port" off port 22; HostKeyAlias as written, no port);
 * - a host field is a comma list of patterns (`*`, `?`, `!` vetoes the line), or one hashed "|1|salt|hmac";
 * - @revoked and @cert-authority markers; blank lines, comments and malformed lines are skipped as ssh does;
 * - user files are read before global ones; only lines whose key can be read take part in the decision.
 *
 * Host certificates cannot be negotiated by ssh2 (it offers no *-cert-v01@openssh.com host key algorithm),
 * so a host that only a @cert-authority line vouches for is refused with a message saying so.
 *
 * New keys are appended in plain form ("host" or "[host]:port", then the key), which a user can read and
 * grep; pass `hashed: true` to write OpenSSH's hashed form instead (as `HashKnownHosts yes` would).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { matchPattern } from './patterns.js';
import { HostError } from '../util/errors.js';
import type { StrictHostKeyChecking } from './ssh-options.js';

/** A public key as it travels in SSH: the algorithm name and the wire-format blob. */
export interface PublicKey {
  type: string;
  blob: Buffer;
}

/** OpenSSH's fingerprint format: "SHA256:" and the unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside the blob (its first SSH string). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** "ssh-ed25519 AAAA… [comment]" → the key; undefined when the line is not a public key. */
export function parsePublicKeyLine(line: string): PublicKey | undefined {
  const [type, data] = line.trim().split(/\s+/);
  if (!type || !data || !/^[A-Za-z0-9+/]+={0,3}$/.test(data)) return undefined;
  const blob = Buffer.from(data, 'base64');
  return blobType(blob) === type ? { type, blob } : undefined;
}

/** The OpenSSH line for a key: "ssh-ed25519 AAAA…". */
export function publicKeyLine(blob: Buffer): string {
  return `${blobType(blob)} ${blob.toString('base64')}`;
}

/** How known_hosts names a host: the bare name on port 22, "[name]:port" otherwise. */
export function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** ssh lower-cases names with the C library's tolower, which only knows ASCII letters. */
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------------
// Reading a file line by line, as hostkeys_foreach_file() does.

export interface KnownHostsEntry {
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written: a comma list of patterns, or one hashed name. */
  hosts: string;
  key: PublicKey;
  /** 1-based line number, for messages. */
  line: number;
}

/** One line of a known_hosts file as ssh sees it before any host is matched. */
type ScannedLine =
  /** Blank or a comment: ignored, and kept as is by ssh-keygen -R. */
  | { kind: 'skip' }
  /** ssh cannot read it at all (an unknown or doubled marker): skipped by lookups, "invalid" for -R. */
  | { kind: 'invalid' }
  | {
    kind: 'entry';
    marker?: KnownHostsEntry['marker'];
    hosts: string;
    /** From the key type on, e.g. "ssh-ed25519 AAAA… comment". */
    keyText: string;
    /** False when the line stops before or right after the key type, or the type is unknown to ssh. */
    complete: boolean;
  };

const isBlank = (c: string | undefined) => c === ' ' || c === '\t';
const skipBlanks = (s: string) => s.replace(/^[ \t]+/, '');

/**
 * The marker, if any, and the rest of the line. ssh ends a marker at the line's first space (a tab only when
 * the line has no space), so "@revoked<TAB>host key" is an unknown marker to it, and so it is here.
 */
function readMarker(text: string): { marker?: KnownHostsEntry['marker']; rest: string } | undefined {
  let marker: KnownHostsEntry['marker'];
  let rest = text;
  while (rest.startsWith('@')) {
    if (marker) return undefined; // one marker per line
    let end = rest.indexOf(' ');
    if (end < 0) end = rest.indexOf('\t');
    if (end <= 1 || end >= 32) return undefined;
    const word = rest.slice(0, end);
    if (word === '@cert-authority') marker = 'cert-authority';
    else if (word === '@revoked') marker = 'revoked';
    else return undefined;
    rest = skipBlanks(rest.slice(end));
  }
  return { marker, rest };
}

/**
 * The key type names OpenSSH 9.2 knows (sshkey.c's table, as Debian builds it: no XMSS), certificates and
 * signature-only names included. A line with any other type is invalid to ssh, even to ssh-keygen -F.
 */
const KNOWN_KEY_TYPES = new Set([
  'ssh-ed25519', 'sk-ssh-ed25519@openssh.com', 'ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512', 'ssh-dss',
  'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-ed25519-cert-v01@openssh.com', 'sk-ssh-ed25519-cert-v01@openssh.com', 'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com', 'rsa-sha2-512-cert-v01@openssh.com', 'ssh-dss-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com', 'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com', 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com', 'null',
]);

/**
 * Whether the key part looks like a key to ssh-keygen -F and -R, which check only its shape, not the key
 * itself: a key type ssh knows, followed by something that is not a comment.
 */
function keyTextComplete(keyText: string): boolean {
  if (!keyText || keyText.startsWith('#')) return false;
  const typeEnd = keyText.search(/[ \t]/);
  if (typeEnd < 0 || !KNOWN_KEY_TYPES.has(keyText.slice(0, typeEnd))) return false;
  const after = skipBlanks(keyText.slice(typeEnd));
  return after !== '' && !after.startsWith('#');
}

function scanLine(raw: string): ScannedLine {
  const text = skipBlanks(raw);
  if (text === '' || text.startsWith('#')) return { kind: 'skip' };
  const marked = readMarker(text);
  if (!marked) return { kind: 'invalid' };
  const hostsEnd = marked.rest.search(/[ \t]|$/);
  const hosts = marked.rest.slice(0, hostsEnd);
  const keyText = skipBlanks(marked.rest.slice(hostsEnd));
  return { kind: 'entry', marker: marked.marker, hosts, keyText, complete: keyTextComplete(keyText) };
}

/** The file's lines as ssh reads them (split at "\n" only: a "\r" stays part of the line, as in ssh). */
function fileLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Every entry ssh would load from a file, whatever its host: complete lines whose key can be read. */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  fileLines(text).forEach((raw, i) => {
    const scanned = scanLine(raw);
    if (scanned.kind !== 'entry' || !scanned.complete) return;
    const key = parsePublicKeyLine(scanned.keyText);
    if (key) entries.push({ marker: scanned.marker, hosts: scanned.hosts, key, line: i + 1 });
  });
  return entries;
}

// ---------------------------------------------------------------------------------------------------------
// Matching a host field.

/** ssh gives up on a list (no match) when one of its patterns is this long. */
const MAX_PATTERN = 1023;

/**
 * A comma list of patterns against a host name, as ssh's match_hostname(): both sides lower-cased, 1 on a
 * positive match, -1 as soon as a negated pattern matches (the line is vetoed), else 0.
 */
function matchHostPatterns(host: string, list: string): 1 | 0 | -1 {
  const value = asciiLower(host);
  let positive = false;
  for (const item of list.split(',')) {
    const negated = item.startsWith('!');
    const pattern = asciiLower(negated ? item.slice(1) : item);
    if (pattern.length >= MAX_PATTERN) return 0;
    if (!matchPattern(value, pattern)) continue;
    if (negated) return -1;
    positive = true;
  }
  return positive ? 1 : 0;
}

/** OpenSSH's hashed host name: "|1|" base64(salt) "|" base64(HMAC-SHA1(salt, token)). */
export function hashHostToken(token: string, salt: Buffer = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(token).digest('base64');
  return `|1|${salt.toString('base64')}|${mac}`;
}

/** The 20-byte salt of a "|1|salt|hmac" field; undefined when ssh could not read it. */
function hashedSalt(field: string): Buffer | undefined {
  const salt64 = /^\|1\|([^|]*)\|/.exec(field)?.[1];
  if (!salt64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(salt64)) return undefined;
  const salt = Buffer.from(salt64, 'base64');
  return salt.length === 20 ? salt : undefined;
}

/**
 * Does a host field name this token? 1 yes, 0 no, -1 when the field is a hashed name ssh cannot read (ssh
 * skips such a line in lookups and calls it invalid in ssh-keygen -R). The token is compared as given: a
 * hashed name only matches the exact bytes it was made from, which is why callers lower-case first.
 */
function matchHostField(hosts: string, token: string): 1 | 0 | -1 {
  if (!hosts.startsWith('|')) return matchHostPatterns(token, hosts) === 1 ? 1 : 0;
  const salt = hashedSalt(hosts);
  if (!salt) return -1;
  return hashHostToken(token, salt) === hosts ? 1 : 0;
}

/** Does an entry's host field name this host token ("name" or "[name]:port"), as ssh looks it up? */
export function entryMatches(hosts: string, token: string): boolean {
  return matchHostField(hosts, asciiLower(token)) === 1;
}

/** A line that names the host looked up: what `ssh-keygen -F` prints. */
export interface KnownHostsMatch {
  file: string;
  /** 1-based. */
  line: number;
  /** The line as written (without its "\n"). */
  text: string;
  marker?: KnownHostsEntry['marker'];
  hosts: string;
  /** Undefined when the key cannot be read: ssh-keygen -F still prints the line, ssh ignores it. */
  key?: PublicKey;
}

/**
 * The lines of a known_hosts text naming a token, exactly those `ssh-keygen -F <token>` prints. The token is
 * lower-cased first, as ssh does with the host name and HostKeyAlias before it looks them up.
 */
export function findInKnownHosts(text: string, token: string, file = ''): KnownHostsMatch[] {
  const wanted = asciiLower(token);
  const found: KnownHostsMatch[] = [];
  fileLines(text).forEach((raw, i) => {
    const scanned = scanLine(raw);
    if (scanned.kind !== 'entry' || !scanned.complete || matchHostField(scanned.hosts, wanted) !== 1) return;
    const key = parsePublicKeyLine(scanned.keyText);
    found.push({ file, line: i + 1, text: raw, marker: scanned.marker, hosts: scanned.hosts, ...(key ? { key } : {}) });
  });
  return found;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The lines naming a token in several files, in the order given; missing files are empty. */
export function findKnownHosts(files: readonly string[], token: string): KnownHostsMatch[] {
  return files.flatMap((file) => findInKnownHosts(readText(file) ?? '', token, file));
}

// ---------------------------------------------------------------------------------------------------------
// Deciding, as sshconnect.c's check_host_key() does.

export type HostKeyProblem = 'unknown' | 'changed' | 'revoked' | 'certificate';

/** A server key that does not match what is trusted: never retried, the user must decide. */
export class HostKeyError extends HostError {
  override name = 'HostKeyError';
  constructor(
    readonly kind: HostKeyProblem,
    /** The inventory's host name. */
    readonly host: string,
    /** Where it was reached, e.g. "10.0.0.5" or "[10.0.0.5]:2222". */
    readonly token: string,
    readonly presented: string,
    readonly expected: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

export interface HostKeyCheck {
  /** The inventory's host name, for messages. */
  name: string;
  /** Where the host is reached (the resolved HostName), for messages. */
  address: string;
  port: number;
  /** The name known_hosts is searched under: HostKeyAlias when set, else the address. */
  lookupName: string;
  /**
   * Whether lookupName is a HostKeyAlias: ssh then looks it up as written, never as "[alias]:port".
   * Default: when lookupName differs from address.
   */
  aliased?: boolean;
  /** Keys pinned in the inventory ("ssh-ed25519 AAAA…"); when present, known_hosts is not consulted. */
  pinned: readonly string[];
  /** UserKnownHostsFile, in order: searched, and a new key is added to the first. */
  knownHostsFiles: readonly string[];
  /** GlobalKnownHostsFile: searched, never written. */
  globalKnownHostsFiles: readonly string[];
  /** CheckHostIP: the address connected to is looked up too. */
  checkHostIP: boolean;
  /** The host's keys are listed in the inventory under this path, for the re-pin hint. */
  repin: string;
}

/** The token ssh looks the host up under: HostKeyAlias as is, else "name" / "[name]:port"; lower-cased. */
export function lookupToken(check: HostKeyCheck): string {
  const aliased = check.aliased ?? check.lookupName !== check.address;
  return asciiLower(aliased ? check.lookupName : hostToken(check.lookupName, check.port));
}

/** The files ssh reads, in its order: the user's, then the global ones. */
function searchedFiles(check: HostKeyCheck): string[] {
  return [...check.knownHostsFiles, ...check.globalKnownHostsFiles];
}

/** The lines ssh loads for a token: those naming it whose key can be read. */
function loadHostKeys(check: HostKeyCheck, token: string): (KnownHostsMatch & { key: PublicKey })[] {
  return findKnownHosts(searchedFiles(check), token).filter((m): m is KnownHostsMatch & { key: PublicKey } => m.key !== undefined);
}

/** The keys trusted for a host: the pinned ones, else known_hosts' (revoked keys listed apart). */
export function trustedKeys(check: HostKeyCheck): { source: string; keys: PublicKey[]; revoked: PublicKey[] } {
  const entries = loadHostKeys(check, lookupToken(check));
  const revoked = entries.filter((e) => e.marker === 'revoked').map((e) => e.key);
  if (check.pinned.length) {
    const keys = check.pinned.map((line) => parsePublicKeyLine(line)).filter((k): k is PublicKey => k !== undefined);
    return { source: 'the inventory', keys, revoked };
  }
  const known = entries.filter((e) => !e.marker);
  // The files that vouch for the host, or, when none does, every file that was searched.
  const source = known.length ? [...new Set(known.map((e) => e.file))] : searchedFiles(check);
  return { source: source.join(', '), keys: known.map((e) => e.key), revoked };
}

type Status = 'ok' | 'new' | 'changed' | 'revoked';

/**
 * A presented key against the lines loaded for one token, as ssh's check_key_in_hostkeys(): any plain line
 * with another key makes it "changed", whatever that key's type (ssh 9.2 says HOST IDENTIFICATION HAS
 * CHANGED for an ed25519 key when only an RSA one is known); a matching @revoked line overrides everything.
 * `found` is the matching line, else the last differing one.
 */
function keyStatus(entries: readonly (KnownHostsMatch & { key: PublicKey })[], presented: Buffer): { status: Status; found?: KnownHostsMatch & { key: PublicKey } } {
  if (entries.some((e) => e.marker === 'revoked' && e.key.blob.equals(presented))) return { status: 'revoked' };
  let result: ReturnType<typeof keyStatus> = { status: 'new' };
  for (const e of entries) {
    if (e.marker) continue;
    if (e.key.blob.equals(presented)) return { status: 'ok', found: e };
    result = { status: 'changed', found: e };
  }
  return result;
}

const at = (m: { file: string; line: number }) => `${m.file}:${m.line}`;

/** ssh skips the IP check for loopback addresses and when the host was named by its address already. */
function ipToCheck(check: HostKeyCheck, connectedIp: string | undefined): string | undefined {
  if (!check.checkHostIP || !connectedIp || check.pinned.length) return undefined;
  if (/^127\./.test(connectedIp) || connectedIp === '::1' || connectedIp === check.address) return undefined;
  return asciiLower(connectedIp);
}

export interface HostKeyDecision {
  /** known: trusted; new: no key known and acceptNew allows recording it (see recordHostKey). */
  verdict: 'known' | 'new';
  /**
   * CheckHostIP: the connected IP has no key recorded, and ssh would record it (with the host on a new key,
   * alone on a known one) in the first user known_hosts file.
   */
  addIp?: true;
  /** The IP token looked up, e.g. "10.0.0.5" or "[10.0.0.5]:2222", when CheckHostIP applied. */
  ip?: string;
  /** What ssh would log and go on (StrictHostKeyChecking no): the IP's recorded key differs from the host's. */
  warnings: string[];
}

/**
 * Verifies a presented key blob as ssh does. `connectedIp` is the address actually connected to, for
 * CheckHostIP; leave it out for connections through a jump host or proxy (ssh does not check it then).
 * Throws HostKeyError when the key is revoked, differs from a known one, is unknown (and acceptNew is
 * false), or when only a @cert-authority line vouches for the host (bootstrap cannot check certificates).
 * When the IP's recorded key differs from the presented one, ssh refuses under StrictHostKeyChecking yes and
 * accept-new, and only warns under "no": `strict` says which (default: accept-new or yes, from acceptNew).
 */
export function verifyHostKeyDetailed(check: HostKeyCheck, presented: Buffer, acceptNew: boolean, connectedIp?: string,
  strict: StrictHostKeyChecking = acceptNew ? 'accept-new' : 'yes'): HostKeyDecision {
  const token = lookupToken(check);
  const where = token === check.name ? check.name : `${check.name} (${token})`;
  const presentedFp = fingerprint(presented);
  const entries = loadHostKeys(check, token);
  const host = keyStatus(entries, presented);
  if (host.status === 'revoked') {
    const line = entries.find((e) => e.marker === 'revoked' && e.key.blob.equals(presented))!;
    throw new HostKeyError('revoked', check.name, token, presentedFp, [],
      `${where}: host key ${presentedFp} is marked @revoked in ${at(line)}; refusing to connect`);
  }
  if (check.pinned.length) return { verdict: verifyPinned(check, token, where, presented), warnings: [] };

  const ipToken = ipToCheck(check, connectedIp);
  const ip = ipToken === undefined ? undefined : keyStatus(loadHostKeys(check, hostToken(ipToken, check.port)), presented);
  const ipName = ipToken === undefined ? undefined : hostToken(ipToken, check.port);
  if (host.status === 'changed') throw changedError(check, token, where, presented, host.found!, ip, ipName);
  if (host.status === 'new') {
    // ssh fails an unknown host before it looks at what the IP's record says.
    const authority = entries.find((e) => e.marker === 'cert-authority');
    if (authority) throw certificateError(check, token, where, presented, authority);
    if (!acceptNew) throw unknownError(check, token, where, presented);
  }
  const warnings = ip?.status === 'changed' ? [ipDiffersWarning(token, ipName!, presented, ip.found!, host.status === 'ok' ? host.found : undefined)] : [];
  if (warnings.length && strict !== 'no') {
    throw new HostKeyError('changed', check.name, token, presentedFp, [fingerprint(ip!.found!.key.blob)],
      `${where}: ${warnings[0]}. Refusing to connect, as ssh does with StrictHostKeyChecking ${strict}: the address may be spoofed, ` +
      `or it now belongs to another machine; remove the stale line for ${ipName} if you know it does`);
  }
  return {
    verdict: host.status === 'ok' ? 'known' : 'new',
    ...(ip?.status === 'new' ? { addIp: true as const } : {}),
    ...(ipName === undefined ? {} : { ip: ipName }),
    warnings,
  };
}

/**
 * Verifies a presented key blob. Returns "known" when trusted, "new" when the host has no trusted key and
 * `acceptNew` allows recording it (the caller then calls addKnownHost); throws HostKeyError otherwise.
 */
export function verifyHostKey(check: HostKeyCheck, presented: Buffer, acceptNew: boolean): 'known' | 'new' {
  return verifyHostKeyDetailed(check, presented, acceptNew).verdict;
}

/** Inventory pins decide alone: any pinned key matches, or the key changed. */
function verifyPinned(check: HostKeyCheck, token: string, where: string, presented: Buffer): 'known' {
  const keys = check.pinned.map((line) => parsePublicKeyLine(line)).filter((k): k is PublicKey => k !== undefined);
  if (keys.some((k) => k.blob.equals(presented))) return 'known';
  throw changedMessage(check, token, where, presented, keys.map((k) => fingerprint(k.blob)), 'the inventory', '');
}

function changedError(check: HostKeyCheck, token: string, where: string, presented: Buffer, found: KnownHostsMatch & { key: PublicKey },
  ip: { status: Status; found?: KnownHostsMatch & { key: PublicKey } } | undefined, ipName: string | undefined): HostKeyError {
  const known = loadHostKeys(check, token).filter((e) => !e.marker);
  const expected = known.map((e) => fingerprint(e.key.blob));
  // ssh's "POSSIBLE DNS SPOOFING" note: the IP's record does not tell the same story as the name's.
  const ipDiffers = ip && (ip.status !== 'changed' || (ip.found && !ip.found.key.blob.equals(found.key.blob)));
  const spoofing = ipDiffers
    ? ` The key recorded for its IP address ${ipName} ${ip.status === 'new' ? 'is unknown' : ip.status === 'ok' ? 'is unchanged' : `has a different value (${at(ip.found!)})`}: ` +
      'DNS spoofing, or the address and the host key changed at the same time.'
    : '';
  // The files that vouched for the old key, not every file searched.
  return changedMessage(check, token, where, presented, [...new Set(expected)], [...new Set(known.map((e) => e.file))].join(', '), spoofing);
}

function changedMessage(check: HostKeyCheck, token: string, where: string, presented: Buffer, expected: string[], source: string, extra: string): HostKeyError {
  const presentedFp = fingerprint(presented);
  return new HostKeyError('changed', check.name, token, presentedFp, expected,
    `${where}: HOST KEY CHANGED. Expected ${expected.join(' or ')} (from ${source}), the host presented ${blobType(presented)} ${presentedFp}.${extra} ` +
    `Someone may be intercepting the connection, or the machine was reprovisioned. If you know it was, re-pin its key with ` +
    `\`bootstrap hosts trust ${check.repin} ${check.name}\``);
}

function ipDiffersWarning(token: string, ipName: string, presented: Buffer, ipFound: KnownHostsMatch, hostFound: KnownHostsMatch | undefined): string {
  return `Warning: the ${blobType(presented)} host key for '${token}' differs from the key for the IP address '${ipName}'. ` +
    `Offending key for IP in ${at(ipFound)}${hostFound ? `; matching host key in ${at(hostFound)}` : ''}`;
}

function certificateError(check: HostKeyCheck, token: string, where: string, presented: Buffer, authority: KnownHostsMatch): HostKeyError {
  const presentedFp = fingerprint(presented);
  return new HostKeyError('certificate', check.name, token, presentedFp, [],
    `${where}: no host key is trusted for it, but ${at(authority)} trusts a certificate authority (@cert-authority) for it; ` +
    `bootstrap cannot verify host certificates, so the plain key the host presented (${blobType(presented)} ${presentedFp}) is not accepted. ` +
    `Check that key out of band, then pin it with \`bootstrap hosts trust ${check.repin} ${check.name}\``);
}

function unknownError(check: HostKeyCheck, token: string, where: string, presented: Buffer): HostKeyError {
  const presentedFp = fingerprint(presented);
  return new HostKeyError('unknown', check.name, token, presentedFp, [],
    `${where}: unknown host key ${blobType(presented)} ${presentedFp} (not in ${searchedFiles(check).join(', ')} nor pinned in the inventory). ` +
    `Check it out of band, then pin it with \`bootstrap hosts trust ${check.repin} ${check.name}\`, or run with --accept-new-host-keys`);
}

// ---------------------------------------------------------------------------------------------------------
// Writing.

/**
 * Appends one key under several names to known_hosts, creating the file (0600) and its folder (0700) when
 * missing. Names are lower-cased, as ssh writes them; plain names share one line ("host,ip"), hashed names
 * get one line each (a hashed field holds a single name).
 */
export function appendKnownHost(file: string, names: readonly string[], blob: Buffer, options: { hashed?: boolean } = {}): void {
  const lowered = names.map(asciiLower);
  const fields = options.hashed ? lowered.map((n) => hashHostToken(n)) : [lowered.join(',')];
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existing = readText(file);
  const prefix = existing && !existing.endsWith('\n') ? '\n' : '';
  appendFileSync(file, prefix + fields.map((f) => `${f} ${publicKeyLine(blob)}\n`).join(''), { mode: 0o600 });
}

/** Appends a host's key to known_hosts under "address" or "[address]:port" (lower-cased, as ssh writes it). */
export function addKnownHost(file: string, address: string, port: number, blob: Buffer, options: { hashed?: boolean } = {}): void {
  appendKnownHost(file, [hostToken(address, port)], blob, options);
}

/**
 * Records a key as ssh does after a decision: a new host under its lookup token (and the IP, when the
 * decision says addIp), or only the IP for a known host; always in the first user known_hosts file.
 */
export function recordHostKey(check: HostKeyCheck, decision: HostKeyDecision, blob: Buffer, options: { hashed?: boolean } = {}): string[] {
  const names = decision.verdict === 'new' ? [lookupToken(check)] : [];
  if (decision.addIp && decision.ip) names.push(decision.ip);
  const file = check.knownHostsFiles[0];
  if (names.length && file) appendKnownHost(file, names, blob, options);
  return names;
}

/** ssh-keygen -R refused to rewrite a known_hosts file that has lines ssh cannot read. */
export class KnownHostsFileError extends HostError {
  override name = 'KnownHostsFileError';
  override readonly category = 'input' as const;
}

/**
 * Removes the lines naming a host, as `ssh-keygen -R` does: every unmarked line whose host field matches the
 * lower-cased "address" / "[address]:port" (a pattern, a name in a comma list, or a hashed name) goes as a
 * whole; @revoked and @cert-authority lines stay. Like ssh-keygen, refuses (throws) when the file has lines
 * ssh cannot read, rather than rewrite it. Returns how many lines went; the file is untouched when none.
 */
export function removeKnownHost(file: string, address: string, port: number): number {
  const text = readText(file);
  if (text === undefined) return 0;
  const token = asciiLower(hostToken(address, port));
  const kept: string[] = [];
  const invalid: number[] = [];
  let removed = 0;
  fileLines(text).forEach((raw, i) => {
    const scanned = scanLine(raw);
    const match = scanned.kind === 'entry' ? matchHostField(scanned.hosts, token) : 0;
    if (scanned.kind === 'invalid' || match === -1 || (scanned.kind === 'entry' && !scanned.complete)) invalid.push(i + 1);
    else if (scanned.kind === 'entry' && match === 1 && !scanned.marker) {
      removed++;
      return;
    }
    kept.push(raw);
  });
  if (invalid.length) {
    throw new KnownHostsFileError(`${file}: not removing ${token}: lines ${invalid.join(', ')} are not valid known_hosts lines ` +
      '(ssh-keygen -R refuses such a file too); fix or delete them first');
  }
  if (removed) writeFileSync(file, kept.map((line) => `${line}\n`).join(''));
  return removed;
}
