/** The prepare and install sections as the inventory loader resolves them: defaults, paths, checksums. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInventory } from '../../src/inventory/index.js';

const HOSTS = 'hosts:\n  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }\n';

test('defaults: prepare on, containerd configured, no registries; nothing installed', () => {
  const inv = parseInventory('/srv/lab/inventory.yaml', `cluster: { kubernetesVersion: v1.28.4 }\n${HOSTS}`);
  assert.deepEqual(inv.prepare, { enabled: true, containerd: { configure: true, package: undefined } });
  assert.deepEqual(inv.install, { source: 'none', kubeadm: false, allowVersionChange: false, repository: undefined, revision: undefined, files: [], checksums: undefined });
  assert.equal(parseInventory('/srv/lab/i.yaml', `cluster: { kubernetesVersion: v1.28.4 }\nprepare: false\n${HOSTS}`).prepare?.enabled, false);
  assert.equal(parseInventory('/srv/lab/i.yaml', `cluster: { kubernetesVersion: v1.28.4 }\nprepare: true\n${HOSTS}`).prepare?.enabled, true);
});

test('every field: relative paths from the inventory folder, checksums lowercased, a trailing / dropped from the repository', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-inv-'));
  for (const f of ['kubelet', 'SHA256SUMS', 'ca.pem']) await writeFile(join(dir, f), f);
  const files = parseInventory(join(dir, 'inventory.yaml'), `cluster: { kubernetesVersion: v1.28.4 }
prepare:
  containerd:
    configure: false
    package: containerd.io
registries:
  endpoints:
    docker.io: { mirrors: [https://mirror.example.com], ca: ca.pem, skipVerify: true }
    "10.0.0.5:5000": { server: "http://10.0.0.5:5000" }
install:
  source: files
  kubeadm: true
  allowVersionChange: true
  files: [{ path: kubelet, sha256: ${'AB'.repeat(32)} }]
  checksums: SHA256SUMS
${HOSTS}`);
  assert.deepEqual(files.prepare, {
    enabled: true,
    containerd: { configure: false, package: 'containerd.io' },
  });
  assert.deepEqual(files.registries?.endpoints, {
    'docker.io': { mirrors: ['https://mirror.example.com'], ca: join(dir, 'ca.pem'), skipVerify: true },
    '10.0.0.5:5000': { server: 'http://10.0.0.5:5000', mirrors: [], ca: undefined, skipVerify: false },
  });
  assert.deepEqual(files.install, {
    source: 'files', kubeadm: true, allowVersionChange: true, repository: undefined, revision: undefined,
    files: [{ path: join(dir, 'kubelet'), sha256: 'ab'.repeat(32) }], checksums: join(dir, 'SHA256SUMS'),
  });
  const packages = parseInventory(join(dir, 'inventory.yaml'), `cluster: { kubernetesVersion: v1.23.17 }
install: { source: packages, repository: "https://mirror.example.com/k8s/v1.23/", revision: "1.1" }
${HOSTS}`);
  assert.equal(packages.install?.repository, 'https://mirror.example.com/k8s/v1.23');
  assert.equal(packages.install?.revision, '1.1');
});
