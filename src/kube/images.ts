/**
 * The images `kubeadm config images list --kubernetes-version V [--image-repository R]` prints, computed from
 * the tables in catalog.data.ts the way kubeadm's cmd/kubeadm/app/images/images.go composes them:
 *
 *   GetKubernetesImage: <repository>/<component>:<kubernetesVersion>   (apiserver, controller-manager, scheduler, proxy)
 *   GetPauseImage:      <repository>/pause:<PauseVersion>
 *   GetEtcdImage:       <repository>/etcd:<SupportedEtcdVersion[minor]>
 *   GetDNSImage:        <repository>[/coredns]/coredns:<CoreDNSVersion>, "/coredns" only when the repository is
 *                       kubeadm's own default (the upstream image moved to coredns/coredns in v1.21)
 *
 * A plain configuration is assumed: local etcd, and the kube-proxy and CoreDNS addons enabled.
 */
import {
  COMPONENT_ORDER,
  COREDNS_IMAGE_PATH,
  COREDNS_TAG,
  DEFAULT_IMAGE_REPOSITORY,
  ETCD_TAG,
  PAUSE_TAG,
  type Component,
} from './catalog.data.js';
import { lookup } from './table.js';
import { kubeVersion, VersionError, type KubeVersion, type VersionLike } from './version.js';
import { InputError } from '../util/errors.js';

export type { Component } from './catalog.data.js';

export interface CatalogImage {
  component: Component;
  image: string;
}

/** kubeadm's default imageRepository for that version: k8s.gcr.io, or registry.k8s.io since v1.25 and its backports. */
export function defaultImageRepository(version: VersionLike): string {
  return lookup(DEFAULT_IMAGE_REPOSITORY, version);
}

/** An imageRepository kubeadm would turn into broken image names. */
export class ImageRepositoryError extends InputError {
  override name = 'ImageRepositoryError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * The repository exactly as kubeadm uses it: a plain string prefix. kubeadm does not normalize it, so rather
 * than silently differ from kubeadm, spellings that would produce invalid image names are refused.
 */
function resolveRepository(version: KubeVersion, imageRepository: string | undefined): string {
  if (imageRepository === undefined) return defaultImageRepository(version);
  if (imageRepository === '' || /\s/.test(imageRepository) || imageRepository.endsWith('/') || imageRepository.includes('://')) {
    throw new ImageRepositoryError(
      `imageRepository "${imageRepository}" is not a valid image repository (expected e.g. "registry.example.com/k8s", without scheme or trailing "/")`,
    );
  }
  return imageRepository;
}

function imageOf(version: KubeVersion, component: Component, repository: string): string {
  switch (component) {
    case 'kube-apiserver':
    case 'kube-controller-manager':
    case 'kube-scheduler':
    case 'kube-proxy':
      // KubernetesVersionToImageTag only rewrites "+" (build metadata), which normalized versions never carry.
      return `${repository}/${component}:${version.text}`;
    case 'pause':
      return `${repository}/pause:${lookup(PAUSE_TAG, version)}`;
    case 'etcd':
      return `${repository}/etcd:${lookup(ETCD_TAG, version)}`;
    case 'coredns': {
      const tag = lookup(COREDNS_TAG, version);
      const path = lookup(COREDNS_IMAGE_PATH, version);
      // kubeadm compares the configured repository string with its own default, nothing smarter.
      const name = repository === defaultImageRepository(version) ? path.withDefaultRepository : path.withOtherRepository;
      return `${repository}/${name}:${tag}`;
    }
  }
}

/** Exactly the list and order kubeadm prints for `kubeadm config images list` with that version and repository. */
export function catalogImages(version: VersionLike, imageRepository?: string): CatalogImage[] {
  const v = kubeVersion(version);
  const repository = resolveRepository(v, imageRepository);
  return lookup(COMPONENT_ORDER, v).map((component) => ({
    component,
    image: imageOf(v, component, repository),
  }));
}

/** One entry of catalogImages, by component. */
export function componentImage(version: VersionLike, component: Component, imageRepository?: string): string {
  const v = kubeVersion(version);
  if (!COMPONENT_ORDER[0]?.value.includes(component)) {
    throw new VersionError(`unknown component "${String(component)}"`);
  }
  return imageOf(v, component, resolveRepository(v, imageRepository));
}
