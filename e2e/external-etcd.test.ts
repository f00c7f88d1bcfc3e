/**
 * cluster.etcd.external on the lab: a real etcd (Debian's, TLS with client-certificate authentication) on the lab
 * bridge's own address, outside every node, and `bootstrap up` of one control plane pointed at it. Judged from
 * outside: kubectl with the admin kubeconfig, etcdctl against the external etcd (the cluster's keys are there,
 * under /registry/), the node's files (no etcd.yaml, the client key 0600) and the runtime (no etcd Pod); a re-run
 * changes nothing; status lists the external member; with the etcd gone, preflight stops up before anything is
 * written (kubeadm's ExternalEtcdVersion check).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { UpReport } from '../src/commands/up.js';
import { failures, upReport, variant } from './runs.js';
import { DockerCli } from './lab/docker.js';
import { startExternalEtcd, type ExternalEtcd } from './lab/external-etcd.js';
import { defaultUpOptions, down, up as labUp } from './lab/lab.js';
import { kubectlBinary, labUnavailable } from './lab/testing.js';
import { defaultRepoRoot, labExists, type LabState } from './lab/state.js';

const run = promisify(execFile);
const repoRoot = defaultRepoRoot();
const cli = join(repoRoot, 'dist/src/cli/main.js');
const quiet = () => undefined;

describe('an external etcd on the lab (v1.28, one control plane)', { concurrency: 1, skip: labUnavailable() }, () => {
  let lab: LabState;
  let docker: DockerCli;
  let etcd: ExternalEtcd | undefined;
  let inventory: string;
  let kubectlBin: string;
  let first: UpReport;
  const onNode = async (script: string) => (await docker.exec(lab.nodes[0]!.container, ['sh', '-c', script])).stdout;

  before(async () => {
    kubectlBin = await kubectlBinary();
    if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
    lab = await labUp(repoRoot, defaultUpOptions({ hosts: 1, controlPlanes: 1, kubernetesVersion: 'v1.28.4', log: quiet }));
    docker = new DockerCli(lab.docker.host);
    // The bridge's address exists once the lab is up; every node reaches it (the registries are there too).
    etcd = await startExternalEtcd(lab.network.gateway);
    const files = etcd;
    inventory = await variant(lab.inventory, (doc) => {
      doc.setIn(['cluster', 'etcd'], doc.createNode({ external: { endpoints: [files.endpoint], caFile: files.caFile, certFile: files.certFile, keyFile: files.keyFile } }));
    }, 'external-etcd');
  });

  after(async () => {
    await etcd?.stop();
    if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
  });

  it('up ends healthy with no etcd on the node: kubectl lists the Node, the cluster\'s keys are in the external etcd', async () => {
    first = await upReport(inventory);
    assert.equal(first.ok, true, failures(first));
    const cp1 = first.hosts[0]!;
    assert.deepEqual(cp1.components.map((c) => [c.name, c.healthy]).sort(), [
      ['kube-apiserver', true], ['kube-controller-manager', true], ['kube-scheduler', true], ['kubelet', true],
    ]);
    assert.ok(cp1.notes.some((n) => n.startsWith(`external etcd: ${etcd!.endpoint} (etcd 3.`)), cp1.notes.join('\n'));
    assert.ok(!cp1.changed.includes('/etc/kubernetes/manifests/etcd.yaml'));
    assert.ok(first.adminKubeconfig);
    const kubectl = async (...args: string[]) => (await run(kubectlBin, ['--kubeconfig', first.adminKubeconfig!, ...args])).stdout;
    assert.match(await kubectl('get', 'nodes', '-o', 'name'), /^node\/cp1$/m);
    assert.doesNotMatch(await kubectl('get', 'pods', '-n', 'kube-system', '-o', 'name'), /etcd/);
    // The outside judge of where the cluster lives: etcdctl against the external etcd.
    const keys = (await etcd!.etcdctl('get', '/registry/', '--prefix', '--keys-only')).split('\n').filter(Boolean);
    for (const key of ['/registry/namespaces/kube-system', '/registry/configmaps/kube-system/kubeadm-config', '/registry/nodes/cp1']) {
      assert.ok(keys.includes(key), `${key} is not in the external etcd: ${keys.slice(0, 20).join(', ')}`);
    }
    // The node: no etcd manifest, no etcd Pod in the runtime, no etcd data; the client key private.
    assert.equal(await onNode('ls /etc/kubernetes/manifests | sort | tr "\\n" " "'), 'kube-apiserver.yaml kube-controller-manager.yaml kube-scheduler.yaml ');
    assert.equal((await onNode('crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock pods --name etcd -q')).trim(), '');
    assert.equal((await onNode('stat -c %a /etc/kubernetes/pki/apiserver-etcd-client.key')).trim(), '600');
    assert.equal((await onNode('ls /etc/kubernetes/pki/etcd | tr "\\n" " "')).trim(), 'ca.crt');
    const config = await kubectl('get', 'cm', '-n', 'kube-system', 'kubeadm-config', '-o', 'jsonpath={.data.ClusterConfiguration}');
    assert.match(config, new RegExp(`etcd:\\n  external:\\n    caFile: /etc/kubernetes/pki/etcd/ca.crt\\n    certFile: /etc/kubernetes/pki/apiserver-etcd-client.crt\\n    endpoints:\\n    - ${etcd!.endpoint.replace(/\./g, '\\.')}\\n    keyFile: /etc/kubernetes/pki/apiserver-etcd-client.key\\n`));
  });

  it('a re-run changes nothing', async () => {
    const again = await upReport(inventory);
    assert.equal(again.ok, true, failures(again));
    assert.deepEqual(again.hosts.flatMap((h) => h.changed), []);
    assert.equal(again.changed, false);
  });

  it('status lists the external etcd member, read with the inventory\'s client certificate', async () => {
    const { stdout } = await run(process.execPath, [cli, 'status', inventory, '-o', 'json'], { cwd: repoRoot }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    const status = JSON.parse(stdout) as { ok: boolean; etcd?: { members: { id: string; name: string; clientURL: string; leader: boolean; healthy: boolean }[] } };
    assert.ok(status.etcd, stdout);
    // "<id>, started, <name>, <peer URLs>, <client URLs>, <is learner>"
    const members = (await etcd!.etcdctl('member', 'list', '-w', 'simple')).trim().split('\n').map((l) => l.split(', '));
    assert.deepEqual(status.etcd.members.map((m) => [m.id, m.name, m.clientURL, m.leader, m.healthy]), members.map((m) => [m[0], m[2], m[4], true, true]));
    assert.equal(status.ok, true, stdout);
  });

  it('with the external etcd gone, preflight fails on ExternalEtcdVersion, naming the endpoint, and nothing is written', async () => {
    await etcd!.halt();
    const report = await upReport(inventory);
    assert.equal(report.ok, false);
    const cp1 = report.hosts[0]!;
    assert.match(cp1.error ?? '', new RegExp(`\\[ERROR ExternalEtcdVersion\\]: cannot reach the external etcd from cp1: etcd Status at ${etcd!.endpoint.replace(/\./g, '\\.')}: `), cp1.error);
    assert.match(cp1.error ?? '', /--ignore-preflight-errors=ExternalEtcdVersion/);
    assert.deepEqual(cp1.changed, []);
  });
});
