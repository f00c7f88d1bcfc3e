/**
 * The node image: a Debian root made by debootstrap (cached as a tarball under .lab/cache, so it is built once
 * per machine), imported into Docker, then one per-lab layer with the lab's containerd, registry and SSH settings.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { DockerCli, runCommand } from './docker.js';
import type { LabRuntime } from './state.js';
import { labDir } from './state.js';

export const DEBIAN_SUITE = 'bookworm';

/** What every node has: systemd as init, sshd, the real container runtimes, and the tools kubeadm's preflight looks for. */
export const NODE_PACKAGES = [
  'systemd', 'systemd-sysv', 'dbus', 'openssh-server', 'iproute2',
  'containerd', 'runc', 'docker.io',
  'libstdc++6', 'ca-certificates',
  'iptables', 'conntrack', 'ebtables', 'ethtool', 'socat', 'kmod', 'sudo', 'procps', 'curl',
] as const;

export function debianMirror(): string {
  return process.env.BOOTSTRAP_LAB_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
}

/** Identifies a base root by what went into it, so a changed package list builds a new one. */
export function baseImageKey(): string {
  return createHash('sha256')
    .update(JSON.stringify({ suite: DEBIAN_SUITE, packages: NODE_PACKAGES, mirror: debianMirror(), layout: 1 }))
    .digest('hex')
    .slice(0, 12);
}

export function cacheDir(repoRoot: string): string {
  return join(labDir(repoRoot), 'cache');
}

export function baseTarball(repoRoot: string): string {
  return join(cacheDir(repoRoot), `node-rootfs-${DEBIAN_SUITE}-${baseImageKey()}.tar`);
}

/** Units that have no work to do in a container and would only make the boot slower or degraded. */
export const MASK_IDLE_UNITS =
  'systemctl mask e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer getty@tty1.service console-getty.service systemd-remount-fs.service 2>/dev/null || true';

export const BASE_IMAGE_REPO = 'bootstrap-lab/node-base';
export const NODE_IMAGE_REPO = 'bootstrap-lab/node';

/** Builds the cached root tarball unless it exists. Host keys and machine-id are removed: every node gets its own. */
export async function ensureBaseTarball(repoRoot: string, log: (line: string) => void): Promise<string> {
  const tarball = baseTarball(repoRoot);
  if (existsSync(tarball)) return tarball;
  mkdirSync(cacheDir(repoRoot), { recursive: true });
  const work = mkdtempSync(join(cacheDir(repoRoot), 'debootstrap-'));
  const root = join(work, 'root');
  try {
    log(`building the node root with debootstrap (${DEBIAN_SUITE}, once per machine)`);
    await runCommand(
      'debootstrap',
      ['--variant=minbase', `--include=${NODE_PACKAGES.join(',')}`, DEBIAN_SUITE, root, debianMirror()],
      { timeoutMs: 1_800_000 },
    );
    for (const file of ['ssh_host_rsa_key', 'ssh_host_ecdsa_key', 'ssh_host_ed25519_key']) {
      rmSync(join(root, 'etc/ssh', file), { force: true });
      rmSync(join(root, 'etc/ssh', `${file}.pub`), { force: true });
    }
    writeFileSync(join(root, 'etc/machine-id'), '');
    rmSync(join(root, 'var/lib/dbus/machine-id'), { force: true });
    rmSync(join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
    mkdirSync(join(root, 'var/cache/apt/archives/partial'), { recursive: true });
    const partial = `${tarball}.partial`;
    await runCommand('tar', ['--numeric-owner', '--xattrs', '-C', root, '-cf', partial, '.'], { timeoutMs: 600_000 });
    renameSync(partial, tarball);
    return tarball;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function imageExists(docker: DockerCli, image: string): Promise<boolean> {
  const result = await docker.run(['image', 'inspect', '--format', '{{.Id}}', image], { allowFailure: true });
  return result.code === 0;
}

/** Imports the cached root into the engine once. */
export async function ensureBaseImage(docker: DockerCli, repoRoot: string, log: (line: string) => void): Promise<string> {
  const image = `${BASE_IMAGE_REPO}:${baseImageKey()}`;
  if (await imageExists(docker, image)) return image;
  const tarball = await ensureBaseTarball(repoRoot, log);
  log('importing the node root into Docker');
  await docker.run(['import', tarball, image], { timeoutMs: 600_000 });
  return image;
}

export interface NodeImageSettings {
  registries: string[];
  /** The pause image containerd's CRI plugin uses for sandboxes (kubeadm's, in the lab registry). */
  sandboxImage: string;
  runtime: LabRuntime;
  kubernetesVersion: string;
}

/** The files the per-lab layer adds, by absolute path. */
export function nodeImageFiles(settings: NodeImageSettings): Record<string, { content: string; mode: number }> {
  const files: Record<string, { content: string; mode: number }> = {};
  files['/etc/containerd/config.toml'] = { content: containerdConfig(settings.sandboxImage), mode: 0o644 };
  for (const registry of settings.registries) {
    files[`/etc/containerd/certs.d/${registry}/hosts.toml`] = { content: hostsToml(registry), mode: 0o644 };
  }
  files['/etc/docker/daemon.json'] = {
    content:
      JSON.stringify(
        {
          'insecure-registries': settings.registries,
          'exec-opts': ['native.cgroupdriver=cgroupfs'],
          // The node's own dockerd must not need a bridge or NAT: pods use the host network in the lab.
          bridge: 'none',
          iptables: false,
          'ip-forward': false,
          'ip-masq': false,
          // Lowering dockerd's own OOM score needs CAP_SYS_RESOURCE, which nodes do not have.
          'oom-score-adjust': 0,
        },
        null,
        2,
      ) + '\n',
    mode: 0o644,
  };
  files['/etc/ssh/sshd_config.d/bootstrap-lab.conf'] = {
    content: [
      '# bootstrap lab node: key-only root login, one host key made per node, room for parallel sessions',
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UseDNS no',
      'MaxSessions 64',
      'MaxStartups 200:30:400',
      '',
    ].join('\n'),
    mode: 0o644,
  };
  files['/etc/bootstrap-lab/version'] = { content: settings.kubernetesVersion + '\n', mode: 0o644 };
  files['/etc/bootstrap-lab/runtime'] = { content: settings.runtime + '\n', mode: 0o644 };
  return files;
}

/** containerd for CRI: cgroupfs (runc default), registry hosts from certs.d, the lab's pause image. */
export function containerdConfig(sandboxImage: string): string {
  return `# bootstrap lab node: containerd's CRI plugin with the lab registries (see certs.d) and the lab's pause image
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${JSON.stringify(sandboxImage)}
  # Nodes run without CAP_SYS_RESOURCE, so containers may not get a lower oom_score_adj than containerd's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "/etc/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"

[plugins."io.containerd.internal.v1.opt"]
  path = "/var/lib/containerd/opt"
`;
}

/** A lab registry speaks plain HTTP. */
export function hostsToml(registry: string): string {
  return `server = "http://${registry}"

[host."http://${registry}"]
  capabilities = ["pull", "resolve", "push"]
`;
}

/**
 * Builds the node image for the lab's settings on top of the base: config files, services enabled for the
 * chosen runtime. Tagged by the hash of its inputs, so the next lab with the same settings reuses it; what is
 * secret or per lab (the SSH key) goes into each node instead.
 */
export async function ensureNodeImage(
  docker: DockerCli,
  repoRoot: string,
  settings: NodeImageSettings,
  log: (line: string) => void,
): Promise<string> {
  const base = await ensureBaseImage(docker, repoRoot, log);
  // Enabling and disabling units works on files only; no systemd needs to run for it.
  const enable = settings.runtime === 'docker' ? ['docker.service', 'docker.socket'] : ['containerd.service'];
  const disable = settings.runtime === 'docker' ? [] : ['docker.service', 'docker.socket'];
  const script = [
    'set -e',
    disable.length ? `systemctl disable ${disable.join(' ')}` : 'true',
    `systemctl enable ${enable.join(' ')}`,
    MASK_IDLE_UNITS,
  ].join('\n');
  log('preparing the lab node image');
  return layerImage(docker, repoRoot, { base, files: nodeImageFiles(settings), script, repository: NODE_IMAGE_REPO });
}

/** What a bare node needs from the lab: the stand-ins' runtime, and the lab's Debian mirror with its key. */
export interface BareNodeSettings {
  /** A tar (rooted at /) with /opt/bootstrap-lab's node and node_modules, which the packaged stand-ins run on. */
  standinRuntime: string;
  /** The apt source line of the lab's Debian mirror, and its signing key (ASCII-armoured). */
  debianSource: string;
  debianKey: string;
  kubernetesVersion: string;
}

/** Where a bare node keeps the lab Debian mirror's key (apt reads an .asc signed-by key as it is). */
export const BARE_DEBIAN_KEY_PATH = '/etc/apt/keyrings/bootstrap-lab-debian.asc';

/**
 * Tools a fresh Debian install lacks and kubeadm's preflight looks for: removed from bare nodes, so that prepare
 * installs them from the lab's Debian mirror.
 */
export const BARE_MISSING_PACKAGES = ['conntrack', 'socat'];

/**
 * A bare node, as a reprovisioned machine comes back: systemd, sshd and Debian's containerd with the package's
 * own configuration (its default sandbox image, no registry settings), no kubelet, crictl or kubeadm, some of
 * kubeadm's tools missing, apt pointed at the lab's Debian mirror. Two things stand for what a site's image
 * would carry: containerd's restrict_oom_score_adj (lab nodes lack CAP_SYS_RESOURCE, see install.ts) and the
 * stand-ins' runtime under /opt/bootstrap-lab (the packaged stand-ins run on it, as real binaries need libc).
 */
export async function ensureBareNodeImage(
  docker: DockerCli,
  repoRoot: string,
  settings: BareNodeSettings,
  log: (line: string) => void,
): Promise<string> {
  const base = await ensureBaseImage(docker, repoRoot, log);
  const all = nodeImageFiles({ registries: [], sandboxImage: '', runtime: 'containerd', kubernetesVersion: settings.kubernetesVersion });
  const files: Record<string, { content: string; mode: number }> = {
    '/etc/ssh/sshd_config.d/bootstrap-lab.conf': all['/etc/ssh/sshd_config.d/bootstrap-lab.conf']!,
    '/etc/apt/sources.list.d/bootstrap-lab-debian.list': { content: settings.debianSource, mode: 0o644 },
    [BARE_DEBIAN_KEY_PATH]: { content: settings.debianKey, mode: 0o644 },
  };
  // Debian's file indents its tables: "  [plugins."io.containerd.grpc.v1.cri"]".
  const cri = '^[[:space:]]*\\[plugins\\."io\\.containerd\\.grpc\\.v1\\.cri"\\]$';
  const script = [
    'set -e',
    `dpkg --purge ${BARE_MISSING_PACKAGES.join(' ')}`,
    // The distribution's mirror is out of reach from the lab network; the lab's own takes its place.
    'rm -f /etc/apt/sources.list && rm -rf /var/lib/apt/lists/*',
    `sed -i '/${cri}/a\\    restrict_oom_score_adj = true' /etc/containerd/config.toml`,
    'grep -q restrict_oom_score_adj /etc/containerd/config.toml',
    'systemctl disable docker.service docker.socket',
    'systemctl enable containerd.service',
    MASK_IDLE_UNITS,
  ].join('\n');
  log('preparing the bare node image');
  return layerImage(docker, repoRoot, { base, files, tars: [settings.standinRuntime], script, repository: `${NODE_IMAGE_REPO}-bare` });
}

/**
 * For users with Docker and internet: a kind node image (kindest/node:vX.Y.Z, with the real kubelet, crictl and
 * containerd) plus sshd and the lab registries' certs.d entries. Pulls the image and installs openssh-server
 * with apt, so it needs network access; the lab's offline path is the debootstrap image.
 */
export async function ensureExternalNodeImage(
  docker: DockerCli,
  repoRoot: string,
  external: string,
  settings: NodeImageSettings,
  log: (line: string) => void,
): Promise<string> {
  if (!(await imageExists(docker, external))) {
    log(`pulling ${external}`);
    await docker.run(['pull', external], { timeoutMs: 1_800_000 });
  }
  const all = nodeImageFiles(settings);
  const files = Object.fromEntries(
    Object.entries(all).filter(([path]) => path.startsWith('/etc/containerd/certs.d/') || path.startsWith('/etc/ssh/') || path.startsWith('/etc/bootstrap-lab/')),
  );
  const script = [
    'set -e',
    'if ! command -v sshd >/dev/null; then',
    '  export DEBIAN_FRONTEND=noninteractive',
    '  apt-get update',
    '  apt-get install -y --no-install-recommends openssh-server',
    '  rm -rf /var/lib/apt/lists/*',
    'fi',
    'rm -f /etc/ssh/ssh_host_*',
    'systemctl enable ssh.service',
  ].join('\n');
  log(`adding sshd to ${external}`);
  // The kind image keeps its own ENTRYPOINT; only the network for apt differs.
  return layerImage(docker, repoRoot, { base: external, files, script, repository: `${NODE_IMAGE_REPO}-external`, network: 'host' });
}

export interface LayerRecipe {
  base: string;
  files: Record<string, { content: string; mode: number }>;
  /** Tars (rooted at /) unpacked into the layer before the script; named by their content, so the tag follows it. */
  tars?: string[];
  /** Runs once in a container of `base` (no systemd) after the files are in place. */
  script: string;
  repository: string;
  network?: string;
  /** Makes the tars, run only when the image has to be built (a function: not part of the tag). */
  prepare?: () => Promise<void>;
}

/** `docker create` + `docker cp` + run the script + `docker commit`, tagged by the hash of the recipe. */
export async function layerImage(docker: DockerCli, repoRoot: string, recipe: LayerRecipe): Promise<string> {
  // Bump when the way images are made changes, so that no image made the old way is reused.
  const recipeVersion = 2;
  const tag = createHash('sha256').update(JSON.stringify({ recipeVersion, recipe })).digest('hex').slice(0, 12);
  const image = `${recipe.repository}:${tag}`;
  if (await imageExists(docker, image)) return image;
  await recipe.prepare?.();
  mkdirSync(labDir(repoRoot), { recursive: true });
  const stage = mkdtempSync(join(labDir(repoRoot), 'node-image-'));
  const container = `bootstrap-lab-image-build-${process.pid}`;
  try {
    for (const [path, file] of Object.entries(recipe.files)) {
      const local = join(stage, path);
      mkdirSync(join(local, '..'), { recursive: true });
      writeFileSync(local, file.content);
      chmodSync(local, file.mode);
    }
    const network = recipe.network ? ['--network', recipe.network] : [];
    await docker.run(['rm', '-f', container], { allowFailure: true });
    const unpack = (recipe.tars?.length ? 'set -e\n' : '') + (recipe.tars ?? []).map((_, i) => `tar -C / --no-overwrite-dir --keep-directory-symlink -xf /tmp/bootstrap-lab-layer-${i}.tar && rm /tmp/bootstrap-lab-layer-${i}.tar\n`).join('');
    await docker.run(['create', '--name', container, ...network, '--entrypoint', '', recipe.base, 'sh', '-c', `${unpack}${recipe.script}`]);
    await docker.run(['cp', `${stage}/.`, `${container}:/`]);
    // Unpacked by the script itself (see the create above), never over the metadata of folders already there.
    for (const [i, tar] of (recipe.tars ?? []).entries()) await docker.run(['cp', tar, `${container}:/tmp/bootstrap-lab-layer-${i}.tar`], { timeoutMs: 600_000 });
    const run = await docker.run(['start', '--attach', container], { timeoutMs: 900_000, allowFailure: true });
    const exit = (await docker.run(['inspect', '--format', '{{.State.ExitCode}}', container])).stdout.trim();
    if (exit !== '0') throw new Error(`preparing the node image from ${recipe.base} failed (exit ${exit}): ${(run.stderr || run.stdout).trim().slice(-1500)}`);
    // The build ran without an entrypoint; give back the base's (kind's), if it had one. The command is systemd.
    const entrypoint = (await docker.run(['image', 'inspect', '--format', '{{json .Config.Entrypoint}}', recipe.base])).stdout.trim();
    const keepEntrypoint = entrypoint.startsWith('[') ? ['--change', `ENTRYPOINT ${entrypoint}`] : [];
    await docker.run([
      'commit',
      ...keepEntrypoint,
      '--change', 'CMD ["/sbin/init"]',
      '--change', 'ENV container=docker',
      container,
      image,
    ]);
    return image;
  } finally {
    await docker.run(['rm', '-f', container], { allowFailure: true });
    rmSync(stage, { recursive: true, force: true });
  }
}
