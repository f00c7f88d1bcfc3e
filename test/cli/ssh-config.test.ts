/**
 * `bootstrap ssh-config` through the real CLI: each host's route in ssh -G's shape, equal to what the real
 * `ssh -G` prints for the same configuration and command-line options, with the jump hosts after it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers.js';

const run = promisify(execFile);
const cli = join(repoRoot, 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'bootstrap-ssh-config-cli-'));

const config = join(dir, 'ssh_config');
writeFileSync(config, [
  'Host cp-*',
  '  User ops',
  '  ProxyJump gw',
  '  IdentityFile /keys/%r_%h',
  'Host cp-1',
  '  HostName 10.0.0.11',
  '  Port 2222',
  'Host gw',
  '  HostName 203.0.113.7',
  '  User jump',
  '  StrictHostKeyChecking accept-new',
  '',
].join('\n'));
const inventory = join(dir, 'inventory.yaml');
writeFileSync(inventory, [
  'cluster: { kubernetesVersion: v1.28.4 }',
  'hosts:',
  '  - { name: cp1, address: cp-1, advertiseAddress: 10.0.0.11, roles: [control-plane] }',
  '  - { name: w1, address: 10.0.0.21, roles: [worker], ssh: { user: admin, port: 2200 } }',
  '',
].join('\n'));

/** The lines of ssh -G for these keywords, sorted. */
function sshG(args: string[], keys: string[]): string[] {
  const out = execFileSync('ssh', ['-G', '-F', config, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => keys.includes(l.split(' ')[0]!)).sort();
}
const pick = (block: string, keys: string[]) => block.split('\n').filter((l) => keys.includes(l.split(' ')[0]!)).sort();

test('prints each host, then its jump hosts, as ssh -G resolves them; the inventory acts as -l and -p', async () => {
  const { stdout } = await run(process.execPath, [cli, 'ssh-config', inventory, '-F', config]);
  const [cp1, w1] = stdout.split(/\n\n(?=# w1: )/) as [string, string];
  const [cp1Target, gw] = cp1.split(/\n\n# cp1: jump host 1\n/) as [string, string];
  assert.match(cp1Target, /^# cp1: jump@203\.0\.113\.7:22 -> ops@10\.0\.0\.11:2222$/m);

  const keys = ['hostname', 'user', 'port', 'proxyjump', 'identityfile', 'stricthostkeychecking', 'userknownhostsfile', 'hashknownhosts'];
  // ssh -G prints IdentityFile before expanding it; bootstrap prints the file it will read.
  assert.deepEqual(pick(cp1Target, keys).filter((l) => !l.startsWith('identityfile')), sshG(['cp-1'], keys).filter((l) => !l.startsWith('identityfile')));
  assert.deepEqual(pick(cp1Target, ['identityfile']), ['identityfile /keys/ops_10.0.0.11']);
  assert.deepEqual(pick(gw, keys).filter((l) => !l.startsWith('identityfile')), sshG(['gw'], keys).filter((l) => !l.startsWith('identityfile')));
  assert.deepEqual(pick(w1, ['hostname', 'user', 'port']), sshG(['-l', 'admin', '-p', '2200', '10.0.0.21'], ['hostname', 'user', 'port']));
});

test('-o json carries the same route; an unknown host name or keyword is a located error, exit 2', async () => {
  const { stdout } = await run(process.execPath, [cli, 'ssh-config', inventory, 'cp1', '-F', config, '-o', 'json']);
  const [report] = JSON.parse(stdout) as { host: string; path: string[]; endpoints: { role: string; options: [string, string][] }[] }[];
  assert.equal(report!.host, 'cp1');
  assert.deepEqual(report!.path, ['jump@203.0.113.7:22', 'ops@10.0.0.11:2222']);
  assert.deepEqual(report!.endpoints.map((e) => e.role), ['target', 'jump host 1']);

  await assert.rejects(run(process.execPath, [cli, 'ssh-config', inventory, 'nope', '-F', config]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 2);
    assert.match(err.stderr, /no host named "nope" \(hosts: cp1, w1\)/);
    return true;
  });
  const bad = join(dir, 'bad_config');
  writeFileSync(bad, 'Host *\n  Frobnicate yes\n');
  await assert.rejects(run(process.execPath, [cli, 'ssh-config', inventory, '-F', bad]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 2);
    assert.match(err.stderr, new RegExp(`${bad}:2: Bad configuration option: frobnicate`));
    assert.doesNotMatch(err.stderr, /\n\s+at /, 'no stack trace');
    return true;
  });
});
