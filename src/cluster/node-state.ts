/** A Node as `kubectl get nodes` sums it up: Ready or not and why, roles, kubelet version. */
import type { KubeObject } from './objects.js';

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The Node's Ready condition. */
export function readyCondition(node: KubeObject): NodeCondition | undefined {
  const status = node.status as { conditions?: NodeCondition[] } | undefined;
  return status?.conditions?.find((c) => c.type === 'Ready');
}

export interface NodeState {
  name: string;
  ready: boolean;
  reason?: string;
  message?: string;
  kubeletVersion?: string;
  roles: string[];
  inInventory: boolean;
}

export function nodeState(node: KubeObject, inventory: ReadonlySet<string>): NodeState {
  const ready = readyCondition(node);
  const labels = (node.metadata.labels ?? {}) as Record<string, string>;
  const roles = Object.keys(labels)
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length))
    .sort();
  const info = (node.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo;
  return {
    name: node.metadata.name,
    ready: ready?.status === 'True',
    ...(ready?.reason ? { reason: ready.reason } : {}),
    ...(ready?.message ? { message: ready.message } : {}),
    ...(info?.kubeletVersion ? { kubeletVersion: info.kubeletVersion } : {}),
    roles,
    inInventory: inventory.has(node.metadata.name),
  };
}

/** One line per Node: "w1 NotReady (KubeletNotReady: container runtime network not ready…)". */
export function nodeLine(n: NodeState): string {
  const why = n.ready ? '' : ` (${[n.reason, n.message].filter(Boolean).join(': ') || 'no Ready condition yet'})`;
  return `${n.name} ${n.ready ? 'Ready' : 'NotReady'}${n.roles.length ? ` [${n.roles.join(',')}]` : ''}${n.kubeletVersion ? ` ${n.kubeletVersion}` : ''}${n.inInventory ? '' : ' — not in the inventory'}${why}`;
}

