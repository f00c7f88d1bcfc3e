/**
 * The lab's stand-ins packaged the two ways bootstrap's prepare phase installs kubelet and crictl on a bare host:
 *
 * - single-file executables `kubelet` and `crictl` (the air-gapped "files" path): a sh script carrying the
 *   compiled stand-ins as a payload, unpacked once under /opt/bootstrap-lab and run by /opt/bootstrap-lab/node;
 * - Debian packages under pkgs.k8s.io's names and versions (kubelet_1.28.4-1.1_amd64.deb,
 *   cri-tools_1.28.0-1.1_amd64.deb), with the files of kubernetes/release's kubelet.spec and cri-tools.spec.
 *
 * Neither carries node or node_modules: the bare node image provides them (buildStandinRuntime), the way a real host
 * provides libc to the real, statically linked programs.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCommand } from './docker.js';
import { labDir } from './state.js';
import {
  STANDINS_ROOT,
  compiledStandins,
  hashStandinRuntime,
  kubeletPackageFiles,
  stageFile,
  stageStandinRuntime,
  stageStandinScripts,
  tarStage,
  type PackageFile,
} from './standins/install.js';

/** pkgs.k8s.io's Debian revision (OBS builds its packages as "-1.1"). */
export const PACKAGE_REVISION = '1.1';

/** Environment variable that moves STANDINS_ROOT for the single-file executables; for tests off a lab node only. */
export const STANDINS_ROOT_ENV = 'BOOTSTRAP_LAB_STANDINS_ROOT';

/** Where the package builds keep what they made (content-addressed, so a second build is a lookup). */
export function packageRepoCache(repoRoot: string): string {
  return join(labDir(repoRoot), 'cache', 'package-repo');
}

/** "v1.28.4" → the upstream versions of kubelet ("1.28.4") and cri-tools ("1.28.0": it follows Kubernetes minors, as labCrictlVersion). */
function upstreamVersions(kubernetesVersion: string): { kubelet: string; criTools: string } {
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(kubernetesVersion);
  if (!m) throw new Error(`not a Kubernetes release version: ${kubernetesVersion} (want vX.Y.Z)`);
  return { kubelet: `${m[1]}.${m[2]}.${m[3]}`, criTools: `${m[1]}.${m[2]}.0` };
}

/** "v1.28.4" → "1.28.4-1.1", the kubelet (and kubeadm, kubectl) package version. */
export function kubeletPackageVersion(kubernetesVersion: string): string {
  return `${upstreamVersions(kubernetesVersion).kubelet}-${PACKAGE_REVISION}`;
}

/** "v1.28.4" → "1.28.0-1.1", the cri-tools package version. */
export function criToolsPackageVersion(kubernetesVersion: string): string {
  return `${upstreamVersions(kubernetesVersion).criTools}-${PACKAGE_REVISION}`;
}

/** The file names buildStandinPackages writes for `kubernetesVersion`. */
function artifactNames(kubernetesVersion: string): Record<'kubelet' | 'crictl' | 'kubeletDeb' | 'criToolsDeb' | 'sha256sums', string> {
  return {
    kubelet: 'kubelet',
    crictl: 'crictl',
    kubeletDeb: `kubelet_${kubeletPackageVersion(kubernetesVersion)}_amd64.deb`,
    criToolsDeb: `cri-tools_${criToolsPackageVersion(kubernetesVersion)}_amd64.deb`,
    sha256sums: 'SHA256SUMS',
  };
}

/** Writes `build(dir)` into `target` through a temporary sibling and a rename, unless `target` is there already. */
export async function buildOnce(target: string, build: (dir: string) => Promise<void>): Promise<string> {
  if (existsSync(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const partial = mkdtempSync(`${target}.partial-`);
  try {
    await build(partial);
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, target);
    } catch (error) {
      // A concurrent build renamed its identical copy first.
      if (!existsSync(target)) throw error;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return target;
}

/**
 * A tar (rooted at /) of what the stand-ins need that no Kubernetes version decides: /opt/bootstrap-lab/node,
 * /opt/bootstrap-lab/node_modules and /opt/bootstrap-lab/package.json. It belongs in the bare node image.
 */
export async function buildStandinRuntime(repoRoot: string): Promise<string> {
  const key = hashStandinRuntime(repoRoot, createHash('sha256').update('runtime 1\n')).digest('hex').slice(0, 16);
  const dir = await buildOnce(join(packageRepoCache(repoRoot), `runtime-${key}`), async (partial) => {
    const stage = join(partial, 'root');
    stageStandinRuntime(repoRoot, join(stage, STANDINS_ROOT.slice(1)));
    await tarStage(stage, join(partial, 'standin-runtime.tar'));
    rmSync(stage, { recursive: true, force: true });
  });
  return join(dir, 'standin-runtime.tar');
}

/** The compiled stand-ins as a gzipped tar of dist/e2e/lab/standins/...; gzipSync leaves no time in its header, so equal input gives equal bytes. */
async function standinPayload(repoRoot: string): Promise<Buffer> {
  const stage = mkdtempSync(join(tmpdir(), 'lab-standin-payload-'));
  try {
    stageStandinScripts(compiledStandins(repoRoot), join(stage, 'dist'));
    const tar = join(stage, 'payload.tar');
    await tarStage(join(stage, 'dist'), tar, true);
    return gzipSync(readFileSync(tar), { level: 9 });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * The single-file executable: sh unpacks the payload once into STANDINS_ROOT/dist-<hash> (into a temporary
 * directory first, then one rename, so concurrent first runs each either win the rename or use the winner's copy)
 * and runs the stand-in with the package's version in BOOTSTRAP_LAB_VERSION.
 */
export function singleFileExecutable(name: 'kubelet' | 'crictl', version: string, payload: Buffer): string {
  const hash = createHash('sha256').update(payload).digest('hex').slice(0, 16);
  const base64 = payload.toString('base64').replace(/.{1,76}/g, '$&\n');
  return `#!/bin/sh
# ${name}: the bootstrap e2e lab STAND-IN, not the real ${name}.
# It carries the lab's stand-in programs (JavaScript, a gzipped tar in base64 below the line __PAYLOAD__),
# unpacks them once into ${STANDINS_ROOT}/dist-${hash}
# and runs them with ${STANDINS_ROOT}/node, which the lab's node image provides.
# ${STANDINS_ROOT_ENV} moves ${STANDINS_ROOT}, for tests off a lab node only.
set -e
root="\${${STANDINS_ROOT_ENV}:-${STANDINS_ROOT}}"
dist="$root/dist-${hash}"
if [ ! -d "$dist" ]; then
  tmp="$(mktemp -d "$root/.dist-${hash}.XXXXXX")" || { echo "${name}: cannot unpack into $root (run it once as root)" >&2; exit 1; }
  if sed '1,/^__PAYLOAD__$/d' "$0" | base64 -d | tar -xzf - -C "$tmp"; then
    chmod 755 "$tmp"
    # A concurrent first run may have renamed its copy into place already: then keep that one.
    mv -T "$tmp" "$dist" 2>/dev/null || rm -rf "$tmp"
  else
    rm -rf "$tmp"
    echo "${name}: cannot unpack its payload into $root" >&2
    exit 1
  fi
fi
BOOTSTRAP_LAB_VERSION=${version} exec "$root/node" "$dist/e2e/lab/standins/${name}.js" "$@"
exit 127
__PAYLOAD__
${base64}`;
}

/** What buildStandinPackages writes (absolute paths). */
export interface StandinArtifacts {
  kubelet: string;
  crictl: string;
  kubeletDeb: string;
  criToolsDeb: string;
  /** sha256sum lines ("<hex>  <name>") for the four files above. */
  sha256sums: string;
  /** The packages' versions, e.g. "1.28.4-1.1" and "1.28.0-1.1". */
  versions: { kubelet: string; criTools: string };
}

interface DebSpec {
  package: string;
  version: string;
  section: string;
  depends?: string;
  recommends?: string;
  summary: string;
  files: PackageFile[];
  conffiles?: string[];
  scripts?: Partial<Record<'postinst' | 'prerm' | 'postrm', string>>;
}

/** dpkg-deb's Installed-Size: the files' sizes in KiB, rounded up. */
function installedSize(files: PackageFile[]): number {
  return Math.max(1, Math.ceil(files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0) / 1024));
}

function controlFile(spec: DebSpec): string {
  const fields: [string, string | undefined][] = [
    ['Package', spec.package],
    ['Version', spec.version],
    ['Architecture', 'amd64'],
    ['Maintainer', 'bootstrap e2e lab <lab@bootstrap.invalid>'],
    ['Installed-Size', String(installedSize(spec.files))],
    ['Depends', spec.depends],
    ['Recommends', spec.recommends],
    ['Section', spec.section],
    ['Priority', 'optional'],
    ['Homepage', 'https://kubernetes.io'],
    ['Description', `${spec.summary} (bootstrap e2e lab stand-in)\n This is the bootstrap e2e lab's stand-in, not the real program: a script that runs\n the lab's JavaScript stand-in with /opt/bootstrap-lab/node, which the lab's node image provides.`],
  ];
  return fields.flatMap(([k, v]) => (v === undefined ? [] : [`${k}: ${v}\n`])).join('');
}

/** Builds one .deb from `spec` into `outDir`; returns its path. */
async function buildDeb(spec: DebSpec, outDir: string): Promise<string> {
  const stage = mkdtempSync(join(tmpdir(), `lab-deb-${spec.package}-`));
  // The package's "./" entry carries the stage's mode (mkdtemp's 0700).
  chmodSync(stage, 0o755);
  try {
    for (const file of spec.files) stageFile(stage, file);
    stageFile(stage, { path: '/DEBIAN/control', content: controlFile(spec), mode: 0o644 });
    if (spec.conffiles) stageFile(stage, { path: '/DEBIAN/conffiles', content: spec.conffiles.map((f) => `${f}\n`).join(''), mode: 0o644 });
    for (const [name, script] of Object.entries(spec.scripts ?? {})) stageFile(stage, { path: `/DEBIAN/${name}`, content: script, mode: 0o755 });
    const deb = join(outDir, `${spec.package}_${spec.version}_amd64.deb`);
    await runCommand('dpkg-deb', ['--root-owner-group', '--build', stage, deb], { timeoutMs: 120_000 });
    return deb;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * The unit must be known to systemd once dpkg is done, and enabled on first install, as debhelper's systemd
 * snippets do for the real package. It is not started: bootstrap writes the kubelet's configuration, then starts it.
 */
const KUBELET_POSTINST = `#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
  fi
  if [ -z "$2" ]; then
    systemctl enable kubelet.service >/dev/null 2>&1 || true
  fi
fi
`;

const KUBELET_PRERM = `#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop kubelet.service >/dev/null 2>&1 || true
fi
`;

const KUBELET_POSTRM = `#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = purge ]; then
  systemctl disable kubelet.service >/dev/null 2>&1 || true
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
  fi
fi
`;

/**
 * kubelet and cri-tools as kubelet.spec and cri-tools.spec lay them out for Debian (unit in /lib/systemd/system, mode
 * 0600; /etc/default/kubelet a conffile). The real kubelet also depends on kubernetes-cni, which the lab cannot serve;
 * mount and util-linux are in every Debian system.
 */
function debSpecs(kubernetesVersion: string, kubelet: string, crictl: string): DebSpec[] {
  return [
    {
      package: 'kubelet',
      version: kubeletPackageVersion(kubernetesVersion),
      section: 'net',
      depends: 'mount, util-linux',
      recommends: 'iptables (>= 1.8.4)',
      summary: 'Node agent for Kubernetes clusters',
      files: [{ path: '/usr/bin/kubelet', content: kubelet, mode: 0o755 }, ...kubeletPackageFiles('/lib/systemd/system')],
      conffiles: ['/etc/default/kubelet'],
      scripts: { postinst: KUBELET_POSTINST, prerm: KUBELET_PRERM, postrm: KUBELET_POSTRM },
    },
    {
      package: 'cri-tools',
      version: criToolsPackageVersion(kubernetesVersion),
      section: 'admin',
      summary: 'Command-line utility for interacting with a container runtime',
      files: [{ path: '/usr/bin/crictl', content: crictl, mode: 0o755 }],
    },
  ];
}

/** Builds the four artifacts of `kubernetesVersion` into `dir`, with SHA256SUMS. */
async function writeStandinPackages(kubernetesVersion: string, payload: Buffer, dir: string): Promise<void> {
  const upstream = upstreamVersions(kubernetesVersion);
  const kubelet = singleFileExecutable('kubelet', `v${upstream.kubelet}`, payload);
  // crictl gets its own version (vX.Y.0): the cri-tools package is the same for every patch release of a minor.
  const crictl = singleFileExecutable('crictl', `v${upstream.criTools}`, payload);
  stageFile(dir, { path: '/kubelet', content: kubelet, mode: 0o755 });
  stageFile(dir, { path: '/crictl', content: crictl, mode: 0o755 });
  for (const spec of debSpecs(kubernetesVersion, kubelet, crictl)) await buildDeb(spec, dir);
  const { sha256sums, ...summed } = artifactNames(kubernetesVersion);
  const lines = Object.values(summed).map((n) => `${createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')}  ${n}\n`);
  writeFileSync(join(dir, sha256sums), lines.join(''));
}

/** Copies the built files into `outDir` (leaving it alone where it already holds the same bytes). */
function copyArtifacts(from: string, outDir: string, names: string[]): void {
  mkdirSync(outDir, { recursive: true });
  for (const name of names) {
    const target = join(outDir, name);
    if (existsSync(target) && statSync(target).size === statSync(join(from, name)).size && readFileSync(target).equals(readFileSync(join(from, name)))) continue;
    const partial = `${target}.${process.pid}.partial`;
    copyFileSync(join(from, name), partial);
    renameSync(partial, target);
  }
}

/**
 * Writes into `outDir` the single-file executables `kubelet` and `crictl`, kubelet_<v>-1.1_amd64.deb,
 * cri-tools_<major.minor>.0-1.1_amd64.deb and SHA256SUMS for `kubernetesVersion` (e.g. "v1.28.4"). Built once per
 * content of the compiled stand-ins and version, under .lab/cache/package-repo.
 */
export async function buildStandinPackages(repoRoot: string, kubernetesVersion: string, outDir: string): Promise<StandinArtifacts> {
  const payload = await standinPayload(repoRoot);
  const key = createHash('sha256').update('packages 1\n').update(kubernetesVersion).update(payload).digest('hex').slice(0, 16);
  const built = await buildOnce(join(packageRepoCache(repoRoot), `standins-${key}`), (dir) => writeStandinPackages(kubernetesVersion, payload, dir));
  const versions = { kubelet: kubeletPackageVersion(kubernetesVersion), criTools: criToolsPackageVersion(kubernetesVersion) };
  const names = artifactNames(kubernetesVersion);
  copyArtifacts(built, outDir, Object.values(names));
  return {
    kubelet: join(outDir, names.kubelet),
    crictl: join(outDir, names.crictl),
    kubeletDeb: join(outDir, names.kubeletDeb),
    criToolsDeb: join(outDir, names.criToolsDeb),
    sha256sums: join(outDir, names.sha256sums),
    versions,
  };
}
