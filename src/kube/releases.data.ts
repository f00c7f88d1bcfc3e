/**
 * The Kubernetes releases whose kubeadm data bootstrap carries: for each supported minor, the newest patch
 * release the tables were checked against (the recorded `kubeadm config images list` output and the
 * backport boundaries named in catalog.data.ts). Every release from v<minor>.0 up to that patch is a known
 * release; the last entry is the newest release bootstrap knows, and its minor is the newest it supports
 * (SUPPORTED_RANGE in version.ts is derived from it and written nowhere else).
 *
 * Supporting the next minor starts here: append its newest release (see src/kube/table.ts).
 */
export const KNOWN_RELEASES: readonly string[] = [
  '1.20.15',
  '1.21.14',
  '1.22.17',
  '1.23.17',
  '1.24.17',
  '1.25.16',
  '1.26.15',
  '1.27.16',
  '1.28.15',
  '1.29.15',
  '1.30.14',
  '1.31.14',
  '1.32.13',
  '1.33.6',
  '1.34.10',
  '1.35.0',
  '1.36.5',
  '1.37.1',
];

/** The newest release whose data was checked; later patches of its minor reuse its values. */
export const NEWEST_KNOWN_PATCH: string = KNOWN_RELEASES[KNOWN_RELEASES.length - 1]!;
