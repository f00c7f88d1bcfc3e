/**
 * The kubelet's Node object and Lease, as pkg/kubelet/kubelet_node_status.go, pkg/kubelet/nodestatus/setters.go and
 * pkg/kubelet/nodelease build them: registration (POST, on AlreadyExists reconcile the existing Node), status every
 * nodeStatusUpdateFrequency and at once when readiness changes, and the kube-node-lease Lease renewed every
 * quarter of nodeLeaseDurationSeconds. Readiness comes from the container runtime's CRI Status, so a node without a
 * CNI configuration reports the runtime's own "cni plugin not initialized".
 */
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, networkInterfaces, release, totalmem } from 'node:os';
import { ApiError, isAlreadyExists, isNotFound, type ApiClient } from './apiclient.js';
import type { Logger } from './log.js';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeSettings {
  nodeName: string;
  hostname: string;
  /** --node-ip (first of a dual-stack pair). */
  nodeIP?: string;
  /** --node-labels as key=value pairs. */
  nodeLabels: Record<string, string>;
  registerWithTaints: Taint[];
  kubeletVersion: string;
  maxPods: number;
  kubeletPort: number;
  rootDir: string;
}

export interface MachineInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  cpu: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  address?: string;
}

function readTrim(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

export function goArch(nodeArch = arch()): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

/** PRETTY_NAME of /etc/os-release, as cadvisor reports the OS image ("Debian GNU/Linux 12 (bookworm)"). */
export function osImage(osRelease = readTrim('/etc/os-release')): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (!m) return 'Linux';
  return m[1]!.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

/** The first non-loopback IPv4 address: what the kubelet finds for the node's hostname on a lab node. */
export function defaultAddress(): string | undefined {
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (name === 'lo') continue;
    const v4 = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  return undefined;
}

export function machineInfo(rootDir: string): MachineInfo {
  let ephemeral = 0;
  try {
    const s = statfsSync(rootDir);
    ephemeral = s.blocks * s.bsize;
  } catch {
    try {
      const s = statfsSync('/');
      ephemeral = s.blocks * s.bsize;
    } catch {
      ephemeral = 0;
    }
  }
  return {
    machineID: readTrim('/etc/machine-id'),
    systemUUID: readTrim('/sys/class/dmi/id/product_uuid'),
    bootID: readTrim('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: osImage(),
    architecture: goArch(),
    cpu: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes: ephemeral,
    address: defaultAddress(),
  };
}

/** Parses --node-labels / --register-with-taints style lists. */
export function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    labels[eq >= 0 ? pair.slice(0, eq) : pair] = eq >= 0 ? pair.slice(eq + 1) : '';
  }
  return labels;
}

/** "key=value:Effect" or "key:Effect" items, comma separated (--register-with-taints). */
export function parseTaints(text: string | undefined): Taint[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const colon = item.lastIndexOf(':');
      const kv = colon >= 0 ? item.slice(0, colon) : item;
      const effect = colon >= 0 ? item.slice(colon + 1) : '';
      const eq = kv.indexOf('=');
      return eq >= 0 ? { key: kv.slice(0, eq), value: kv.slice(eq + 1), effect } : { key: kv, effect };
    });
}

/** CRI RuntimeCondition as the kubelet prints it: "NetworkReady=false reason:… message:…". */
function conditionString(c: { type?: string; status?: boolean; reason?: string; message?: string } | undefined, type: string): string {
  if (!c) return '<nil>';
  return `${c.type ?? type}=${Boolean(c.status)} reason:${c.reason ?? ''} message:${c.message ?? ''}`;
}

/**
 * The kubelet's runtime state from a CRI Status answer (kubelet.go updateRuntimeUp): the errors that keep the node
 * NotReady, in the order ReadyCondition joins them.
 */
export function runtimeErrors(status: { status?: { conditions?: { type?: string; status?: boolean; reason?: string; message?: string }[] } } | undefined): string[] {
  if (!status) return ['container runtime status check may not have completed yet'];
  const conditions = status.status?.conditions ?? [];
  const runtime = conditions.find((c) => c.type === 'RuntimeReady');
  const network = conditions.find((c) => c.type === 'NetworkReady');
  const errs: string[] = [];
  if (!runtime?.status) errs.push(`container runtime not ready: ${conditionString(runtime, 'RuntimeReady')}`);
  if (!network?.status) errs.push(`container runtime network not ready: ${conditionString(network, 'NetworkReady')}`);
  return errs;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** metav1.Time: RFC 3339 with seconds. */
export function metaTime(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(d = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** utilerrors.NewAggregate(errs).Error(): one error as it is, several as "[a, b]". */
function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`;
}

/** The node conditions setters.go writes, keeping lastTransitionTime while a condition's status stays the same. */
export function nodeConditions(errs: string[], previous: NodeCondition[] = [], now = new Date()): NodeCondition[] {
  const t = metaTime(now);
  const make = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const old = previous.find((c) => c.type === type);
    return { type, status, lastHeartbeatTime: t, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : t, reason, message };
  };
  return [
    make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    errs.length === 0 ? make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status') : make('Ready', 'False', 'KubeletNotReady', aggregate(errs)),
  ];
}

const KI = 1024;

/** capacity and allocatable as the kubelet computes them with the default eviction thresholds (memory.available<100Mi, nodefs.available<10%). */
export function resources(m: MachineInfo, maxPods: number): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const memKi = Math.floor(m.memoryBytes / KI);
  const storageKi = Math.floor(m.ephemeralStorageBytes / KI);
  const capacity = {
    cpu: String(m.cpu),
    'ephemeral-storage': `${storageKi}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memKi}Ki`,
    pods: String(maxPods),
  };
  const allocatable = {
    cpu: String(m.cpu),
    'ephemeral-storage': String(Math.floor(m.ephemeralStorageBytes * 0.9)),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${Math.max(0, memKi - 100 * KI)}Ki`,
    pods: String(maxPods),
  };
  return { capacity, allocatable };
}

export interface RuntimeInfo {
  runtimeName: string;
  runtimeVersion: string;
}

export function reportsKubeProxyVersion(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return !m || (Number(m[1]) === 1 && Number(m[2]) < 31);
}

/** status of the Node: addresses, nodeInfo, capacity, conditions, daemonEndpoints. */
export function nodeStatus(s: NodeSettings, m: MachineInfo, runtime: RuntimeInfo, errs: string[], previous: NodeCondition[] = [], now = new Date()): Record<string, unknown> {
  const address = s.nodeIP ?? m.address;
  return {
    addresses: [...(address ? [{ type: 'InternalIP', address }] : []), { type: 'Hostname', address: s.hostname }],
    ...resources(m, s.maxPods),
    conditions: nodeConditions(errs, previous, now),
    daemonEndpoints: { kubeletEndpoint: { Port: s.kubeletPort } },
    nodeInfo: {
      architecture: m.architecture,
      bootID: m.bootID,
      containerRuntimeVersion: `${runtime.runtimeName}://${runtime.runtimeVersion}`,
      kernelVersion: m.kernelVersion,
      // DisableNodeKubeProxyVersion (on by default from v1.31) leaves the deprecated field empty.
      kubeProxyVersion: reportsKubeProxyVersion(s.kubeletVersion) ? s.kubeletVersion : '',
      kubeletVersion: s.kubeletVersion,
      machineID: m.machineID,
      operatingSystem: 'linux',
      osImage: m.osImage,
      systemUUID: m.systemUUID,
    },
  };
}

/** The labels the kubelet always sets (updateDefaultLabels keeps them current on an existing Node). */
export function defaultLabels(s: NodeSettings, m: MachineInfo): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': m.architecture,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': m.architecture,
    'kubernetes.io/hostname': s.hostname,
    'kubernetes.io/os': 'linux',
  };
}

export const CMAD_ANNOTATION = 'volumes.kubernetes.io/controller-managed-attach-detach';

/** initialNode: the Node the kubelet registers. */
export function initialNode(s: NodeSettings, m: MachineInfo, runtime: RuntimeInfo, errs: string[], now = new Date()): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: s.nodeName,
      labels: { ...defaultLabels(s, m), ...s.nodeLabels },
      annotations: { [CMAD_ANNOTATION]: 'true' },
    },
    spec: s.registerWithTaints.length > 0 ? { taints: s.registerWithTaints } : {},
    status: nodeStatus(s, m, runtime, errs, [], now),
  };
}

/** The Lease object of kube-node-lease/<node>. */
export function nodeLease(nodeName: string, durationSeconds: number, owner: { name: string; uid?: string } | undefined, now = new Date()): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: nodeName,
      namespace: 'kube-node-lease',
      ...(owner?.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: owner.name, uid: owner.uid }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: durationSeconds, renewTime: microTime(now) },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface NodeAgentOptions {
  client: ApiClient;
  settings: NodeSettings;
  machine: MachineInfo;
  /** Asks the runtime (CRI Version + Status); throws when it is unreachable. */
  runtime: () => Promise<{ info: RuntimeInfo; status: Parameters<typeof runtimeErrors>[0] }>;
  log: Logger;
  leaseLog: Logger;
  registerNode: boolean;
  statusUpdateFrequencyMs: number;
  leaseDurationSeconds: number;
  /** How often the runtime's state is checked for a readiness change (the kubelet: every 5 s). */
  runtimeCheckMs?: number;
}

type NodeObj = { metadata?: { name?: string; uid?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; status?: { conditions?: NodeCondition[] } };

/** Registration, status updates and the node lease of one kubelet. */
export class NodeAgent {
  private stopped = false;
  private conditions: NodeCondition[] = [];
  private runtimeInfo: RuntimeInfo = { runtimeName: 'containerd', runtimeVersion: '' };
  /** Before the first runtime check and pod relist, as the kubelet reports at start-up. */
  private errs: string[] = ['container runtime status check may not have completed yet', 'PLEG is not healthy: pleg has yet to be successful'];
  private registered = false;
  private nodeUid: string | undefined;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();
  private statusNow: (() => void) | undefined;
  private statusDue = false;

  constructor(private readonly o: NodeAgentOptions) {}

  private get path(): string {
    return `/api/v1/nodes/${this.o.settings.nodeName}`;
  }

  private async pause(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.wakers.delete(done);
        clearTimeout(t);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  start(): void {
    // A failure in one loop is logged and ends that loop only: static pods never depend on the API.
    const guard = (name: string, loop: Promise<void>): Promise<void> => loop.catch((e: Error) => this.o.log.error(`${name} stopped`, { err: e.message }));
    this.loops.push(guard('runtime check', this.runtimeLoop()), guard('node status', this.statusLoop()), guard('node lease', this.leaseLoop()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of [...this.wakers]) w();
    await Promise.all(this.loops);
  }

  get isRegistered(): boolean {
    return this.registered;
  }

  /** updateRuntimeUp: refresh the runtime errors; a readiness change triggers a status update at once. */
  async checkRuntime(): Promise<void> {
    let errs: string[];
    try {
      const { info, status } = await this.o.runtime();
      this.runtimeInfo = info;
      errs = runtimeErrors(status);
    } catch (e) {
      errs = [`container runtime is down`];
      void e;
    }
    const wasReady = this.errs.length === 0;
    const changed = errs.join('\n') !== this.errs.join('\n');
    if (errs.some((x) => x.startsWith('container runtime network not ready')) && changed) {
      this.o.log.error('Container runtime network not ready', { networkReady: errs.find((x) => x.startsWith('container runtime network not ready'))!.replace('container runtime network not ready: ', '') });
    }
    this.errs = errs;
    if (changed && wasReady !== (errs.length === 0)) {
      // Remembered even while an update is under way, so the change is posted right after it.
      this.statusDue = true;
      this.statusNow?.();
    }
  }

  private async runtimeLoop(): Promise<void> {
    while (!this.stopped) {
      await this.checkRuntime();
      await this.pause(this.o.runtimeCheckMs ?? 5000);
    }
  }

  /** registerWithAPIServer: retries with 100 ms doubling to 7 s until the Node exists. */
  async register(): Promise<void> {
    let step = 100;
    while (!this.stopped) {
      this.o.log.info('Attempting to register node', { node: this.o.settings.nodeName });
      if (await this.tryRegister()) {
        this.o.log.info('Successfully registered node', { node: this.o.settings.nodeName });
        this.registered = true;
        return;
      }
      await this.pause(step);
      step = Math.min(step * 2, 7000);
    }
  }

  private async tryRegister(): Promise<boolean> {
    const s = this.o.settings;
    const node = initialNode(s, this.o.machine, this.runtimeInfo, this.errs);
    try {
      const created = await this.o.client.request<NodeObj>('POST', '/api/v1/nodes', node);
      this.nodeUid = created.metadata?.uid;
      this.conditions = created.status?.conditions ?? (node.status as { conditions: NodeCondition[] }).conditions;
      return true;
    } catch (e) {
      if (!isAlreadyExists(e)) {
        this.o.log.error('Unable to register node with API server', { err: (e as Error).message, node: s.nodeName });
        return false;
      }
    }
    let existing: NodeObj;
    try {
      existing = await this.o.client.request<NodeObj>('GET', this.path);
    } catch (e) {
      this.o.log.error('Unable to register node with API server, error getting existing node', { err: (e as Error).message, node: s.nodeName });
      return false;
    }
    this.o.log.info('Node was previously registered', { node: s.nodeName });
    this.nodeUid = existing.metadata?.uid;
    this.conditions = existing.status?.conditions ?? [];
    // reconcileCMADAnnotationWithExistingNode + updateDefaultLabels.
    const labels = { ...(existing.metadata?.labels ?? {}) };
    const annotations = { ...(existing.metadata?.annotations ?? {}) };
    let changed = false;
    for (const [k, v] of Object.entries(defaultLabels(s, this.o.machine))) {
      if (labels[k] !== v) {
        labels[k] = v;
        changed = true;
      }
    }
    if (annotations[CMAD_ANNOTATION] !== 'true') {
      annotations[CMAD_ANNOTATION] = 'true';
      changed = true;
    }
    if (changed) {
      try {
        await this.o.client.request('PATCH', `${this.path}/status`, { metadata: { labels, annotations } }, 'application/strategic-merge-patch+json');
      } catch (e) {
        this.o.log.error('Unable to reconcile node with API server,error updating node', { err: (e as Error).message, node: s.nodeName });
        return false;
      }
    }
    return true;
  }

  /** tryUpdateNodeStatus: the status as the setters compute it, patched onto nodes/<name>/status. */
  async updateStatus(): Promise<void> {
    const s = this.o.settings;
    const existing = await this.o.client.request<NodeObj>('GET', this.path);
    this.nodeUid = existing.metadata?.uid ?? this.nodeUid;
    const previous = existing.status?.conditions ?? this.conditions;
    const status = nodeStatus(s, this.o.machine, this.runtimeInfo, this.errs, previous);
    const conditions = status.conditions as NodeCondition[];
    const wasReady = previous.find((c) => c.type === 'Ready');
    const ready = conditions.find((c) => c.type === 'Ready')!;
    if (wasReady && wasReady.status !== ready.status) {
      if (ready.status === 'True') this.o.log.info('Node became ready', { node: s.nodeName });
      else this.o.log.info('Node became not ready', { node: s.nodeName, condition: ready });
    } else if (!wasReady && ready.status !== 'True') {
      this.o.log.info('Node became not ready', { node: s.nodeName, condition: ready });
    }
    const labels = { ...(existing.metadata?.labels ?? {}) };
    let labelsChanged = false;
    for (const [k, v] of Object.entries(defaultLabels(s, this.o.machine))) {
      if (labels[k] !== v) {
        labels[k] = v;
        labelsChanged = true;
      }
    }
    const patch = { ...(labelsChanged ? { metadata: { labels } } : {}), status };
    await this.o.client.request('PATCH', `${this.path}/status`, patch, 'application/strategic-merge-patch+json');
    this.conditions = conditions;
  }

  private async statusLoop(): Promise<void> {
    if (this.o.registerNode) await this.register();
    let failures = 0;
    while (!this.stopped) {
      try {
        this.statusDue = false;
        await this.updateStatus();
        failures = 0;
      } catch (e) {
        // nodeStatusUpdateRetry = 5 tries per round.
        failures++;
        this.o.log.error('Error updating node status, will retry', { err: (e as Error).message });
        if (failures >= 5) {
          this.o.log.error('Unable to update node status', { err: 'update node status exceeds retry count' });
          failures = 0;
        } else {
          await this.pause(200);
          continue;
        }
      }
      if (this.statusDue) continue;
      await new Promise<void>((resolve) => {
        this.statusNow = resolve;
        void this.pause(this.o.statusUpdateFrequencyMs).then(resolve);
      });
      this.statusNow = undefined;
    }
  }

  /** nodelease controller: ensure the Lease exists, then renew it every leaseDuration/4. */
  async renewLease(): Promise<void> {
    const s = this.o.settings;
    const base = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    const owner = this.nodeUid ? { name: s.nodeName, uid: this.nodeUid } : undefined;
    let lease: Record<string, any>;
    try {
      lease = await this.o.client.request('GET', `${base}/${s.nodeName}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await this.o.client.request('POST', base, nodeLease(s.nodeName, this.o.leaseDurationSeconds, owner));
      return;
    }
    const fresh = nodeLease(s.nodeName, this.o.leaseDurationSeconds, owner) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    lease.spec = { ...(lease.spec ?? {}), ...fresh.spec };
    if (owner && !(lease.metadata?.ownerReferences?.length > 0)) lease.metadata = { ...lease.metadata, ownerReferences: fresh.metadata.ownerReferences };
    await this.o.client.request('PUT', `${base}/${s.nodeName}`, lease);
  }

  private async leaseLoop(): Promise<void> {
    const interval = (this.o.leaseDurationSeconds * 1000) / 4;
    let retry = 200;
    while (!this.stopped) {
      try {
        await this.renewLease();
        retry = 200;
        await this.pause(interval);
      } catch (e) {
        const conflict = e instanceof ApiError && e.code === 409;
        this.o.leaseLog.error(conflict ? 'Failed to update lease' : 'Failed to ensure lease exists, will retry', { err: (e as Error).message, interval: `${retry / 1000}s` });
        await this.pause(retry);
        retry = Math.min(retry * 2, 7000);
      }
    }
  }
}

/** Small helper for callers that must wait for registration (tests). */
export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await sleep(100);
  }
  return check();
}
