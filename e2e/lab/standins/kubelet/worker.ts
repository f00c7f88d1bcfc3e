/**
 * One Pod's life on the node (static or from the API): a sandbox, then its containers in order; exited containers
 * restarted per restartPolicy with the kubelet's crash back-off; httpGet startup/liveness probes that kill unhealthy
 * containers. It remembers why a container is waiting (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, …) and
 * can tell what runs (observe) for the pod's status.
 *
 * Back-off as pkg/kubelet/kuberuntime (doBackOff) and client-go's flowcontrol.Backoff: the first restart is
 * immediate, each later one waits 10 s, 20 s, 40 s … at most 300 s after the container finished; a container that
 * has not failed for 2 × 300 s starts over at 10 s.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CriClient, Msg } from '../cri/client.js';
import { ImageError, type ImagePuller } from './images.js';
import type { DockerConfig } from './keyring.js';
import type { Logger } from './log.js';
import { containerConfig, podLogDirectory, sandboxConfig, type ContainerSpec, type HttpGetProbe, type Pod } from './pod.js';

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

/** client-go flowcontrol.Backoff, keyed by container name. */
export class Backoff {
  private readonly entries = new Map<string, { delayMs: number; lastUpdate: number }>();
  constructor(
    private readonly initialMs = BACKOFF_INITIAL_MS,
    private readonly maxMs = BACKOFF_MAX_MS,
  ) {}
  /** How long to wait yet before restarting after an event at `eventTime` (0 = go ahead). */
  remaining(key: string, eventTime: number, now = Date.now()): number {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) return 0;
    return Math.max(0, e.delayMs - (now - eventTime));
  }
  /** The current back-off period of a key (what the kubelet prints: "Back-off 20s restarting failed container"). */
  period(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }
  /** Records a restart: the next one waits twice as long. */
  next(key: string, now = Date.now()): number {
    const e = this.entries.get(key);
    const delayMs = !e || now - e.lastUpdate > 2 * this.maxMs ? this.initialMs : Math.min(e.delayMs * 2, this.maxMs);
    this.entries.set(key, { delayMs, lastUpdate: now });
    return delayMs;
  }
}

export interface WorkerDeps {
  cri: CriClient;
  puller: ImagePuller;
  log: Logger;
  rootDir: string;
  podLogsDir: string;
  runtimeRequestTimeoutMs: number;
  backoff?: { initialMs: number; maxMs: number };
  /** The Docker configs of the pod's imagePullSecrets (API pods), read before each pull. */
  pullSecrets?: (pod: Pod) => Promise<DockerConfig[]>;
}

/** Why a container is not running, as its status says (state.waiting). */
export interface Waiting {
  reason: string;
  message?: string;
  /** When the reason was set: ErrImagePull turns into ImagePullBackOff after the pod worker's error resync. */
  since: number;
}

/** What the runtime has for one container of the pod: its latest attempt and the one before, as CRI ContainerStatus. */
export interface ContainerObservation {
  name: string;
  latest?: Msg;
  previous?: Msg;
  waiting?: Waiting;
}

export interface PodObservation {
  sandbox?: { id: string; ready: boolean; ips: string[] };
  containers: ContainerObservation[];
}

/** Go's time.Duration.String for whole seconds ("10s", "1m20s", "5m0s"), as back-off messages print it. */
export function goSeconds(ms: number): string {
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  return m > 0 ? `${m}m${total % 60}s` : `${total}s`;
}

interface ProbeState {
  startupDone: boolean;
  failures: number;
  lastRun: number;
}

/** Back-off key of the sandbox (container names cannot contain parentheses). */
const SANDBOX_KEY = '(sandbox)';

const nanosToMs = (nanos: string | number): number => Number(BigInt(nanos) / 1_000_000n);

export class PodWorker {
  private sandboxId: string | undefined;
  private sandboxAttempt = 0;
  private readonly backoff: Backoff;
  private readonly probes = new Map<string, ProbeState>();
  private readonly reported = new Set<string>();
  private readonly createRetry = new Map<string, { delayMs: number; retryAt: number }>();
  private readonly waiting = new Map<string, Waiting>();
  private stopped = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    readonly pod: Pod,
    private readonly deps: WorkerDeps,
  ) {
    this.backoff = new Backoff(deps.backoff?.initialMs, deps.backoff?.maxMs);
  }

  get podRef(): string {
    return `${this.pod.namespace}/${this.pod.name}`;
  }

  private get kind(): string {
    return this.pod.source === 'file' ? 'static pod' : 'pod';
  }

  /** Takes over a ready sandbox left by an earlier kubelet process for the same pod. */
  adopt(sandboxId: string, attempt: number): void {
    this.sandboxId = sandboxId;
    this.sandboxAttempt = attempt;
    this.deps.log.info(`Adopted running ${this.kind}`, { pod: this.podRef, podSandboxID: sandboxId });
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.sync();
        } catch (e) {
          this.deps.log.error('Error syncing pod, skipping', { pod: this.podRef, err: (e as Error).message });
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, 1000);
        });
      }
    })();
  }

  /** Stops the loop and leaves the pod running (the kubelet stopping does not stop its pods). */
  async detach(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  /** Stops the loop, then kills the pod (containers with the grace period, then the sandbox) and removes it. */
  async terminate(reason: string): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.deps.log.info(`Killing ${this.kind}`, { pod: this.podRef, reason });
    if (!this.sandboxId) return;
    const { cri } = this.deps;
    const containers = await cri.listContainers({ podSandboxId: this.sandboxId });
    await Promise.all(
      containers
        .filter((c) => c.state === 'CONTAINER_RUNNING')
        .map((c) => {
          this.deps.log.info('Killing container with a grace period', { pod: this.podRef, containerName: c.metadata.name, gracePeriod: this.pod.terminationGracePeriodSeconds });
          return cri.stopContainer(c.id, this.pod.terminationGracePeriodSeconds).catch((e: Error) =>
            this.deps.log.error('Failed to stop container', { pod: this.podRef, containerName: c.metadata.name, err: e.message }),
          );
        }),
    );
    await cri.stopPodSandbox(this.sandboxId, this.deps.runtimeRequestTimeoutMs);
    await cri.removePodSandbox(this.sandboxId, this.deps.runtimeRequestTimeoutMs);
    this.deps.log.info('Removed pod sandbox', { pod: this.podRef, podSandboxID: this.sandboxId });
    this.sandboxId = undefined;
  }

  private podDir(): string {
    return join(this.deps.rootDir, 'pods', this.pod.uid);
  }

  private async ensureSandbox(): Promise<string> {
    const { cri, log } = this.deps;
    if (this.sandboxId) {
      const status = (await cri.podSandboxStatus(this.sandboxId)).status as Msg;
      if (status.state === 'SANDBOX_READY') return this.sandboxId;
      log.info('No ready sandbox for pod can be found. Need to start a new one', { pod: this.podRef });
      await cri.stopPodSandbox(this.sandboxId, this.deps.runtimeRequestTimeoutMs).catch(() => undefined);
      await cri.removePodSandbox(this.sandboxId, this.deps.runtimeRequestTimeoutMs).catch(() => undefined);
      this.sandboxId = undefined;
      this.sandboxAttempt++;
    }
    mkdirSync(podLogDirectory(this.pod, this.deps.podLogsDir), { recursive: true });
    const config = this.sandboxConfig();
    try {
      this.sandboxId = await cri.runPodSandbox(config, this.deps.runtimeRequestTimeoutMs);
    } catch (e) {
      this.failedBeforeStart(SANDBOX_KEY);
      throw new Error(`CreatePodSandbox for pod "${this.podRef}" failed: ${(e as Error).message}`);
    }
    this.createRetry.delete(SANDBOX_KEY);
    log.info('Created pod sandbox', { pod: this.podRef, podSandboxID: this.sandboxId, attempt: this.sandboxAttempt });
    return this.sandboxId;
  }

  private sandboxConfig(): Msg {
    return sandboxConfig(this.pod, this.sandboxAttempt, hostname(), this.deps.podLogsDir);
  }

  private async sync(): Promise<void> {
    const { cri } = this.deps;
    if (!this.sandboxId && (this.createRetry.get(SANDBOX_KEY)?.retryAt ?? 0) > Date.now()) return;
    const sandboxId = await this.ensureSandbox();
    if (this.stopped) return;
    const all = await cri.listContainers({ podSandboxId: sandboxId });
    for (const spec of this.pod.containers) {
      if (this.stopped) return;
      const mine = all.filter((c) => c.metadata?.name === spec.name).sort((a, b) => b.metadata.attempt - a.metadata.attempt);
      const latest = mine[0];
      if (!latest) {
        if (this.inImageBackOff(spec)) continue;
        await this.startContainer(sandboxId, spec, 0);
        continue;
      }
      if (latest.state === 'CONTAINER_RUNNING') {
        await this.probe(spec, latest);
        continue;
      }
      await this.restartIfDue(sandboxId, spec, latest, mine.slice(1));
    }
  }

  private async restartIfDue(sandboxId: string, spec: ContainerSpec, latest: Msg, older: Msg[]): Promise<void> {
    const { cri, log } = this.deps;
    const status = (await cri.containerStatus(latest.id)).status as Msg;
    const exitCode = status.exitCode as number;
    if (!this.reported.has(latest.id)) {
      this.reported.add(latest.id);
      log.info('Container exited', { pod: this.podRef, containerName: spec.name, exitCode, reason: status.reason, attempt: latest.metadata.attempt });
    }
    if (this.pod.restartPolicy === 'Never' || (this.pod.restartPolicy === 'OnFailure' && exitCode === 0)) return;
    const finished = nanosToMs(status.finishedAt) || nanosToMs(status.createdAt);
    const wait = this.backoff.remaining(spec.name, finished);
    if (wait > 0) {
      // kuberuntime_manager.go doBackOff: the waiting reason and message of a container in crash back-off.
      const period = goSeconds(this.backoff.period(spec.name));
      const message = `back-off ${period} restarting failed container=${spec.name} pod=${this.pod.name}_${this.pod.namespace}(${this.pod.uid})`;
      if (this.waiting.get(spec.name)?.message !== message) this.waiting.set(spec.name, { reason: 'CrashLoopBackOff', message, since: Date.now() });
      if (!this.reported.has(`${latest.id}/backoff`)) {
        this.reported.add(`${latest.id}/backoff`);
        log.info(`Back-off ${Math.round(this.backoff.period(spec.name) / 1000)}s restarting failed container`, { pod: this.podRef, containerName: spec.name, reason: 'CrashLoopBackOff' });
      }
      return;
    }
    // The kubelet keeps the most recent dead container per name (MaxPerPodContainer = 1) and removes older ones.
    for (const old of older) await cri.removeContainer(old.id).catch(() => undefined);
    this.backoff.next(spec.name);
    await this.startContainer(sandboxId, spec, (latest.metadata.attempt as number) + 1);
  }

  private async startContainer(sandboxId: string, spec: ContainerSpec, attempt: number): Promise<void> {
    const { cri, log, puller } = this.deps;
    let imageRef: string;
    try {
      const pullSecrets = this.deps.pullSecrets ? await this.deps.pullSecrets(this.pod) : [];
      imageRef = await puller.ensure(spec.image, spec.imagePullPolicy, this.podRef, pullSecrets);
    } catch (e) {
      log.error('Error syncing pod, skipping', { pod: this.podRef, containerName: spec.name, err: (e as Error).message });
      const image = e instanceof ImageError ? e : undefined;
      this.waiting.set(spec.name, { reason: image?.reason ?? 'ErrImagePull', message: image?.statusMessage ?? (e as Error).message, since: Date.now() });
      this.failedBeforeStart(spec.name);
      return;
    }
    let mounts: Msg[];
    try {
      mounts = this.prepareMounts(spec);
    } catch (e) {
      log.error('Error starting container', { pod: this.podRef, containerName: spec.name, attempt, err: (e as Error).message });
      this.waiting.set(spec.name, { reason: 'CreateContainerConfigError', message: (e as Error).message, since: Date.now() });
      this.failedBeforeStart(spec.name);
      return;
    }
    let containerId: string | undefined;
    try {
      const config = containerConfig(this.pod, spec, { imageRef, attempt, extraMounts: mounts });
      containerId = await cri.createContainer(sandboxId, config, this.sandboxConfig(), this.deps.runtimeRequestTimeoutMs);
      await cri.startContainer(containerId, this.deps.runtimeRequestTimeoutMs);
      log.info('Started container', { pod: this.podRef, containerName: spec.name, containerID: containerId, attempt });
      this.createRetry.delete(spec.name);
      this.waiting.delete(spec.name);
    } catch (e) {
      log.error('Error starting container', { pod: this.podRef, containerName: spec.name, attempt, err: (e as Error).message });
      // A container that was created but could not start stays behind as the failed attempt; the next sync
      // restarts it after the back-off. One that could not even be created is retried the same way.
      if (!containerId) {
        this.waiting.set(spec.name, { reason: 'CreateContainerError', message: (e as Error).message, since: Date.now() });
        this.failedBeforeStart(spec.name);
      }
    }
  }

  /**
   * Whether a container that never started is still in its retry back-off. The pod worker resyncs a failed pod after
   * backOffPeriod (10 s, pkg/kubelet/pod_workers.go); a resync inside the image back-off reports ImagePullBackOff,
   * "Back-off pulling image" (pkg/kubelet/images/image_manager.go), until the next pull.
   */
  private inImageBackOff(spec: ContainerSpec, now = Date.now()): boolean {
    if ((this.createRetry.get(spec.name)?.retryAt ?? 0) <= now) return false;
    const waiting = this.waiting.get(spec.name);
    const resyncMs = this.deps.backoff?.initialMs ?? BACKOFF_INITIAL_MS;
    if (waiting?.reason === 'ErrImagePull' && now - waiting.since >= resyncMs) {
      this.waiting.set(spec.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${spec.image}"`, since: now });
      this.deps.log.info('Back-off pulling image', { pod: this.podRef, containerName: spec.name, image: spec.image });
    }
    return true;
  }

  /** What the runtime has for this pod now: the sandbox with its IPs and each container's latest two attempts. */
  async observe(): Promise<PodObservation> {
    const { cri } = this.deps;
    let sandbox: PodObservation['sandbox'];
    let all: Msg[] = [];
    if (this.sandboxId) {
      const status = ((await cri.podSandboxStatus(this.sandboxId)).status ?? {}) as Msg;
      const network = (status.network ?? {}) as Msg;
      const ips = [network.ip, ...((network.additionalIps ?? []) as Msg[]).map((a) => a.ip)].filter((ip): ip is string => typeof ip === 'string' && ip !== '');
      sandbox = { id: this.sandboxId, ready: status.state === 'SANDBOX_READY', ips };
      all = await cri.listContainers({ podSandboxId: this.sandboxId });
    }
    const containers: ContainerObservation[] = [];
    for (const spec of this.pod.containers) {
      const mine = all.filter((c) => c.metadata?.name === spec.name).sort((a, b) => b.metadata.attempt - a.metadata.attempt);
      const status = async (c: Msg | undefined) => (c ? (((await cri.containerStatus(c.id)).status ?? undefined) as Msg | undefined) : undefined);
      containers.push({ name: spec.name, latest: await status(mine[0]), previous: await status(mine[1]), waiting: this.waiting.get(spec.name) });
    }
    return { sandbox, containers };
  }

  /**
   * Nothing could be created (image pull or configuration error): retry after 10 s, 20 s … 300 s, as the kubelet's
   * image back-off (ImagePullBackOff) does.
   */
  private failedBeforeStart(key: string): void {
    const previous = this.createRetry.get(key);
    const initial = this.deps.backoff?.initialMs ?? BACKOFF_INITIAL_MS;
    const max = this.deps.backoff?.maxMs ?? BACKOFF_MAX_MS;
    const delayMs = previous ? Math.min(previous.delayMs * 2, max) : initial;
    this.createRetry.set(key, { delayMs, retryAt: Date.now() + delayMs });
    this.deps.log.info(`Back-off ${Math.round(delayMs / 1000)}s before trying again`, { pod: this.podRef, containerName: key });
  }

  /** hostPath volume types (pkg/volume/hostpath) and the files the kubelet mounts into every container. */
  private prepareMounts(spec: ContainerSpec): Msg[] {
    for (const m of spec.volumeMounts) {
      const volume = this.pod.volumes.find((v) => v.name === m.name)!;
      const exists = existsSync(volume.path);
      if (volume.type === 'DirectoryOrCreate' && !exists) mkdirSync(volume.path, { recursive: true, mode: 0o755 });
      else if (volume.type === 'FileOrCreate' && !exists) writeFileSync(volume.path, '', { mode: 0o644 });
      else if (volume.type === 'Directory' && !(exists && statSync(volume.path).isDirectory())) throw new Error(`hostPath type check failed: ${volume.path} is not a directory`);
      else if (volume.type === 'File' && !(exists && statSync(volume.path).isFile())) throw new Error(`hostPath type check failed: ${volume.path} is not a file`);
    }
    const containerDir = join(this.podDir(), 'containers', spec.name);
    mkdirSync(containerDir, { recursive: true });
    const terminationLog = join(containerDir, randomBytes(4).toString('hex'));
    writeFileSync(terminationLog, '');
    const mounts: Msg[] = [{ containerPath: '/dev/termination-log', hostPath: terminationLog, readonly: false }];
    if (this.pod.hostNetwork && existsSync('/etc/hosts')) {
      // Host-network pods get a copy of the node's /etc/hosts (pkg/kubelet/kubelet_pods.go: ensureHostsFile).
      const hostsFile = join(this.podDir(), 'etc-hosts');
      copyFileSync('/etc/hosts', hostsFile);
      mounts.push({ containerPath: '/etc/hosts', hostPath: hostsFile, readonly: false });
    }
    return mounts;
  }

  private async probe(spec: ContainerSpec, container: Msg): Promise<void> {
    const state = this.probes.get(container.id) ?? { startupDone: !spec.startupProbe, failures: 0, lastRun: 0 };
    this.probes.set(container.id, state);
    const probe = state.startupDone ? spec.livenessProbe : spec.startupProbe;
    if (!probe) return;
    const now = Date.now();
    const status = (await this.deps.cri.containerStatus(container.id)).status as Msg;
    if (now < nanosToMs(status.startedAt) + probe.initialDelaySeconds * 1000) return;
    if (now < state.lastRun + probe.periodSeconds * 1000) return;
    state.lastRun = now;
    const ok = await httpProbe(probe);
    const kind = state.startupDone ? 'Liveness' : 'Startup';
    if (ok) {
      state.failures = 0;
      if (!state.startupDone) state.startupDone = true;
      return;
    }
    state.failures++;
    this.deps.log.info('Probe failed', { probeType: kind, pod: this.podRef, containerName: spec.name, failures: state.failures });
    if (state.failures >= probe.failureThreshold) {
      this.deps.log.info(`Container ${spec.name} failed ${kind.toLowerCase()} probe, will be restarted`, { pod: this.podRef });
      this.probes.delete(container.id);
      await this.deps.cri.stopContainer(container.id, this.pod.terminationGracePeriodSeconds);
    }
  }
}

/** An httpGet probe: success is a 2xx or 3xx answer within the timeout; HTTPS certificates are not verified (as the kubelet). */
export function httpProbe(probe: HttpGetProbe): Promise<boolean> {
  return new Promise((resolve) => {
    const request = probe.scheme === 'HTTPS' ? httpsRequest : httpRequest;
    const req = request(
      { host: probe.host, port: probe.port, path: probe.path, method: 'GET', timeout: probe.timeoutSeconds * 1000, rejectUnauthorized: false },
      (res) => {
        res.resume();
        resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * Sandboxes an earlier kubelet process left for pods of one source (the kubernetes.io/config.source annotation):
 * a ready sandbox of a pod still wanted is adopted into a started worker, any other is stopped and removed.
 */
export async function adoptSandboxes(deps: WorkerDeps, source: Pod['source'], wanted: Pod[], log: Logger): Promise<PodWorker[]> {
  const adopted: PodWorker[] = [];
  const sandboxes = (await deps.cri.listPodSandbox()).filter((s: Msg) => s.annotations?.['kubernetes.io/config.source'] === source);
  for (const sandbox of sandboxes) {
    const pod = wanted.find((p) => p.uid === sandbox.metadata?.uid);
    if (pod && sandbox.state === 'SANDBOX_READY' && !adopted.some((w) => w.pod.uid === pod.uid)) {
      const worker = new PodWorker(pod, deps);
      worker.adopt(sandbox.id, sandbox.metadata.attempt);
      worker.start();
      adopted.push(worker);
      continue;
    }
    log.info(`Removing pod sandbox of a ${source === 'file' ? 'static pod' : 'pod'} that is gone`, { podSandboxID: sandbox.id, pod: `${sandbox.metadata?.namespace}/${sandbox.metadata?.name}` });
    await deps.cri.stopPodSandbox(sandbox.id, deps.runtimeRequestTimeoutMs).catch(() => undefined);
    await deps.cri.removePodSandbox(sandbox.id, deps.runtimeRequestTimeoutMs).catch(() => undefined);
  }
  return adopted;
}
