/**
 * kubeadm's cluster-phase API objects, computed offline per Kubernetes version: upload-config, mark-control-plane,
 * bootstrap tokens and their RBAC, cluster-info, kubelet-finalize. src/api applies them; nothing here does I/O.
 */
export { objectName, type KubeObject, type ObjectMeta, type Taint } from './objects.js';
export { ClusterObjectError } from './errors.js';
export {
  clusterConfigurationYaml,
  clusterConfigurationObject,
  clusterStatusYaml,
  configMapChecksum,
  kubeletConfigMapName,
  kubeletConfigRoleName,
  uploadConfigObjects,
} from './uploadconfig.js';
export { markControlPlane } from './markcontrolplane.js';
export { nodeAnnotations } from './patchnode.js';
export {
  bootstrapTokenSecret,
  bootstrapTokenUsable,
  newBootstrapToken,
  parseBootstrapToken,
  parseBootstrapTokenSecret,
  tokenString,
  type BootstrapToken,
  type BootstrapTokenOptions,
  type ParsedBootstrapToken,
} from './tokens.js';
export { clusterAdminsObjects, nodeBootstrapRbac } from './rbac.js';
export { clusterInfoKubeconfig, clusterInfoObjects, jwsSignature, jwsSignatureKey, verifyJwsSignature } from './clusterinfo.js';
export { bootstrapKubeletConf, caCertHash } from './join.js';
export { joinCommand, kubeletConfWithRotatingCert, kubeletFinalize } from './kubeletfinalize.js';
export type { KubeletFinalizeStep } from './versions.js';
export { corednsObjects, kubeProxyObjects, dnsServiceIp } from './addons/index.js';
export { ETCD_MEMBER_ADD, etcdMemberAdd, joiningKubeletServer, type EtcdMemberAdd } from './control-plane-join.js';
