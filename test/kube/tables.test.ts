/**
 * Every per-version table (src/kube/table.ts): each known release matches exactly one row, and every row
 * cites where in Kubernetes' source its value comes from. Tables register themselves when defined, so every
 * module of the library is loaded first: a table anywhere in src cannot be missed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import semver from 'semver';
import { KNOWN_RELEASES } from '../../src/kube/catalog.data.js';
import { lookup, TABLES } from '../../src/kube/table.js';
import { kubeVersion, SUPPORTED_MINORS, SUPPORTED_RANGE } from '../../src/kube/version.js';
import { staticPodData } from '../../src/manifests/data.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
/** Modules that do something when loaded (the CLI entry point runs the CLI). */
const NOT_LOADED = new Set(['cli/main.js']);

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modules(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

async function allTables() {
  for (const file of modules(SRC)) {
    if (!NOT_LOADED.has(path.relative(SRC, file).split(path.sep).join('/'))) await import(pathToFileURL(file).href);
  }
  staticPodData(); // the static Pod tables are read from templates/manifests/static-pods.yaml on first use
  return TABLES;
}

/** Every release from v1.20.0 to the newest patch of each minor that the catalog knows. */
function knownReleases(): string[] {
  const out: string[] = [];
  for (const newest of KNOWN_RELEASES) {
    const v = semver.parse(newest)!;
    for (let patch = 0; patch <= v.patch; patch++) out.push(`${v.major}.${v.minor}.${patch}`);
  }
  return out;
}

/** v1.<newest supported minor + 1>.0, the first release outside the bound. */
function firstUnsupported(): string {
  const [major, minor] = SUPPORTED_MINORS.at(-1)!.split('.').map(Number);
  return `v${major}.${minor! + 1}.0`;
}

test('the known releases are every supported minor, and all lie within the supported bound', () => {
  assert.deepEqual(KNOWN_RELEASES.map((r) => r.split('.').slice(0, 2).join('.')), SUPPORTED_MINORS);
  for (const release of knownReleases()) assert.ok(semver.satisfies(release, SUPPORTED_RANGE), release);
  assert.ok(!semver.satisfies(firstUnsupported(), SUPPORTED_RANGE));
});

test('every table: each known release matches exactly one row', async () => {
  const tables = await allTables();
  // The image catalog, runtime, kubelet, static Pod, PKI, preflight and patch-target tables at least.
  assert.ok(tables.length >= 30, `only ${tables.length} tables registered`);
  const releases = knownReleases();
  for (const table of tables) {
    for (const release of releases) {
      const matching = table.rows.filter((row) => semver.satisfies(release, row.range));
      assert.equal(matching.length, 1, `${table.what}: v${release} matches ${matching.length} rows (${matching.map((r) => r.range).join(' | ')})`);
      assert.equal(lookup(table.rows, kubeVersion(`v${release}`)), matching[0]!.value, `${table.what}: lookup of v${release}`);
    }
  }
});

test('every table: every row cites its source in the Kubernetes repository, with a release', async () => {
  for (const table of await allTables()) {
    assert.ok(table.rows.length > 0, `${table.what}: no rows`);
    for (const row of table.rows) {
      assert.ok(semver.validRange(row.range), `${table.what}: bad range ${row.range}`);
      assert.equal(typeof row.source, 'string', `${table.what}: row ${row.range} has no source`);
      assert.match(row.source, /^(cmd\/kubeadm\/app|staging\/src\/k8s\.io|hack|CHANGELOG)\/[\w./-]+/, `${table.what}: row ${row.range} cites no file: ${row.source}`);
      assert.match(row.source, /\bv\d+\.\d+/, `${table.what}: row ${row.range} names no release: ${row.source}`);
    }
  }
});

test('a version outside the supported bound matches no table', async () => {
  for (const table of await allTables()) {
    for (const version of ['v1.19.16', firstUnsupported()]) {
      assert.throws(() => lookup(table.rows, version), (err: Error) => err.message.startsWith(`${table.what} for Kubernetes ${version} is not known: `));
    }
  }
});

test('every table: a pre-release takes the rows of its release', async () => {
  for (const table of await allTables()) {
    for (const minor of SUPPORTED_MINORS) {
      assert.equal(lookup(table.rows, `v${minor}.0-rc.1`), lookup(table.rows, `v${minor}.0`), `${table.what}: v${minor}.0-rc.1`);
    }
  }
});
