/** Certificates, keys and kubeconfig files as kubeadm's certs and kubeconfig phases write them. */
export { loadOrCreateClusterPki, clusterPkiDir } from './cluster-pki.js';
export type { ClusterPki, CertificateAuthority, ServiceAccountKeys } from './cluster-pki.js';
export { renderHostPki, adminKubeconfig, hostPkiDir, KUBERNETES_DIR, MIN_REMAINING_MS } from './host-pki.js';
export { pkiProfileFor, PKI_PROFILES } from './profiles.js';
export type { PkiProfile, LeafValidityRule } from './profiles.js';
export { PkiError } from './errors.js';
