/**
 * The static Pod tables of templates/manifests/static-pods.yaml are src/kube/table.ts tables and are looked
 * up there. What remains here is the etcd image's version, which some etcd flags depend on.
 */
import semver from 'semver';

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
