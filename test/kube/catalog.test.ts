import { test } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import { catalogImages, componentImage, defaultImageRepository, ImageRepositoryError } from '../../src/kube/images.js';
import {
  COMPONENT_ORDER,
  COREDNS_IMAGE_PATH,
  COREDNS_TAG,
  DEFAULT_IMAGE_REPOSITORY,
  ETCD_TAG,
  PAUSE_TAG,
  type Rule,
} from '../../src/kube/catalog.data.js';
import { SUPPORTED_MINORS, VersionError } from '../../src/kube/version.js';

test('default image repository: k8s.gcr.io until the registry.k8s.io switch and its backports', () => {
  assert.equal(defaultImageRepository('v1.20.15'), 'k8s.gcr.io');
  assert.equal(defaultImageRepository('v1.21.14'), 'k8s.gcr.io');
  assert.equal(defaultImageRepository('v1.22.16'), 'k8s.gcr.io');
  assert.equal(defaultImageRepository('v1.22.17'), 'registry.k8s.io');
  assert.equal(defaultImageRepository('v1.23.14'), 'k8s.gcr.io');
  assert.equal(defaultImageRepository('v1.23.15'), 'registry.k8s.io');
  assert.equal(defaultImageRepository('v1.24.8'), 'k8s.gcr.io');
  assert.equal(defaultImageRepository('v1.24.9'), 'registry.k8s.io');
  assert.equal(defaultImageRepository('v1.25.0'), 'registry.k8s.io');
  assert.equal(defaultImageRepository('v1.33.0'), 'registry.k8s.io');
});

test('the coredns/coredns path follows a string compare with the default repository', () => {
  // Writing the default explicitly is the same as leaving it out.
  assert.equal(componentImage('v1.28.4', 'coredns', 'registry.k8s.io'), 'registry.k8s.io/coredns/coredns:v1.10.1');
  // The old default written explicitly on a release whose default moved is just another repository.
  assert.equal(componentImage('v1.25.16', 'coredns', 'k8s.gcr.io'), 'k8s.gcr.io/coredns:v1.9.3');
  assert.equal(componentImage('v1.24.9', 'coredns', 'k8s.gcr.io'), 'k8s.gcr.io/coredns:v1.8.6');
  assert.equal(componentImage('v1.24.8', 'coredns', 'k8s.gcr.io'), 'k8s.gcr.io/coredns/coredns:v1.8.6');
  // v1.20 had no coredns/ sub-path at all.
  assert.equal(componentImage('v1.20.15', 'coredns'), 'k8s.gcr.io/coredns:1.7.0');
});

test('componentImage returns single entries of the list', () => {
  assert.equal(componentImage('1.29.15', 'etcd'), 'registry.k8s.io/etcd:3.5.16-0');
  assert.equal(componentImage('v1.29.15', 'pause', 'mirror.example/k8s'), 'mirror.example/k8s/pause:3.9');
  assert.equal(componentImage('v1.29.15', 'kube-proxy', 'mirror.example/k8s'), 'mirror.example/k8s/kube-proxy:v1.29.15');
  assert.throws(() => componentImage('v1.29.15', 'kubelet' as never), /unknown component "kubelet"/);
});

test('catalogImages names the component of every image', () => {
  assert.deepEqual(
    catalogImages('v1.30.14').map((i) => i.component),
    ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'coredns', 'pause', 'etcd'],
  );
  assert.deepEqual(
    catalogImages('v1.28.15').map((i) => i.component),
    ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'pause', 'etcd', 'coredns'],
  );
});

test('a later patch of the newest minor takes its newest known values', () => {
  assert.deepEqual(catalogImages('v1.37.4').map((i) => i.image), [
    'registry.k8s.io/kube-apiserver:v1.37.4',
    'registry.k8s.io/kube-controller-manager:v1.37.4',
    'registry.k8s.io/kube-scheduler:v1.37.4',
    'registry.k8s.io/kube-proxy:v1.37.4',
    'registry.k8s.io/coredns/coredns:v1.14.6',
    'registry.k8s.io/pause:3.10.2',
    'registry.k8s.io/etcd:3.7.0-0',
  ]);
});

test('a later patch of an older minor takes that minor\'s newest known values', () => {
  assert.deepEqual(catalogImages('v1.33.9').map((i) => i.image), [
    'registry.k8s.io/kube-apiserver:v1.33.9',
    'registry.k8s.io/kube-controller-manager:v1.33.9',
    'registry.k8s.io/kube-scheduler:v1.33.9',
    'registry.k8s.io/kube-proxy:v1.33.9',
    'registry.k8s.io/coredns/coredns:v1.12.0',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.24-0',
  ]);
});

test('unknown or malformed versions throw VersionError', () => {
  assert.throws(() => catalogImages('v1.19.16'), VersionError);
  assert.throws(() => catalogImages('v1.38.0'), VersionError);
  assert.throws(() => catalogImages('v1.28'), VersionError);
  assert.throws(() => componentImage('latest', 'etcd'), VersionError);
  assert.throws(() => defaultImageRepository('1.2.3.4'), VersionError);
});

test('image repositories that would give broken image names are refused', () => {
  for (const bad of ['', 'registry.example.com/', 'https://registry.example.com', 'my registry']) {
    assert.throws(() => catalogImages('v1.28.4', bad), ImageRepositoryError);
  }
  assert.throws(() => catalogImages('v1.28.4', 'registry.example.com/'), {
    message: 'imageRepository "registry.example.com/" is not a valid image repository (expected e.g. "registry.example.com/k8s", without scheme or trailing "/")',
  });
  // Ports and nested paths are fine.
  assert.equal(componentImage('v1.28.4', 'pause', 'localhost:5000/k8s/mirror'), 'localhost:5000/k8s/mirror/pause:3.9');
});

/** Every patch of every supported minor up to a generous bound is covered by exactly the first matching row. */
function coversAll<T>(name: string, table: Rule<T>[]): void {
  for (const minor of SUPPORTED_MINORS) {
    for (let patch = 0; patch <= 40; patch++) {
      const v = `${minor}.${patch}`;
      const rows = table.filter((r) => semver.satisfies(v, r.range));
      assert.ok(rows.length >= 1, `${name}: no row covers ${v}`);
    }
  }
  for (const r of table) {
    assert.ok(semver.validRange(r.range), `${name}: bad range ${r.range}`);
    assert.match(r.source, /kubeadm v1\.\d+/, `${name}: row ${r.range} does not cite its kubeadm source`);
  }
}

test('every data table covers every supported release and cites a source', () => {
  coversAll('DEFAULT_IMAGE_REPOSITORY', DEFAULT_IMAGE_REPOSITORY);
  coversAll('COMPONENT_ORDER', COMPONENT_ORDER);
  coversAll('PAUSE_TAG', PAUSE_TAG);
  coversAll('COREDNS_TAG', COREDNS_TAG);
  coversAll('COREDNS_IMAGE_PATH', COREDNS_IMAGE_PATH);
  coversAll('ETCD_TAG', ETCD_TAG);
});

test('etcd rows do not overlap (each release has exactly one etcd tag)', () => {
  for (const minor of SUPPORTED_MINORS) {
    for (let patch = 0; patch <= 40; patch++) {
      const v = `${minor}.${patch}`;
      assert.equal(ETCD_TAG.filter((r) => semver.satisfies(v, r.range)).length, 1, `etcd rows for ${v}`);
    }
  }
});
