import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addKnownHost, entryMatches, fingerprint, hashHostToken, HostKeyError, hostToken, parseKnownHosts, parsePublicKeyLine,
  publicKeyLine, removeKnownHost, verifyHostKey,
} from '../../src/transport/known-hosts.js';
import type { HostKeyCheck } from '../../src/transport/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-known-hosts-'));

/** Real keys and OpenSSH's own fingerprints for them. */
function key(name: string, type = 'ed25519'): { line: string; blob: Buffer; fp: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', path]);
  const line = readFileSync(`${path}.pub`, 'utf8').trim();
  const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
  return { line, blob: Buffer.from(line.split(' ')[1] as string, 'base64'), fp };
}
const a = key('a');
const b = key('b', 'rsa');

const check = (file: string, pinned: string[] = [], port = 22): HostKeyCheck => ({
  name: 'cp-1', address: '10.0.0.5', port, lookupName: '10.0.0.5', pinned, knownHostsFiles: [file], globalKnownHostsFiles: [], checkHostIP: false, repin: 'inv.yaml',
});
let n = 0;
const file = (text: string) => {
  const path = join(dir, `known_hosts.${++n}`);
  writeFileSync(path, text);
  return path;
};

test('fingerprints match ssh-keygen -l (SHA256, unpadded base64)', () => {
  assert.equal(fingerprint(a.blob), a.fp);
  assert.equal(fingerprint(b.blob), b.fp);
  assert.doesNotMatch(a.fp, /=$/);
});

test('public key lines parse and print back', () => {
  const parsed = parsePublicKeyLine(a.line);
  assert.equal(parsed?.type, 'ssh-ed25519');
  assert.equal(publicKeyLine(a.blob), a.line.split(' ').slice(0, 2).join(' '));
  assert.equal(parsePublicKeyLine('ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'), undefined, 'type must match the blob');
  assert.equal(parsePublicKeyLine('garbage'), undefined);
});

test('host tokens and matching: plain, [host]:port, comma lists, wildcards, negation, hashed', () => {
  assert.equal(hostToken('10.0.0.5', 22), '10.0.0.5');
  assert.equal(hostToken('10.0.0.5', 2222), '[10.0.0.5]:2222');
  assert.equal(entryMatches('other,10.0.0.5', '10.0.0.5'), true);
  assert.equal(entryMatches('10.0.0.5', '[10.0.0.5]:2222'), false);
  assert.equal(entryMatches('[10.0.0.5]:2222', '[10.0.0.5]:2222'), true);
  assert.equal(entryMatches('10.0.0.*,!10.0.0.6', '10.0.0.5'), true);
  assert.equal(entryMatches('10.0.0.*,!10.0.0.5', '10.0.0.5'), false);
  assert.equal(entryMatches('NODE-?.example', 'node-1.example'), true);
  const hashed = hashHostToken('[10.0.0.5]:2222');
  assert.match(hashed, /^\|1\|[A-Za-z0-9+/]{27}=\|[A-Za-z0-9+/]{27}=$/);
  assert.equal(entryMatches(hashed, '[10.0.0.5]:2222'), true);
  assert.equal(entryMatches(hashed, '10.0.0.5'), false);
  // ssh-keygen agrees with our hashing.
  const path = file(`${hashed} ${a.line}\n`);
  assert.match(execFileSync('ssh-keygen', ['-F', '[10.0.0.5]:2222', '-f', path], { encoding: 'utf8' }), /found: line 1/);
});

test('parseKnownHosts keeps markers and skips comments, unknown markers and broken lines', () => {
  const entries = parseKnownHosts(`# c\n\n@revoked * ${a.line}\n@cert-authority *.x ${b.line}\n@weird h ${a.line}\nbroken\nh1,h2 ${b.line}\n`);
  assert.deepEqual(entries.map((e) => [e.marker, e.hosts, e.line]), [['revoked', '*', 3], ['cert-authority', '*.x', 4], [undefined, 'h1,h2', 7]]);
});

test('verifyHostKey: known, unknown, accepted-new, changed, revoked, pinned first', () => {
  const known = file(`10.0.0.5 ${a.line}\n`);
  assert.equal(verifyHostKey(check(known), a.blob, false), 'known');
  assert.throws(() => verifyHostKey(check(known, [], 2222), a.blob, false), (e: unknown) => e instanceof HostKeyError && e.kind === 'unknown');
  assert.equal(verifyHostKey(check(known, [], 2222), a.blob, true), 'new');
  assert.throws(() => verifyHostKey(check(known), b.blob, true), (e: unknown) => {
    assert.ok(e instanceof HostKeyError);
    assert.equal(e.kind, 'changed');
    assert.equal(e.message,
      `cp-1 (10.0.0.5): HOST KEY CHANGED. Expected ${a.fp} (from ${known}), the host presented ssh-rsa ${b.fp}. ` +
      'Someone may be intercepting the connection, or the machine was reprovisioned. If you know it was, re-pin its key with `bootstrap hosts trust inv.yaml cp-1`');
    return true;
  });
  const revoked = file(`@revoked 10.0.0.* ${a.line}\n10.0.0.5 ${a.line}\n`);
  assert.throws(() => verifyHostKey(check(revoked), a.blob, true), (e: unknown) => e instanceof HostKeyError && e.kind === 'revoked');
  // Pinned keys decide alone: known_hosts is not consulted.
  assert.equal(verifyHostKey(check(known, [b.line]), b.blob, false), 'known');
  assert.throws(() => verifyHostKey(check(known, [b.line]), a.blob, true), (e: unknown) => e instanceof HostKeyError && e.kind === 'changed' && e.message.includes('(from the inventory)'));
  // A missing known_hosts file is simply empty.
  assert.throws(() => verifyHostKey(check(join(dir, 'absent')), a.blob, false), (e: unknown) => e instanceof HostKeyError && e.kind === 'unknown');
});

test('addKnownHost creates the file 0600 in a 0700 folder, plain or hashed; removeKnownHost drops every form', () => {
  const path = join(dir, 'new', '.ssh', 'known_hosts');
  addKnownHost(path, '10.0.0.5', 22, a.blob);
  addKnownHost(path, '10.0.0.5', 2222, a.blob, { hashed: true });
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'new', '.ssh')).mode & 0o777, 0o700);
  const lines = readFileSync(path, 'utf8').split('\n');
  assert.equal(lines[0], `10.0.0.5 ${publicKeyLine(a.blob)}`);
  assert.match(lines[1] as string, /^\|1\|/);
  assert.equal(verifyHostKey(check(path, [], 2222), a.blob, false), 'known');

  writeFileSync(path, `${readFileSync(path, 'utf8')}other,[10.0.0.5]:2222 ${b.line}\n10.0.0.6 ${b.line}\n@revoked * ${b.line}`);
  assert.equal(removeKnownHost(path, '10.0.0.5', 2222), 2);
  assert.equal(readFileSync(path, 'utf8'), `10.0.0.5 ${publicKeyLine(a.blob)}\n10.0.0.6 ${b.line}\n@revoked * ${b.line}`);
  // A file without a final newline gets one before the next entry.
  addKnownHost(path, '10.0.0.7', 22, b.blob);
  assert.match(readFileSync(path, 'utf8'), new RegExp(`@revoked \\* .*\\n10\\.0\\.0\\.7 ssh-rsa \\S+\\n$`));
});
