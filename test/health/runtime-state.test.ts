import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findPod,
  parseCrictlContainers,
  parseCrictlPods,
  parseDockerPs,
  parseDockershimName,
  runtimeProblem,
  RuntimeOutputError,
  type RuntimeState,
} from '../../src/health/runtime-state.js';
import { CRICTL_PODS, CRICTL_PS, DOCKER_PS } from './fixtures.js';

const state = (): RuntimeState => ({ sandboxes: parseCrictlPods(CRICTL_PODS), containers: parseCrictlContainers(CRICTL_PS) });

test('crictl pods -o json: sandboxes with name, namespace, state and nanosecond creation time', () => {
  const pods = parseCrictlPods(CRICTL_PODS);
  assert.equal(pods.length, 4);
  assert.deepEqual(pods[0], {
    id: '5d1e3f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e',
    name: 'etcd-cp1',
    namespace: 'kube-system',
    uid: '2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e1b',
    attempt: 0,
    state: 'ready',
    createdAt: 1700640000100000000n,
  });
  assert.equal(pods[2]?.state, 'notready');
});

test('crictl ps -a -o json: containers with sandbox, attempt, state and pod labels', () => {
  const containers = parseCrictlContainers(CRICTL_PS);
  assert.deepEqual(
    containers.map((c) => [c.name, c.attempt, c.state, c.podName, c.podNamespace]),
    [
      ['etcd', 0, 'running', 'etcd-cp1', 'kube-system'],
      ['kube-apiserver', 2, 'exited', 'kube-apiserver-cp1', 'kube-system'],
      ['kube-apiserver', 3, 'exited', 'kube-apiserver-cp1', 'kube-system'],
      ['kube-scheduler', 0, 'running', 'kube-scheduler-cp1', 'kube-system'],
    ],
  );
});

test('an empty listing and a non-JSON answer', () => {
  assert.deepEqual(parseCrictlPods('{\n  "items": []\n}\n'), []);
  assert.deepEqual(parseCrictlContainers('{\n  "containers": []\n}\n'), []);
  assert.throws(() => parseCrictlPods('time="x" level=fatal msg="connect: connection refused"'), RuntimeOutputError);
});

test('findPod: the ready sandbox and the newest attempt of the container', () => {
  const s = state();
  const apiserver = findPod(s, 'kube-apiserver-cp1', 'kube-system', 'kube-apiserver');
  assert.equal(apiserver.container?.attempt, 3);
  assert.equal(runtimeProblem(apiserver), 'container exited, 3 restarts');

  const scheduler = findPod(s, 'kube-scheduler-cp1', 'kube-system', 'kube-scheduler');
  assert.equal(scheduler.sandbox?.id, 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf');
  assert.equal(runtimeProblem(scheduler), undefined);

  assert.equal(runtimeProblem(findPod(s, 'etcd-cp1', 'kube-system', 'etcd')), undefined);
  assert.equal(runtimeProblem(findPod(s, 'kube-controller-manager-cp1', 'kube-system', 'kube-controller-manager')), 'pod not created');
  // Another node's name or namespace does not match.
  assert.equal(runtimeProblem(findPod(s, 'etcd-cp2', 'kube-system', 'etcd')), 'pod not created');
  assert.equal(runtimeProblem(findPod(s, 'etcd-cp1', 'default', 'etcd')), 'pod not created');
});

test('a sandbox without its container, and one not ready', () => {
  const s = state();
  s.containers = s.containers.filter((c) => c.name !== 'etcd');
  assert.equal(runtimeProblem(findPod(s, 'etcd-cp1', 'kube-system', 'etcd')), 'container not created');
  s.sandboxes = s.sandboxes.map((p) => (p.name === 'etcd-cp1' ? { ...p, state: 'notready' } : p));
  assert.equal(runtimeProblem(findPod(s, 'etcd-cp1', 'kube-system', 'etcd')), 'pod sandbox not ready');
});

test("dockershim names: k8s_<container>_<pod>_<namespace>_<uid>_<attempt>", () => {
  assert.deepEqual(parseDockershimName('k8s_etcd_etcd-cp1_kube-system_aa11_0'), { container: 'etcd', pod: 'etcd-cp1', namespace: 'kube-system', uid: 'aa11', attempt: 0 });
  assert.deepEqual(parseDockershimName('/k8s_POD_etcd-cp1_kube-system_aa11_2')?.attempt, 2);
  assert.equal(parseDockershimName('web'), undefined);
  assert.equal(parseDockershimName('k8s_a_b_c_d'), undefined);
});

test('docker ps: sandboxes from k8s_POD_ containers, exit code from the status, others ignored', () => {
  const s = parseDockerPs(DOCKER_PS);
  assert.deepEqual(
    s.sandboxes.map((p) => [p.name, p.state, p.uid]),
    [
      ['etcd-cp1', 'ready', 'aa11'],
      ['kube-controller-manager-cp1', 'ready', 'bb22'],
    ],
  );
  assert.equal(s.containers.length, 2);
  const kcm = findPod(s, 'kube-controller-manager-cp1', 'kube-system', 'kube-controller-manager');
  assert.equal(kcm.container?.exitCode, 255);
  assert.equal(kcm.container?.podSandboxId, 'd0c0000000000000000000000000000000000000000000000000000000000003');
  assert.equal(runtimeProblem(kcm), 'container exited with code 255, 4 restarts');
  assert.equal(runtimeProblem(findPod(s, 'etcd-cp1', 'kube-system', 'etcd')), undefined);
  assert.equal(s.containers[0]?.createdAt, BigInt(Date.parse('2023-11-22T08:00:02Z')) * 1_000_000n);
});

test('docker ps from an engine without .State: the status text decides', () => {
  const line = '{"ID":"x1","Names":"k8s_etcd_etcd-cp1_kube-system_aa11_1","Status":"Exited (2) 3 seconds ago","CreatedAt":"2023-11-22 08:00:02 +0000 UTC","Image":"k8s.gcr.io/etcd:3.4.13-0"}';
  const s = parseDockerPs(line);
  assert.equal(s.containers[0]?.state, 'exited');
  assert.equal(s.containers[0]?.exitCode, 2);
});
