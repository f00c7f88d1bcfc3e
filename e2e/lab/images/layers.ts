/**
 * Root-filesystem layers for the lab images, assembled from this machine's own files (no network):
 * busybox-static and glibc for a minimal base, /usr/bin/node with the shared libraries ldd names, the
 * compiled stand-ins with the node_modules they import, Debian's real etcd, and catatonit for pause.
 * Each layer is an uncompressed, reproducible tar (sorted, mtime 0, root-owned) cached under
 * .lab/cache/images/layers/, keyed by a hash of its inputs, so a second build reuses it.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { runCommand } from '../docker.js';

export interface Layer {
  name: string;
  /** Hash of the layer's inputs; part of the cached file name and of the image tags built on it. */
  key: string;
  tar: string;
}

/** Files a layer contains: a host file copied to a path, a symlink, a directory, or literal content. */
type Entry =
  | { kind: 'copy'; from: string; to: string }
  | { kind: 'tree'; from: string; to: string }
  | { kind: 'symlink'; target: string; to: string }
  | { kind: 'dir'; to: string }
  | { kind: 'file'; content: string | Buffer; to: string; mode: number };

class LayerPlan {
  readonly entries: Entry[] = [];
  private readonly hash = createHash('sha256');

  constructor(readonly name: string) {
    this.hash.update(`layer-format-1 ${name}\n`);
  }

  /** Host files are keyed by path, size and mtime (hashing node's 100 MB on every build would be slow). */
  copy(from: string, to = from): this {
    const st = statSync(from);
    this.hash.update(`copy ${from} ${to} ${st.size} ${st.mtimeMs}\n`);
    this.entries.push({ kind: 'copy', from, to });
    return this;
  }

  /** A directory tree, keyed by the content of every file in it. */
  tree(from: string, to: string): this {
    this.hash.update(`tree ${to}\n`);
    for (const file of listFiles(from)) this.hash.update(`${file}\0`).update(readFileSync(join(from, file)));
    this.entries.push({ kind: 'tree', from, to });
    return this;
  }

  symlink(target: string, to: string): this {
    this.hash.update(`symlink ${target} ${to}\n`);
    this.entries.push({ kind: 'symlink', target, to });
    return this;
  }

  dir(to: string): this {
    this.hash.update(`dir ${to}\n`);
    this.entries.push({ kind: 'dir', to });
    return this;
  }

  file(to: string, content: string | Buffer, mode = 0o644): this {
    this.hash.update(`file ${to} ${mode}\n`).update(content);
    this.entries.push({ kind: 'file', content, to, mode });
    return this;
  }

  /**
   * A host file reached through symlinks (e.g. /lib64/ld-linux-x86-64.so.2): every symlink on the way is
   * recreated, so the program finds it at the path the dynamic linker or ldd names.
   */
  hostPath(path: string): this {
    const dir = realpathSync(dirname(path));
    const at = join(dir, basenameOf(path));
    const st = lstatSync(at);
    if (st.isSymbolicLink()) {
      const target = readlinkSync(at);
      this.symlink(target, at);
      return this.hostPath(resolve(dir, target));
    }
    return this.copy(at, at);
  }

  key(): string {
    return this.hash.copy().digest('hex').slice(0, 16);
  }
}

function basenameOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function listFiles(root: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(root, rel));
    else out.push(rel);
  }
  return out;
}

/** The shared libraries `ldd` lists for a program (absolute paths, as named). */
export async function sharedLibraries(program: string): Promise<string[]> {
  const { stdout } = await runCommand('ldd', [program], { allowFailure: true });
  const libs: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

/** Materialises a plan into a tar under cacheDir (skipped when the cached tar for its key exists). */
async function realise(plan: LayerPlan, cacheDir: string): Promise<Layer> {
  const key = plan.key();
  const tar = join(cacheDir, `${plan.name}-${key}.tar`);
  if (existsSync(tar)) return { name: plan.name, key, tar };
  const stage = join(cacheDir, `stage-${plan.name}-${process.pid}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const at = (p: string) => join(stage, p);
  for (const e of plan.entries) {
    mkdirSync(dirname(at(e.to)), { recursive: true });
    switch (e.kind) {
      case 'copy':
        copyFileSync(e.from, at(e.to));
        chmodSync(at(e.to), statSync(e.from).mode & 0o7777);
        break;
      case 'tree':
        cpSync(e.from, at(e.to), { recursive: true, dereference: true });
        break;
      case 'symlink':
        if (!existsSync(at(e.to)) && !isLink(at(e.to))) symlinkSync(e.target, at(e.to));
        break;
      case 'dir':
        mkdirSync(at(e.to), { recursive: true });
        break;
      case 'file':
        writeFileSync(at(e.to), e.content, { mode: e.mode });
        chmodSync(at(e.to), e.mode);
        break;
    }
  }
  const partial = `${tar}.partial-${process.pid}`;
  await runCommand('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', stage, '-cf', partial, '.'], { timeoutMs: 300_000 });
  renameSync(partial, tar);
  rmSync(stage, { recursive: true, force: true });
  return { name: plan.name, key, tar };
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

const BUSYBOX = '/bin/busybox';
const ETCD = '/usr/bin/etcd';
const ETCDCTL = '/usr/bin/etcdctl';
const CATATONIT = '/usr/bin/catatonit';
const NODE = '/usr/bin/node';

/** busybox-static with its applets, the merged-/usr top-level links of Debian, glibc's loader and libc. */
async function basePlan(): Promise<LayerPlan> {
  const plan = new LayerPlan('base');
  for (const top of ['bin', 'sbin', 'lib', 'lib64']) {
    const p = `/${top}`;
    if (isLink(p)) plan.symlink(readlinkSync(p), p);
  }
  for (const d of ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/etc', '/tmp', '/var/run', '/root', '/proc', '/sys', '/dev']) plan.dir(d);
  plan.copy(realpathSync(BUSYBOX), '/usr/bin/busybox');
  const { stdout } = await runCommand(BUSYBOX, ['--list']);
  for (const applet of stdout.split('\n').map((s) => s.trim()).filter(Boolean).sort()) {
    if (applet !== 'busybox') plan.symlink('busybox', `/usr/bin/${applet}`);
  }
  plan.file('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  plan.file('/etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  plan.file('/etc/nsswitch.conf', 'hosts: files dns\n');
  // glibc core: what both etcd and node need (the dynamic loader and libc).
  for (const lib of await sharedLibraries(ETCD)) plan.hostPath(lib);
  return plan;
}

async function nodePlan(): Promise<LayerPlan> {
  const plan = new LayerPlan('node');
  plan.copy(NODE, '/usr/bin/node');
  for (const lib of await sharedLibraries(NODE)) plan.hostPath(lib);
  // Debian's node reads this bundle at start (NODE_EXTRA_CA_CERTS built in) and warns when it is missing;
  // the stand-ins trust only the CAs their flags name, so an empty bundle is right.
  plan.file('/etc/ssl/certs/ca-certificates.crt', '');
  return plan;
}

/** The packages a module needs at run time, following package.json dependencies (hoisted node_modules). */
function dependencyClosure(nodeModules: string, roots: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const manifest = join(nodeModules, name, 'package.json');
    if (!existsSync(manifest)) throw new Error(`the lab images need the npm package ${name}, which is not installed in ${nodeModules}`);
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
    queue.push(...Object.keys(pkg.dependencies ?? {}));
  }
  return [...seen].sort();
}

/** The programs on PATH in the component images and the compiled module each runs. */
export const STANDIN_PROGRAMS: Record<string, string> = {
  'kube-apiserver': 'kube-apiserver.js',
  'kube-controller-manager': 'kube-controller-manager.js',
  'kube-scheduler': 'kube-scheduler.js',
  'kube-proxy': 'kube-proxy.js',
  coredns: 'coredns.js',
};

export const STANDIN_ROOT = '/opt/bootstrap-lab';

/** `jsOnly`: an empty scratch folder that receives the compiled .js files (no source maps, no declarations). */
function standinsPlan(componentsDir: string, nodeModules: string, jsOnly: string): LayerPlan {
  const plan = new LayerPlan('standins');
  rmSync(jsOnly, { recursive: true, force: true });
  mkdirSync(jsOnly, { recursive: true });
  for (const f of readdirSync(componentsDir).filter((f) => f.endsWith('.js')).sort()) copyFileSync(join(componentsDir, f), join(jsOnly, f));
  plan.tree(jsOnly, `${STANDIN_ROOT}/components`);
  plan.file(`${STANDIN_ROOT}/package.json`, JSON.stringify({ name: 'bootstrap-lab-standins', private: true, type: 'module' }) + '\n');
  for (const pkg of dependencyClosure(nodeModules, ['yaml', '@peculiar/x509'])) plan.tree(join(nodeModules, pkg), `${STANDIN_ROOT}/node_modules/${pkg}`);
  for (const [program, module] of Object.entries(STANDIN_PROGRAMS)) {
    const wrapper = `#!/bin/sh\n# bootstrap lab stand-in for ${program}\nexec /usr/bin/node ${STANDIN_ROOT}/components/${module} "$@"\n`;
    plan.file(program === 'coredns' ? '/coredns' : `/usr/local/bin/${program}`, wrapper, 0o755);
  }
  return plan;
}

function etcdPlan(entrypoint: string): LayerPlan {
  const plan = new LayerPlan('etcd');
  plan.copy(ETCD, '/usr/local/lib/etcd/etcd');
  plan.file('/usr/local/bin/etcd', readFileSync(entrypoint), 0o755);
  if (existsSync(ETCDCTL)) plan.copy(ETCDCTL, '/usr/local/bin/etcdctl');
  plan.dir('/var/lib/etcd');
  return plan;
}

function pausePlan(): LayerPlan {
  // catatonit is statically linked: the pause image is this one file, as the real one is /pause alone.
  return new LayerPlan('pause').copy(CATATONIT, '/usr/bin/catatonit');
}

export interface LabLayers {
  base: Layer;
  node: Layer;
  standins: Layer;
  etcd: Layer;
  pause: Layer;
}

export async function buildLayers(cacheDir: string, componentsDir: string, nodeModules: string, etcdEntrypoint: string): Promise<LabLayers> {
  mkdirSync(cacheDir, { recursive: true });
  const jsOnly = join(cacheDir, `components-js-${process.pid}`);
  const standins = standinsPlan(componentsDir, nodeModules, jsOnly);
  try {
    const [base, node, standinsLayer, etcd, pause] = await Promise.all([
      basePlan().then((p) => realise(p, cacheDir)),
      nodePlan().then((p) => realise(p, cacheDir)),
      realise(standins, cacheDir),
      realise(etcdPlan(etcdEntrypoint), cacheDir),
      realise(pausePlan(), cacheDir),
    ]);
    return { base, node, standins: standinsLayer, etcd, pause };
  } finally {
    rmSync(jsOnly, { recursive: true, force: true });
  }
}
