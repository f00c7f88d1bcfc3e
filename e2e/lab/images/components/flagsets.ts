/**
 * The flags each control-plane component accepts, grouped as the real binaries group them in their --help
 * output (component-base options shared by several components first). Anything not listed is rejected with
 * "unknown flag", as pflag does, so a misspelt extraArgs key fails here as it would on a real cluster.
 */
import type { FlagSet } from './flags.js';

/** component-base/logs and klog flags. */
const logging: FlagSet = {
  values: ['v', 'vmodule', 'log-flush-frequency', 'logging-format', 'log-json-info-buffer-size', 'log-text-info-buffer-size',
    'log-backtrace-at', 'log-dir', 'log-file', 'log-file-max-size', 'stderrthreshold'],
  bools: ['log-json-split-stream', 'log-text-split-stream', 'alsologtostderr', 'logtostderr', 'one-output', 'skip-headers',
    'skip-log-headers', 'add-dir-header'],
};

/** apiserver SecureServingOptions. */
const secureServing: FlagSet = {
  values: ['bind-address', 'cert-dir', 'http2-max-streams-per-connection', 'secure-port', 'tls-cert-file', 'tls-cipher-suites',
    'tls-min-version', 'tls-private-key-file', 'tls-sni-cert-key'],
  bools: ['permit-address-sharing', 'permit-port-sharing'],
};

/** Request-header (front proxy) authentication, shared by the apiserver and the delegating components. */
const requestHeader: FlagSet = {
  values: ['requestheader-allowed-names', 'requestheader-client-ca-file', 'requestheader-extra-headers-prefix',
    'requestheader-group-headers', 'requestheader-username-headers', 'requestheader-uid-headers'],
  bools: [],
};

/** DelegatingAuthenticationOptions / DelegatingAuthorizationOptions (controller-manager, scheduler). */
const delegating: FlagSet = {
  values: ['authentication-kubeconfig', 'authentication-token-webhook-cache-ttl', 'client-ca-file', 'authorization-kubeconfig',
    'authorization-always-allow-paths', 'authorization-webhook-cache-authorized-ttl', 'authorization-webhook-cache-unauthorized-ttl',
    ...requestHeader.values],
  bools: ['authentication-skip-lookup', 'authentication-tolerate-lookup-failure'],
};

/** component-base leader election configuration. */
const leaderElection: FlagSet = {
  values: ['leader-elect-lease-duration', 'leader-elect-renew-deadline', 'leader-elect-resource-lock', 'leader-elect-resource-name',
    'leader-elect-resource-namespace', 'leader-elect-retry-period'],
  bools: ['leader-elect'],
};

const metrics: FlagSet = {
  values: ['allow-metric-labels', 'allow-metric-labels-manifest', 'disabled-metrics', 'show-hidden-metrics-for-version'],
  bools: [],
};

const generic: FlagSet = {
  values: ['feature-gates', 'kubeconfig', 'master', 'kube-api-qps', 'kube-api-burst', 'kube-api-content-type', 'emulated-version'],
  bools: ['profiling', 'contention-profiling'],
};

function merge(...sets: FlagSet[]): FlagSet {
  return { values: sets.flatMap((s) => s.values), bools: sets.flatMap((s) => s.bools) };
}

const auditBackends = ['log', 'webhook'].flatMap((backend) => [
  `audit-${backend}-batch-buffer-size`, `audit-${backend}-batch-max-size`, `audit-${backend}-batch-max-wait`,
  `audit-${backend}-batch-throttle-burst`, `audit-${backend}-batch-throttle-qps`, `audit-${backend}-mode`,
  `audit-${backend}-truncate-max-batch-size`, `audit-${backend}-truncate-max-event-size`, `audit-${backend}-version`,
]);

export const kubeApiserverFlags: FlagSet = merge(logging, secureServing, requestHeader, metrics, {
  values: [
    // generic server
    'advertise-address', 'cors-allowed-origins', 'default-not-ready-toleration-seconds', 'default-unreachable-toleration-seconds',
    'external-hostname', 'feature-gates', 'goaway-chance', 'livez-grace-period', 'max-mutating-requests-inflight',
    'max-requests-inflight', 'min-request-timeout', 'request-timeout', 'shutdown-delay-duration',
    'shutdown-watch-termination-grace-period', 'strict-transport-security-directives', 'emulated-version',
    // etcd
    'delete-collection-workers', 'encryption-provider-config', 'etcd-cafile', 'etcd-certfile', 'etcd-compaction-interval',
    'etcd-count-metric-poll-period', 'etcd-db-metric-poll-interval', 'etcd-healthcheck-timeout', 'etcd-keyfile', 'etcd-prefix',
    'etcd-readycheck-timeout', 'etcd-servers', 'etcd-servers-overrides', 'lease-reuse-duration-seconds', 'storage-backend',
    'storage-media-type', 'watch-cache-sizes', 'default-watch-cache-size',
    // legacy insecure serving (removed upstream; kept so old manifests parse)
    'insecure-bind-address', 'insecure-port', 'port', 'address',
    // auditing
    ...auditBackends, 'audit-log-path', 'audit-log-format', 'audit-log-maxage', 'audit-log-maxbackup', 'audit-log-maxsize',
    'audit-policy-file', 'audit-webhook-config-file', 'audit-webhook-initial-backoff',
    'debug-socket-path',
    // authentication
    'api-audiences', 'authentication-config', 'authentication-token-webhook-cache-ttl', 'authentication-token-webhook-config-file',
    'authentication-token-webhook-version', 'client-ca-file', 'oidc-ca-file', 'oidc-client-id', 'oidc-groups-claim',
    'oidc-groups-prefix', 'oidc-issuer-url', 'oidc-required-claim', 'oidc-signing-algs', 'oidc-username-claim',
    'oidc-username-prefix', 'service-account-issuer', 'service-account-jwks-uri', 'service-account-key-file',
    'service-account-max-token-expiration', 'token-auth-file', 'service-account-signing-key-file',
    // authorization
    'authorization-config', 'authorization-mode', 'authorization-policy-file', 'authorization-webhook-cache-authorized-ttl',
    'authorization-webhook-cache-unauthorized-ttl', 'authorization-webhook-config-file', 'authorization-webhook-version',
    // API enablement, admission
    'runtime-config', 'admission-control-config-file', 'disable-admission-plugins', 'enable-admission-plugins', 'admission-control',
    'tracing-config-file',
    // misc
    'endpoint-reconciler-type', 'event-ttl', 'kubelet-certificate-authority', 'kubelet-client-certificate', 'kubelet-client-key',
    'kubelet-preferred-address-types', 'kubelet-timeout', 'kubernetes-service-node-port', 'max-connection-bytes-per-sec',
    'peer-advertise-ip', 'peer-advertise-port', 'peer-ca-file', 'proxy-client-cert-file', 'proxy-client-key-file',
    'service-account-signing-endpoint', 'service-cluster-ip-range', 'service-node-port-range', 'apiserver-count',
    'egress-selector-config-file', 'master-service-namespace',
  ],
  bools: [
    'shutdown-send-retry-after', 'enable-priority-and-fairness', 'aggregator-reject-forwarding-redirect',
    'enable-garbage-collector', 'encryption-provider-config-automatic-reload', 'watch-cache',
    'audit-log-compress', 'audit-log-batch-throttle-enable', 'audit-log-truncate-enabled', 'audit-webhook-batch-throttle-enable',
    'audit-webhook-truncate-enabled', 'contention-profiling', 'profiling', 'anonymous-auth', 'enable-bootstrap-token-auth',
    'service-account-extend-token-expiration', 'service-account-lookup', 'allow-privileged', 'enable-aggregator-routing',
    'enable-logs-handler', 'kubelet-https',
  ],
});

export const kubeControllerManagerFlags: FlagSet = merge(logging, secureServing, delegating, leaderElection, metrics, generic, {
  values: [
    'cluster-cidr', 'cluster-name', 'cluster-signing-cert-file', 'cluster-signing-key-file', 'cluster-signing-duration',
    ...['kubelet-serving', 'kubelet-client', 'kube-apiserver-client', 'legacy-unknown'].flatMap((s) => [
      `cluster-signing-${s}-cert-file`, `cluster-signing-${s}-key-file`]),
    'controllers', 'node-cidr-mask-size', 'node-cidr-mask-size-ipv4', 'node-cidr-mask-size-ipv6', 'root-ca-file',
    'service-account-private-key-file', 'service-cluster-ip-range', 'node-monitor-grace-period', 'node-monitor-period',
    'node-startup-grace-period', 'pod-eviction-timeout', 'terminated-pod-gc-threshold', 'cloud-provider', 'cloud-config',
    'external-cloud-volume-plugin', 'flex-volume-plugin-dir', 'large-cluster-size-threshold', 'unhealthy-zone-threshold',
    'node-eviction-rate', 'secondary-node-eviction-rate', 'min-resync-period', 'attach-detach-reconcile-sync-period',
    'route-reconciliation-period', 'namespace-sync-period', 'pvclaimbinder-sync-period', 'resource-quota-sync-period',
    'endpoint-updates-batch-period', 'endpointslice-updates-batch-period', 'max-endpoints-per-slice', 'cidr-allocator-type',
    'volume-host-cidr-denylist', 'horizontal-pod-autoscaler-sync-period', 'horizontal-pod-autoscaler-tolerance',
    'horizontal-pod-autoscaler-downscale-stabilization', 'horizontal-pod-autoscaler-cpu-initialization-period',
    'horizontal-pod-autoscaler-initial-readiness-delay', 'address', 'port',
    ...['cron-job', 'deployment', 'endpoint', 'endpointslice', 'ephemeralvolume', 'gc', 'horizontal-pod-autoscaler', 'job',
      'namespace', 'rc', 'replicaset', 'resource-quota', 'service', 'serviceaccount-token', 'statefulset', 'ttl-after-finished',
      'validating-admission-policy-status'].map((c) => `concurrent-${c}-syncs`),
    'concurrent-service-endpoint-syncs', 'concurrent-endpoint-syncs', 'concurrent-gc-syncs',
  ],
  bools: ['allocate-node-cidrs', 'use-service-account-credentials', 'configure-cloud-routes', 'enable-dynamic-provisioning',
    'enable-garbage-collector', 'enable-hostpath-provisioner', 'enable-taint-manager', 'disable-attach-detach-reconcile-sync',
    'volume-host-allow-local-loopback'],
});

export const kubeSchedulerFlags: FlagSet = merge(logging, secureServing, delegating, leaderElection, metrics, generic, {
  values: ['config', 'write-config-to', 'pod-max-in-unschedulable-pods-duration', 'address', 'port'],
  bools: [],
});

export const kubeProxyFlags: FlagSet = merge(logging, {
  values: ['config', 'hostname-override', 'bind-address', 'cluster-cidr', 'proxy-mode', 'healthz-bind-address', 'healthz-port',
    'metrics-bind-address', 'metrics-port', 'kubeconfig', 'master', 'feature-gates', 'write-config-to', 'nodeport-addresses',
    'oom-score-adj', 'detect-local-mode', 'pod-bridge-interface', 'pod-interface-name-prefix', 'config-sync-period',
    'conntrack-max-per-core', 'conntrack-min', 'conntrack-tcp-timeout-close-wait', 'conntrack-tcp-timeout-established',
    'conntrack-udp-timeout', 'conntrack-udp-timeout-stream', 'iptables-masquerade-bit', 'iptables-min-sync-period',
    'iptables-sync-period', 'ipvs-exclude-cidrs', 'ipvs-min-sync-period', 'ipvs-scheduler', 'ipvs-sync-period',
    'ipvs-tcp-timeout', 'ipvs-tcpfin-timeout', 'ipvs-udp-timeout', 'kube-api-burst', 'kube-api-content-type', 'kube-api-qps',
    'show-hidden-metrics-for-version'],
  bools: ['masquerade-all', 'cleanup', 'profiling', 'init-only', 'bind-address-hard-fail', 'iptables-localhost-nodeports',
    'ipvs-strict-arp', 'conntrack-tcp-be-liberal'],
});

/** CoreDNS uses Go's flag package: single-dash long flags. */
export const corednsFlags: FlagSet = {
  values: ['conf', 'dns.port', 'pidfile'],
  bools: ['plugins', 'quiet', 'version'],
};

/** Flags a component stopped accepting at a release: data, first match wins per flag. */
export interface RemovedFlags {
  flags: readonly string[];
  /** [major, minor] of the first release without them. */
  removedIn: readonly [number, number];
  source: string;
}

export const REMOVED_FLAGS: Record<'kube-apiserver' | 'kube-controller-manager', readonly RemovedFlags[]> = {
  'kube-apiserver': [
    { flags: ['insecure-port', 'insecure-bind-address', 'port', 'address'], removedIn: [1, 24],
      source: 'CHANGELOG-1.20 (#95856: inert, "will be removed in v1.24") and CHANGELOG-1.24 (removed)' },
  ],
  'kube-controller-manager': [
    { flags: ['port', 'address'], removedIn: [1, 24], source: 'CHANGELOG-1.24: "--address and --port in kube-controller-manager ... are removed in v1.24"' },
  ],
};

/** The flag set of a component at a Kubernetes version ("v1.28.4"): removed flags taken out. */
export function flagsAt(set: FlagSet, removed: readonly RemovedFlags[], version: string): FlagSet {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return set;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  const gone = new Set(removed.filter((r) => major > r.removedIn[0] || (major === r.removedIn[0] && minor >= r.removedIn[1])).flatMap((r) => r.flags));
  return { values: set.values.filter((f) => !gone.has(f)), bools: set.bools.filter((f) => !gone.has(f)) };
}
