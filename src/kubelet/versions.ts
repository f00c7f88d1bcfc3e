/**
 * What kubeadm writes for the kubelet, per Kubernetes version: src/kube/table.ts tables, looked up with pick,
 * which reports a version no row covers as UnsupportedKubeletVersionError.
 */
import { defineTable, lookup, type Row } from '../kube/table.js';
import { clusterVersion, kubeVersion, SUPPORTED_MINORS, type KubeVersion, type VersionLike } from '../kube/version.js';
import type { Inventory } from '../inventory/types.js';
import { InputError } from '../util/errors.js';

export class UnsupportedKubeletVersionError extends InputError {
  override name = 'UnsupportedKubeletVersionError';
}

function notAVersion(text: string): UnsupportedKubeletVersionError {
  return new UnsupportedKubeletVersionError(`"${text}" is not a Kubernetes version (expected e.g. v1.28.4)`);
}

/** The inventory's Kubernetes version, or UnsupportedKubeletVersionError when it is not a version. */
export function inventoryVersion(inv: Inventory): KubeVersion {
  try {
    return clusterVersion(inv);
  } catch {
    throw notAVersion(inv.cluster.kubernetesVersion);
  }
}

/** The value of the table row for that Kubernetes version; `what` names the table in the error. */
export function pick<T>(table: readonly Row<T>[], kubernetesVersion: VersionLike, what: string): T {
  let version: KubeVersion;
  try {
    version = kubeVersion(kubernetesVersion);
  } catch {
    throw notAVersion(String(kubernetesVersion));
  }
  return lookup(
    table,
    version,
    (_, v) =>
      new UnsupportedKubeletVersionError(
        `${what} for Kubernetes ${v.text} is not known; supported versions are v${SUPPORTED_MINORS[0]} to v${SUPPORTED_MINORS.at(-1)}`,
      ),
  );
}

export { KUBELET_CONFIG_SHAPES, type KubeletConfigShape, type LoggingShape } from '../kube/kubelet-config-shapes.js';

/** How kubeadm passes the runtime and the pause image to the kubelet (cmd/kubeadm/app/phases/kubelet/flags.go). */
export interface KubeletFlagRule {
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

export const KUBELET_FLAG_RULES = defineTable<KubeletFlagRule>('the kubelet flags', [
  {
    range: '>=1.35.0',
    value: { dockershim: false, containerRuntimeRemote: false, containerRuntimeEndpointFlag: false, podInfraContainerImage: 'never', instanceConfig: true },
    // kubelet v1.35 removed the flag (#133779). NodeLocalCRISocket later went GA (#135742), so v1.36 and v1.37 keep this behaviour.
    source: 'cmd/kubeadm/app/phases/kubelet/flags.go stops passing --pod-infra-container-image (kubeadm v1.35, PR #133778)',
  },
  {
    range: '>=1.34.0 <1.35.0',
    value: { dockershim: false, containerRuntimeRemote: false, containerRuntimeEndpointFlag: false, podInfraContainerImage: 'always', instanceConfig: true },
    source: 'cmd/kubeadm/app/phases/kubelet/flags.go drops --container-runtime-endpoint with NodeLocalCRISocket, beta and on by default (kubeadm v1.34)',
  },
  {
    range: '>=1.26.0 <1.34.0',
    value: { dockershim: false, containerRuntimeRemote: false, containerRuntimeEndpointFlag: true, podInfraContainerImage: 'always', instanceConfig: false },
    source: 'cmd/kubeadm/app/phases/kubelet/flags.go no more --container-runtime=remote (kubeadm v1.26, PR #112000)',
  },
  {
    range: '>=1.24.0 <1.26.0',
    value: { dockershim: false, containerRuntimeRemote: true, containerRuntimeEndpointFlag: true, podInfraContainerImage: 'always', instanceConfig: false },
    // kubelet v1.24 removed dockershim.
    source: 'cmd/kubeadm/app/phases/kubelet/flags.go --container-runtime=remote for every runtime (kubeadm v1.24, PR #110022)',
  },
  {
    range: '>=1.21.0 <1.24.0',
    value: { dockershim: true, containerRuntimeRemote: true, containerRuntimeEndpointFlag: true, podInfraContainerImage: 'always', instanceConfig: false },
    source: 'cmd/kubeadm/app/phases/kubelet/flags.go --pod-infra-container-image for all runtimes, not only Docker (kubeadm v1.21, PR #99476)',
  },
  {
    range: '>=1.20.0 <1.21.0',
    value: { dockershim: true, containerRuntimeRemote: true, containerRuntimeEndpointFlag: true, podInfraContainerImage: 'dockershim-only', instanceConfig: false },
    source: 'cmd/kubeadm/app/phases/kubelet/flags.go buildKubeletArgMap (kubeadm v1.20)',
  },
]);

/** The cgroupDriver kubeadm writes into config.yaml when the user sets none (undefined: none, the kubelet's cgroupfs). */
export const DEFAULT_CGROUP_DRIVER = defineTable<'systemd' | undefined>('the default cgroup driver', [
  {
    range: '>=1.22.0',
    value: 'systemd',
    source: 'cmd/kubeadm/app/componentconfigs/kubelet.go Default() sets cgroupDriver systemd (kubeadm v1.22; kubernetes.io "Configuring a cgroup driver")',
  },
  { range: '>=1.20.0 <1.22.0', value: undefined, source: 'cmd/kubeadm/app/componentconfigs/kubelet.go Default() leaves cgroupDriver unset (kubeadm v1.20–v1.21)' },
]);

/** kubeadm v1.20–v1.23: constants.DefaultDockerCRISocket. */
export const DOCKERSHIM_SOCKETS: readonly string[] = ['/var/run/dockershim.sock', 'unix:///var/run/dockershim.sock'];
