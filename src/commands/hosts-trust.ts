/**
 * `bootstrap hosts trust`: re-pin a reprovisioned host's SSH key in the inventory (or known_hosts).
 */
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, type Scalar } from 'yaml';
import { parseInventory } from '../inventory/load.js';
import type { HostSpec, Inventory } from '../inventory/types.js';
import { addKnownHost, entryMatches, fingerprint, hostToken, parseKnownHosts, parsePublicKeyLine, removeKnownHost, trustedKeys } from '../transport/known-hosts.js';
import type { HostKeyCheck } from '../transport/known-hosts.js';
import type { SshConnectOptions } from '../transport/ssh.js';
import { HostError, UsageError } from '../util/errors.js';


/** Re-pinning failed: the host's key cannot be read (host), or the inventory cannot be edited as asked (input). */
export class HostsTrustError extends HostError {
  override name = 'HostsTrustError';
  constructor(message: string, override readonly category: 'input' | 'host' = 'host') {
    super(message);
  }
}

export interface TrustHostOptions {
  /** Pin without asking (the fingerprints are still printed). */
  yes?: boolean;
  prompt?: (question: string, secret: boolean) => Promise<string>;
  /** Where the old and new fingerprints are shown. */
  log?: (line: string) => void;
  /** How the host is reached (ssh config file, home folder…), as for connecting. */
  ssh?: SshConnectOptions;
  /** Fetches the key the host presents now; by default over SSH (trustHostKey), sending no credential to it. */
  fetchKey?: (host: HostSpec, options: SshConnectOptions) => Promise<{ fingerprint: string; key: string }>;
}

export interface TrustResult {
  host: string;
  /** Where the key is pinned: the inventory file, or the known_hosts file when the inventory pins none. */
  file: string;
  pinnedIn: 'inventory' | 'known_hosts';
  /** Fingerprints trusted before. */
  previous: string[];
  presented: { fingerprint: string; key: string };
  /** pinned: the file was rewritten; unchanged: the key was already trusted; declined: the user said no. */
  outcome: 'pinned' | 'unchanged' | 'declined';
}

/** A key line written in the quoting the old one used (block scalars become plain: a key line needs none). */
function quoteLike(type: Scalar['type'], value: string): string {
  if (type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  return value;
}

/**
 * The inventory text with one host's hostKeys replaced by a single key, edited in place: only the old key
 * lines change, so comments, quoting, order and blank lines stay as the user wrote them. Throws when the
 * host or its pinned keys are not found, or when the result would not load.
 */
export function repinHostKeysInText(file: string, text: string, hostName: string, keyLine: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new HostsTrustError(`${file}: ${doc.errors[0]?.message.split('\n')[0]}`, 'input');
  const hosts = doc.get('hosts', true);
  const host = isSeq(hosts) ? hosts.items.find((item) => isMap(item) && item.get('name') === hostName) : undefined;
  if (!isMap(host)) throw new HostsTrustError(`${file}: no host named "${hostName}"`, 'input');
  const keys = host.get('hostKeys', true);
  if (!isSeq(keys) || keys.items.length === 0) throw new HostsTrustError(`${file}: host "${hostName}" pins no hostKeys`, 'input');
  const items = keys.items.map((item) => {
    if (!isScalar(item) || !item.range) throw new HostsTrustError(`${file}: a hostKeys entry of "${hostName}" is not a plain string`, 'input');
    return item as Scalar & { range: [number, number, number] };
  });
  const splices: { start: number; end: number; text: string }[] = [];
  const first = items[0]!;
  splices.push({ start: first.range[0], end: first.range[1], text: quoteLike(first.type, keyLine) });
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!;
    if (keys.flow) {
      splices.push({ start: items[i - 1]!.range[1], end: item.range[1], text: '' });
    } else {
      const lineStart = text.lastIndexOf('\n', item.range[0] - 1) + 1;
      const newline = text.indexOf('\n', item.range[1]);
      splices.push({ start: lineStart, end: newline < 0 ? text.length : newline + 1, text: '' });
    }
  }
  let out = text;
  for (const s of splices.sort((a, b) => b.start - a.start)) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  // The edited file must load, with exactly the new key for that host.
  const check = parseInventory(file, out).hosts.find((h) => h.name === hostName);
  if (!check || check.hostKeys.length !== 1 || check.hostKeys[0] !== keyLine) {
    throw new HostsTrustError(`${file}: could not re-pin the key of "${hostName}" in place; edit its hostKeys by hand to: ${keyLine}`, 'input');
  }
  return out;
}

/** Replaces a file's content atomically, keeping its mode. */
function replaceFile(file: string, content: string): void {
  const mode = statSync(file).mode & 0o7777;
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, file);
}

async function defaultFetchKey(host: HostSpec, options: SshConnectOptions): Promise<{ fingerprint: string; key: string }> {
  const { trustHostKey } = await import('../transport/ssh.js');
  return trustHostKey(host, options);
}

/**
 * `bootstrap hosts trust <inventory> <host>`: fetches the key the host presents now and, after showing the
 * old and new fingerprints (and asking, unless --yes), pins it: in the inventory when it pins keys for the
 * host, else in known_hosts (the host's old lines replaced). Meant for a machine known to be reprovisioned;
 * the fingerprint should be checked out of band.
 */
export async function trustHost(inv: Inventory, hostName: string, options: TrustHostOptions = {}): Promise<TrustResult> {
  const spec = inv.hosts.find((h) => h.name === hostName);
  if (!spec) throw new UsageError(`${inv.file}: no host named "${hostName}" (hosts: ${inv.hosts.map((h) => h.name).join(', ')})`);
  const sshOptions: SshConnectOptions = { ...options.ssh, inventoryFile: inv.file, prompt: options.ssh?.prompt ?? options.prompt };
  const presented = await (options.fetchKey ?? defaultFetchKey)(spec, sshOptions);
  const blob = parsePublicKeyLine(presented.key)?.blob;
  if (!blob) throw new HostsTrustError(`${hostName}: the host presented a key that cannot be read: ${presented.key}`);
  const log = options.log ?? (() => undefined);

  const pinned = spec.hostKeys.length > 0;
  let previous: string[];
  let file: string;
  let check: HostKeyCheck | undefined;
  if (pinned) {
    file = inv.file;
    previous = spec.hostKeys.map((line) => parsePublicKeyLine(line)).filter((k) => k !== undefined).map((k) => fingerprint(k.blob));
  } else {
    const { resolveRoute } = await import('../transport/ssh.js');
    check = resolveRoute(spec, sshOptions).target.hostKeyCheck;
    file = check.knownHostsFiles[0]!;
    previous = trustedKeys(check).keys.map((k) => fingerprint(k.blob));
  }
  const result: TrustResult = { host: hostName, file, pinnedIn: pinned ? 'inventory' : 'known_hosts', previous, presented, outcome: 'unchanged' };
  log(`${hostName}: trusted in ${file}: ${previous.length ? previous.join(', ') : '(no key)'}`);
  log(`${hostName}: presents now: ${blobTypeOf(presented.key)} ${presented.fingerprint}`);
  if (previous.includes(presented.fingerprint)) {
    log(`${hostName}: that key is already trusted; nothing changed`);
    return result;
  }
  if (!options.yes) {
    if (!options.prompt) {
      throw new UsageError(`not pinning ${hostName}'s key ${presented.fingerprint} without confirmation: ` +
        'check the fingerprint out of band, then run on a terminal to be asked, or pass --yes');
    }
    const answer = (await options.prompt(`Pin ${presented.fingerprint} for ${hostName} in ${file}? Type "yes": `, false)).trim().toLowerCase();
    if (answer !== 'yes' && answer !== 'y') return { ...result, outcome: 'declined' };
  }
  if (pinned) {
    replaceFile(file, repinHostKeysInText(file, readFileSync(file, 'utf8'), hostName, presented.key));
  } else if (check) {
    const token = hostToken(check.address, check.port);
    const existing = readKnownHostsText(file);
    const hashed = options.ssh?.hashKnownHosts ??
      parseKnownHosts(existing).some((e) => !e.marker && e.hosts.startsWith('|1|') && entryMatches(e.hosts, token));
    removeKnownHost(file, check.lookupName, check.port);
    addKnownHost(file, check.lookupName, check.port, blob, { hashed });
  }
  log(`${hostName}: pinned ${presented.fingerprint} in ${file}`);
  return { ...result, outcome: 'pinned' };
}

function blobTypeOf(keyLine: string): string {
  return keyLine.trim().split(/\s+/)[0] ?? '';
}

function readKnownHostsText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}
