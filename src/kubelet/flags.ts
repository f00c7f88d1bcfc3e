import { DOCKERSHIM_SOCKETS, KUBELET_FLAG_RULES, pick } from './versions.js';
import { kubeVersion, type VersionLike } from '../kube/version.js';
import { KubeletConfigError } from './config.js';

export interface KubeletFlagOptions {
  kubernetesVersion: VersionLike;
  criSocket: string;
  pauseImage: string;
  /** The node name kubeadm registers (HostSpec.name). */
  nodeName: string;
  /**
   * The host's own hostname, when known. kubeadm passes --hostname-override only when the node name differs
   * from it (flags.go GetNodeNameAndHostname; the hostname is lowercased as nodeutil.GetHostname does).
   */
  hostname?: string;
}

/**
 * The flags kubeadm writes into /var/lib/kubelet/kubeadm-flags.env, as name → value.
 * kubeadm never writes --node-ip or --cgroup-driver here for remote runtimes; those belong to
 * kubeletExtraArgs or the KubeletConfiguration.
 */
export function kubeletFlags(opts: KubeletFlagOptions): Map<string, string> {
  const rule = pick(KUBELET_FLAG_RULES, opts.kubernetesVersion, 'The kubelet flags');
  const version = kubeVersion(opts.kubernetesVersion);
  const flags = new Map<string, string>();
  const isDockershim = DOCKERSHIM_SOCKETS.includes(opts.criSocket);
  if (isDockershim && !rule.dockershim) {
    throw new KubeletConfigError(
      `criSocket ${opts.criSocket} is dockershim, which the kubelet of Kubernetes ${version.text} no longer has; ` +
        'use a CRI runtime such as unix:///run/containerd/containerd.sock or unix:///var/run/cri-dockerd.sock',
    );
  }
  if (isDockershim) {
    // flags.go (v1.20–v1.23): "These flags should only be set when running docker".
    flags.set('network-plugin', 'cni');
  } else {
    if (rule.containerRuntimeRemote) flags.set('container-runtime', 'remote');
    if (rule.containerRuntimeEndpointFlag) flags.set('container-runtime-endpoint', opts.criSocket);
  }
  const pause =
    rule.podInfraContainerImage === 'always' || (rule.podInfraContainerImage === 'dockershim-only' && isDockershim);
  if (pause && opts.pauseImage !== '') flags.set('pod-infra-container-image', opts.pauseImage);
  if (opts.hostname !== undefined) {
    const hostname = opts.hostname.trim().toLowerCase();
    if (hostname !== opts.nodeName) flags.set('hostname-override', opts.nodeName);
  }
  return flags;
}

/**
 * The file's text: kubeadm sorts the flags by name (util.BuildArgumentListFromMap / ArgumentsToCommand),
 * joins them with spaces and writes `KUBELET_KUBEADM_ARGS=%q` plus a newline.
 */
export function renderKubeadmFlagsEnv(opts: KubeletFlagOptions): string {
  const flags = kubeletFlags(opts);
  const args = [...flags.keys()].sort().map((name) => `--${name}=${flags.get(name) ?? ''}`);
  return `KUBELET_KUBEADM_ARGS=${goQuote(args.join(' '))}\n`;
}

/** Go's %q for the printable ASCII that flag values consist of; anything else is escaped as JSON does. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}
