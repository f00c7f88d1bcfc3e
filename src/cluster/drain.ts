/**
 * Which Pods draining a Node evicts, decided as `kubectl drain --ignore-daemonsets --delete-emptydir-data --force`
 * decides (k8s.io/kubectl/pkg/drain/filters.go): a mirror Pod (the API's copy of a static Pod, which kubelet
 * owns and the API cannot remove) and a Pod a DaemonSet controls (its controller would put it straight back, and
 * it ignores the unschedulable mark) stay; every other Pod is evicted, finished ones included. Pure: the API
 * calls are the phase's.
 */
import type { Inventory } from '../inventory/types.js';
import { defineTable, lookup } from '../kube/table.js';
import { clusterVersion } from '../kube/version.js';
import type { KubeObject } from './objects.js';

/** The Eviction kubectl drain posts to pods/<name>/eviction: policy/v1 from v1.22, policy/v1beta1 before. */
export const EVICTION_API_VERSION = defineTable<string>('the API version of an Eviction', [
  {
    range: '>=1.22.0',
    value: 'policy/v1',
    source: 'staging/src/k8s.io/kubectl/pkg/drain/drain.go EvictPod and CheckEvictionSupport (kubectl v1.22): policy/v1 where the ' +
      'server serves it; the Eviction API is GA in Kubernetes v1.22 (CHANGELOG/CHANGELOG-1.22.md)',
  },
  {
    range: '>=1.20.0 <1.22.0',
    value: 'policy/v1beta1',
    source: 'staging/src/k8s.io/kubectl/pkg/drain/drain.go EvictPod (kubectl v1.20, v1.21): policy/v1beta1, the only Eviction version served before v1.22',
  },
]);

export function evictionApiVersion(inv: Inventory): string {
  return lookup(EVICTION_API_VERSION, clusterVersion(inv));
}

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
