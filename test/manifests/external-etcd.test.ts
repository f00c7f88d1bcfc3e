/**
 * The static Pods with cluster.etcd.external, against golden files written from kubeadm's getAPIServerCommand
 * (controlplane/manifests.go, `if cfg.Etcd.External != nil`): --etcd-servers is the endpoints joined with commas,
 * --etcd-cafile/--etcd-certfile/--etcd-keyfile the configured files (on the host: where render copies them), and
 * there is no etcd Pod at all. One release before v1beta4 (map arguments) and the newest (list arguments).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStaticPodFiles, renderStaticPods } from '../../src/manifests/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { assertGolden } from '../golden.js';
import { host, images, inventory } from './fixture.js';

function external(version: string, extraArgs: Record<string, string> = {}): Inventory {
  const inv = inventory(version);
  inv.cluster.etcd.external = {
    endpoints: ['https://10.7.0.20:2379', 'https://etcd-2.example.com:2379'],
    caFile: '/home/user/etcd/ca.pem',
    certFile: '/home/user/etcd/client.pem',
    keyFile: '/home/user/etcd/client-key.pem',
  };
  inv.cluster.apiServer.extraArgs = extraArgs;
  return inv;
}

for (const version of ['v1.24.17', 'v1.37.1']) {
  test(`kubeadm ${version} with an external etcd: no etcd.yaml, and the API server manifest matches the golden file`, () => {
    const inv = external(version);
    const files = renderStaticPodFiles(inv, host(), images(inv));
    assert.deepEqual(files.map((f) => f.path), [
      '/etc/kubernetes/manifests/kube-apiserver.yaml',
      '/etc/kubernetes/manifests/kube-controller-manager.yaml',
      '/etc/kubernetes/manifests/kube-scheduler.yaml',
    ]);
    assertGolden(`manifests/${version}/external-etcd/kube-apiserver.yaml`, String(files[0]?.content));
    // Only the API server reads etcd: the other two are the stacked etcd's byte for byte.
    const stacked = renderStaticPodFiles(inventory(version), host(), images(inv));
    assert.equal(files[1]?.content, stacked[2]?.content);
    assert.equal(files[2]?.content, stacked[3]?.content);
  });
}

test('with an external etcd, the user\'s extraArgs still win over kubeadm\'s etcd flags, and etcd.local.extraArgs are not read', () => {
  const inv = external('v1.28.15', { 'etcd-servers': 'https://override:2379' });
  inv.cluster.etcd.local.extraArgs = { 'advertise-client-urls': 'https://ignored:2379' };
  const command = renderStaticPods(inv, host(), images(inv)).get('kube-apiserver')?.spec.containers[0]?.command ?? [];
  assert.deepEqual(command.filter((a) => a.startsWith('--etcd-')), [
    '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
    '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
    '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
    '--etcd-servers=https://override:2379',
  ]);
});
