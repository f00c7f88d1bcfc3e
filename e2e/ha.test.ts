/**
 * Several control planes on the lab: three control-plane nodes with stacked etcd and a worker, behind the lab's
 * load balancer (Debian's haproxy) as controlPlaneEndpoint. Judged from outside by the real etcdctl (member list,
 * endpoint health --cluster) and the real kubectl through the endpoint. Losing a control plane keeps the API
 * answering and `status` names the lost member; the node coming back converges; a control plane whose disk was
 * wiped rejoins (its stale member removed and added again); a re-run changes nothing.
 * v1.33, where a joining member is a learner promoted once in sync and a control plane's kubelet talks to its own
 * API server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { removeHost } from '../src/commands/remove.js';
import { resetHosts } from '../src/commands/reset.js';
import { statusOf } from '../src/commands/status.js';
import { loadInventory } from '../src/inventory/index.js';
import type { Inventory } from '../src/inventory/types.js';
import { hostPkiDir } from '../src/pki/index.js';
import { failures, labRunOptions, upReport } from './runs.js';
import { applyFault, clearFault } from './lab/faults.js';
import { waitForBackends } from './lab/load-balancer.js';
import { DockerCli } from './lab/docker.js';
import { defaultUpOptions, down, up as labUp } from './lab/lab.js';
import { kubectlBinary, labUnavailable } from './lab/testing.js';
import { defaultRepoRoot, labExists, type LabState } from './lab/state.js';

const run = promisify(execFile);
const repoRoot = defaultRepoRoot();
const quiet = () => undefined;
const VERSION = 'v1.33.6';

interface Member {
  ID: number | string;
  name: string;
  peerURLs: string[];
  clientURLs?: string[];
  isLearner?: boolean;
}

describe(`several control planes behind the lab's load balancer (${VERSION}: three control planes, one worker)`, { skip: labUnavailable(), concurrency: 1 }, () => {
  let lab: LabState;
  let inv: Inventory;
  let kubectlBin: string;
  let admin: string;
  let endpoint: string;

  /** The real etcdctl, with cp1's etcd/healthcheck-client certificate, against every control plane's client URL. */
  const etcdctl = async (...args: string[]) => {
    const pki = hostPkiDir(inv.stateDir, 'cp1');
    const endpoints = inv.hosts.filter((h) => h.roles.includes('control-plane')).map((h) => `https://${h.advertiseAddress}:2379`);
    const { stdout, stderr } = await run('etcdctl', [
      `--endpoints=${endpoints.join(',')}`,
      `--cacert=${join(inv.stateDir, 'pki', 'etcd', 'ca.crt')}`,
      `--cert=${join(pki, 'etcd', 'healthcheck-client.crt')}`,
      `--key=${join(pki, 'etcd', 'healthcheck-client.key')}`,
      '--dial-timeout=5s',
      '--command-timeout=10s',
      ...args,
    ], { env: { ...process.env, ETCDCTL_API: '3' }, timeout: 60_000 });
    // etcdctl prints endpoint health on stderr.
    return stdout + stderr;
  };
  const members = async () => (JSON.parse(await etcdctl('member', 'list', '-w', 'json')) as { members: Member[] }).members;
  const started = async () => (await members()).filter((m) => m.name).map((m) => m.name).sort();
  /** The real kubectl with the admin kubeconfig, whose server is the load balancer. */
  const kubectl = async (...args: string[]) => (await run(kubectlBin, ['--kubeconfig', admin, '--request-timeout=20s', ...args], { maxBuffer: 16 << 20 })).stdout;
  const nodeNames = async () => (await kubectl('get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}')).split(/\s+/).filter(Boolean).sort();

  before(async () => {
    kubectlBin = await kubectlBinary();
    if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
    lab = await labUp(repoRoot, defaultUpOptions({ hosts: 4, controlPlanes: 3, kubernetesVersion: VERSION, log: quiet }));
    inv = await loadInventory(lab.inventory);
    endpoint = inv.cluster.controlPlaneEndpoint ?? '';
  });

  after(async () => {
    if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
  });

  it('up from scratch: three started etcd members, a healthy etcd cluster, and kubectl through the load balancer', async () => {
    assert.ok(endpoint, 'the lab inventory has no controlPlaneEndpoint');
    assert.ok(!['10.77.0.10', '10.77.0.11', '10.77.0.12'].some((a) => endpoint.startsWith(`${a}:`)), `controlPlaneEndpoint ${endpoint} is a control plane, not the load balancer`);
    const report = await upReport(lab.inventory);
    assert.equal(report.ok, true, failures(report));
    assert.ok(report.adminKubeconfig);
    admin = report.adminKubeconfig;
    const list = await members();
    assert.deepEqual(list.map((m) => m.name).sort(), ['cp1', 'cp2', 'cp3'], JSON.stringify(list));
    assert.ok(list.every((m) => !m.isLearner && (m.clientURLs ?? []).length === 1), `a member is a learner or never started: ${JSON.stringify(list)}`);
    // endpoint health --cluster exits non-zero when any member is unhealthy.
    const health = await etcdctl('endpoint', 'health', '--cluster');
    assert.equal((health.match(/is healthy/g) ?? []).length, 3, health);
    // The joined members were added as learners and promoted (v1.29+), each with the --initial-cluster etcd answered.
    for (const name of ['cp2', 'cp3']) {
      const notes = report.hosts.find((h) => h.name === name)!.notes.join('\n');
      assert.match(notes, /etcd member added as a learner; its --initial-cluster as etcd answered: /, notes);
    }
    assert.match(await run('grep', ['server:', admin]).then((r) => r.stdout), new RegExp(`https://${endpoint.replace(/\./g, '\\.')}`));
    assert.deepEqual(await nodeNames(), ['cp1', 'cp2', 'cp3', 'w1']);
    // haproxy's own /readyz checks find every API server ready.
    const backends = await waitForBackends(lab, (b) => b.length === 3 && b.every((x) => x.status === 'UP'), 30_000);
    assert.deepEqual(backends.map((b) => b.address).sort(), ['10.77.0.10:6443', '10.77.0.11:6443', '10.77.0.12:6443']);
    const roles = await kubectl('get', 'nodes', '-l', 'node-role.kubernetes.io/control-plane', '-o', 'jsonpath={.items[*].metadata.name}');
    assert.deepEqual(roles.split(/\s+/).sort(), ['cp1', 'cp2', 'cp3']);
  });

  it('a re-run on the healthy cluster changes nothing', async () => {
    const before = (await members()).map((m) => String(m.ID)).sort();
    const report = await upReport(lab.inventory);
    assert.equal(report.ok, true, failures(report));
    assert.equal(report.changed, false, JSON.stringify(report.hosts.map((h) => ({ host: h.name, changed: h.changed, restarted: h.kubeletRestarted }))));
    assert.deepEqual((await members()).map((m) => String(m.ID)).sort(), before);
    // A dry run says the same without asking the cluster: the joined members' files as they are.
    const dry = await upReport(lab.inventory, { dryRun: true });
    assert.equal(dry.ok, true, failures(dry));
    assert.equal(dry.changed, false, JSON.stringify(dry.hosts.map((h) => ({ host: h.name, changed: h.changed, actions: h.actions.filter((a) => a.startsWith('would write')) }))));
  });

  it('with one control plane stopped, the API answers through the endpoint and status names the lost member', async () => {
    const fault = await applyFault(repoRoot, { kind: 'node-stop', node: 'cp3' }, 5 * 60_000);
    try {
      // haproxy takes the stopped API server out of rotation after its failed checks; kubectl keeps answering.
      const backends = await waitForBackends(lab, (b) => b.find((x) => x.address.startsWith('10.77.0.12:'))?.status === 'DOWN', 30_000);
      assert.deepEqual(backends.filter((b) => b.status === 'UP').map((b) => b.address).sort(), ['10.77.0.10:6443', '10.77.0.11:6443']);
      for (let i = 0; i < 5; i++) assert.deepEqual(await nodeNames(), ['cp1', 'cp2', 'cp3', 'w1']);
      const status = await statusOf(inv, labRunOptions());
      assert.equal(status.ok, false);
      const etcd = status.etcd?.members ?? [];
      assert.deepEqual(etcd.map((m) => `${m.name}:${m.healthy}`).sort(), ['cp1:true', 'cp2:true', 'cp3:false'], JSON.stringify(etcd));
      assert.ok(etcd.some((m) => m.leader), 'no leader among the remaining members');
    } finally {
      await clearFault(repoRoot, fault.id);
    }
    // Back: the node's kubelet starts its static Pods again; up converges without changing anything it wrote.
    const report = await upReport(lab.inventory);
    assert.equal(report.ok, true, failures(report));
    assert.equal(report.hosts.find((h) => h.name === 'cp3')!.changed.length, 0, JSON.stringify(report.hosts.find((h) => h.name === 'cp3')));
    const health = await etcdctl('endpoint', 'health', '--cluster');
    assert.equal((health.match(/is healthy/g) ?? []).length, 3, health);
    await waitForBackends(lab, (b) => b.length === 3 && b.every((x) => x.status === 'UP'), 30_000);
  });

  it('a control plane whose disk was wiped rejoins: its stale member is removed and it is added again', async () => {
    const old = (await members()).find((m) => m.name === 'cp3')!;
    // kubeadm reset's cleanup on cp3 alone: its etcd data is gone, its member is still in the cluster.
    const reset = await resetHosts(await loadInventory(lab.inventory), { ...labRunOptions(), yes: true, hosts: ['cp3'] });
    assert.ok(reset.hosts.every((h) => h.ok), JSON.stringify(reset.hosts));
    assert.ok((await members()).some((m) => String(m.ID) === String(old.ID)), 'the reset removed the member itself');
    const report = await upReport(lab.inventory);
    assert.equal(report.ok, true, failures(report));
    const cp3 = report.hosts.find((h) => h.name === 'cp3')!;
    assert.ok(cp3.changed.some((c) => /^removed etcd member [0-9a-f]+ \(stale\)$/.test(c)), JSON.stringify(cp3.changed));
    const now = await members();
    assert.deepEqual(now.map((m) => m.name).sort(), ['cp1', 'cp2', 'cp3']);
    assert.ok(!now.some((m) => String(m.ID) === String(old.ID)), 'the stale member is still there');
    const health = await etcdctl('endpoint', 'health', '--cluster');
    assert.equal((health.match(/is healthy/g) ?? []).length, 3, health);
    assert.deepEqual(await nodeNames(), ['cp1', 'cp2', 'cp3', 'w1']);
    const again = await upReport(lab.inventory);
    assert.equal(again.ok, true, failures(again));
    assert.equal(again.changed, false, JSON.stringify(again.hosts.map((h) => ({ host: h.name, changed: h.changed }))));
  });

  it('remove of a control plane leaves two healthy members, the API answering through the endpoint, and the host clean', async () => {
    const report = await removeHost(await loadInventory(lab.inventory), 'cp3', { ...labRunOptions(), yes: true });
    assert.equal(report.ok, true, JSON.stringify({ error: report.error, actions: report.actions }));
    assert.equal(report.etcd?.outcome, 'removed');
    assert.equal(report.reset.outcome, 'reset');
    assert.deepEqual(await started(), ['cp1', 'cp2']);
    const health = await etcdctl('endpoint', 'health', '--cluster');
    assert.equal((health.match(/is healthy/g) ?? []).length, 2, health);
    await waitForBackends(lab, (b) => b.find((x) => x.address.startsWith('10.77.0.12:'))?.status === 'DOWN', 30_000);
    assert.deepEqual(await nodeNames(), ['cp1', 'cp2', 'w1']);
    // kubeadm reset's cleanup: no manifests, no etcd data, no kubeconfigs or certificates left on cp3.
    const docker = new DockerCli(lab.docker.host);
    const cp3 = lab.nodes.find((n) => n.name === 'cp3')!.container;
    const left = await docker.exec(cp3, ['sh', '-c', 'ls -A /etc/kubernetes/manifests /var/lib/etcd /etc/kubernetes/pki 2>/dev/null; ls /etc/kubernetes/*.conf 2>/dev/null; true']);
    assert.equal(left.stdout.split('\n').filter((l) => l && !l.endsWith(':')).join(' '), '', left.stdout);
  });

  it('up adds the removed control plane again: three members, all healthy, and a re-run changes nothing', async () => {
    const report = await upReport(lab.inventory);
    assert.equal(report.ok, true, failures(report));
    const cp3 = report.hosts.find((h) => h.name === 'cp3')!;
    assert.ok(cp3.changed.includes('added etcd member cp3'), JSON.stringify(cp3.changed));
    assert.ok(!cp3.changed.some((c) => c.includes('(stale)')), JSON.stringify(cp3.changed));
    assert.deepEqual(await started(), ['cp1', 'cp2', 'cp3']);
    const health = await etcdctl('endpoint', 'health', '--cluster');
    assert.equal((health.match(/is healthy/g) ?? []).length, 3, health);
    await waitForBackends(lab, (b) => b.length === 3 && b.every((x) => x.status === 'UP'), 30_000);
    assert.deepEqual(await nodeNames(), ['cp1', 'cp2', 'cp3', 'w1']);
    const again = await upReport(lab.inventory);
    assert.equal(again.ok, true, failures(again));
    assert.equal(again.changed, false, JSON.stringify(again.hosts.map((h) => ({ host: h.name, changed: h.changed }))));
  });
});
