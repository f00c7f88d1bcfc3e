/**
 * What kubeadm's cluster phases (upload-config, mark-control-plane, bootstrap-token, kubelet-finalize) do
 * differently by Kubernetes version, as src/kube/table.ts tables. Everything here was read from kubeadm's source
 * at the releases named in each row; what does not change across v1.20 → newest is written where it is used.
 */
import { defineTable } from '../kube/table.js';
import type { Taint } from './objects.js';

/**
 * How the ClusterConfiguration stored in kube-system/kubeadm-config is shaped: MarshalKubeadmConfigObject
 * converts the internal object to kubeadm's preferred API version of that release before marshalling it.
 */
export interface ClusterConfigurationShape {
  /** "kubeadm.k8s.io/v1beta2" … */
  apiVersion: string;
  /** extraArgs as a map (v1beta2, v1beta3) or as a list of {name, value} (v1beta4). */
  extraArgs: 'map' | 'list';
  /** v1beta2's DNS.Type, defaulted to CoreDNS; removed in v1beta3. */
  dnsType: boolean;
  /** APIServer.TimeoutForControlPlane, defaulted to 4m0s; moved out of ClusterConfiguration in v1beta4. */
  timeoutForControlPlane: boolean;
  /**
   * v1beta4's defaulted fields: encryptionAlgorithm (RSA-2048), certificateValidityPeriod (8760h0m0s),
   * caCertificateValidityPeriod (87600h0m0s), and the proxy addon block (`proxy: {}`).
   */
  v1beta4Fields: boolean;
}

export const CLUSTER_CONFIGURATION_SHAPE = defineTable<ClusterConfigurationShape>('the ClusterConfiguration API version kubeadm uploads', [
  {
    range: '>=1.31.0',
    value: { apiVersion: 'kubeadm.k8s.io/v1beta4', extraArgs: 'list', dnsType: false, timeoutForControlPlane: false, v1beta4Fields: true },
    source: 'cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go ClusterConfiguration, the storage version of kubeadm-config (v1.31, PR #125029; certificate validity periods PR #124652)',
  },
  {
    range: '>=1.22.0 <1.31.0',
    value: { apiVersion: 'kubeadm.k8s.io/v1beta3', extraArgs: 'map', dnsType: false, timeoutForControlPlane: true, v1beta4Fields: false },
    source: 'cmd/kubeadm/app/apis/kubeadm/v1beta3/types.go ClusterConfiguration, DNS without Type (v1.22, PR #101129)',
  },
  {
    range: '>=1.20.0 <1.22.0',
    value: { apiVersion: 'kubeadm.k8s.io/v1beta2', extraArgs: 'map', dnsType: true, timeoutForControlPlane: true, v1beta4Fields: false },
    source: 'cmd/kubeadm/app/apis/kubeadm/v1beta2/types.go ClusterConfiguration, DNS.Type defaulted to CoreDNS (v1.20)',
  },
]);

/**
 * Whether upload-config also writes the ClusterStatus key (the API endpoint of every control-plane node).
 * kubeadm v1.22 removed ClusterStatus and stopped maintaining it in the ConfigMap.
 */
export const CLUSTER_STATUS_UPLOADED = defineTable<boolean>('whether kubeadm-config holds ClusterStatus', [
  { range: '>=1.22.0', value: false, source: 'cmd/kubeadm/app/phases/uploadconfig/uploadconfig.go UploadConfiguration without ClusterStatus (v1.22, PR #101915)' },
  { range: '>=1.20.0 <1.22.0', value: true, source: 'cmd/kubeadm/app/phases/uploadconfig/uploadconfig.go UploadConfiguration ClusterStatusConfigMapKey (v1.20)' },
]);

/**
 * Whether the uploaded ClusterConfiguration carries apiServer.extraArgs["authorization-mode"]: getAPIServerCommand
 * wrote getAuthzModes(...) back into cfg.APIServer.ExtraArgs before upload-config ran, so "Node,RBAC" (or the user's
 * filtered modes) ended up in kubeadm-config; kubeadm v1.30 stopped mutating cfg.
 */
export const AUTHORIZATION_MODE_UPLOADED = defineTable<boolean>('whether kubeadm-config holds the defaulted authorization-mode', [
  { range: '>=1.30.0', value: false, source: 'cmd/kubeadm/app/phases/controlplane/manifests.go getAPIServerCommand, cfg no longer mutated (v1.30, PR #123555)' },
  { range: '>=1.20.0 <1.30.0', value: true, source: 'cmd/kubeadm/app/phases/controlplane/manifests.go getAPIServerCommand cfg.APIServer.ExtraArgs["authorization-mode"] = getAuthzModes(...) (v1.20)' },
]);

/**
 * The kubelet ConfigMap's name: kubelet-config-1.XX until the UnversionedKubeletConfigMap feature gate went beta
 * (on by default) in v1.24, "kubelet-config" since (the gate went GA in v1.25 and was removed in v1.26). The Role and
 * RoleBinding that let nodes read it follow the same naming.
 */
export const KUBELET_CONFIGMAP_VERSIONED = defineTable<boolean>('whether the kubelet ConfigMap name carries the minor', [
  { range: '>=1.24.0', value: false, source: 'cmd/kubeadm/app/features/features.go UnversionedKubeletConfigMap beta, on by default (v1.24, PR #108027)' },
  { range: '>=1.20.0 <1.24.0', value: true, source: 'cmd/kubeadm/app/constants/constants.go GetKubeletConfigMapName kubelet-config-1.X (v1.20)' },
]);

/** What mark-control-plane puts on a control-plane Node. */
export interface ControlPlaneMarks {
  labels: Record<string, string>;
  taints: Taint[];
}

const LABEL_MASTER = 'node-role.kubernetes.io/master';
const LABEL_CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';
const LABEL_EXCLUDE_LB = 'node.kubernetes.io/exclude-from-external-load-balancers';
const TAINT_MASTER: Taint = { key: LABEL_MASTER, effect: 'NoSchedule' };
const TAINT_CONTROL_PLANE: Taint = { key: LABEL_CONTROL_PLANE, effect: 'NoSchedule' };

/**
 * KEP-2067's renaming of "master" to "control-plane", stage by stage: v1.20 adds the control-plane label next to
 * the master one, v1.21 adds the exclude-from-external-load-balancers label, v1.24 drops the master label and adds
 * the control-plane taint next to the master taint, v1.25 drops the master taint. The taints are kubeadm's default
 * NodeRegistration.Taints for a control-plane node (initconfiguration.go SetNodeRegistrationDynamicDefaults).
 */
export const CONTROL_PLANE_MARKS = defineTable<ControlPlaneMarks>('the control-plane labels and taints', [
  {
    range: '>=1.25.0',
    value: { labels: { [LABEL_CONTROL_PLANE]: '', [LABEL_EXCLUDE_LB]: '' }, taints: [TAINT_CONTROL_PLANE] },
    source: 'cmd/kubeadm/app/util/config/initconfiguration.go SetNodeRegistrationDynamicDefaults, no master taint (v1.25, PR #110095)',
  },
  {
    range: '>=1.24.0 <1.25.0',
    value: { labels: { [LABEL_CONTROL_PLANE]: '', [LABEL_EXCLUDE_LB]: '' }, taints: [TAINT_MASTER, TAINT_CONTROL_PLANE] },
    source: 'cmd/kubeadm/app/phases/markcontrolplane/markcontrolplane.go labelsToAdd without the master label, OldControlPlaneTaint + ControlPlaneTaint (v1.24, PR #107533)',
  },
  {
    range: '>=1.21.0 <1.24.0',
    value: { labels: { [LABEL_MASTER]: '', [LABEL_CONTROL_PLANE]: '', [LABEL_EXCLUDE_LB]: '' }, taints: [TAINT_MASTER] },
    source: 'cmd/kubeadm/app/phases/markcontrolplane/markcontrolplane.go labelsToAdd + LabelExcludeFromExternalLB (v1.21, PR #98269)',
  },
  {
    range: '>=1.20.0 <1.21.0',
    value: { labels: { [LABEL_MASTER]: '', [LABEL_CONTROL_PLANE]: '' }, taints: [TAINT_MASTER] },
    source: 'cmd/kubeadm/app/phases/markcontrolplane/markcontrolplane.go labelsToAdd LabelNodeRoleOldControlPlane + LabelNodeRoleControlPlane (v1.20, KEP-2067 first stage)',
  },
]);

/**
 * Whether kubeadm binds the group kubeadm:cluster-admins to cluster-admin: since v1.29 admin.conf's client
 * certificate is in that group (not system:masters) and init creates the binding (EnsureAdminClusterRoleBinding).
 */
export const CLUSTER_ADMINS_BINDING = defineTable<boolean>('whether the kubeadm:cluster-admins binding exists', [
  { range: '>=1.29.0', value: true, source: 'cmd/kubeadm/app/phases/kubeconfig/kubeconfig.go EnsureAdminClusterRoleBinding ClusterAdminsGroupAndClusterRoleBinding (v1.29, PR #121305)' },
  { range: '>=1.20.0 <1.29.0', value: false, source: 'cmd/kubeadm/app/constants/constants.go admin.conf in SystemPrivilegedGroup system:masters, no binding (v1.20)' },
]);

/**
 * The node-bootstrap RBAC kubeadm's bootstrap-token phase creates. The same four bindings and the
 * kubeadm:get-nodes ClusterRole (PR #81056, which lets join refuse a node name already taken; older than v1.20) in
 * rbac.authorization.k8s.io/v1 in every supported release.
 */
export const NODE_BOOTSTRAP_RBAC = defineTable<{ apiVersion: string; getNodes: boolean }>('the node bootstrap RBAC objects', [
  {
    range: '>=1.20.0',
    value: { apiVersion: 'rbac.authorization.k8s.io/v1', getNodes: true },
    source: 'cmd/kubeadm/app/phases/bootstraptoken/node/tlsbootstrap.go AllowBootstrapTokensToPostCSRs, AllowBoostrapTokensToGetNodes, AutoApproveNodeBootstrapTokens, AutoApproveNodeCertificateRotation (v1.20; get-nodes PR #81056)',
  },
]);

/** kubelet-finalize: what kubeadm init does after the first kubelet has bootstrapped. */
export interface KubeletFinalizeStep {
  /** The sub-phase's name in `kubeadm init phase kubelet-finalize`. */
  phase: string;
  /** A deprecated alias that `all` does not run a second time (v1.31 only). */
  deprecatedAlias?: string;
  /** Only on the node `kubeadm init` runs on; joined nodes get a rotatable kubelet.conf from TLS bootstrap. */
  nodes: 'init';
  /** Acts only when this file exists (the kubelet rotates its client certificate). */
  when: string;
  /** The file rewritten: the user system:node:<name> points at `when` instead of embedded data. */
  kubeconfig: string;
  clientCertificate: string;
  clientKey: string;
  /** The kubelet is restarted afterwards. */
  restartKubelet: boolean;
}

const CERT_ROTATION = {
  nodes: 'init' as const,
  when: '/var/lib/kubelet/pki/kubelet-client-current.pem',
  kubeconfig: '/etc/kubernetes/kubelet.conf',
  clientCertificate: '/var/lib/kubelet/pki/kubelet-client-current.pem',
  clientKey: '/var/lib/kubelet/pki/kubelet-client-current.pem',
  restartKubelet: true,
};

export const KUBELET_FINALIZE = defineTable<KubeletFinalizeStep>('the kubelet-finalize client certificate rotation step', [
  {
    range: '>=1.32.0',
    value: { phase: 'enable-client-cert-rotation', ...CERT_ROTATION },
    source: 'cmd/kubeadm/app/cmd/phases/init/kubeletfinalize.go enable-client-cert-rotation, experimental-cert-rotation removed (v1.32, PR #126913)',
  },
  {
    range: '>=1.31.0 <1.32.0',
    value: { phase: 'enable-client-cert-rotation', deprecatedAlias: 'experimental-cert-rotation', ...CERT_ROTATION },
    source: 'cmd/kubeadm/app/cmd/phases/init/kubeletfinalize.go enable-client-cert-rotation, experimental-cert-rotation deprecated (v1.31, PR #124419)',
  },
  {
    range: '>=1.20.0 <1.31.0',
    value: { phase: 'experimental-cert-rotation', ...CERT_ROTATION },
    source: 'cmd/kubeadm/app/cmd/phases/init/kubeletfinalize.go runKubeletFinalizeCertRotation (v1.17, PR #84118; unchanged to v1.30)',
  },
]);

/**
 * How kubeadm records a node's CRI socket in the Node annotation kubeadm.alpha.kubernetes.io/cri-socket (init's
 * upload-config kubelet phase, join's kubelet-start), which `kubeadm upgrade` reads back: the socket as given before
 * v1.24, as a unix:// URL from v1.24 (a bare path gets the scheme), and not at all from v1.34, where
 * NodeLocalCRISocket (alpha in v1.32, beta and on by default in v1.34) keeps it in
 * /var/lib/kubelet/instance-config.yaml instead.
 */
export const CRI_SOCKET_ANNOTATION = defineTable<'none' | 'unix-url' | 'as-given'>('how kubeadm annotates the Node with its CRI socket', [
  { range: '>=1.34.0', value: 'none', source: 'cmd/kubeadm/app/features/features.go NodeLocalCRISocket beta, on by default; no AnnotateCRISocket (v1.34, PR #131981)' },
  { range: '>=1.24.0 <1.34.0', value: 'unix-url', source: 'cmd/kubeadm/app/phases/patchnode/patchnode.go AnnotateCRISocket with the unix:// CRI socket URL (v1.24, PR #107295)' },
  { range: '>=1.20.0 <1.24.0', value: 'as-given', source: 'cmd/kubeadm/app/phases/patchnode/patchnode.go AnnotateCRISocket, from cmd/phases/init/uploadconfig.go runUploadKubeletConfig (v1.20)' },
]);
