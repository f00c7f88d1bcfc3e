/**
 * What one run of a command (up, reset, status) knows: the inventory, the options, what phases share, and per
 * host what was learnt and done, with each phase's typed result. Passed to every phase; there are no
 * module-level flags or caches. The pipeline sits below the phases: it knows the Phase type, not the phases.
 */
import type { HostSpec, Inventory, RenderedFile } from '../inventory/types.js';
import type { RenderInputs } from '../render/index.js';
import type { FileHashes, Host } from '../transport/host.js';
import { ReadOnlyHost } from '../transport/read-only.js';

export interface UpOptions {
  /** Connect and gather facts, print what would change, change nothing. */
  dryRun?: boolean;
  /** Hosts worked on at once in each phase. */
  concurrency?: number;
  acceptNewHostKeys?: boolean;
  /** The OpenSSH client configuration to read instead of ~/.ssh/config and /etc/ssh/ssh_config (ssh's -F). */
  sshConfigFile?: string;
  /** kubeadm preflight check names to downgrade to warnings, or ["all"]. */
  ignorePreflightErrors?: string[];
  /** Overrides the inventory's wait.timeout. */
  waitTimeoutMs?: number;
  /** Asks the user (passphrases, sudo passwords); absent when not interactive. */
  prompt?: (question: string, secret: boolean) => Promise<string>;
  /** How hosts are reached; SSH by default. Tests pass the lab or an in-memory host. */
  connect?: (host: HostSpec, options: UpOptions) => Promise<Host>;
  /** 'default' draws progress on a terminal, 'simple' prints timestamped lines, 'silent' prints nothing. */
  renderer?: 'default' | 'simple' | 'silent';
  signal?: AbortSignal;
}

/** What the connect phase learns about a host in one round trip. */
export interface HostFacts {
  hostname: string;
  os: string;
  arch: string;
  kernel: string;
  isRoot: boolean;
  cpus: number;
  memoryMiB: number;
  swapOn: boolean;
  /** Present CRI sockets among those kubeadm probes for the version (URLs). */
  criSockets: string[];
  /** The socket used: the inventory's, or the one kubeadm's rules detect (its default when none answers). */
  criSocket?: string;
  /** Several runtimes answered and the inventory names none: kubeadm refuses to choose (preflight reports it). */
  criSocketConflict?: string[];
  binaries: Record<string, string | undefined>;
  /** Listening TCP ports and the program holding each. */
  listening: Map<number, string>;
  sysctl: Record<string, string | undefined>;
  systemdResolved: boolean;
  kubeletActive: boolean;
}

export type ImageOutcome = 'present' | 'pulled' | 'missing' | 'would-pull' | 'failed';

export interface ImageResult {
  image: string;
  outcome: ImageOutcome;
  seconds: number;
  attempts: number;
  error?: string;
}

export interface ComponentStatus {
  name: string;
  healthy: boolean;
  detail: string;
  diagnosis?: string[];
}

/**
 * Each phase's typed result on a host, by phase name. A phase declares its own by augmenting this interface
 * beside its code (`declare module '../pipeline/context.js' { interface PhaseResults { … } }`), so the pipeline
 * carries results without knowing the phases.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PhaseResults {}

export interface HostRun {
  spec: HostSpec;
  /** The phase last started on this host, and whether it had finished there: where an interrupt found it. */
  phase?: { name: string; done: boolean };
  /** The connection, opened by the connect phase and closed by the pipeline. Phases reach it through hostOf() and wet(). */
  host?: Host;
  facts?: HostFacts;
  /** Everything `up` writes on this host (control planes), rendered once per run. */
  files?: RenderedFile[];
  /** SHA-256 and mode of those paths as found on the host before writing. */
  found?: FileHashes;
  /** Paths written, or that would be written in a dry run. */
  changed: string[];
  images: ImageResult[];
  components: ComponentStatus[];
  warnings: string[];
  /** What a dry run would do, or what a real run did, in words. */
  actions: string[];
  /** Lines for the final report (patches applied, preflight warnings…). */
  notes: string[];
  kubeletRestarted: boolean;
  /** What each phase that ran on this host found or made, typed per phase. */
  results: Partial<PhaseResults>;
  error?: Error;
}

/** Where `up` keeps the files it replaces on a host, one folder per run; `reset` removes it. */
export const BACKUP_ROOT = '/var/lib/bootstrap/backups';

export interface UpContext {
  inv: Inventory;
  options: UpOptions;
  hosts: HostRun[];
  /** Where replaced files are kept on hosts: /var/lib/bootstrap/backups/<run timestamp>. */
  backupDir: string;
  startedAt: Date;
  /** The cluster's CAs and patches, loaded once per run when the first control-plane host needs them. */
  renderInputs?: Promise<RenderInputs>;
  /** What phases load once per run and share between hosts (see oncePerRun). */
  shared: Map<string, Promise<unknown>>;
  /** Run once at the end of the run, before connections close (e.g. closing a tunnel to the API server). */
  cleanups: (() => Promise<void>)[];
}

/** How long waits may take in this run: --wait-timeout, else the inventory's wait.timeout. */
export function waitTimeoutMs(ctx: UpContext): number {
  return ctx.options.waitTimeoutMs ?? ctx.inv.wait.timeoutMs;
}

/** The value made once per run under this key (e.g. registry credentials): the first host makes it, the others wait for it. */
export function oncePerRun<T>(ctx: UpContext, key: string, make: () => Promise<T>): Promise<T> {
  let value = ctx.shared.get(key) as Promise<T> | undefined;
  if (!value) ctx.shared.set(key, (value = make()));
  return value;
}

export function newHostRun(spec: HostSpec): HostRun {
  return { spec, changed: [], images: [], components: [], warnings: [], actions: [], notes: [], kubeletRestarted: false, results: {} };
}

/** The part every per-host report shares (up, reset): who the host is and whether it went well. */
export function hostOutcome(h: HostRun): { name: string; address: string; roles: string[]; ok: boolean; error?: string } {
  return { name: h.spec.name, address: h.spec.address, roles: h.spec.roles, ok: !h.error, error: h.error?.message };
}

export function isControlPlane(h: HostRun): boolean {
  return h.spec.roles.includes('control-plane');
}

const views = new WeakMap<Host, Host>();

/**
 * The host as phases see it: read-only (files read and hashed, tunnels, commands marked readOnly). Changes go
 * through wet() (phase.ts), which hands out the connection itself and never does in a dry run.
 */
export function hostOf(h: HostRun): Host {
  const host = connectionOf(h);
  let view = views.get(host);
  if (!view) views.set(host, (view = new ReadOnlyHost(host, 'outside wet(): changes to a host go through wet()')));
  return view;
}

/** The connection itself: for the pipeline (wet, closing) only. */
export function connectionOf(h: HostRun): Host {
  if (!h.host) throw new Error(`${h.spec.name}: not connected`);
  return h.host;
}

export function factsOf(h: HostRun): HostFacts {
  if (!h.facts) throw new Error(`${h.spec.name}: facts were not gathered`);
  return h.facts;
}

/** 20261122T153000Z: the folder name of this run's backups on every host. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function newContext(inv: Inventory, options: UpOptions): UpContext {
  const startedAt = new Date();
  return {
    inv,
    options,
    hosts: inv.hosts.map(newHostRun),
    backupDir: `${BACKUP_ROOT}/${stamp(startedAt)}`,
    startedAt,
    shared: new Map(),
    cleanups: [],
  };
}
