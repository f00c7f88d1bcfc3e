/**
 * Which Kubernetes versions bootstrap accepts, and the one spelling ("v1.28.4") every other module sees.
 *
 * Supported: every release of every minor from v1.20 to the newest minor whose kubeadm data is in
 * catalog.data.ts. The upper bound is "the newest known minor, any patch of it": kubeadm changes its image
 * catalog within a minor only through backports (etcd, registry), which catalog.data.ts lists up to the newest
 * patch known when it was written; a later patch of a known minor gets that minor's newest known values.
 *
 * Pre-releases ("v1.30.0-rc.1") and build metadata are refused: kubeadm's own data for them (e.g. the etcd map
 * of a release candidate) differs from the final release, and bootstrap carries data for releases only.
 */
import semver from 'semver';
import { SUPPORTED_MINOR_RANGE, NEWEST_KNOWN_PATCH, type Rule } from './catalog.data.js';
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

const OLDEST = '1.20.0';

/** "1.20" … "1.37": every minor bootstrap supports, oldest first. */
export const SUPPORTED_MINORS: string[] = (() => {
  const newest = semver.parse(NEWEST_KNOWN_PATCH)!;
  const out: string[] = [];
  for (let minor = semver.minor(OLDEST); minor <= newest.minor; minor++) out.push(`1.${minor}`);
  return out;
})();

const STRICT = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

function supportedText(): string {
  return `bootstrap supports v${OLDEST} to v${NEWEST_KNOWN_PATCH} (and later patches of v${SUPPORTED_MINORS.at(-1)})`;
}

/**
 * "1.28.4" or "v1.28.4" → "v1.28.4". Throws VersionError for anything that is not exactly MAJOR.MINOR.PATCH
 * (with an optional leading "v") or that is outside the supported minors.
 */
export function normalizeKubernetesVersion(input: string): string {
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
  const version = `v${m[1]}.${m[2]}.${m[3]}`;
  if (!semver.satisfies(version.slice(1), SUPPORTED_MINOR_RANGE)) {
    throw new VersionError(`kubernetesVersion "${version}" is not supported: ${supportedText()}`);
  }
  return version;
}

/** "v1.28.4" → "1.28". Accepts anything normalizeKubernetesVersion accepts. */
export function minorOf(version: string): string {
  const v = normalizeKubernetesVersion(version);
  return `${semver.major(v)}.${semver.minor(v)}`;
}

/** A row of a per-version table: a semver range over Kubernetes versions (without "v"), its value and source. */
export type VersionRule<T> = Rule<T>;

/** First row whose range contains the version; a version no row covers is a VersionError, never a guess. */
export function pickRule<T>(table: readonly VersionRule<T>[], version: string, what: string): VersionRule<T> {
  const v = normalizeKubernetesVersion(version).slice(1);
  const row = table.find((r) => semver.satisfies(v, r.range));
  if (!row) throw new VersionError(`${what} for Kubernetes v${v} is not known: ${supportedText()}`);
  return row;
}
