/**
 * The module against the real thing: every known_hosts file below is searched with `ssh-keygen -F` and
 * findInKnownHosts, and pruned with `ssh-keygen -R` and removeKnownHost, and the answers must be identical
 * (the same matching lines; byte-identical files after removal, or both refusing the file).
 *
 * ssh lower-cases the host name (and HostKeyAlias) before looking it up, which ssh-keygen does not do for
 * hashed entries: ssh-keygen is therefore asked with the lower-cased name, the module with the name as given.
 * For files without hashed entries, ssh-keygen's answer for the name as given must be the same too.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInKnownHosts, hashHostToken, hostToken, KnownHostsFileError, removeKnownHost } from '../../src/transport/known-hosts.js';

interface Case {
  name: string;
  /** Lines with K1, K2, K3 standing for three ed25519 public keys ("ssh-ed25519 AAAA…"). */
  lines: string[];
  queries: string[];
  /** Hash the file with `ssh-keygen -H` before asking (names in the file are then hashed as ssh-keygen does). */
  hash?: boolean;
  /** Leave the last line without its newline. */
  noFinalNewline?: boolean;
}

const CASES: Case[] = [
  { name: 'one plain name', lines: ['host.example K1'], queries: ['host.example', 'HOST.Example', 'other.example'] },
  { name: 'a mixed-case name in the file', lines: ['Host.Example K1'], queries: ['host.example', 'HOST.EXAMPLE'] },
  { name: 'a comma list', lines: ['a.example,b.example,10.0.0.5 K1', 'b.example K2'], queries: ['b.example', '10.0.0.5', 'c.example'] },
  { name: 'a mixed-case comma list', lines: ['A.Example,B.EXAMPLE K1'], queries: ['b.example', 'A.EXAMPLE'] },
  { name: 'a non-22 port', lines: ['[host.example]:2222 K1', 'host.example K2'], queries: ['host.example', '[host.example]:2222', '[HOST.example]:2222', '[host.example]:2200'] },
  { name: 'a port in a comma list', lines: ['host.example,[host.example]:2200 K1'], queries: ['[host.example]:2200', 'host.example'] },
  { name: 'star wildcards', lines: ['*.example K1', 'web-* K2'], queries: ['web-1.example', 'x.example', 'web-2', 'example'] },
  { name: 'question-mark wildcards', lines: ['node-?.lan K1'], queries: ['node-1.lan', 'node-10.lan', 'NODE-2.LAN'] },
  { name: 'a negation vetoes its line', lines: ['*.example,!bad.example K1', 'bad.example K2'], queries: ['good.example', 'bad.example', 'BAD.example'] },
  { name: 'a negation alone', lines: ['!bad.example K1'], queries: ['bad.example', 'good.example'] },
  { name: 'a wildcard with a port', lines: ['[*.example]:2222 K1', '[web.example]:* K2'], queries: ['[a.example]:2222', 'a.example', '[web.example]:2200'] },
  { name: 'a line for every host', lines: ['* K1', 'host K2'], queries: ['host', 'anything'] },
  { name: '@revoked beside a plain line', lines: ['@revoked host.example K1', 'host.example K1'], queries: ['host.example', 'other'] },
  { name: '@revoked with a wildcard', lines: ['@revoked * K2', 'h K1'], queries: ['h'] },
  { name: '@cert-authority', lines: ['@cert-authority *.example K3', 'x.example K1'], queries: ['x.example', 'y.example', 'example'] },
  { name: 'a marker followed by a tab', lines: ['@cert-authority\t*.example K3', '@revoked\th K1', 'h K2'], queries: ['a.example', 'h'] },
  { name: 'unknown and doubled markers', lines: ['@bogus h K1', '@revoked @revoked h K1', '@ h K1', '@revoked h K2'], queries: ['h'] },
  { name: 'comments and blank lines', lines: ['# comment h', '', '   ', '\t# h K1', '  h K1'], queries: ['h'] },
  { name: 'truncated lines', lines: ['h', 'h ssh-ed25519', 'h ssh-ed25519 # comment', 'h K1'], queries: ['h'] },
  { name: 'RSA1 and one-letter key types', lines: ['h 1024 35 12345', 'h x AAAA', 'h 12345678 AAAA', 'g K1'], queries: ['h', 'g'] },
  { name: 'keys ssh cannot read', lines: ['h ssh-ed25519 notbase64!!', 'h ssh-rsa K1', 'h K1 trailing comment'], queries: ['h'] },
  { name: 'key types ssh does not know', lines: ['h unknown-type AAAA', 'h SSH-ED25519 AAAA', 'h ssh-xmss@openssh.com AAAA', 'h null AAAA', 'g K1'], queries: ['h', 'g'] },
  { name: 'certificate and signature-only type names', lines: ['h ssh-ed25519-cert-v01@openssh.com AAAA', 'h rsa-sha2-512 AAAA', 'h sk-ssh-ed25519@openssh.com AAAA'], queries: ['h'] },
  { name: 'CRLF line ends', lines: ['h K1\r', 'g K2 comment\r', '\r'], queries: ['h', 'g'] },
  { name: 'tabs and extra spaces between fields', lines: ['\th\tK1', '  g   K2   ', 'f\t \tK3'], queries: ['h', 'g', 'f'] },
  { name: 'hashed mixed-case names (ssh-keygen -H)', lines: ['Host.Example K1', 'OTHER,[Srv.Example]:2222 K2'], hash: true, queries: ['host.example', 'Host.Example', 'other', '[srv.example]:2222', '[Srv.Example]:2222', 'srv.example'] },
  { name: 'hashed names beside patterns ssh-keygen -H keeps', lines: ['web.example K1', '*.lan K2', 'db.lan,!x.lan K3'], hash: true, queries: ['web.example', 'a.lan', 'x.lan', 'db.lan'] },
  { name: 'hashed names with markers', lines: ['@revoked gone.example K1', 'gone.example K2', 'Kept.Example K3'], hash: true, queries: ['gone.example', 'kept.example'] },
  { name: 'hashed fields ssh cannot read', lines: ['|1|abc|def K1', '|2|x|y K1', 'h K2'], queries: ['h', 'abc'] },
  { name: 'hashed names made by the module', lines: ['HASH(h.example) K1', 'HASH([h.example]:2222) K2', 'HASH(H.Example) K3'], queries: ['h.example', '[h.example]:2222', 'H.Example'] },
  { name: 'IPv6 addresses', lines: ['[2001:db8::1]:2222 K1', '2001:db8::1 K2', '2001:DB8::2 K3'], queries: ['2001:db8::1', '[2001:db8::1]:2222', '2001:db8::2'] },
  { name: 'several keys for one host', lines: ['h K1', 'h K2', 'H K3', 'h,g K1'], queries: ['h', 'g'] },
  { name: 'markers with ports', lines: ['@revoked [h]:2222 K1', '@cert-authority [h]:* K2', '[h]:2222 K3', 'h K3'], queries: ['[h]:2222', 'h'] },
  { name: 'empty patterns in a list', lines: [',h, K1', 'h,,g K2'], queries: ['h', 'g'] },
  { name: 'odd negations', lines: ['!!h K1', 'h,!h K2', '!h,h K3'], queries: ['h', '!h'] },
  { name: 'no final newline', lines: ['h K1', 'g K2'], noFinalNewline: true, queries: ['h', 'g'] },
  { name: 'a literal bracketed name on port 22', lines: ['[h]:22 K1', 'h K2'], queries: ['h', '[h]:22'] },
  { name: 'a wildcard-only file with comments', lines: ['# all hosts', '*.Example.COM,!*.dev.example.com K1', '# end'], queries: ['www.example.com', 'a.dev.example.com', 'WWW.EXAMPLE.COM'] },
];

let dir = '';
let keys: Record<string, string> = {};

function makeKey(name: string): string {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** The case's file text: placeholders replaced, HASH(name) hashed by the module. */
function fileText(c: Case): string {
  const lines = c.lines.map((line) => line
    .replace(/HASH\(([^)]*)\)/g, (_, name: string) => hashHostToken(name))
    .replace(/K[123]/g, (k) => keys[k]!));
  return lines.join('\n') + (c.noFinalNewline ? '' : '\n');
}

let fileCount = 0;
function writeCase(c: Case): string {
  const path = join(dir, `known_hosts.${++fileCount}`);
  writeFileSync(path, fileText(c), { mode: 0o600 });
  if (c.hash) {
    const r = spawnSync('ssh-keygen', ['-H', '-f', path], { encoding: 'utf8' });
    assert.equal(r.status, 0, `ssh-keygen -H: ${r.stderr}`);
  }
  return path;
}

/** The line numbers `ssh-keygen -F` prints for a name. */
function sshKeygenFind(file: string, name: string): number[] {
  const r = spawnSync('ssh-keygen', ['-F', name, '-f', file], { encoding: 'utf8' });
  return [...r.stdout.matchAll(/^# Host .* found: line (\d+)/gm)].map((m) => Number(m[1]));
}

/** "[name]:port" or "name" → what removeKnownHost takes; undefined when hostToken would not give it back. */
function splitToken(token: string): { address: string; port: number } | undefined {
  const m = /^\[(.*)\]:(\d+)$/.exec(token);
  const parsed = m ? { address: m[1]!, port: Number(m[2]) } : { address: token, port: 22 };
  return hostToken(parsed.address, parsed.port) === token ? parsed : undefined;
}

const lower = (s: string) => s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

describe('known_hosts lookups and removals agree with ssh-keygen', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'bootstrap-known-hosts-diff-'));
    keys = { K1: makeKey('k1'), K2: makeKey('k2'), K3: makeKey('k3') };
  });

  test('there are enough cases', () => {
    assert.ok(CASES.length >= 30, `${CASES.length} cases`);
  });

  for (const c of CASES) {
    test(c.name, () => {
      const file = writeCase(c);
      const text = readFileSync(file, 'utf8');
      const hashed = /^\s*(@\S+\s+)?\|/m.test(text);
      for (const query of c.queries) {
        const expected = sshKeygenFind(file, lower(query));
        const actual = findInKnownHosts(text, query, file).map((m) => m.line);
        assert.deepEqual(actual, expected, `-F ${query}: module found lines ${actual.join(',')}, ssh-keygen ${expected.join(',')}`);
        if (!hashed) assert.deepEqual(sshKeygenFind(file, query), expected, `-F ${query} differs from -F ${lower(query)} on plain names`);
        // Keys are reported only when ssh could read them.
        for (const m of findInKnownHosts(text, query, file)) {
          if (m.key) assert.ok(Object.values(keys).some((k) => k === `${m.key!.type} ${m.key!.blob.toString('base64')}`));
        }
        compareRemoval(file, query);
      }
    });
  }
});

/** ssh-keygen -R and removeKnownHost on two copies of a file: the same result, or both refuse it. */
function compareRemoval(file: string, query: string): void {
  const parts = splitToken(lower(query));
  if (!parts) return;
  const theirs = `${file}.theirs`;
  const ours = `${file}.ours`;
  copyFileSync(file, theirs);
  copyFileSync(file, ours);
  rmSync(`${theirs}.old`, { force: true });
  const r = spawnSync('ssh-keygen', ['-R', lower(query), '-f', theirs], { encoding: 'utf8' });
  const refused = /not a valid known_hosts file/.test(r.stderr);
  let threw: unknown;
  let removed = 0;
  try {
    removed = removeKnownHost(ours, parts.address, parts.port);
  } catch (err) {
    threw = err;
  }
  if (refused) {
    assert.ok(threw instanceof KnownHostsFileError, `-R ${query}: ssh-keygen refused the file, the module did not`);
  } else {
    assert.equal(threw, undefined, `-R ${query}: the module refused a file ssh-keygen accepted: ${String(threw)}`);
    assert.equal(removed > 0, existsSync(`${theirs}.old`), `-R ${query}: whether anything was removed`);
  }
  assert.equal(readFileSync(ours, 'utf8'), readFileSync(theirs, 'utf8'), `-R ${query}: the files differ`);
}
