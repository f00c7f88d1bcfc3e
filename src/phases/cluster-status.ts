/**
 * The cluster part of `bootstrap status`, read through the first control plane's API server: every Node (Ready
 * or not and why, kubelet version, roles, whether the inventory knows it) and whether kubeadm's objects are there.
 * Reads only.
 */
import { describe, type ObjectRef } from '../api/client.js';
import { kubeletConfigMapName } from '../cluster/index.js';
import { clusterVersion } from '../kube/version.js';
import type { Phase } from '../pipeline/phase.js';
import { adminApi, isInitHost } from './cluster-api.js';
import { nodeState, type NodeState } from '../cluster/node-state.js';

export interface ClusterStatus {
  nodes: NodeState[];
  objects: { object: string; present: boolean }[];
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    'cluster-status': ClusterStatus;
  }
}

/** The objects whose presence says kubeadm's phases ran: one or two per phase. */
function expectedObjects(version: ReturnType<typeof clusterVersion>): ObjectRef[] {
  const cm = (namespace: string, name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
  return [
    cm('kube-system', 'kubeadm-config'),
    cm('kube-system', kubeletConfigMapName(version)),
    cm('kube-public', 'cluster-info'),
    cm('kube-system', 'coredns'),
    { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns' },
    { apiVersion: 'v1', kind: 'Service', namespace: 'kube-system', name: 'kube-dns' },
    cm('kube-system', 'kube-proxy'),
    { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: 'kube-system', name: 'kube-proxy' },
  ];
}

export const clusterStatusPhase: Phase = {
  name: 'cluster-status',
  title: 'cluster: Nodes and kubeadm\'s objects',
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    const api = await adminApi(ctx);
    const names = new Set(ctx.inv.hosts.map((x) => x.name));
    const nodes = (await api.list('v1', 'Node')).map((n) => nodeState(n, names)).sort((a, b) => a.name.localeCompare(b.name));
    const objects = [];
    for (const ref of expectedObjects(clusterVersion(ctx.inv))) objects.push({ object: describe(ref), present: (await api.get(ref)) !== undefined });
    h.results['cluster-status'] = { nodes, objects };
    task.progress(`${nodes.filter((n) => n.ready).length}/${nodes.length} Node(s) Ready`);
  },
};
