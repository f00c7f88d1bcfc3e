/**
 * Version matching for the per-version tables in templates/manifests/static-pods.yaml.
 *
 * A table row applies to a Kubernetes version when the version, without any pre-release part, satisfies the
 * row's semver range: a v1.34.0-rc.1 kubeadm already carries the v1.34 code, so it takes the v1.34 rows.
 */
import semver from 'semver';
import { ManifestError } from './errors.js';

/** "v1.28.4" (or "1.28.4", "v1.34.0-rc.1") → "1.28.4". */
export function releaseOf(kubernetesVersion: string): string {
  const parsed = semver.parse(kubernetesVersion.trim().replace(/^v/, ''));
  if (!parsed) {
    throw new ManifestError(`kubernetesVersion "${kubernetesVersion}" is not a version like "v1.28.4"`);
  }
  return `${parsed.major}.${parsed.minor}.${parsed.patch}`;
}

export function inRange(release: string, range: string): boolean {
  return semver.satisfies(release, range);
}

/** The first row whose `versions` range covers the release; throws when none does. */
export function firstMatch<T extends { versions: string }>(rows: readonly T[], release: string, what: string): T {
  const row = rows.find((r) => inRange(release, r.versions));
  if (!row) {
    throw new ManifestError(`no kubeadm data for ${what} at Kubernetes v${release}`);
  }
  return row;
}

/**
 * The etcd version an image reference names ("registry.k8s.io/etcd:3.6.8-0" → "3.6.8-0"), or undefined when
 * its tag is not a semantic version; kubeadm (local.go) then treats it as older than 3.6.0.
 */
export function etcdVersionOf(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const nameAndTag = withoutDigest.slice(lastSlash + 1);
  const colon = nameAndTag.lastIndexOf(':');
  if (colon < 0) return undefined;
  return semver.valid(nameAndTag.slice(colon + 1).replace(/^v/, '')) ?? undefined;
}

/** Whether an etcd version satisfies a range, pre-releases compared as semver orders them (3.6.0-0 < 3.6.0). */
export function etcdInRange(etcdVersion: string | undefined, range: string): boolean {
  // An unparsable tag fails kubeadm's AtLeast("3.6.0") check, exactly as the lowest version would.
  return semver.satisfies(etcdVersion ?? '0.0.0', range, { includePrerelease: true });
}
