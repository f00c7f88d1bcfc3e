/**
 * A pod's status as the kubelet reports it (pkg/kubelet/kubelet_pods.go: generateAPIPodStatus, getPhase,
 * convertToAPIContainerStatuses; pkg/kubelet/status/generate.go for the conditions; status_manager.go keeps a
 * condition's lastTransitionTime while its status is unchanged and sorts container statuses by name), built from
 * what the runtime says (worker.ts: observe). No readiness probes: a running container is ready.
 */
import type { Msg } from '../cri/client.js';
import type { Pod } from './pod.js';
import type { ContainerObservation, PodObservation } from './worker.js';
import { metaTime } from './node.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface StatusContext {
  /** The node's IP (status.hostIP). */
  hostIP: string;
  /** The kubelet's Kubernetes version: conditions and fields that came with later versions depend on it. */
  version: string;
  /** The status the API server has now: startTime and unchanged conditions' transition times are kept. */
  previous?: Obj;
  now?: Date;
}

function minorOf(version: string): number {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return m ? Number(m[1]) * 1000 + Number(m[2]) : 0;
}

const nanosTime = (nanos: unknown): string | undefined => {
  if (nanos === undefined || nanos === null || String(nanos) === '0') return undefined;
  return metaTime(new Date(Number(BigInt(String(nanos)) / 1_000_000n)));
};

function terminated(s: Msg): Obj {
  return {
    exitCode: s.exitCode ?? 0,
    ...(s.reason ? { reason: s.reason } : {}),
    ...(s.message ? { message: s.message } : {}),
    startedAt: nanosTime(s.startedAt) ?? null,
    finishedAt: nanosTime(s.finishedAt) ?? null,
    containerID: `containerd://${s.id}`,
  };
}

/** One entry of status.containerStatuses. */
export function containerStatus(image: string, c: ContainerObservation): Obj {
  const latest = c.latest;
  if (!latest) {
    return {
      name: c.name,
      state: { waiting: { reason: c.waiting?.reason ?? 'ContainerCreating', ...(c.waiting?.message ? { message: c.waiting.message } : {}) } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image,
      imageID: '',
      started: false,
    };
  }
  const running = latest.state === 'CONTAINER_RUNNING';
  const exited = latest.state === 'CONTAINER_EXITED';
  // An exited container waiting out its crash back-off shows as waiting, its exit as the last state.
  const waitingAfterExit = exited && c.waiting?.reason === 'CrashLoopBackOff';
  let state: Obj;
  if (running) state = { running: { startedAt: nanosTime(latest.startedAt) ?? null } };
  else if (waitingAfterExit) state = { waiting: { reason: c.waiting!.reason, message: c.waiting!.message } };
  else if (exited) state = { terminated: terminated(latest) };
  else state = { waiting: { reason: 'ContainerCreating' } };
  const last = waitingAfterExit ? latest : c.previous?.state === 'CONTAINER_EXITED' ? c.previous : undefined;
  return {
    name: c.name,
    state,
    lastState: last ? { terminated: terminated(last) } : {},
    ready: running,
    restartCount: Number(latest.metadata?.attempt ?? 0),
    image: (latest.image as Msg | undefined)?.image || image,
    imageID: latest.imageRef ?? '',
    containerID: `containerd://${latest.id}`,
    started: running,
  };
}

/** getPhase, for pods without init or sidecar containers. */
export function podPhase(restartPolicy: string, statuses: Obj[], expected: number): string {
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  const unknown = expected - statuses.length;
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** v1qos.GetPodQOS, simplified to what decides it for cpu and memory. */
export function qosClass(spec: Obj): string {
  const containers = (spec.containers ?? []) as Obj[];
  const all = containers.map((c) => ({ requests: (c.resources?.requests ?? {}) as Obj, limits: (c.resources?.limits ?? {}) as Obj }));
  if (all.every((r) => Object.keys(r.requests).length === 0 && Object.keys(r.limits).length === 0)) return 'BestEffort';
  const guaranteed = all.every((r) => ['cpu', 'memory'].every((k) => r.limits[k] !== undefined && (r.requests[k] === undefined || String(r.requests[k]) === String(r.limits[k]))));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** GenerateContainersReadyCondition / GeneratePodReadyCondition's status, reason and message. */
function readiness(type: string, pod: Pod, statuses: Obj[], phase: string): Obj {
  if (phase === 'Succeeded' || phase === 'Failed') return { type, status: 'False', reason: 'PodCompleted' };
  const unready = pod.containers.map((c) => c.name).filter((name) => !statuses.find((s) => s.name === name)?.ready);
  if (unready.length === 0) return { type, status: 'True' };
  return { type, status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
}

/** The status the kubelet sends for the pod (PATCH pods/<name>/status). */
export function podStatus(pod: Pod, spec: Obj, observed: PodObservation, ctx: StatusContext): Obj {
  const now = metaTime(ctx.now ?? new Date());
  const minor = minorOf(ctx.version);
  const statuses = pod.containers
    .map((c) => containerStatus(c.image, observed.containers.find((o) => o.name === c.name) ?? { name: c.name }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const phase = podPhase(pod.restartPolicy, statuses, pod.containers.length);
  const previousConditions = (ctx.previous?.conditions ?? []) as Obj[];
  const stamp = (c: Obj): Obj => {
    const before = previousConditions.find((p) => p.type === c.type);
    return { ...c, lastProbeTime: null, lastTransitionTime: before && before.status === c.status ? before.lastTransitionTime ?? now : now };
  };
  const sandboxReady = observed.sandbox?.ready === true;
  const conditions = [
    // PodReadyToStartContainersCondition: beta and on from v1.29.
    ...(minor >= 1029 ? [{ type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' }] : []),
    { type: 'Initialized', status: 'True' },
    readiness('Ready', pod, statuses, phase),
    readiness('ContainersReady', pod, statuses, phase),
    { type: 'PodScheduled', status: 'True' },
  ].map(stamp);
  const hostIPs = [{ ip: ctx.hostIP }];
  const podIPs = pod.hostNetwork ? [ctx.hostIP] : sandboxReady ? observed.sandbox!.ips : [];
  return {
    phase,
    conditions,
    hostIP: ctx.hostIP,
    // PodHostIPs: beta and on from v1.29.
    ...(minor >= 1029 ? { hostIPs } : {}),
    ...(podIPs.length > 0 ? { podIP: podIPs[0], podIPs: podIPs.map((ip) => ({ ip })) } : {}),
    startTime: ctx.previous?.startTime ?? now,
    containerStatuses: statuses,
    qosClass: qosClass(spec),
  };
}
