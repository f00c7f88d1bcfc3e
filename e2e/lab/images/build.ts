/**
 * Builds the lab's container images offline and pushes them to the lab registries under exactly the names and
 * tags kubeadm uses for the lab's Kubernetes version with imageRepository = the lab registry
 * (catalogImages from src/kube/images.ts). Images are OCI, assembled with Debian's umoci in a layout cached
 * under .lab/cache/images/oci and pushed with Debian's skopeo; layers and intermediate images are reused, so
 * a second build only writes image configs and lets skopeo skip the blobs the registry already has.
 *
 *   kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, coredns:
 *       busybox + glibc | node + its libraries | the compiled stand-ins (components/) + node_modules
 *   etcd:   the same three layers (node runs the etcd-probes helper) | Debian's real etcd 3.4 behind
 *           etcd/etcd-entrypoint.sh (flag mapping and /livez /readyz, documented there)
 *   pause:  catatonit, run as `catatonit -P` (a real pause process)
 *
 * Fault variants for tests are pushed beside the real tags: `<tag>-lab-crash` exits at start and
 * `<tag>-lab-unhealthy` runs but never answers its health checks (publishFault puts one over the real tag).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogImages } from '../../../src/kube/images.js';
import { retry } from '../../../src/util/retry.js';
import { runCommand } from '../docker.js';
import { ensureDebianPackages } from '../packages.js';
import { defaultRepoRoot, labDir, type LabState } from '../state.js';
import { buildLayers, type Layer, type LabLayers } from './layers.js';

/** Debian packages the image build needs on this machine. */
export const IMAGE_BUILD_PACKAGES = ['umoci', 'skopeo', 'busybox-static', 'etcd-server', 'etcd-client', 'catatonit'];

export type LabFault = 'crash' | 'unhealthy';
export const FAULTS: readonly LabFault[] = ['crash', 'unhealthy'];
/** Components that get fault variants. */
export const FAULT_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'] as const;

/** What the builder needs from the lab state. */
export type LabImagesTarget = Pick<LabState, 'registry' | 'authRegistry' | 'kubernetesVersion'>;

export interface BuiltImage {
  component: string;
  /** The reference in the lab registry, e.g. "10.77.0.1:5000/kube-apiserver:v1.28.15". */
  image: string;
  fault?: LabFault;
  /** The tag of this image in the local OCI layout. */
  layoutTag: string;
}

export interface BuildOptions {
  repoRoot?: string;
  /** Also push to the htpasswd-protected registry (default true). */
  pushToAuthRegistry?: boolean;
  /** Also build and push the fault variants (default true). */
  faults?: boolean;
  log?: (line: string) => void;
}

export interface BuildResult {
  images: BuiltImage[];
  /** Wall time of the whole build and push, in milliseconds. */
  elapsedMs: number;
}

const EPOCH = '1970-01-01T00:00:00Z';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The OCI layout the lab's images are assembled in. */
export function imageCacheDir(repoRoot = defaultRepoRoot()): string {
  return join(labDir(repoRoot), 'cache', 'images');
}

function layoutDir(repoRoot: string): string {
  return join(imageCacheDir(repoRoot), 'oci');
}

/** Reference parts: "host:port/path/name:tag" → repository (without tag) and tag. */
export function splitReference(image: string): { repository: string; tag: string } {
  const at = image.lastIndexOf(':');
  if (at < 0 || image.slice(at).includes('/')) throw new Error(`image reference without a tag: ${image}`);
  return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}

/** The fault variant's reference: same repository, tag "<tag>-lab-<fault>". */
export function faultImage(image: string, fault: LabFault): string {
  const { repository, tag } = splitReference(image);
  return `${repository}:${tag}-lab-${fault}`;
}

/** The same image in another registry (host:port replaced). */
export function inRegistry(image: string, registry: string): string {
  return `${registry}/${image.slice(image.indexOf('/') + 1)}`;
}

interface ImageRecipe {
  layers: Layer[];
  entrypoint: string[];
  cmd: string[];
  env: string[];
}

function recipeFor(component: string, tag: string, layers: LabLayers, kubernetesVersion: string): ImageRecipe {
  const standinStack = [layers.base, layers.node, layers.standins];
  const versionEnv = `BOOTSTRAP_LAB_KUBERNETES_VERSION=${kubernetesVersion}`;
  switch (component) {
    case 'kube-apiserver':
    case 'kube-controller-manager':
    case 'kube-scheduler':
    case 'kube-proxy':
      return { layers: standinStack, entrypoint: [`/usr/local/bin/${component}`], cmd: [], env: [PATH_ENV, versionEnv] };
    case 'coredns':
      return { layers: standinStack, entrypoint: ['/coredns'], cmd: [], env: [PATH_ENV, `BOOTSTRAP_LAB_COREDNS_VERSION=${tag.replace(/^v/, '')}`] };
    case 'etcd':
      return { layers: [...standinStack, layers.etcd], entrypoint: [], cmd: ['/usr/local/bin/etcd'], env: [PATH_ENV, 'ETCD_UNSUPPORTED_ARCH='] };
    case 'pause':
      return { layers: [layers.pause], entrypoint: ['/usr/bin/catatonit', '-P'], cmd: [], env: [PATH_ENV] };
    default:
      throw new Error(`the lab has no image recipe for component "${component}"`);
  }
}

/** Tags present in the OCI layout. */
function layoutTags(layout: string): Set<string> {
  const index = join(layout, 'index.json');
  if (!existsSync(index)) return new Set();
  const doc = JSON.parse(readFileSync(index, 'utf8')) as { manifests?: { annotations?: Record<string, string> }[] };
  return new Set((doc.manifests ?? []).map((m) => m.annotations?.['org.opencontainers.image.ref.name'] ?? '').filter(Boolean));
}

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

async function umoci(argv: string[]): Promise<void> {
  await runCommand('umoci', argv, { timeoutMs: 600_000 });
}

/**
 * An image with exactly these layers, cached as tag "stack-<hash>". Built on the cached stack of all but the
 * last layer, so a change of the top layer (the stand-ins) re-compresses only that layer.
 */
async function ensureStack(layout: string, layers: Layer[]): Promise<string> {
  const tag = `stack-${shortHash(layers.map((l) => `${l.name}:${l.key}`).join(','))}`;
  if (layoutTags(layout).has(tag)) return tag;
  const top = layers[layers.length - 1]!;
  let below: string;
  if (layers.length === 1) {
    below = `${tag}-empty`;
    await umoci(['new', '--image', `${layout}:${below}`]);
  } else {
    below = await ensureStack(layout, layers.slice(0, -1));
  }
  await umoci(['raw', 'add-layer', '--image', `${layout}:${below}`, '--tag', tag,
    '--history.created', EPOCH, '--history.created_by', `bootstrap lab layer ${top.name}`, top.tar]);
  if (layers.length === 1) await umoci(['rm', '--image', `${layout}:${below}`]);
  return tag;
}

/** The final image: the stack plus its config (entrypoint, cmd, env, labels); cached by the config's hash. */
async function ensureImage(layout: string, stackTag: string, recipe: ImageRecipe, labels: Record<string, string>): Promise<string> {
  const args = [
    '--created', EPOCH, '--author', 'bootstrap lab', '--os', 'linux', '--architecture', 'amd64', '--no-history',
    ...(recipe.entrypoint.length > 0 ? recipe.entrypoint.flatMap((e) => ['--config.entrypoint', e]) : ['--clear', 'config.entrypoint']),
    ...recipe.cmd.flatMap((c) => ['--config.cmd', c]),
    ...recipe.env.flatMap((e) => ['--config.env', e]),
    ...Object.entries(labels).sort().flatMap(([k, v]) => ['--config.label', `${k}=${v}`]),
  ];
  const tag = `image-${shortHash([stackTag, ...args].join('\0'))}`;
  if (layoutTags(layout).has(tag)) return tag;
  await umoci(['config', '--image', `${layout}:${stackTag}`, '--tag', tag, ...args]);
  return tag;
}

/**
 * Debian's docker-registry (distribution 2.8, filesystem storage) is not safe for overlapping pushes to one
 * repository (a tag and its fault variant share blobs): it may answer 500, or refuse the manifest with
 * "manifest blob unknown" while the other push still holds a shared layer's upload. Pushes to one repository
 * therefore run one after another (see buildLocked); what a busy registry still answers now and then is tried
 * again, a few times.
 */
const REGISTRY_HICCUP = /\b50[0-4]\b|Internal Server Error|connection reset|unexpected EOF|blob unknown/i;

async function push(layout: string, layoutTag: string, destination: string, creds?: string): Promise<void> {
  await retry(
    () => runCommand('skopeo', [
      // Docker schema 2 manifests: what both containerd and the dockerd of `--runtime docker` nodes pull.
      '--insecure-policy', 'copy', '--quiet', '--format', 'v2s2', '--dest-tls-verify=false', ...(creds ? ['--dest-creds', creds] : []),
      `oci:${layout}:${layoutTag}`, `docker://${destination}`,
    ], { timeoutMs: 600_000 }),
    { attempts: 4, firstDelayMs: 300, retryable: (error) => REGISTRY_HICCUP.test((error as Error).message) },
  );
}

/** Runs tasks with at most `limit` in flight. */
async function inParallel<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

/**
 * One build at a time per cache: `lab up`, a fault command and a test may build concurrently, and umoci does
 * not lock its layout. A lock older than ten minutes is taken to be left over by a killed build.
 */
async function withCacheLock<T>(cache: string, action: () => Promise<T>): Promise<T> {
  mkdirSync(cache, { recursive: true });
  const lock = join(cache, 'build.lock');
  for (const until = Date.now() + 15 * 60_000; ;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = statSync(lock, { throwIfNoEntry: false });
      if (!held) continue;
      if (Date.now() - held.mtimeMs > 10 * 60_000) rmSync(lock, { force: true });
      else if (Date.now() > until) throw new Error(`another lab image build holds ${lock}`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await action();
  } finally {
    rmSync(lock, { force: true });
  }
}

export async function buildLabImages(lab: LabImagesTarget, options: BuildOptions = {}): Promise<BuildResult> {
  const repoRoot = options.repoRoot ?? defaultRepoRoot();
  return withCacheLock(imageCacheDir(repoRoot), () => buildLocked(lab, repoRoot, options));
}

async function buildLocked(lab: LabImagesTarget, repoRoot: string, options: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  await ensureDebianPackages(IMAGE_BUILD_PACKAGES, log);

  const here = fileURLToPath(new URL('.', import.meta.url));
  const componentsDir = join(here, 'components');
  const entrypoint = join(repoRoot, 'e2e', 'lab', 'images', 'etcd', 'etcd-entrypoint.sh');
  const cache = imageCacheDir(repoRoot);
  const layout = layoutDir(repoRoot);
  const layers = await buildLayers(join(cache, 'layers'), componentsDir, join(repoRoot, 'node_modules'), entrypoint);
  // Layer tars of earlier inputs are never used again (layers do not depend on the Kubernetes version).
  const current = new Set(Object.values(layers).map((l: Layer) => basename(l.tar)));
  for (const file of readdirSync(join(cache, 'layers'))) if (file.endsWith('.tar') && !current.has(file)) rmSync(join(cache, 'layers', file), { force: true });
  log(`layers ready in ${Date.now() - started} ms`);
  if (!existsSync(join(layout, 'index.json'))) await umoci(['init', '--layout', layout]);

  const images: BuiltImage[] = [];
  for (const { component, image } of catalogImages(lab.kubernetesVersion, lab.registry.address)) {
    const { tag } = splitReference(image);
    const recipe = recipeFor(component, tag, layers, lab.kubernetesVersion);
    const stack = await ensureStack(layout, recipe.layers);
    const labels = { 'org.opencontainers.image.title': `bootstrap lab ${component}`, 'io.bootstrap.lab.component': component };
    images.push({ component, image, layoutTag: await ensureImage(layout, stack, recipe, labels) });
    if (options.faults !== false && (FAULT_COMPONENTS as readonly string[]).includes(component)) {
      for (const fault of FAULTS) {
        const faulty = { ...recipe, env: [...recipe.env, `BOOTSTRAP_LAB_FAULT=${fault}`] };
        images.push({ component, image: faultImage(image, fault), fault, layoutTag: await ensureImage(layout, stack, faulty, { ...labels, 'io.bootstrap.lab.fault': fault }) });
      }
    }
  }
  log(`images assembled in ${Date.now() - started} ms`);

  const pushes: { layoutTag: string; destination: string; creds?: string }[] = [];
  for (const img of images) {
    pushes.push({ layoutTag: img.layoutTag, destination: img.image });
    if (options.pushToAuthRegistry !== false) {
      pushes.push({ layoutTag: img.layoutTag, destination: inRegistry(img.image, lab.authRegistry.address), creds: `${lab.authRegistry.username}:${lab.authRegistry.password}` });
    }
  }
  // Repositories in parallel, each repository's tags in turn (see REGISTRY_HICCUP).
  const byRepository = new Map<string, typeof pushes>();
  for (const p of pushes) {
    const repository = splitReference(p.destination).repository;
    byRepository.set(repository, [...(byRepository.get(repository) ?? []), p]);
  }
  await inParallel([...byRepository.values()], 4, async (inTurn) => {
    for (const p of inTurn) await push(layout, p.layoutTag, p.destination, p.creds);
  });
  log(`pushed ${pushes.length} images in ${Date.now() - started} ms`);
  writeFileSync(buildRecordFile(repoRoot, lab.kubernetesVersion), JSON.stringify(images, null, 2) + '\n');
  await pruneLayout(layout, repoRoot);
  return { images, elapsedMs: Date.now() - started };
}

/**
 * Drops layout tags no build record refers to (images of older stand-in code), keeping every stack they are
 * built on, then lets umoci collect the blobs nothing references any more, so the cache does not grow with
 * every change of the stand-ins.
 */
async function pruneLayout(layout: string, repoRoot: string): Promise<void> {
  const cache = imageCacheDir(repoRoot);
  const wanted = new Set<string>();
  for (const file of readdirSync(cache).filter((f) => /^built-.*\.json$/.test(f))) {
    for (const image of JSON.parse(readFileSync(join(cache, file), 'utf8')) as BuiltImage[]) wanted.add(image.layoutTag);
  }
  const tags = layoutTags(layout);
  const obsolete = [...tags].filter((t) => t.startsWith('image-') && !wanted.has(t));
  if (obsolete.length === 0) return;
  for (const tag of obsolete) await umoci(['rm', '--image', `${layout}:${tag}`]);
  // A stack is still needed while a kept image's layers start with its layers (images are configured from
  // stacks, and stacks are built on their prefixes).
  const kept: string[] = [];
  for (const tag of layoutTags(layout)) if (tag.startsWith('image-')) kept.push(await layerDigests(layout, tag));
  for (const tag of layoutTags(layout)) {
    if (!tag.startsWith('stack-')) continue;
    const layers = await layerDigests(layout, tag);
    if (!kept.some((k) => k === layers || k.startsWith(`${layers},`))) await umoci(['rm', '--image', `${layout}:${tag}`]);
  }
  await umoci(['gc', '--layout', layout]);
}

async function layerDigests(layout: string, tag: string): Promise<string> {
  const { stdout } = await runCommand('skopeo', ['inspect', '--raw', `oci:${layout}:${tag}`]);
  return ((JSON.parse(stdout) as { layers?: { digest: string }[] }).layers ?? []).map((l) => l.digest).join(',');
}

/** The record of the last build for a version: which layout tag each pushed reference came from. */
function buildRecordFile(repoRoot: string, kubernetesVersion: string): string {
  return join(imageCacheDir(repoRoot), `built-${kubernetesVersion}.json`);
}

function lastBuild(lab: LabImagesTarget, repoRoot: string): BuiltImage[] {
  const file = buildRecordFile(repoRoot, lab.kubernetesVersion);
  if (!existsSync(file)) throw new Error(`no lab images were built for ${lab.kubernetesVersion}; run buildLabImages first`);
  return JSON.parse(readFileSync(file, 'utf8')) as BuiltImage[];
}

async function pushEverywhere(lab: LabImagesTarget, layout: string, layoutTag: string, image: string): Promise<void> {
  await push(layout, layoutTag, image);
  await push(layout, layoutTag, inRegistry(image, lab.authRegistry.address), `${lab.authRegistry.username}:${lab.authRegistry.password}`);
}

/**
 * Puts a fault variant over the component's real tag in both lab registries, so the next pull of the real
 * name gets an image that crashes or never becomes healthy. restoreImage() undoes it.
 */
export async function publishFault(lab: LabImagesTarget, component: (typeof FAULT_COMPONENTS)[number], fault: LabFault, repoRoot = defaultRepoRoot()): Promise<string> {
  const built = lastBuild(lab, repoRoot);
  const variant = built.find((b) => b.component === component && b.fault === fault);
  const real = built.find((b) => b.component === component && b.fault === undefined);
  if (!variant || !real) throw new Error(`no ${fault} variant of ${component} was built for ${lab.kubernetesVersion}`);
  await withCacheLock(imageCacheDir(repoRoot), () => pushEverywhere(lab, layoutDir(repoRoot), variant.layoutTag, real.image));
  return real.image;
}

/** Pushes the healthy image of the component back over its real tag in both lab registries. */
export async function restoreImage(lab: LabImagesTarget, component: string, repoRoot = defaultRepoRoot()): Promise<string> {
  const real = lastBuild(lab, repoRoot).find((b) => b.component === component && b.fault === undefined);
  if (!real) throw new Error(`no ${component} image was built for ${lab.kubernetesVersion}`);
  await withCacheLock(imageCacheDir(repoRoot), () => pushEverywhere(lab, layoutDir(repoRoot), real.layoutTag, real.image));
  return real.image;
}
