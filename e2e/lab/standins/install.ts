/**
 * Installs the lab stand-ins into a running lab node the way the real packages lay themselves out:
 *
 * - kubelet deb (kubernetes/release cmd/krel/templates/latest/kubelet/kubelet.spec): /usr/bin/kubelet,
 *   kubelet.service in the unit directory (mode 0600), /etc/default/kubelet ("KUBELET_EXTRA_ARGS="),
 *   /var/lib/kubelet and /etc/kubernetes/manifests (each with a .kubelet-keep file).
 * - kubeadm deb: the drop-in /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf (optional here, because
 *   bootstrap may write it itself).
 * - cri-tools deb: /usr/bin/crictl.
 *
 * The programs are this repository's compiled stand-ins run by a copy of this machine's /usr/bin/node, with the
 * node_modules they need, under /opt/bootstrap-lab. kubelet.service is enabled but not started: bootstrap starts it.
 */
import { createHash, type Hash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, type DockerCli } from '../docker.js';
import { labDir } from '../state.js';
import { KUBEADM_DROPIN, KUBEADM_DROPIN_PATH } from '../../../src/kubelet/dropin.js';

export const STANDINS_ROOT = '/opt/bootstrap-lab';

/** The deb's unit: kubernetes/release packages/deb/bionic/kubelet/lib/systemd/system/kubelet.service (no ConditionPathExists; the later kubepkg template added one). */
export const KUBELET_SERVICE = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/home/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

/** The kubeadm package's drop-in: the same text bootstrap writes (one source for both). */
export { KUBEADM_DROPIN };

/** Packages the stand-ins import at run time; their dependencies are followed from package.json. */
const RUNTIME_PACKAGES = ['@grpc/grpc-js', '@grpc/proto-loader', 'yaml', 'semver'];

export interface InstallStandinsOptions {
  /** Also install kubeadm's drop-in, as on a host with the kubeadm package (default true). */
  kubeadmDropIn?: boolean;
  /** The Kubernetes version the stand-ins report; default: the node's /etc/bootstrap-lab/version (written by the lab). */
  kubernetesVersion?: string;
  /** Repository root holding dist/ and node_modules/ (default: found from this file). */
  repoRoot?: string;
}

function defaultRepoRoot(): string {
  // dist/e2e/lab/standins/install.js → four levels up.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

function wrapper(name: string, script: string): string {
  return `#!/bin/sh
# ${name}: bootstrap e2e lab STAND-IN (not the real ${name}); see ${STANDINS_ROOT}.
exec ${STANDINS_ROOT}/node ${STANDINS_ROOT}/dist/e2e/lab/standins/${script} "$@"
`;
}

/** The package closure of RUNTIME_PACKAGES inside node_modules (production dependencies only). */
export function runtimePackageClosure(nodeModules: string, roots: string[] = RUNTIME_PACKAGES): string[] {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const manifest = join(nodeModules, name, 'package.json');
    if (!existsSync(manifest)) throw new Error(`stand-in dependency ${name} is missing from ${nodeModules}; run npm ci`);
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
    queue.push(...Object.keys(pkg.dependencies ?? {}));
  }
  return [...seen].sort();
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? listFiles(path) : [path];
  });
}

/** The compiled stand-ins (every .js under dist/e2e/lab/standins but the tests) and the directory they are under. */
export function compiledStandins(repoRoot: string): { dir: string; files: string[] } {
  const dir = join(repoRoot, 'dist', 'e2e', 'lab', 'standins');
  if (!existsSync(join(dir, 'kubelet.js'))) throw new Error(`${dir}/kubelet.js is missing; run npx tsc -p . first`);
  return { dir, files: listFiles(dir).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js')) };
}

/** Copies the compiled stand-ins below `distRoot` as e2e/lab/standins/..., the layout their relative imports expect. */
export function stageStandinScripts(compiled: { dir: string; files: string[] }, distRoot: string): void {
  for (const f of compiled.files) {
    const target = join(distRoot, 'e2e', 'lab', 'standins', relative(compiled.dir, f));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(f, target);
  }
}

/**
 * What the stand-ins need that no Kubernetes version decides, written into `opt` (a staged STANDINS_ROOT): the node
 * binary, the node_modules they import, and a package.json that makes their .js files ES modules.
 */
export function stageStandinRuntime(repoRoot: string, opt: string): void {
  mkdirSync(opt, { recursive: true });
  writeFileSync(join(opt, 'package.json'), JSON.stringify({ name: 'bootstrap-lab-standins', private: true, type: 'module' }, null, 2) + '\n');
  const nodeModules = join(repoRoot, 'node_modules');
  for (const name of runtimePackageClosure(nodeModules)) {
    cpSync(join(nodeModules, name), join(opt, 'node_modules', name), { recursive: true, dereference: true });
  }
  copyFileSync(process.execPath, join(opt, 'node'));
}

/** Hashes what stageStandinRuntime copies by identity (the node binary, each package's name and version), not by content. */
export function hashStandinRuntime(repoRoot: string, hash: Hash): Hash {
  const node = statSync(process.execPath);
  hash.update(`${process.execPath} ${node.size} ${node.mtimeMs}\n`);
  const nodeModules = join(repoRoot, 'node_modules');
  for (const name of runtimePackageClosure(nodeModules)) {
    const { version } = JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')) as { version?: string };
    hash.update(`${name}@${version ?? ''}\n`);
  }
  return hash;
}

/** A file a package (or the bundle) puts on a host. */
export interface PackageFile {
  path: string;
  content: string;
  mode: number;
}

/** The kubelet package's files besides /usr/bin/kubelet (kubelet.spec's %files); `unitDir` differs between the deb and the bundle. */
export function kubeletPackageFiles(unitDir: string): PackageFile[] {
  return [
    { path: `${unitDir}/kubelet.service`, content: KUBELET_SERVICE, mode: 0o600 },
    { path: '/etc/default/kubelet', content: 'KUBELET_EXTRA_ARGS=\n', mode: 0o644 },
    { path: '/var/lib/kubelet/.kubelet-keep', content: '', mode: 0o644 },
    { path: '/etc/kubernetes/manifests/.kubelet-keep', content: '', mode: 0o644 },
  ];
}

/** Writes `file` below the staged root `stage`. */
export function stageFile(stage: string, file: PackageFile): void {
  const target = join(stage, file.path.slice(1));
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content, { mode: file.mode });
  // writeFileSync's mode passes through the umask; packages need the exact mode.
  chmodSync(target, file.mode);
}

/**
 * Tars the staged root `stage` into `tar` (written aside, then renamed), owned by root. `reproducible`: sorted, every
 * time 0, so that equal files give equal bytes (for content hashes); otherwise files keep their times.
 */
export async function tarStage(stage: string, tar: string, reproducible = false): Promise<void> {
  const partial = `${tar}.${process.pid}.partial`;
  // The archive's "./" entry carries the stage's mode (mkdtemp's 0700), which extracting at / would give to /.
  chmodSync(stage, 0o755);
  const order = reproducible ? ['--sort=name', '--mtime=@0'] : [];
  await runCommand('tar', ['-C', stage, ...order, '--owner=0', '--group=0', '-cf', partial, '.'], {
    timeoutMs: 120_000,
  });
  renameSync(partial, tar);
}

let bundleCache: { key: string; tar: Promise<string> } | undefined;

/**
 * A tar (rooted at /) with everything the stand-ins need on a node except the version file. Built once per
 * process and content of dist/e2e/lab/standins.
 */
export async function buildStandinsBundle(repoRoot = defaultRepoRoot()): Promise<string> {
  const compiled = compiledStandins(repoRoot);
  const hash = hashStandinRuntime(repoRoot, createHash('sha256'));
  for (const f of compiled.files) hash.update(f).update(readFileSync(f));
  const key = hash.digest('hex');
  // Nodes are installed in parallel: they share one build (a promise), never race on the same tar file.
  const cached = bundleCache;
  if (cached?.key === key) {
    const tar = await cached.tar.catch(() => undefined);
    if (tar && existsSync(tar)) return tar;
    // The file went away while this caller waited: the first to notice rebuilds, the others share that build.
    if (bundleCache !== cached) return buildStandinsBundle(repoRoot);
  }
  const tar = writeBundle(repoRoot, compiled, key);
  bundleCache = { key, tar };
  return tar;
}

async function writeBundle(repoRoot: string, compiled: { dir: string; files: string[] }, key: string): Promise<string> {
  const stage = mkdtempSync(join(tmpdir(), 'lab-standins-'));
  const opt = join(stage, STANDINS_ROOT.slice(1));
  stageStandinRuntime(repoRoot, opt);
  stageStandinScripts(compiled, join(opt, 'dist'));
  stageFile(stage, { path: '/usr/bin/kubelet', content: wrapper('kubelet', 'kubelet.js'), mode: 0o755 });
  stageFile(stage, { path: '/usr/bin/crictl', content: wrapper('crictl', 'crictl.js'), mode: 0o755 });
  // usr/... only (never lib/...): on merged-/usr Debian /lib is a symlink that a tar entry must not replace.
  for (const file of kubeletPackageFiles('/usr/lib/systemd/system')) stageFile(stage, file);

  // In this checkout's lab cache, not /tmp: another checkout's lab keeps its own bundle, and never removes this one.
  const dir = join(labDir(repoRoot), 'cache', 'standins');
  mkdirSync(dir, { recursive: true });
  const name = `lab-standins-${key.slice(0, 16)}.tar`;
  const tar = join(dir, name);
  await tarStage(stage, tar);
  // Bundles of earlier builds are ~100 MB each; keep only this one.
  for (const old of readdirSync(dir)) {
    if (/^lab-standins-[0-9a-f]{16}\.tar$/.test(old) && old !== name) rmSync(join(dir, old), { force: true });
  }
  rmSync(stage, { recursive: true, force: true });
  return tar;
}

/**
 * containerd gives sandboxes oom_score_adj -998, which needs CAP_SYS_RESOURCE; lab nodes run without it, so
 * runc fails ("can't get final child's PID from pipe"). `restrict_oom_score_adj` makes containerd clamp the value
 * instead. Adds it to the node's CRI section when missing and restarts containerd.
 */
async function ensureRestrictOomScoreAdj(container: string, docker: DockerCli): Promise<void> {
  const script = [
    'f=/etc/containerd/config.toml',
    '[ -f "$f" ] || exit 0',
    'grep -q "restrict_oom_score_adj" "$f" && exit 0',
    'grep -q "^\\[plugins.\\"io.containerd.grpc.v1.cri\\"\\]" "$f" || exit 0',
    'sed -i "/^\\[plugins.\\"io.containerd.grpc.v1.cri\\"\\]/a\\  restrict_oom_score_adj = true" "$f"',
    'if [ -d /run/systemd/system ]; then systemctl restart containerd; fi',
  ].join('\n');
  await docker.exec(container, ['sh', '-c', script]);
}

/** Installs crictl and the kubelet (enabled, not started) into a running lab node. */
export async function installStandins(container: string, docker: DockerCli, options: InstallStandinsOptions = {}): Promise<void> {
  const tar = await buildStandinsBundle(options.repoRoot);
  const remoteTar = `/tmp/bootstrap-lab-standins-${process.pid}.tar`;
  await docker.copyInto(container, tar, remoteTar, { timeoutMs: 300_000 });
  await docker.exec(container, ['sh', '-c', 'tar -C / --no-same-owner --keep-directory-symlink -xf "$1" && rm -f "$1"', 'sh', remoteTar], {
    timeoutMs: 300_000,
  });
  if (options.kubernetesVersion) await docker.writeFile(container, '/etc/bootstrap-lab/version', `${options.kubernetesVersion}\n`, 0o644);
  if (options.kubeadmDropIn ?? true) {
    await docker.writeFile(container, KUBEADM_DROPIN_PATH, KUBEADM_DROPIN, 0o644);
  }
  await ensureRestrictOomScoreAdj(container, docker);
  await docker.exec(container, [
    'sh',
    '-c',
    'if [ -d /run/systemd/system ]; then systemctl daemon-reload && systemctl enable kubelet.service 2>&1; fi',
  ]);
}
