/**
 * Per-version tables: everything kubeadm decides by version, as ordered rows of semver ranges over
 * Kubernetes versions, each citing the kubeadm source it comes from. Every such table in bootstrap is made
 * with defineTable and read with lookup; test/kube/tables.test.ts enumerates them all (TABLES) and proves
 * that each known release matches exactly one row of each, and that each row cites its source.
 *
 * How a version matches a row is decided here, once: a row applies when the version's release
 * (MAJOR.MINOR.PATCH, any pre-release part dropped: a v1.34.0-rc.1 kubeadm already carries the v1.34 code)
 * satisfies the row's range, and the version lies within SUPPORTED_RANGE (src/kube/version.ts), the only
 * place the supported bound is written. Rows are therefore open-ended at the top ('>=1.35.0'): the bound
 * clips them.
 *
 * Supporting the next minor (v1.38): add its newest release to KNOWN_RELEASES in src/kube/releases.data.ts, the
 * one place that moves the bound; then, in each table, add a row where that kubeadm changed the value (the
 * rows keep their sources). tables.test.ts checks every release of the new minor against every table.
 */
import semver from 'semver';
import { isSupported, kubeVersion, supportedText, VersionError, type KubeVersion, type VersionLike } from './version.js';

/** One row: the Kubernetes versions (a semver range, without "v") it covers, its value, and where kubeadm says so. */
export interface Row<T> {
  range: string;
  value: T;
  /** The kubeadm source: "cmd/kubeadm/app/<file> <identifier> (<release>, <pull request>)". */
  source: string;
}

/** A table as registered: a name for messages and tests, and its rows in order. */
export interface RegisteredTable {
  /** What the table decides, e.g. "the etcd image tag". */
  what: string;
  rows: readonly Row<unknown>[];
}

/** Every table defined so far, in definition order. */
export const TABLES: RegisteredTable[] = [];

const registered = new WeakMap<readonly Row<unknown>[], RegisteredTable>();

/**
 * Registers a table and returns its rows. Only registered tables can be looked up, so every table the code
 * reads is one the table test enumerates.
 */
export function defineTable<T>(what: string, rows: Row<T>[]): Row<T>[] {
  for (const row of rows) {
    if (semver.validRange(row.range) === null) throw new Error(`${what}: invalid semver range ${JSON.stringify(row.range)}`);
  }
  const table: RegisteredTable = { what, rows };
  TABLES.push(table);
  registered.set(rows, table);
  return rows;
}

/** Whether a range covers a version, by the same rule lookup uses (for conditions that are not tables). */
export function inRange(version: KubeVersion, range: string): boolean {
  return semver.satisfies(version.release, range);
}

/**
 * The row of a registered table that covers the version. A version outside the supported bound, or one no
 * row covers, is a VersionError naming the table; fail, when given, turns that message into the caller's own
 * error type.
 */
export function lookupRow<T>(rows: readonly Row<T>[], version: VersionLike, fail?: (message: string, version: KubeVersion) => Error): Row<T> {
  const table = registered.get(rows as readonly Row<unknown>[]);
  if (!table) throw new Error('lookupRow: the table was not made with defineTable');
  const v = kubeVersion(version);
  const row = isSupported(v) ? rows.find((r) => semver.satisfies(v.release, r.range)) : undefined;
  if (!row) {
    const message = `${table.what} for Kubernetes ${v.text} is not known: ${supportedText()}`;
    throw fail ? fail(message, v) : new VersionError(message);
  }
  return row;
}

/** The value of the row that covers the version; see lookupRow. */
export function lookup<T>(rows: readonly Row<T>[], version: VersionLike, fail?: (message: string, version: KubeVersion) => Error): T {
  return lookupRow(rows, version, fail).value;
}
