/**
 * kubeadm's image catalog as data: ordered tables of semver ranges over Kubernetes versions, first match
 * wins, a version no row covers is refused. Each row says which kubeadm file (and change) it comes from.
 *
 * Sources read (kubernetes/kubernetes):
 *  - cmd/kubeadm/app/constants/constants.go: PauseVersion, CoreDNSVersion, SupportedEtcdVersion,
 *    DefaultEtcdVersion (and constants_unix.go for PauseVersion in v1.20)
 *  - cmd/kubeadm/app/images/images.go: GetControlPlaneImages, GetDNSImage, GetEtcdImage, GetPauseImage
 *  - cmd/kubeadm/app/apis/kubeadm/v1beta2|v1beta3/defaults.go: DefaultImageRepository
 *  - the backport pull requests named in the rows below (merge date → the next patch release) and
 *    CHANGELOG/CHANGELOG-1.36.md … CHANGELOG-1.38.md (newest releases)
 *  - as a cross-check, recorded `kubeadm config images list` output of the releases named in ETCD_TAG's note
 *
 * The newest release is v1.37 (CHANGELOG-1.38.md starts "Changelog since v1.37.0"); the releases the data was
 * checked against are KNOWN_RELEASES (releases.data.ts). The tables are src/kube/table.ts tables: top rows are
 * open-ended and the supported bound clips them; supporting v1.38 is described there.
 *
 * kubeadm looks the etcd tag up by the target's MINOR (SupportedEtcdVersion is map[uint8]string), so within a
 * minor the tag only changes where a backport edited that map; those patch boundaries are the ranges below.
 */
import { defineTable, type Row } from './table.js';

export type Component =
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kube-proxy'
  | 'pause'
  | 'etcd'
  | 'coredns';

/** A row of a catalog table. */
export type Rule<T> = Row<T>;

export { KNOWN_RELEASES, NEWEST_KNOWN_PATCH } from './releases.data.js';

/** kubeadm's default ClusterConfiguration.imageRepository. */
export const DEFAULT_IMAGE_REPOSITORY: Rule<string>[] = defineTable('the default image repository', [
  { range: '>=1.25.0', value: 'registry.k8s.io', source: 'cmd/kubeadm/app/apis/kubeadm/v1beta3/defaults.go DefaultImageRepository (kubeadm v1.25.0, PR #109938)' },
  { range: '>=1.24.9 <1.25.0', value: 'registry.k8s.io', source: 'cmd/kubeadm/app/apis/kubeadm/v1beta3/defaults.go DefaultImageRepository (kubeadm v1.24.9, backport PR #113395)' },
  { range: '>=1.24.0 <1.24.9', value: 'k8s.gcr.io', source: 'cmd/kubeadm/app/apis/kubeadm/v1beta3/defaults.go DefaultImageRepository (kubeadm v1.24.0)' },
  { range: '>=1.23.15 <1.24.0', value: 'registry.k8s.io', source: 'cmd/kubeadm/app/apis/kubeadm/v1beta3/defaults.go DefaultImageRepository (kubeadm v1.23.15, backport PR #113393)' },
  { range: '>=1.23.0 <1.23.15', value: 'k8s.gcr.io', source: 'cmd/kubeadm/app/apis/kubeadm/v1beta3/defaults.go DefaultImageRepository (kubeadm v1.23.0)' },
  { range: '>=1.22.17 <1.23.0', value: 'registry.k8s.io', source: 'cmd/kubeadm/app/apis/kubeadm/v1beta2/defaults.go DefaultImageRepository (kubeadm v1.22.17, backport PR #113388)' },
  { range: '>=1.20.0 <1.22.17', value: 'k8s.gcr.io', source: 'cmd/kubeadm/app/apis/kubeadm/v1beta2/defaults.go DefaultImageRepository (kubeadm v1.20.0)' },
]);

/**
 * The order GetControlPlaneImages appends images. kubeadm v1.29 (PR #114534, addons that can be disabled)
 * moved CoreDNS between kube-proxy and pause.
 */
export const COMPONENT_ORDER: Rule<Component[]>[] = defineTable('the image list', [
  {
    range: '>=1.29.0',
    value: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'coredns', 'pause', 'etcd'],
    source: 'cmd/kubeadm/app/images/images.go GetControlPlaneImages (kubeadm v1.29.0)',
  },
  {
    range: '>=1.20.0 <1.29.0',
    value: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'pause', 'etcd', 'coredns'],
    source: 'cmd/kubeadm/app/images/images.go GetControlPlaneImages (kubeadm v1.20.0)',
  },
]);

/** constants.PauseVersion. */
export const PAUSE_TAG: Rule<string>[] = defineTable('the pause image tag', [
  { range: '>=1.36.0', value: '3.10.2', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.36, seen in kubeadm v1.36.4/v1.36.5 and v1.37.1 output)' },
  { range: '>=1.34.0 <1.36.0', value: '3.10.1', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.34.0, PR #130713; unchanged in v1.35.0)' },
  { range: '>=1.31.0 <1.34.0', value: '3.10', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.31.0)' },
  { range: '>=1.26.0 <1.31.0', value: '3.9', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.26.0)' },
  { range: '>=1.25.0 <1.26.0', value: '3.8', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.25.0)' },
  { range: '>=1.24.0 <1.25.0', value: '3.7', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.24.0)' },
  { range: '>=1.23.0 <1.24.0', value: '3.6', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.23.0)' },
  { range: '>=1.22.0 <1.23.0', value: '3.5', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.22.0)' },
  { range: '>=1.21.0 <1.22.0', value: '3.4.1', source: 'cmd/kubeadm/app/constants/constants.go PauseVersion (kubeadm v1.21.0)' },
  { range: '>=1.20.0 <1.21.0', value: '3.2', source: 'cmd/kubeadm/app/constants/constants_unix.go PauseVersion (kubeadm v1.20.0)' },
]);

/** constants.CoreDNSVersion (v1.20: GetDNSVersion → CoreDNSVersion "1.7.0", without "v"). */
export const COREDNS_TAG: Rule<string>[] = defineTable('the CoreDNS image tag', [
  { range: '>=1.37.0', value: 'v1.14.6', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.37, seen in kubeadm v1.37.0/v1.37.1 output)' },
  { range: '>=1.36.0 <1.37.0', value: 'v1.14.2', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.36, seen in kubeadm v1.36.1–v1.36.5 output)' },
  { range: '>=1.35.0 <1.36.0', value: 'v1.13.1', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.35.0)' },
  { range: '>=1.34.0 <1.35.0', value: 'v1.12.1', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.34.0)' },
  { range: '>=1.33.0 <1.34.0', value: 'v1.12.0', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.33.0)' },
  { range: '>=1.31.1 <1.33.0', value: 'v1.11.3', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.31.1, cherry-pick PR #126796 of #126449)' },
  // #126449 missed v1.31.0 ("should've shipped in 1.31 but it was available too late").
  { range: '>=1.31.0 <1.31.1', value: 'v1.11.1', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.31.0)' },
  { range: '>=1.30.5 <1.31.0', value: 'v1.11.3', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.30.5, release-1.30 backport of PR #126449)' },
  { range: '>=1.29.0 <1.30.5', value: 'v1.11.1', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.29.0, v1.29 never moved)' },
  { range: '>=1.27.0 <1.29.0', value: 'v1.10.1', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.27.0)' },
  { range: '>=1.25.0 <1.27.0', value: 'v1.9.3', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.25.0)' },
  { range: '>=1.23.0 <1.25.0', value: 'v1.8.6', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.23.0)' },
  { range: '>=1.22.0 <1.23.0', value: 'v1.8.4', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.22.0)' },
  { range: '>=1.21.0 <1.22.0', value: 'v1.8.0', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.21.0)' },
  { range: '>=1.20.0 <1.21.0', value: '1.7.0', source: 'cmd/kubeadm/app/constants/constants.go CoreDNSVersion (kubeadm v1.20.0)' },
]);

/**
 * GetDNSImage: the image path under the repository. Since v1.21 the upstream image is coredns/coredns, and
 * kubeadm uses that path only when the repository equals its own DefaultImageRepository (string compare);
 * a mirror keeps the flat "coredns" name.
 */
export const COREDNS_IMAGE_PATH: Rule<{ withDefaultRepository: string; withOtherRepository: string }>[] = defineTable('the CoreDNS image path', [
  {
    range: '>=1.21.0',
    value: { withDefaultRepository: 'coredns/coredns', withOtherRepository: 'coredns' },
    source: 'cmd/kubeadm/app/images/images.go GetDNSImage (kubeadm v1.21.0, "Handle the renaming of the official image")',
  },
  {
    range: '>=1.20.0 <1.21.0',
    value: { withDefaultRepository: 'coredns', withOtherRepository: 'coredns' },
    source: 'cmd/kubeadm/app/images/images.go GetDNSImage (kubeadm v1.20.0)',
  },
]);

/**
 * constants.SupportedEtcdVersion[minor] as each release's kubeadm has it. Patch boundaries come from the
 * cherry-pick pull requests below (merge date → the next patch release), cross-checked against recorded
 * `kubeadm config images list` output for every patch release from v1.20.0 to v1.30.2 and for v1.26.15,
 * v1.27.16, v1.29.9, v1.29.15, v1.30.5, v1.31.1, v1.32.0, v1.32.13, v1.34.0–v1.34.2, v1.34.10, v1.35.0,
 * v1.36.4, v1.36.5 and v1.37.1 (kubeadm itself printing them).
 */
export const ETCD_TAG: Rule<string>[] = defineTable('the etcd image tag', [
  // CHANGELOG-1.37 v1.37.0-alpha.1: "Updated the default etcd version to 3.7.0-rc.0"; v1.37.0/v1.37.1 print 3.7.0-0.
  { range: '>=1.37.0', value: '3.7.0-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.37)' },
  // v1.36.0 ships the etcd v3.6.8 client (CHANGELOG-1.36 "Dependency"); kubeadm v1.36.1–v1.36.5 print 3.6.8-0.
  { range: '>=1.36.0 <1.37.0', value: '3.6.8-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.36)' },
  // The v1.35 map is keyed by skew from kubeadm's own minor; PR #135271 set the own minor to 3.6.6-0.
  { range: '>=1.35.0 <1.36.0', value: '3.6.6-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.35.0, PR #135271)' },
  { range: '>=1.34.2 <1.35.0', value: '3.6.5-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.34.2, release-1.34 PR #134426, etcd v3.6.5)' },
  { range: '>=1.34.0 <1.34.2', value: '3.6.4-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.34.0)' },
  { range: '>=1.33.6 <1.34.0', value: '3.5.24-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.33.6, cherry-pick PR #135018 of #134861)' },
  { range: '>=1.33.0 <1.33.6', value: '3.5.21-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.33.0, PR #131144)' },
  { range: '>=1.32.10 <1.33.0', value: '3.5.24-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.32.10, cherry-pick PR #135019 of #134861)' },
  { range: '>=1.32.0 <1.32.10', value: '3.5.16-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.32.0)' },
  { range: '>=1.31.14 <1.32.0', value: '3.5.24-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.31.14, cherry-pick PR #135020 of #134861)' },
  { range: '>=1.31.0 <1.31.14', value: '3.5.15-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.31.0)' },
  { range: '>=1.30.5 <1.31.0', value: '3.5.15-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.30.5, cherry-pick PR #126395 of #126240)' },
  { range: '>=1.30.0 <1.30.5', value: '3.5.12-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.30.0)' },
  { range: '>=1.29.11 <1.30.0', value: '3.5.16-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.29.11, cherry-pick PR #127951 of #127285)' },
  { range: '>=1.29.9 <1.29.11', value: '3.5.15-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.29.9, cherry-pick PR #126397 of #126240)' },
  { range: '>=1.29.3 <1.29.9', value: '3.5.12-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.29.3, cherry-pick PR #123188 of #123150)' },
  { range: '>=1.29.0 <1.29.3', value: '3.5.10-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.29.0)' },
  { range: '>=1.28.14 <1.29.0', value: '3.5.15-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.28.14, cherry-pick PR #126399 of #126240)' },
  { range: '>=1.28.8 <1.28.14', value: '3.5.12-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.28.8, cherry-pick PR #123196 of #123150)' },
  { range: '>=1.28.6 <1.28.8', value: '3.5.10-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.28.6, cherry-pick PR #121805 of #121566)' },
  { range: '>=1.28.0 <1.28.6', value: '3.5.9-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.28.0)' },
  { range: '>=1.27.12 <1.28.0', value: '3.5.12-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.27.12, cherry-pick PR #123198 of #123150)' },
  { range: '>=1.27.10 <1.27.12', value: '3.5.10-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.27.10, cherry-pick PR #121804 of #121566)' },
  { range: '>=1.27.7 <1.27.10', value: '3.5.9-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.27.7, etcd 3.5.9 backport, PR #118027 series)' },
  // v1.27.0–v1.27.2 had no 27 key and fell back to the nearest (3.5.7-0); PR #118307 (v1.27.3) added it.
  { range: '>=1.27.0 <1.27.7', value: '3.5.7-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.27.0, + PR #118307)' },
  { range: '>=1.26.13 <1.27.0', value: '3.5.10-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.26.13, cherry-pick PR #121803 of #121566)' },
  { range: '>=1.26.10 <1.26.13', value: '3.5.9-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.26.10, cherry-pick PR #120957 of #120935)' },
  { range: '>=1.26.0 <1.26.10', value: '3.5.6-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.26.0)' },
  { range: '>=1.25.15 <1.26.0', value: '3.5.9-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.25.15, etcd 3.5.9 backport, PR #120935 series)' },
  { range: '>=1.25.5 <1.25.15', value: '3.5.6-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.25.5, cherry-pick of PR #114093)' },
  { range: '>=1.25.4 <1.25.5', value: '3.5.5-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.25.4, cherry-pick PR #113197 of #112489)' },
  { range: '>=1.25.0 <1.25.4', value: '3.5.4-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.25.0)' },
  { range: '>=1.24.9 <1.25.0', value: '3.5.6-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.24.9, cherry-pick PR #114106 of #114093)' },
  { range: '>=1.24.8 <1.24.9', value: '3.5.5-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.24.8, cherry-pick PR #113099 of #112489)' },
  { range: '>=1.24.0 <1.24.8', value: '3.5.3-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.24.0, PR #109471)' },
  { range: '>=1.23.15 <1.24.0', value: '3.5.6-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.23.15, cherry-pick PR #114107 of #114093)' },
  { range: '>=1.23.14 <1.23.15', value: '3.5.5-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.23.14, cherry-pick PR #113100 of #112489)' },
  { range: '>=1.23.0 <1.23.14', value: '3.5.1-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.23.0)' },
  { range: '>=1.22.17 <1.23.0', value: '3.5.6-0', source: 'cmd/kubeadm/app/constants/constants.go (kubeadm v1.22.17, cherry-pick of PR #114093)' },
  { range: '>=1.22.0 <1.22.17', value: '3.5.0-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.22.0)' },
  { range: '>=1.20.0 <1.22.0', value: '3.4.13-0', source: 'cmd/kubeadm/app/constants/constants.go SupportedEtcdVersion (kubeadm v1.20.0 and v1.21.0)' },
]);
