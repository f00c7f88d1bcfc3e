/**
 * Health of one control-plane host, as `up` waits for it and `bootstrap status` reports it: kubelet's healthz,
 * then per static Pod "sandbox and container running in the runtime AND health endpoint answers 200".
 * One round trip lists the runtime per poll; the health endpoints are probed at the same time through the
 * Host's tunnel. On timeout one more round trip gathers the diagnosis.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parse as parseYaml } from 'yaml';
import type { Inventory } from '../inventory/types.js';
import { defaultCriSocket } from '../kube/runtime.js';
import type { ComponentStatus, HostRun, ImageResult } from '../pipeline/context.js';
import { CommandError, type Host } from '../transport/host.js';
import { formatDuration } from '../util/duration.js';
import {
  parseCrictlContainers,
  parseCrictlImages,
  parseCrictlInspect,
  parseCrictlPods,
  parseDockerImages,
  parseDockerPs,
  type RuntimeImages,
  type RuntimeState,
} from '../kube/cri-output.js';
import { criEndpoint } from '../kube/cri-socket.js';
import { DIAGNOSE_SCRIPT, LIST_SCRIPT, READ_FILES_SCRIPT, runSections, runtimeMode, type Section } from './commands.js';
import { diagnoseComponent, describeProbe, type ComponentFacts } from './diagnosis.js';
import { componentsFromFiles, endpointUrl, MANIFESTS_DIR, type ComponentSpec, type HealthEndpoint } from './endpoints.js';
import { probeEndpoint, type ProbeResult } from './probe.js';
import { findPod, runtimeProblem, type PodRuntime } from './runtime-state.js';

/** kubelet's healthz defaults (KubeletConfiguration healthzPort 10248, healthzBindAddress 127.0.0.1), which kubeadm's kubelet check dials. */
export const KUBELET_HEALTHZ: HealthEndpoint = { scheme: 'http', host: '127.0.0.1', port: 10248, path: '/healthz', timeoutMs: 5000 };
/** kubeadm's constants: where it writes the kubelet's configuration. */
export const KUBELET_CONFIG = '/var/lib/kubelet/config.yaml';
export const ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf';

/** Everything a check of one host needs; built from a HostRun by targetFor(). */
export interface HealthTarget {
  host: Host;
  /** The node name: kubelet names each static Pod <manifest name>-<node name>. */
  nodeName: string;
  version: string;
  criSocket: string;
  components: ComponentSpec[];
  /** Verifies the API server's certificate; controller-manager and scheduler serve self-signed ones. */
  caCert?: string | Buffer;
  /**
   * The admin kubeconfig's client certificate: kubeadm checks the API server with its admin client, since an
   * anonymous request gets 401 where anonymous-auth is off (kubeadm v1.31+ util/apiclient/wait.go).
   */
  apiClient?: { cert: string; key: string };
  /** Absent when kubelet's healthzPort is 0: kubeadm then skips the kubelet check (WaitForKubelet). */
  kubeletHealthz?: HealthEndpoint;
  /** The images phase's results, quoted in a diagnosis. */
  images?: ImageResult[];
  /**
   * Components whose manifest this run replaced, with the sandbox their Pod ran in before: the old Pod still
   * answering is not the new one being healthy, so such a component counts only once it runs in another sandbox.
   */
  replaced?: Map<string, string | undefined>;
}

/** Only the API server's serving certificate is signed by the cluster CA (kubeadm's certs phase). */
const VERIFIED_WITH_CLUSTER_CA = new Set(['kube-apiserver']);

/**
 * kubelet's healthz address from its KubeletConfiguration, falling back to kubelet's defaults; undefined when
 * healthzPort is 0 (kubeadm's WaitForKubelet skips the check then).
 */
export function kubeletHealthzFrom(config: string | undefined): HealthEndpoint | undefined {
  if (!config) return KUBELET_HEALTHZ;
  let parsed: { healthzPort?: number; healthzBindAddress?: string } | undefined;
  try {
    parsed = parseYaml(config) as typeof parsed;
  } catch {
    return KUBELET_HEALTHZ;
  }
  if (parsed?.healthzPort === 0) return undefined;
  const port = typeof parsed?.healthzPort === 'number' && parsed.healthzPort > 0 ? parsed.healthzPort : KUBELET_HEALTHZ.port;
  const bind = parsed?.healthzBindAddress;
  const host = !bind || bind === '0.0.0.0' || bind === '::' ? KUBELET_HEALTHZ.host : bind;
  return { ...KUBELET_HEALTHZ, host, port };
}

const text = (content: string | Buffer): string => (typeof content === 'string' ? content : content.toString('utf8'));

/** The client certificate and key embedded in a kubeconfig's first user, when there are both. */
export function kubeconfigClient(kubeconfig: string | undefined): { cert: string; key: string } | undefined {
  if (!kubeconfig) return undefined;
  try {
    const config = parseYaml(kubeconfig) as { users?: { user?: Record<string, string> }[] } | undefined;
    const user = config?.users?.[0]?.user;
    const cert = user?.['client-certificate-data'];
    const key = user?.['client-key-data'];
    if (!cert || !key) return undefined;
    return { cert: Buffer.from(cert, 'base64').toString('utf8'), key: Buffer.from(key, 'base64').toString('utf8') };
  } catch {
    return undefined;
  }
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };

/**
 * What a check needs of a host: its transport and spec; `up`'s HostRun has it all, `bootstrap status` may pass
 * just a connected host (then the files are read from it and the CRI socket is its spec's, else detected facts').
 */
export type HealthSubject = Pick<HostRun, 'spec' | 'host'> & Partial<Pick<HostRun, 'files' | 'facts' | 'images'>>;

/** Builds a target from the files `up` rendered for the host, else from the files on the host (one round trip). */
export async function targetFor(h: HealthSubject, inv: Inventory): Promise<HealthTarget> {
  if (!h.host) throw new Error(`${h.spec.name}: not connected`);
  const host = h.host;
  const version = inv.cluster.kubernetesVersion;
  const caPath = `${inv.cluster.certificatesDir}/ca.crt`;
  let files: Map<string, string>;
  if (h.files?.length) {
    files = new Map(h.files.map((f) => [f.path, text(f.content)]));
  } else {
    const sections = await runSections(host, READ_FILES_SCRIPT, [MANIFESTS_DIR, caPath, KUBELET_CONFIG, ADMIN_KUBECONFIG], 30_000);
    files = new Map([...sections].filter(([, s]) => s.code === 0).map(([path, s]) => [path, s.stdout]));
  }
  return {
    host,
    nodeName: h.spec.name,
    version,
    criSocket: h.facts?.criSocket ?? h.spec.criSocket ?? defaultCriSocket(version),
    components: componentsFromFiles(files, h.spec.advertiseAddress),
    ...(files.has(caPath) ? { caCert: files.get(caPath) } : {}),
    ...optional('apiClient', kubeconfigClient(files.get(ADMIN_KUBECONFIG))),
    ...optional('kubeletHealthz', kubeletHealthzFrom(files.get(KUBELET_CONFIG))),
    ...(h.images ? { images: h.images } : {}),
  };
}

/** The runtime's listing, and which tool gave it (dockershim hosts fall back to docker's CLI). */
export interface RuntimeListing {
  state?: RuntimeState;
  tool: 'crictl' | 'docker';
  error?: string;
  /** Why docker's CLI listed the runtime instead of crictl (dockershim did not answer). */
  fallback?: string;
}

function sectionError(name: string, s: Section | undefined): string {
  if (!s) return `${name}: no output`;
  const why = (s.stderr || s.stdout).trim().split('\n').slice(-2).join(' ');
  return s.code === 127 ? `${name}: command not found` : `${name} exited ${s.code}${why ? `: ${why}` : ''}`;
}

/** Interprets LIST_SCRIPT's sections. */
export function runtimeListingFrom(sections: Map<string, Section>): RuntimeListing {
  const pods = sections.get('pods');
  const containers = sections.get('containers');
  let crictlError: string | undefined;
  if (pods?.code === 0 && containers?.code === 0) {
    try {
      return { tool: 'crictl', state: { sandboxes: parseCrictlPods(pods.stdout), containers: parseCrictlContainers(containers.stdout) } };
    } catch (error) {
      crictlError = (error as Error).message;
    }
  } else {
    crictlError = pods?.code !== 0 ? sectionError('crictl pods', pods) : sectionError('crictl ps', containers);
  }
  const docker = sections.get('docker');
  if (docker?.code === 0) {
    try {
      return { tool: 'docker', state: parseDockerPs(docker.stdout), fallback: crictlError ?? 'crictl failed' };
    } catch (error) {
      return { tool: 'docker', error: `${crictlError}; ${(error as Error).message}` };
    }
  }
  return { tool: 'crictl', error: docker ? `${crictlError}; ${sectionError('docker ps', docker)}` : crictlError };
}

/**
 * The runtime's Pods and containers, in one command. A listing that times out (a runtime busy pulling or
 * starting containers can take that long to answer) is an answer too: nothing is listed this round, and the
 * wait polls again while it has time, as kubeadm's waiter does with any failed check.
 */
export async function listRuntime(target: HealthTarget, timeoutMs: number, signal?: AbortSignal): Promise<RuntimeListing> {
  const mode = runtimeMode(target.version, target.criSocket);
  try {
    const sections = await runSections(target.host, LIST_SCRIPT, [mode, criEndpoint(target.criSocket)], timeoutMs, signal);
    return runtimeListingFrom(sections);
  } catch (error) {
    if (error instanceof CommandError && error.result.timedOut && !signal?.aborted) {
      return { tool: 'crictl', error: `the runtime did not answer within ${formatDuration(timeoutMs)}` };
    }
    throw error;
  }
}

/** One component after one poll. */
export interface ComponentCheck {
  spec: ComponentSpec;
  pod: PodRuntime;
  probe?: ProbeResult;
  healthy: boolean;
  detail: string;
}

export function judgeComponent(spec: ComponentSpec, nodeName: string, listing: RuntimeListing, probe: ProbeResult | undefined, replacedSandbox?: string): ComponentCheck {
  const pod = listing.state ? findPod(listing.state, `${spec.name}-${nodeName}`, spec.namespace, spec.container) : {};
  const stale = replacedSandbox !== undefined && pod.sandbox?.id === replacedSandbox;
  const problem = listing.state ? (stale ? 'manifest changed; waiting for kubelet to replace the Pod' : runtimeProblem(pod)) : `runtime not listed (${listing.error ?? 'unknown error'})`;
  const probeOk = !spec.endpoint || probe?.ok === true;
  const healthy = !problem && probeOk;
  const detail = healthy ? 'ok' : (problem ?? describeProbe(probe));
  return { spec, pod, ...(probe ? { probe } : {}), healthy, detail };
}

export interface PollResult {
  kubelet: ProbeResult;
  listing: RuntimeListing;
  checks: ComponentCheck[];
}

function probeOptions(target: HealthTarget, spec: ComponentSpec, remainingMs: number, signal?: AbortSignal) {
  const timeoutMs = Math.max(1000, Math.min(Math.max(spec.endpoint?.timeoutMs ?? 0, 2000), 10_000, remainingMs));
  const isApiServer = VERIFIED_WITH_CLUSTER_CA.has(spec.name);
  const ca = isApiServer ? target.caCert : undefined;
  const client = isApiServer ? target.apiClient : undefined;
  return { timeoutMs, ...(ca ? { ca } : {}), ...(client ? { client } : {}), ...(signal ? { signal } : {}) };
}

const KUBELET_NOT_CHECKED: ProbeResult = { ok: true, body: 'not checked (healthzPort 0)' };

function probeKubelet(target: HealthTarget, remainingMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  if (!target.kubeletHealthz) return Promise.resolve(KUBELET_NOT_CHECKED);
  const timeoutMs = Math.max(1, Math.min(target.kubeletHealthz.timeoutMs, remainingMs));
  return probeEndpoint(target.host, target.kubeletHealthz, { timeoutMs, ...(signal ? { signal } : {}) });
}

/** One round: the runtime listing (one command) and every endpoint, all at once. */
export async function pollOnce(target: HealthTarget, remainingMs = 30_000, signal?: AbortSignal): Promise<PollResult> {
  const [kubelet, listing, probes] = await Promise.all([
    probeKubelet(target, Math.max(remainingMs, 1000), signal),
    listRuntime(target, Math.min(30_000, Math.max(remainingMs, 5000)), signal),
    Promise.all(
      target.components.map((spec) =>
        spec.endpoint ? probeEndpoint(target.host, spec.endpoint, probeOptions(target, spec, remainingMs, signal)) : Promise.resolve(undefined),
      ),
    ),
  ]);
  const checks = target.components.map((spec, i) => judgeComponent(spec, target.nodeName, listing, probes[i], target.replaced?.get(spec.name)));
  return { kubelet, listing, checks };
}

export function statusesOf(kubelet: ProbeResult, checks: ComponentCheck[]): ComponentStatus[] {
  return [
    { name: 'kubelet', healthy: kubelet.ok, detail: kubelet.ok ? 'ok' : describeProbe(kubelet) },
    ...checks.map((c) => ({ name: c.spec.name, healthy: c.healthy, detail: c.detail })),
  ];
}

/**
 * The sandbox each of these components' Pods runs in now (undefined where none runs): taken just before their
 * manifests are replaced, so that waiting afterwards can tell the new Pods from the old.
 */
export async function currentSandboxes(target: HealthTarget, components: readonly string[]): Promise<Map<string, string | undefined>> {
  // A runtime that cannot be listed runs no Pod that could be mistaken for a new one.
  const listing = await listRuntime(target, 30_000).catch((): RuntimeListing => ({ tool: 'crictl' }));
  const sandboxes = new Map<string, string | undefined>();
  for (const spec of target.components.filter((c) => components.includes(c.name))) {
    const pod = listing.state ? findPod(listing.state, `${spec.name}-${target.nodeName}`, spec.namespace, spec.container) : {};
    if (pod.sandbox?.state === 'ready') sandboxes.set(spec.name, pod.sandbox.id);
  }
  return sandboxes;
}

/** One round of the checks, without waiting: what `bootstrap status` shows per host. */
export async function checkTarget(target: HealthTarget, signal?: AbortSignal): Promise<ComponentStatus[]> {
  const poll = await pollOnce(target, 30_000, signal);
  return statusesOf(poll.kubelet, poll.checks);
}

/** `bootstrap status`: one round of checks on a connected host (files from the run, else read from the host). */
export async function checkHost(h: HealthSubject, inv: Inventory, signal?: AbortSignal): Promise<ComponentStatus[]> {
  return checkTarget(await targetFor(h, inv), signal);
}

/** "etcd ok, apiserver waiting (connection refused), …": the live progress line. */
export function progressLine(statuses: readonly ComponentStatus[]): string {
  return statuses.map((s) => `${s.name.replace(/^kube-/, '')} ${s.healthy ? 'ok' : `waiting (${s.detail})`}`).join(', ');
}

export interface WaitOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called after each poll with the statuses so far. */
  onProgress?: (statuses: ComponentStatus[]) => void;
  /** Back-off between polls: first wait, doubled up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export interface WaitResult {
  healthy: boolean;
  statuses: ComponentStatus[];
  elapsedMs: number;
  polls: number;
  /** Round trips of commands spent (listing + diagnosis). */
  commands: number;
  /** On timeout: the multi-line diagnosis. */
  report?: string;
}

/** Waits until kubelet, then every component, is healthy or the time is up; then diagnoses what is not. */
export async function waitForControlPlane(target: HealthTarget, options: WaitOptions): Promise<WaitResult> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const remaining = () => deadline - Date.now();
  let wait = options.firstDelayMs ?? 250;
  // kubeadm polls the control plane every constants.APICallRetryInterval (500 ms) while it waits: backing off
  // further would add up to the longer pause to the moment `up` reports a component that is already healthy.
  const maxWait = options.maxDelayMs ?? 500;
  let polls = 0;
  let commands = 0;
  const pause = async () => {
    const ms = Math.min(wait, remaining());
    if (ms > 0) await delay(ms, undefined, options.signal ? { signal: options.signal } : undefined);
    wait = Math.min(wait * 2, maxWait);
  };
  const pending = (detail: string): ComponentStatus[] => target.components.map((c) => ({ name: c.name, healthy: false, detail }));

  // kubelet first: until it answers, nothing else can come up (kubeadm's wait-control-plane does the same).
  let kubelet: ProbeResult = { ok: false, error: 'not probed' };
  while (remaining() > 0) {
    polls++;
    // At least a second per probe, as in pollOnce: a probe cut short by the deadline says nothing about kubelet.
    kubelet = await probeKubelet(target, Math.max(remaining(), 1000), options.signal);
    const statuses = [
      { name: 'kubelet', healthy: kubelet.ok, detail: kubelet.ok ? 'ok' : describeProbe(kubelet) },
      ...pending(kubelet.ok ? 'not checked yet' : 'kubelet not healthy yet'),
    ];
    options.onProgress?.(statuses);
    if (kubelet.ok) break;
    await pause();
  }

  let last: PollResult | undefined;
  wait = options.firstDelayMs ?? 250;
  while (kubelet.ok && remaining() > 0) {
    polls++;
    commands++;
    last = await pollOnce(target, remaining(), options.signal);
    const statuses = statusesOf(last.kubelet, last.checks);
    options.onProgress?.(statuses);
    if (statuses.every((s) => s.healthy)) return { healthy: true, statuses, elapsedMs: Date.now() - started, polls, commands };
    await pause();
  }

  // Time is up: one more listing when none was made (kubelet never answered), then the diagnosis.
  if (!last) {
    commands++;
    const listing = await listRuntime(target, 30_000, options.signal);
    last = { kubelet, listing, checks: target.components.map((spec) => judgeComponent(spec, target.nodeName, listing, undefined)) };
  }
  commands++;
  const diagnosis = await gatherDiagnosis(target, last, options.signal);
  const statuses = statusesOf(last.kubelet, last.checks).map((s) => {
    const lines = diagnosis.components.get(s.name);
    if (s.name === 'kubelet' && !s.healthy) return { ...s, diagnosis: diagnosis.kubelet };
    return lines && !s.healthy ? { ...s, diagnosis: lines } : s;
  });
  return {
    healthy: false,
    statuses,
    elapsedMs: Date.now() - started,
    polls,
    commands,
    report: formatReport(options.timeoutMs, statuses, diagnosis.kubelet),
  };
}

export interface Diagnosis {
  components: Map<string, string[]>;
  /** kubelet's state and journal tail. */
  kubelet: string[];
}

/** Images, container status and logs of the unhealthy components, kubelet's journal: one round trip. */
export async function gatherDiagnosis(target: HealthTarget, poll: PollResult, signal?: AbortSignal): Promise<Diagnosis> {
  const unhealthy = poll.checks.filter((c) => !c.healthy);
  const ids = unhealthy.map((c) => c.pod.container?.id).filter((id): id is string => !!id);
  const tool = poll.listing.tool;
  const sections = await runSections(target.host, DIAGNOSE_SCRIPT, [tool, criEndpoint(target.criSocket), ...ids], 60_000, signal);
  let imagesPresent: RuntimeImages | undefined;
  const images = sections.get('images');
  if (images?.code === 0) {
    try {
      imagesPresent = tool === 'docker' ? parseDockerImages(images.stdout) : parseCrictlImages(images.stdout);
    } catch {
      imagesPresent = undefined;
    }
  }
  const journal = sections.get('journal');
  const journalLines = journal?.stdout.replace(/\s+$/, '').split('\n') ?? [];
  const components = new Map<string, string[]>();
  for (const check of unhealthy) {
    const id = check.pod.container?.id;
    const inspect = id ? sections.get(`inspect:${id}`) : undefined;
    const logs = id ? sections.get(`logs:${id}`) : undefined;
    const details = inspect?.code === 0 ? parseCrictlInspect(inspect.stdout) : undefined;
    const facts: ComponentFacts = {
      spec: check.spec,
      pod: check.pod,
      ...(poll.listing.error ? { runtimeError: poll.listing.error } : {}),
      ...(check.probe ? { probe: check.probe } : {}),
      ...(imagesPresent ? { imagesPresent } : {}),
      ...(details ? { details } : {}),
      ...(logs ? { logs: logs.stdout } : {}),
    };
    const said = kubeletSaid(journalLines, `${check.spec.namespace}/${check.spec.name}-${target.nodeName}`);
    if (said) facts.kubeletSaid = said;
    const imageResult = target.images?.find((r) => r.image === check.spec.image);
    if (imageResult) facts.imageResult = imageResult;
    components.set(check.spec.name, diagnoseComponent(facts));
  }
  const kubelet: string[] = [];
  if (!poll.kubelet.ok && target.kubeletHealthz) kubelet.push(`healthz GET ${endpointUrl(target.kubeletHealthz)}: ${describeProbe(poll.kubelet)}`);
  if (poll.listing.fallback) kubelet.push(`runtime listed with docker ps, since dockershim did not answer crictl (${poll.listing.fallback})`);
  const active = sections.get('kubelet-active');
  if (active) kubelet.push(`systemctl is-active kubelet: ${active.stdout.trim() || `exit ${active.code}`}`);
  if (journal?.stdout.trim()) kubelet.push('journalctl -u kubelet (last 30 lines):', ...journal.stdout.replace(/\s+$/, '').split('\n').map((l) => `  | ${l}`));
  else if (journal) kubelet.push(`journalctl -u kubelet: ${journal.code === 0 ? 'no entries' : `exit ${journal.code}`}`);
  return { components, kubelet };
}

/** kubelet's last complaint about a Pod in its journal (structured logs name it pod="<namespace>/<name>"). */
export function kubeletSaid(journal: readonly string[], pod: string): string | undefined {
  const mention = `pod="${pod}"`;
  const line = [...journal].reverse().find((l) => l.includes(mention) && /\b(E\d{4} |err=|Error|[Ff]ailed)/.test(l));
  return line?.trim();
}

/** The multi-line failure message: each unhealthy component and its diagnosis, then kubelet's. */
export function formatReport(timeoutMs: number, statuses: readonly ComponentStatus[], kubelet: readonly string[]): string {
  const bad = statuses.filter((s) => !s.healthy && s.name !== 'kubelet');
  const kubeletStatus = statuses.find((s) => s.name === 'kubelet');
  const lines = [
    `the control plane was not healthy after ${formatDuration(timeoutMs)}: ${statuses.filter((s) => !s.healthy).map((s) => s.name).join(', ')}`,
  ];
  for (const s of bad) {
    lines.push(`${s.name}: ${s.detail}`);
    for (const l of s.diagnosis ?? []) lines.push(`  ${l}`);
  }
  lines.push(`kubelet: ${kubeletStatus?.healthy ? 'healthy' : (kubeletStatus?.detail ?? 'unknown')}`);
  for (const l of kubelet) lines.push(`  ${l}`);
  return lines.join('\n');
}
