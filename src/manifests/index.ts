/**
 * kubeadm's control-plane static Pod manifests (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler) for every Kubernetes minor from v1.20 to the newest kubeadm release, rendered from the
 * per-version data in templates/manifests/static-pods.yaml.
 */
import type { HostSpec, Inventory, RenderedFile } from '../inventory/types.js';
import { CONTROL_PLANE_COMPONENTS, type ControlPlaneComponent } from './data.js';
import { renderStaticPods, type StaticPodOptions } from './pods.js';
import { podToYaml } from './yaml.js';
import { KUBERNETES_DIR } from './context.js';

export type { ControlPlaneComponent } from './data.js';
export { CONTROL_PLANE_COMPONENTS } from './data.js';
export { renderStaticPods, type StaticPod, type StaticPodOptions } from './pods.js';
export { podToYaml } from './yaml.js';
export { ManifestError } from './errors.js';
export { DEBIAN_CA_DIRECTORIES } from './volumes.js';
export type { EtcdMember } from './context.js';
export { etcdClientUrl, etcdPeerUrl, initialCluster, stackedEtcdMembers } from './context.js';

/** kubeadm's constants.ManifestsSubDirName under KubernetesDir. */
export const MANIFESTS_DIR = `${KUBERNETES_DIR}/manifests`;

/** WriteStaticPodToDisk writes every manifest with mode 0600, in every supported release. */
export const MANIFEST_FILE_MODE = 0o600;

/** Rewrites a Pod before it is serialised (kubeadm's --patches run at this point). */
export type StaticPodPatch = (component: ControlPlaneComponent, pod: object) => object;

/** /etc/kubernetes/manifests/<component>.yaml for the control-plane components, etcd first (none with an external etcd). */
export function renderStaticPodFiles(
  inv: Inventory,
  host: HostSpec,
  images: Readonly<Record<ControlPlaneComponent, string>>,
  patch?: StaticPodPatch,
  options?: StaticPodOptions,
): RenderedFile[] {
  const pods = renderStaticPods(inv, host, images, options);
  return CONTROL_PLANE_COMPONENTS.filter((component) => pods.has(component)).map((component) => {
    const pod = pods.get(component) as object;
    return {
      path: `${MANIFESTS_DIR}/${component}.yaml`,
      content: podToYaml(patch ? patch(component, pod) : pod),
      mode: MANIFEST_FILE_MODE,
    };
  });
}
