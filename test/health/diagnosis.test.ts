import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  diagnoseComponent,
  parseCrictlImages,
  parseCrictlInspect,
  parseDockerImages,
} from '../../src/health/diagnosis.js';
import type { ComponentSpec } from '../../src/health/endpoints.js';
import { normalizeImage as normalizeImageRef } from '../../src/kube/image-ref.js';
import { findPod, parseCrictlContainers, parseCrictlPods } from '../../src/health/runtime-state.js';
import { CRICTL_IMAGES, CRICTL_INSPECT_EXITED, CRICTL_PODS, CRICTL_PS } from './fixtures.js';

const state = { sandboxes: parseCrictlPods(CRICTL_PODS), containers: parseCrictlContainers(CRICTL_PS) };
const images = parseCrictlImages(CRICTL_IMAGES);

function spec(name: string, image: string, port: number, path = '/healthz'): ComponentSpec {
  return { name, namespace: 'kube-system', container: name, image, endpoint: { scheme: 'https', host: '127.0.0.1', port, path, timeoutMs: 15000 } };
}

test('crictl inspect: exit code and reason; a running container has no finish time', () => {
  assert.deepEqual(parseCrictlInspect(CRICTL_INSPECT_EXITED), { exitCode: 1, reason: 'Error', finishedAt: '2023-11-22T08:01:21.5Z' });
  assert.deepEqual(parseCrictlInspect('{"status": {"exitCode": 0, "finishedAt": "0001-01-01T00:00:00Z", "reason": "", "state": "CONTAINER_RUNNING"}}'), { exitCode: 0 });
  assert.equal(parseCrictlInspect('not json'), undefined);
});

test('image references compare as runtimes store them', () => {
  assert.equal(normalizeImageRef('registry.k8s.io/etcd:3.5.9-0'), 'registry.k8s.io/etcd:3.5.9-0');
  assert.equal(normalizeImageRef('10.77.0.1:5000/etcd:3.5.9-0'), '10.77.0.1:5000/etcd:3.5.9-0');
  assert.equal(normalizeImageRef('me/etcd:1'), 'docker.io/me/etcd:1');
  assert.equal(normalizeImageRef('busybox:1'), 'docker.io/library/busybox:1');
  assert.equal(images.has('registry.k8s.io/kube-apiserver:v1.28.4'), true);
  assert.equal(images.has('registry.k8s.io/kube-apiserver@sha256:5b28a364467cf7e134343bb3ee2c6d40682b473a743a72142c7bbe25767d36eb'), true);
  assert.deepEqual([...parseDockerImages('k8s.gcr.io/etcd:3.4.13-0\n<none>:<none>\n')], ['k8s.gcr.io/etcd:3.4.13-0']);
});

test('crash-looping: exit code, reason, restarts and the last log lines', () => {
  const s = spec('kube-apiserver', 'registry.k8s.io/kube-apiserver:v1.28.4', 6443, '/livez');
  const pod = findPod(state, 'kube-apiserver-cp1', 'kube-system', 'kube-apiserver');
  const lines = diagnoseComponent({
    spec: s,
    pod,
    imagesPresent: images,
    probe: { ok: false, error: 'connection refused' },
    details: parseCrictlInspect(CRICTL_INSPECT_EXITED)!,
    logs: 'I1122 08:01:20.300000       1 options.go:220] external host was not specified\nE1122 08:01:21.400000       1 run.go:74] "command failed" err="open /etc/kubernetes/pki/apiserver.crt: no such file or directory"\n',
  });
  assert.deepEqual(lines, [
    'crash-looping: container c3a1000000000 exited, exit code 1 (Error), 3 restarts',
    'last log lines of container c3a1000000000 (attempt 3):',
    '  | I1122 08:01:20.300000       1 options.go:220] external host was not specified',
    '  | E1122 08:01:21.400000       1 run.go:74] "command failed" err="open /etc/kubernetes/pki/apiserver.crt: no such file or directory"',
  ]);
});

test('image not pulled: named with what the images phase said; the pod never created', () => {
  const s = spec('kube-controller-manager', 'registry.k8s.io/kube-controller-manager:v1.28.4', 10257);
  const lines = diagnoseComponent({
    spec: s,
    pod: findPod(state, 'kube-controller-manager-cp1', 'kube-system', 'kube-controller-manager'),
    imagesPresent: images,
    imageResult: { image: s.image, outcome: 'failed', seconds: 30, attempts: 5, error: 'unexpected status code 500' },
    probe: { ok: false, error: 'connection refused' },
  });
  assert.deepEqual(lines, [
    'image not pulled: registry.k8s.io/kube-controller-manager:v1.28.4 is not present on the host (images phase: failed: unexpected status code 500)',
    'pod never created: kubelet has not started it (its image is missing)',
  ]);
});

test("a missing image with kubelet's pull error from its journal", () => {
  const s = spec('etcd', '10.77.0.1:5000/etcd:3.5.9-0-not-pushed', 2381);
  const pod = findPod({ sandboxes: state.sandboxes, containers: [] }, 'etcd-cp1', 'kube-system', 'etcd');
  const said = 'Nov 22 16:22:43 cp1 kubelet[767]: E1122 16:22:43.843000     767 pod_workers.go] "Error syncing pod, skipping" pod="kube-system/etcd-cp1" err="ErrImagePull: not found"';
  assert.deepEqual(diagnoseComponent({ spec: s, pod, imagesPresent: images, kubeletSaid: said }), [
    'image not pulled: 10.77.0.1:5000/etcd:3.5.9-0-not-pushed is not present on the host',
    'container never created in pod sandbox 5d1e3f0a9b8c7 (its image is missing)',
    `kubelet: ${said}`,
  ]);
});

test('never created, image present: points at kubelet', () => {
  const s = spec('kube-controller-manager', 'registry.k8s.io/etcd:3.5.9-0', 10257);
  const lines = diagnoseComponent({ spec: s, pod: {}, imagesPresent: images });
  assert.deepEqual(lines, ['pod never created: kubelet has not started kube-controller-manager from its static Pod manifest (see the kubelet journal)']);
});

test('container never created in a ready sandbox', () => {
  const s = spec('etcd', 'registry.k8s.io/etcd:3.5.9-0', 2381);
  const pod = findPod({ sandboxes: state.sandboxes, containers: [] }, 'etcd-cp1', 'kube-system', 'etcd');
  assert.deepEqual(diagnoseComponent({ spec: s, pod, imagesPresent: images }), ['container never created in pod sandbox 5d1e3f0a9b8c7']);
});

test('probe failing: the container runs, the endpoint answers 500 with its body', () => {
  const s = spec('kube-scheduler', 'registry.k8s.io/etcd:3.5.9-0', 10259, '/livez');
  const pod = findPod(state, 'kube-scheduler-cp1', 'kube-system', 'kube-scheduler');
  const lines = diagnoseComponent({
    spec: s,
    pod,
    imagesPresent: images,
    probe: { ok: false, status: 500, body: '[-]ping failed: reason withheld\nlivez check failed' },
    logs: '',
  });
  assert.deepEqual(lines, [
    'probe failing: GET https://127.0.0.1:10259/livez: last answer HTTP 500: [-]ping failed: reason withheld | livez check failed',
    'container 5c4ed00000000 logged nothing',
  ]);
});

test('the runtime could not be listed', () => {
  const s = spec('etcd', 'registry.k8s.io/etcd:3.5.9-0', 2381);
  assert.deepEqual(diagnoseComponent({ spec: s, pod: {}, runtimeError: 'crictl pods: command not found', probe: { ok: false, error: 'connection refused' } }), [
    'the container runtime could not be listed: crictl pods: command not found',
  ]);
});
