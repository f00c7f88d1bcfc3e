/**
 * `bootstrap remove` end to end in one process: three control planes and a worker as in-memory hosts (facts and
 * the reset script answered in memory), whose SSH tunnels reach three REAL etcd members on 127.0.0.1
 * (test/etcd/etcd-server.ts; their certificates name the inventory's addresses and 127.0.0.1), with etcdctl as the
 * outside judge, and an in-memory API for Nodes, Pods and evictions. The steps build on each other, in order.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { ApiError, type ObjectRef } from '../../src/api/client.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { confirmRemove, removeHost, removeTarget } from '../../src/commands/remove.js';
import { directConnector, EtcdClient } from '../../src/etcd/index.js';
import type { HostSpec, Inventory } from '../../src/inventory/types.js';
import { initialCluster } from '../../src/manifests/index.js';
import type { NodeApi } from '../../src/phases/remove.js';
import { RESET_SCRIPT } from '../../src/phases/reset.js';
import { MemoryHost } from '../../src/transport/memory.js';
import { UsageError } from '../../src/util/errors.js';
import { host as hostSpec, inventory as fixtureInventory } from '../pki/fixtures.js';
import { etcdctlMembers, etcdLog, makeEtcdPki, startEtcd, stopEtcd, until, type MemberFiles, type TestPki } from '../etcd/etcd-server.js';

const ADDRESSES = { cp1: '10.0.0.1', cp2: '10.0.0.2', cp3: '10.0.0.3', w1: '10.0.0.11' } as const;
const SOCKET = 'unix:///run/containerd/containerd.sock';
const START_MS = 20_000;

let pki: TestPki;
let inv: Inventory;
const members = new Map<string, MemberFiles>();
const running = new Map<string, ChildProcess>();
/** Every change, in order, wherever it was made: the API's and the hosts' resets. */
const events: string[] = [];

// ------------------------------------------------------------------------------------------ the hosts

/** What the facts script and the reset script answer; anything else is "command not found". */
class ClusterHost extends MemoryHost {
  /** Tunnels asked for, as "address:port". */
  readonly tunnels: string[] = [];
  /** Whether the files are there: the first reset removes them, the next finds nothing. */
  clean = false;

  constructor(name: string) {
    super(name);
    this.on((argv) => {
      if (argv[0] === 'sh' && argv[3] === 'sh') {
        return { stdout: `hostname=${name}\nos=debian 12\narch=x86_64\nuid=0\ncpus=2\nmemkb=4000000\nswaps=0\nactive.kubelet=${this.clean ? 'inactive' : 'active'}\n` };
      }
      if (argv[2] === RESET_SCRIPT) return { stdout: this.reset(argv) };
      return undefined;
    });
  }

  /** The script's lines for the steps in argv: removed (or present, planning) the first time, absent after. */
  private reset(argv: readonly string[]): string {
    const plan = argv[5] === 'plan';
    const outcome = this.clean ? 'absent' : plan ? 'present' : 'removed';
    if (!plan) {
      events.push(`reset ${this.name}`);
      this.clean = true;
    }
    const lines: string[] = [];
    const args = argv.slice(6);
    for (let i = 0; i < args.length; i++) {
      const op = args[i]!;
      const target = op === 'dir' || op === 'file' || op === 'crictl' ? args[++i]! : op === 'daemon-reload' ? 'systemd' : op;
      const o = op === 'daemon-reload' ? (plan ? 'present' : 'done') : outcome;
      lines.push(`${op}\t${target}\t${o}\t${(op === 'dir' || op === 'crictl') && outcome !== 'absent' ? '2' : ''}`);
    }
    return lines.join('\n') + '\n';
  }

  /** An etcd client URL (https://<advertise address>:2379) goes to that member's local port; the rest as asked. */
  override async connect(port: number, address = '127.0.0.1'): Promise<Duplex> {
    this.tunnels.push(`${address}:${port}`);
    const name = Object.entries(ADDRESSES).find(([, a]) => a === address)?.[0];
    const member = port === 2379 && name ? members.get(name) : undefined;
    return directConnector(member ? { host: '127.0.0.1', port: Number(new URL(member.clientURL).port) } : { host: address, port });
  }
}

const hosts = new Map<string, ClusterHost>();
/** Hosts whose SSH connection fails, as a dead or reprovisioned machine's does. */
const down = new Set<string>();

// -------------------------------------------------------------------------------------------- the API

type Pod = KubeObject & { spec: { nodeName: string } };

/** Nodes, Pods and evictions in memory, keeping the API's answers: 404 for what is gone, 429 while a budget forbids. */
class FakeApi implements NodeApi {
  readonly nodes = new Map<string, KubeObject>();
  pods: Pod[] = [];
  /** Pods ("ns/name") whose eviction a PodDisruptionBudget refuses, this many more times. */
  readonly budget = new Map<string, number>();

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    return ref.kind === 'Node' ? this.nodes.get(ref.name) : undefined;
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    events.push(`delete ${ref.kind} ${ref.name}`);
    return this.nodes.delete(ref.name);
  }

  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject> {
    events.push(`patch ${ref.kind} ${ref.name} ${JSON.stringify(patch)}`);
    const node = this.nodes.get(ref.name);
    if (!node) throw new ApiError(404, 'NotFound', `patch Node ${ref.name}: 404`);
    Object.assign(node, patch);
    return node;
  }

  async podsOnNode(name: string): Promise<KubeObject[]> {
    return this.pods.filter((p) => p.spec.nodeName === name);
  }

  async evict(namespace: string, name: string, apiVersion?: string): Promise<void> {
    const id = `${namespace}/${name}`;
    assert.equal(apiVersion, 'policy/v1');
    const refusals = this.budget.get(id) ?? 0;
    if (refusals > 0) {
      this.budget.set(id, refusals - 1);
      throw new ApiError(429, 'TooManyRequests', `evict Pod ${id}: 429 Cannot evict pod as it would violate the pod's disruption budget.`);
    }
    if (!this.pods.some((p) => `${p.metadata.namespace}/${p.metadata.name}` === id)) throw new ApiError(404, 'NotFound', `evict Pod ${id}: 404`);
    events.push(`evict ${id}`);
    this.pods = this.pods.filter((p) => `${p.metadata.namespace}/${p.metadata.name}` !== id);
  }
}

const api = new FakeApi();
const node = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });

function pod(namespace: string, name: string, nodeName: string, extra: { owner?: string; mirror?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      ...(extra.mirror ? { annotations: { 'kubernetes.io/config.mirror': 'abc' } } : {}),
      ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: extra.owner, name: 'x', uid: 'u', controller: true }] } : {}),
    } as KubeObject['metadata'],
    spec: { nodeName },
  };
}

function remove(name: string, options: { dryRun?: boolean; waitTimeoutMs?: number } = {}) {
  return removeHost(inv, name, {
    yes: true,
    renderer: 'silent',
    ...options,
    connect: async (spec: HostSpec) => {
      if (down.has(spec.name)) throw new Error(`${spec.name}: the host presented a different host key`);
      return hosts.get(spec.name)!;
    },
  }, { api: async () => api });
}

// ---------------------------------------------------------------------------------------------- setup

const client = () => new EtcdClient({ endpoints: [...running.keys()].map((n) => members.get(n)!.clientURL), tls: members.get('cp2')!.tls, timeoutMs: 3000 });

function start(name: string): void {
  const m = members.get(name)!;
  running.set(name, startEtcd(m, initialCluster([...members.values()].map((x) => ({ name: x.name, peerURL: x.peerURL }))), 'new'));
}

async function stop(name: string): Promise<void> {
  await stopEtcd(running.get(name));
  running.delete(name);
}

/** Until every running member answers and they agree on a leader. */
function healthy(): Promise<unknown> {
  return until(`etcd healthy (cp1: ${etcdLog(members.get('cp1')!)})`, START_MS, async () => {
    const health = await client().checkClusterHealth();
    const up = health.filter((x) => running.has(x.member.name));
    if (up.some((x) => x.status?.leader === '0')) throw new Error('no leader yet');
    return up;
  });
}

const etcdctlNames = async (via: string) => (await etcdctlMembers(members.get(via)!)).map((m) => m.name).sort();

before(async () => {
  const names = ['cp1', 'cp2', 'cp3'] as const;
  pki = await makeEtcdPki([...names], names.map((n) => ADDRESSES[n]));
  for (const m of pki.members) members.set(m.name, m);
  const spec = (name: keyof typeof ADDRESSES, role: 'control-plane' | 'worker') => ({ ...hostSpec(name, ADDRESSES[name], [role]), criSocket: SOCKET });
  inv = fixtureInventory(pki.stateDir, {
    controlPlaneEndpoint: 'lb.example:6443',
    hosts: [spec('cp1', 'control-plane'), spec('cp2', 'control-plane'), spec('cp3', 'control-plane'), spec('w1', 'worker')],
  });
  for (const name of Object.keys(ADDRESSES)) {
    hosts.set(name, new ClusterHost(name));
    api.nodes.set(name, node(name));
  }
  for (const name of names) start(name);
  await healthy();
});

after(async () => {
  await Promise.all([...running.keys()].map(stop));
  if (pki) rmSync(pki.root, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------------ the steps

test('the host must be in the inventory, and the last control plane is never removed', () => {
  assert.throws(() => removeTarget(inv, 'cp9'), (e: Error) => e instanceof UsageError && e.message === 'no host named "cp9" in the inventory (it has cp1, cp2, cp3, w1)');
  const single = { ...inv, hosts: inv.hosts.filter((h) => h.name === 'cp1' || h.name === 'w1') };
  assert.throws(() => removeTarget(single, 'cp1'), (e: Error) => e instanceof UsageError && /^refusing to remove cp1: it is the last control-plane host/.test(e.message));
  assert.equal(removeTarget(single, 'w1').name, 'w1');
});

test('without --yes and without a terminal, remove refuses; the question says what happens, in order', async () => {
  await assert.rejects(confirmRemove(inv, 'cp2', {}), (e: Error) => e instanceof UsageError &&
    e.message === 'refusing to remove cp2 (10.0.0.2, control-plane) without confirmation. Run it on a terminal to be asked, or pass --yes (try --dry-run first to see what would be done).');
  let asked = '';
  assert.equal(await confirmRemove(inv, 'cp2', { prompt: async (q) => ((asked = q), 'no') }), false);
  const lines = asked.split('\n');
  assert.equal(lines[0], 'This removes cp2 (10.0.0.2, control-plane) from the cluster. It will:');
  assert.match(lines[1]!, /^ {2}- remove its etcd member \(named cp2\) through the other control planes' members \(cp1, cp3\)/);
  assert.match(lines[2]!, /^ {2}- delete its Node cp2/);
  assert.match(lines[3]!, /^ {2}- reset the host as `bootstrap reset --hosts cp2` does: stop kubelet; /);
  assert.equal(await confirmRemove(inv, 'w1', { prompt: async () => 'yes' }), true);
  assert.equal(await confirmRemove(inv, 'w1', { dryRun: true }), true);
});

test('refused with the numbers, before anything changes, when the removal would cost etcd its quorum', async () => {
  await stop('cp2');
  const before = events.length;
  const report = await remove('cp3');
  assert.equal(report.ok, false);
  assert.equal(report.refused, true);
  assert.equal(report.via, 'cp1');
  assert.match(report.error!, /^refusing to remove cp3: removing member cp3 \(https:\/\/127\.0\.0\.1:\d+\) would leave 1 answering of 2 voting members, fewer than the 2 a quorum needs; nothing was changed$/);
  assert.equal(report.reset.outcome, 'not-run');
  assert.deepEqual(report.etcd?.before.map((m) => [m.name, m.healthy]).sort(), [['cp1', true], ['cp2', false], ['cp3', true]]);
  assert.deepEqual(events.slice(before), []);
  assert.deepEqual(await etcdctlNames('cp1'), ['cp1', 'cp2', 'cp3']);
  assert.ok(api.nodes.has('cp3'));
  start('cp2');
  await healthy();
});

test('a dry run reads through another control plane, says what it would do, and changes nothing', async () => {
  const before = events.length;
  const report = await remove('cp1', { dryRun: true });
  assert.equal(report.ok, true, report.error);
  assert.equal(report.via, 'cp2');
  assert.equal(report.etcd?.outcome, 'would-remove');
  assert.equal(report.node?.outcome, 'would-delete');
  assert.equal(report.reset.outcome, 'would-reset');
  assert.match(report.actions[0]!, /^would remove etcd member cp1 \(ID [0-9a-f]+, https:\/\/127\.0\.0\.1:\d+\) through cp2$/);
  assert.equal(report.actions[1], "would delete Node cp1 through cp2's API server");
  assert.equal(report.actions[2], 'would reset cp1 (19 steps)');
  assert.deepEqual(events.slice(before), []);
  assert.deepEqual(await etcdctlNames('cp1'), ['cp1', 'cp2', 'cp3']);
});

test('the first control plane, unreachable: its member removed through cp2 (two healthy members remain), its Node deleted, the host not reset', async () => {
  down.add('cp1');
  const cp1Commands = hosts.get('cp1')!.commands.length;
  const before = events.length;
  const report = await remove('cp1');
  assert.equal(report.ok, true, report.error);
  assert.equal(report.via, 'cp2');
  assert.equal(report.etcd?.outcome, 'removed');
  assert.equal(report.etcd?.member?.name, 'cp1');
  assert.deepEqual(report.etcd?.after.map((m) => [m.name, m.healthy]).sort(), [['cp2', true], ['cp3', true]]);
  assert.equal(report.node?.outcome, 'deleted');
  assert.equal(report.reset.outcome, 'not-reached');
  assert.equal(report.reset.unreachable, 'cp1: the host presented a different host key');
  assert.deepEqual(report.connections.map((c) => [c.name, c.reachable]), [['cp1', false], ['cp2', true], ['cp3', true]]);
  assert.match(report.warnings[0]!, /^cp1 could not be reached \(cp1: the host presented a different host key\): it is taken out of the cluster, but the host itself is not reset$/);
  assert.deepEqual(events.slice(before), ['delete Node cp1']);
  assert.equal(hosts.get('cp1')!.commands.length, cp1Commands);
  // The etcd client's key stays in the client: nothing of it in the report.
  assert.doesNotMatch(JSON.stringify(report), /PRIVATE KEY|BEGIN/);
  // The outside judge, asked at a remaining member: two members.
  assert.deepEqual(await etcdctlNames('cp2'), ['cp2', 'cp3']);
  // The removed member stops serving; the rest keep their quorum.
  await stop('cp1');
  await healthy();
});

test('again, with the host back: the member and the Node are already gone, and the host is reset', async () => {
  down.delete('cp1');
  const before = events.length;
  const tunnels = hosts.get('cp1')!.tunnels.length;
  const report = await remove('cp1');
  assert.equal(report.ok, true, report.error);
  assert.equal(report.etcd?.outcome, 'absent');
  assert.equal(report.etcd?.member, undefined);
  assert.equal(report.node?.outcome, 'absent');
  assert.equal(report.reset.outcome, 'reset');
  assert.ok(report.reset.removed.includes('/var/lib/etcd'));
  assert.deepEqual(events.slice(before), ['delete Node cp1', 'reset cp1']);
  assert.ok(report.notes.includes('etcd: no member named cp1 or with peer URL https://10.0.0.1:2380: already removed'), report.notes.join('\n'));
  // Never through the leaving host: no tunnel was opened over cp1's connection.
  assert.deepEqual(hosts.get('cp1')!.tunnels.slice(tunnels), []);
  // A third time: nothing left to do anywhere.
  const third = await remove('cp1');
  assert.equal(third.ok, true);
  assert.equal(third.reset.outcome, 'nothing-there');
  assert.deepEqual(await etcdctlNames('cp2'), ['cp2', 'cp3']);
  // As the report tells the user: the host leaves the inventory too. Left in, it is not chosen to go through.
  assert.ok(third.notes.includes('remove cp1 from the inventory: it is no longer part of the cluster'), third.notes.join('\n'));
});

test('a worker: cordoned, its Pods evicted (not DaemonSet or static Pods, a budget waited out), reset, then its Node deleted', async () => {
  api.pods = [
    pod('default', 'web-1', 'w1', { owner: 'ReplicaSet' }),
    pod('default', 'db-0', 'w1', { owner: 'StatefulSet' }),
    pod('kube-system', 'kube-proxy-x', 'w1', { owner: 'DaemonSet' }),
    pod('kube-system', 'static-w1', 'w1', { mirror: true }),
    pod('default', 'web-2', 'cp2', { owner: 'ReplicaSet' }),
  ];
  api.budget.set('default/db-0', 1);
  const before = events.length;
  const report = await remove('w1');
  assert.equal(report.ok, true, report.error);
  assert.equal(report.role, 'worker');
  // cp1 answers SSH, but was reset (its kubelet does not run): the API is reached through cp2.
  assert.equal(report.via, 'cp2');
  assert.equal(report.etcd, undefined);
  assert.deepEqual(report.drain, { cordoned: true, evicted: ['default/web-1', 'default/db-0'], kept: ['kube-system/kube-proxy-x (DaemonSet)', 'kube-system/static-w1 (static Pod)'] });
  assert.deepEqual(events.slice(before), [
    'patch Node w1 {"spec":{"unschedulable":true}}', 'evict default/web-1', 'evict default/db-0', 'reset w1', 'delete Node w1',
  ]);
  assert.equal(report.node?.outcome, 'deleted');
  assert.equal(report.reset.outcome, 'reset');
  assert.deepEqual(api.pods.map((p) => p.metadata.name), ['kube-proxy-x', 'static-w1', 'web-2']);
});

test('a worker whose Pods cannot be evicted within the wait timeout stays cordoned, is not reset, and keeps its Node', async () => {
  hosts.get('w1')!.clean = false;
  api.nodes.set('w1', node('w1'));
  api.pods = [pod('default', 'db-0', 'w1', { owner: 'StatefulSet' })];
  api.budget.set('default/db-0', Infinity);
  const before = events.length;
  const report = await remove('w1', { waitTimeoutMs: 1 });
  assert.equal(report.ok, false);
  assert.equal(report.refused, false);
  assert.match(report.error!, /^Node w1: 1 Pod\(s\) still there after 0s: default\/db-0 \(eviction refused: evict Pod default\/db-0: 429 Cannot evict pod/);
  assert.equal(report.reset.outcome, 'not-run');
  assert.deepEqual(events.slice(before), ['patch Node w1 {"spec":{"unschedulable":true}}']);
  assert.ok(api.nodes.has('w1'));
  api.budget.clear();
});

test('a worker that is not reached: its evicted Pods are not waited for, and its Node is deleted', async () => {
  down.add('w1');
  try {
    api.nodes.set('w1', node('w1'));
    api.pods = [pod('default', 'web-3', 'w1', { owner: 'ReplicaSet' })];
    // As the API does for a Pod on a Node whose kubelet is gone: the eviction is accepted, the Pod stays, terminating.
    const evict = api.evict.bind(api);
    api.evict = async (namespace, name) => {
      events.push(`evict ${namespace}/${name} (terminating)`);
      if (!api.pods.length) await evict(namespace, name);
    };
    const before = events.length;
    const report = await remove('w1', { waitTimeoutMs: 60_000 });
    api.evict = evict;
    assert.equal(report.ok, true, report.error);
    assert.equal(report.reset.outcome, 'not-reached');
    assert.deepEqual(report.drain?.evicted, ['default/web-3']);
    assert.deepEqual(events.slice(before), ['patch Node w1 {"spec":{"unschedulable":true}}', 'evict default/web-3 (terminating)', 'delete Node w1']);
    assert.ok(report.notes.includes('w1 is not reached, so its kubelet cannot confirm that its Pods stopped: they go once its Node is deleted'));
  } finally {
    down.delete('w1');
  }
});

test('with no other control plane reachable, nothing is changed', async () => {
  down.add('cp1');
  down.add('cp2');
  down.add('cp3');
  try {
    const before = events.length;
    const report = await remove('w1');
    assert.equal(report.ok, false);
    assert.equal(report.refused, false);
    assert.equal(report.error, 'no other control plane could be reached to remove w1 through (cp1: cp1: the host presented a different host key; ' +
      'cp2: cp2: the host presented a different host key; cp3: cp3: the host presented a different host key); nothing was changed');
    assert.deepEqual(events.slice(before), []);
  } finally {
    down.delete('cp1');
    down.delete('cp2');
    down.delete('cp3');
  }
});
