/**
 * Certificates, keys and kubeconfig files as kubeadm's certs and kubeconfig phases write them.
 *
 * State directory layout (on the control machine):
 *   <stateDir>/pki/{ca,front-proxy-ca,etcd/ca}.{crt,key}, sa.key, sa.pub   the cluster's CAs: made once, never rewritten
 *   <stateDir>/hosts/<host>/pki/<baseName>.{crt,key}                         leaf certificates of that host
 *   <stateDir>/hosts/<host>/pki/kubeconfig/<file>.{crt,key}                  client certificates of its kubeconfig files
 * Directories are 0700, private keys 0600, certificates 0644; a .gitignore of `*` keeps it out of any checkout.
 */
export { loadOrCreateClusterPki, clusterPkiDir } from './cluster-pki.js';
export type { ClusterPki, CertificateAuthority, ServiceAccountKeys } from './cluster-pki.js';
export { renderHostPki, adminKubeconfig, hostPkiDir, KUBERNETES_DIR, MIN_REMAINING_MS } from './host-pki.js';
export { pkiProfileFor, PKI_PROFILES } from './profiles.js';
export type { PkiProfile, LeafValidityRule } from './profiles.js';
export { PkiError } from './errors.js';
export { openStateDir, checkStateDir, StateDirError, STATE_GITIGNORE } from './state-dir.js';
export { KEY_MODE, LocalWriteError, readOptional, writeAtomic } from './store.js';
export { externalEtcdFiles, loadExternalEtcdCredentials, type ExternalEtcdCredentials } from './external-etcd.js';
