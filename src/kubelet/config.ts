import path from 'node:path/posix';
import type { Inventory } from '../inventory/types.js';
import { clusterDnsIp } from './dns.js';
import { applyPatches, knownPatchTargets, type PatchSet } from '../manifests/patches.js';
import { DEFAULT_CGROUP_DRIVER, inventoryVersion, KUBELET_CONFIG_SHAPES, KUBELET_FLAG_RULES, pick, type KubeletConfigShape } from './versions.js';
import { toKubeYaml } from './yaml.js';
import { InputError } from '../util/errors.js';

/** kubeadm: componentconfigs/kubelet.go kubeletSystemdResolverConfig, used when systemd-resolved is active. */
export const SYSTEMD_RESOLVED_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';

/** kubeadm: constants.KubeletHealthzPort and componentconfigs/kubelet.go kubeletHealthzBindAddress. */
const HEALTHZ_PORT = 10248;
const HEALTHZ_BIND_ADDRESS = '127.0.0.1';
/** kubeadm: apis/kubeadm/v1beta*: DefaultManifestsDir. */
const STATIC_POD_PATH = '/etc/kubernetes/manifests';

export class KubeletConfigError extends InputError {
  override name = 'KubeletConfigError';
}

export interface KubeletConfigOptions {
  criSocket: string;
  /** Set when systemd-resolved is active on the host (kubeadm checks this on the node itself). */
  resolvConf?: string;
  /** The inventory's patch directory, loaded; its "kubeletconfiguration" patches apply from v1.25 on. */
  patches?: PatchSet;
  /** Receives kubeadm's "[patches] Applied patch ..." lines. */
  log?: (line: string) => void;
}

/**
 * The KubeletConfiguration object kubeadm marshals into /var/lib/kubelet/config.yaml: only the fields
 * kubeadm's Default() sets (componentconfigs/kubelet.go, unchanged in substance from v1.20 to v1.37), the
 * inventory's kubelet settings, and the zero values Go still serializes for that kubelet API version.
 * kubeadm does not run the kubelet's own defaulting, so e.g. syncFrequency stays "0s" here and the kubelet
 * fills it in when it loads the file.
 */
export function buildKubeletConfiguration(inv: Inventory, opts: KubeletConfigOptions): Record<string, unknown> {
  const version = inventoryVersion(inv);
  const shape = pick(KUBELET_CONFIG_SHAPES, version, 'The KubeletConfiguration layout');
  const flags = pick(KUBELET_FLAG_RULES, version, 'The kubelet flags');
  const k = inv.kubelet;

  if (k.maxParallelImagePulls !== undefined) {
    if (!shape.maxParallelImagePulls) {
      throw new KubeletConfigError(
        `kubelet.maxParallelImagePulls needs Kubernetes v1.27 or newer (the kubelet of ${version.text} has no such field)`,
      );
    }
    if (!Number.isInteger(k.maxParallelImagePulls) || k.maxParallelImagePulls < 1) {
      throw new KubeletConfigError(`kubelet.maxParallelImagePulls must be a whole number of at least 1, got ${k.maxParallelImagePulls}`);
    }
    // The kubelet rejects this combination at start-up (pkg/kubelet/apis/config/validation).
    if (k.serializeImagePulls && k.maxParallelImagePulls !== 1) {
      throw new KubeletConfigError('kubelet.maxParallelImagePulls must be 1 (or unset) while kubelet.serializeImagePulls is true');
    }
  }

  const cfg: Record<string, unknown> = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    authentication: {
      anonymous: { enabled: false },
      webhook: { cacheTTL: '0s', enabled: true },
      x509: { clientCAFile: path.join(inv.cluster.certificatesDir, 'ca.crt') },
    },
    authorization: {
      mode: 'Webhook',
      webhook: { cacheAuthorizedTTL: '0s', cacheUnauthorizedTTL: '0s' },
    },
    cgroupDriver: k.cgroupDriver ?? pick(DEFAULT_CGROUP_DRIVER, version, 'The default cgroup driver'),
    clusterDNS: [clusterDnsIp(inv.cluster.networking.serviceSubnet)],
    healthzBindAddress: HEALTHZ_BIND_ADDRESS,
    healthzPort: HEALTHZ_PORT,
    rotateCertificates: true,
    staticPodPath: STATIC_POD_PATH,
    serializeImagePulls: k.serializeImagePulls,
    registryPullQPS: k.registryPullQPS,
  };
  // clusterDomain and registryBurst are plain Go values with omitempty: "" and 0 are not written.
  if (inv.cluster.networking.dnsDomain !== '') cfg.clusterDomain = inv.cluster.networking.dnsDomain;
  if (k.registryBurst !== 0) cfg.registryBurst = k.registryBurst;
  if (k.maxParallelImagePulls !== undefined) cfg.maxParallelImagePulls = k.maxParallelImagePulls;
  if (opts.resolvConf !== undefined && opts.resolvConf !== '') cfg.resolvConf = opts.resolvConf;

  addZeroValues(cfg, shape);
  if (shape.containerRuntimeEndpointField) cfg.containerRuntimeEndpoint = '';

  // phases/kubelet/config.go WriteConfigToDisk: the user's patches first, then (NodeLocalCRISocket)
  // instance-config.yaml is merged in as one more strategic merge patch.
  let result = cfg;
  if (opts.patches && knownPatchTargets(version).includes('kubeletconfiguration')) {
    result = applyPatches(opts.patches, 'kubeletconfiguration', cfg, opts.log) as Record<string, unknown>;
  }
  if (flags.instanceConfig) result.containerRuntimeEndpoint = opts.criSocket;
  return result;
}

function addZeroValues(cfg: Record<string, unknown>, shape: KubeletConfigShape): void {
  for (const field of shape.durations) cfg[field] = '0s';
  for (const field of shape.emptyStructs) cfg[field] = {};
  cfg.logging = loggingZero(shape.logging);
}

function loggingZero(kind: KubeletConfigShape['logging']): Record<string, unknown> {
  if (kind === 'empty') return {};
  // flushFrequency is a time.Duration (later TimeOrMetaDuration) written as the integer 0;
  // infoBufferSize is a resource.QuantityValue whose zero value marshals as the string "0".
  const options: Record<string, unknown> = { json: { infoBufferSize: '0' } };
  if (kind === 'json+text') options.text = { infoBufferSize: '0' };
  return { flushFrequency: 0, options, verbosity: 0 };
}

/** /var/lib/kubelet/config.yaml as kubeadm writes it (keys sorted, as sigs.k8s.io/yaml does). */
export function renderKubeletConfigYaml(inv: Inventory, opts: KubeletConfigOptions): string {
  return toKubeYaml(buildKubeletConfiguration(inv, opts));
}

/**
 * /var/lib/kubelet/instance-config.yaml (kubeadm v1.34+, NodeLocalCRISocket): phases/kubelet/config.go
 * WriteInstanceConfigToDisk formats it with Go's %q, i.e. a double-quoted string.
 */
export function renderInstanceConfigYaml(criSocket: string): string {
  return `containerRuntimeEndpoint: ${JSON.stringify(criSocket)}\n`;
}
