/**
 * Image references as container runtimes name them, so that an image named in a manifest or the catalog
 * compares equal to what the runtime lists, and a credential is found by the registry the image comes from.
 *
 * Sources:
 *  - github.com/distribution/reference normalize.go (docker and containerd both use it): splitDockerDomain
 *    (the first path component is a registry when it holds "." or ":" or is "localhost"; otherwise Docker Hub,
 *    "docker.io", with "library/" before a one-component path; "index.docker.io" is Hub's legacy name),
 *    ParseDockerRef (what containerd's CRI stores: ":latest" added when there is neither tag nor digest, and a
 *    reference with both keeps only its digest).
 *  - docker/cli registry (ConvertToHostname, IndexServer "https://index.docker.io/v1/"): the hosts that mean
 *    Docker Hub when credentials are looked up.
 */

/** Docker Hub's registry name in a normalized reference. */
export const DOCKER_HUB = 'docker.io';
/** Docker Hub's legacy name, which normalization turns into DOCKER_HUB. */
const LEGACY_DOCKER_HUB = 'index.docker.io';
/** Every host name that means Docker Hub when credentials are looked up. */
export const DOCKER_HUB_HOSTS: ReadonlySet<string> = new Set([DOCKER_HUB, LEGACY_DOCKER_HUB, 'registry-1.docker.io']);
/** The key docker's config.json keeps Docker Hub's credentials under. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** A parsed image reference. */
export interface ImageReference {
  /** Registry host[:port], "docker.io" for Docker Hub. */
  registry: string;
  /** Repository path inside the registry ("library/nginx" for Docker Hub's official images). */
  path: string;
  tag?: string;
  digest?: string;
}

/** Splits an image reference as distribution/reference's ParseNormalizedNamed does (without validating it). */
export function parseImageReference(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash < 0 ? '' : rest.slice(0, slash);
  let registry: string;
  let path: string;
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first === LEGACY_DOCKER_HUB ? DOCKER_HUB : first;
    path = rest.slice(slash + 1);
  } else {
    registry = DOCKER_HUB;
    path = rest;
  }
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  return { registry, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/**
 * The reference as containerd stores it (ParseDockerRef): "nginx" → "docker.io/library/nginx:latest",
 * "me/app:1" → "docker.io/me/app:1", "reg:5000/x:1" unchanged, "x:1@sha256:…" → "docker.io/library/x@sha256:…".
 */
export function normalizeImage(image: string): string {
  const ref = parseImageReference(image);
  const name = `${ref.registry}/${ref.path}`;
  if (ref.digest !== undefined) return `${name}@${ref.digest}`;
  return `${name}:${ref.tag ?? 'latest'}`;
}

/** The registry host a credential for this host is filed under: Docker Hub's names all become "docker.io". */
export function credentialRegistry(host: string): string {
  return DOCKER_HUB_HOSTS.has(host) ? DOCKER_HUB : host;
}

/** The registry an image is pulled from, as credentials are looked up for it. */
export function registryOf(image: string): string {
  return credentialRegistry(parseImageReference(image).registry);
}

/** The last path component with its tag or digest: "registry.k8s.io/coredns/coredns:v1.10.1" → "coredns:v1.10.1". */
export function shortImageName(image: string): string {
  return image.slice(image.lastIndexOf('/') + 1);
}
