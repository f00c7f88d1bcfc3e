/**
 * install.source: packages. The Kubernetes project's repository for the cluster's minor (pkgs.k8s.io, one per
 * minor, the same signing key for all), and kubelet, cri-tools (crictl) and optionally kubeadm pinned to the
 * cluster's exact version and held against upgrades, as kubernetes.io's "Installing kubeadm" and "Upgrading
 * Linux nodes" pages do it: apt `kubelet='1.28.4-*'` then `apt-mark hold`; dnf/yum `kubelet-'1.28.4-*'
 * --disableexcludes=kubernetes`, the repository's `exclude=` line being the hold.
 *
 * A kubelet or kubeadm of another version is reported and left alone unless install.allowVersionChange.
 */
import type { InstallSettings } from '../inventory/types.js';
import type { KubeVersion } from '../kube/version.js';
import { contentHash } from '../transport/host.js';
import { emptyPart, PrepareError, restartReplacedKubelet, type PlanPart } from './plan.js';
import type { PrepareRule } from './rules.js';
import type { HostState } from './state.js';

export const APT_LIST_PATH = '/etc/apt/sources.list.d/kubernetes.list';
export const APT_KEYRING_DIR = '/etc/apt/keyrings';
/** ASCII-armoured, as the repository serves it: apt reads a signed-by key ending in .asc without gpg --dearmor. */
export const APT_KEY_PATH = `${APT_KEYRING_DIR}/kubernetes-apt-keyring.asc`;
export const YUM_REPO_PATH = '/etc/yum.repos.d/kubernetes.repo';
/** Where Debian and Ubuntu keep the CA bundle apt's https transport verifies pkgs.k8s.io with (package ca-certificates). */
export const CA_BUNDLE_PATH = '/etc/ssl/certs/ca-certificates.crt';

/** What the repository's `exclude=` holds back, as the pkgs.k8s.io announcement writes it. */
const EXCLUDED = 'kubelet kubeadm kubectl cri-tools kubernetes-cni';

export function repositoryBase(version: KubeVersion, install: InstallSettings): string {
  return install.repository ?? `https://pkgs.k8s.io/core:/stable:/v${version.major}.${version.minor}`;
}

export function aptSource(base: string): string {
  return `deb [signed-by=${APT_KEY_PATH}] ${base}/deb/ /\n`;
}

export function yumRepo(base: string): string {
  return [
    '[kubernetes]',
    'name=Kubernetes',
    `baseurl=${base}/rpm/`,
    'enabled=1',
    'gpgcheck=1',
    `gpgkey=${base}/rpm/repodata/repomd.xml.key`,
    `exclude=${EXCLUDED}`,
    '',
  ].join('\n');
}

/** "1.28.4-1.1" → "1.28.4"; "v1.28.4" → "1.28.4". */
export function upstreamVersion(version: string): string {
  return version.replace(/^v/, '').replace(/-.*$/, '');
}

/** The package spec pinned to the cluster's version: kubelet=1.28.4-* (apt), kubelet-1.28.4-* (dnf, yum). */
export function pinned(manager: 'apt' | 'dnf' | 'yum', name: string, release: string, revision: string | undefined): string {
  return `${name}${manager === 'apt' ? '=' : '-'}${release}-${revision ?? '*'}`;
}

/** Which Kubernetes tool a package carries: its installed version is read from the package, else from the binary. */
const TOOLS = [
  { pkg: 'kubelet', binary: 'kubelet', pinned: true },
  { pkg: 'kubeadm', binary: 'kubeadm', pinned: true },
  { pkg: 'cri-tools', binary: 'crictl', pinned: false },
] as const;

export interface VersionDecision {
  /** Install (or replace) it. */
  install: boolean;
  /** Installed at another version and left alone: the note says so. */
  note?: string;
  /** Replacing a version that differs (allowed by the inventory). */
  change?: string;
}

/** The one rule for a kubelet or kubeadm already on the host: the same version stays, another only changes when allowed. */
export function decideVersion(name: string, installed: string | undefined, wanted: string, allowChange: boolean): VersionDecision {
  if (installed === undefined) return { install: true };
  if (upstreamVersion(installed) === wanted) return { install: false };
  if (!allowChange) {
    return { install: false, note: `${name} v${upstreamVersion(installed)} is installed and the cluster is v${wanted}: left alone (install.allowVersionChange: true replaces it)` };
  }
  return { install: true, change: `replace ${name} v${upstreamVersion(installed)} with v${wanted} (install.allowVersionChange)` };
}

export function planRepository(input: { rule: PrepareRule; state: HostState; version: KubeVersion; install: InstallSettings }): PlanPart {
  const { rule, state, version, install } = input;
  const part = emptyPart();
  const manager = state.packageManager;
  if (!manager) throw new PrepareError('install.source packages needs apt-get, dnf or yum on the host; use install.source: files');
  if (!rule.communityPackages && install.repository === undefined) {
    throw new PrepareError(
      `pkgs.k8s.io has no packages for Kubernetes ${version.text} (its repositories start at v1.24, and the Google-hosted ones are gone): set install.repository to a mirror that has them, or use install.source: files`,
    );
  }
  const base = repositoryBase(version, install);
  const release = version.release;
  if (manager === 'apt' && base.startsWith('https:') && !state.hashes.has(CA_BUNDLE_PATH)) {
    // The key and the repository's index come over https before any package could bring the CAs.
    throw new PrepareError(`apt cannot verify ${base} without ${CA_BUNDLE_PATH}: install ca-certificates on the host first, or use an http mirror (install.repository) or install.source: files`);
  }

  const wanted = TOOLS.filter((t) => t.pkg !== 'kubeadm' || install.kubeadm);
  const toInstall: string[] = [];
  let changingHeld = false;
  let restartAfter = false;
  for (const tool of wanted) {
    const installed = state.packages.get(tool.pkg) ?? state.versions[tool.binary];
    if (!tool.pinned) {
      // crictl is kept as found: kubeadm of the version checks it works, not its exact version.
      if (installed === undefined) toInstall.push(tool.pkg);
      continue;
    }
    const decision = decideVersion(tool.binary, installed, release, install.allowVersionChange);
    if (decision.note) part.notes.push(decision.note);
    if (decision.change) {
      part.changes.push(decision.change);
      if (tool.binary === 'kubelet') restartAfter = true;
    }
    if (decision.install) {
      toInstall.push(pinned(manager, tool.pkg, release, install.revision));
      if (state.held.has(tool.pkg)) changingHeld = true;
    }
  }

  const repoPath = manager === 'apt' ? APT_LIST_PATH : YUM_REPO_PATH;
  const repoText = manager === 'apt' ? aptSource(base) : yumRepo(base);
  if (state.hashes.get(repoPath) !== contentHash(repoText)) {
    part.files.push({ path: repoPath, content: repoText, mode: 0o644 });
    part.changes.push(`configure the Kubernetes package repository ${base} (${repoPath})`);
  }
  if (manager === 'apt' && !state.hashes.has(APT_KEY_PATH)) {
    // apt-helper is part of apt itself: no curl or gpg needed on a bare host.
    part.commands.push(['install', '-d', '-m', '0755', APT_KEYRING_DIR]);
    part.commands.push(['/usr/lib/apt/apt-helper', 'download-file', `${base}/deb/Release.key`, APT_KEY_PATH]);
    part.changes.push(`fetch the repository's signing key into ${APT_KEY_PATH}`);
  }
  if (toInstall.length) {
    part.packages.push(...toInstall);
    part.changes.push(`install ${toInstall.join(' ')}`);
    part.changesHeld = changingHeld;
    part.kubernetesRepo = true;
  }
  if (restartAfter) restartReplacedKubelet(part);
  if (manager === 'apt') {
    // Held once installed, as the install guide does. Installing a held package (--allow-change-held-packages)
    // sets its selection back to install, so a replaced one is held again.
    const installs = (p: string) => toInstall.some((s) => s === p || s.startsWith(`${p}=`));
    const unheld = wanted.map((t) => t.pkg).filter((p) => installs(p) || (state.packages.has(p) && !state.held.has(p)));
    if (unheld.length) {
      part.after.push(['apt-mark', 'hold', ...unheld]);
      part.changes.push(`hold ${unheld.join(', ')} against upgrades (apt-mark hold)`);
    }
  }
  return part;
}
