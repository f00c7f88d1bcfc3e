/**
 * Host key verification: the key a server presents is compared with the keys pinned in the inventory, else
 * with the user's known_hosts file, read the way OpenSSH reads it (plain and "[host]:port" names, comma lists
 * with patterns, hashed "|1|salt|hmac" names, @revoked lines; @cert-authority lines are ignored since host
 * certificates are not used here).
 *
 * New keys are appended in plain form ("host" or "[host]:port", then the key), which a user can read and
 * grep; pass `hashed: true` to write OpenSSH's hashed form instead (as `HashKnownHosts yes` would).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { matchPatternList } from './patterns.js';
import { HostError } from '../util/errors.js';

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

export interface KnownHostsEntry {
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written: a comma list of patterns, or one hashed name. */
  hosts: string;
  key: PublicKey;
  /** 1-based line number, for messages. */
  line: number;
}

export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostsEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    } else if (fields[0]?.startsWith('@')) {
      return; // an unknown marker: OpenSSH skips the line too
    }
    const [hosts, type, data] = fields;
    if (!hosts || !type || !data) return;
    const key = parsePublicKeyLine(`${type} ${data}`);
    if (key) entries.push({ marker, hosts, key, line: i + 1 });
  });
  return entries;
}

/** Does an entry's host field name this host token ("name" or "[name]:port")? */
export function entryMatches(hosts: string, token: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(token).digest('base64');
    return mac === hash;
  }
  return matchPatternList(token, hosts.split(','), true);
}

/** OpenSSH's hashed host name: "|1|" base64(salt) "|" base64(HMAC-SHA1(salt, token)). */
export function hashHostToken(token: string, salt = randomBytes(20)): string {
  const mac = createHmac('sha1', salt).update(token).digest('base64');
  return `|1|${salt.toString('base64')}|${mac}`;
}

export type HostKeyProblem = 'unknown' | 'changed' | 'revoked';

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

function readKnownHosts(file: string): KnownHostsEntry[] {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The keys trusted for a host: the pinned ones, else known_hosts' (revoked keys listed apart). */
export function trustedKeys(check: HostKeyCheck): { source: string; keys: PublicKey[]; revoked: PublicKey[] } {
  const token = hostToken(check.lookupName, check.port);
  const files = [...check.knownHostsFiles, ...check.globalKnownHostsFiles];
  const entries = files.flatMap((file) => readKnownHosts(file).map((e) => ({ ...e, file }))).filter((e) => e.marker !== 'cert-authority' && entryMatches(e.hosts, token));
  const revoked = entries.filter((e) => e.marker === 'revoked').map((e) => e.key);
  if (check.pinned.length) {
    const keys = check.pinned.map((line) => parsePublicKeyLine(line)).filter((k): k is PublicKey => k !== undefined);
    return { source: 'the inventory', keys, revoked };
  }
  const known = entries.filter((e) => !e.marker);
  // The files that vouch for the host, or, when none does, every file that was searched.
  const source = known.length ? [...new Set(known.map((e) => e.file))] : files;
  return { source: source.join(', '), keys: known.map((e) => e.key), revoked };
}

/**
 * Verifies a presented key blob. Returns "known" when trusted, "new" when the host has no trusted key and
 * `acceptNew` allows recording it (the caller then calls addKnownHost); throws HostKeyError otherwise.
 */
export function verifyHostKey(check: HostKeyCheck, presented: Buffer, acceptNew: boolean): 'known' | 'new' {
  const token = hostToken(check.lookupName, check.port);
  const { source, keys, revoked } = trustedKeys(check);
  const presentedFp = fingerprint(presented);
  const where = token === check.name ? check.name : `${check.name} (${token})`;
  if (revoked.some((k) => k.blob.equals(presented))) {
    throw new HostKeyError('revoked', check.name, token, presentedFp, [],
      `${where}: host key ${presentedFp} is marked @revoked in ${source}; refusing to connect`);
  }
  if (keys.some((k) => k.blob.equals(presented))) return 'known';
  if (!keys.length) {
    if (acceptNew) return 'new';
    throw new HostKeyError('unknown', check.name, token, presentedFp, [],
      `${where}: unknown host key ${blobType(presented)} ${presentedFp} (not in ${source} nor pinned in the inventory). ` +
      `Check it out of band, then pin it with \`bootstrap hosts trust ${check.repin} ${check.name}\`, or run with --accept-new-host-keys`);
  }
  const expected = keys.map((k) => fingerprint(k.blob));
  throw new HostKeyError('changed', check.name, token, presentedFp, expected,
    `${where}: HOST KEY CHANGED. Expected ${expected.join(' or ')} (from ${source}), the host presented ${blobType(presented)} ${presentedFp}. ` +
    `Someone may be intercepting the connection, or the machine was reprovisioned. If you know it was, re-pin its key with ` +
    `\`bootstrap hosts trust ${check.repin} ${check.name}\``);
}

/** Appends a host's key to known_hosts, creating the file (0600) and its folder (0700) when missing. */
export function addKnownHost(file: string, address: string, port: number, blob: Buffer, options: { hashed?: boolean } = {}): void {
  const token = hostToken(address, port);
  const name = options.hashed ? hashHostToken(token) : token;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const text = readFileSync(file, 'utf8');
    if (text && !text.endsWith('\n')) prefix = '\n';
  } catch {
    /* a new file */
  }
  appendFileSync(file, `${prefix}${name} ${publicKeyLine(blob)}\n`, { mode: 0o600 });
}

/**
 * Removes every known_hosts line naming exactly this host (plain, in a comma list, or hashed), as
 * `ssh-keygen -R` does; used when re-pinning a reprovisioned host. Returns how many lines went.
 */
export function removeKnownHost(file: string, address: string, port: number): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const token = hostToken(address, port);
  let removed = 0;
  const kept = text.split('\n').filter((raw) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority' || raw.trim().startsWith('#')) return true;
    const hosts = fields[0] ?? '';
    const named = hosts.startsWith('|1|') ? entryMatches(hosts, token) : hosts.split(',').some((h) => h.toLowerCase() === token.toLowerCase());
    if (named) removed++;
    return !named;
  });
  if (removed) writeFileSync(file, kept.join('\n'));
  return removed;
}
