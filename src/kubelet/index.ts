/**
 * The files kubeadm leaves on a node for the kubelet: its configuration, the dynamic flags file and
 * the systemd drop-in that ties them together.
 */
import type { HostSpec, Inventory, RenderedFile } from '../inventory/types.js';
import type { PatchSet } from '../manifests/patches.js';
import { renderInstanceConfigYaml, renderKubeletConfigYaml } from './config.js';
import { KUBEADM_DROPIN, KUBEADM_DROPIN_PATH } from './dropin.js';
import { renderKubeadmFlagsEnv } from './flags.js';
import { inventoryVersion, KUBELET_FLAG_RULES, pick } from './versions.js';

export { SYSTEMD_RESOLVED_RESOLV_CONF, KubeletConfigError, buildKubeletConfiguration } from './config.js';
export { clusterDnsIp, DEFAULT_CLUSTER_DNS_IP } from './dns.js';
export { kubeletFlags } from './flags.js';
export { KUBEADM_DROPIN_PATH } from './dropin.js';
export { UnsupportedKubeletVersionError } from './versions.js';

/** kubeadm: constants.KubeletRunDirectory and the file names beneath it. */
export const KUBELET_CONFIG_PATH = '/var/lib/kubelet/config.yaml';
export const KUBELET_FLAGS_ENV_PATH = '/var/lib/kubelet/kubeadm-flags.env';
export const KUBELET_INSTANCE_CONFIG_PATH = '/var/lib/kubelet/instance-config.yaml';

export interface KubeletFileOptions {
  /** The host's runtime endpoint (detected, or from the inventory). */
  criSocket: string;
  /** Full pause image reference, e.g. registry.k8s.io/pause:3.9. */
  pauseImage: string;
  /** Set when systemd-resolved is active on the host, normally to SYSTEMD_RESOLVED_RESOLV_CONF. */
  resolvConf?: string;
  /** The host's own hostname, when known; decides --hostname-override as kubeadm does. */
  hostname?: string;
  /** The inventory's patch directory, loaded with loadPatches(); "kubeletconfiguration" patches apply (v1.25+). */
  patches?: PatchSet;
  /** Receives kubeadm's "[patches] Applied patch ..." lines. */
  log?: (line: string) => void;
}

/**
 * Renders the kubelet files for one host. The result is byte-stable: the same input always gives
 * the same files in the same order. Modes follow kubeadm (0644 for all of them; kubeadm writes
 * config.yaml, kubeadm-flags.env and instance-config.yaml with os.WriteFile(…, 0644)).
 */
export function renderKubeletFiles(inv: Inventory, host: HostSpec, opts: KubeletFileOptions): RenderedFile[] {
  const version = inventoryVersion(inv);
  const rule = pick(KUBELET_FLAG_RULES, version, 'The kubelet flags');
  const files: RenderedFile[] = [
    {
      path: KUBELET_CONFIG_PATH,
      content: renderKubeletConfigYaml(inv, {
        criSocket: opts.criSocket,
        resolvConf: opts.resolvConf,
        patches: opts.patches,
        log: opts.log,
      }),
      mode: 0o644,
    },
    {
      path: KUBELET_FLAGS_ENV_PATH,
      content: renderKubeadmFlagsEnv({
        kubernetesVersion: version,
        criSocket: opts.criSocket,
        pauseImage: opts.pauseImage,
        nodeName: host.name,
        hostname: opts.hostname,
      }),
      mode: 0o644,
    },
  ];
  if (rule.instanceConfig) {
    files.push({ path: KUBELET_INSTANCE_CONFIG_PATH, content: renderInstanceConfigYaml(opts.criSocket), mode: 0o644 });
  }
  files.push({ path: KUBEADM_DROPIN_PATH, content: KUBEADM_DROPIN, mode: 0o644 });
  return files;
}
