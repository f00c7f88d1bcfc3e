/**
 * `bootstrap remove` through the real CLI: its arguments, and the refusals that come before any host is reached
 * (exit code 2, the message alone). The removal itself is tested in test/commands/remove.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatRemoveReport } from '../../src/cli/remove.js';
import type { RemoveReport } from '../../src/commands/remove.js';
import { repoRoot } from '../helpers.js';

const cli = join(repoRoot, 'dist/src/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'bootstrap-remove-cli-'));
const inventory = join(dir, 'inventory.yaml');
writeFileSync(inventory, [
  'cluster: { kubernetesVersion: v1.28.4 }',
  'hosts:',
  '  - { name: cp1, address: 10.0.0.11, roles: [control-plane] }',
  '  - { name: w1, address: 10.0.0.21, roles: [worker] }',
  '',
].join('\n'));

/** Runs the CLI without a terminal; resolves with the exit code and both outputs. */
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, BOOTSTRAP_DEBUG: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('remove --help prints the usage; the command is listed in the help', async () => {
  const help = await run(['remove', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: bootstrap remove <inventory.yaml> <host> \[--yes\] \[--dry-run\]/);
  const all = await run(['--help']);
  assert.match(all.stdout, /\n {2}remove +take one host out of the cluster/);
});

test('wrong arguments exit 2 with the usage', async () => {
  for (const args of [['remove', inventory], ['remove', inventory, 'w1', 'extra'], ['remove', inventory, 'w1', '--bogus']]) {
    const r = await run(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /Usage: bootstrap remove/, args.join(' '));
  }
  const format = await run(['remove', inventory, 'w1', '--yes', '-o', 'yaml']);
  assert.equal(format.code, 2);
  assert.equal(format.stderr.trim(), '--output must be text or json, not "yaml"');
});

test('a host the inventory lacks, the last control plane, and no confirmation are refused before any host is reached', async () => {
  const unknown = await run(['remove', inventory, 'w9', '--yes']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.trim(), 'no host named "w9" in the inventory (it has cp1, w1)');
  const last = await run(['remove', inventory, 'cp1', '--yes', '--dry-run']);
  assert.equal(last.code, 2);
  assert.match(last.stderr, /^refusing to remove cp1: it is the last control-plane host, so its etcd member is the cluster's last one/);
  const unconfirmed = await run(['remove', inventory, 'w1']);
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.stderr, /^refusing to remove w1 \(10\.0\.0\.21, worker\) without confirmation\. Run it on a terminal to be asked, or pass --yes/);
});

test('the text report says what happened to the member, the Node and the host, and that an unreachable host was not reset', () => {
  const report: RemoveReport = {
    ok: true, refused: false, dryRun: false, durationMs: 2300,
    host: { name: 'cp1', address: '10.0.0.11', roles: ['control-plane'] }, role: 'control-plane', via: 'cp2',
    etcd: {
      member: { id: '8e9e05c52164694d', name: 'cp1', peerURL: 'https://10.0.0.11:2380', learner: false, healthy: false },
      outcome: 'removed', before: [],
      after: [{ id: '1', name: 'cp2', peerURL: 'https://10.0.0.12:2380', learner: false, healthy: true }, { id: '2', name: 'cp3', peerURL: 'https://10.0.0.13:2380', learner: false, healthy: true }],
    },
    node: { found: true, outcome: 'deleted' },
    reset: { outcome: 'not-reached', unreachable: 'no SSH connection to root@10.0.0.11 within 10s', steps: [], removed: [] },
    connections: [{ name: 'cp1', reachable: false, error: 'no SSH connection to root@10.0.0.11 within 10s' }, { name: 'cp2', reachable: true }],
    actions: [], warnings: ['cp1 could not be reached (no SSH connection to root@10.0.0.11 within 10s): it is taken out of the cluster, but the host itself is not reset'],
    notes: ['remove cp1 from the inventory: it is no longer part of the cluster'],
  };
  assert.equal(formatRemoveReport(report), [
    'cp1 (10.0.0.11, control-plane) through cp2: removed from the cluster',
    '  etcd: removed member cp1 (ID 8e9e05c52164694d, https://10.0.0.11:2380)',
    '  etcd remaining: cp2 healthy, cp3 healthy',
    '  Node cp1: deleted',
    '  host: NOT reset: not reached (no SSH connection to root@10.0.0.11 within 10s)',
    '  cp1 could not be reached (no SSH connection to root@10.0.0.11 within 10s): it is taken out of the cluster, but the host itself is not reset',
    '  remove cp1 from the inventory: it is no longer part of the cluster',
    'done in 2.3s',
  ].join('\n'));
});
