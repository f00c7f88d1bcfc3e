/**
 * control-plane-join: the control-plane hosts after the first join it as `kubeadm join --control-plane` does
 * (src/cluster/control-plane-join.ts has the design and kubeadm's sources), ONE AT A TIME in inventory order: each
 * only once the one before it is a healthy etcd voter with a healthy control plane, because an etcd member that is
 * announced but not started counts against the quorum (going from one member to two, the cluster has none until
 * the second starts).
 *
 * On a host that joined already the same steps only bring its files up to date; its etcd.yaml keeps the
 * --initial-cluster it was started with (etcd reads it only when its data directory is empty, and rewriting the
 * manifest would restart the member for nothing). A host whose member exists but whose data directory is gone (a
 * reprovisioned machine) has its stale member removed and is added again.
 */
import { bootstrapKubeletConf, type BootstrapToken } from '../cluster/index.js';
import { etcdMemberAdd, joiningKubeletServer } from '../cluster/control-plane-join.js';
import { describeMember, EtcdLearnerNotReadyError, memberIdHex, type EtcdClient, type EtcdMemberInfo } from '../etcd/index.js';
import type { RenderedFile } from '../inventory/types.js';
import { KUBELET_CONFIG_PATH } from '../kubelet/index.js';
import { etcdClientUrl, etcdPeerUrl, type EtcdMember } from '../manifests/index.js';
import { factsOf, hostOf, isControlPlane, oncePerRun, waitTimeoutMs, type HostRun, type UpContext } from '../pipeline/context.js';
import { wet, type Phase, type PhaseTask } from '../pipeline/phase.js';
import { pkiProfileFor } from '../pki/index.js';
import { clusterVersion } from '../kube/version.js';
import { contentHash } from '../transport/host.js';
import { HostError } from '../util/errors.js';
import { joinToken } from './bootstrap-token.js';
import { adminApi, clusterCaPem, initHost, isInitHost, renderedText } from './cluster-api.js';
import { stackedEtcdClient } from './etcd-client.js';
import { plannedFiles, writeChanged, writePhaseFiles } from './files.js';
import { BOOTSTRAP_KUBELET_CONF, clusterKubeletConfig, discover, finishTlsBootstrap, refuseLiveNamesake } from './join.js';
import { KUBELET_CONF } from './kubelet-finalize.js';
import { KUBELET_INPUTS, restartKubelet } from './kubelet-start.js';
import { markControlPlanePhase } from './mark-control-plane.js';
import { POLL_MS, sleep } from './nodes.js';
import { waitHealthy } from './wait-control-plane.js';

export const ETCD_MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';

export class ControlPlaneJoinError extends HostError {
  override name = 'ControlPlaneJoinError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

export interface ControlPlaneJoinResult {
  /** True when this run made the host's etcd member (it was no member, or a stale one). */
  addedMember: boolean;
  /** The member's ID in hex, once known. */
  memberId?: string;
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    'control-plane-join': ControlPlaneJoinResult;
  }
}

const isJoiningControlPlane = (h: HostRun, ctx: UpContext) => isControlPlane(h) && !isInitHost(h, ctx);

/**
 * Runs `work` for `h` after every joining host before it has finished. Hosts reach this in inventory order (the
 * runner starts a phase's hosts in order), so the chain is that order. When one fails, those after it do not start:
 * their etcd member would join a cluster whose last change did not complete.
 */
export function inTurn(ctx: UpContext, h: HostRun, work: () => Promise<void>): Promise<void> {
  const key = 'control-plane-join:turn';
  const before = (ctx.shared.get(key) as Promise<string | undefined> | undefined) ?? Promise.resolve(undefined);
  const mine = before.then(async (failed) => {
    if (failed) throw new ControlPlaneJoinError(`${h.spec.name} did not join: ${failed} failed before it, and control planes join one at a time`);
    await work();
  });
  ctx.shared.set(key, before.then((failed) => mine.then(() => failed, () => failed ?? h.spec.name)));
  return mine;
}

/** The members an etcd.yaml's --initial-cluster lists ("cp1=https://…:2380,cp2=…"), or undefined. */
export function initialClusterOf(manifest: string | undefined): EtcdMember[] | undefined {
  const value = manifest && /--initial-cluster=(\S+)/.exec(manifest)?.[1];
  if (!value) return undefined;
  return value.split(',').map((entry) => {
    const at = entry.indexOf('=');
    return { name: entry.slice(0, at), peerURL: entry.slice(at + 1) };
  });
}

/** A control plane other than `h` whose connection carries the etcd and API calls: the first one, as kubeadm's discovery. */
function memberVia(ctx: UpContext, h: HostRun): HostRun {
  const first = initHost(ctx);
  if (!first || first === h || first.error || !first.host) {
    throw new ControlPlaneJoinError(`${h.spec.name} cannot join: the first control-plane host${first ? ` ${first.spec.name}` : ''} is not up in this run`);
  }
  return first;
}

/**
 * kubeadm's CheckLocalEtcdClusterStatus before a control plane joins: every member answers. The joining host's own
 * member is left out: bringing it back is what this run is for.
 */
async function requireHealthyMembers(client: EtcdClient, peerURL: string): Promise<EtcdMemberInfo[]> {
  const health = await client.clusterHealth();
  const down = health.filter((m) => !m.status && m.member.peerURLs[0] !== peerURL);
  if (down.length) {
    throw new ControlPlaneJoinError(
      `etcd is not healthy, so no control plane joins now: ${down.map((m) => `${describeMember(m.member)}: ${m.error}`).join('; ')}`,
    );
  }
  return health.map((m) => m.member);
}

/** Whether the host's etcd has data (its member directory), i.e. its member has run here. */
async function hasEtcdData(ctx: UpContext, h: HostRun): Promise<boolean> {
  const dir = `${ctx.inv.cluster.etcd.local.dataDir}/member`;
  const result = await hostOf(h).exec(['test', '-d', dir], { readOnly: true, sudo: true });
  return result.code === 0;
}

/**
 * kubeadm's MemberPromote: a learner that has not caught up with the leader is refused, and asked again every
 * 500 ms until it has (within the wait timeout).
 */
async function promote(ctx: UpContext, client: EtcdClient, id: string, started: number): Promise<void> {
  const deadline = started + waitTimeoutMs(ctx);
  for (;;) {
    try {
      await client.memberPromote(id);
      return;
    } catch (error) {
      if (!(error instanceof EtcdLearnerNotReadyError) || Date.now() >= deadline || ctx.options.signal?.aborted) throw error;
    }
    await sleep(500, ctx.options.signal);
  }
}

/** Writes `files` where the host's copy differs; returns the paths written. */
async function writeIfChanged(ctx: UpContext, h: HostRun, files: RenderedFile[]): Promise<string[]> {
  const found = await hostOf(h).hashFiles(files.map((f) => f.path));
  const changed = files.filter((f) => found.get(f.path) !== contentHash(f.content));
  if (changed.length) await wet(ctx, h, `write ${changed.map((f) => f.path).join(', ')}`, (host) => host.writeFiles(changed, { backupDir: ctx.backupDir }));
  return changed.map((f) => f.path);
}

/**
 * A dry run compares what a real run would write without asking the cluster: the kubelet configuration the first
 * control plane uploads (its own, rendered in this run), and for a member that runs already the --initial-cluster
 * its etcd.yaml has, which a real run keeps.
 */
async function dryRunJoin(ctx: UpContext, h: HostRun, task: PhaseTask): Promise<void> {
  const first = initHost(ctx);
  const clusterKubeletConfig = first && renderedText(first, KUBELET_CONFIG_PATH);
  const current = initialClusterOf((await hostOf(h).readFile(ETCD_MANIFEST))?.toString('utf8'));
  await plannedFiles(ctx, h, { ...(clusterKubeletConfig ? { clusterKubeletConfig } : {}), ...(current ? { etcdMembers: current } : {}) });
  for (const phase of ['certs', 'kubeconfig', 'control-plane', 'kubelet-start', 'etcd'] as const) await writeChanged(ctx, h, phase, task.progress);
  const joined = (await hostOf(h).hashFiles([KUBELET_CONF])).has(KUBELET_CONF);
  if (!joined) {
    const etcd = ctx.inv.cluster.etcd.external ? '' : `, add the etcd member ${h.spec.name} (${etcdPeerUrl(h.spec)})`;
    await wet(ctx, h, `write ${BOOTSTRAP_KUBELET_CONF}, start kubelet${etcd} and wait for ${etcd ? 'it and ' : ''}the control plane`, async () => undefined);
  }
  task.progress(joined ? 'joined already' : 'would join');
}

/** The stacked etcd's part of a join: the member added (unless it is there), etcd.yaml, promotion, a healthy cluster. */
async function joinEtcdMember(
  ctx: UpContext,
  h: HostRun,
  task: PhaseTask,
  { client, member, peerURL, kubeletConfig, result, changesMembership, started }: {
    client: EtcdClient;
    member: EtcdMemberInfo | undefined;
    peerURL: string;
    kubeletConfig: string;
    result: ControlPlaneJoinResult;
    changesMembership: boolean;
    started: number;
  },
): Promise<void> {
  if (!member) {
    const add = etcdMemberAdd(ctx.inv);
    task.progress(`adding etcd member ${h.spec.name} as a ${add}`);
    const initial = await wet(ctx, h, `add etcd member ${h.spec.name} (${peerURL}) as a ${add}`, () =>
      add === 'learner' ? client.addMemberAsLearner(h.spec.name, peerURL) : client.addMember(h.spec.name, peerURL),
    );
    await plannedFiles(ctx, h, { clusterKubeletConfig: kubeletConfig, ...(initial ? { etcdMembers: initial } : {}) });
    result.addedMember = true;
    h.changed.push(`added etcd member ${h.spec.name}`);
    if (initial) h.notes.push(`etcd member added as a ${add}; its --initial-cluster as etcd answered: ${initial.map((m) => `${m.name}=${m.peerURL}`).join(',')}`);
  }
  await writePhaseFiles(ctx, h, 'etcd', task.progress);
  // kubeadm's GetMemberID, and whether the member is a learner, from one member list.
  const self = (await client.memberList()).find((m) => m.peerURLs[0] === peerURL);
  if (!self) throw new ControlPlaneJoinError(`etcd lists no member with the peer URL ${peerURL} after ${h.spec.name}'s was added`);
  const id = self.id;
  result.memberId = memberIdHex(id);
  if (self.isLearner) {
    task.progress(`promoting etcd learner ${h.spec.name} once it has caught up`);
    await wet(ctx, h, `promote etcd member ${h.spec.name}`, () => promote(ctx, client, id, started));
  }
  if (changesMembership) {
    // kubeadm's WaitForClusterAvailable after a member joins, before the next host may change the membership. A
    // member that was there already is waited for with the rest of this host's control plane (waitHealthy).
    task.progress('waiting for every etcd member to be healthy');
    await client.waitForClusterAvailable({ retries: Math.max(2, Math.ceil(waitTimeoutMs(ctx) / POLL_MS)), intervalMs: POLL_MS, ...(ctx.options.signal ? { signal: ctx.options.signal } : {}) });
  }
}

async function joinControlPlane(ctx: UpContext, h: HostRun, task: PhaseTask): Promise<void> {
  if (ctx.options.dryRun) return dryRunJoin(ctx, h, task);
  const started = Date.now();
  const version = clusterVersion(ctx.inv);
  const peerURL = etcdPeerUrl(h.spec);
  // With an external etcd a joining control plane has no member to add (kubeadm join --control-plane runs its etcd
  // steps only for a local etcd: phases/join/controlplanejoin.go runEtcdPhase, "[control-plane-join] Using external
  // etcd - no local stacked instance added"): no etcd client, no membership check, no etcd.yaml.
  const stacked = ctx.inv.cluster.etcd.external === undefined;
  let client: EtcdClient | undefined;
  let member: EtcdMemberInfo | undefined;
  let hasData = false;
  let changesMembership = false;
  const result: ControlPlaneJoinResult = { addedMember: false };
  h.results['control-plane-join'] = result;
  if (stacked) {
    const via = memberVia(ctx, h);
    const others = ctx.hosts.filter((x) => isControlPlane(x) && x !== h).map((x) => etcdClientUrl(x.spec));
    client = await stackedEtcdClient(ctx, via, others);

    task.progress('checking the etcd cluster');
    hasData = await hasEtcdData(ctx, h);
    member = (await client.memberList()).find((m) => m.peerURLs[0] === peerURL);
    // Only a change of membership needs every other member to answer (kubeadm's join preflight); a host that is a
    // member already is brought up to date whatever the others do, so that a cluster with one member down converges.
    changesMembership = !member || !hasData;
    if (changesMembership) member = (await requireHealthyMembers(client, peerURL)).find((m) => m.peerURLs[0] === peerURL);
    if (member) result.memberId = memberIdHex(member.id);
    if (member && member.name && !hasData) {
      // A member that has run, but not from this disk: the machine was reprovisioned. Its old identity cannot come
      // back, so it goes (through the remaining members, refused if that would cost the quorum) and is added anew.
      const stale = member;
      const etcdClient = client;
      await wet(ctx, h, `remove the stale etcd member ${describeMember(stale)}: ${h.spec.name} has no etcd data`, () => etcdClient.removeMember(stale.id));
      h.changed.push(`removed etcd member ${memberIdHex(stale.id)} (stale)`);
      member = undefined;
    }
    if (!member && hasData) {
      throw new ControlPlaneJoinError(
        `${h.spec.name} has etcd data in ${ctx.inv.cluster.etcd.local.dataDir} but is no member of the cluster (removed?): ` +
          `its etcd would start as a member that no longer exists. Run \`bootstrap reset --hosts ${h.spec.name}\`, then up again`,
      );
    }
  }

  const api = await adminApi(ctx);
  const kubeletConfig = await clusterKubeletConfig(ctx, api);
  const current = hasData ? initialClusterOf((await hostOf(h).readFile(ETCD_MANIFEST))?.toString('utf8')) : undefined;
  await plannedFiles(ctx, h, { clusterKubeletConfig: kubeletConfig, ...(current ? { etcdMembers: current } : {}) });

  // control-plane-prepare: certificates, kubeconfigs and the control-plane manifests; etcd's comes after its member.
  for (const phase of ['certs', 'kubeconfig', 'control-plane'] as const) await writePhaseFiles(ctx, h, phase, task.progress);

  // kubelet-start: a host that has not joined gets the token's bootstrap kubeconfig and a TLS bootstrap.
  const joined = (await hostOf(h).hashFiles([KUBELET_CONF])).has(KUBELET_CONF);
  let token: BootstrapToken | undefined;
  const kubeletFiles = await writeChanged(ctx, h, 'kubelet-start', task.progress);
  if (!joined) {
    token = await joinToken(ctx);
    task.progress('discovering the cluster (cluster-info, CA pinned by its hash)');
    await oncePerRun(ctx, 'join:discovery', () => discover(ctx, token as BootstrapToken));
    await refuseLiveNamesake(h, api);
    const server = joiningKubeletServer(ctx.inv, h.spec);
    await writeIfChanged(ctx, h, [{ path: BOOTSTRAP_KUBELET_CONF, content: bootstrapKubeletConf(clusterCaPem(ctx), server, token, ctx.inv.cluster.clusterName), mode: 0o600 }]);
  }
  if (!joined || kubeletFiles.length || h.changed.some((p) => KUBELET_INPUTS.includes(p)) || !factsOf(h).kubeletActive) {
    await restartKubelet(ctx, h, joined ? 'its configuration changed' : 'to join');
  }
  // With ControlPlaneKubeletLocalMode (v1.33+) the kubelet talks to this host's own API server, which needs the local
  // etcd member first: kubeadm then waits for the TLS bootstrap after etcd (kubelet-wait-bootstrap).
  // An external etcd is there already, so the local API server can serve the TLS bootstrap at once.
  const localMode = pkiProfileFor(version).controlPlaneKubeletUsesLocalApiEndpoint && stacked;
  if (token && !localMode) {
    task.progress('waiting for the kubelet to perform the TLS Bootstrap');
    await finishTlsBootstrap(ctx, h, api, token, started);
  }

  // etcd: announce the member through the running members, then start it, then (learner) promote it.
  if (client) await joinEtcdMember(ctx, h, task, { client, member, peerURL, kubeletConfig, result, changesMembership, started });
  else task.progress('using external etcd - no local stacked instance added');

  if (token && localMode) {
    task.progress('waiting for the kubelet to perform the TLS Bootstrap');
    await finishTlsBootstrap(ctx, h, api, token, started);
  }
  if (token) h.changed.push(`joined Node/${h.spec.name} as a control plane`);

  await waitHealthy(ctx, h, task, { keepAdminKubeconfig: false });
  await markControlPlanePhase.run(ctx, h, task);
  if (token) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    h.notes.push(`joined the cluster as a control plane in ${seconds}s`);
    task.progress(`joined as a control plane in ${seconds}s`);
  }
}

export const controlPlaneJoinPhase: Phase = {
  name: 'control-plane-join',
  title: 'control-plane-join: further control planes join one at a time (kubeadm join --control-plane)',
  appliesTo: isJoiningControlPlane,
  run: (ctx, h, task) => inTurn(ctx, h, () => joinControlPlane(ctx, h, task)),
};
