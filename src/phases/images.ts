/**
 * images: pre-pulls, on every host, the images it will need, as `kubeadm config images pull` (control planes) and
 * kubelet (any node) would, so that later phases never wait on a registry.
 *
 *  - Control planes get the full catalog for the version (kube/images.ts catalogImages, with the inventory's
 *    imageRepository applied as render's imageFor applies it).
 *  - Workers get what a node runs once it has joined: pause (every Pod's sandbox), kube-proxy (a DaemonSet on
 *    every node) and CoreDNS (a Deployment the scheduler may place on any node). `kubeadm join` pulls nothing for
 *    a worker; kubelet would pull these on first use, so pulling them now moves the wait (and any registry
 *    failure) into this phase.
 *  - The tool is the one that version's kubeadm uses for the host's CRI socket: `docker pull` where
 *    kube/runtime.ts pullsWithDocker says so (before v1.24, dockershim), else `crictl pull` against the socket
 *    (kubeadm v1.20–v1.30 ran `crictl -r SOCKET pull IMAGE`; v1.31+ calls the same CRI PullImage directly).
 *  - pullPolicy IfNotPresent lists the runtime's images once (one round trip) and pulls what is missing; Always
 *    pulls everything; Never pulls nothing and fails, listing every missing image, before any later phase writes.
 *  - At most images.parallel pulls at once per host, each with a timeout, retried with back-off only for
 *    errors that can pass (timeouts, 5xx, connections), images.retries tries in all.
 *  - Private-registry credentials travel on standard input only (see credentials.ts and pullCommand).
 */
import { crictlCredentialChannel, crictlPullWithUsernameArgv, listImagesArgv, pullImageArgv } from '../kube/cri-commands.js';
import { parseCrictlImages, parseDockerImages, RuntimeImages, RuntimeOutputError } from '../kube/cri-output.js';
import { criToolFor, type CriTool } from '../kube/cri-socket.js';
import { shortImageName } from '../kube/image-ref.js';
import { catalogImages, type Component } from '../kube/images.js';
import { defaultCriSocket } from '../kube/runtime.js';
import { clusterVersion } from '../kube/version.js';
import type { Inventory, HostSpec } from '../inventory/types.js';
import { factsOf, hostOf, oncePerRun, type HostFacts, type HostRun, type ImageResult, type UpContext } from '../pipeline/context.js';
import { wet, type Phase } from '../pipeline/phase.js';
import type { ExecResult, Host } from '../transport/host.js';
import { formatDuration } from '../util/duration.js';
import { retry } from '../util/retry.js';
import { loadRegistryCredentials, type RegistryCredential, type RegistryCredentials } from '../registries/credentials.js';
import { HostError } from '../util/errors.js';

export { parseCrictlImages, parseDockerImages } from '../kube/cri-output.js';

/** What a worker runs once joined: pause for every sandbox, the kube-proxy DaemonSet, CoreDNS's Deployment. */
export const WORKER_COMPONENTS: readonly Component[] = ['kube-proxy', 'coredns', 'pause'];

/**
 * The images a host needs, in the order `kubeadm config images list` prints them. No etcd image with an external
 * etcd: kubeadm's GetControlPlaneImages adds it only `if cfg.Etcd.Local != nil` (app/images/images.go).
 */
export function imagesForHost(inv: Inventory, spec: HostSpec): string[] {
  const controlPlane = spec.roles.includes('control-plane');
  return catalogImages(clusterVersion(inv), inv.cluster.imageRepository)
    .filter((c) => controlPlane || WORKER_COMPONENTS.includes(c.component))
    .filter((c) => !(c.component === 'etcd' && inv.cluster.etcd.external))
    .map((c) => c.image);
}

/** How images are listed and pulled on a host (kube/cri-socket.ts CriTool). */
export type PullTool = CriTool;

/**
 * crictl v1.24–v1.25 reads its --auth flag from CRICTL_AUTH (cri-tools cmd/crictl/image.go). The value is read
 * from standard input into the environment of crictl alone, so it is never in an argv (a remote `ps` shows argv);
 * it is in crictl's /proc/<pid>/environ, which root can read, while the pull runs. crictl v1.26+ is given the
 * password on a terminal instead (pullCommand), where no process holds it but crictl's own memory.
 */
export const CRICTL_AUTH_SCRIPT = 'IFS= read -r CRICTL_AUTH; export CRICTL_AUTH; exec "$@"';

/**
 * docker pull reads credentials from a config directory only. A private one (mktemp -d: 0700) gets the
 * config.json from standard input and is removed when the pull ends, however it ends. Argument: the image.
 */
export const DOCKER_CONFIG_SCRIPT = [
  'umask 077',
  'dir=$(mktemp -d) || exit 1',
  "trap 'rm -rf \"$dir\"' EXIT",
  "trap 'exit 143' HUP INT TERM",
  'cat > "$dir/config.json" || exit 1',
  'docker --config "$dir" pull "$1"',
].join('\n');

export interface PullCommand {
  argv: string[];
  /** Only set when credentials are used: they travel here and nowhere else. */
  stdin?: string;
  /** stdin is typed on a terminal (ExecOptions.terminal): crictl --username reads the password only from one. */
  terminal?: boolean;
}

/**
 * The command that pulls one image, with the registry's credentials on standard input when there are some:
 * docker gets a private config directory; crictl v1.26+ the password on a terminal (`--username`), unless the
 * command goes through sudo (which, when it asks its own password, discards what a terminal typed ahead); other
 * crictl CRICTL_AUTH. A crictl older than v1.24 could only take them on its command line, and is refused.
 */
export function pullCommand(tool: CriTool, image: string, credential?: RegistryCredential, options: { throughSudo?: boolean } = {}): PullCommand {
  const pull = pullImageArgv(tool, image);
  if (!credential) return { argv: pull };
  if (tool.kind === 'docker') return { argv: ['sh', '-c', DOCKER_CONFIG_SCRIPT, 'sh', image], stdin: credential.dockerConfigForStdin() };
  const channel = crictlCredentialChannel(tool.version);
  if (channel === 'terminal' && !options.throughSudo) {
    return { argv: crictlPullWithUsernameArgv(tool.socket, credential.username, image), stdin: `${credential.passwordForStdin()}\n`, terminal: true };
  }
  if (channel === undefined) throw new CrictlCredentialsError(tool.version ?? 'unknown');
  return { argv: ['sh', '-c', CRICTL_AUTH_SCRIPT, 'sh', ...pull], stdin: `${credential.authForStdin()}\n` };
}

/** crictl older than v1.24 takes credentials only on its command line: refused, never retried. */
export class CrictlCredentialsError extends HostError {
  override name = 'CrictlCredentialsError';
  constructor(version: string) {
    super(
      `crictl ${version} takes registry credentials only on its command line, where every user of the host could read them: ` +
        'install cri-tools v1.26 or newer (v1.24 and v1.25 read them from their environment)',
    );
    this.stack = `${this.name}: ${this.message}`;
  }
}

export class ImagesError extends HostError {
  override name = 'ImagesError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * pullPolicy Never with images missing. A class apart so that the orchestrator can stop every host (not just
 * this one) before anything is written, if it wants "Never" to mean "nothing anywhere".
 */
export class ImagesMissingError extends ImagesError {
  override name = 'ImagesMissingError';
  constructor(
    readonly host: string,
    readonly missing: readonly string[],
    total: number,
  ) {
    super(
      `images.pullPolicy is Never and ${missing.length} of ${total} image(s) are missing on ${host}:\n` +
        missing.map((i) => `  ${i}`).join('\n') +
        '\nload them into the runtime first, or set images.pullPolicy to IfNotPresent',
    );
  }
}

/**
 * Errors that will not pass by trying again: the image or the credentials are wrong. Status codes are matched
 * with their reason text, never as bare numbers (crictl's klog header carries a PID and microseconds).
 */
const PERMANENT = [
  /\bnot found\b|manifest unknown|name unknown|repository does not exist/i,
  /unauthorized|authentication required|authorization failed|no basic auth credentials/i,
  /forbidden|denied/i,
  /invalid reference format/i,
  /unknown service runtime\.v1/i,
  /no such host/i,
  /x509:|certificate/i,
  /code = (NotFound|InvalidArgument|PermissionDenied|Unauthenticated|Unimplemented)\b/,
];
/** Errors that can pass: the registry or the network, for now. */
const TRANSIENT = [
  /\b5\d\d (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)/i,
  /status(?: code)?\W+5\d\d\b/i,
  /too many requests/i,
  /timeout|timed out|deadline exceeded/i,
  /connection (refused|reset|closed)|broken pipe|network is unreachable|no route to host/i,
  /\bEOF\b/,
  /temporary failure|server misbehaving/i,
  /code = (Unavailable|DeadlineExceeded|ResourceExhausted|Aborted)\b/,
];

/** Whether a failed pull's output says the error can pass (retry) or will not (stop at once). */
export function classifyPullError(output: string): 'transient' | 'permanent' {
  if (PERMANENT.some((re) => re.test(output))) return 'permanent';
  if (TRANSIENT.some((re) => re.test(output))) return 'transient';
  return 'permanent';
}

/**
 * crictl reports a failure as a logrus line, `time="…" level=fatal msg="pulling image: …"`: the message alone says
 * it, unquoted; other lines are kept as they are.
 */
export function fromLogLine(output: string): string {
  return output
    .split('\n')
    .map((line) => {
      const m = /^time="[^"]*" level=(?:fatal|error) msg="((?:[^"\\]|\\.)*)"\s*$/.exec(line);
      return m ? m[1]!.replace(/\\(.)/g, '$1') : line;
    })
    .join('\n');
}

/** One failed try at pulling one image; the message names the image and never a credential. Retryable when transient. */
export class PullError extends HostError {
  override name = 'PullError';
  readonly transient: boolean;
  constructor(image: string, result: ExecResult, timeoutMs: number, credential?: RegistryCredential) {
    const output = fromLogLine((result.stderr || result.stdout).trim());
    const detail = result.timedOut
      ? `timed out after ${formatDuration(timeoutMs)}`
      : output.split('\n').filter(Boolean).slice(-3).join('\n') || `exited ${result.code}`;
    const transient = result.timedOut === true || classifyPullError(output) === 'transient';
    super(`${image}: ${credential ? credential.redact(detail) : detail}`, { retryable: transient });
    this.transient = transient;
  }
}

export interface PullOptions {
  tool: CriTool;
  /** The images to pull, in order. */
  images: string[];
  /** Pulls at once on this host. */
  parallel: number;
  /** Tries per image in all (at least 1). */
  attempts: number;
  timeoutMs: number;
  credentials?: RegistryCredentials;
  /** Commands on this host go through sudo (ssh.sudo): crictl then gets credentials from its environment. */
  throughSudo?: boolean;
  firstDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  progress?: (line: string) => void;
  /** How often the progress line's seconds are refreshed. */
  tickMs?: number;
  now?: () => number;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** "pulling 3/7: etcd:3.5.9-0 (12s)", one entry per pull under way. */
export function pullProgress(active: { index: number; total: number; image: string; startedAt: number; attempt: number }[], now: number): string {
  const parts = active.map(
    (a) => `${a.index}/${a.total}: ${shortImageName(a.image)} (${Math.floor((now - a.startedAt) / 1000)}s${a.attempt > 1 ? `, try ${a.attempt}` : ''})`,
  );
  return `pulling ${parts.join(', ')}`;
}

/**
 * Pulls the images on one host, at most `parallel` at once, each retried as options say. Never throws for a
 * failed pull: each image's outcome (pulled or failed, with the reason) is in the result, in input order.
 */
export async function pullImages(host: Host, options: PullOptions): Promise<ImageResult[]> {
  const now = options.now ?? Date.now;
  const total = options.images.length;
  const results: ImageResult[] = new Array(total);
  const active = new Map<number, { index: number; total: number; image: string; startedAt: number; attempt: number }>();
  const show = () => {
    if (active.size) options.progress?.(pullProgress([...active.values()].sort((a, b) => a.index - b.index), now()));
  };
  const timer = options.progress ? setInterval(show, options.tickMs ?? 1000) : undefined;
  timer?.unref();

  const pullOne = async (i: number): Promise<ImageResult> => {
    const image = options.images[i]!;
    const credential = options.credentials?.forImage(image);
    const startedAt = now();
    const state = { index: i + 1, total, image, startedAt, attempt: 1 };
    active.set(i, state);
    show();
    let attempts = 0;
    try {
      await retry(
        async (attempt) => {
          attempts = attempt;
          state.attempt = attempt;
          const command = pullCommand(options.tool, image, credential, { throughSudo: options.throughSudo });
          const t0 = performance.now();
          const result = await host.exec(command.argv, {
            stdin: command.stdin,
            timeoutMs: options.timeoutMs,
            sudo: true,
            signal: options.signal,
            terminal: command.terminal,
          });
          // On a terminal crictl's prompt comes first in the output; what follows is what it said.
          if (command.terminal) result.stdout = result.stdout.replace(/^(.*\n)*?Enter Password:\n?/, '');
          // A transport may report a killed command by its exit status only; the clock says what happened.
          if (result.code !== 0 && performance.now() - t0 >= options.timeoutMs) result.timedOut = true;
          if (result.code !== 0 || result.timedOut) throw new PullError(image, result, options.timeoutMs, credential);
        },
        {
          attempts: Math.max(1, options.attempts),
          firstDelayMs: options.firstDelayMs ?? 1000,
          maxDelayMs: options.maxDelayMs ?? 30_000,
          signal: options.signal,
          onRetry: () => show(),
        },
      );
      return { image, outcome: 'pulled', seconds: seconds(now() - startedAt), attempts };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { image, outcome: 'failed', seconds: seconds(now() - startedAt), attempts, error: credential ? credential.redact(message) : message };
    } finally {
      active.delete(i);
      show();
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      results[i] = await pullOne(i);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(Math.max(1, options.parallel), total) }, worker));
  } finally {
    if (timer) clearInterval(timer);
  }
  return results;
}

/** The images the runtime has, found with one call. */
export async function listPresentImages(host: Host, tool: CriTool, timeoutMs = 60_000): Promise<RuntimeImages> {
  const argv = listImagesArgv(tool);
  const result = await host.exec(argv, { sudo: true, timeoutMs, readOnly: true });
  if (result.code !== 0 || result.timedOut) {
    const why = result.timedOut ? `timed out after ${formatDuration(timeoutMs)}` : (result.stderr || result.stdout).trim().split('\n').slice(-3).join('\n');
    throw new ImagesError(`${host.name}: listing the runtime's images (${tool.kind} images) failed: ${why}`);
  }
  try {
    return tool.kind === 'docker' ? parseDockerImages(result.stdout) : parseCrictlImages(result.stdout);
  } catch (error) {
    if (error instanceof RuntimeOutputError) throw new ImagesError(`${host.name}: ${error.message}`);
    throw error;
  }
}

/** The CRI socket the host's images go through, and a clear error when the tool for it is missing. */
function toolOf(ctx: UpContext, h: HostRun, facts: HostFacts): CriTool {
  const version = ctx.inv.cluster.kubernetesVersion;
  if (!facts.criSocket && facts.criSocketConflict?.length) {
    throw new ImagesError(
      `several container runtimes answer (${facts.criSocketConflict.join(', ')}) and the inventory names none: set criSocket for ${h.spec.name}`,
    );
  }
  const tool = criToolFor(version, facts.criSocket ?? defaultCriSocket(version));
  if (tool.kind === 'docker' && !facts.binaries.docker) {
    throw new ImagesError(`docker is not installed on ${h.spec.name}: kubeadm ${version} pulls images with docker for the dockershim socket`);
  }
  if (tool.kind === 'crictl' && !facts.binaries.crictl) {
    throw new ImagesError(`crictl is not installed on ${h.spec.name}: it pulls the images through ${tool.socket} (install cri-tools)`);
  }
  return tool.kind === 'crictl' && facts.binaries.crictlVersion ? { ...tool, version: facts.binaries.crictlVersion } : tool;
}

/** Loaded once per run, only when some host has something to pull. */
function credentialsFor(ctx: UpContext): Promise<RegistryCredentials | undefined> {
  const file = ctx.inv.images.credentials.configFile;
  return oncePerRun(ctx, 'registry credentials', async () => (file ? loadRegistryCredentials(file) : undefined));
}

export interface ImagesPhaseTuning {
  firstDelayMs?: number;
  maxDelayMs?: number;
  tickMs?: number;
  now?: () => number;
  listTimeoutMs?: number;
}

function failedMessage(host: string, failed: ImageResult[], total: number): string {
  return (
    `${failed.length} of ${total} image pull(s) failed on ${host}:\n` +
    failed.map((r) => `  ${r.error ?? r.image} (${r.attempts} tr${r.attempts === 1 ? 'y' : 'ies'})`).join('\n')
  );
}

/** The images phase; `tuning` shortens back-off and refresh in tests. */
export function makeImagesPhase(tuning: ImagesPhaseTuning = {}): Phase {
  return {
    name: 'images',
    title: 'images: pre-pull the images each host needs',
    appliesTo: () => true,
    // With pullPolicy Never a missing image anywhere means nothing may be written anywhere.
    haltOnFailure: (ctx) => ctx.inv.images.pullPolicy === 'Never',
    async run(ctx, h, task) {
      const { inv } = ctx;
      const host = hostOf(h);
      const tool = toolOf(ctx, h, factsOf(h));
      const wanted = imagesForHost(inv, h.spec);
      const policy = inv.images.pullPolicy;

      let present = new RuntimeImages();
      if (policy !== 'Always') {
        task.progress('listing images');
        present = await listPresentImages(host, tool, tuning.listTimeoutMs);
      }
      const missing = wanted.filter((i) => !present.has(i));
      const toPull = policy === 'Always' ? wanted : missing;
      const results = new Map<string, ImageResult>();
      for (const image of wanted) if (!toPull.includes(image)) results.set(image, { image, outcome: 'present', seconds: 0, attempts: 0 });
      const record = () => {
        h.images = wanted.map((i) => results.get(i)!);
      };

      if (policy === 'Never') {
        for (const image of missing) results.set(image, { image, outcome: 'missing', seconds: 0, attempts: 0 });
        record();
        if (missing.length) throw new ImagesMissingError(h.spec.name, missing, wanted.length);
        task.progress(`all ${wanted.length} image(s) present`);
        return;
      }
      if (!toPull.length) {
        record();
        task.progress(`all ${wanted.length} image(s) present`);
        return;
      }

      const started = (tuning.now ?? Date.now)();
      // Read before anything is pulled (also in a dry run), so that a bad file is reported at once.
      const credentials = await credentialsFor(ctx);
      for (const image of toPull) results.set(image, { image, outcome: 'would-pull', seconds: 0, attempts: 0 });
      await wet(ctx, h, `pull ${toPull.join(', ')}`, async (host) => {
        const pulled = await pullImages(host, {
          tool,
          images: toPull,
          parallel: inv.images.parallel,
          // kubeadm's PullImageRetry (5) counts tries in all: `for i := 0; i < PullImageRetry; i++` around
          // `crictl -r SOCKET pull` / `docker pull` (kubeadm v1.20 cmd/kubeadm/app/util/runtime/runtime.go).
          attempts: inv.images.retries,
          timeoutMs: inv.images.timeoutMs,
          credentials,
          throughSudo: h.spec.ssh.sudo,
          signal: ctx.options.signal,
          progress: task.progress,
          ...tuning,
        });
        for (const r of pulled) results.set(r.image, r);
      });
      record();
      const failed = h.images.filter((r) => r.outcome === 'failed');
      if (failed.length) throw new ImagesError(failedMessage(h.spec.name, failed, toPull.length));
      const verb = ctx.options.dryRun ? 'would pull' : 'pulled';
      const took = ctx.options.dryRun ? '' : ` in ${Math.round(((tuning.now ?? Date.now)() - started) / 1000)}s`;
      task.progress(`${verb} ${toPull.length}, ${wanted.length - toPull.length} present${took}`);
    },
  };
}

export const imagesPhase: Phase = makeImagesPhase();
