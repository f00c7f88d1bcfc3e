/**
 * The control-plane join's pure parts: which phases run where (kubeadm init's on the first control plane only, the
 * join on the others), the one-at-a-time order with a failure stopping the hosts after it, and reading the
 * --initial-cluster a joined member was started with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UP_PHASES } from '../../src/commands/up.js';
import { parseInventory } from '../../src/inventory/index.js';
import { newContext, type HostRun } from '../../src/pipeline/context.js';
import { controlPlaneJoinPhase, initialClusterOf, inTurn } from '../../src/phases/control-plane-join.js';

const INVENTORY = `cluster:
  kubernetesVersion: v1.33.6
  controlPlaneEndpoint: lb.example.com:6443
hosts:
  - {name: cp1, address: 10.7.0.150, roles: [control-plane]}
  - {name: cp2, address: 10.7.0.151, roles: [control-plane]}
  - {name: cp3, address: 10.7.0.152, roles: [control-plane]}
  - {name: w1, address: 10.7.0.160, roles: [worker]}
`;

function context() {
  return newContext(parseInventory('/work/cluster/ha.yaml', INVENTORY), {});
}

const run = (ctx: ReturnType<typeof context>, name: string) => ctx.hosts.find((h) => h.spec.name === name) as HostRun;

test('kubeadm init\'s phases run on the first control plane only; the others join after the cluster phases, before the workers', () => {
  const ctx = context();
  const where = (phase: string) => ctx.hosts.filter((h) => UP_PHASES.find((p) => p.name === phase)!.appliesTo(h, ctx)).map((h) => h.spec.name);
  for (const phase of ['certs', 'kubeconfig', 'etcd', 'control-plane', 'kubelet-start', 'wait-control-plane', 'upload-config', 'mark-control-plane', 'bootstrap-token', 'kubelet-finalize', 'addons']) {
    assert.deepEqual(where(phase), ['cp1'], phase);
  }
  assert.deepEqual(where('control-plane-join'), ['cp2', 'cp3']);
  assert.deepEqual(where('join'), ['w1']);
  for (const phase of ['preflight', 'images']) assert.deepEqual(where(phase), ['cp1', 'cp2', 'cp3', 'w1'], phase);
  const names = UP_PHASES.map((p) => p.name);
  assert.ok(names.indexOf('registry-secrets') < names.indexOf('control-plane-join'));
  assert.ok(names.indexOf('control-plane-join') < names.indexOf('join'));
  assert.equal(controlPlaneJoinPhase.appliesTo(run(ctx, 'cp1'), ctx), false);
});

test('control planes join one at a time in the order they reach their turn; after a failure the later ones do not start', async () => {
  const ctx = context();
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = inTurn(ctx, run(ctx, 'cp2'), async () => {
    events.push('cp2 start');
    await gate;
    events.push('cp2 end');
  });
  const second = inTurn(ctx, run(ctx, 'cp3'), async () => {
    events.push('cp3 start');
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, ['cp2 start']);
  release();
  await Promise.all([first, second]);
  assert.deepEqual(events, ['cp2 start', 'cp2 end', 'cp3 start']);

  const failing = context();
  const failed = inTurn(failing, run(failing, 'cp2'), async () => {
    throw new Error('etcd refused');
  });
  let ran = false;
  const after = inTurn(failing, run(failing, 'cp3'), async () => {
    ran = true;
  });
  await assert.rejects(failed, /etcd refused/);
  await assert.rejects(after, /cp3 did not join: cp2 failed before it, and control planes join one at a time/);
  assert.equal(ran, false);
});

test('the --initial-cluster of a joined member\'s etcd.yaml is read back as it was written', () => {
  const manifest = [
    '    - --initial-advertise-peer-urls=https://10.7.0.152:2380',
    '    - --initial-cluster=cp3=https://10.7.0.152:2380,cp1=https://10.7.0.150:2380,cp2=https://10.7.0.151:2380',
    '    - --initial-cluster-state=existing',
  ].join('\n');
  assert.deepEqual(initialClusterOf(manifest), [
    { name: 'cp3', peerURL: 'https://10.7.0.152:2380' },
    { name: 'cp1', peerURL: 'https://10.7.0.150:2380' },
    { name: 'cp2', peerURL: 'https://10.7.0.151:2380' },
  ]);
  assert.equal(initialClusterOf('    - --initial-cluster-state=existing'), undefined);
  assert.equal(initialClusterOf(undefined), undefined);
});
