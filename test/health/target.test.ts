import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KUBELET_HEALTHZ, kubeconfigClient, kubeletHealthzFrom } from '../../src/health/check.js';

test("kubelet's healthz from its KubeletConfiguration: defaults, own port and address, 0 skips the check", () => {
  assert.deepEqual(kubeletHealthzFrom(undefined), KUBELET_HEALTHZ);
  assert.deepEqual(KUBELET_HEALTHZ, { scheme: 'http', host: '127.0.0.1', port: 10248, path: '/healthz', timeoutMs: 5000 });
  assert.deepEqual(kubeletHealthzFrom('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncgroupDriver: systemd\n'), KUBELET_HEALTHZ);
  assert.deepEqual(kubeletHealthzFrom('healthzPort: 10300\nhealthzBindAddress: 10.0.0.5\n'), { ...KUBELET_HEALTHZ, host: '10.0.0.5', port: 10300 });
  assert.deepEqual(kubeletHealthzFrom('healthzBindAddress: 0.0.0.0\n'), KUBELET_HEALTHZ);
  assert.equal(kubeletHealthzFrom('healthzPort: 0\n'), undefined);
});

test("the admin kubeconfig's client certificate and key, decoded", () => {
  const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://10.0.0.5:6443
  name: kubernetes
users:
- name: kubernetes-admin
  user:
    client-certificate-data: ${Buffer.from('CERT PEM').toString('base64')}
    client-key-data: ${Buffer.from('KEY PEM').toString('base64')}
`;
  assert.deepEqual(kubeconfigClient(kubeconfig), { cert: 'CERT PEM', key: 'KEY PEM' });
  assert.equal(kubeconfigClient('users: [{name: x, user: {token: abc}}]'), undefined);
  assert.equal(kubeconfigClient('{{{'), undefined);
  assert.equal(kubeconfigClient(undefined), undefined);
});

test("kubelet's last complaint about a Pod, from its journal", async () => {
  const { kubeletSaid } = await import('../../src/health/check.js');
  const journal = [
    'Nov 22 16:22:43 cp1 kubelet[767]: I1122 16:22:43.801000     767 image_manager.go] "Pulling image" pod="kube-system/etcd-cp1" image="10.77.0.1:5000/etcd:3.5.9-0-not-pushed"',
    'Nov 22 16:22:43 cp1 kubelet[767]: E1122 16:22:43.843000     767 pod_workers.go] "Error syncing pod, skipping" pod="kube-system/etcd-cp1" containerName="etcd" err="ErrImagePull: failed to pull image \\"10.77.0.1:5000/etcd:3.5.9-0-not-pushed\\": not found"',
    'Nov 22 16:22:43 cp1 kubelet[767]: I1122 16:22:43.843000     767 pod_workers.go] "Back-off 40s before trying again" pod="kube-system/etcd-cp1" containerName="etcd"',
    'Nov 22 16:22:49 cp1 kubelet[767]: I1122 16:22:49.520000     767 pod_workers.go] "Container exited" pod="kube-system/kube-controller-manager-cp1" containerName="kube-controller-manager" exitCode=1 reason="Error" attempt=1',
  ];
  assert.equal(kubeletSaid(journal, 'kube-system/etcd-cp1'), journal[1]);
  assert.equal(kubeletSaid(journal, 'kube-system/kube-controller-manager-cp1'), journal[3]);
  assert.equal(kubeletSaid(journal, 'kube-system/kube-scheduler-cp1'), undefined);
});
