/**
 * install.source: files, for air-gapped hosts: kubelet, crictl and kubeadm as binaries, or .deb/.rpm packages,
 * taken from the control machine. Every file is checked against its SHA-256 (from the inventory, or a
 * sha256sum-style checksums file) before any plan exists, so a wrong file stops the run before anything is
 * uploaded or installed on any host. Binaries go to /usr/bin with kubelet's systemd unit and kubeadm's drop-in;
 * packages are uploaded to /var/lib/bootstrap/packages and installed by the package manager, which also
 * resolves their dependencies.
 */
import { basename } from 'node:path';
import type { KubeVersion } from '../kube/version.js';
import { KUBEADM_DROPIN, KUBEADM_DROPIN_PATH } from '../kubelet/dropin.js';
import { contentHash } from '../transport/host.js';
import { emptyPart, PrepareError, restartReplacedKubelet, type PlanPart } from './plan.js';
import { decideVersion } from './repository.js';
import type { HostState } from './state.js';

export const UPLOAD_DIR = '/var/lib/bootstrap/packages';
export const KUBELET_UNIT_PATH = '/usr/lib/systemd/system/kubelet.service';

/**
 * The kubelet unit the kubelet package installs (kubernetes/release cmd/kubepkg/templates/latest/deb/kubelet/
 * lib/systemd/system/kubelet.service); kubeadm's drop-in (src/kubelet/dropin.ts) supplies its arguments.
 */
export const KUBELET_UNIT = `[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/home/
Wants=network-online.target
After=network-online.target
ConditionPathExists=/var/lib/kubelet/config.yaml

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
`;

/** A file of install.files with its bytes, read on the control machine. */
export interface Artifact {
  path: string;
  bytes: Buffer;
  /** From the inventory (install.files[].sha256). */
  sha256?: string;
}

export type ArtifactKind =
  | { type: 'binary'; name: 'kubelet' | 'crictl' | 'kubeadm' }
  | { type: 'deb' | 'rpm'; name: string; version: string; arch: string };

/** sha256sum's output: "<hex>  <name>" or "<hex> *<name>" per line → name (its base name) → hex. */
export function parseChecksums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (m) out.set(basename(m[2] as string), (m[1] as string).toLowerCase());
  }
  return out;
}

/** An artifact whose bytes matched its expected SHA-256: the only kind planArtifacts takes. */
export type VerifiedArtifact = Artifact & { readonly verified: true };

/**
 * Every file's bytes against its expected SHA-256. Throws one PrepareError naming every file that has no
 * expected hash or does not match: nothing may be installed from an unverified file.
 */
export function verifyArtifacts(artifacts: readonly Artifact[], checksums?: string): VerifiedArtifact[] {
  const listed = checksums === undefined ? new Map<string, string>() : parseChecksums(checksums);
  const problems: string[] = [];
  for (const a of artifacts) {
    const expected = a.sha256 ?? listed.get(basename(a.path));
    const actual = contentHash(a.bytes);
    if (!expected) problems.push(`${a.path}: no SHA-256 for it (install.files[].sha256, or a line in install.checksums)`);
    else if (expected !== actual) problems.push(`${a.path}: SHA-256 is ${actual}, expected ${expected}`);
  }
  if (problems.length) throw new PrepareError(`refusing to install unverified files:\n  ${problems.join('\n  ')}`);
  return artifacts.map((a) => ({ ...a, verified: true as const }));
}

/** kubelet_1.28.4-1.1_amd64.deb, kubelet-1.28.4-150500.1.1.x86_64.rpm, or a binary named kubelet, crictl or kubeadm. */
export function artifactKind(path: string): ArtifactKind {
  const name = basename(path);
  const deb = /^([a-z0-9][a-z0-9+.-]*)_([^_]+)_([a-z0-9]+)\.deb$/.exec(name);
  if (deb) return { type: 'deb', name: deb[1]!, version: deb[2]!, arch: deb[3]! };
  const rpm = /^(.+)-([^-]+-[^-]+)\.([a-z0-9_]+)\.rpm$/.exec(name);
  if (rpm) return { type: 'rpm', name: rpm[1]!, version: rpm[2]!, arch: rpm[3]! };
  if (name === 'kubelet' || name === 'crictl' || name === 'kubeadm') return { type: 'binary', name };
  throw new PrepareError(`${path}: not a kubelet, crictl or kubeadm binary, nor a .deb or .rpm package (named as their build tools name them)`);
}

/** ELF e_machine values (elf.h) of the architectures Kubernetes ships, by `uname -m`. */
const ELF_MACHINE: Record<string, number> = { x86_64: 62, aarch64: 183, ppc64le: 21, s390x: 22, armv7l: 40 };
/** The same architectures as Debian and RPM name them. */
const PACKAGE_ARCH: Record<string, readonly string[]> = {
  x86_64: ['amd64', 'x86_64'],
  aarch64: ['arm64', 'aarch64'],
  ppc64le: ['ppc64el', 'ppc64le'],
  s390x: ['s390x'],
  armv7l: ['armhf', 'armv7hl'],
};

/** Why a file cannot run on a host of that architecture, or undefined when it can (or the host's is unknown). */
export function archMismatch(kind: ArtifactKind, bytes: Buffer, hostArch: string): string | undefined {
  if (!(hostArch in ELF_MACHINE)) return undefined;
  if (kind.type === 'binary') {
    if (bytes.length < 20 || bytes.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF executable';
    const machine = bytes[5] === 2 ? bytes.readUInt16BE(18) : bytes.readUInt16LE(18);
    return machine === ELF_MACHINE[hostArch] ? undefined : `built for another architecture than the host's ${hostArch}`;
  }
  const archs = PACKAGE_ARCH[hostArch] ?? [];
  return kind.arch === 'all' || kind.arch === 'noarch' || archs.includes(kind.arch) ? undefined : `a ${kind.arch} package, the host is ${hostArch}`;
}

/** The Kubernetes tool an artifact carries, whose version must be the cluster's. */
const VERSIONED = new Set(['kubelet', 'kubeadm']);

export interface ArtifactsInput {
  artifacts: readonly VerifiedArtifact[];
  state: HostState;
  version: KubeVersion;
  allowVersionChange: boolean;
}

export function planArtifacts(input: ArtifactsInput): PlanPart {
  const { state, version } = input;
  const part = emptyPart();
  let kubeletBinary = false;
  let replacedKubelet = false;
  // A kubelet given as a binary has no package to bring its unit: prepare owns the unit and kubeadm's drop-in.
  const ownsUnit = !state.packages.has('kubelet') && input.artifacts.some((a) => basename(a.path) === 'kubelet');
  for (const a of input.artifacts) {
    const kind = artifactKind(a.path);
    const wrongArch = archMismatch(kind, a.bytes, state.arch);
    if (wrongArch) throw new PrepareError(`${a.path}: ${wrongArch}`);
    if (kind.type === 'binary') {
      const target = `/usr/bin/${kind.name}`;
      if (state.hashes.get(target) === contentHash(a.bytes)) continue;
      // crictl's version is not the cluster's: a crictl already there stays; kubelet and kubeadm follow the version rule.
      const installed = state.versions[kind.name];
      const decision = kind.name === 'crictl' ? { install: installed === undefined } : decideVersion(kind.name, installed, version.release, input.allowVersionChange);
      if ('note' in decision && decision.note) part.notes.push(decision.note);
      if (!decision.install) continue;
      part.files.push({ path: target, content: a.bytes, mode: 0o755 });
      part.changes.push(`install ${target} from ${basename(a.path)}`);
      if (kind.name === 'kubelet') {
        kubeletBinary = true;
        if (installed !== undefined) replacedKubelet = true;
      }
      continue;
    }
    if ((kind.type === 'deb') !== (state.packageManager === 'apt')) {
      throw new PrepareError(`${a.path}: a .${kind.type} package, and the host's package manager is ${state.packageManager ?? 'unknown'}`);
    }
    if (VERSIONED.has(kind.name) && kind.version.replace(/-.*$/, '') !== version.release) {
      throw new PrepareError(`${a.path}: ${kind.name} ${kind.version} is not the cluster's version v${version.release}`);
    }
    const installed = state.packages.get(kind.name);
    if (installed === kind.version) continue;
    // Another build of the same upstream version counts as the same version: it is left as it is.
    const decision = decideVersion(kind.name, installed, upstream(kind.version), input.allowVersionChange);
    if (decision.note) part.notes.push(decision.note);
    if (!decision.install) continue;
    const target = `${UPLOAD_DIR}/${basename(a.path)}`;
    if (state.hashes.get(target) !== contentHash(a.bytes)) part.files.push({ path: target, content: a.bytes, mode: 0o644 });
    part.packages.push(target);
    part.changes.push(`install ${basename(a.path)}`);
    if (state.held.has(kind.name)) part.changesHeld = true;
    if (kind.name === 'kubelet' && installed !== undefined) replacedKubelet = true;
  }
  if (ownsUnit) part.files.push(...unitFiles(state).files);
  const units = part.files.filter((f) => f.path === KUBELET_UNIT_PATH || f.path === KUBEADM_DROPIN_PATH);
  for (const f of units) part.changes.push(`write ${f.path}`);
  if (units.length || (kubeletBinary && !state.kubeletEnabled)) {
    part.after.push(['systemctl', 'daemon-reload'], ['systemctl', 'enable', 'kubelet']);
  }
  if (replacedKubelet) restartReplacedKubelet(part);
  return part;
}

function upstream(v: string): string {
  return v.replace(/-.*$/, '');
}

/** kubelet's unit and kubeadm's drop-in where they differ (a kubelet from a binary has neither). */
function unitFiles(state: HostState): PlanPart {
  const part = emptyPart();
  for (const [path, content] of [[KUBELET_UNIT_PATH, KUBELET_UNIT], [KUBEADM_DROPIN_PATH, KUBEADM_DROPIN]] as const) {
    if (state.hashes.get(path) !== contentHash(content)) part.files.push({ path, content, mode: 0o644 });
  }
  return part;
}
