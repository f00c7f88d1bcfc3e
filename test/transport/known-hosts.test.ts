import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addKnownHost, entryMatches, findKnownHosts, fingerprint, hashHostToken, HostKeyError, hostToken, KnownHostsFileError, lookupToken,
  parseKnownHosts, parsePublicKeyLine, publicKeyLine, recordHostKey, removeKnownHost, verifyHostKey, verifyHostKeyDetailed,
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
const c = key('c');

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
  assert.throws(() => verifyHostKey(check(known), c.blob, true), (e: unknown) => {
    assert.ok(e instanceof HostKeyError);
    assert.equal(e.kind, 'changed');
    assert.equal(e.message,
      `cp-1 (10.0.0.5): HOST KEY CHANGED. Expected ${a.fp} (from ${known}), the host presented ssh-ed25519 ${c.fp}. ` +
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
  // As ssh-keygen -R, the rewritten file ends every line with a newline.
  assert.equal(readFileSync(path, 'utf8'), `10.0.0.5 ${publicKeyLine(a.blob)}\n10.0.0.6 ${b.line}\n@revoked * ${b.line}\n`);
  // A file without a final newline gets one before the next entry.
  writeFileSync(path, readFileSync(path, 'utf8').trimEnd());
  addKnownHost(path, '10.0.0.7', 22, b.blob);
  assert.match(readFileSync(path, 'utf8'), new RegExp(`@revoked \\* .*\\n10\\.0\\.0\\.7 ssh-rsa \\S+\\n$`));
});

const ipCheck = (files: string[], extra: Partial<HostKeyCheck> = {}): HostKeyCheck => ({
  name: 'web', address: 'Web.Example', port: 22, lookupName: 'Web.Example', pinned: [], knownHostsFiles: files,
  globalKnownHostsFiles: [], checkHostIP: true, repin: 'inv.yaml', ...extra,
});

test('names are looked up lower-cased, HostKeyAlias without the port, user files before global ones', () => {
  assert.equal(lookupToken(ipCheck([], { port: 2222 })), '[web.example]:2222');
  assert.equal(lookupToken(ipCheck([], { lookupName: 'MyAlias', port: 2222 })), 'myalias');
  const user = file(`${hashHostToken('web.example')} ${a.line}\n`);
  const global = file(`WEB.example ${b.line}\n`);
  const found = findKnownHosts([user, join(dir, 'absent'), global], lookupToken(ipCheck([])));
  assert.deepEqual(found.map((m) => [m.file, m.line]), [[user, 1], [global, 1]]);
  assert.equal(verifyHostKey(ipCheck([user], { globalKnownHostsFiles: [global] }), b.blob, false), 'known');
  // A hashed entry of a mixed-case name is never what ssh looks up.
  assert.equal(entryMatches(hashHostToken('Web.Example'), 'Web.Example'), false);
});

test('a host only a @cert-authority line vouches for is refused, naming that line', () => {
  const path = file(`# CA\n@cert-authority *.example ${b.line}\n`);
  assert.throws(() => verifyHostKey(ipCheck([path]), a.blob, true), (e: unknown) => {
    assert.ok(e instanceof HostKeyError);
    assert.equal(e.kind, 'certificate');
    assert.match(e.message, new RegExp(`${path}:2 trusts a certificate authority`));
    assert.match(e.message, /cannot verify host certificates/);
    assert.match(e.message, /bootstrap hosts trust inv\.yaml web/);
    return true;
  });
  // A plain key trusted beside the CA decides as usual.
  const both = file(`@cert-authority *.example ${b.line}\nweb.example ${a.line}\n`);
  assert.equal(verifyHostKey(ipCheck([both]), a.blob, false), 'known');
});

test('a key of another type than the known ones is a changed key, as ssh 9.2 decides', () => {
  const path = file(`web.example ${b.line}\n`);
  assert.throws(() => verifyHostKey(ipCheck([path]), a.blob, true), (e: unknown) => e instanceof HostKeyError && e.kind === 'changed' && e.message.includes(`Expected ${b.fp}`));
});

test('CheckHostIP: the IP is recorded when missing, a differing IP key is a warning, skipped for loopback and IP names', () => {
  const known = file(`web.example ${a.line}\n`);
  const decision = verifyHostKeyDetailed(ipCheck([known]), a.blob, false, '192.0.2.7');
  assert.deepEqual(decision, { verdict: 'known', addIp: true, ip: '192.0.2.7', warnings: [] });
  assert.deepEqual(recordHostKey(ipCheck([known]), decision, a.blob), ['192.0.2.7']);
  assert.deepEqual(verifyHostKeyDetailed(ipCheck([known]), a.blob, false, '192.0.2.7'), { verdict: 'known', ip: '192.0.2.7', warnings: [] });
  assert.deepEqual(verifyHostKeyDetailed(ipCheck([known]), a.blob, false, '127.0.0.1'), { verdict: 'known', warnings: [] });
  assert.deepEqual(verifyHostKeyDetailed(ipCheck([known], { checkHostIP: false }), a.blob, false, '192.0.2.8'), { verdict: 'known', warnings: [] });

  // The IP's key differs: ssh warns and goes on only with StrictHostKeyChecking no, else refuses.
  const differs = file(`web.example ${a.line}\n192.0.2.7 ${c.line}\n`);
  const warned = verifyHostKeyDetailed(ipCheck([differs]), a.blob, false, '192.0.2.7', 'no');
  assert.equal(warned.verdict, 'known');
  assert.deepEqual(warned.warnings, [`Warning: the ssh-ed25519 host key for 'web.example' differs from the key for the IP address '192.0.2.7'. ` +
    `Offending key for IP in ${differs}:2; matching host key in ${differs}:1`]);
  for (const acceptNew of [false, true]) {
    assert.throws(() => verifyHostKeyDetailed(ipCheck([differs]), a.blob, acceptNew, '192.0.2.7'),
      (e: unknown) => e instanceof HostKeyError && e.kind === 'changed' && e.message.includes(`StrictHostKeyChecking ${acceptNew ? 'accept-new' : 'yes'}`));
  }

  // An unknown host fails as unknown first, as ssh does, whatever its IP's record says.
  const ipOnly = file(`192.0.2.7 ${c.line}\n`);
  assert.throws(() => verifyHostKeyDetailed(ipCheck([ipOnly]), a.blob, false, '192.0.2.7'), (e: unknown) => e instanceof HostKeyError && e.kind === 'unknown');
  assert.throws(() => verifyHostKeyDetailed(ipCheck([ipOnly]), a.blob, true, '192.0.2.7'), (e: unknown) => e instanceof HostKeyError && e.kind === 'changed');

  // A new host is recorded with its IP on one line (plain) or two (hashed), as ssh does.
  const fresh = join(dir, 'fresh_known_hosts');
  const fresh2 = join(dir, 'fresh2_known_hosts');
  const isNew = verifyHostKeyDetailed(ipCheck([fresh], { port: 2222 }), a.blob, true, '192.0.2.9');
  assert.deepEqual(isNew, { verdict: 'new', addIp: true, ip: '[192.0.2.9]:2222', warnings: [] });
  recordHostKey(ipCheck([fresh], { port: 2222 }), isNew, a.blob);
  assert.equal(readFileSync(fresh, 'utf8'), `[web.example]:2222,[192.0.2.9]:2222 ${publicKeyLine(a.blob)}\n`);
  recordHostKey(ipCheck([fresh2], { port: 2222 }), isNew, a.blob, { hashed: true });
  assert.equal(readFileSync(fresh2, 'utf8').split('\n').filter((l) => l.startsWith('|1|')).length, 2);
  assert.equal(verifyHostKey(ipCheck([fresh2], { port: 2222 }), a.blob, false), 'known');

  // The host's key changed but its IP already has the presented key: ssh's DNS spoofing note.
  assert.throws(() => verifyHostKeyDetailed(ipCheck([differs]), c.blob, false, '192.0.2.7'),
    (e: unknown) => e instanceof HostKeyError && e.kind === 'changed' && e.message.includes('key recorded for its IP address 192.0.2.7 is unchanged'));
  // Both changed the same way (the IP has the host's old key): no note.
  assert.throws(() => verifyHostKeyDetailed(ipCheck([known]), c.blob, false, '192.0.2.7'),
    (e: unknown) => e instanceof HostKeyError && e.kind === 'changed' && !e.message.includes('IP address'));
});

test('addKnownHost writes lower-cased names; removeKnownHost refuses a file ssh-keygen -R would refuse', () => {
  const path = join(dir, 'lower_known_hosts');
  addKnownHost(path, 'Node-1.Example', 2222, a.blob);
  assert.equal(readFileSync(path, 'utf8'), `[node-1.example]:2222 ${publicKeyLine(a.blob)}\n`);
  assert.equal(removeKnownHost(path, 'NODE-1.example', 2222), 1);
  const bad = file(`@bogus h ${a.line}\nh ${a.line}\n`);
  assert.throws(() => removeKnownHost(bad, 'h', 22), (e: unknown) => e instanceof KnownHostsFileError && /lines 1 are not valid/.test(e.message));
  assert.equal(readFileSync(bad, 'utf8'), `@bogus h ${a.line}\nh ${a.line}\n`);
});
