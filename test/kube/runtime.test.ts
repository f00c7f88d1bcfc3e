import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  crictlCheck,
  criSocketProbes,
  imagePullTool,
  defaultCriSocket,
  detectCriSocket,
  knownCriSockets,
  kubeletMaxSkew,
  kubeletSkewOk,
  pullsWithDocker,
} from '../../src/kube/runtime.js';
import { VersionError } from '../../src/kube/version.js';

test('kubeadm v1.20–v1.23 look for docker (→ dockershim), then containerd, then CRI-O, without URL schemes', () => {
  for (const v of ['v1.20.0', 'v1.22.17', 'v1.23.17']) {
    assert.deepEqual(knownCriSockets(v), ['/var/run/dockershim.sock', '/run/containerd/containerd.sock', '/var/run/crio/crio.sock']);
    assert.equal(defaultCriSocket(v), '/var/run/dockershim.sock');
  }
  assert.deepEqual(criSocketProbes('v1.23.17'), [
    { probe: '/var/run/docker.sock', criSocket: '/var/run/dockershim.sock' },
    { probe: '/run/containerd/containerd.sock', criSocket: '/run/containerd/containerd.sock', onlyIfAbsent: '/var/run/docker.sock' },
    { probe: '/var/run/crio/crio.sock', criSocket: '/var/run/crio/crio.sock' },
  ]);
});

test('kubeadm v1.24+ look for containerd, CRI-O, cri-dockerd, with unix:// and containerd as the fallback', () => {
  for (const v of ['v1.24.0', 'v1.28.4', 'v1.37.1']) {
    assert.deepEqual(knownCriSockets(v), [
      'unix:///var/run/containerd/containerd.sock',
      'unix:///var/run/crio/crio.sock',
      'unix:///var/run/cri-dockerd.sock',
    ]);
    assert.equal(defaultCriSocket(v), 'unix:///var/run/containerd/containerd.sock');
  }
});

test('detectCriSocket decides as kubeadm does', () => {
  // Docker 18.09+ brings containerd along: before v1.24 that is one runtime, docker.
  assert.deepEqual(detectCriSocket('v1.23.17', ['/var/run/docker.sock', '/run/containerd/containerd.sock']), {
    criSocket: '/var/run/dockershim.sock',
  });
  assert.deepEqual(detectCriSocket('v1.23.17', ['/run/containerd/containerd.sock']), { criSocket: '/run/containerd/containerd.sock' });
  assert.deepEqual(detectCriSocket('v1.23.17', []), { criSocket: '/var/run/dockershim.sock' });
  assert.deepEqual(detectCriSocket('v1.23.17', ['/var/run/docker.sock', '/var/run/crio/crio.sock']), {
    multiple: ['/var/run/dockershim.sock', '/var/run/crio/crio.sock'],
  });
  // From v1.24 containerd and cri-dockerd are separate runtimes.
  assert.deepEqual(detectCriSocket('v1.24.0', ['unix:///var/run/containerd/containerd.sock', 'unix:///var/run/cri-dockerd.sock']), {
    multiple: ['unix:///var/run/containerd/containerd.sock', 'unix:///var/run/cri-dockerd.sock'],
  });
  assert.deepEqual(detectCriSocket('v1.24.0', ['unix:///var/run/crio/crio.sock']), { criSocket: 'unix:///var/run/crio/crio.sock' });
  assert.deepEqual(detectCriSocket('v1.30.0', []), { criSocket: 'unix:///var/run/containerd/containerd.sock' });
  // The Docker Engine socket alone means nothing to kubeadm v1.24+.
  assert.deepEqual(detectCriSocket('v1.30.0', ['unix:///var/run/docker.sock']), { criSocket: 'unix:///var/run/containerd/containerd.sock' });
});

test('docker pull only for the dockershim socket, spelled exactly, before v1.24', () => {
  assert.equal(pullsWithDocker('v1.20.0', '/var/run/dockershim.sock'), true);
  assert.equal(pullsWithDocker('v1.23.17', '/var/run/dockershim.sock'), true);
  assert.equal(pullsWithDocker('v1.23.17', 'unix:///var/run/dockershim.sock'), false);
  assert.equal(pullsWithDocker('v1.23.17', '/run/containerd/containerd.sock'), false);
  assert.equal(pullsWithDocker('v1.23.17', '/var/run/crio/crio.sock'), false);
  assert.equal(pullsWithDocker('v1.24.0', '/var/run/dockershim.sock'), false);
  assert.equal(pullsWithDocker('v1.24.0', 'unix:///var/run/cri-dockerd.sock'), false);
  assert.equal(pullsWithDocker('v1.33.0', 'unix:///var/run/containerd/containerd.sock'), false);
});

test('kubelet skew: one minor back before v1.29, three from v1.29, never newer', () => {
  assert.equal(kubeletMaxSkew('v1.20.0'), 1);
  assert.equal(kubeletMaxSkew('v1.28.15'), 1);
  assert.equal(kubeletMaxSkew('v1.29.0'), 3);
  assert.equal(kubeletMaxSkew('v1.33.6'), 3);
  assert.equal(kubeletMaxSkew('v1.36.5'), 3);

  assert.equal(kubeletSkewOk('v1.19.16', 'v1.20.15'), true);
  assert.equal(kubeletSkewOk('v1.18.20', 'v1.20.15'), false);
  assert.equal(kubeletSkewOk('v1.28.15', 'v1.28.0'), true, 'patch versions never matter');
  assert.equal(kubeletSkewOk('v1.27.0', 'v1.28.4'), true);
  assert.equal(kubeletSkewOk('v1.26.15', 'v1.28.4'), false);
  assert.equal(kubeletSkewOk('v1.29.0', 'v1.28.15'), false, 'a kubelet newer than the control plane');
  assert.equal(kubeletSkewOk('v1.26.0', 'v1.29.0'), true);
  assert.equal(kubeletSkewOk('v1.25.16', 'v1.29.0'), false);
  assert.equal(kubeletSkewOk('v1.30.0', 'v1.33.6'), true);
  assert.equal(kubeletSkewOk('v1.29.15', 'v1.33.6'), false);
  assert.equal(kubeletSkewOk('v1.34.0', 'v1.33.6'), false);
  assert.equal(kubeletSkewOk('v1.31.0', 'v1.34.2'), true);
  assert.equal(kubeletSkewOk('v1.30.14', 'v1.34.2'), false);
});

test('kubelet versions as `kubelet --version` prints them, pre-releases below their release', () => {
  assert.equal(kubeletSkewOk('Kubernetes v1.28.4', 'v1.28.4'), true);
  assert.equal(kubeletSkewOk('1.27.3', 'v1.28.4'), true);
  assert.equal(kubeletSkewOk('v1.27.0-rc.1', 'v1.28.4'), false);
  assert.equal(kubeletSkewOk('v1.27.1-rc.0', 'v1.28.4'), true);
  assert.throws(() => kubeletSkewOk('not a version', 'v1.28.4'), VersionError);
  assert.throws(() => kubeletSkewOk('v1.28.4', 'v1.38.0'), VersionError);
});

test('runtime rules refuse unsupported versions', () => {
  assert.throws(() => knownCriSockets('v1.19.0'), VersionError);
  assert.throws(() => pullsWithDocker('1.23', '/var/run/dockershim.sock'), VersionError);
});

test('image pulls: docker for dockershim, crictl until v1.30, the CRI API from v1.31', () => {
  assert.equal(imagePullTool('v1.23.17', '/var/run/dockershim.sock'), 'docker');
  assert.equal(imagePullTool('v1.23.17', '/run/containerd/containerd.sock'), 'crictl');
  assert.equal(imagePullTool('v1.24.0', 'unix:///var/run/containerd/containerd.sock'), 'crictl');
  assert.equal(imagePullTool('v1.30.14', 'unix:///var/run/crio/crio.sock'), 'crictl');
  assert.equal(imagePullTool('v1.31.0', 'unix:///var/run/containerd/containerd.sock'), 'cri-api');
  assert.equal(imagePullTool('v1.36.5', 'unix:///var/run/cri-dockerd.sock'), 'cri-api');
});

test('crictl preflight: required for CRI sockets until v1.30, a warning in v1.31, gone from v1.32', () => {
  assert.equal(crictlCheck('v1.23.17', '/var/run/dockershim.sock'), 'none');
  assert.equal(crictlCheck('v1.23.17', '/run/containerd/containerd.sock'), 'error');
  assert.equal(crictlCheck('v1.30.14', 'unix:///var/run/containerd/containerd.sock'), 'error');
  assert.equal(crictlCheck('v1.31.0', 'unix:///var/run/containerd/containerd.sock'), 'warning');
  assert.equal(crictlCheck('v1.32.0', 'unix:///var/run/containerd/containerd.sock'), 'none');
});
