import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crictlContainersArgv,
  crictlImagesArgv,
  crictlInfoArgv,
  crictlInspectArgv,
  crictlLogsArgv,
  crictlPodsArgv,
  crictlResetArgv,
  DOCKER_PS_ARGV,
  dockerImagesArgv,
  dockerLogsArgv,
  dockerResetArgv,
  listImagesArgv,
  pullImageArgv,
} from '../../src/kube/cri-commands.js';

const EP = 'unix:///run/containerd/containerd.sock';

test('image commands: crictl with the image service at the runtime endpoint, or docker', () => {
  const crictl = { kind: 'crictl', socket: EP } as const;
  assert.deepEqual(listImagesArgv(crictl), ['crictl', '--runtime-endpoint', EP, '--image-endpoint', EP, 'images', '-o', 'json']);
  assert.deepEqual(pullImageArgv(crictl, 'registry.k8s.io/pause:3.9'), ['crictl', '--runtime-endpoint', EP, '--image-endpoint', EP, 'pull', 'registry.k8s.io/pause:3.9']);
  assert.deepEqual(listImagesArgv({ kind: 'docker' }), ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.deepEqual(pullImageArgv({ kind: 'docker' }, 'k8s.gcr.io/pause:3.6'), ['docker', 'pull', 'k8s.gcr.io/pause:3.6']);
  assert.deepEqual(dockerImagesArgv({ noTrunc: true }), ['docker', 'images', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.deepEqual(crictlImagesArgv(EP), ['crictl', '--runtime-endpoint', EP, 'images', '-o', 'json']);
});

test('listing and inspecting: JSON output the parsers read', () => {
  assert.deepEqual(crictlPodsArgv(EP), ['crictl', '--runtime-endpoint', EP, 'pods', '-o', 'json']);
  assert.deepEqual(crictlContainersArgv(EP), ['crictl', '--runtime-endpoint', EP, 'ps', '-a', '-o', 'json']);
  assert.deepEqual(DOCKER_PS_ARGV, ['docker', 'ps', '-a', '--no-trunc', '--format', '{{json .}}']);
  assert.deepEqual(crictlInspectArgv(EP, 'c1'), ['crictl', '--runtime-endpoint', EP, 'inspect', 'c1']);
  assert.deepEqual(crictlLogsArgv(EP, 'c1', 20), ['crictl', '--runtime-endpoint', EP, 'logs', '--tail', '20', 'c1']);
  assert.deepEqual(dockerLogsArgv('d4', 20), ['docker', 'logs', '--tail', '20', 'd4']);
  assert.deepEqual(crictlInfoArgv(EP), ['crictl', '--runtime-endpoint', EP, '--timeout', '10s', 'info']);
});

test("reset: kubeadm's own crictl -r and docker commands", () => {
  assert.deepEqual(crictlResetArgv.list('/run/containerd/containerd.sock'), ['crictl', '-r', '/run/containerd/containerd.sock', 'pods', '-q']);
  assert.deepEqual(crictlResetArgv.stop(EP, 'p1'), ['crictl', '-r', EP, 'stopp', 'p1']);
  assert.deepEqual(crictlResetArgv.remove(EP, 'p1'), ['crictl', '-r', EP, 'rmp', 'p1']);
  assert.deepEqual(dockerResetArgv.list(), ['docker', 'ps', '-a', '--filter', 'name=k8s_', '-q']);
  assert.deepEqual(dockerResetArgv.remove('c0ffee'), ['docker', 'rm', '--force', '--volumes', 'c0ffee']);
});
