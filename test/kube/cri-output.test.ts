import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crictlCriMismatch,
  newest,
  parseCrictlContainers,
  parseCrictlImages,
  parseCrictlInfo,
  parseCrictlInspect,
  parseCrictlPods,
  parseDockerImages,
  parseDockerPs,
  parseDockershimName,
  RuntimeImages,
  RuntimeOutputError,
} from '../../src/kube/cri-output.js';
import { CRICTL_INSPECT_EXITED, CRICTL_PODS, CRICTL_PS, DOCKER_PS } from '../health/fixtures.js';

/**
 * `crictl images -o json` (crictl v1.28, containerd 1.7) on a node where pause and CoreDNS were pulled by tag,
 * nginx from Docker Hub by its short name, and busybox by digest only (no repoTags).
 */
const CRICTL_IMAGES = `{
  "images": [
    {
      "id": "sha256:e6f1816883972d4be47bd48879a08919b96afcd344132622e4d444987919323c",
      "repoTags": [
        "registry.k8s.io/pause:3.9"
      ],
      "repoDigests": [
        "registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097"
      ],
      "size": "321520",
      "uid": {
        "value": "65535"
      },
      "username": "",
      "spec": null,
      "pinned": true
    },
    {
      "id": "sha256:ead0a4a53df89fd173874b46093b6e62d8c72967bbf606d672c9e8c9b601a4fc",
      "repoTags": [
        "registry.k8s.io/coredns/coredns:v1.10.1"
      ],
      "repoDigests": [
        "registry.k8s.io/coredns/coredns@sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e"
      ],
      "size": "16190758",
      "uid": null,
      "username": "nonroot",
      "spec": null,
      "pinned": false
    },
    {
      "id": "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6",
      "repoTags": [
        "docker.io/library/nginx:latest"
      ],
      "repoDigests": [
        "docker.io/library/nginx@sha256:10d1f5b58f74683ad34eb29287e07dab1e90f10af243f151bb50aa5dbb4d62ee"
      ],
      "size": "70520324",
      "uid": null,
      "username": "",
      "spec": null,
      "pinned": false
    },
    {
      "id": "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741",
      "repoTags": [],
      "repoDigests": [
        "docker.io/library/busybox@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7"
      ],
      "size": "2160406",
      "uid": null,
      "username": "",
      "spec": null,
      "pinned": false
    }
  ]
}
`;

/** `docker images --format '{{.Repository}}:{{.Tag}}'` (Docker 20.10) on a v1.23 dockershim node. */
const DOCKER_IMAGES = `k8s.gcr.io/kube-apiserver:v1.23.17
k8s.gcr.io/kube-proxy:v1.23.17
k8s.gcr.io/etcd:3.5.6-0
k8s.gcr.io/coredns/coredns:v1.8.6
k8s.gcr.io/pause:3.6
nginx:latest
busybox:<none>
<none>:<none>
`;

test('crictl images -o json: tags listed, tags and digests answered, in any spelling', () => {
  const images = parseCrictlImages(CRICTL_IMAGES);
  assert.deepEqual([...images], ['registry.k8s.io/pause:3.9', 'registry.k8s.io/coredns/coredns:v1.10.1', 'docker.io/library/nginx:latest']);
  assert.equal(images.size, 3);
  assert.equal(images.has('registry.k8s.io/pause:3.9'), true);
  assert.equal(images.has('nginx'), true);
  assert.equal(images.has('nginx:latest'), true);
  assert.equal(images.has('nginx:1.25'), false);
  assert.equal(images.has('registry.k8s.io/pause:3.10'), false);
  assert.equal(images.has('registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097'), true);
  assert.deepEqual(images.digests().length, 4);
});

test('where the two former parsers differed: digests count as present, and non-JSON is a RuntimeOutputError', () => {
  const images = parseCrictlImages(CRICTL_IMAGES);
  // Pulled by digest only: no tag, but the image is there (one parser read only repoTags and would pull it again).
  assert.equal(images.has('busybox@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7'), true);
  // A reference with tag and digest is the digest, as containerd names it.
  assert.equal(images.has('registry.k8s.io/coredns/coredns:v1.10.1@sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e'), true);
  // crictl prints its fatal error instead of JSON when the runtime does not answer.
  assert.throws(() => parseCrictlImages('time="2023-11-22T08:00:00Z" level=fatal msg="validate service connection: connection refused"'), (e: unknown) => {
    assert.ok(e instanceof RuntimeOutputError);
    assert.match(e.message, /^crictl images -o json printed something that is not JSON: time=/);
    return true;
  });
  assert.throws(() => parseCrictlImages('{"images": {}}'), RuntimeOutputError);
});

test('crictl images: an empty runtime prints an empty list (or null)', () => {
  assert.equal(parseCrictlImages('{\n  "images": []\n}\n').size, 0);
  assert.equal(parseCrictlImages('{"images": null}').size, 0);
  assert.equal(parseCrictlImages('{}').size, 0);
});

test('docker images: short names normalized, untagged skipped', () => {
  const images = parseDockerImages(DOCKER_IMAGES);
  assert.deepEqual(images.tags(), [
    'k8s.gcr.io/kube-apiserver:v1.23.17',
    'k8s.gcr.io/kube-proxy:v1.23.17',
    'k8s.gcr.io/etcd:3.5.6-0',
    'k8s.gcr.io/coredns/coredns:v1.8.6',
    'k8s.gcr.io/pause:3.6',
    'docker.io/library/nginx:latest',
  ]);
  assert.equal(images.has('nginx'), true);
  assert.equal(images.has('docker.io/library/busybox:latest'), false);
  assert.equal(parseDockerImages('').size, 0);
});

test('RuntimeImages normalizes what it is given', () => {
  const images = new RuntimeImages(['pause:3.9'], ['me/app@sha256:abc']);
  assert.deepEqual([...images], ['docker.io/library/pause:3.9']);
  assert.equal(images.has('docker.io/me/app@sha256:abc'), true);
});

test('crictl pods -o json and ps -a -o json', () => {
  const pods = parseCrictlPods(CRICTL_PODS);
  assert.deepEqual(
    pods.map((p) => [p.name, p.namespace, p.state, p.attempt]),
    [
      ['etcd-cp1', 'kube-system', 'ready', 0],
      ['kube-apiserver-cp1', 'kube-system', 'ready', 0],
      ['kube-scheduler-cp1', 'kube-system', 'notready', 0],
      ['kube-scheduler-cp1', 'kube-system', 'ready', 0],
    ],
  );
  assert.equal(typeof pods[0]?.createdAt, 'bigint');
  const containers = parseCrictlContainers(CRICTL_PS);
  assert.deepEqual(containers[1] && [containers[1].name, containers[1].state, containers[1].attempt, containers[1].podName], ['kube-apiserver', 'exited', 2, 'kube-apiserver-cp1']);
  assert.deepEqual(parseCrictlPods('{"items": []}'), []);
  assert.throws(() => parseCrictlContainers('level=fatal'), RuntimeOutputError);
});

test('docker ps (dockershim): sandboxes from k8s_POD_ containers, exit codes from the status', () => {
  const state = parseDockerPs(DOCKER_PS);
  assert.deepEqual(state.sandboxes.map((s) => s.name), ['etcd-cp1', 'kube-controller-manager-cp1']);
  const cm = state.containers.find((c) => c.name === 'kube-controller-manager');
  assert.deepEqual(cm && [cm.state, cm.exitCode, cm.attempt, cm.podSandboxId.slice(-1)], ['exited', 255, 4, '3']);
  assert.equal(state.containers.some((c) => c.name === 'web'), false);
  assert.deepEqual(parseDockershimName('/k8s_etcd_etcd-cp1_kube-system_aa11_0'), { container: 'etcd', pod: 'etcd-cp1', namespace: 'kube-system', uid: 'aa11', attempt: 0 });
  assert.equal(parseDockershimName('web'), undefined);
});

test('newest: by creation time, then attempt', () => {
  assert.deepEqual(newest([{ createdAt: 2n, attempt: 0 }, { createdAt: 2n, attempt: 1 }, { createdAt: 1n, attempt: 5 }]), { createdAt: 2n, attempt: 1 });
  assert.equal(newest([]), undefined);
});

test('crictl inspect and crictl info', () => {
  assert.deepEqual(parseCrictlInspect(CRICTL_INSPECT_EXITED), { exitCode: 1, reason: 'Error', finishedAt: '2023-11-22T08:01:21.5Z' });
  assert.equal(parseCrictlInspect('not json'), undefined);
  const info = parseCrictlInfo(
    'WARN[0000] runtime connect using default endpoints\n{"status": {"conditions": [{"type": "RuntimeReady", "status": true, "reason": "", "message": ""}]}, "config": {"sandboxImage": "registry.k8s.io/pause:3.8"}}\n',
  );
  assert.deepEqual(info, { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' }], sandboxImage: 'registry.k8s.io/pause:3.8' });
  assert.equal(parseCrictlInfo('nothing'), undefined);
  assert.equal(
    crictlCriMismatch('time="2024-01-01T00:00:00Z" level=fatal msg="validate service connection: validate CRI v1 runtime API for endpoint \\"unix:///run/containerd/containerd.sock\\": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService"'),
    'validate service connection: validate CRI v1 runtime API for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService',
  );
  assert.equal(crictlCriMismatch('{}'), undefined);
});
