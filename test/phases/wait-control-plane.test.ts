import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkHost } from '../../src/health/check.js';
import { ControlPlaneNotHealthyError, waitControlPlanePhase } from '../../src/phases/wait-control-plane.js';
import { newHostRun, type HostFacts, type HostRun, type UpContext, type UpOptions } from '../../src/pipeline/context.js';
import { MemoryHost } from '../../src/transport/memory.js';
import type { Host } from '../../src/transport/host.js';
import { FakeNode } from '../health/node.js';
import { host as hostSpec, inventory } from '../pki/fixtures.js';

function setup(transport: Host, files: Map<string, string> | undefined, options: UpOptions) {
  const stateDir = join(mkdtempSync(join(tmpdir(), 'bootstrap-wait-')), 'state');
  const inv = inventory(stateDir, { version: 'v1.28.4', hosts: [hostSpec('cp1', '127.0.0.1')] });
  const h: HostRun = newHostRun(inv.hosts[0]!);
  h.host = transport;
  h.facts = { criSocket: 'unix:///var/run/containerd/containerd.sock' } as HostFacts;
  if (files) h.files = [...files].map(([path, content]) => ({ path, content, mode: 0o600 }));
  const ctx: UpContext = { inv, options: { renderer: 'silent', ...options }, hosts: [h], backupDir: '/var/lib/bootstrap/backups/x', startedAt: new Date(), shared: new Map(), cleanups: [] };
  const progress: string[] = [];
  return { ctx, h, stateDir, progress, task: { progress: (line: string) => progress.push(line) } };
}

test("healthy: components in h.components, admin kubeconfig written 0600 in the state directory and its path in the host's results", async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  const { ctx, h, stateDir, progress, task } = setup(node.host, node.files(), { waitTimeoutMs: 20_000 });
  assert.equal(waitControlPlanePhase.appliesTo(h, ctx), true);
  await waitControlPlanePhase.run(ctx, h, task);
  const admin = join(stateDir, 'admin.conf');
  assert.equal(readFileSync(admin, 'utf8'), node.adminConf());
  assert.equal(statSync(admin).mode & 0o777, 0o600);
  assert.equal(statSync(stateDir).mode & 0o777, 0o700);
  // A state directory first made here (no CAs loaded before) ignores itself in a checkout too.
  assert.equal(readFileSync(join(stateDir, '.gitignore'), 'utf8'), '*\n');
  assert.equal(h.results['wait-control-plane']?.adminKubeconfig, admin);
  assert.deepEqual(h.components.map((c) => [c.name, c.healthy]), [
    ['kubelet', true],
    ['etcd', true],
    ['kube-apiserver', true],
    ['kube-controller-manager', true],
    ['kube-scheduler', true],
  ]);
  assert.deepEqual(h.actions, ['wait up to 20s for the control plane to be healthy']);
  assert.match(progress.at(-1)!, /^healthy in \d+\.\ds: kubelet ok, etcd ok, apiserver ok, controller-manager ok, scheduler ok$/);
  // The endpoints came from the rendered manifests, the kubelet's from its configuration.
  assert.ok(node.host.connections.some((c) => c.port === node.kubeletHealthz.port));
});

test('timeout: the host fails with the diagnosis and no kubeconfig is written', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  node.scenario.set('kube-scheduler', { container: { kind: 'exited', attempt: 2, exitCode: 1, logs: 'E1122 run.go:74] "command failed" err="no such file"' }, status: 0 });
  const { ctx, h, stateDir, task } = setup(node.host, node.files(), { waitTimeoutMs: 400 });
  ctx.inv.wait.timeoutMs = 60_000; // the option wins over the inventory
  await assert.rejects(waitControlPlanePhase.run(ctx, h, task), (e: unknown) => {
    assert.ok(e instanceof ControlPlaneNotHealthyError);
    const lines = e.message.split('\n');
    assert.equal(lines[0], 'the control plane was not healthy after 400ms: kube-scheduler');
    assert.equal(lines[1], 'kube-scheduler: container exited, 2 restarts');
    assert.match(lines[2]!, /^ {2}crash-looping: container [0-9a-f]{13} exited, exit code 1 \(Error\), 2 restarts$/);
    assert.ok(lines.includes('    | E1122 run.go:74] "command failed" err="no such file"'));
    assert.equal(e.stack, `ControlPlaneNotHealthyError: ${e.message}`);
    return true;
  });
  assert.equal(existsSync(join(stateDir, 'admin.conf')), false);
  assert.equal(h.components.find((c) => c.name === 'kube-scheduler')?.diagnosis?.[0]?.startsWith('crash-looping'), true);
});

test('dry run: nothing is waited for, said so, and nothing is run on the host', async () => {
  const memory = new MemoryHost('cp1');
  const { ctx, h, stateDir, progress, task } = setup(memory, new Map(), { dryRun: true, waitTimeoutMs: 5000 });
  await waitControlPlanePhase.run(ctx, h, task);
  assert.deepEqual(progress, ['dry run: not waiting for the control plane']);
  assert.deepEqual(h.actions, ['would wait up to 5s for the control plane to be healthy']);
  assert.equal(memory.roundTrips, 0);
  assert.equal(existsSync(stateDir), false);
});

test('workers are not waited for', () => {
  const { ctx, h } = setup(new MemoryHost(), undefined, {});
  h.spec = { ...h.spec, roles: ['worker'] };
  assert.equal(waitControlPlanePhase.appliesTo(h, ctx), false);
});

test('checkHost without rendered files reads them from the host: two round trips in all', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  const { ctx, h } = setup(node.host, undefined, {});
  // What `bootstrap status` has: a connected host and its spec (the CRI socket from facts when gathered).
  const statuses = await checkHost({ spec: { ...h.spec, criSocket: 'unix:///var/run/containerd/containerd.sock' }, host: node.host }, ctx.inv);
  assert.equal(node.host.roundTrips, 2);
  assert.deepEqual(statuses.map((s) => `${s.name}=${s.detail}`), ['kubelet=ok', 'etcd=ok', 'kube-apiserver=ok', 'kube-controller-manager=ok', 'kube-scheduler=ok']);
});
