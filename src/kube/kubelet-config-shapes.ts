/**
 * The shape of kubelet's KubeletConfiguration API per Kubernetes version: which fields exist and which zero
 * values it still serializes. Here, below the inventory, because both the inventory's checks
 * (maxParallelImagePulls exists from v1.27) and the kubelet renderer read it: one fact, one place.
 */
import { defineTable } from './table.js';

/** The zero-valued parts of a KubeletConfiguration a given kubelet API version still serializes. */
export type LoggingShape = 'empty' | 'json' | 'json+text';

export interface KubeletConfigShape {
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
export const KUBELET_CONFIG_SHAPES = defineTable<KubeletConfigShape>('the KubeletConfiguration layout', [
  {
    range: '>=1.32.0',
    value: { durations: DURATIONS_1_29, emptyStructs: ['crashLoopBackOff', 'memorySwap'], containerRuntimeEndpointField: true, maxParallelImagePulls: true, logging: 'json+text' },
    source: 'staging/src/k8s.io/kubelet/config/v1beta1/types.go CrashLoopBackOff (k8s.io/kubelet v0.32.0; v0.37.0-beta.0 has the same fields as v0.36.0)',
  },
  {
    range: '>=1.30.0 <1.32.0',
    value: { durations: DURATIONS_1_29, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: true, maxParallelImagePulls: true, logging: 'json+text' },
    source: 'staging/src/k8s.io/component-base/logs/api/v1/types.go FormatOptions.Text (k8s.io/component-base v0.30.0)',
  },
  {
    range: '>=1.29.0 <1.30.0',
    value: { durations: DURATIONS_1_29, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: true, maxParallelImagePulls: true, logging: 'json' },
    source: 'staging/src/k8s.io/kubelet/config/v1beta1/types.go ImageMaximumGCAge (k8s.io/kubelet v0.29.0)',
  },
  {
    range: '>=1.27.0 <1.29.0',
    value: { durations: DURATIONS_1_20, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: true, maxParallelImagePulls: true, logging: 'json' },
    source: 'staging/src/k8s.io/kubelet/config/v1beta1/types.go ContainerRuntimeEndpoint, MaxParallelImagePulls (k8s.io/kubelet v0.27.0)',
  },
  {
    range: '>=1.23.0 <1.27.0',
    value: { durations: DURATIONS_1_20, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: false, maxParallelImagePulls: false, logging: 'json' },
    source: 'staging/src/k8s.io/component-base/config/v1alpha1/types.go LoggingConfiguration flushFrequency, verbosity, options.json (k8s.io/component-base v0.23.0)',
  },
  {
    range: '>=1.22.0 <1.23.0',
    value: { durations: DURATIONS_1_20, emptyStructs: ['memorySwap'], containerRuntimeEndpointField: false, maxParallelImagePulls: false, logging: 'empty' },
    source: 'staging/src/k8s.io/kubelet/config/v1beta1/types.go MemorySwap (k8s.io/kubelet v0.22.0)',
  },
  {
    range: '>=1.20.0 <1.22.0',
    value: { durations: DURATIONS_1_20, emptyStructs: [], containerRuntimeEndpointField: false, maxParallelImagePulls: false, logging: 'empty' },
    source: 'staging/src/k8s.io/kubelet/config/v1beta1/types.go (k8s.io/kubelet v0.20.0)',
  },
]);

