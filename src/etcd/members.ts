/**
 * etcd members as the v3 JSON gateway reports them, and the pure decisions made from them: the list a joining
 * member's --initial-cluster holds, and whether a member may be removed without losing the quorum.
 */
import type { EtcdMember } from '../manifests/index.js';

/**
 * etcdserverpb.Member (api/etcdserverpb/rpc.proto). The gateway writes uint64 fields as decimal strings and
 * leaves out fields at their zero value: a member that was added but never started has no name and no client URLs.
 */
export interface EtcdMemberInfo {
  /** The member ID in decimal, as the gateway writes it (etcdctl and kubeadm's logs print it in hex: memberIdHex). */
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
  isLearner: boolean;
}

/** An ID as etcdctl prints it and as kubeadm names a member that has no name yet (strconv.FormatUint(id, 16)). */
export function memberIdHex(id: string): string {
  return BigInt(id).toString(16);
}

/** Who a member is, for messages: its name (or hex ID when it has none yet) and its first peer URL. */
export function describeMember(m: EtcdMemberInfo): string {
  return `${m.name || memberIdHex(m.id)} (${m.peerURLs[0] ?? 'no peer URL'})`;
}

/** One member of a gateway answer; undefined when it is not one (no ID). */
export function parseMember(value: unknown): EtcdMemberInfo | undefined {
  const m = (value ?? {}) as Record<string, unknown>;
  const id = typeof m.ID === 'string' || typeof m.ID === 'number' ? String(m.ID) : '';
  if (!/^\d+$/.test(id)) return undefined;
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  return {
    id,
    name: typeof m.name === 'string' ? m.name : '',
    peerURLs: strings(m.peerURLs),
    clientURLs: strings(m.clientURLs),
    isLearner: m.isLearner === true,
  };
}

export function parseMembers(value: unknown): EtcdMemberInfo[] {
  return Array.isArray(value) ? value.map(parseMember).filter((m): m is EtcdMemberInfo => m !== undefined) : [];
}

/**
 * What a joining member's --initial-cluster lists, built as kubeadm's etcdutil addMember builds its answer
 * (cmd/kubeadm/app/util/etcd/etcd.go): every member in etcd's order; the one whose first peer URL is the new
 * member's gets the name given (it has none until it starts); any other without a name is named by its hex ID.
 */
export function initialClusterMembers(members: readonly EtcdMemberInfo[], name: string, peerURL: string): EtcdMember[] {
  return members.map((m) => {
    const first = m.peerURLs[0] ?? '';
    if (first === peerURL) return { name, peerURL };
    return { name: m.name || memberIdHex(m.id), peerURL: first };
  });
}

/** The numbers behind a removal decision, for the refusal's message and for tests. */
export interface RemovalQuorum {
  /** Voting members now, the one to remove included. */
  voters: number;
  /** Of them, those that answer now. */
  healthyVoters: number;
  /** Voting members after the removal, and how many of them answer. */
  remaining: number;
  healthyRemaining: number;
}

const majority = (n: number) => Math.floor(n / 2) + 1;

/**
 * Why removing member `id` would cost the cluster its quorum, or undefined when it may be removed. The rules are
 * etcd's own strict reconfiguration check (etcdserver/server.go mayRemoveMember and
 * etcdserver/api/membership/cluster.go IsReadyToRemoveVotingMember), applied with the health seen from here:
 *   - a learner never counts towards the quorum: it may always go;
 *   - the removal is a Raft entry of the current configuration, so a majority of the voters now must answer;
 *   - afterwards a majority of the remaining voters must answer (removing a healthy member of a 3-member cluster
 *     whose third member is down would leave 1 of 2);
 *   - the last voting member is never removed (kubeadm's reset skips it: RemoveStackedEtcdMemberFromCluster).
 */
export function removalRefusal(members: readonly EtcdMemberInfo[], healthy: ReadonlySet<string>, id: string): string | undefined {
  const target = members.find((m) => m.id === id);
  if (!target || target.isLearner) return undefined;
  const voters = members.filter((m) => !m.isLearner);
  const q: RemovalQuorum = {
    voters: voters.length,
    healthyVoters: voters.filter((m) => healthy.has(m.id)).length,
    remaining: voters.length - 1,
    healthyRemaining: voters.filter((m) => m.id !== id && healthy.has(m.id)).length,
  };
  const who = `member ${describeMember(target)}`;
  if (q.remaining === 0) return `${who} is the last voting member; removing it would leave no cluster`;
  if (q.healthyVoters < majority(q.voters)) {
    return (
      `only ${q.healthyVoters} of the ${q.voters} voting members answer, fewer than the ${majority(q.voters)} ` +
      `that must agree to remove ${who}: the cluster has already lost its quorum`
    );
  }
  if (q.healthyRemaining < majority(q.remaining)) {
    return (
      `removing ${who} would leave ${q.healthyRemaining} answering of ${q.remaining} voting members, ` +
      `fewer than the ${majority(q.remaining)} a quorum needs`
    );
  }
  return undefined;
}

/**
 * A host's member: the one named after it, else the one whose peer URL is the host's (a member added but never
 * started has no name yet). kubeadm's reset finds it by peer URL (etcdutil GetMemberID); the name is checked first
 * because a host whose advertise address changed since it joined still carries its name.
 */
export function findMember(members: readonly EtcdMemberInfo[], host: { name: string; peerURL: string }): EtcdMemberInfo | undefined {
  return members.find((m) => m.name === host.name) ?? members.find((m) => m.peerURLs.includes(host.peerURL));
}
