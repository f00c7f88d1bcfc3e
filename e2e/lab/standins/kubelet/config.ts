/**
 * The kubelet's effective settings: the KubeletConfiguration file (--config) with command-line flags on top,
 * defaults as in kubelet.config.k8s.io/v1beta1 (pkg/kubelet/apis/config/v1beta1/defaults.go).
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parse as parseYaml } from 'yaml';
import { parseGoDuration, UsageError } from '../args.js';
import type { KubeletFlags } from './flags.js';
import { parseLabels, parseTaints, type Taint } from './node.js';

export interface KubeletSettings {
  nodeName: string;
  staticPodPath: string;
  fileCheckFrequencyMs: number;
  runtimeEndpoint: string;
  imageEndpoint: string;
  runtimeRequestTimeoutMs: number;
  serializeImagePulls: boolean;
  /** undefined = no limit (when serializeImagePulls is false). */
  maxParallelImagePulls?: number;
  healthzPort: number;
  healthzBindAddress: string;
  cgroupDriver: string;
  rootDir: string;
  /** podLogsDir (KubeletConfiguration field since v1.29; /var/log/pods before and by default). */
  podLogsDir: string;
  podInfraContainerImage?: string;
  kubeconfig?: string;
  bootstrapKubeconfig?: string;
  /** --cert-dir (default <root-dir>/pki). */
  certDir: string;
  /** The hostname the node reports (--hostname-override, lowercased). */
  hostname: string;
  nodeIP?: string;
  nodeLabels: Record<string, string>;
  registerNode: boolean;
  registerWithTaints: Taint[];
  rotateCertificates: boolean;
  nodeStatusUpdateFrequencyMs: number;
  nodeLeaseDurationSeconds: number;
  clusterDNS: string[];
  clusterDomain: string;
  maxPods: number;
  /** The kubelet's API port (port, default 10250): the Node's daemonEndpoints. */
  port: number;
}

const DEFAULT_RUNTIME_ENDPOINT = 'unix:///run/containerd/containerd.sock';

function readConfigFile(path: string): Record<string, unknown> {
  // Wording of the real kubelet (cmd/kubelet/app/server.go: loadConfigFile) so log readers recognise it.
  if (!existsSync(path)) {
    throw new UsageError(
      `failed to load kubelet config file, path: ${path}, error: failed to load Kubelet config file ${path}, error failed to read kubelet config file "${path}", error: open ${path}: no such file or directory`,
    );
  }
  const doc = parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
  if (!doc || doc.kind !== 'KubeletConfiguration') {
    throw new UsageError(`failed to load kubelet config file, path: ${path}, error: no kind "${String(doc?.kind ?? '')}" is registered; expected KubeletConfiguration`);
  }
  if (doc.apiVersion !== 'kubelet.config.k8s.io/v1beta1' && doc.apiVersion !== 'kubelet.config.k8s.io/v1') {
    throw new UsageError(`failed to load kubelet config file, path: ${path}, error: no kind "KubeletConfiguration" is registered for version "${String(doc.apiVersion)}"`);
  }
  return doc;
}

/**
 * A duration of the KubeletConfiguration, or its default when absent or zero: kubelet's v1beta1 defaulting
 * (SetDefaults_KubeletConfiguration) replaces a zero duration by the default, and kubeadm writes "0s" for every
 * duration it leaves unset (fileCheckFrequency: 0s means 20s, not a busy loop).
 */
function defaulted(value: string | undefined, fallback: string): number {
  const ms = value === undefined ? 0 : parseGoDuration(value);
  return ms > 0 ? ms : parseGoDuration(fallback);
}

export function kubeletSettings(flags: KubeletFlags): KubeletSettings {
  const f = flags.values;
  const file = typeof f.config === 'string' ? readConfigFile(f.config) : {};
  const str = (key: string): string | undefined => (typeof file[key] === 'string' ? (file[key] as string) : undefined);
  const num = (key: string): number | undefined => (typeof file[key] === 'number' ? (file[key] as number) : undefined);
  const bool = (key: string): boolean | undefined => (typeof file[key] === 'boolean' ? (file[key] as boolean) : undefined);
  const flag = <T>(name: string): T | undefined => (flags.given.has(name) ? (f[name] as T) : undefined);

  const serializeImagePulls = flag<boolean>('serialize-image-pulls') ?? bool('serializeImagePulls') ?? true;
  const maxParallel = num('maxParallelImagePulls');
  // kubelet pkg/kubelet/apis/config/validation/validation.go (v1.27+): the two checks on maxParallelImagePulls.
  if (maxParallel !== undefined && maxParallel < 1) {
    throw new UsageError(`invalid configuration: maxParallelImagePulls ${maxParallel} must be a positive number`);
  }
  if (serializeImagePulls && maxParallel !== undefined && maxParallel > 1) {
    throw new UsageError('invalid configuration: maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false');
  }
  const rootDir = flag<string>('root-dir') ?? '/var/lib/kubelet';
  const hostnameOverride = (flag<string>('hostname-override') ?? hostname()).toLowerCase();
  const fileTaints = Array.isArray(file.registerWithTaints) ? (file.registerWithTaints as Taint[]) : [];
  const flagTaints = flag<string>('register-with-taints');
  const nodeIP = flag<string>('node-ip')?.split(',')[0]?.trim();
  const runtimeEndpoint = flag<string>('container-runtime-endpoint') ?? str('containerRuntimeEndpoint') ?? DEFAULT_RUNTIME_ENDPOINT;
  return {
    nodeName: hostnameOverride,
    staticPodPath: flag<string>('pod-manifest-path') ?? str('staticPodPath') ?? '',
    fileCheckFrequencyMs: defaulted(str('fileCheckFrequency'), '20s'),
    runtimeEndpoint,
    imageEndpoint: flag<string>('image-service-endpoint') ?? str('imageServiceEndpoint') ?? runtimeEndpoint,
    runtimeRequestTimeoutMs: defaulted(str('runtimeRequestTimeout'), '2m'),
    serializeImagePulls,
    maxParallelImagePulls: serializeImagePulls ? 1 : maxParallel,
    healthzPort: flag<number>('healthz-port') ?? num('healthzPort') ?? 10248,
    healthzBindAddress: flag<string>('healthz-bind-address') ?? str('healthzBindAddress') ?? '127.0.0.1',
    cgroupDriver: flag<string>('cgroup-driver') ?? str('cgroupDriver') ?? 'cgroupfs',
    rootDir,
    podLogsDir: str('podLogsDir') ?? '/var/log/pods',
    podInfraContainerImage: flag<string>('pod-infra-container-image'),
    kubeconfig: flag<string>('kubeconfig'),
    bootstrapKubeconfig: flag<string>('bootstrap-kubeconfig'),
    certDir: flag<string>('cert-dir') ?? `${rootDir}/pki`,
    hostname: hostnameOverride,
    nodeIP: nodeIP || undefined,
    nodeLabels: parseLabels(flag<string>('node-labels')),
    registerNode: flag<boolean>('register-node') ?? bool('registerNode') ?? true,
    registerWithTaints: flagTaints !== undefined ? parseTaints(flagTaints) : fileTaints,
    rotateCertificates: flag<boolean>('rotate-certificates') ?? bool('rotateCertificates') ?? false,
    nodeStatusUpdateFrequencyMs: defaulted(flag<string>('node-status-update-frequency') ?? str('nodeStatusUpdateFrequency'), '10s'),
    nodeLeaseDurationSeconds: num('nodeLeaseDurationSeconds') ?? 40,
    clusterDNS: flag<string>('cluster-dns')?.split(',').filter(Boolean) ?? (Array.isArray(file.clusterDNS) ? (file.clusterDNS as string[]) : []),
    clusterDomain: flag<string>('cluster-domain') ?? str('clusterDomain') ?? '',
    maxPods: Number(flag<string>('max-pods') ?? num('maxPods') ?? 110),
    port: Number(flag<string>('port') ?? num('port') ?? 10250),
  };
}
