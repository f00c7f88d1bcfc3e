/**
 * The kubelet command line the stand-in accepts: the flags kubeadm's drop-in, kubeadm-flags.env and common
 * /etc/default/kubelet contents pass. Flags that a kubelet version no longer has are rejected the way that version
 * rejects them ("failed to parse kubelet flag: unknown flag: --container-runtime"), so a product that passes a
 * removed flag fails in the lab as it would on a real host.
 */
import semver from 'semver';
import { parsePflag, UsageError, type FlagSpec, type FlagValues } from '../args.js';

interface VersionedFlag extends FlagSpec {
  /** semver range of kubelet versions that have the flag; absent = every version the lab supports. */
  versions?: string;
}

// Removals, newest first:
// - --pod-infra-container-image: removed in kubelet v1.35 (kubernetes/kubernetes#133779).
// - --container-runtime: removed in kubelet v1.27 ("unknown flag: --container-runtime", kubernetes/minikube#16112).
// - --network-plugin, --cni-bin-dir, --cni-conf-dir: dockershim flags, removed with dockershim in kubelet v1.24.
const KUBELET_FLAGS: VersionedFlag[] = [
  { name: 'config', kind: 'string' },
  { name: 'kubeconfig', kind: 'string' },
  { name: 'bootstrap-kubeconfig', kind: 'string' },
  { name: 'container-runtime-endpoint', kind: 'string' },
  { name: 'image-service-endpoint', kind: 'string' },
  { name: 'container-runtime', kind: 'string', versions: '<1.27.0-0' },
  { name: 'pod-infra-container-image', kind: 'string', versions: '<1.35.0-0' },
  { name: 'network-plugin', kind: 'string', versions: '<1.24.0-0' },
  { name: 'cni-bin-dir', kind: 'string', versions: '<1.24.0-0' },
  { name: 'cni-conf-dir', kind: 'string', versions: '<1.24.0-0' },
  { name: 'pod-manifest-path', kind: 'string' },
  { name: 'hostname-override', kind: 'string' },
  { name: 'node-ip', kind: 'string' },
  { name: 'node-labels', kind: 'string' },
  { name: 'register-with-taints', kind: 'string' },
  { name: 'cgroup-driver', kind: 'string' },
  { name: 'resolv-conf', kind: 'string' },
  { name: 'root-dir', kind: 'string' },
  { name: 'cert-dir', kind: 'string' },
  { name: 'runtime-cgroups', kind: 'string' },
  { name: 'fail-swap-on', kind: 'bool' },
  { name: 'healthz-port', kind: 'int' },
  { name: 'healthz-bind-address', kind: 'string' },
  { name: 'serialize-image-pulls', kind: 'bool' },
  { name: 'cluster-dns', kind: 'string' },
  { name: 'cluster-domain', kind: 'string' },
  { name: 'provider-id', kind: 'string' },
  { name: 'cloud-provider', kind: 'string' },
  // Other flags kubelets of every supported version take (many deprecated in favour of --config, still accepted);
  // the stand-in accepts and ignores them.
  ...[
    'address', 'anonymous-auth', 'authentication-token-webhook', 'authorization-mode', 'client-ca-file',
    'eviction-hard', 'feature-gates', 'image-gc-high-threshold', 'image-gc-low-threshold', 'kube-reserved',
    'system-reserved', 'max-pods', 'node-status-update-frequency', 'pod-cidr', 'port', 'read-only-port',
    'register-node', 'rotate-certificates', 'runtime-request-timeout', 'tls-cert-file', 'tls-private-key-file',
    'volume-plugin-dir', 'enforce-node-allocatable', 'cgroups-per-qos', 'protect-kernel-defaults', 'vmodule',
  ].map((name): VersionedFlag => ({
    name,
    kind: ['anonymous-auth', 'authentication-token-webhook', 'register-node', 'rotate-certificates', 'cgroups-per-qos', 'protect-kernel-defaults'].includes(name)
      ? 'bool'
      : 'string',
  })),
  { name: 'v', kind: 'int' },
  { name: 'version', kind: 'bool' },
  { name: 'help', aliases: ['h'], kind: 'bool' },
];

/** The flags a kubelet of this version knows; the full list when the version is not a semver (e.g. a lab "-lab" build). */
export function kubeletFlags(version: string): FlagSpec[] {
  const v = semver.coerce(version);
  return KUBELET_FLAGS.filter((f) => !f.versions || !v || semver.satisfies(v, f.versions));
}

export interface KubeletFlags {
  values: FlagValues;
  /** Flags given on the command line (they override the config file, as with the real kubelet). */
  given: Set<string>;
}

export function parseKubeletFlags(argv: string[], version: string): KubeletFlags {
  let parsed;
  try {
    parsed = parsePflag(argv, kubeletFlags(version));
  } catch (e) {
    throw new UsageError(`failed to parse kubelet flag: ${(e as Error).message}`);
  }
  if (parsed.args.length > 0) throw new UsageError(`unknown command "${parsed.args[0]}" for "kubelet"`);
  return { values: parsed.values, given: new Set(Object.keys(parsed.values)) };
}

export function kubeletHelp(version: string): string {
  return [
    'The kubelet is the primary "node agent" that runs on each node.',
    '',
    `This is the bootstrap e2e lab STAND-IN for kubelet ${version}: it runs static Pods from staticPodPath through CRI,`,
    'serves /healthz and, with --kubeconfig, bootstraps its client certificate, registers its Node, reports its status',
    'and renews its Lease. It creates no mirror pods.',
    '',
    'Usage:',
    '  kubelet [flags]',
    '',
    'Flags:',
    ...kubeletFlags(version).map((f) => `      --${f.name}${f.kind === 'bool' ? '' : ` ${f.kind}`}`),
    '',
  ].join('\n');
}
