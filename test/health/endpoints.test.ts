import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { componentFromManifest, componentsFromFiles, endpointUrl, ManifestError } from '../../src/health/endpoints.js';
import { repoRoot } from '../helpers.js';

const golden = (version: string, name: string) => readFileSync(join(repoRoot, 'test/golden/manifests', version, `${name}.yaml`), 'utf8');

function endpoints(version: string): Record<string, string> {
  const files = new Map(
    ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((n) => [`/etc/kubernetes/manifests/${n}.yaml`, golden(version, n)]),
  );
  return Object.fromEntries(componentsFromFiles(files, '10.9.9.9').map((c) => [c.name, c.endpoint ? endpointUrl(c.endpoint) : '-']));
}

test('v1.21 manifests: probes as kubeadm v1.21 wrote them (etcd /health, scheduler /healthz)', () => {
  assert.deepEqual(endpoints('v1.21.14'), {
    etcd: 'http://127.0.0.1:2381/health',
    'kube-apiserver': 'https://10.7.0.149:6443/livez',
    'kube-controller-manager': 'https://127.0.0.1:10257/healthz',
    'kube-scheduler': 'https://127.0.0.1:10259/healthz',
  });
});

test("v1.28 manifests: etcd's liveness path carries its query", () => {
  assert.deepEqual(endpoints('v1.28.15'), {
    etcd: 'http://127.0.0.1:2381/health?exclude=NOSPACE&serializable=true',
    'kube-apiserver': 'https://10.7.0.149:6443/livez',
    'kube-controller-manager': 'https://127.0.0.1:10257/healthz',
    'kube-scheduler': 'https://127.0.0.1:10259/healthz',
  });
});

test('v1.37 manifests: the named probe-port resolves to the container port', () => {
  assert.deepEqual(endpoints('v1.37.1'), {
    etcd: 'http://127.0.0.1:2381/livez',
    'kube-apiserver': 'https://10.7.0.149:6443/livez',
    'kube-controller-manager': 'https://127.0.0.1:10257/healthz',
    'kube-scheduler': 'https://127.0.0.1:10259/livez',
  });
});

test('component spec: name, namespace, container, image and probe timeout', () => {
  const spec = componentFromManifest(golden('v1.28.15', 'kube-apiserver'), '10.9.9.9');
  assert.deepEqual(spec, {
    name: 'kube-apiserver',
    namespace: 'kube-system',
    container: 'kube-apiserver',
    image: 'registry.k8s.io/kube-apiserver:v1.28.15',
    endpoint: { scheme: 'https', host: '10.7.0.149', port: 6443, path: '/livez', timeoutMs: 15000 },
  });
});

test('a probe without host is dialled on the node address (kubelet uses the host-network pod IP)', () => {
  const manifest = `apiVersion: v1
kind: Pod
metadata: {name: kube-scheduler, namespace: kube-system}
spec:
  containers:
  - name: kube-scheduler
    image: registry.k8s.io/kube-scheduler:v1.30.0
    startupProbe:
      httpGet: {path: livez, port: 10259, scheme: HTTPS}
`;
  assert.deepEqual(componentFromManifest(manifest, '10.9.9.9').endpoint, { scheme: 'https', host: '10.9.9.9', port: 10259, path: '/livez', timeoutMs: 1000 });
});

test('an unknown named port is a clear error naming the file', () => {
  const manifest = 'metadata: {name: etcd}\nspec:\n  containers:\n  - name: etcd\n    livenessProbe: {httpGet: {path: /livez, port: nope}}\n';
  assert.throws(() => componentFromManifest(manifest, '10.0.0.1', '/etc/kubernetes/manifests/etcd.yaml'), (e: unknown) => {
    assert.ok(e instanceof ManifestError);
    assert.equal(e.message, '/etc/kubernetes/manifests/etcd.yaml: probe port "nope" names no container port');
    return true;
  });
});

test('files outside the manifests folder are not components; order is etcd, apiserver, controller-manager, scheduler', () => {
  const files = new Map([
    ['/etc/kubernetes/manifests/kube-scheduler.yaml', golden('v1.28.15', 'kube-scheduler')],
    ['/etc/kubernetes/admin.conf', 'apiVersion: v1\nkind: Config\n'],
    ['/etc/kubernetes/manifests/etcd.yaml', golden('v1.28.15', 'etcd')],
  ]);
  assert.deepEqual(componentsFromFiles(files, '10.0.0.1').map((c) => c.name), ['etcd', 'kube-scheduler']);
});
