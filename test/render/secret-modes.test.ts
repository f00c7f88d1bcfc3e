/**
 * Every file up writes on a host that holds a secret (a private key, a kubeconfig's client key, a bootstrap
 * token) is rendered 0600, on every supported version, for control planes and workers: the host gets exactly
 * the rendered mode (files.ts chmods before the rename), so this list is what the hosts get.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bootstrapKubeletConf } from '../../src/cluster/join.js';
import { parseInventory } from '../../src/inventory/index.js';
import type { RenderedFile } from '../../src/inventory/types.js';
import { SUPPORTED_MINORS } from '../../src/kube/version.js';
import { renderCluster } from '../../src/render/index.js';
import { useKeyPool, tempDir } from '../pki/fixtures.js';

before(() => useKeyPool());

/** What marks a file as secret: PEM private keys (any algorithm), kubeconfig client keys, bearer tokens. */
const SECRET = /PRIVATE KEY|client-key-data|^\s*token:/m;

function inventoryText(version: string): string {
  return `cluster:
  kubernetesVersion: ${version}
  controlPlaneEndpoint: 10.7.0.100:6443
hosts:
  - { name: cp1, address: 10.7.0.10, roles: [control-plane] }
  - { name: w1, address: 10.7.0.11, roles: [worker] }
  - { name: w2, address: 10.7.0.12, roles: [worker] }
`;
}

function looseSecrets(files: readonly RenderedFile[]): string[] {
  return files.filter((f) => SECRET.test(f.content.toString()) && f.mode !== 0o600).map((f) => `${f.path} ${f.mode.toString(8)}`);
}

test('every rendered file holding a private key or a client key is 0600, on every supported minor', async () => {
  const state = tempDir('bootstrap-secret-modes-');
  for (const minor of SUPPORTED_MINORS) {
    const inv = parseInventory(join(state, `v${minor}.yaml`), inventoryText(`v${minor}.0`));
    const renders = await renderCluster(inv);
    const files = renders.flatMap((r) => r.files);
    const secrets = files.filter((f) => SECRET.test(f.content.toString()));
    // The list is not empty by accident: the control plane's keys and kubeconfigs are in it.
    assert.ok(secrets.some((f) => f.path === '/etc/kubernetes/pki/ca.key'), `v${minor}: ca.key rendered`);
    assert.ok(secrets.some((f) => f.path === '/etc/kubernetes/admin.conf'), `v${minor}: admin.conf rendered`);
    assert.ok(secrets.length >= 15, `v${minor}: ${secrets.length} secret files`);
    assert.deepEqual(looseSecrets(files), [], `v${minor}`);
  }
});

test('the join token\'s kubeconfig is recognised as secret (the join phase writes it 0600)', () => {
  const conf = bootstrapKubeletConf('-----BEGIN CERTIFICATE-----\n', 'https://10.7.0.100:6443', 'abcdef.0123456789abcdef');
  assert.match(conf, SECRET);
  assert.deepEqual(looseSecrets([{ path: '/etc/kubernetes/bootstrap-kubelet.conf', content: conf, mode: 0o644 }]), ['/etc/kubernetes/bootstrap-kubelet.conf 644']);
});
