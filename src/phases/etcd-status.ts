/**
 * The etcd part of `bootstrap status`: every member of the etcd cluster (ID, name, peer URL, learner or voter),
 * which one leads, and whether each answers, read through the first control plane's SSH connection. A stacked etcd
 * is asked with the etcd/healthcheck-client certificate kubeadm makes for exactly this (what its etcd probes use);
 * an external one (cluster.etcd.external) at its endpoints with the inventory's client certificate, the one the
 * API server uses, since bootstrap has no other. Reads only.
 */
import { memberIdHex } from '../etcd/index.js';
import type { Phase } from '../pipeline/phase.js';
import { isInitHost } from './cluster-api.js';
import { stackedEtcdClient } from './etcd-client.js';
import { externalEtcdClient } from './external-etcd.js';

export interface EtcdMemberStatus {
  /** In hex, as etcdctl and kubeadm print it. */
  id: string;
  name: string;
  peerURL: string;
  /** Empty for a member added but not started yet. */
  clientURL: string;
  learner: boolean;
  leader: boolean;
  healthy: boolean;
  /** Why it is not healthy. */
  error?: string;
}

export interface EtcdStatusResult {
  members: EtcdMemberStatus[];
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    'etcd-status': EtcdStatusResult;
  }
}

export const etcdStatusPhase: Phase = {
  name: 'etcd-status',
  title: 'etcd: members, leader and health',
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    const client = (await externalEtcdClient(ctx, h)) ?? (await stackedEtcdClient(ctx, h));
    const health = await client.clusterHealth();
    const leader = health.find((m) => m.status && m.status.leader !== '0')?.status?.leader;
    const members = health.map(({ member, status, error }): EtcdMemberStatus => ({
      id: memberIdHex(member.id),
      name: member.name,
      peerURL: member.peerURLs[0] ?? '',
      clientURL: member.clientURLs[0] ?? '',
      learner: member.isLearner,
      leader: member.id === leader,
      healthy: status !== undefined,
      ...(error !== undefined ? { error } : {}),
    }));
    h.results['etcd-status'] = { members };
    task.progress(`${members.filter((m) => m.healthy).length}/${members.length} etcd member(s) healthy`);
  },
};
