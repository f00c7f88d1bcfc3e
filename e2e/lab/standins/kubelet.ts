#!/usr/bin/env node
/**
 * kubelet — LAB STAND-IN for the Kubernetes node agent on bootstrap's e2e lab nodes (Debian has no kubelet).
 *
 * Installed as the kubelet package installs it (/usr/bin/kubelet, kubelet.service, kubeadm's drop-in), it takes the
 * kubelet's flags and --config (KubeletConfiguration), then runs every static Pod manifest in staticPodPath through
 * CRI on the node's real containerd: sandbox, containers (image per imagePullPolicy, command, args, env, hostPath
 * mounts), restarts with back-off, httpGet startup/liveness probes, and replaces a pod whose manifest changes.
 * It serves /healthz (default 127.0.0.1:10248) and logs klog-style lines to stdout.
 *
 * With --kubeconfig it joins the cluster as the real kubelet does: TLS bootstrap with --bootstrap-kubeconfig
 * (certificate requests to kubernetes.io/kube-apiserver-client-kubelet, stored in --cert-dir), client certificate
 * rotation, Node registration and status (Ready from the runtime's CRI network status), its kube-node-lease
 * Lease, and the pods bound to the node (kubelet/apipods.ts: run with their imagePullSecrets, status reported).
 * It creates no mirror pods.
 */
import { existsSync, readdirSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { UsageError } from './args.js';
import { ApiClient, clientCertOf, loadRestConfig, type RestConfig } from './kubelet/apiclient.js';
import { ClientCertManager, isClientConfigStillValid, loadClientCert, watchClientCertificate, writeKubeconfigFromBootstrapping } from './kubelet/certificate.js';
import { ApiPodManager } from './kubelet/apipods.js';
import { machineInfo, NodeAgent } from './kubelet/node.js';
import { CriClient, type Msg } from './cri/client.js';
import { kubeletSettings, type KubeletSettings } from './kubelet/config.js';
import { kubeletHelp, parseKubeletFlags } from './kubelet/flags.js';
import { ImagePuller } from './kubelet/images.js';
import { logger, type Logger } from './kubelet/log.js';
import { isManifestFile, ManifestError, parseStaticPod } from './kubelet/pod.js';
import { adoptSandboxes, PodWorker, type WorkerDeps } from './kubelet/worker.js';
import { labKubernetesVersion } from './version.js';

const log = logger('kubelet.go');

export interface KubeletOptions {
  /** Directory of pod logs (the kubelet's podLogsDir, /var/log/pods). */
  podLogsDir?: string;
  /** Shorter back-off for tests; the kubelet's own is 10 s doubling to 300 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** Debounce of manifest directory events. */
  debounceMs?: number;
  /** What to do when no valid client certificate could be had for 5 minutes and the server answers (the kubelet: exit 1). */
  exitOnLostCertificate?: () => void;
}

/** Watches staticPodPath and keeps one PodWorker per manifest file, replacing it when the file's content changes. */
export class StaticPodManager {
  private readonly workers = new Map<string, PodWorker>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private missingLogged = false;

  constructor(
    private readonly settings: KubeletSettings,
    private readonly deps: WorkerDeps,
    private readonly log: Logger,
    private readonly debounceMs = 500,
  ) {}

  /** Adopts pods left by an earlier kubelet process, removes stale ones, then starts watching. */
  async start(): Promise<void> {
    await this.enqueue(() => this.rescan(true));
    this.interval = setInterval(() => void this.enqueue(() => this.rescan(false)), this.settings.fileCheckFrequencyMs);
    this.watchDir();
  }

  private watchDir(): void {
    if (this.watcher || !this.settings.staticPodPath || !existsSync(this.settings.staticPodPath)) return;
    try {
      this.watcher = watch(this.settings.staticPodPath, () => this.schedule());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  /** Debounced rescan: editors and `mv` produce bursts of events. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.enqueue(() => this.rescan(false)), this.debounceMs);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(task).catch((e: Error) => this.log.error('Static pod sync failed', { err: e.message }));
    return this.queue;
  }

  private readManifests(): Map<string, string> {
    const dir = this.settings.staticPodPath;
    const files = new Map<string, string>();
    if (!dir) return files;
    if (!existsSync(dir)) {
      if (!this.missingLogged) this.log.info('Unable to read config path', { path: dir, err: 'path does not exist, ignoring' });
      this.missingLogged = true;
      return files;
    }
    this.missingLogged = false;
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      if (!isManifestFile(file)) continue;
      try {
        files.set(file, readFileSync(file, 'utf8'));
      } catch {
        // A file removed between readdir and read: gone.
      }
    }
    return files;
  }

  private async rescan(initial: boolean): Promise<void> {
    if (this.closed) return;
    this.watchDir();
    const manifests = this.readManifests();
    const wanted = new Map<string, ReturnType<typeof parseStaticPod>>();
    for (const [file, content] of manifests) {
      try {
        wanted.set(file, parseStaticPod(file, content, this.settings.nodeName));
      } catch (e) {
        if (e instanceof ManifestError) this.log.error('Could not process manifest file', { path: file, err: e.message });
        else throw e;
      }
    }
    if (initial) await this.adoptOrClean(wanted);
    for (const [file, worker] of this.workers) {
      const next = wanted.get(file);
      if (next && next.contentHash === worker.pod.contentHash) continue;
      this.workers.delete(file);
      await worker.terminate(next ? 'manifest changed' : 'manifest removed').catch((e: Error) =>
        this.log.error('Failed to kill pod', { pod: worker.podRef, err: e.message }),
      );
    }
    for (const [file, pod] of wanted) {
      if (this.workers.has(file)) continue;
      const worker = new PodWorker(pod, this.deps);
      this.workers.set(file, worker);
      this.log.info('Starting static pod', { pod: worker.podRef, path: file });
      worker.start();
    }
  }

  /** Sandboxes of static pods from an earlier run: keep the ready ones whose manifest is unchanged, remove the rest. */
  private async adoptOrClean(wanted: Map<string, ReturnType<typeof parseStaticPod>>): Promise<void> {
    for (const worker of await adoptSandboxes(this.deps, 'file', [...wanted.values()], this.log)) this.workers.set(worker.pod.file, worker);
  }

  /** Stops watching. Pods keep running (as when the real kubelet stops) unless killPods is set. */
  async close(killPods = false): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.interval);
    this.watcher?.close();
    await this.queue;
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(workers.map((w) => (killPods ? w.terminate('kubelet stopped') : w.detach())));
  }
}

function serveHealthz(settings: KubeletSettings): Promise<Server | undefined> {
  if (settings.healthzPort === 0) return Promise.resolve(undefined);
  const server = createServer((req, res) => {
    if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.healthzPort, settings.healthzBindAddress, () => resolve(server));
  });
}

export interface ApiConnection {
  client: ApiClient;
  certificates?: ClientCertManager;
  /** Ends the client certificate watchdog. */
  stopWatchdog?: () => void;
}

/**
 * buildKubeletClientConfig: how the kubelet gets its API credentials. Without --kubeconfig it runs standalone.
 * With rotateCertificates, a kubeconfig whose client certificate is still valid is used as it is; otherwise the
 * kubeconfig is rewritten to point at <cert-dir>/kubelet-client-current.pem and the certificate manager obtains that
 * certificate with the bootstrap kubeconfig in the background. Without rotation, TLS bootstrap (LoadClientCert)
 * completes before anything else starts.
 */
export async function connectToApiServer(
  settings: KubeletSettings,
  certLog: Logger = logger('certificate_manager.go'),
  exit: (() => void) | undefined = undefined,
): Promise<ApiConnection | undefined> {
  const { kubeconfig, bootstrapKubeconfig } = settings;
  if (!kubeconfig) {
    log.info('No API server defined - no node status update will be sent');
    return undefined;
  }
  const bootstrapLog = logger('bootstrap.go');
  const haveKubeconfig = existsSync(kubeconfig);
  if (bootstrapKubeconfig && !haveKubeconfig && !existsSync(bootstrapKubeconfig)) {
    // cmd/kubelet/app/server.go: with neither file present the kubelet exits (and systemd restarts it).
    throw new UsageError(`failed to run Kubelet: unable to load bootstrap kubeconfig: stat ${bootstrapKubeconfig}: no such file or directory`);
  }
  if (haveKubeconfig && !(bootstrapKubeconfig && existsSync(bootstrapKubeconfig))) {
    // A kubeconfig that names no cluster (e.g. an empty "kind: Config") and nothing to bootstrap from: the real
    // kubelet exits here; this one keeps running its static pods and says why it has no API server.
    try {
      loadRestConfig(kubeconfig);
    } catch (e) {
      log.error('invalid kubeconfig', { path: kubeconfig, err: (e as Error).message });
      log.info('No API server defined - no node status update will be sent');
      return undefined;
    }
  }
  if (settings.rotateCertificates) {
    let certConfig: RestConfig;
    let clientConfig: RestConfig;
    if (bootstrapKubeconfig) {
      log.info('Client rotation is on, will bootstrap in background');
      if (isClientConfigStillValid(kubeconfig, bootstrapLog)) {
        clientConfig = certConfig = loadOrFail(kubeconfig, 'unable to load kubeconfig');
        bootstrapLog.info('Current kubeconfig file contents are still valid, no bootstrap necessary');
      } else {
        certConfig = loadOrFail(bootstrapKubeconfig, 'unable to load bootstrap kubeconfig');
        const pemPath = join(settings.certDir, 'kubelet-client-current.pem');
        clientConfig = { host: certConfig.host, caFile: certConfig.caFile, caData: certConfig.caData, insecure: certConfig.insecure, certFile: pemPath, keyFile: pemPath };
        writeKubeconfigFromBootstrapping(certConfig, kubeconfig, pemPath);
        bootstrapLog.info('Use the bootstrap credentials to request a cert, and set kubeconfig to point to the certificate dir');
      }
    } else {
      clientConfig = certConfig = loadOrFail(kubeconfig, 'unable to load kubeconfig');
      bootstrapLog.info('No bootstrapping requested, will use kubeconfig');
    }
    const seed = clientConfig.certData && clientConfig.keyData ? { cert: clientConfig.certData, key: clientConfig.keyData } : undefined;
    const certificates = new ClientCertManager({
      nodeName: settings.nodeName,
      certDir: settings.certDir,
      clientConfig,
      bootstrapConfig: certConfig === clientConfig ? undefined : certConfig,
      seed,
      certFile: clientConfig.certFile,
      keyFile: clientConfig.keyFile,
      log: certLog,
    });
    log.info('Starting client certificate rotation');
    certificates.start();
    const stopWatchdog = exit ? watchClientCertificate(certificates, logger('transport.go'), exit) : undefined;
    return { client: new ApiClient(clientConfig, () => certificates.credentials(), 10_000, userAgent()), certificates, stopWatchdog };
  }
  if (bootstrapKubeconfig) {
    try {
      await loadClientCert(kubeconfig, bootstrapKubeconfig, settings.certDir, settings.nodeName, bootstrapLog);
    } catch (e) {
      throw new UsageError(`failed to run Kubelet: ${(e as Error).message}`);
    }
  }
  const clientConfig = loadOrFail(kubeconfig, 'invalid kubeconfig');
  return { client: new ApiClient(clientConfig, () => clientCertOf(clientConfig) ?? (clientConfig.token ? { token: clientConfig.token } : undefined), 10_000, userAgent()) };
}

/** client-go's default user agent: kubelet/<version> (<os>/<arch>) kubernetes/<commit>. */
function userAgent(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
  return `kubelet/${labKubernetesVersion()} (linux/${arch}) kubernetes/$Format`;
}

function loadOrFail(path: string, what: string): RestConfig {
  try {
    return loadRestConfig(path);
  } catch (e) {
    throw new UsageError(`failed to run Kubelet: ${what}: ${(e as Error).message}`);
  }
}

/**
 * containerd 1.6 cannot tell the kubelet its cgroup driver (the RuntimeConfig call came with 1.7), so a mismatch
 * goes unnoticed on a real node until pods misbehave; the stand-in at least says so in its log.
 */
async function warnOnCgroupDriverMismatch(cri: CriClient, kubeletDriver: string): Promise<void> {
  try {
    const info = (await cri.status(true)).info as Record<string, string>;
    const config = JSON.parse(info.config ?? '{}') as { containerd?: { defaultRuntimeName?: string; runtimes?: Record<string, { options?: { SystemdCgroup?: boolean } }> } };
    const runtime = config.containerd?.runtimes?.[config.containerd.defaultRuntimeName ?? 'runc'];
    const systemd = runtime?.options?.SystemdCgroup;
    if (typeof systemd !== 'boolean') return;
    const runtimeDriver = systemd ? 'systemd' : 'cgroupfs';
    if (runtimeDriver !== kubeletDriver) {
      log.warn('cgroup driver mismatch between the kubelet and the container runtime', { kubeletCgroupDriver: kubeletDriver, runtimeCgroupDriver: runtimeDriver });
    }
  } catch {
    // Status without verbose info: nothing to compare.
  }
}

export async function runKubelet(argv: string[], options: KubeletOptions = {}): Promise<{ stop: (killPods?: boolean) => Promise<void> }> {
  const version = labKubernetesVersion();
  const flags = parseKubeletFlags(argv, version);
  if (flags.values.version) {
    process.stdout.write(`Kubernetes ${version}\n`);
    return { stop: async () => undefined };
  }
  if (flags.values.help) {
    process.stdout.write(kubeletHelp(version));
    return { stop: async () => undefined };
  }
  const settings = kubeletSettings(flags);
  log.info('Kubelet version (bootstrap e2e lab stand-in)', { kubeletVersion: version });
  // Only the kubelet process itself exits when it is left without a client certificate (tests pass no exit).
  const api = await connectToApiServer(settings, undefined, options.exitOnLostCertificate);
  if (settings.podInfraContainerImage) {
    log.info('The pod sandbox image is chosen by the container runtime; --pod-infra-container-image only pins it', { image: settings.podInfraContainerImage });
  }
  const cri = new CriClient(settings.runtimeEndpoint, settings.imageEndpoint, 10_000);
  for (let attempt = 0; ; attempt++) {
    try {
      const v = await cri.version();
      log.info('Container runtime initialized', { containerRuntime: v.runtimeName, version: v.runtimeVersion, apiVersion: v.runtimeApiVersion });
      break;
    } catch (e) {
      if (attempt >= 30) throw new Error(`failed to run Kubelet: validate service connection: validate CRI v1 runtime API for endpoint "${settings.runtimeEndpoint}": ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  await warnOnCgroupDriverMismatch(cri, settings.cgroupDriver);
  const healthz = await serveHealthz(settings);
  log.info('Starting to listen for healthz', { address: `${settings.healthzBindAddress}:${settings.healthzPort}` });
  const deps: WorkerDeps = {
    cri,
    puller: new ImagePuller(cri, logger('image_manager.go'), settings.maxParallelImagePulls, settings.rootDir),
    log: logger('pod_workers.go'),
    rootDir: settings.rootDir,
    podLogsDir: options.podLogsDir ?? settings.podLogsDir,
    runtimeRequestTimeoutMs: settings.runtimeRequestTimeoutMs,
    backoff: options.backoff,
  };
  if (!settings.staticPodPath) log.info('No static pod path configured (staticPodPath); running no pods');
  else log.info('Adding static pod path', { path: settings.staticPodPath });
  const manager = new StaticPodManager(settings, deps, logger('config/file.go'), options.debounceMs);
  await manager.start();
  let agent: NodeAgent | undefined;
  let apiPods: ApiPodManager | undefined;
  if (api) {
    const machine = machineInfo(settings.rootDir);
    agent = new NodeAgent({
      client: api.client,
      settings: {
        nodeName: settings.nodeName,
        hostname: settings.hostname,
        nodeIP: settings.nodeIP,
        nodeLabels: settings.nodeLabels,
        registerWithTaints: settings.registerWithTaints,
        kubeletVersion: version,
        maxPods: settings.maxPods,
        kubeletPort: settings.port,
        rootDir: settings.rootDir,
      },
      machine,
      runtime: async () => {
        const v = await cri.version();
        return { info: { runtimeName: v.runtimeName as string, runtimeVersion: v.runtimeVersion as string }, status: await cri.status(false) };
      },
      log: logger('kubelet_node_status.go'),
      leaseLog: logger('controller.go'),
      registerNode: settings.registerNode,
      statusUpdateFrequencyMs: settings.nodeStatusUpdateFrequencyMs,
      leaseDurationSeconds: settings.nodeLeaseDurationSeconds,
    });
    agent.start();
    apiPods = new ApiPodManager(
      api.client,
      { nodeName: settings.nodeName, hostIP: settings.nodeIP ?? machine.address ?? '127.0.0.1', kubeletVersion: version },
      { ...deps, log: logger('kuberuntime_manager.go') },
      logger('kubelet.go'),
    );
    apiPods.start();
  }
  return {
    stop: async (killPods = false) => {
      api?.stopWatchdog?.();
      api?.certificates?.stop();
      await agent?.stop();
      await apiPods?.close(killPods);
      await manager.close(killPods);
      await new Promise<void>((r) => (healthz ? healthz.close(() => r()) : r()));
      cri.close();
    },
  };
}

if (process.argv[1] && /kubelet(\.js)?$/.test(process.argv[1])) {
  // As the real binary: `ps` and `ss -p` show "kubelet", not "node".
  process.title = 'kubelet';
  runKubelet(process.argv.slice(2), { exitOnLostCertificate: () => process.exit(1) })
    .then((kubelet) => {
      const shutdown = (): void => {
        log.info('Shutting down (pods keep running)');
        void kubelet.stop(false).then(() => process.exit(0));
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
    })
    .catch((e: Error) => {
      // The real kubelet logs this line and exits 1; systemd restarts it (Restart=always, RestartSec=10).
      log.error('command failed', { err: e.message });
      process.exit(1);
    });
}
