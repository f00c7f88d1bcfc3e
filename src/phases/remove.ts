/**
 * `bootstrap remove`: one host out of the cluster, as a kubeadm user takes it out.
 *
 * A control-plane host H (cmd/kubeadm/app/cmd/phases/reset/removeetcdmember.go, then `kubectl delete node`):
 *   1. its stacked etcd member is removed through the REMAINING members' client API
 *      (phases/etcd/local.go RemoveStackedEtcdMemberFromCluster: GetMemberID by peer URL, then RemoveMember;
 *      a member that is already gone is fine), refused first when the cluster would lose its quorum;
 *   2. its Node is deleted through a remaining control plane's API server;
 *   3. H is reset as `bootstrap reset --hosts H` resets it (the same phase, phases/reset.ts).
 * A worker W (the documented `kubectl drain`, `kubeadm reset`, `kubectl delete node`):
 *   1. its Node is cordoned and its Pods evicted through the Eviction API (cluster/drain.ts says which),
 *      within the inventory's wait timeout;
 *   2. W is reset; 3. its Node is deleted.
 *
 * Everything is reached through ONE remaining control plane (`via`: the first other control-plane host, in
 * inventory order, that answered), over its SSH connection: never through H, which may be dead or reprovisioned.
 * When H cannot be reached, its member and Node are still removed and the report says H was not reset.
 * Every phase runs on H's run (so the report has one place for what was done to H) and changes the cluster only
 * through wetElsewhere(): a dry run reads and says what it would do.
 */
import { ApiError, type ApiClient, type ObjectRef } from '../api/client.js';
import { drainPlan, evictionApiVersion } from '../cluster/drain.js';
import { findMember, memberIdHex, removalRefusal, type EtcdClient, type EtcdMemberHealth, type EtcdMemberInfo } from '../etcd/index.js';
import { etcdClientUrl, etcdPeerUrl } from '../manifests/index.js';
import { isControlPlane, oncePerRun, waitTimeoutMs, type HostRun, type UpContext } from '../pipeline/context.js';
import { wetElsewhere, type Phase } from '../pipeline/phase.js';
import { HostError, interruption, isRetryable } from '../util/errors.js';
import { adminApiThrough } from './cluster-api.js';
import { connectPhase } from './connect.js';
import { stackedEtcdClient } from './etcd-client.js';
import { POLL_MS, sleep } from './nodes.js';
import { makeResetPhase, type ResetPhaseSettings } from './reset.js';

export class RemoveError extends HostError {
  override name = 'RemoveError';
  /** A failure while removing, else (category input) a removal refused before anything was changed. */
  constructor(message: string, override readonly category: 'input' | 'host' = 'host') {
    super(message);
  }
}

/** What the API must offer `remove`: ApiClient does; unit tests pass an in-memory one. */
export type NodeApi = Pick<ApiClient, 'get' | 'delete' | 'mergePatch' | 'podsOnNode' | 'evict'>;

export interface RemoveSettings {
  /** The inventory name of the host to remove. */
  target: string;
  reset?: ResetPhaseSettings;
  /** The API through `via`'s connection; adminApiThrough (admin.conf from the state directory) by default. */
  api?: (ctx: UpContext, via: HostRun) => Promise<NodeApi>;
}

/** An etcd member as the report shows it (IDs in hex, as etcdctl prints them). */
export interface RemoveMemberView {
  id: string;
  name: string;
  peerURL: string;
  learner: boolean;
  healthy: boolean;
  error?: string;
}

export interface RemoveResult {
  role: 'control-plane' | 'worker';
  /** The control plane through whose connection etcd and the API were reached. */
  via: string;
  /** Whether the host itself answered (and so can be reset). */
  reachable: boolean;
  /** Why it could not be reached. */
  unreachable?: string;
  etcd?: {
    /** The host's member when there was one (absent: already removed). */
    member?: RemoveMemberView;
    outcome: 'removed' | 'would-remove' | 'absent';
    /** The members before, with their health as seen through `via`. */
    before: RemoveMemberView[];
    /** The members after the removal, with their health (empty in a dry run). */
    after: RemoveMemberView[];
  };
  node: { found: boolean; outcome: 'deleted' | 'would-delete' | 'absent' | 'kept' };
  drain?: { cordoned: boolean; evicted: string[]; kept: string[] };
}

/** Why a host could not be reached by remove's connect: kept on every host's run. */
export interface UnreachableResult {
  error: string;
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    remove: RemoveResult;
    unreachable: UnreachableResult;
  }
}

const nodeRef = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Node', name });

function memberView(m: EtcdMemberInfo, health?: EtcdMemberHealth): RemoveMemberView {
  return {
    id: memberIdHex(m.id),
    name: m.name,
    peerURL: m.peerURLs[0] ?? '',
    learner: m.isLearner,
    healthy: health?.status !== undefined,
    ...(health?.error !== undefined ? { error: health.error } : {}),
  };
}

const healthView = (health: readonly EtcdMemberHealth[]) => health.map((x) => memberView(x.member, x));

const reachable = (h: HostRun) => h.host !== undefined && !h.error;

/** The target's removal record, set by the plan phase. */
function resultOf(h: HostRun): RemoveResult {
  const result = h.results.remove;
  if (!result) throw new Error(`${h.spec.name}: remove's plan did not run`);
  return result;
}

function viaOf(ctx: UpContext, h: HostRun): HostRun {
  const name = resultOf(h).via;
  const via = ctx.hosts.find((x) => x.spec.name === name);
  if (!via) throw new Error(`${name}: not in this run`);
  return via;
}

/**
 * connect, where a host that cannot be reached is not a failure: remove goes on without it (the leaving host may
 * be dead or reprovisioned, another control plane may be down). Why is kept on its run. An interrupt still stops.
 */
export const removeConnectPhase: Phase = {
  name: 'connect',
  title: connectPhase.title,
  appliesTo: () => true,
  async run(ctx, h, task) {
    try {
      await connectPhase.run(ctx, h, task);
    } catch (error) {
      if (interruption(ctx.options.signal)) throw error;
      await h.host?.close().catch(() => undefined);
      h.host = undefined;
      h.facts = undefined;
      const message = (error as Error).message;
      h.results.unreachable = { error: message };
      task.progress(`not reached: ${message.split('\n')[0]}`);
    }
  },
};

/**
 * The etcd client kubeadm's reset would build (etcdutil.NewFromCluster), as status and the control-plane join
 * build it (etcd-client.ts): `via`'s etcd/healthcheck-client certificate, through `via`'s connection, to the
 * REMAINING members' client URLs, `via`'s own first. One per run.
 */
function etcdThrough(ctx: UpContext, via: HostRun, leaving: HostRun): Promise<EtcdClient> {
  return oncePerRun(ctx, `etcd:${via.spec.name}`, () => {
    const remaining = [via, ...ctx.hosts.filter((x) => isControlPlane(x) && x !== via && x !== leaving)];
    return stackedEtcdClient(ctx, via, remaining.map((x) => etcdClientUrl(x.spec)));
  });
}

function apiThrough(ctx: UpContext, settings: RemoveSettings, via: HostRun): Promise<NodeApi> {
  return settings.api ? oncePerRun(ctx, `test-api:${via.spec.name}`, () => settings.api!(ctx, via)) : adminApiThrough(ctx, via);
}

const isTarget = (settings: RemoveSettings) => (h: HostRun) => h.spec.name === settings.target;

/**
 * Looks before anything changes: chooses `via`, finds the host's etcd member and checks the quorum (refused with
 * the numbers), and whether its Node exists. A refusal fails the run before any change (haltOnFailure).
 */
function planPhase(settings: RemoveSettings): Phase {
  return {
    name: 'remove-plan',
    title: 'remove: find the host\'s etcd member and Node through another control plane',
    appliesTo: isTarget(settings),
    haltOnFailure: () => true,
    async run(ctx, h, task) {
      const name = h.spec.name;
      const others = ctx.hosts.filter((x) => isControlPlane(x) && x !== h);
      if (others.length === 0) throw new RemoveError(lastControlPlane(name), 'input');
      // A control plane whose kubelet runs, before one that answers SSH but was reset (an earlier remove of a host
      // still in the inventory): its API server and etcd member are gone.
      const via = others.find((x) => reachable(x) && x.facts?.kubeletActive) ?? others.find(reachable);
      if (!via) {
        const why = others.map((x) => `${x.spec.name}: ${(x.results.unreachable?.error ?? x.error?.message ?? 'not reached').split('\n')[0]}`);
        throw new RemoveError(`no other control plane could be reached to remove ${name} through (${why.join('; ')}); nothing was changed`);
      }
      const unreachable = h.results.unreachable?.error;
      const result: RemoveResult = {
        role: isControlPlane(h) ? 'control-plane' : 'worker',
        via: via.spec.name,
        reachable: reachable(h),
        ...(unreachable !== undefined ? { unreachable } : {}),
        node: { found: false, outcome: 'absent' },
      };
      h.results.remove = result;
      if (unreachable !== undefined) {
        h.warnings.push(`${name} could not be reached (${unreachable.split('\n')[0]}): it is taken out of the cluster, but the host itself is not reset`);
      }
      if (isControlPlane(h)) {
        task.progress(`etcd members through ${via.spec.name}`);
        const client = await etcdThrough(ctx, via, h);
        const health = await client.clusterHealth();
        const members = health.map((x) => x.member);
        const member = findMember(members, { name, peerURL: etcdPeerUrl(h.spec) });
        result.etcd = {
          ...(member ? { member: memberView(member, health.find((x) => x.member === member)) } : {}),
          outcome: 'absent',
          before: healthView(health),
          after: [],
        };
        if (member) {
          const refusal = removalRefusal(members, new Set(health.filter((x) => x.status).map((x) => x.member.id)), member.id);
          if (refusal) throw new RemoveError(`refusing to remove ${name}: ${refusal}; nothing was changed`, 'input');
        }
      }
      task.progress(`Node ${name} through ${via.spec.name}'s API server`);
      const api = await apiThrough(ctx, settings, via);
      result.node.found = (await api.get(nodeRef(name))) !== undefined;
      task.progress(`through ${via.spec.name}: etcd member ${result.etcd ? (result.etcd.member ? 'found' : 'already gone') : 'none (worker)'}, Node ${result.node.found ? 'found' : 'already gone'}`);
    },
  };
}

export function lastControlPlane(name: string): string {
  return `refusing to remove ${name}: it is the last control-plane host, so its etcd member is the cluster's last one; ` +
    'removing it would leave no cluster (bootstrap reset undoes the whole cluster)';
}

/** kubeadm's RemoveStackedEtcdMemberFromCluster, through `via`; then the members that remain, with their health. */
function etcdMemberPhase(settings: RemoveSettings): Phase {
  return {
    name: 'remove-etcd-member',
    title: 'remove-etcd-member: remove the host\'s etcd member through the remaining members',
    appliesTo: (h) => isTarget(settings)(h) && isControlPlane(h),
    haltOnFailure: () => true,
    async run(ctx, h, task) {
      const result = resultOf(h);
      const etcd = result.etcd!;
      const via = viaOf(ctx, h);
      const client = await etcdThrough(ctx, via, h);
      const member = etcd.member;
      if (!member) {
        h.notes.push(`etcd: no member named ${h.spec.name} or with peer URL ${etcdPeerUrl(h.spec)}: already removed`);
        task.progress('no member: already removed');
        return;
      }
      await wetElsewhere(ctx, h, `remove etcd member ${member.name || member.id} (ID ${member.id}, ${member.peerURL}) through ${via.spec.name}`, async () => {
        // The client checks the quorum again, with the health of this moment, and takes a member gone meanwhile as
        // removed. etcd itself refuses ("unhealthy cluster", retryable) until every other voter has been connected
        // for 5 s (server.go mayRemoveMember, HealthInterval): kubeadm's RemoveMember polls for that.
        await untilDeadline(ctx, ETCD_API_CALL_TIMEOUT_MS, (error) => task.progress(`etcd: ${error.message}; trying again`), () =>
          client.removeMember(BigInt(`0x${member.id}`).toString()),
        );
      });
      if (ctx.options.dryRun) {
        etcd.outcome = 'would-remove';
        return;
      }
      etcd.outcome = 'removed';
      etcd.after = healthView(await client.clusterHealth());
      const down = etcd.after.filter((m) => !m.healthy);
      if (down.length) h.warnings.push(`etcd: ${down.length} of the ${etcd.after.length} remaining member(s) do not answer: ${down.map((m) => `${m.name || m.id}: ${m.error ?? ''}`).join('; ')}`);
      task.progress(`removed; ${etcd.after.length - down.length}/${etcd.after.length} remaining member(s) healthy`);
    },
  };
}

/** kubeadm's constants.EtcdAPICallTimeout and EtcdAPICallRetryInterval: how long, and how often, a membership call is tried. */
const ETCD_API_CALL_TIMEOUT_MS = 2 * 60_000;
const ETCD_API_CALL_RETRY_MS = 500;

/** `call` again after each retryable failure (util/errors isRetryable), until it succeeds or the time is up. */
async function untilDeadline<T>(ctx: UpContext, timeoutMs: number, onRetry: (error: Error) => void, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryable(error) || Date.now() >= deadline || ctx.options.signal?.aborted) throw error;
      onRetry(error as Error);
      await sleep(ETCD_API_CALL_RETRY_MS, ctx.options.signal);
    }
  }
}

/** kubectl drain: cordon, then evict every Pod that may be evicted, until none is left or the wait timeout passes. */
function drainPhase(settings: RemoveSettings): Phase {
  return {
    name: 'drain',
    title: 'drain: cordon the Node and evict its Pods',
    appliesTo: isTarget(settings),
    haltOnFailure: () => true,
    async run(ctx, h, task) {
      const result = resultOf(h);
      const name = h.spec.name;
      if (!result.node.found) {
        h.notes.push(`Node ${name} is not in the cluster: nothing to drain`);
        return;
      }
      const api = await apiThrough(ctx, settings, viaOf(ctx, h));
      await wetElsewhere(ctx, h, `cordon Node ${name}`, () => api.mergePatch(nodeRef(name), { spec: { unschedulable: true } }));
      const plan = drainPlan(await api.podsOnNode(name));
      const drain = (result.drain = { cordoned: !ctx.options.dryRun, evicted: [] as string[], kept: plan.kept });
      const ids = plan.evict.map((p) => `${p.namespace}/${p.name}`);
      if (ids.length === 0) return task.progress('no Pod to evict');
      await wetElsewhere(ctx, h, `evict ${ids.length} Pod(s) from Node ${name}: ${ids.join(', ')}`, async () => {
        drain.evicted = await evictAll(ctx, api, name, plan.evict, result.reachable, task.progress);
      });
      if (!result.reachable) h.notes.push(`${name} is not reached, so its kubelet cannot confirm that its Pods stopped: they go once its Node is deleted`);
    },
  };
}

/**
 * Asks for each Pod's eviction and waits until none of them is on the Node any more, asking again for those a
 * PodDisruptionBudget refused (429), until the wait timeout. Returns the Pods evicted. On a Node whose host is not
 * reached, waiting for the Pods to go would wait for a kubelet that is not there: every eviction accepted is enough
 * (the Pods' replacements start elsewhere; the Pods themselves go with the Node).
 */
async function evictAll(
  ctx: UpContext,
  api: NodeApi,
  node: string,
  pods: { namespace: string; name: string }[],
  kubeletThere: boolean,
  progress: (line: string) => void,
): Promise<string[]> {
  const id = (p: { namespace: string; name: string }) => `${p.namespace}/${p.name}`;
  const timeoutMs = waitTimeoutMs(ctx);
  const deadline = Date.now() + timeoutMs;
  const asked = new Set<string>();
  let refused = new Map<string, string>();
  for (;;) {
    refused = new Map();
    for (const pod of pods.filter((p) => !asked.has(id(p)))) {
      try {
        await api.evict(pod.namespace, pod.name, evictionApiVersion(ctx.inv));
        asked.add(id(pod));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) asked.add(id(pod));
        else if (error instanceof ApiError && error.status === 429) refused.set(id(pod), error.message);
        else throw error;
      }
    }
    const wanted = new Set(pods.map(id).filter((p) => kubeletThere || !asked.has(p)));
    const left = (await api.podsOnNode(node)).map((p) => `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`).filter((p) => wanted.has(p));
    if (left.length === 0) return pods.map(id);
    progress(`${pods.length - left.length}/${pods.length} Pod(s) gone`);
    if (Date.now() >= deadline || ctx.options.signal?.aborted) {
      const why = left.map((p) => (refused.has(p) ? `${p} (eviction refused: ${refused.get(p)})` : `${p} (still terminating)`));
      throw new RemoveError(`Node ${node}: ${left.length} Pod(s) still there after ${Math.round(timeoutMs / 1000)}s: ${why.join(', ')}; ` +
        'the Node stays cordoned and nothing else was changed (run remove again, or raise wait.timeout)');
    }
    await sleep(POLL_MS, ctx.options.signal);
  }
}

/** kubectl delete node, through `via`'s API server. */
function deleteNodePhase(settings: RemoveSettings): Phase {
  return {
    name: 'delete-node',
    title: 'delete-node: delete the host\'s Node object',
    appliesTo: isTarget(settings),
    haltOnFailure: () => true,
    async run(ctx, h, task) {
      const result = resultOf(h);
      const name = h.spec.name;
      const via = viaOf(ctx, h);
      if (ctx.options.dryRun && !result.node.found) {
        result.node.outcome = 'absent';
        return task.progress(`Node ${name} is not in the cluster`);
      }
      const api = await apiThrough(ctx, settings, via);
      // Asked even when the plan found none: a kubelet still running may have registered it again since.
      const existed = await wetElsewhere(ctx, h, `delete Node ${name} through ${via.spec.name}'s API server`, () => api.delete(nodeRef(name)));
      result.node.outcome = ctx.options.dryRun ? 'would-delete' : existed ? 'deleted' : 'absent';
      if (!ctx.options.dryRun && !existed) h.notes.push(`Node ${name} was already gone`);
      task.progress(`Node ${name}: ${result.node.outcome}`);
    },
  };
}

/** The reset of `bootstrap reset --hosts H` (phases/reset.ts), on the leaving host only, when it answered. */
function resetPhase(settings: RemoveSettings): Phase {
  const reset = makeResetPhase(settings.reset);
  return { ...reset, appliesTo: (h) => isTarget(settings)(h) && reachable(h), haltOnFailure: () => true };
}

/**
 * The phases in the order a kubeadm user goes: a control plane loses its member, then its Node, then is reset; a
 * worker is drained, reset, then loses its Node (so that its kubelet, stopped, cannot register it again).
 */
export function removePhases(role: 'control-plane' | 'worker', settings: RemoveSettings): Phase[] {
  const head = [removeConnectPhase, planPhase(settings)];
  if (role === 'control-plane') return [...head, etcdMemberPhase(settings), deleteNodePhase(settings), resetPhase(settings)];
  return [...head, drainPhase(settings), resetPhase(settings), deleteNodePhase(settings)];
}
