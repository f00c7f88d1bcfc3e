/** The per-version choices of the cluster phases at their boundaries (the goldens show the whole objects). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clusterAdminsObjects,
  clusterConfigurationYaml,
  kubeletConfigMapName,
  kubeletConfigRoleName,
  kubeletFinalize,
  markControlPlane,
  nodeAnnotations,
  nodeBootstrapRbac,
  uploadConfigObjects,
} from '../../src/cluster/index.js';
import { configMapChecksum } from '../../src/cluster/uploadconfig.js';
import { goldenInventory } from '../golden-inventory.js';

const MASTER = 'node-role.kubernetes.io/master';
const CP = 'node-role.kubernetes.io/control-plane';
const LB = 'node.kubernetes.io/exclude-from-external-load-balancers';

test('master → control-plane: labels and taints per release', () => {
  const keys = (v: string) => Object.keys(markControlPlane(v).labels).sort();
  const taints = (v: string) => markControlPlane(v).taints.map((t) => `${t.key}:${t.effect}`);
  assert.deepEqual(keys('v1.20.15'), [CP, MASTER]);
  assert.deepEqual(keys('v1.21.0'), [CP, MASTER, LB].sort());
  assert.deepEqual(keys('v1.23.17'), [CP, MASTER, LB].sort());
  assert.deepEqual(keys('v1.24.0'), [CP, LB].sort());
  assert.deepEqual(taints('v1.23.17'), [`${MASTER}:NoSchedule`]);
  assert.deepEqual(taints('v1.24.17'), [`${MASTER}:NoSchedule`, `${CP}:NoSchedule`]);
  assert.deepEqual(taints('v1.25.0'), [`${CP}:NoSchedule`]);
  assert.deepEqual(taints('v1.37.1'), [`${CP}:NoSchedule`]);
  assert.ok(Object.values(markControlPlane('v1.21.0').labels).every((value) => value === ''));
});

test('markControlPlane returns copies the caller may change', () => {
  markControlPlane('v1.28.0').taints.push({ key: 'x', effect: 'NoExecute' });
  assert.equal(markControlPlane('v1.28.0').taints.length, 1);
});

test('the kubelet ConfigMap and its Role are versioned until v1.24', () => {
  assert.equal(kubeletConfigMapName('v1.23.17'), 'kubelet-config-1.23');
  assert.equal(kubeletConfigRoleName('v1.20.0'), 'kubeadm:kubelet-config-1.20');
  assert.equal(kubeletConfigMapName('v1.24.0'), 'kubelet-config');
  assert.equal(kubeletConfigRoleName('v1.37.1'), 'kubeadm:kubelet-config');
});

test('the ClusterConfiguration API version and ClusterStatus per release', () => {
  const apiVersion = (v: string) => /^apiVersion: (.*)$/m.exec(clusterConfigurationYaml(goldenInventory(v), v))![1];
  assert.equal(apiVersion('v1.21.14'), 'kubeadm.k8s.io/v1beta2');
  assert.equal(apiVersion('v1.22.0'), 'kubeadm.k8s.io/v1beta3');
  assert.equal(apiVersion('v1.30.14'), 'kubeadm.k8s.io/v1beta3');
  assert.equal(apiVersion('v1.31.0'), 'kubeadm.k8s.io/v1beta4');
  const keys = (v: string) => Object.keys(uploadConfigObjects(goldenInventory(v), v, '')[0]!.data as object);
  assert.deepEqual(keys('v1.21.14'), ['ClusterConfiguration', 'ClusterStatus']);
  assert.deepEqual(keys('v1.22.0'), ['ClusterConfiguration']);
});

test('the defaulted authorization-mode is uploaded until v1.30', () => {
  assert.match(clusterConfigurationYaml(goldenInventory('v1.29.15'), 'v1.29.15'), /authorization-mode: Node,RBAC/);
  assert.doesNotMatch(clusterConfigurationYaml(goldenInventory('v1.30.0'), 'v1.30.0'), /authorization-mode/);
});

test('the kubelet ConfigMap is signed with the checksum of its data, unless the inventory sets kubelet fields', () => {
  const inv = goldenInventory('v1.28.15');
  const signed = uploadConfigObjects(inv, 'v1.28.15', 'kind: KubeletConfiguration\n')[3]!;
  assert.deepEqual(signed.metadata.annotations, { 'kubeadm.kubernetes.io/component-config.hash': configMapChecksum({ kubelet: 'kind: KubeletConfiguration\n' }) });
  // sha256("abc"), the FIPS 180-2 test vector: the checksum is the plain digest of the value.
  assert.equal(configMapChecksum({ kubelet: 'abc' }), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const supplied = uploadConfigObjects({ ...inv, kubelet: { serializeImagePulls: false } }, 'v1.28.15', 'x')[3]!;
  assert.equal(supplied.metadata.annotations, undefined);
});

test('node bootstrap RBAC is the same five objects everywhere; cluster-admins from v1.29', () => {
  const names = (v: string) => nodeBootstrapRbac(v).map((o) => `${o.kind}/${o.metadata.name}`);
  const expected = [
    'ClusterRoleBinding/kubeadm:kubelet-bootstrap',
    'ClusterRole/kubeadm:get-nodes',
    'ClusterRoleBinding/kubeadm:get-nodes',
    'ClusterRoleBinding/kubeadm:node-autoapprove-bootstrap',
    'ClusterRoleBinding/kubeadm:node-autoapprove-certificate-rotation',
  ];
  assert.deepEqual(names('v1.20.0'), expected);
  assert.deepEqual(names('v1.37.1'), expected);
  assert.deepEqual(clusterAdminsObjects('v1.28.15'), []);
  assert.deepEqual(clusterAdminsObjects('v1.29.0').map((o) => o.roleRef), [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }]);
});

test('kubelet-finalize: the sub-phase was renamed in v1.31, the action is the same', () => {
  assert.equal(kubeletFinalize('v1.30.14').phase, 'experimental-cert-rotation');
  assert.equal(kubeletFinalize('v1.31.0').phase, 'enable-client-cert-rotation');
  assert.equal(kubeletFinalize('v1.31.0').deprecatedAlias, 'experimental-cert-rotation');
  assert.equal(kubeletFinalize('v1.32.0').deprecatedAlias, undefined);
  for (const v of ['v1.20.0', 'v1.37.1']) {
    const step = kubeletFinalize(v);
    assert.equal(step.clientCertificate, '/var/lib/kubelet/pki/kubelet-client-current.pem');
    assert.equal(step.nodes, 'init');
  }
});

test('the CRI socket annotation: as given before v1.24, a unix:// URL until v1.33, none from v1.34', () => {
  const key = 'kubeadm.alpha.kubernetes.io/cri-socket';
  assert.deepEqual(nodeAnnotations('v1.23.17', '/var/run/dockershim.sock'), { [key]: '/var/run/dockershim.sock' });
  assert.deepEqual(nodeAnnotations('v1.24.0', '/run/containerd/containerd.sock'), { [key]: 'unix:///run/containerd/containerd.sock' });
  assert.deepEqual(nodeAnnotations('v1.33.6', 'unix:///var/run/crio/crio.sock'), { [key]: 'unix:///var/run/crio/crio.sock' });
  assert.deepEqual(nodeAnnotations('v1.34.0', 'unix:///run/containerd/containerd.sock'), {});
});
