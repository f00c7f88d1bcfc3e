/**
 * Several control-plane hosts (stacked etcd): the first renders exactly as a lone control plane does, the others
 * what kubeadm join --control-plane writes. Golden files under test/golden/control-plane-join/<version>/<host>/ for
 * v1.28 and v1.33, either side of EtcdLearnerMode's default (v1.29) and ControlPlaneKubeletLocalMode's (v1.33):
 * the etcd and API server manifests, the kubeconfigs (key material redacted) and the file list with modes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { renderCluster, type HostRender } from '../../src/render/index.js';
import { ETCD_MEMBER_ADD, etcdMemberAdd, joiningKubeletServer } from '../../src/cluster/index.js';
import { lookup } from '../../src/kube/table.js';
import { useKeyGenerator } from '../../src/pki/keys.js';
import { assertGolden } from '../golden.js';
import { repoRoot } from '../helpers.js';
import { redactKubeconfig, tempDir, useKeyPool } from '../pki/fixtures.js';

const run = promisify(execFile);
const stateDir = tempDir('bootstrap-control-plane-join-');
before(() => useKeyPool(4));
after(() => {
  useKeyGenerator();
  rmSync(stateDir, { recursive: true, force: true });
});

const HOSTS = `hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: cp2, address: 10.7.0.151, roles: [control-plane] }
  - { name: cp3, address: 10.7.0.152, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`;

function haText(version: string): string {
  return `cluster:
  kubernetesVersion: ${version}
  controlPlaneEndpoint: k8s.example.com:6443
  networking: { podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12 }
${HOSTS}`;
}

function haInventory(version: string): Inventory {
  return { ...parseInventory('/work/cluster/ha.yaml', haText(version)), stateDir };
}

function fileOf(render: HostRender, path: string): string {
  const file = render.files.find((f) => f.path === path);
  assert.ok(file, `${render.host.name}: no ${path}`);
  return String(file.content);
}

for (const version of ['v1.28.15', 'v1.33.0']) {
  test(`${version}: joining control planes equal the golden files; the first is rendered as a lone control plane`, async () => {
    const inv = haInventory(version);
    const renders = await renderCluster(inv);
    const [cp1, cp2, cp3] = renders;
    assert.ok(cp1 && cp2 && cp3);
    for (const render of [cp2, cp3]) {
      const dir = `control-plane-join/${version}/${render.host.name}`;
      assertGolden(`${dir}/files.txt`, render.files.map((f) => `${f.path} ${f.mode.toString(8)}`).join('\n') + '\n');
      for (const component of ['etcd', 'kube-apiserver']) {
        assertGolden(`${dir}/${component}.yaml`, fileOf(render, `/etc/kubernetes/manifests/${component}.yaml`));
      }
      for (const conf of ['admin.conf', 'controller-manager.conf', 'scheduler.conf']) {
        assertGolden(`${dir}/${conf}`, redactKubeconfig(fileOf(render, `/etc/kubernetes/${conf}`)));
      }
      // Shared with the first host: the CAs and the service-account key pair.
      for (const shared of ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'etcd/ca.crt', 'etcd/ca.key', 'sa.key', 'sa.pub']) {
        assert.equal(fileOf(render, `/etc/kubernetes/pki/${shared}`), fileOf(cp1, `/etc/kubernetes/pki/${shared}`), shared);
      }
      // Its own: the API server's certificate names its address and the endpoint.
      const apiserver = new X509Certificate(fileOf(render, '/etc/kubernetes/pki/apiserver.crt'));
      assert.match(apiserver.subjectAltName ?? '', new RegExp(`IP Address:${render.host.advertiseAddress}\\b`));
      assert.match(apiserver.subjectAltName ?? '', /DNS:k8s\.example\.com/);
      assert.notEqual(fileOf(render, '/etc/kubernetes/pki/etcd/peer.crt'), fileOf(cp1, '/etc/kubernetes/pki/etcd/peer.crt'));
      // The cluster's kubelet ConfigMap, as a worker gets it.
      assert.equal(fileOf(render, '/var/lib/kubelet/config.yaml'), fileOf(cp1, '/var/lib/kubelet/config.yaml'));
      assert.match(render.notes.join('\n'), /kubelet\.conf comes from the kubelet's TLS bootstrap at join time/);
    }
    // The first control plane is what kubeadm init writes, as without the others.
    for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      if (version === 'v1.28.15') {
        assertGolden(`manifests/${version}/${component}.yaml`, fileOf(cp1, `/etc/kubernetes/manifests/${component}.yaml`));
      }
    }
    assert.ok(cp1.files.some((f) => f.path === '/etc/kubernetes/kubelet.conf'));
    assert.doesNotMatch(fileOf(cp1, '/etc/kubernetes/manifests/etcd.yaml'), /initial-cluster-state/);
  });
}

test('render through the CLI writes every control-plane host; the joining ones get no kubelet.conf nor super-admin.conf', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-render-ha-'));
  await writeFile(join(dir, 'inventory.yaml'), haText('v1.33.0'));
  const { stdout, stderr } = await run(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'render', join(dir, 'inventory.yaml'), '--out', join(dir, 'out')]);
  assert.equal(stderr, '');
  assert.match(stdout, /^cp1: 34 files under /m);
  assert.match(stdout, /^cp2: 32 files under /m);
  assert.match(stdout, /^cp3: 32 files under /m);
  assert.match(await readFile(join(dir, 'out/cp3/etc/kubernetes/manifests/etcd.yaml'), 'utf8'),
    /--initial-cluster=cp1=https:\/\/10\.7\.0\.149:2380,cp2=https:\/\/10\.7\.0\.151:2380,cp3=https:\/\/10\.7\.0\.152:2380\n {4}- --initial-cluster-state=existing\n/);
  await assert.rejects(readFile(join(dir, 'out/cp2/etc/kubernetes/kubelet.conf')), { code: 'ENOENT' });
  await assert.rejects(readFile(join(dir, 'out/cp2/etc/kubernetes/super-admin.conf')), { code: 'ENOENT' });
});

test('a joining etcd member is added as a voter up to v1.28, as a learner (then promoted) from v1.29', () => {
  assert.equal(lookup(ETCD_MEMBER_ADD, 'v1.20.0'), 'voter');
  assert.equal(lookup(ETCD_MEMBER_ADD, 'v1.28.15'), 'voter');
  assert.equal(lookup(ETCD_MEMBER_ADD, 'v1.29.0'), 'learner');
  assert.equal(lookup(ETCD_MEMBER_ADD, 'v1.32.0'), 'learner');
  assert.equal(etcdMemberAdd(haInventory('v1.37.1')), 'learner');
});

test('a joining control plane\'s kubelet talks to controlPlaneEndpoint up to v1.32, to its own API server from v1.33', () => {
  for (const [version, server] of [['v1.28.15', 'https://k8s.example.com:6443'], ['v1.32.0', 'https://k8s.example.com:6443'], ['v1.33.0', 'https://10.7.0.151:6443']]) {
    const inv = haInventory(version as string);
    assert.equal(joiningKubeletServer(inv, inv.hosts[1]!), server, version);
  }
});
