/**
 * What crictl and docker print, parsed. Pure functions: the commands that produce the output are built in
 * cri-commands.ts.
 *
 *  - `crictl pods -o json` / `crictl ps -a -o json` / `crictl images -o json`: protojson of the CRI
 *    ListPodSandboxResponse ("items"), ListContainersResponse ("containers") and ListImagesResponse ("images"),
 *    64-bit integers as strings, enums by name (cri-tools cmd/crictl/util.go protobufObjectToJSON: protojson
 *    with EmitDefaultValues, so empty lists print as [] and unset messages as null).
 *  - `crictl inspect ID`: {"status": {…}, "info": {…}} (cri-tools outputStatusData).
 *  - `crictl info`: {"status": {"conditions": […]}, "config": {…}, …} (cri-tools cmd/crictl/info.go), possibly
 *    after warning lines.
 *  - `docker ps -a --no-trunc --format '{{json .}}'` where the CRI socket is dockershim (before v1.24): one JSON
 *    object per line, containers named by the kubelet's dockershim as k8s_<container>_<pod>_<namespace>_<uid>_<attempt>,
 *    the sandbox's container being "POD" (pkg/kubelet/dockershim/naming.go).
 *  - `docker images --format '{{.Repository}}:{{.Tag}}'`: one "repository:tag" per line, the repository in
 *    docker's short form ("nginx" for docker.io/library/nginx), "<none>" for a missing repository or tag.
 */
import { HostError } from '../util/errors.js';
import { normalizeImage } from './image-ref.js';

/** A runtime tool printed something other than what it prints. */
export class RuntimeOutputError extends HostError {
  override name = 'RuntimeOutputError';
}


// ------------------------------------------------------------------------------------------------ images

/**
 * The images a runtime has, by tag and by digest, normalized as containerd stores references (image-ref.ts
 * normalizeImage). Iterating yields the tags; has() answers for a tag or a digest reference in any spelling
 * ("pause:3.9" and "docker.io/library/pause:3.9" are the same image).
 */
export class RuntimeImages implements Iterable<string> {
  readonly #tags = new Set<string>();
  readonly #digests = new Set<string>();

  constructor(tags: Iterable<string> = [], digests: Iterable<string> = []) {
    for (const t of tags) this.#tags.add(normalizeImage(t));
    for (const d of digests) this.#digests.add(normalizeImage(d));
  }

  has(image: string): boolean {
    const ref = normalizeImage(image);
    return this.#tags.has(ref) || this.#digests.has(ref);
  }

  /** The number of tags. */
  get size(): number {
    return this.#tags.size;
  }

  tags(): string[] {
    return [...this.#tags];
  }

  digests(): string[] {
    return [...this.#digests];
  }

  [Symbol.iterator](): Iterator<string> {
    return this.#tags[Symbol.iterator]();
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s !== '') : []);

/** `crictl images -o json`: every image's repoTags and repoDigests. */
export function parseCrictlImages(json: string): RuntimeImages {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    throw new RuntimeOutputError(`crictl images -o json printed something that is not JSON: ${json.trim().slice(0, 200) || '(nothing)'}`);
  }
  const images = (data as { images?: unknown } | null)?.images;
  if (images === undefined || images === null) return new RuntimeImages();
  if (!Array.isArray(images)) throw new RuntimeOutputError('crictl images -o json: "images" is not a list');
  const tags: string[] = [];
  const digests: string[] = [];
  for (const image of images as { repoTags?: unknown; repoDigests?: unknown }[]) {
    tags.push(...strings(image?.repoTags));
    digests.push(...strings(image?.repoDigests));
  }
  return new RuntimeImages(tags, digests);
}

/** `docker images --format '{{.Repository}}:{{.Tag}}'`; untagged images ("<none>") are skipped. */
export function parseDockerImages(text: string): RuntimeImages {
  const tags: string[] = [];
  for (const line of text.split('\n')) {
    const ref = line.trim();
    if (ref && !ref.includes('<none>')) tags.push(ref);
  }
  return new RuntimeImages(tags);
}

// -------------------------------------------------------------------------------- containers and sandboxes

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

/** The most recently created item (by creation time, then attempt), or undefined for none. */
export function newest<T extends { createdAt: bigint; attempt: number }>(items: T[]): T | undefined {
  let best: T | undefined;
  for (const item of items) {
    if (!best || item.createdAt > best.createdAt || (item.createdAt === best.createdAt && item.attempt > best.attempt)) best = item;
  }
  return best;
}


// ------------------------------------------------------------------------------------ inspect and info

/** What `crictl inspect` adds to a container listing. */
export interface ContainerDetails {
  exitCode?: number;
  reason?: string;
  message?: string;
  finishedAt?: string;
}

/** `crictl inspect ID`: {"status": {exitCode, reason, message, finishedAt…}, "info": …}; undefined when unreadable. */
export function parseCrictlInspect(text: string): ContainerDetails | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const first = Array.isArray(value) ? value[0] : value;
  const status = (first as { status?: Record<string, unknown> } | undefined)?.status;
  if (!status || typeof status !== 'object') return undefined;
  const out: ContainerDetails = {};
  if (typeof status.exitCode === 'number') out.exitCode = status.exitCode;
  if (typeof status.reason === 'string' && status.reason) out.reason = status.reason;
  if (typeof status.message === 'string' && status.message) out.message = status.message;
  if (typeof status.finishedAt === 'string' && status.finishedAt && !status.finishedAt.startsWith('0001-')) out.finishedAt = status.finishedAt;
  return out;
}

/** The parts of `crictl info` that preflight reads (cri-tools cmd/crictl/info.go: status plus the runtime's info map). */
export interface CrictlInfo {
  conditions: { type: string; status: boolean; reason: string; message: string }[];
  sandboxImage?: string;
}

/** `crictl info`; debug or deprecation lines crictl writes before the JSON are skipped. Undefined when unreadable. */
export function parseCrictlInfo(output: string): CrictlInfo | undefined {
  const start = output.search(/^\{/m);
  const end = output.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(output.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const doc = json as { status?: { conditions?: unknown }; config?: { sandboxImage?: unknown } };
  const conditions = Array.isArray(doc.status?.conditions)
    ? (doc.status.conditions as Record<string, unknown>[]).map((c) => ({
        type: String(c.type ?? ''),
        status: c.status === true,
        reason: String(c.reason ?? ''),
        message: String(c.message ?? ''),
      }))
    : [];
  const sandboxImage = typeof doc.config?.sandboxImage === 'string' ? doc.config.sandboxImage : undefined;
  return { conditions, sandboxImage };
}

/** crictl (v1.26+) speaks only CRI v1 and says so when the runtime does not serve it: its message, if it did. */
export function crictlCriMismatch(output: string): string | undefined {
  const line = output
    .split('\n')
    .find((l) => /unknown service runtime\.v1\.|CRI v1 (runtime|image) API is not implemented/.test(l));
  if (!line) return undefined;
  const msg = /msg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1]?.replace(/\\"/g, '"');
  return (msg ?? line.replace(/^(FATA|ERRO)\[\d+\]\s*/, '')).trim();
}
