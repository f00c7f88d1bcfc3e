/**
 * `bootstrap status`: one round of the wait-control-plane checks on every host, without waiting and without
 * changing anything: is kubelet running, and is each control-plane component's Pod running and healthy; then the
 * cluster's Nodes and kubeadm's objects, and the etcd members.
 */
import type { Inventory } from '../inventory/types.js';
import { newContext, type ComponentStatus, type UpOptions } from '../pipeline/context.js';
import { runOnHosts } from '../pipeline/runner.js';
import { connectPhase } from '../phases/connect.js';
import { statusPhase } from '../phases/status.js';
import { clusterStatusPhase, type ClusterStatus } from '../phases/cluster-status.js';
import { etcdStatusPhase, type EtcdMemberStatus } from '../phases/etcd-status.js';

export interface HostStatus {
  name: string;
  address: string;
  roles: string[];
  reachable: boolean;
  error?: string;
  kubeletActive?: boolean;
  components: ComponentStatus[];
}

export interface StatusReport {
  ok: boolean;
  hosts: HostStatus[];
  /** Nodes and kubeadm's objects, read through the first control plane's API server; absent when it could not be read. */
  cluster?: ClusterStatus;
  /** The stacked etcd cluster's members, read through the first control plane; absent when they could not be read. */
  etcd?: { members: EtcdMemberStatus[] };
}

export async function statusOf(inv: Inventory, options: UpOptions = {}): Promise<StatusReport> {
  const ctx = newContext(inv, options);
  // etcd last: a host whose etcd cannot be read still gets its cluster part.
  await runOnHosts(ctx, [connectPhase, statusPhase, clusterStatusPhase, etcdStatusPhase]);
  const hosts = ctx.hosts.map((h) => ({
    name: h.spec.name,
    address: h.spec.address,
    roles: h.spec.roles,
    reachable: !!h.facts,
    error: h.error?.message,
    kubeletActive: h.facts?.kubeletActive,
    components: h.components,
  }));
  const ok = hosts.every((h) => !h.error && (h.roles.includes('control-plane') ? h.components.length > 0 && h.components.every((c) => c.healthy) : true));
  const cluster = ctx.hosts.map((h) => h.results['cluster-status']).find((c) => c !== undefined);
  const etcd = ctx.hosts.map((h) => h.results['etcd-status']).find((e) => e !== undefined);
  const etcdOk = etcd === undefined || etcd.members.every((m) => m.healthy);
  return { ok: ok && etcdOk, hosts, ...(cluster ? { cluster } : {}), ...(etcd ? { etcd } : {}) };
}
