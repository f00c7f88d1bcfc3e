import { test } from 'node:test';
import assert from 'node:assert/strict';
import { credentialRegistry, normalizeImage, parseImageReference, registryOf, shortImageName } from '../../src/kube/image-ref.js';

test('references split into registry, path, tag and digest as distribution/reference does', () => {
  assert.deepEqual(parseImageReference('registry.k8s.io/coredns/coredns:v1.10.1'), { registry: 'registry.k8s.io', path: 'coredns/coredns', tag: 'v1.10.1' });
  assert.deepEqual(parseImageReference('10.77.0.1:5001/k8s/pause:3.9'), { registry: '10.77.0.1:5001', path: 'k8s/pause', tag: '3.9' });
  assert.deepEqual(parseImageReference('localhost/pause'), { registry: 'localhost', path: 'pause' });
  assert.deepEqual(parseImageReference('localhost:5000/pause:3.9'), { registry: 'localhost:5000', path: 'pause', tag: '3.9' });
  assert.deepEqual(parseImageReference('nginx'), { registry: 'docker.io', path: 'library/nginx' });
  assert.deepEqual(parseImageReference('coredns/coredns:1.8.0'), { registry: 'docker.io', path: 'coredns/coredns', tag: '1.8.0' });
  assert.deepEqual(parseImageReference('pause:3.9@sha256:abc'), { registry: 'docker.io', path: 'library/pause', tag: '3.9', digest: 'sha256:abc' });
});

test('normalized as containerd stores references: docker.io/library/ and :latest added', () => {
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('busybox:1'), 'docker.io/library/busybox:1');
  assert.equal(normalizeImage('me/etcd:1'), 'docker.io/me/etcd:1');
  assert.equal(normalizeImage('registry.k8s.io/etcd:3.5.9-0'), 'registry.k8s.io/etcd:3.5.9-0');
  assert.equal(normalizeImage('10.77.0.1:5000/etcd:3.5.9-0'), '10.77.0.1:5000/etcd:3.5.9-0');
  assert.equal(normalizeImage('docker.io/library/nginx:latest'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('busybox@sha256:abc'), 'docker.io/library/busybox@sha256:abc');
});

test('where the two former normalizations differed: the implicit :latest, Hub\'s legacy name, tag with digest', () => {
  // One of them left "nginx" as "docker.io/library/nginx", which never equals what crictl lists.
  assert.equal(normalizeImage('nginx'), normalizeImage('docker.io/library/nginx:latest'));
  // index.docker.io is Docker Hub's legacy name (splitDockerDomain); one of them kept it as a registry of its own.
  assert.equal(normalizeImage('index.docker.io/library/busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(normalizeImage('index.docker.io/busybox:1.36'), 'docker.io/library/busybox:1.36');
  // ParseDockerRef keeps only the digest of a reference that has both: that is the name crictl lists.
  assert.equal(normalizeImage('registry.k8s.io/pause:3.9@sha256:7031c1b2'), 'registry.k8s.io/pause@sha256:7031c1b2');
  // registry-1.docker.io is a host of its own for the runtime, though credentials treat it as Docker Hub.
  assert.equal(normalizeImage('registry-1.docker.io/library/nginx:1.25'), 'registry-1.docker.io/library/nginx:1.25');
});

test('the registry an image is pulled from, as credentials are filed', () => {
  assert.equal(registryOf('10.77.0.1:5001/k8s/etcd:3.5.9-0'), '10.77.0.1:5001');
  assert.equal(registryOf('nginx'), 'docker.io');
  assert.equal(registryOf('index.docker.io/library/nginx'), 'docker.io');
  assert.equal(registryOf('registry-1.docker.io/library/nginx'), 'docker.io');
  assert.equal(registryOf('registry.k8s.io/pause:3.9'), 'registry.k8s.io');
  assert.equal(credentialRegistry('index.docker.io'), 'docker.io');
  assert.equal(credentialRegistry('reg.example.com:443'), 'reg.example.com:443');
});

test('short names for progress lines', () => {
  assert.equal(shortImageName('registry.k8s.io/coredns/coredns:v1.10.1'), 'coredns:v1.10.1');
  assert.equal(shortImageName('pause:3.9'), 'pause:3.9');
});
