/**
 * What kubeadm's certs and kubeconfig phases do differently by version, as a src/kube/table.ts table.
 */
import { defineTable, lookup } from '../kube/table.js';
import { kubeVersion, type KubeVersion, type VersionLike } from '../kube/version.js';
import { PkiError } from './errors.js';

/** Which notBefore/notAfter kubeadm gives a leaf (non-CA) certificate. */
export type LeafValidityRule =
  /** notBefore = the CA's notBefore, notAfter = now + 1 year (pkiutil.NewSignedCert up to v1.30). */
  | 'ca-not-before'
  /**
   * notBefore = start - 5 minutes (CertificateBackdate), notAfter = start + certificateValidityPeriod, which v1beta4
   * defaults to 8760h (certlist.go GetConfig, v1.31+).
   */
  | 'backdated-start';

export interface PkiProfile {
  /** O of apiserver-kubelet-client.crt. */
  apiserverKubeletClientOrganization: string[];
  /** O of etcd/healthcheck-client.crt and apiserver-etcd-client.crt. */
  etcdClientOrganization: string[];
  /** O of the admin.conf client certificate. */
  adminOrganization: string[];
  /** Whether the first control-plane node gets super-admin.conf (CN kubernetes-super-admin, O system:masters). */
  superAdminKubeconfig: boolean;
  /** Whether controller-manager.conf and scheduler.conf point at the node's own API server rather than controlPlaneEndpoint. */
  componentsUseLocalApiEndpoint: boolean;
  /**
   * Whether kubelet.conf of a control-plane node points at the node's own API server (the ControlPlaneKubeletLocalMode
   * feature gate at its default). Workers always use controlPlaneEndpoint.
   */
  controlPlaneKubeletUsesLocalApiEndpoint: boolean;
  leafValidity: LeafValidityRule;
}

const MASTERS = 'system:masters';
const CLUSTER_ADMINS = 'kubeadm:cluster-admins';

export const PKI_PROFILES = defineTable<PkiProfile>('the certificate and kubeconfig profile', [
  {
    range: '>=1.33.0-0',
    source:
      'cmd/kubeadm/app/features/features.go ControlPlaneKubeletLocalMode promoted to beta, on by default (kubeadm v1.33, ' +
      'kubernetes#129956): kubelet.conf of control-plane nodes uses the local API endpoint on init and join; otherwise as v1.31',
    value: {
      apiserverKubeletClientOrganization: [CLUSTER_ADMINS],
      etcdClientOrganization: [],
      adminOrganization: [CLUSTER_ADMINS],
      superAdminKubeconfig: true,
      componentsUseLocalApiEndpoint: true,
      controlPlaneKubeletUsesLocalApiEndpoint: true,
      leafValidity: 'backdated-start',
    },
  },
  {
    range: '>=1.31.0-0 <1.33.0-0',
    source:
      'cmd/kubeadm/app/phases/certs/certlist.go GetConfig (kubeadm v1.31: NotBefore = start - CertificateBackdate, NotAfter = ' +
      'start + ClusterConfiguration.certificateValidityPeriod, defaulted to 8760h by v1beta4)',
    value: {
      apiserverKubeletClientOrganization: [CLUSTER_ADMINS],
      etcdClientOrganization: [],
      adminOrganization: [CLUSTER_ADMINS],
      superAdminKubeconfig: true,
      componentsUseLocalApiEndpoint: true,
      controlPlaneKubeletUsesLocalApiEndpoint: false,
      leafValidity: 'backdated-start',
    },
  },
  {
    range: '>=1.29.0-0 <1.31.0-0',
    source:
      'cmd/kubeadm/app/phases/kubeconfig/kubeconfig.go getKubeConfigSpecsBase (kubeadm v1.29: super-admin.conf and admin.conf ' +
      'in kubeadm:cluster-admins, KEP-4214); apiserver-kubelet-client O kubeadm:cluster-admins (kubernetes#121837); no O on ' +
      'etcd/healthcheck-client (kubernetes#119859) and apiserver-etcd-client (kubernetes#120521)',
    value: {
      apiserverKubeletClientOrganization: [CLUSTER_ADMINS],
      etcdClientOrganization: [],
      adminOrganization: [CLUSTER_ADMINS],
      superAdminKubeconfig: true,
      componentsUseLocalApiEndpoint: true,
      controlPlaneKubeletUsesLocalApiEndpoint: false,
      leafValidity: 'ca-not-before',
    },
  },
  {
    range: '>=1.20.0-0 <1.29.0-0',
    source:
      'cmd/kubeadm/app/phases/certs/certlist.go (kubeadm v1.20: O system:masters on apiserver-kubelet-client, etcd/healthcheck-client, ' +
      'apiserver-etcd-client), kubeconfig.go (admin.conf O system:masters; controller-manager.conf and scheduler.conf ' +
      'use the LocalAPIEndpoint since kubernetes#94398), pkiutil RemoveDuplicateAltNames since kubernetes#92753',
    value: {
      apiserverKubeletClientOrganization: [MASTERS],
      etcdClientOrganization: [MASTERS],
      adminOrganization: [MASTERS],
      superAdminKubeconfig: false,
      componentsUseLocalApiEndpoint: true,
      controlPlaneKubeletUsesLocalApiEndpoint: false,
      leafValidity: 'ca-not-before',
    },
  },
]);

/** The profile for a Kubernetes version such as "v1.28.4". */
export function pkiProfileFor(kubernetesVersion: VersionLike): PkiProfile {
  let version: KubeVersion;
  try {
    version = kubeVersion(kubernetesVersion);
  } catch {
    throw new PkiError(`kubernetesVersion "${String(kubernetesVersion)}" is not a version like v1.28.4`);
  }
  return lookup(
    PKI_PROFILES,
    version,
    (_, v) =>
      new PkiError(
        `Kubernetes ${v.text} is not supported for certificates and kubeconfig files ` +
          `(supported: ${PKI_PROFILES.map((p) => p.range).join(', ')})`,
      ),
  );
}
