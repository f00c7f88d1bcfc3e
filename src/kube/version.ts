/**
 * The one version model: a Kubernetes version is parsed once into a KubeVersion, which every per-version
 * table (src/kube/table.ts) is looked up with. No other module parses a version string.
 *
 * Supported: every release of every minor from v1.20 to the newest minor whose kubeadm data is in
 * releases.data.ts (KNOWN_RELEASES). The upper bound is "the newest known minor, any patch of it": kubeadm
 * changes its image catalog within a minor only through backports (etcd, registry), which catalog.data.ts
 * lists up to the newest patch known when it was written; a later patch of a known minor gets that minor's
 * newest known values. SUPPORTED_RANGE below is the only place this bound exists.
 *
 * Pre-releases ("v1.30.0-rc.1") and build metadata are refused in inventories and on the command line
 * (supportedKubeVersion): kubeadm's own data for them (e.g. the etcd map of a release candidate) differs from
 * the final release, and bootstrap carries data for releases only.
 */
import semver, { type SemVer } from 'semver';
import { NEWEST_KNOWN_PATCH } from './releases.data.js';
import { InputError } from '../util/errors.js';

/** A version the user wrote that bootstrap cannot use. The message is meant for the user as is. */
export class VersionError extends InputError {
  override name = 'VersionError';
  constructor(message: string) {
    super(message);
    // A user mistake, not a bug: no stack trace is useful.
    this.stack = `${this.name}: ${message}`;
  }
}

/** A parsed Kubernetes version. Build one with supportedKubeVersion (user input) or kubeVersion. */
export interface KubeVersion {
  /** The one spelling every module shows: "v1.28.4" (a pre-release keeps its suffix: "v1.30.0-rc.1"). */
  readonly text: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Empty for a release. */
  readonly prerelease: readonly (string | number)[];
  /** MAJOR.MINOR.PATCH without "v" or pre-release, what table ranges are matched against: "1.28.4". */
  readonly release: string;
  readonly semver: SemVer;
}

const OLDEST = '1.20.0';
const NEWEST = semver.parse(NEWEST_KNOWN_PATCH)!;

/** Every version bootstrap accepts: v1.20.0 up to any patch of the newest minor the catalog knows. */
export const SUPPORTED_RANGE = `>=${OLDEST} <${NEWEST.major}.${NEWEST.minor + 1}.0`;

/** "1.20" … "1.37": every minor bootstrap supports, oldest first. */
export const SUPPORTED_MINORS: string[] = (() => {
  const out: string[] = [];
  for (let minor = semver.minor(OLDEST); minor <= NEWEST.minor; minor++) out.push(`1.${minor}`);
  return out;
})();

/** "v1.20.0 to v1.37.1 (and later patches of v1.37)". */
export function supportedText(): string {
  return `bootstrap supports v${OLDEST} to v${NEWEST_KNOWN_PATCH} (and later patches of v${SUPPORTED_MINORS.at(-1)})`;
}

/** Whether a version lies within the supported bound (its pre-release part, if any, is ignored). */
export function isSupported(version: KubeVersion): boolean {
  return semver.satisfies(version.release, SUPPORTED_RANGE);
}

function fromSemver(parsed: SemVer): KubeVersion {
  const release = `${parsed.major}.${parsed.minor}.${parsed.patch}`;
  const prerelease = parsed.prerelease.length > 0 ? `-${parsed.prerelease.join('.')}` : '';
  return Object.freeze({
    text: `v${release}${prerelease}`,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: Object.freeze([...parsed.prerelease]),
    release,
    semver: parsed,
  });
}

const STRICT = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/**
 * A kubernetesVersion as a user writes it ("1.28.4" or "v1.28.4"): exactly MAJOR.MINOR.PATCH (with an
 * optional leading "v") within the supported minors, or a VersionError that says what to write.
 */
export function supportedKubeVersion(input: unknown): KubeVersion {
  if (typeof input !== 'string') {
    throw new VersionError(`kubernetesVersion must be a string like "v1.28.4", got ${JSON.stringify(input)}`);
  }
  const text = input.trim();
  const m = STRICT.exec(text);
  if (!m) {
    let hint = 'expected MAJOR.MINOR.PATCH such as "v1.28.4"';
    if (/^v?\d+\.\d+$/.test(text)) hint = `a patch number is required, e.g. "${text.startsWith('v') ? text : `v${text}`}.0"`;
    else if (/^v?\d+\.\d+\.\d+[-+]/.test(text)) hint = 'pre-releases and build metadata are not supported; use a released version';
    else if (/^(latest|stable)/.test(text)) hint = 'release labels are not resolved; write the exact version, e.g. "v1.28.4"';
    throw new VersionError(`kubernetesVersion "${input}" is not valid: ${hint}`);
  }
  const version = fromSemver(new semver.SemVer(`${m[1]}.${m[2]}.${m[3]}`));
  if (!isSupported(version)) {
    throw new VersionError(`kubernetesVersion "${version.text}" is not supported: ${supportedText()}`);
  }
  return version;
}

/** "1.28.4" or "v1.28.4" → "v1.28.4"; see supportedKubeVersion. */
export function normalizeKubernetesVersion(input: string): string {
  return supportedKubeVersion(input).text;
}

/** A version already parsed, or its text as an Inventory written by hand or a caller of the library has it. */
export type VersionLike = KubeVersion | string;

const parsedTexts = new Map<string, KubeVersion>();

/**
 * The KubeVersion of a version value. A KubeVersion is returned as is; text ("v1.28.4", also a pre-release
 * such as "v1.29.0-rc.1") is parsed once per distinct string. Whether the version is supported is decided by
 * the table lookup, not here. Throws VersionError when the text is not a version at all.
 */
export function kubeVersion(version: VersionLike): KubeVersion {
  if (typeof version !== 'string') return version;
  let parsed = parsedTexts.get(version);
  if (parsed === undefined) {
    const sv = semver.parse(version.trim().replace(/^v/, ''));
    if (!sv) throw new VersionError(`kubernetesVersion "${version}" is not a version like "v1.28.4"`);
    parsed = fromSemver(sv);
    parsedTexts.set(version, parsed);
  }
  return parsed;
}

/** "v1.28.4" → "1.28". Accepts anything normalizeKubernetesVersion accepts. */
export function minorOf(version: VersionLike): string {
  const v = typeof version === 'string' ? supportedKubeVersion(version) : version;
  return `${v.major}.${v.minor}`;
}

/**
 * The parsed version of an inventory's cluster: the one the inventory loader stored, or (for an Inventory
 * built by hand) its kubernetesVersion text, parsed once.
 */
export function clusterVersion(inv: { cluster: { kubernetesVersion: string; version?: KubeVersion } }): KubeVersion {
  return inv.cluster.version ?? kubeVersion(inv.cluster.kubernetesVersion);
}

/**
 * The first version number in a tool's `--version` line: "Kubernetes v1.28.4" → "v1.28.4"; "crictl version v1.28.0"
 * → "v1.28.0"; "Docker version 20.10.24, build …" → "20.10.24"; "containerd github.com/containerd/containerd
 * 1.6.20~ds1 …" → "1.6.20".
 */
export function versionIn(text: string | undefined): string | undefined {
  return text?.match(/v?\d+\.\d+\.\d+/)?.[0];
}
