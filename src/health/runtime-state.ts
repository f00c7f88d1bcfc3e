/**
 * The container runtime's view of the static Pods, parsed from what one listing prints:
 *  - `crictl pods -o json` / `crictl ps -a -o json`: protojson of ListPodSandboxResponse ("items") and
 *    ListContainersResponse ("containers"), 64-bit integers as strings, enums by name
 *    (cri-tools cmd/crictl/util.go protobufObjectToJSON: protojson with EmitDefaultValues);
 *  - `docker ps -a --no-trunc --format '{{json .}}'` where the CRI socket is dockershim (before v1.24): one JSON
 *    object per line, containers named by the kubelet's dockershim as k8s_<container>_<pod>_<namespace>_<uid>_<attempt>,
 *    the sandbox's container being "POD" (pkg/kubelet/dockershim/naming.go).
 * Pure functions: the commands are in commands.ts.
 */
import { HostError } from '../util/errors.js';

export type SandboxState = 'ready' | 'notready';
export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface SandboxInfo {
  id: string;
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
  state: SandboxState;
  /** Nanoseconds since the epoch (0 when the tool does not say). */
  createdAt: bigint;
}

export interface ContainerInfo {
  id: string;
  podSandboxId: string;
  name: string;
  /** The kubelet's restart count of this container in its Pod (metadata.attempt). */
  attempt: number;
  state: ContainerState;
  createdAt: bigint;
  image: string;
  podName: string;
  podNamespace: string;
  /** Known from `docker ps` ("Exited (1) 3 seconds ago"); CRI listings need `crictl inspect`. */
  exitCode?: number;
}

export interface RuntimeState {
  sandboxes: SandboxInfo[];
  containers: ContainerInfo[];
}

export class RuntimeOutputError extends HostError {
  override name = 'RuntimeOutputError';
}

type Json = Record<string, unknown>;

function parseJson(text: string, what: string): Json {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
  } catch {
    // reported below
  }
  throw new RuntimeOutputError(`${what} did not print a JSON object: ${text.trim().slice(0, 200) || '(nothing)'}`);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : 0);
const nanos = (v: unknown): bigint => (typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : typeof v === 'number' ? BigInt(Math.trunc(v)) : 0n);
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

const CRI_CONTAINER_STATES: Record<string, ContainerState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
  CONTAINER_UNKNOWN: 'unknown',
};

/** `crictl pods -o json`. */
export function parseCrictlPods(text: string): SandboxInfo[] {
  return list(parseJson(text, 'crictl pods').items).map((item) => {
    const meta = obj(item.metadata);
    return {
      id: str(item.id),
      name: str(meta.name),
      namespace: str(meta.namespace),
      uid: str(meta.uid),
      attempt: num(meta.attempt),
      state: item.state === 'SANDBOX_READY' ? 'ready' : 'notready',
      createdAt: nanos(item.createdAt),
    };
  });
}

/** `crictl ps -a -o json`. */
export function parseCrictlContainers(text: string): ContainerInfo[] {
  return list(parseJson(text, 'crictl ps').containers).map((item) => {
    const meta = obj(item.metadata);
    const labels = obj(item.labels);
    return {
      id: str(item.id),
      podSandboxId: str(item.podSandboxId),
      name: str(meta.name),
      attempt: num(meta.attempt),
      state: CRI_CONTAINER_STATES[str(item.state)] ?? 'unknown',
      createdAt: nanos(item.createdAt),
      image: str(obj(item.image).image) || str(item.imageRef),
      podName: str(labels['io.kubernetes.pod.name']),
      podNamespace: str(labels['io.kubernetes.pod.namespace']),
    };
  });
}

/** k8s_<container>_<pod>_<namespace>_<uid>_<attempt>: names cannot hold "_" (DNS labels and subdomains). */
export function parseDockershimName(name: string): { container: string; pod: string; namespace: string; uid: string; attempt: number } | undefined {
  const parts = name.replace(/^\//, '').split('_');
  if (parts.length !== 6 || parts[0] !== 'k8s' || !/^\d+$/.test(parts[5]!)) return undefined;
  return { container: parts[1]!, pod: parts[2]!, namespace: parts[3]!, uid: parts[4]!, attempt: Number(parts[5]) };
}

/** docker's State ("running", "exited", "created"…), or its Status text on engines that print no State. */
function dockerState(state: string, status: string): ContainerState {
  const s = state || (/^Up\b/.test(status) ? 'running' : /^Exited\b/.test(status) ? 'exited' : /^Created\b/.test(status) ? 'created' : '');
  if (s === 'running' || s === 'restarting' || s === 'paused') return 'running';
  if (s === 'exited' || s === 'dead') return 'exited';
  if (s === 'created') return 'created';
  return 'unknown';
}

/** "2024-01-02 10:00:00 +0000 UTC" → nanoseconds. */
function dockerCreated(text: string): bigint {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ([+-]\d\d)(\d\d)/.exec(text);
  if (!m) return 0n;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
  return Number.isNaN(ms) ? 0n : BigInt(ms) * 1_000_000n;
}

/** `docker ps -a --no-trunc --format '{{json .}}'`: the kubelet's containers, sandboxes apart. */
export function parseDockerPs(text: string): RuntimeState {
  const sandboxes: SandboxInfo[] = [];
  const containers: (ContainerInfo & { uid: string })[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const row = parseJson(line, 'docker ps');
    const name = str(row.Names).split(',')[0] ?? '';
    const parsed = parseDockershimName(name);
    if (!parsed) continue;
    const state = dockerState(str(row.State), str(row.Status));
    const createdAt = dockerCreated(str(row.CreatedAt));
    if (parsed.container === 'POD') {
      sandboxes.push({
        id: str(row.ID),
        name: parsed.pod,
        namespace: parsed.namespace,
        uid: parsed.uid,
        attempt: parsed.attempt,
        state: state === 'running' ? 'ready' : 'notready',
        createdAt,
      });
      continue;
    }
    const exit = /^Exited \((-?\d+)\)/.exec(str(row.Status));
    containers.push({
      id: str(row.ID),
      podSandboxId: '',
      name: parsed.container,
      attempt: parsed.attempt,
      state,
      createdAt,
      image: str(row.Image),
      podName: parsed.pod,
      podNamespace: parsed.namespace,
      uid: parsed.uid,
      ...(exit ? { exitCode: Number(exit[1]) } : {}),
    });
  }
  // dockershim links a container to its Pod by UID, not by sandbox: take the Pod's newest sandbox.
  for (const c of containers) {
    const sandbox = newest(sandboxes.filter((s) => s.uid === c.uid && s.state === 'ready')) ?? newest(sandboxes.filter((s) => s.uid === c.uid));
    c.podSandboxId = sandbox?.id ?? '';
  }
  return { sandboxes, containers: containers.map(({ uid: _uid, ...c }) => c) };
}

function newest<T extends { createdAt: bigint; attempt: number }>(items: T[]): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (!best || item.createdAt > best.createdAt || (item.createdAt === best.createdAt && item.attempt > best.attempt)) best = item;
  }
  return best;
}

/** One static Pod as the runtime has it: its current sandbox and the newest instance of its container. */
export interface PodRuntime {
  sandbox?: SandboxInfo;
  container?: ContainerInfo;
}

/**
 * Finds the static Pod `podName` (kubelet names it <manifest name>-<node name>) in `namespace`: the ready
 * sandbox, else the newest; its newest `container` (a crash loop leaves exited attempts behind).
 */
export function findPod(state: RuntimeState, podName: string, namespace: string, container: string): PodRuntime {
  const mine = state.sandboxes.filter((s) => s.name === podName && s.namespace === namespace);
  const sandbox = newest(mine.filter((s) => s.state === 'ready')) ?? newest(mine);
  const candidates = state.containers.filter((c) => c.name === container);
  const inSandbox = sandbox ? candidates.filter((c) => c.podSandboxId === sandbox.id) : [];
  const ofPod = candidates.filter((c) => c.podName === podName && c.podNamespace === namespace);
  const found = newest(inSandbox.length ? inSandbox : ofPod);
  return { ...(sandbox ? { sandbox } : {}), ...(found ? { container: found } : {}) };
}

/** Why the runtime does not count the Pod as running, or undefined when sandbox and container run. */
export function runtimeProblem(pod: PodRuntime): string | undefined {
  if (!pod.sandbox) return 'pod not created';
  if (pod.sandbox.state !== 'ready') return 'pod sandbox not ready';
  const c = pod.container;
  if (!c) return 'container not created';
  if (c.state === 'running') return undefined;
  const exit = c.exitCode !== undefined ? ` with code ${c.exitCode}` : '';
  const restarts = c.attempt > 0 ? `, ${c.attempt} restart${c.attempt === 1 ? '' : 's'}` : '';
  if (c.state === 'exited') return `container exited${exit}${restarts}`;
  if (c.state === 'created') return `container created, not started${restarts}`;
  return `container state unknown${restarts}`;
}
