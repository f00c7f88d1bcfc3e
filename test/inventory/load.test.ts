import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseInventory, loadInventory, InventoryError } from '../../src/inventory/index.js';
import { repoRoot } from '../helpers.js';

const minimal = `
cluster:
  kubernetesVersion: "1.28.4"
hosts:
  - name: cp1
    address: 10.7.0.149
    roles: [control-plane]
`;

test('a two-field inventory gets kubeadm defaults', () => {
  const inv = parseInventory('/srv/lab/inventory.yaml', minimal);
  assert.equal(inv.file, '/srv/lab/inventory.yaml');
  assert.equal(inv.cluster.kubernetesVersion, 'v1.28.4');
  assert.equal(inv.cluster.imageRepository, 'registry.k8s.io');
  assert.equal(inv.cluster.imageRepositoryIsDefault, true);
  assert.equal(inv.cluster.clusterName, 'kubernetes');
  assert.equal(inv.cluster.controlPlaneEndpoint, '');
  assert.equal(inv.cluster.certificatesDir, '/etc/kubernetes/pki');
  assert.deepEqual(inv.cluster.networking, { podSubnet: '', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' });
  assert.equal(inv.cluster.etcd.local.dataDir, '/var/lib/etcd');
  assert.deepEqual(inv.kubelet, {
    serializeImagePulls: undefined, maxParallelImagePulls: undefined, registryPullQPS: undefined, registryBurst: undefined, cgroupDriver: undefined,
  });
  assert.deepEqual(inv.images, { pullPolicy: 'IfNotPresent', retries: 5, parallel: 3, timeoutMs: 300_000, credentials: { configFile: undefined } });
  assert.deepEqual(inv.wait, { timeoutMs: 240_000, nodesReady: false });
  assert.deepEqual(inv.addons, { manifests: [] });
  assert.deepEqual(inv.bootstrapToken, { ttlMs: 24 * 60 * 60_000 });
  assert.equal(inv.stateDir, '/srv/lab/.bootstrap/inventory');
  const [host] = inv.hosts;
  assert.ok(host);
  assert.equal(host.advertiseAddress, '10.7.0.149');
  assert.equal(host.bindPort, 6443);
  assert.deepEqual(host.roles, ['control-plane']);
  assert.equal(host.criSocket, undefined);
  assert.deepEqual(host.ssh, {
    user: 'root', port: 22, identityFile: undefined, agent: true, sudo: false,
    knownHostsFile: join(homedir(), '.ssh', 'known_hosts'), bastion: null, connectTimeoutMs: 10_000,
    explicit: { user: false, port: false, knownHostsFile: false, connectTimeout: false },
  });
});

test('ssh settings written in the inventory are marked explicit, even when equal to the defaults', () => {
  const inv = parseInventory('/x/i.yaml', `
cluster: { kubernetesVersion: v1.28.4 }
ssh: { user: root, connectTimeout: 10s }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane], ssh: { port: 22, knownHostsFile: ~/.ssh/known_hosts } }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`);
  assert.deepEqual(inv.hosts[0]?.ssh.explicit, { user: true, port: true, knownHostsFile: true, connectTimeout: true });
  assert.deepEqual(inv.hosts[1]?.ssh.explicit, { user: true, port: false, knownHostsFile: false, connectTimeout: true });
});

test('an older release defaults to k8s.gcr.io', () => {
  const inv = parseInventory('/x/i.yaml', minimal.replace('1.28.4', 'v1.21.14'));
  assert.equal(inv.cluster.imageRepository, 'k8s.gcr.io');
});

test('per-host ssh settings override the inventory-wide ones; paths expand', () => {
  const inv = parseInventory('/srv/lab/inventory.yaml', `
cluster: { kubernetesVersion: v1.28.4 }
ssh: { user: admin, port: 2222, identityFile: ~/.ssh/lab, knownHostsFile: ./known_hosts, sudo: true, connectTimeout: 3s,
       bastion: { address: jump.example.com, user: jump, identityFile: keys/jump } }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane], ssh: { user: ubuntu, port: 22, bastion: null } }
  - { name: w1, address: 10.7.0.150, roles: [worker], criSocket: /run/containerd/containerd.sock }
`);
  const [cp1, w1] = inv.hosts;
  assert.ok(cp1 && w1);
  assert.equal(cp1.ssh.user, 'ubuntu');
  assert.equal(cp1.ssh.port, 22);
  assert.equal(cp1.ssh.identityFile, join(homedir(), '.ssh/lab'));
  assert.equal(cp1.ssh.knownHostsFile, '/srv/lab/known_hosts');
  assert.equal(cp1.ssh.sudo, true);
  assert.equal(cp1.ssh.connectTimeoutMs, 3000);
  assert.equal(cp1.ssh.bastion, null);
  assert.equal(w1.ssh.user, 'admin');
  assert.equal(w1.ssh.port, 2222);
  assert.deepEqual(w1.ssh.bastion, {
    address: 'jump.example.com', port: 22, user: 'jump', identityFile: '/srv/lab/keys/jump', agent: true, hostKeys: [],
  });
  assert.equal(w1.criSocket, 'unix:///run/containerd/containerd.sock');
});

test('extraArgs values become text; kubelet fields pass through', () => {
  const inv = parseInventory('/x/i.yaml', `
cluster:
  kubernetesVersion: v1.30.2
  apiServer: { extraArgs: { audit-log-maxage: 30, anonymous-auth: false, v: "2" }, certSANs: [k8s.example.com, "*.lab.example", 192.0.2.1] }
kubelet: { serializeImagePulls: false, maxParallelImagePulls: 4, registryPullQPS: 0, registryBurst: 20, cgroupDriver: cgroupfs }
hosts: [{ name: cp1, address: 10.7.0.149, roles: [control-plane] }]
`);
  assert.deepEqual(inv.cluster.apiServer.extraArgs, { 'audit-log-maxage': '30', 'anonymous-auth': 'false', v: '2' });
  assert.deepEqual(inv.cluster.apiServer.certSANs, ['k8s.example.com', '*.lab.example', '192.0.2.1']);
  assert.deepEqual(inv.kubelet, { serializeImagePulls: false, maxParallelImagePulls: 4, registryPullQPS: 0, registryBurst: 20, cgroupDriver: 'cgroupfs' });
});

test('dual-stack subnets are accepted; IPv6 advertise address', () => {
  const inv = parseInventory('/x/i.yaml', `
cluster:
  kubernetesVersion: v1.29.0
  networking: { podSubnet: "10.244.0.0/16,fd00:10:244::/56", serviceSubnet: "10.96.0.0/16,fd00:10:96::/112" }
hosts: [{ name: cp1, address: "fd00::10", roles: [control-plane] }]
`);
  assert.equal(inv.hosts[0]?.advertiseAddress, 'fd00::10');
});

test('the example inventories are valid', async () => {
  for (const name of ['minimal.yaml', 'example.yaml', 'mirror.yaml']) {
    const inv = await loadInventory(join(repoRoot, 'inventories', name));
    assert.ok(inv.hosts.length >= 1, name);
  }
});

test('errors are an InventoryError listing every problem', () => {
  assert.throws(
    () => parseInventory('/x/i.yaml', 'cluster: {}\nhosts: []\n'),
    (error: unknown) => error instanceof InventoryError && error.problems.length === 2,
  );
});

test('node names are DNS-1123 subdomains as kubeadm validates them: dotted numerals (nodes named by IP) are valid', () => {
  const longLabel = 'a'.repeat(63);
  const at253 = [longLabel, longLabel, longLabel, 'a'.repeat(61)].join('.');
  assert.equal(at253.length, 253);
  for (const name of ['10.7.0.149', 'node-1.example', 'cp1', at253]) {
    const inv = parseInventory('/x/i.yaml', minimal.replace('name: cp1', `name: "${name}"`));
    assert.equal(inv.hosts[0]?.name, name);
  }
  for (const name of ['Node1', 'CP-1.example', 'node_1', '-node', 'node-', 'node..example', `${at253}a`]) {
    assert.throws(
      () => parseInventory('/x/i.yaml', minimal.replace('name: cp1', `name: "${name}"`)),
      (error: unknown) => error instanceof InventoryError && error.problems.length === 1
        && /is not a valid node name/.test(error.problems[0]?.message ?? ''),
      name,
    );
  }
});

const controlPlanes = (count: number, endpoint = '  controlPlaneEndpoint: k8s.example.com:6443\n') => `cluster:
  kubernetesVersion: v1.33.0
${endpoint}hosts:
${Array.from({ length: count }, (_, i) => `  - { name: cp${i + 1}, address: 10.7.0.${10 + i}, roles: [control-plane] }\n`).join('')}  - { name: w1, address: 10.7.0.99, roles: [worker] }
`;

test('several control-plane hosts with a controlPlaneEndpoint load in inventory order; an odd count warns of nothing', () => {
  const inv = parseInventory('/x/ha.yaml', controlPlanes(3));
  assert.deepEqual(inv.hosts.filter((h) => h.roles.includes('control-plane')).map((h) => h.name), ['cp1', 'cp2', 'cp3']);
  assert.equal(inv.warnings, undefined);
  assert.equal(parseInventory('/x/one.yaml', controlPlanes(1, '')).warnings, undefined, 'one control plane needs no endpoint');
});

test('an even number of control-plane hosts is a located warning about etcd quorum, not an error', () => {
  assert.deepEqual(parseInventory('/x/ha.yaml', controlPlanes(2)).warnings, [
    '/x/ha.yaml:5:3: warning: hosts: 2 control-plane hosts (cp1, cp2): etcd needs 2 of them for a quorum, so it survives the loss of 0, as 1 would; an odd number is recommended',
  ]);
  assert.match(parseInventory('/x/ha.yaml', controlPlanes(4)).warnings?.[0] ?? '', /4 control-plane hosts \(cp1, cp2, cp3, cp4\): etcd needs 3 of them for a quorum, so it survives the loss of 1, as 3 would/);
});

test('several control-plane hosts without a controlPlaneEndpoint: kubeadm join --control-plane refuses, so does the loader', () => {
  assert.throws(() => parseInventory('/x/ha.yaml', controlPlanes(2, '')), (e: InventoryError) => {
    assert.equal(e.problems.length, 1);
    assert.match(e.message, /^\/x\/ha\.yaml:2:3: cluster\.controlPlaneEndpoint: required with more than one control-plane host \(cp1, cp2\)/);
    return true;
  });
});
