import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInventory } from '../../src/inventory/index.js';
import { renderKubeletFiles } from '../../src/kubelet/index.js';

function configYaml(version: string, cgroupDriver?: string): string {
  const inv = parseInventory('/x/inventory.yaml', `
cluster: { kubernetesVersion: ${version} }
${cgroupDriver ? `kubelet: { cgroupDriver: ${cgroupDriver} }` : ''}
hosts: [{ name: cp1, address: 10.7.0.149, roles: [control-plane] }]
`);
  const files = renderKubeletFiles(inv, inv.hosts[0]!, { criSocket: 'unix:///var/run/containerd/containerd.sock', pauseImage: 'registry.k8s.io/pause:3.9' });
  return String(files.find((f) => f.path === '/var/lib/kubelet/config.yaml')?.content);
}

test('kubeadm v1.22+ writes cgroupDriver: systemd when the inventory sets none', () => {
  assert.match(configYaml('v1.22.0'), /\ncgroupDriver: systemd\n/);
  assert.match(configYaml('v1.28.15'), /\ncgroupDriver: systemd\n/);
});

test('kubeadm before v1.22 writes no cgroupDriver (kubelet keeps cgroupfs)', () => {
  assert.doesNotMatch(configYaml('v1.21.14'), /cgroupDriver/);
});

test("the inventory's cgroupDriver wins in every version", () => {
  assert.match(configYaml('v1.21.14', 'systemd'), /\ncgroupDriver: systemd\n/);
  assert.match(configYaml('v1.28.15', 'cgroupfs'), /\ncgroupDriver: cgroupfs\n/);
});
