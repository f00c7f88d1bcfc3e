/**
 * Which Pods draining a Node evicts, decided as `kubectl drain --ignore-daemonsets --delete-emptydir-data --force`
 * decides (k8s.io/kubectl/pkg/drain/filters.go): a mirror Pod (the API's copy of a static Pod, which kubelet
 * owns and the API cannot remove) and a Pod a DaemonSet controls (its controller would put it straight back, and
 * it ignores the unschedulable mark) stay; every other Pod is evicted, finished ones included. Pure: the API
 * calls are the phase's.
 */
import type { KubeObject } from './objects.js';

/** kubelet's annotation on a mirror Pod (k8s.io/kubernetes/pkg/kubelet/types ConfigMirrorAnnotationKey). */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface DrainPlan {
  /** "namespace/name" of each Pod to evict, with its namespace and name apart. */
  evict: { namespace: string; name: string }[];
  /** "namespace/name (why)" of each Pod left alone. */
  kept: string[];
}

interface OwnerReference {
  kind?: string;
  controller?: boolean;
}

export function drainPlan(pods: readonly KubeObject[]): DrainPlan {
  const plan: DrainPlan = { evict: [], kept: [] };
  for (const pod of pods) {
    const { name, namespace = 'default', annotations = {} } = pod.metadata;
    const owners = ((pod.metadata as { ownerReferences?: OwnerReference[] }).ownerReferences ?? []).filter((o) => o.controller);
    const id = `${namespace}/${name}`;
    if (MIRROR_POD_ANNOTATION in annotations) plan.kept.push(`${id} (static Pod)`);
    else if (owners.some((o) => o.kind === 'DaemonSet')) plan.kept.push(`${id} (DaemonSet)`);
    else plan.evict.push({ namespace, name });
  }
  return plan;
}
