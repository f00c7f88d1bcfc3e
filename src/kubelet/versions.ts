/**
 * What kubeadm writes for the kubelet, per Kubernetes minor. Ordered tables, first match wins; a version
 * that no row covers is an error rather than a guess.
 */
import semver from 'semver';
import { InputError } from '../util/errors.js';

export class UnsupportedKubeletVersionError extends InputError {
  override name = 'UnsupportedKubeletVersionError';
}

/** "v1.28.4", "1.28", "v1.30.0-rc.1" → "1.28.0", the form the ranges below are matched against. */
export function minorOf(kubernetesVersion: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(kubernetesVersion.trim());
  if (!m) throw new UnsupportedKubeletVersionError(`"${kubernetesVersion}" is not a Kubernetes version (expected e.g. v1.28.4)`);
  return `${m[1]}.${m[2]}.0`;
}

export function pick<T extends { range: string }>(table: readonly T[], kubernetesVersion: string, what: string): T {
  const minor = minorOf(kubernetesVersion);
  const row = table.find((r) => semver.satisfies(minor, r.range));
  if (!row) {
    throw new UnsupportedKubeletVersionError(
      `${what} for Kubernetes ${kubernetesVersion} is not known; supported versions are v1.20 to v1.37`,
    );
  }
  return row;
}

/** The zero-valued parts of a KubeletConfiguration a given kubelet API version still serializes. */
export type LoggingShape = 'empty' | 'json' | 'json+text';

export interface KubeletConfigShape {
  range: string;
  /**
   * Top-level metav1.Duration fields. Go's encoding/json does not omit structs, so an unset Duration is
   * written as "0s" even with omitempty; this is why kubeadm's config.yaml carries lines like "syncFrequency: 0s".
   */
  durations: readonly string[];
  /** Top-level struct fields with nothing set inside, written as "{}". */
  emptyStructs: readonly string[];
  /** containerRuntimeEndpoint has no omitempty (kubelet v1.27+), so it is written even when "". */
  containerRuntimeEndpointField: boolean;
  /** KubeletConfiguration.maxParallelImagePulls exists (kubelet v1.27+). */
  maxParallelImagePulls: boolean;
  logging: LoggingShape;
}

const DURATIONS_1_20 = [
  'cpuManagerReconcilePeriod',
  'evictionPressureTransitionPeriod',
  'fileCheckFrequency',
  'httpCheckFrequency',
  'imageMinimumGCAge',
  'nodeStatusReportFrequency',
  'nodeStatusUpdateFrequency',
  'runtimeRequestTimeout',
  'shutdownGracePeriod',
  'shutdownGracePeriodCriticalPods',
  'streamingConnectionIdleTimeout',
  'syncFrequency',
  'volumeStatsAggPeriod',
] as const;
// k8s.io/kubelet v0.29.0 config/v1beta1/types.go adds ImageMaximumGCAge metav1.Duration.
const DURATIONS_1_29 = [...DURATIONS_1_20, 'imageMaximumGCAge'] as const;

/**
 * Read from k8s.io/kubelet config/v1beta1/types.go at tags v0.20.0 … v0.36.0 and v0.37.0-beta.0 (fields that are either
 * non-pointer structs or lack omitempty), and from k8s.io/component-base's LoggingConfiguration at the
 * same tags: config/v1alpha1/types.go (v0.20–v0.24; flushFrequency/verbosity/options added in v0.23) and
 * logs/api/v1/types.go (v0.25+; options.text added in v0.30).
 */
export const KUBELET_CONFIG_SHAPES: readonly KubeletConfigShape[] = [
  // v0.32: CrashLoopBackOff CrashLoopBackOffConfig (struct) added. v0.37.0-beta.0 has the same fields as v0.36.0.
  { range: '>=1.32.0 <1.38.0', durations: DURATIONS_1_29, emptyStructs: ['crashLoopBackOff', 'memorySwap'], containerRuntimeEndpointField: true, maxParallelImagePulls: true, logging: 'json+text' },
  // v0.30: component-base FormatOptions gains Text.
  { range: '>=1.30.0 <1.32.0', durations: DURATIONS_1_29, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: true, maxParallelImagePulls: true, logging: 'json+text' },
  { range: '>=1.29.0 <1.30.0', durations: DURATIONS_1_29, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: true, maxParallelImagePulls: true, logging: 'json' },
  // v0.27: ContainerRuntimeEndpoint string `json:"containerRuntimeEndpoint"` and MaxParallelImagePulls *int32.
  { range: '>=1.27.0 <1.29.0', durations: DURATIONS_1_20, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: true, maxParallelImagePulls: true, logging: 'json' },
  // v0.23: LoggingConfiguration gains flushFrequency, verbosity (no omitempty) and options.json.
  { range: '>=1.23.0 <1.27.0', durations: DURATIONS_1_20, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: false, maxParallelImagePulls: false, logging: 'json' },
  // v0.22: MemorySwap MemorySwapConfiguration (struct) added.
  { range: '>=1.22.0 <1.23.0', durations: DURATIONS_1_20, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: false, maxParallelImagePulls: false, logging: 'empty' },
  { range: '>=1.20.0 <1.22.0', durations: DURATIONS_1_20, emptyStructs: [], containerRuntimeEndpointField: false, maxParallelImagePulls: false, logging: 'empty' },
];

/** How kubeadm passes the runtime and the pause image to the kubelet (cmd/kubeadm/app/phases/kubelet/flags.go). */
export interface KubeletFlagRule {
  range: string;
  /** A dockershim socket is accepted (kubelet ≤ v1.23) and gets --network-plugin=cni instead of the remote flags. */
  dockershim: boolean;
  /** --container-runtime=remote for every non-dockershim runtime. */
  containerRuntimeRemote: boolean;
  /** --container-runtime-endpoint=<criSocket>; false once the endpoint moved to instance-config.yaml. */
  containerRuntimeEndpointFlag: boolean;
  /** When --pod-infra-container-image is written. */
  podInfraContainerImage: 'dockershim-only' | 'always' | 'never';
  /**
   * NodeLocalCRISocket (beta and on by default in kubeadm v1.34, GA later): kubeadm writes
   * /var/lib/kubelet/instance-config.yaml with containerRuntimeEndpoint and merges it into config.yaml.
   */
  instanceConfig: boolean;
}

export const KUBELET_FLAG_RULES: readonly KubeletFlagRule[] = [
  // kubeadm v1.35 (kubernetes/kubernetes#133778): stops passing --pod-infra-container-image; kubelet v1.35 removed the flag (#133779).
  // NodeLocalCRISocket later went GA (#135742), so v1.36 and v1.37 keep this behaviour.
  { range: '>=1.35.0 <1.38.0', dockershim: false, containerRuntimeRemote: false, containerRuntimeEndpointFlag: false, podInfraContainerImage: 'never', instanceConfig: true },
  // kubeadm v1.34: NodeLocalCRISocket beta, default on (flags.go drops --container-runtime-endpoint when enabled).
  { range: '>=1.34.0 <1.35.0', dockershim: false, containerRuntimeRemote: false, containerRuntimeEndpointFlag: false, podInfraContainerImage: 'always', instanceConfig: true },
  // kubeadm v1.26 (kubernetes/kubernetes#112000): no more --container-runtime=remote.
  { range: '>=1.26.0 <1.34.0', dockershim: false, containerRuntimeRemote: false, containerRuntimeEndpointFlag: true, podInfraContainerImage: 'always', instanceConfig: false },
  // kubelet v1.24 removed dockershim; kubeadm v1.24/v1.25 pass --container-runtime=remote for every runtime (#110022).
  { range: '>=1.24.0 <1.26.0', dockershim: false, containerRuntimeRemote: true, containerRuntimeEndpointFlag: true, podInfraContainerImage: 'always', instanceConfig: false },
  // kubeadm v1.21 (kubernetes/kubernetes#99476): --pod-infra-container-image for all runtimes, not only Docker.
  { range: '>=1.21.0 <1.24.0', dockershim: true, containerRuntimeRemote: true, containerRuntimeEndpointFlag: true, podInfraContainerImage: 'always', instanceConfig: false },
  { range: '>=1.20.0 <1.21.0', dockershim: true, containerRuntimeRemote: true, containerRuntimeEndpointFlag: true, podInfraContainerImage: 'dockershim-only', instanceConfig: false },
];

/** kubeadm v1.20–v1.23: constants.DefaultDockerCRISocket. */
export const DOCKERSHIM_SOCKETS: readonly string[] = ['/var/run/dockershim.sock', 'unix:///var/run/dockershim.sock'];

/**
 * Whether kubeadm applies "kubeletconfiguration" patches to config.yaml: since v1.25
 * (kubernetes/kubernetes#110405). Older kubeadm ignores such files as an unknown target.
 */
export const KUBELET_PATCH_TARGET: readonly { range: string; supported: boolean }[] = [
  { range: '>=1.25.0 <1.38.0', supported: true },
  { range: '>=1.20.0 <1.25.0', supported: false },
];
