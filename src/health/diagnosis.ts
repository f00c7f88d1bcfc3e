/**
 * Why a component is not healthy, in words an operator can act on: the image was never pulled, kubelet never
 * created the Pod or its container, the container crash-loops (exit code, restarts, last log lines), or it
 * runs and its health endpoint fails (last answer). Pure: the facts come from one batched command
 * (commands.ts DIAGNOSE_SCRIPT) and the last poll.
 */
import type { ImageResult } from '../pipeline/context.js';
import { endpointUrl, type ComponentSpec } from './endpoints.js';
import type { ProbeResult } from './probe.js';
import type { PodRuntime } from './runtime-state.js';

/** What `crictl inspect` adds to a container listing. */
export interface ContainerDetails {
  exitCode?: number;
  reason?: string;
  message?: string;
  finishedAt?: string;
}

/** `crictl inspect ID` (cri-tools outputStatusData): {"status": {exitCode, reason, message, finishedAt…}, "info": …}. */
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

/**
 * An image reference as runtimes list it: Docker Hub names get their implicit "docker.io/" (and "library/"),
 * so "registry:5000/x:v1" and "x:v1" compare the way containerd stores them.
 */
export function normalizeImageRef(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return slash < 0 ? `docker.io/library/${ref}` : `docker.io/${ref}`;
}

/** `crictl images -o json` (ListImagesResponse): every tag and digest reference present. */
export function parseCrictlImages(text: string): Set<string> {
  const refs = new Set<string>();
  const images = (JSON.parse(text) as { images?: { repoTags?: string[]; repoDigests?: string[] }[] }).images ?? [];
  for (const image of images) for (const ref of [...(image.repoTags ?? []), ...(image.repoDigests ?? [])]) refs.add(normalizeImageRef(ref));
  return refs;
}

/** `docker images --format '{{.Repository}}:{{.Tag}}'`. */
export function parseDockerImages(text: string): Set<string> {
  const refs = new Set<string>();
  for (const line of text.split('\n')) {
    const ref = line.trim();
    if (ref && !ref.includes('<none>')) refs.add(normalizeImageRef(ref));
  }
  return refs;
}

/** Everything known about one unhealthy component when the wait gives up. */
export interface ComponentFacts {
  spec: ComponentSpec;
  pod: PodRuntime;
  /** The runtime could not be listed: the reason. */
  runtimeError?: string;
  probe?: ProbeResult;
  /** Images present on the host, when they could be listed. */
  imagesPresent?: Set<string>;
  /** The images phase's outcome for this component's image. */
  imageResult?: ImageResult;
  details?: ContainerDetails;
  /** The container's last log lines. */
  logs?: string;
  /** kubelet's last error line about this Pod, from its journal. */
  kubeletSaid?: string;
}

export function describeProbe(probe: ProbeResult | undefined): string {
  if (!probe) return 'not probed';
  if (probe.error) return probe.error;
  const body = (probe.body ?? '').split('\n').slice(0, 3).join(' | ');
  return `HTTP ${probe.status}${body ? `: ${body.slice(0, 300)}` : ''}`;
}

const indent = (text: string, prefix = '  | '): string[] =>
  text
    .replace(/\s+$/, '')
    .split('\n')
    .map((l) => `${prefix}${l}`);

/** The diagnosis lines of one component (the first says what is wrong; the rest are evidence). */
export function diagnoseComponent(f: ComponentFacts): string[] {
  const lines: string[] = [];
  const { spec, pod } = f;
  const imageMissing = f.imagesPresent !== undefined && spec.image !== '' && !f.imagesPresent.has(normalizeImageRef(spec.image));
  const pullNote =
    f.imageResult && (f.imageResult.outcome === 'failed' || f.imageResult.outcome === 'missing')
      ? ` (images phase: ${f.imageResult.outcome}${f.imageResult.error ? `: ${f.imageResult.error}` : ''})`
      : '';
  const c = pod.container;

  if (f.runtimeError) lines.push(`the container runtime could not be listed: ${f.runtimeError}`);
  if (imageMissing) lines.push(`image not pulled: ${spec.image} is not present on the host${pullNote}`);

  if (!f.runtimeError && !pod.sandbox) {
    lines.push(
      imageMissing
        ? 'pod never created: kubelet has not started it (its image is missing)'
        : `pod never created: kubelet has not started ${spec.name} from its static Pod manifest (see the kubelet journal)`,
    );
  } else if (pod.sandbox && pod.sandbox.state !== 'ready') {
    lines.push(`pod sandbox ${pod.sandbox.id.slice(0, 13)} is not ready`);
  }
  if (!f.runtimeError && pod.sandbox && !c) {
    lines.push(`container never created in pod sandbox ${pod.sandbox.id.slice(0, 13)}${imageMissing ? ' (its image is missing)' : ''}`);
  }
  if (c && c.state !== 'running') {
    const exitCode = f.details?.exitCode ?? c.exitCode;
    const exit = exitCode !== undefined ? `exit code ${exitCode}` : 'exit code unknown';
    const reason = f.details?.reason ? ` (${f.details.reason})` : '';
    const restarts = `${c.attempt} restart${c.attempt === 1 ? '' : 's'}`;
    if (c.state === 'exited') lines.push(`crash-looping: container ${c.id.slice(0, 13)} exited, ${exit}${reason}, ${restarts}`);
    else lines.push(`container ${c.id.slice(0, 13)} is ${c.state}, ${restarts}`);
    if (f.details?.message) lines.push(...indent(f.details.message, '  message: '));
  }
  if (c?.state === 'running' && spec.endpoint && f.probe && !f.probe.ok) {
    lines.push(`probe failing: GET ${endpointUrl(spec.endpoint)}: last answer ${describeProbe(f.probe)}`);
  }
  if (!lines.length && f.probe && !f.probe.ok && spec.endpoint) {
    lines.push(`probe failing: GET ${endpointUrl(spec.endpoint)}: last answer ${describeProbe(f.probe)}`);
  }
  if (f.kubeletSaid && (!c || c.state !== 'running' || imageMissing)) lines.push(`kubelet: ${f.kubeletSaid}`);
  if (c && f.logs !== undefined) {
    if (f.logs.trim()) lines.push(`last log lines of container ${c.id.slice(0, 13)} (attempt ${c.attempt}):`, ...indent(f.logs));
    else lines.push(`container ${c.id.slice(0, 13)} logged nothing`);
  }
  return lines;
}
