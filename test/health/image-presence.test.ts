import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagnoseComponent } from '../../src/health/diagnosis.js';
import type { ComponentSpec } from '../../src/health/endpoints.js';
import { parseCrictlImages } from '../../src/kube/cri-output.js';

const spec = (image: string): ComponentSpec => ({ name: 'kube-apiserver', namespace: 'kube-system', container: 'kube-apiserver', image });

test('an image named without tag is the :latest crictl lists, not a missing image', () => {
  const images = parseCrictlImages('{"images": [{"id": "sha256:1", "repoTags": ["docker.io/library/kube-apiserver:latest"], "repoDigests": []}]}');
  assert.deepEqual(diagnoseComponent({ spec: spec('kube-apiserver'), pod: {}, imagesPresent: images }), [
    'pod never created: kubelet has not started kube-apiserver from its static Pod manifest (see the kubelet journal)',
  ]);
});

test('an image named by digest is present when crictl lists that digest', () => {
  const digest = 'sha256:5b28a364467cf7e134343bb3ee2c6d40682b473a743a72142c7bbe25767d36eb';
  const images = parseCrictlImages(`{"images": [{"id": "sha256:1", "repoTags": [], "repoDigests": ["registry.k8s.io/kube-apiserver@${digest}"]}]}`);
  assert.equal(diagnoseComponent({ spec: spec(`registry.k8s.io/kube-apiserver:v1.28.4@${digest}`), pod: {}, imagesPresent: images })[0]?.startsWith('pod never created'), true);
  assert.equal(diagnoseComponent({ spec: spec('registry.k8s.io/kube-apiserver:v1.28.4'), pod: {}, imagesPresent: images })[0], 'image not pulled: registry.k8s.io/kube-apiserver:v1.28.4 is not present on the host');
});
