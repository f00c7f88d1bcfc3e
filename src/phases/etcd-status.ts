/**
 * The etcd part of `bootstrap status`: every member of the stacked etcd cluster (ID, name, peer URL, learner or
 * voter), which one leads, and whether each answers, read through the first control plane's SSH connection with
 * the etcd/healthcheck-client certificate kubeadm makes for exactly this (what its etcd probes use). Reads only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EtcdClient, hostConnector, memberIdHex } from '../etcd/index.js';
import { etcdClientUrl } from '../manifests/index.js';
import { hostOf, isControlPlane } from '../pipeline/context.js';
import type { Phase } from '../pipeline/phase.js';
import { hostPkiDir } from '../pki/index.js';
import { isInitHost } from './cluster-api.js';

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
    const pki = hostPkiDir(ctx.inv.stateDir, h.spec.name);
    const [caPem, certPem, keyPem] = await Promise.all([
      readFile(join(ctx.inv.stateDir, 'pki', 'etcd', 'ca.crt'), 'utf8'),
      readFile(join(pki, 'etcd', 'healthcheck-client.crt'), 'utf8'),
      readFile(join(pki, 'etcd', 'healthcheck-client.key'), 'utf8'),
    ]);
    const endpoints = ctx.hosts.filter(isControlPlane).map((x) => etcdClientUrl(x.spec));
    const client = new EtcdClient({ endpoints, tls: { caPem, certPem, keyPem }, connect: hostConnector(hostOf(h)) });
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
