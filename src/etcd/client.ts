/**
 * The etcd membership calls kubeadm makes for stacked etcd (cmd/kubeadm/app/util/etcd/etcd.go, named after its
 * methods), through the JSON gateway (gateway.ts). Each call is one attempt: kubeadm's retries (its EtcdAPICall
 * timeout) belong to the phase, which retries what is marked retryable (util/retry.ts), a learner not yet in
 * sync included. The credentials stay in a private field: printing or serialising a client shows no key.
 */
import type { EtcdMember } from '../manifests/index.js';
import { retry } from '../util/retry.js';
import { EtcdApiError, EtcdError, EtcdMemberNotFoundError, EtcdQuorumError, EtcdUnhealthyError, EtcdUnreachableError, GRPC_CODE } from './errors.js';
import { directConnector, gatewayPost, type EtcdConnector, type EtcdTls } from './gateway.js';
import { describeMember, initialClusterMembers, memberIdHex, parseMembers, removalRefusal, type EtcdMemberInfo } from './members.js';

export interface EtcdClientOptions {
  /** Client URLs of running members (https://<advertise address>:2379), tried in order. */
  endpoints: readonly string[];
  tls: EtcdTls;
  /** How connections are made: directly by default; hostConnector(host) goes through a host's SSH connection. */
  connect?: EtcdConnector;
  /** Per call; kubeadm's etcdTimeout is 2 s, more is allowed here for a tunnel. Default 5 s. */
  timeoutMs?: number;
}

/** etcdserverpb.StatusResponse of one endpoint (POST /v3/maintenance/status). */
export interface EtcdStatus {
  endpoint: string;
  /** The answering member's ID (header.member_id), decimal. */
  memberId: string;
  /** The member it believes leads, decimal; "0" when it knows none. */
  leader: string;
  raftIndex: string;
  raftTerm: string;
  version: string;
  isLearner: boolean;
  /** Alarms and health problems the member reports (etcd 3.4+). */
  errors: string[];
}

/** A member and what its first client URL answered: a status, or why none. */
export interface EtcdMemberHealth {
  member: EtcdMemberInfo;
  status?: EtcdStatus;
  error?: string;
}

const str = (v: unknown, zero = '0') => (typeof v === 'string' || typeof v === 'number' ? String(v) : zero);

export class EtcdClient {
  readonly endpoints: readonly string[];
  readonly #tls: EtcdTls;
  readonly #connect: EtcdConnector;
  readonly #timeoutMs: number;

  constructor(options: EtcdClientOptions) {
    if (options.endpoints.length === 0) throw new EtcdError('client', '(none)', 'no endpoint given');
    this.endpoints = [...options.endpoints];
    this.#tls = options.tls;
    this.#connect = options.connect ?? directConnector;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Never the credentials. */
  toJSON(): object {
    return { endpoints: this.endpoints };
  }

  /** One call to one endpoint. */
  private post(operation: string, endpoint: string, path: string, body: object): Promise<Record<string, unknown>> {
    return gatewayPost({ operation, endpoint, path, body, tls: this.#tls, connect: this.#connect, timeoutMs: this.#timeoutMs });
  }

  /**
   * One call to the cluster: the endpoints in order, moving on only where nothing can have been applied — the
   * endpoint was not reached, or it is a learner, which etcd 3.4 serves nothing but Status and serializable reads
   * (etcdserver/api/v3rpc/interceptor.go isRPCSupportedForLearner; "rpc not supported for learner").
   */
  private async cluster(operation: string, path: string, body: object): Promise<Record<string, unknown>> {
    let last: unknown;
    for (const endpoint of this.endpoints) {
      try {
        return await this.post(operation, endpoint, path, body);
      } catch (error) {
        const learner = error instanceof EtcdApiError && /not supported for learner/.test(error.etcdMessage);
        if (!(error instanceof EtcdUnreachableError) && !learner) throw error;
        last = error;
      }
    }
    throw last;
  }

  /** MemberList. Newer etcd has a "linearizable" request field; left out, the answer is the member's view, as in 3.4. */
  async memberList(): Promise<EtcdMemberInfo[]> {
    return parseMembers((await this.cluster('MemberList', '/v3/cluster/member/list', {})).members);
  }

  /** kubeadm's AddMember: the members --initial-cluster must hold, the new one named `name`. */
  addMember(name: string, peerURL: string): Promise<EtcdMember[]> {
    return this.add(name, peerURL, false);
  }

  /** kubeadm's AddMemberAsLearner (etcd 3.4+: MemberAddRequest.isLearner). */
  addMemberAsLearner(name: string, peerURL: string): Promise<EtcdMember[]> {
    return this.add(name, peerURL, true);
  }

  /**
   * As kubeadm's addMember: a member whose first peer URL is already `peerURL` is not added again (a re-run
   * after announcing it and failing before starting it), nor when etcd answers that the peer URL exists.
   */
  private async add(name: string, peerURL: string, isLearner: boolean): Promise<EtcdMember[]> {
    const operation = isLearner ? 'MemberAddAsLearner' : 'MemberAdd';
    try {
      const url = new URL(peerURL);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`scheme ${url.protocol}`);
    } catch (error) {
      throw new EtcdError(operation, this.endpoints[0]!, `not a peer URL: ${peerURL} (${(error as Error).message})`);
    }
    let members = await this.memberList();
    if (!members.some((m) => m.peerURLs[0] === peerURL)) {
      try {
        const body = await this.cluster(operation, '/v3/cluster/member/add', { peerURLs: [peerURL], ...(isLearner ? { isLearner: true } : {}) });
        members = parseMembers(body.members);
      } catch (error) {
        // etcd's ErrGRPCPeerURLExist: an earlier attempt got through after all.
        if (!(error instanceof EtcdApiError && /Peer URLs already exists/.test(error.etcdMessage))) throw error;
        members = await this.memberList();
      }
    }
    return initialClusterMembers(members, name, peerURL);
  }

  /**
   * MemberPromote: the learner becomes a voter. One attempt; etcd refuses a learner that is behind with
   * EtcdLearnerNotReadyError (retryable), which kubeadm's MemberPromote retries. A member that already votes is
   * left as it is, as kubeadm does. Returns the members after it.
   */
  async memberPromote(id: string): Promise<EtcdMemberInfo[]> {
    const members = await this.memberList();
    const member = members.find((m) => m.id === id);
    if (!member) throw new EtcdMemberNotFoundError('MemberPromote', this.endpoints[0]!, `no member has the ID ${memberIdHex(id)}`);
    if (!member.isLearner) return members;
    return parseMembers((await this.cluster('MemberPromote', '/v3/cluster/member/promote', { ID: id })).members);
  }

  /** kubeadm's GetMemberID: the ID of the member whose first peer URL is `peerURL`. */
  async getMemberID(peerURL: string): Promise<string> {
    const member = (await this.memberList()).find((m) => m.peerURLs[0] === peerURL);
    if (!member) throw new EtcdMemberNotFoundError('GetMemberID', this.endpoints[0]!, `no member has the peer URL ${peerURL}`);
    return member.id;
  }

  /**
   * kubeadm's RemoveMember, refused first when the cluster would lose its quorum (members.ts removalRefusal, with
   * every member's health as clusterHealth sees it). A member already gone is not an error (kubeadm: "assuming it
   * was already removed"). Returns the members that remain, as --initial-cluster entries.
   */
  async removeMember(id: string): Promise<EtcdMember[]> {
    const health = await this.clusterHealth();
    const members = health.map((h) => h.member);
    if (members.some((m) => m.id === id)) {
      const refusal = removalRefusal(members, new Set(health.filter((h) => h.status).map((h) => h.member.id)), id);
      if (refusal) throw new EtcdQuorumError('MemberRemove', this.endpoints[0]!, refusal);
      try {
        await this.cluster('MemberRemove', '/v3/cluster/member/remove', { ID: id });
      } catch (error) {
        // etcd's ErrGRPCMemberNotFound: removed meanwhile.
        if (!(error instanceof EtcdApiError && error.code === GRPC_CODE.NOT_FOUND)) throw error;
      }
    }
    return (await this.memberList()).map((m) => ({ name: m.name || memberIdHex(m.id), peerURL: m.peerURLs[0] ?? '' }));
  }

  /** Maintenance Status of one endpoint, whatever the client's endpoints are (a learner answers it too). */
  async status(endpoint: string): Promise<EtcdStatus> {
    const body = await this.post('Status', endpoint, '/v3/maintenance/status', {});
    const header = (body.header ?? {}) as Record<string, unknown>;
    return {
      endpoint,
      memberId: str(header.member_id),
      leader: str(body.leader),
      raftIndex: str(body.raftIndex),
      raftTerm: str(body.raftTerm),
      version: str(body.version, ''),
      isLearner: body.isLearner === true,
      errors: Array.isArray(body.errors) ? body.errors.map(String) : [],
    };
  }

  /**
   * Every member and its Status, asked at its first client URL, in parallel: what `status` shows (ID, name, peer
   * URL, leader, learner, health). A member without a client URL has never started.
   */
  async clusterHealth(): Promise<EtcdMemberHealth[]> {
    const members = await this.memberList();
    return Promise.all(
      members.map(async (member): Promise<EtcdMemberHealth> => {
        const endpoint = member.clientURLs[0];
        if (!endpoint) return { member, error: 'not started (no client URL yet)' };
        try {
          return { member, status: await this.status(endpoint) };
        } catch (error) {
          return { member, error: (error as Error).message };
        }
      }),
    );
  }

  /** kubeadm's CheckClusterHealth: every member answers its Status; else which do not, and why. */
  async checkClusterHealth(): Promise<EtcdMemberHealth[]> {
    const health = await this.clusterHealth();
    const down = health.filter((h) => !h.status);
    if (down.length > 0) {
      const list = down.map((h) => `${describeMember(h.member)}: ${h.error}`).join('; ');
      throw new EtcdUnhealthyError('Status', this.endpoints.join(','), `${down.length} of ${health.length} members do not answer: ${list}`, { retryable: true });
    }
    return health;
  }

  /**
   * kubeadm's WaitForClusterAvailable (the join waits 8 tries, 5 s apart: constants.EtcdHealthyCheckRetries and
   * EtcdHealthyCheckInterval): checkClusterHealth until it passes; the last failure when it never does.
   */
  waitForClusterAvailable(options: { retries?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<EtcdMemberHealth[]> {
    const interval = options.intervalMs ?? 5000;
    return retry(() => this.checkClusterHealth(), { attempts: options.retries ?? 8, firstDelayMs: interval, maxDelayMs: interval, signal: options.signal });
  }
}
