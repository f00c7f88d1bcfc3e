import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogImages } from '../../src/kube/images.js';

/*
 * `kubeadm config images list --kubernetes-version V [--image-repository R]`, written out per version:
 * every minor's first and last release, and the releases on both sides of each etcd backport and of the
 * registry.k8s.io backport (v1.22.17, v1.23.15, v1.24.9).
 */
const MIRROR = 'registry.aliyuncs.com/google_containers';

function images(version: string, repository?: string): string[] {
  return catalogImages(version, repository).map((i) => i.image);
}

test('kubeadm v1.20.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.20.0'), [
    'k8s.gcr.io/kube-apiserver:v1.20.0',
    'k8s.gcr.io/kube-controller-manager:v1.20.0',
    'k8s.gcr.io/kube-scheduler:v1.20.0',
    'k8s.gcr.io/kube-proxy:v1.20.0',
    'k8s.gcr.io/pause:3.2',
    'k8s.gcr.io/etcd:3.4.13-0',
    'k8s.gcr.io/coredns:1.7.0',
  ]);
  assert.deepEqual(images('v1.20.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.20.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.20.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.20.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.20.0',
    'registry.aliyuncs.com/google_containers/pause:3.2',
    'registry.aliyuncs.com/google_containers/etcd:3.4.13-0',
    'registry.aliyuncs.com/google_containers/coredns:1.7.0',
  ]);
});

test('kubeadm v1.20.15 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.20.15'), [
    'k8s.gcr.io/kube-apiserver:v1.20.15',
    'k8s.gcr.io/kube-controller-manager:v1.20.15',
    'k8s.gcr.io/kube-scheduler:v1.20.15',
    'k8s.gcr.io/kube-proxy:v1.20.15',
    'k8s.gcr.io/pause:3.2',
    'k8s.gcr.io/etcd:3.4.13-0',
    'k8s.gcr.io/coredns:1.7.0',
  ]);
  assert.deepEqual(images('v1.20.15', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.20.15',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.20.15',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.20.15',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.20.15',
    'registry.aliyuncs.com/google_containers/pause:3.2',
    'registry.aliyuncs.com/google_containers/etcd:3.4.13-0',
    'registry.aliyuncs.com/google_containers/coredns:1.7.0',
  ]);
});

test('kubeadm v1.21.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.21.0'), [
    'k8s.gcr.io/kube-apiserver:v1.21.0',
    'k8s.gcr.io/kube-controller-manager:v1.21.0',
    'k8s.gcr.io/kube-scheduler:v1.21.0',
    'k8s.gcr.io/kube-proxy:v1.21.0',
    'k8s.gcr.io/pause:3.4.1',
    'k8s.gcr.io/etcd:3.4.13-0',
    'k8s.gcr.io/coredns/coredns:v1.8.0',
  ]);
  assert.deepEqual(images('v1.21.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.21.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.21.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.21.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.21.0',
    'registry.aliyuncs.com/google_containers/pause:3.4.1',
    'registry.aliyuncs.com/google_containers/etcd:3.4.13-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.0',
  ]);
});

test('kubeadm v1.21.14 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.21.14'), [
    'k8s.gcr.io/kube-apiserver:v1.21.14',
    'k8s.gcr.io/kube-controller-manager:v1.21.14',
    'k8s.gcr.io/kube-scheduler:v1.21.14',
    'k8s.gcr.io/kube-proxy:v1.21.14',
    'k8s.gcr.io/pause:3.4.1',
    'k8s.gcr.io/etcd:3.4.13-0',
    'k8s.gcr.io/coredns/coredns:v1.8.0',
  ]);
  assert.deepEqual(images('v1.21.14', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.21.14',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.21.14',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.21.14',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.21.14',
    'registry.aliyuncs.com/google_containers/pause:3.4.1',
    'registry.aliyuncs.com/google_containers/etcd:3.4.13-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.0',
  ]);
});

test('kubeadm v1.22.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.22.0'), [
    'k8s.gcr.io/kube-apiserver:v1.22.0',
    'k8s.gcr.io/kube-controller-manager:v1.22.0',
    'k8s.gcr.io/kube-scheduler:v1.22.0',
    'k8s.gcr.io/kube-proxy:v1.22.0',
    'k8s.gcr.io/pause:3.5',
    'k8s.gcr.io/etcd:3.5.0-0',
    'k8s.gcr.io/coredns/coredns:v1.8.4',
  ]);
  assert.deepEqual(images('v1.22.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.22.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.22.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.22.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.22.0',
    'registry.aliyuncs.com/google_containers/pause:3.5',
    'registry.aliyuncs.com/google_containers/etcd:3.5.0-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.4',
  ]);
});

test('kubeadm v1.22.16 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.22.16'), [
    'k8s.gcr.io/kube-apiserver:v1.22.16',
    'k8s.gcr.io/kube-controller-manager:v1.22.16',
    'k8s.gcr.io/kube-scheduler:v1.22.16',
    'k8s.gcr.io/kube-proxy:v1.22.16',
    'k8s.gcr.io/pause:3.5',
    'k8s.gcr.io/etcd:3.5.0-0',
    'k8s.gcr.io/coredns/coredns:v1.8.4',
  ]);
  assert.deepEqual(images('v1.22.16', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.22.16',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.22.16',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.22.16',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.22.16',
    'registry.aliyuncs.com/google_containers/pause:3.5',
    'registry.aliyuncs.com/google_containers/etcd:3.5.0-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.4',
  ]);
});

test('kubeadm v1.22.17 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.22.17'), [
    'registry.k8s.io/kube-apiserver:v1.22.17',
    'registry.k8s.io/kube-controller-manager:v1.22.17',
    'registry.k8s.io/kube-scheduler:v1.22.17',
    'registry.k8s.io/kube-proxy:v1.22.17',
    'registry.k8s.io/pause:3.5',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.8.4',
  ]);
  assert.deepEqual(images('v1.22.17', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.22.17',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.22.17',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.22.17',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.22.17',
    'registry.aliyuncs.com/google_containers/pause:3.5',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.4',
  ]);
});

test('kubeadm v1.23.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.23.0'), [
    'k8s.gcr.io/kube-apiserver:v1.23.0',
    'k8s.gcr.io/kube-controller-manager:v1.23.0',
    'k8s.gcr.io/kube-scheduler:v1.23.0',
    'k8s.gcr.io/kube-proxy:v1.23.0',
    'k8s.gcr.io/pause:3.6',
    'k8s.gcr.io/etcd:3.5.1-0',
    'k8s.gcr.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.23.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.23.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.23.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.23.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.23.0',
    'registry.aliyuncs.com/google_containers/pause:3.6',
    'registry.aliyuncs.com/google_containers/etcd:3.5.1-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.23.13 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.23.13'), [
    'k8s.gcr.io/kube-apiserver:v1.23.13',
    'k8s.gcr.io/kube-controller-manager:v1.23.13',
    'k8s.gcr.io/kube-scheduler:v1.23.13',
    'k8s.gcr.io/kube-proxy:v1.23.13',
    'k8s.gcr.io/pause:3.6',
    'k8s.gcr.io/etcd:3.5.1-0',
    'k8s.gcr.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.23.13', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.23.13',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.23.13',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.23.13',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.23.13',
    'registry.aliyuncs.com/google_containers/pause:3.6',
    'registry.aliyuncs.com/google_containers/etcd:3.5.1-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.23.14 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.23.14'), [
    'k8s.gcr.io/kube-apiserver:v1.23.14',
    'k8s.gcr.io/kube-controller-manager:v1.23.14',
    'k8s.gcr.io/kube-scheduler:v1.23.14',
    'k8s.gcr.io/kube-proxy:v1.23.14',
    'k8s.gcr.io/pause:3.6',
    'k8s.gcr.io/etcd:3.5.5-0',
    'k8s.gcr.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.23.14', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.23.14',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.23.14',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.23.14',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.23.14',
    'registry.aliyuncs.com/google_containers/pause:3.6',
    'registry.aliyuncs.com/google_containers/etcd:3.5.5-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.23.15 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.23.15'), [
    'registry.k8s.io/kube-apiserver:v1.23.15',
    'registry.k8s.io/kube-controller-manager:v1.23.15',
    'registry.k8s.io/kube-scheduler:v1.23.15',
    'registry.k8s.io/kube-proxy:v1.23.15',
    'registry.k8s.io/pause:3.6',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.23.15', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.23.15',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.23.15',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.23.15',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.23.15',
    'registry.aliyuncs.com/google_containers/pause:3.6',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.23.17 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.23.17'), [
    'registry.k8s.io/kube-apiserver:v1.23.17',
    'registry.k8s.io/kube-controller-manager:v1.23.17',
    'registry.k8s.io/kube-scheduler:v1.23.17',
    'registry.k8s.io/kube-proxy:v1.23.17',
    'registry.k8s.io/pause:3.6',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.23.17', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.23.17',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.23.17',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.23.17',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.23.17',
    'registry.aliyuncs.com/google_containers/pause:3.6',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.24.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.24.0'), [
    'k8s.gcr.io/kube-apiserver:v1.24.0',
    'k8s.gcr.io/kube-controller-manager:v1.24.0',
    'k8s.gcr.io/kube-scheduler:v1.24.0',
    'k8s.gcr.io/kube-proxy:v1.24.0',
    'k8s.gcr.io/pause:3.7',
    'k8s.gcr.io/etcd:3.5.3-0',
    'k8s.gcr.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.24.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.24.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.24.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.24.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.24.0',
    'registry.aliyuncs.com/google_containers/pause:3.7',
    'registry.aliyuncs.com/google_containers/etcd:3.5.3-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.24.7 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.24.7'), [
    'k8s.gcr.io/kube-apiserver:v1.24.7',
    'k8s.gcr.io/kube-controller-manager:v1.24.7',
    'k8s.gcr.io/kube-scheduler:v1.24.7',
    'k8s.gcr.io/kube-proxy:v1.24.7',
    'k8s.gcr.io/pause:3.7',
    'k8s.gcr.io/etcd:3.5.3-0',
    'k8s.gcr.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.24.7', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.24.7',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.24.7',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.24.7',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.24.7',
    'registry.aliyuncs.com/google_containers/pause:3.7',
    'registry.aliyuncs.com/google_containers/etcd:3.5.3-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.24.8 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.24.8'), [
    'k8s.gcr.io/kube-apiserver:v1.24.8',
    'k8s.gcr.io/kube-controller-manager:v1.24.8',
    'k8s.gcr.io/kube-scheduler:v1.24.8',
    'k8s.gcr.io/kube-proxy:v1.24.8',
    'k8s.gcr.io/pause:3.7',
    'k8s.gcr.io/etcd:3.5.5-0',
    'k8s.gcr.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.24.8', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.24.8',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.24.8',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.24.8',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.24.8',
    'registry.aliyuncs.com/google_containers/pause:3.7',
    'registry.aliyuncs.com/google_containers/etcd:3.5.5-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.24.9 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.24.9'), [
    'registry.k8s.io/kube-apiserver:v1.24.9',
    'registry.k8s.io/kube-controller-manager:v1.24.9',
    'registry.k8s.io/kube-scheduler:v1.24.9',
    'registry.k8s.io/kube-proxy:v1.24.9',
    'registry.k8s.io/pause:3.7',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.24.9', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.24.9',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.24.9',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.24.9',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.24.9',
    'registry.aliyuncs.com/google_containers/pause:3.7',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.24.17 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.24.17'), [
    'registry.k8s.io/kube-apiserver:v1.24.17',
    'registry.k8s.io/kube-controller-manager:v1.24.17',
    'registry.k8s.io/kube-scheduler:v1.24.17',
    'registry.k8s.io/kube-proxy:v1.24.17',
    'registry.k8s.io/pause:3.7',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.8.6',
  ]);
  assert.deepEqual(images('v1.24.17', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.24.17',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.24.17',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.24.17',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.24.17',
    'registry.aliyuncs.com/google_containers/pause:3.7',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.8.6',
  ]);
});

test('kubeadm v1.25.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.25.0'), [
    'registry.k8s.io/kube-apiserver:v1.25.0',
    'registry.k8s.io/kube-controller-manager:v1.25.0',
    'registry.k8s.io/kube-scheduler:v1.25.0',
    'registry.k8s.io/kube-proxy:v1.25.0',
    'registry.k8s.io/pause:3.8',
    'registry.k8s.io/etcd:3.5.4-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.25.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.25.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.25.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.25.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.25.0',
    'registry.aliyuncs.com/google_containers/pause:3.8',
    'registry.aliyuncs.com/google_containers/etcd:3.5.4-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.25.3 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.25.3'), [
    'registry.k8s.io/kube-apiserver:v1.25.3',
    'registry.k8s.io/kube-controller-manager:v1.25.3',
    'registry.k8s.io/kube-scheduler:v1.25.3',
    'registry.k8s.io/kube-proxy:v1.25.3',
    'registry.k8s.io/pause:3.8',
    'registry.k8s.io/etcd:3.5.4-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.25.3', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.25.3',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.25.3',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.25.3',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.25.3',
    'registry.aliyuncs.com/google_containers/pause:3.8',
    'registry.aliyuncs.com/google_containers/etcd:3.5.4-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.25.4 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.25.4'), [
    'registry.k8s.io/kube-apiserver:v1.25.4',
    'registry.k8s.io/kube-controller-manager:v1.25.4',
    'registry.k8s.io/kube-scheduler:v1.25.4',
    'registry.k8s.io/kube-proxy:v1.25.4',
    'registry.k8s.io/pause:3.8',
    'registry.k8s.io/etcd:3.5.5-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.25.4', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.25.4',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.25.4',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.25.4',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.25.4',
    'registry.aliyuncs.com/google_containers/pause:3.8',
    'registry.aliyuncs.com/google_containers/etcd:3.5.5-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.25.5 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.25.5'), [
    'registry.k8s.io/kube-apiserver:v1.25.5',
    'registry.k8s.io/kube-controller-manager:v1.25.5',
    'registry.k8s.io/kube-scheduler:v1.25.5',
    'registry.k8s.io/kube-proxy:v1.25.5',
    'registry.k8s.io/pause:3.8',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.25.5', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.25.5',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.25.5',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.25.5',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.25.5',
    'registry.aliyuncs.com/google_containers/pause:3.8',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.25.14 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.25.14'), [
    'registry.k8s.io/kube-apiserver:v1.25.14',
    'registry.k8s.io/kube-controller-manager:v1.25.14',
    'registry.k8s.io/kube-scheduler:v1.25.14',
    'registry.k8s.io/kube-proxy:v1.25.14',
    'registry.k8s.io/pause:3.8',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.25.14', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.25.14',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.25.14',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.25.14',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.25.14',
    'registry.aliyuncs.com/google_containers/pause:3.8',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.25.15 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.25.15'), [
    'registry.k8s.io/kube-apiserver:v1.25.15',
    'registry.k8s.io/kube-controller-manager:v1.25.15',
    'registry.k8s.io/kube-scheduler:v1.25.15',
    'registry.k8s.io/kube-proxy:v1.25.15',
    'registry.k8s.io/pause:3.8',
    'registry.k8s.io/etcd:3.5.9-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.25.15', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.25.15',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.25.15',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.25.15',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.25.15',
    'registry.aliyuncs.com/google_containers/pause:3.8',
    'registry.aliyuncs.com/google_containers/etcd:3.5.9-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.25.16 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.25.16'), [
    'registry.k8s.io/kube-apiserver:v1.25.16',
    'registry.k8s.io/kube-controller-manager:v1.25.16',
    'registry.k8s.io/kube-scheduler:v1.25.16',
    'registry.k8s.io/kube-proxy:v1.25.16',
    'registry.k8s.io/pause:3.8',
    'registry.k8s.io/etcd:3.5.9-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.25.16', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.25.16',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.25.16',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.25.16',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.25.16',
    'registry.aliyuncs.com/google_containers/pause:3.8',
    'registry.aliyuncs.com/google_containers/etcd:3.5.9-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.26.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.26.0'), [
    'registry.k8s.io/kube-apiserver:v1.26.0',
    'registry.k8s.io/kube-controller-manager:v1.26.0',
    'registry.k8s.io/kube-scheduler:v1.26.0',
    'registry.k8s.io/kube-proxy:v1.26.0',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.26.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.26.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.26.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.26.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.26.0',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.26.9 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.26.9'), [
    'registry.k8s.io/kube-apiserver:v1.26.9',
    'registry.k8s.io/kube-controller-manager:v1.26.9',
    'registry.k8s.io/kube-scheduler:v1.26.9',
    'registry.k8s.io/kube-proxy:v1.26.9',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.6-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.26.9', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.26.9',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.26.9',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.26.9',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.26.9',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.6-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.26.10 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.26.10'), [
    'registry.k8s.io/kube-apiserver:v1.26.10',
    'registry.k8s.io/kube-controller-manager:v1.26.10',
    'registry.k8s.io/kube-scheduler:v1.26.10',
    'registry.k8s.io/kube-proxy:v1.26.10',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.9-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.26.10', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.26.10',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.26.10',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.26.10',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.26.10',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.9-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.26.12 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.26.12'), [
    'registry.k8s.io/kube-apiserver:v1.26.12',
    'registry.k8s.io/kube-controller-manager:v1.26.12',
    'registry.k8s.io/kube-scheduler:v1.26.12',
    'registry.k8s.io/kube-proxy:v1.26.12',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.9-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.26.12', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.26.12',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.26.12',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.26.12',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.26.12',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.9-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.26.13 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.26.13'), [
    'registry.k8s.io/kube-apiserver:v1.26.13',
    'registry.k8s.io/kube-controller-manager:v1.26.13',
    'registry.k8s.io/kube-scheduler:v1.26.13',
    'registry.k8s.io/kube-proxy:v1.26.13',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.10-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.26.13', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.26.13',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.26.13',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.26.13',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.26.13',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.10-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.26.15 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.26.15'), [
    'registry.k8s.io/kube-apiserver:v1.26.15',
    'registry.k8s.io/kube-controller-manager:v1.26.15',
    'registry.k8s.io/kube-scheduler:v1.26.15',
    'registry.k8s.io/kube-proxy:v1.26.15',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.10-0',
    'registry.k8s.io/coredns/coredns:v1.9.3',
  ]);
  assert.deepEqual(images('v1.26.15', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.26.15',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.26.15',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.26.15',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.26.15',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.10-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.9.3',
  ]);
});

test('kubeadm v1.27.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.27.0'), [
    'registry.k8s.io/kube-apiserver:v1.27.0',
    'registry.k8s.io/kube-controller-manager:v1.27.0',
    'registry.k8s.io/kube-scheduler:v1.27.0',
    'registry.k8s.io/kube-proxy:v1.27.0',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.7-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.27.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.27.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.27.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.27.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.27.0',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.7-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.27.6 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.27.6'), [
    'registry.k8s.io/kube-apiserver:v1.27.6',
    'registry.k8s.io/kube-controller-manager:v1.27.6',
    'registry.k8s.io/kube-scheduler:v1.27.6',
    'registry.k8s.io/kube-proxy:v1.27.6',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.7-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.27.6', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.27.6',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.27.6',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.27.6',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.27.6',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.7-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.27.7 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.27.7'), [
    'registry.k8s.io/kube-apiserver:v1.27.7',
    'registry.k8s.io/kube-controller-manager:v1.27.7',
    'registry.k8s.io/kube-scheduler:v1.27.7',
    'registry.k8s.io/kube-proxy:v1.27.7',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.9-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.27.7', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.27.7',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.27.7',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.27.7',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.27.7',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.9-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.27.9 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.27.9'), [
    'registry.k8s.io/kube-apiserver:v1.27.9',
    'registry.k8s.io/kube-controller-manager:v1.27.9',
    'registry.k8s.io/kube-scheduler:v1.27.9',
    'registry.k8s.io/kube-proxy:v1.27.9',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.9-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.27.9', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.27.9',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.27.9',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.27.9',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.27.9',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.9-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.27.10 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.27.10'), [
    'registry.k8s.io/kube-apiserver:v1.27.10',
    'registry.k8s.io/kube-controller-manager:v1.27.10',
    'registry.k8s.io/kube-scheduler:v1.27.10',
    'registry.k8s.io/kube-proxy:v1.27.10',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.10-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.27.10', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.27.10',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.27.10',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.27.10',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.27.10',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.10-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.27.11 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.27.11'), [
    'registry.k8s.io/kube-apiserver:v1.27.11',
    'registry.k8s.io/kube-controller-manager:v1.27.11',
    'registry.k8s.io/kube-scheduler:v1.27.11',
    'registry.k8s.io/kube-proxy:v1.27.11',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.10-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.27.11', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.27.11',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.27.11',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.27.11',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.27.11',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.10-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.27.12 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.27.12'), [
    'registry.k8s.io/kube-apiserver:v1.27.12',
    'registry.k8s.io/kube-controller-manager:v1.27.12',
    'registry.k8s.io/kube-scheduler:v1.27.12',
    'registry.k8s.io/kube-proxy:v1.27.12',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.12-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.27.12', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.27.12',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.27.12',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.27.12',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.27.12',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.12-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.27.16 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.27.16'), [
    'registry.k8s.io/kube-apiserver:v1.27.16',
    'registry.k8s.io/kube-controller-manager:v1.27.16',
    'registry.k8s.io/kube-scheduler:v1.27.16',
    'registry.k8s.io/kube-proxy:v1.27.16',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.12-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.27.16', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.27.16',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.27.16',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.27.16',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.27.16',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.12-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.28.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.28.0'), [
    'registry.k8s.io/kube-apiserver:v1.28.0',
    'registry.k8s.io/kube-controller-manager:v1.28.0',
    'registry.k8s.io/kube-scheduler:v1.28.0',
    'registry.k8s.io/kube-proxy:v1.28.0',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.9-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.28.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.28.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.28.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.28.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.28.0',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.9-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.28.5 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.28.5'), [
    'registry.k8s.io/kube-apiserver:v1.28.5',
    'registry.k8s.io/kube-controller-manager:v1.28.5',
    'registry.k8s.io/kube-scheduler:v1.28.5',
    'registry.k8s.io/kube-proxy:v1.28.5',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.9-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.28.5', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.28.5',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.28.5',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.28.5',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.28.5',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.9-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.28.6 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.28.6'), [
    'registry.k8s.io/kube-apiserver:v1.28.6',
    'registry.k8s.io/kube-controller-manager:v1.28.6',
    'registry.k8s.io/kube-scheduler:v1.28.6',
    'registry.k8s.io/kube-proxy:v1.28.6',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.10-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.28.6', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.28.6',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.28.6',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.28.6',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.28.6',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.10-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.28.7 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.28.7'), [
    'registry.k8s.io/kube-apiserver:v1.28.7',
    'registry.k8s.io/kube-controller-manager:v1.28.7',
    'registry.k8s.io/kube-scheduler:v1.28.7',
    'registry.k8s.io/kube-proxy:v1.28.7',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.10-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.28.7', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.28.7',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.28.7',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.28.7',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.28.7',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.10-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.28.8 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.28.8'), [
    'registry.k8s.io/kube-apiserver:v1.28.8',
    'registry.k8s.io/kube-controller-manager:v1.28.8',
    'registry.k8s.io/kube-scheduler:v1.28.8',
    'registry.k8s.io/kube-proxy:v1.28.8',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.12-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.28.8', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.28.8',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.28.8',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.28.8',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.28.8',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.12-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.28.13 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.28.13'), [
    'registry.k8s.io/kube-apiserver:v1.28.13',
    'registry.k8s.io/kube-controller-manager:v1.28.13',
    'registry.k8s.io/kube-scheduler:v1.28.13',
    'registry.k8s.io/kube-proxy:v1.28.13',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.12-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.28.13', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.28.13',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.28.13',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.28.13',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.28.13',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.12-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.28.14 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.28.14'), [
    'registry.k8s.io/kube-apiserver:v1.28.14',
    'registry.k8s.io/kube-controller-manager:v1.28.14',
    'registry.k8s.io/kube-scheduler:v1.28.14',
    'registry.k8s.io/kube-proxy:v1.28.14',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.15-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.28.14', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.28.14',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.28.14',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.28.14',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.28.14',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.28.15 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.28.15'), [
    'registry.k8s.io/kube-apiserver:v1.28.15',
    'registry.k8s.io/kube-controller-manager:v1.28.15',
    'registry.k8s.io/kube-scheduler:v1.28.15',
    'registry.k8s.io/kube-proxy:v1.28.15',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.15-0',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  assert.deepEqual(images('v1.28.15', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.28.15',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.28.15',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.28.15',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.28.15',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
    'registry.aliyuncs.com/google_containers/coredns:v1.10.1',
  ]);
});

test('kubeadm v1.29.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.29.0'), [
    'registry.k8s.io/kube-apiserver:v1.29.0',
    'registry.k8s.io/kube-controller-manager:v1.29.0',
    'registry.k8s.io/kube-scheduler:v1.29.0',
    'registry.k8s.io/kube-proxy:v1.29.0',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.10-0',
  ]);
  assert.deepEqual(images('v1.29.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.29.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.29.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.29.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.29.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.10-0',
  ]);
});

test('kubeadm v1.29.2 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.29.2'), [
    'registry.k8s.io/kube-apiserver:v1.29.2',
    'registry.k8s.io/kube-controller-manager:v1.29.2',
    'registry.k8s.io/kube-scheduler:v1.29.2',
    'registry.k8s.io/kube-proxy:v1.29.2',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.10-0',
  ]);
  assert.deepEqual(images('v1.29.2', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.29.2',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.29.2',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.29.2',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.29.2',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.10-0',
  ]);
});

test('kubeadm v1.29.3 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.29.3'), [
    'registry.k8s.io/kube-apiserver:v1.29.3',
    'registry.k8s.io/kube-controller-manager:v1.29.3',
    'registry.k8s.io/kube-scheduler:v1.29.3',
    'registry.k8s.io/kube-proxy:v1.29.3',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.12-0',
  ]);
  assert.deepEqual(images('v1.29.3', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.29.3',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.29.3',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.29.3',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.29.3',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.12-0',
  ]);
});

test('kubeadm v1.29.8 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.29.8'), [
    'registry.k8s.io/kube-apiserver:v1.29.8',
    'registry.k8s.io/kube-controller-manager:v1.29.8',
    'registry.k8s.io/kube-scheduler:v1.29.8',
    'registry.k8s.io/kube-proxy:v1.29.8',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.12-0',
  ]);
  assert.deepEqual(images('v1.29.8', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.29.8',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.29.8',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.29.8',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.29.8',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.12-0',
  ]);
});

test('kubeadm v1.29.9 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.29.9'), [
    'registry.k8s.io/kube-apiserver:v1.29.9',
    'registry.k8s.io/kube-controller-manager:v1.29.9',
    'registry.k8s.io/kube-scheduler:v1.29.9',
    'registry.k8s.io/kube-proxy:v1.29.9',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.15-0',
  ]);
  assert.deepEqual(images('v1.29.9', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.29.9',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.29.9',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.29.9',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.29.9',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
  ]);
});

test('kubeadm v1.29.10 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.29.10'), [
    'registry.k8s.io/kube-apiserver:v1.29.10',
    'registry.k8s.io/kube-controller-manager:v1.29.10',
    'registry.k8s.io/kube-scheduler:v1.29.10',
    'registry.k8s.io/kube-proxy:v1.29.10',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.15-0',
  ]);
  assert.deepEqual(images('v1.29.10', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.29.10',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.29.10',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.29.10',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.29.10',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
  ]);
});

test('kubeadm v1.29.11 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.29.11'), [
    'registry.k8s.io/kube-apiserver:v1.29.11',
    'registry.k8s.io/kube-controller-manager:v1.29.11',
    'registry.k8s.io/kube-scheduler:v1.29.11',
    'registry.k8s.io/kube-proxy:v1.29.11',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.16-0',
  ]);
  assert.deepEqual(images('v1.29.11', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.29.11',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.29.11',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.29.11',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.29.11',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.16-0',
  ]);
});

test('kubeadm v1.29.15 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.29.15'), [
    'registry.k8s.io/kube-apiserver:v1.29.15',
    'registry.k8s.io/kube-controller-manager:v1.29.15',
    'registry.k8s.io/kube-scheduler:v1.29.15',
    'registry.k8s.io/kube-proxy:v1.29.15',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.16-0',
  ]);
  assert.deepEqual(images('v1.29.15', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.29.15',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.29.15',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.29.15',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.29.15',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.16-0',
  ]);
});

test('kubeadm v1.30.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.30.0'), [
    'registry.k8s.io/kube-apiserver:v1.30.0',
    'registry.k8s.io/kube-controller-manager:v1.30.0',
    'registry.k8s.io/kube-scheduler:v1.30.0',
    'registry.k8s.io/kube-proxy:v1.30.0',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.12-0',
  ]);
  assert.deepEqual(images('v1.30.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.30.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.30.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.30.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.30.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.12-0',
  ]);
});

test('kubeadm v1.30.4 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.30.4'), [
    'registry.k8s.io/kube-apiserver:v1.30.4',
    'registry.k8s.io/kube-controller-manager:v1.30.4',
    'registry.k8s.io/kube-scheduler:v1.30.4',
    'registry.k8s.io/kube-proxy:v1.30.4',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.12-0',
  ]);
  assert.deepEqual(images('v1.30.4', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.30.4',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.30.4',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.30.4',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.30.4',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.12-0',
  ]);
});

test('kubeadm v1.30.5 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.30.5'), [
    'registry.k8s.io/kube-apiserver:v1.30.5',
    'registry.k8s.io/kube-controller-manager:v1.30.5',
    'registry.k8s.io/kube-scheduler:v1.30.5',
    'registry.k8s.io/kube-proxy:v1.30.5',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.15-0',
  ]);
  assert.deepEqual(images('v1.30.5', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.30.5',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.30.5',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.30.5',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.30.5',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
  ]);
});

test('kubeadm v1.30.14 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.30.14'), [
    'registry.k8s.io/kube-apiserver:v1.30.14',
    'registry.k8s.io/kube-controller-manager:v1.30.14',
    'registry.k8s.io/kube-scheduler:v1.30.14',
    'registry.k8s.io/kube-proxy:v1.30.14',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/etcd:3.5.15-0',
  ]);
  assert.deepEqual(images('v1.30.14', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.30.14',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.30.14',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.30.14',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.30.14',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.9',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
  ]);
});

test('kubeadm v1.31.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.31.0'), [
    'registry.k8s.io/kube-apiserver:v1.31.0',
    'registry.k8s.io/kube-controller-manager:v1.31.0',
    'registry.k8s.io/kube-scheduler:v1.31.0',
    'registry.k8s.io/kube-proxy:v1.31.0',
    'registry.k8s.io/coredns/coredns:v1.11.1',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.15-0',
  ]);
  assert.deepEqual(images('v1.31.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.31.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.31.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.31.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.31.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.1',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
  ]);
});

test('kubeadm v1.31.1 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.31.1'), [
    'registry.k8s.io/kube-apiserver:v1.31.1',
    'registry.k8s.io/kube-controller-manager:v1.31.1',
    'registry.k8s.io/kube-scheduler:v1.31.1',
    'registry.k8s.io/kube-proxy:v1.31.1',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.15-0',
  ]);
  assert.deepEqual(images('v1.31.1', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.31.1',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.31.1',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.31.1',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.31.1',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
  ]);
});

test('kubeadm v1.31.13 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.31.13'), [
    'registry.k8s.io/kube-apiserver:v1.31.13',
    'registry.k8s.io/kube-controller-manager:v1.31.13',
    'registry.k8s.io/kube-scheduler:v1.31.13',
    'registry.k8s.io/kube-proxy:v1.31.13',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.15-0',
  ]);
  assert.deepEqual(images('v1.31.13', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.31.13',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.31.13',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.31.13',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.31.13',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.15-0',
  ]);
});

test('kubeadm v1.31.14 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.31.14'), [
    'registry.k8s.io/kube-apiserver:v1.31.14',
    'registry.k8s.io/kube-controller-manager:v1.31.14',
    'registry.k8s.io/kube-scheduler:v1.31.14',
    'registry.k8s.io/kube-proxy:v1.31.14',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.24-0',
  ]);
  assert.deepEqual(images('v1.31.14', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.31.14',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.31.14',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.31.14',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.31.14',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.24-0',
  ]);
});

test('kubeadm v1.32.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.32.0'), [
    'registry.k8s.io/kube-apiserver:v1.32.0',
    'registry.k8s.io/kube-controller-manager:v1.32.0',
    'registry.k8s.io/kube-scheduler:v1.32.0',
    'registry.k8s.io/kube-proxy:v1.32.0',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.16-0',
  ]);
  assert.deepEqual(images('v1.32.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.32.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.32.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.32.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.32.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.16-0',
  ]);
});

test('kubeadm v1.32.9 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.32.9'), [
    'registry.k8s.io/kube-apiserver:v1.32.9',
    'registry.k8s.io/kube-controller-manager:v1.32.9',
    'registry.k8s.io/kube-scheduler:v1.32.9',
    'registry.k8s.io/kube-proxy:v1.32.9',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.16-0',
  ]);
  assert.deepEqual(images('v1.32.9', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.32.9',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.32.9',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.32.9',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.32.9',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.16-0',
  ]);
});

test('kubeadm v1.32.10 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.32.10'), [
    'registry.k8s.io/kube-apiserver:v1.32.10',
    'registry.k8s.io/kube-controller-manager:v1.32.10',
    'registry.k8s.io/kube-scheduler:v1.32.10',
    'registry.k8s.io/kube-proxy:v1.32.10',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.24-0',
  ]);
  assert.deepEqual(images('v1.32.10', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.32.10',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.32.10',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.32.10',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.32.10',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.24-0',
  ]);
});

test('kubeadm v1.32.13 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.32.13'), [
    'registry.k8s.io/kube-apiserver:v1.32.13',
    'registry.k8s.io/kube-controller-manager:v1.32.13',
    'registry.k8s.io/kube-scheduler:v1.32.13',
    'registry.k8s.io/kube-proxy:v1.32.13',
    'registry.k8s.io/coredns/coredns:v1.11.3',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.24-0',
  ]);
  assert.deepEqual(images('v1.32.13', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.32.13',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.32.13',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.32.13',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.32.13',
    'registry.aliyuncs.com/google_containers/coredns:v1.11.3',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.24-0',
  ]);
});

test('kubeadm v1.33.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.33.0'), [
    'registry.k8s.io/kube-apiserver:v1.33.0',
    'registry.k8s.io/kube-controller-manager:v1.33.0',
    'registry.k8s.io/kube-scheduler:v1.33.0',
    'registry.k8s.io/kube-proxy:v1.33.0',
    'registry.k8s.io/coredns/coredns:v1.12.0',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.21-0',
  ]);
  assert.deepEqual(images('v1.33.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.33.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.33.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.33.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.33.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.12.0',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.21-0',
  ]);
});

test('kubeadm v1.33.5 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.33.5'), [
    'registry.k8s.io/kube-apiserver:v1.33.5',
    'registry.k8s.io/kube-controller-manager:v1.33.5',
    'registry.k8s.io/kube-scheduler:v1.33.5',
    'registry.k8s.io/kube-proxy:v1.33.5',
    'registry.k8s.io/coredns/coredns:v1.12.0',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.21-0',
  ]);
  assert.deepEqual(images('v1.33.5', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.33.5',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.33.5',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.33.5',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.33.5',
    'registry.aliyuncs.com/google_containers/coredns:v1.12.0',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.21-0',
  ]);
});

test('kubeadm v1.33.6 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.33.6'), [
    'registry.k8s.io/kube-apiserver:v1.33.6',
    'registry.k8s.io/kube-controller-manager:v1.33.6',
    'registry.k8s.io/kube-scheduler:v1.33.6',
    'registry.k8s.io/kube-proxy:v1.33.6',
    'registry.k8s.io/coredns/coredns:v1.12.0',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.24-0',
  ]);
  assert.deepEqual(images('v1.33.6', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.33.6',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.33.6',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.33.6',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.33.6',
    'registry.aliyuncs.com/google_containers/coredns:v1.12.0',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.24-0',
  ]);
});

test('kubeadm v1.33.9 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.33.9'), [
    'registry.k8s.io/kube-apiserver:v1.33.9',
    'registry.k8s.io/kube-controller-manager:v1.33.9',
    'registry.k8s.io/kube-scheduler:v1.33.9',
    'registry.k8s.io/kube-proxy:v1.33.9',
    'registry.k8s.io/coredns/coredns:v1.12.0',
    'registry.k8s.io/pause:3.10',
    'registry.k8s.io/etcd:3.5.24-0',
  ]);
  assert.deepEqual(images('v1.33.9', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.33.9',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.33.9',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.33.9',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.33.9',
    'registry.aliyuncs.com/google_containers/coredns:v1.12.0',
    'registry.aliyuncs.com/google_containers/pause:3.10',
    'registry.aliyuncs.com/google_containers/etcd:3.5.24-0',
  ]);
});

test('kubeadm v1.34.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.34.0'), [
    'registry.k8s.io/kube-apiserver:v1.34.0',
    'registry.k8s.io/kube-controller-manager:v1.34.0',
    'registry.k8s.io/kube-scheduler:v1.34.0',
    'registry.k8s.io/kube-proxy:v1.34.0',
    'registry.k8s.io/coredns/coredns:v1.12.1',
    'registry.k8s.io/pause:3.10.1',
    'registry.k8s.io/etcd:3.6.4-0',
  ]);
  assert.deepEqual(images('v1.34.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.34.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.34.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.34.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.34.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.12.1',
    'registry.aliyuncs.com/google_containers/pause:3.10.1',
    'registry.aliyuncs.com/google_containers/etcd:3.6.4-0',
  ]);
});

test('kubeadm v1.34.1 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.34.1'), [
    'registry.k8s.io/kube-apiserver:v1.34.1',
    'registry.k8s.io/kube-controller-manager:v1.34.1',
    'registry.k8s.io/kube-scheduler:v1.34.1',
    'registry.k8s.io/kube-proxy:v1.34.1',
    'registry.k8s.io/coredns/coredns:v1.12.1',
    'registry.k8s.io/pause:3.10.1',
    'registry.k8s.io/etcd:3.6.4-0',
  ]);
  assert.deepEqual(images('v1.34.1', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.34.1',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.34.1',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.34.1',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.34.1',
    'registry.aliyuncs.com/google_containers/coredns:v1.12.1',
    'registry.aliyuncs.com/google_containers/pause:3.10.1',
    'registry.aliyuncs.com/google_containers/etcd:3.6.4-0',
  ]);
});

test('kubeadm v1.34.2 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.34.2'), [
    'registry.k8s.io/kube-apiserver:v1.34.2',
    'registry.k8s.io/kube-controller-manager:v1.34.2',
    'registry.k8s.io/kube-scheduler:v1.34.2',
    'registry.k8s.io/kube-proxy:v1.34.2',
    'registry.k8s.io/coredns/coredns:v1.12.1',
    'registry.k8s.io/pause:3.10.1',
    'registry.k8s.io/etcd:3.6.5-0',
  ]);
  assert.deepEqual(images('v1.34.2', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.34.2',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.34.2',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.34.2',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.34.2',
    'registry.aliyuncs.com/google_containers/coredns:v1.12.1',
    'registry.aliyuncs.com/google_containers/pause:3.10.1',
    'registry.aliyuncs.com/google_containers/etcd:3.6.5-0',
  ]);
});

test('kubeadm v1.34.10 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.34.10'), [
    'registry.k8s.io/kube-apiserver:v1.34.10',
    'registry.k8s.io/kube-controller-manager:v1.34.10',
    'registry.k8s.io/kube-scheduler:v1.34.10',
    'registry.k8s.io/kube-proxy:v1.34.10',
    'registry.k8s.io/coredns/coredns:v1.12.1',
    'registry.k8s.io/pause:3.10.1',
    'registry.k8s.io/etcd:3.6.5-0',
  ]);
  assert.deepEqual(images('v1.34.10', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.34.10',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.34.10',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.34.10',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.34.10',
    'registry.aliyuncs.com/google_containers/coredns:v1.12.1',
    'registry.aliyuncs.com/google_containers/pause:3.10.1',
    'registry.aliyuncs.com/google_containers/etcd:3.6.5-0',
  ]);
});

test('kubeadm v1.35.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.35.0'), [
    'registry.k8s.io/kube-apiserver:v1.35.0',
    'registry.k8s.io/kube-controller-manager:v1.35.0',
    'registry.k8s.io/kube-scheduler:v1.35.0',
    'registry.k8s.io/kube-proxy:v1.35.0',
    'registry.k8s.io/coredns/coredns:v1.13.1',
    'registry.k8s.io/pause:3.10.1',
    'registry.k8s.io/etcd:3.6.6-0',
  ]);
  assert.deepEqual(images('v1.35.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.35.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.35.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.35.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.35.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.13.1',
    'registry.aliyuncs.com/google_containers/pause:3.10.1',
    'registry.aliyuncs.com/google_containers/etcd:3.6.6-0',
  ]);
});

test('kubeadm v1.35.8 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.35.8'), [
    'registry.k8s.io/kube-apiserver:v1.35.8',
    'registry.k8s.io/kube-controller-manager:v1.35.8',
    'registry.k8s.io/kube-scheduler:v1.35.8',
    'registry.k8s.io/kube-proxy:v1.35.8',
    'registry.k8s.io/coredns/coredns:v1.13.1',
    'registry.k8s.io/pause:3.10.1',
    'registry.k8s.io/etcd:3.6.6-0',
  ]);
  assert.deepEqual(images('v1.35.8', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.35.8',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.35.8',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.35.8',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.35.8',
    'registry.aliyuncs.com/google_containers/coredns:v1.13.1',
    'registry.aliyuncs.com/google_containers/pause:3.10.1',
    'registry.aliyuncs.com/google_containers/etcd:3.6.6-0',
  ]);
});

test('kubeadm v1.36.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.36.0'), [
    'registry.k8s.io/kube-apiserver:v1.36.0',
    'registry.k8s.io/kube-controller-manager:v1.36.0',
    'registry.k8s.io/kube-scheduler:v1.36.0',
    'registry.k8s.io/kube-proxy:v1.36.0',
    'registry.k8s.io/coredns/coredns:v1.14.2',
    'registry.k8s.io/pause:3.10.2',
    'registry.k8s.io/etcd:3.6.8-0',
  ]);
  assert.deepEqual(images('v1.36.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.36.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.36.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.36.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.36.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.14.2',
    'registry.aliyuncs.com/google_containers/pause:3.10.2',
    'registry.aliyuncs.com/google_containers/etcd:3.6.8-0',
  ]);
});

test('kubeadm v1.36.5 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.36.5'), [
    'registry.k8s.io/kube-apiserver:v1.36.5',
    'registry.k8s.io/kube-controller-manager:v1.36.5',
    'registry.k8s.io/kube-scheduler:v1.36.5',
    'registry.k8s.io/kube-proxy:v1.36.5',
    'registry.k8s.io/coredns/coredns:v1.14.2',
    'registry.k8s.io/pause:3.10.2',
    'registry.k8s.io/etcd:3.6.8-0',
  ]);
  assert.deepEqual(images('v1.36.5', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.36.5',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.36.5',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.36.5',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.36.5',
    'registry.aliyuncs.com/google_containers/coredns:v1.14.2',
    'registry.aliyuncs.com/google_containers/pause:3.10.2',
    'registry.aliyuncs.com/google_containers/etcd:3.6.8-0',
  ]);
});

test('kubeadm v1.37.0 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.37.0'), [
    'registry.k8s.io/kube-apiserver:v1.37.0',
    'registry.k8s.io/kube-controller-manager:v1.37.0',
    'registry.k8s.io/kube-scheduler:v1.37.0',
    'registry.k8s.io/kube-proxy:v1.37.0',
    'registry.k8s.io/coredns/coredns:v1.14.6',
    'registry.k8s.io/pause:3.10.2',
    'registry.k8s.io/etcd:3.7.0-0',
  ]);
  assert.deepEqual(images('v1.37.0', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.37.0',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.37.0',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.37.0',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.37.0',
    'registry.aliyuncs.com/google_containers/coredns:v1.14.6',
    'registry.aliyuncs.com/google_containers/pause:3.10.2',
    'registry.aliyuncs.com/google_containers/etcd:3.7.0-0',
  ]);
});

test('kubeadm v1.37.1 image list, default repository and mirror', () => {
  assert.deepEqual(images('v1.37.1'), [
    'registry.k8s.io/kube-apiserver:v1.37.1',
    'registry.k8s.io/kube-controller-manager:v1.37.1',
    'registry.k8s.io/kube-scheduler:v1.37.1',
    'registry.k8s.io/kube-proxy:v1.37.1',
    'registry.k8s.io/coredns/coredns:v1.14.6',
    'registry.k8s.io/pause:3.10.2',
    'registry.k8s.io/etcd:3.7.0-0',
  ]);
  assert.deepEqual(images('v1.37.1', MIRROR), [
    'registry.aliyuncs.com/google_containers/kube-apiserver:v1.37.1',
    'registry.aliyuncs.com/google_containers/kube-controller-manager:v1.37.1',
    'registry.aliyuncs.com/google_containers/kube-scheduler:v1.37.1',
    'registry.aliyuncs.com/google_containers/kube-proxy:v1.37.1',
    'registry.aliyuncs.com/google_containers/coredns:v1.14.6',
    'registry.aliyuncs.com/google_containers/pause:3.10.2',
    'registry.aliyuncs.com/google_containers/etcd:3.7.0-0',
  ]);
});
