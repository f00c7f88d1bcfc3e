/**
 * Why a component is not healthy, in words an operator can act on: the image was never pulled, kubelet never
 * created the Pod or its container, the container crash-loops (exit code, restarts, last log lines), or it
 * runs and its health endpoint fails (last answer). Pure: the facts come from one batched command
 * (commands.ts DIAGNOSE_SCRIPT) and the last poll.
 */
import type { ContainerDetails } from '../kube/cri-output.js';
import { normalizeImage } from '../kube/image-ref.js';
import type { ImageResult } from '../pipeline/context.js';
import { endpointUrl, type ComponentSpec } from './endpoints.js';
import type { ProbeResult } from './probe.js';
import type { PodRuntime } from './runtime-state.js';

export { parseCrictlImages, parseCrictlInspect, parseDockerImages, type ContainerDetails } from '../kube/cri-output.js';


/** What answers whether an image is present: cri-output.ts RuntimeImages, or any set of normalized references. */
export interface ImagePresence {
  has(image: string): boolean;
}

/** Everything known about one unhealthy component when the wait gives up. */
export interface ComponentFacts {
  spec: ComponentSpec;
  pod: PodRuntime;
  /** The runtime could not be listed: the reason. */
  runtimeError?: string;
  probe?: ProbeResult;
  /** Images present on the host, when they could be listed. */
  imagesPresent?: ImagePresence;
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
  const imageMissing = f.imagesPresent !== undefined && spec.image !== '' && !f.imagesPresent.has(normalizeImage(spec.image));
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
