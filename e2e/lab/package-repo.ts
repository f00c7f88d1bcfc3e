/**
 * The lab's package repositories, built offline on this machine and served to the nodes (package-server.ts):
 *
 * - `<root>/core:/stable:/vX.Y/deb/`: pkgs.k8s.io's layout, a flat signed repository holding the stand-in kubelet and
 *   cri-tools packages (standin-packages.ts) and Release.key, the public key that signs it;
 * - `<root>/debian/`: the real Debian packages kubeadm's preflight looks for (conntrack, socat, ...) and what they
 *   depend on, downloaded once with this machine's apt, as a flat repository signed with the same key.
 *
 * The key lives in .lab/cache/package-repo/gnupg, made once without a passphrase: it proves only that the files
 * came from this lab, which is what apt's signature check needs to be exercised for real.
 */
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCommand } from './docker.js';
import { ensureDebianPackages, LAB_HOST_PACKAGES } from './packages.js';
import { buildOnce, buildStandinPackages, packageRepoCache } from './standin-packages.js';

export { buildStandinPackages, buildStandinRuntime, type StandinArtifacts } from './standin-packages.js';

/** Where the product's sources line points apt for the key (kubeadm's install guide uses the same file). */
export const KUBERNETES_KEYRING = '/etc/apt/keyrings/kubernetes-apt-keyring.asc';

/** The Debian packages kubeadm's preflight looks for that a bare node may lack. */
export const DEBIAN_SUBSET_PACKAGES = ['conntrack', 'socat', 'ebtables', 'ethtool'];

const KEY_PARAMETERS = `%no-protection
Key-Type: eddsa
Key-Curve: ed25519
Key-Usage: sign
Name-Real: bootstrap e2e lab package repositories
Name-Email: lab@bootstrap.invalid
Expire-Date: 0
%commit
`;

/** "v1.28.4" → "/core:/stable:/v1.28", the path of pkgs.k8s.io's repository for that minor. */
export function kubernetesRepoBase(kubernetesVersion: string): string {
  const m = /^v?(\d+)\.(\d+)\./.exec(kubernetesVersion);
  if (!m) throw new Error(`not a Kubernetes release version: ${kubernetesVersion}`);
  return `/core:/stable:/v${m[1]}.${m[2]}`;
}

/** The GNUPGHOME holding the lab's signing key. */
export function signingKeyHome(repoRoot: string): string {
  return join(packageRepoCache(repoRoot), 'gnupg');
}

function gpg(home: string, args: string[], input?: string): ReturnType<typeof runCommand> {
  return runCommand('gpg', ['--homedir', home, '--batch', '--quiet', ...args], { input, timeoutMs: 120_000 });
}

/**
 * The signing key's GNUPGHOME, made on first use: generated in a temporary home whose agent is then stopped, and
 * renamed into place, so a concurrent first use never sees a half-made home. No passphrase (%no-protection, read from
 * stdin) ever appears on a command line.
 */
async function ensureSigningKey(repoRoot: string): Promise<string> {
  const home = signingKeyHome(repoRoot);
  if (existsSync(join(home, 'lab-key-ready'))) return home;
  mkdirSync(dirname(home), { recursive: true });
  const partial = mkdtempSync(`${home}.partial-`);
  chmodSync(partial, 0o700);
  try {
    await gpg(partial, ['--gen-key'], KEY_PARAMETERS);
    writeFileSync(join(partial, 'lab-key-ready'), '');
    await runCommand('gpgconf', ['--homedir', partial, '--kill', 'gpg-agent'], { allowFailure: true });
    if (!existsSync(home)) renameSync(partial, home);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return home;
}

/** The key's fingerprint, which names it in the signing commands. */
async function signingKeyFingerprint(home: string): Promise<string> {
  const { stdout } = await gpg(home, ['--with-colons', '--list-secret-keys']);
  const fpr = stdout.split('\n').find((l) => l.startsWith('fpr:'))?.split(':')[9];
  if (!fpr) throw new Error(`no secret key in ${home}`);
  return fpr;
}

/**
 * Indexes and signs the flat repository in `dir` (its .debs already there): Packages, Packages.gz, Release,
 * InRelease (clear-signed), Release.gpg (detached) and Release.key (the ASCII-armoured public key).
 */
async function indexFlatRepository(dir: string, home: string, label: string): Promise<void> {
  const { stdout: packages } = await runCommand('apt-ftparchive', ['packages', '.'], { cwd: dir, timeoutMs: 300_000 });
  writeFileSync(join(dir, 'Packages'), packages);
  writeFileSync(join(dir, 'Packages.gz'), gzipSync(packages, { level: 9 }));
  const fields = { Origin: 'bootstrap e2e lab', Label: label, Architectures: 'amd64', Description: `${label} (bootstrap e2e lab)` };
  const options = Object.entries(fields).flatMap(([k, v]) => ['-o', `APT::FTPArchive::Release::${k}=${v}`]);
  const { stdout: release } = await runCommand('apt-ftparchive', [...options, 'release', '.'], { cwd: dir, timeoutMs: 120_000 });
  writeFileSync(join(dir, 'Release'), release);
  const fpr = await signingKeyFingerprint(home);
  await gpg(home, ['--yes', '--local-user', fpr, '--digest-algo', 'SHA256', '--clearsign', '--output', join(dir, 'InRelease'), join(dir, 'Release')]);
  await gpg(home, ['--yes', '--local-user', fpr, '--digest-algo', 'SHA256', '--armor', '--detach-sign', '--output', join(dir, 'Release.gpg'), join(dir, 'Release')]);
  const { stdout: publicKey } = await gpg(home, ['--armor', '--export', fpr]);
  writeFileSync(join(dir, 'Release.key'), publicKey);
}

/** The sha256 of these files' names and bytes, to name a build by its input. */
function hashFiles(files: string[], salt: string): string {
  const hash = createHash('sha256').update(salt);
  for (const f of [...files].sort()) hash.update(`${basename(f)}\n`).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

/**
 * A signed flat repository of `debs`, built once per content and key under the cache, then copied to `target`
 * (replacing what was there, so no stale index survives).
 */
async function publishFlatRepository(repoRoot: string, debs: string[], target: string, label: string): Promise<void> {
  await ensureDebianPackages(LAB_HOST_PACKAGES.packageRepo);
  const home = await ensureSigningKey(repoRoot);
  try {
    const built = await signedRepository(repoRoot, debs, home, label);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    cpSync(built, target, { recursive: true });
  } finally {
    // gpg started an agent for this home (listing the key is enough); nothing needs it afterwards.
    await runCommand('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { allowFailure: true });
  }
}

/** The cache directory with `debs` indexed and signed, built unless there. */
async function signedRepository(repoRoot: string, debs: string[], home: string, label: string): Promise<string> {
  const key = hashFiles(debs, `flat 1 ${label} ${await signingKeyFingerprint(home)}\n`);
  return buildOnce(join(packageRepoCache(repoRoot), `repo-${key}`), async (dir) => {
    for (const deb of debs) cpSync(deb, join(dir, basename(deb)));
    await indexFlatRepository(dir, home, label);
  });
}

/**
 * Under `root`, pkgs.k8s.io's repository for `kubernetesVersion`'s minor: `<root>/core:/stable:/vX.Y/deb/` with the
 * stand-in kubelet and cri-tools packages. A node uses it with
 * `deb [signed-by=KUBERNETES_KEYRING] <url><base>/deb/ /`, the key fetched from `<url><base>/deb/Release.key`.
 */
export async function buildAptRepository(repoRoot: string, kubernetesVersion: string, root: string): Promise<{ base: string }> {
  const base = kubernetesRepoBase(kubernetesVersion);
  const staged = join(packageRepoCache(repoRoot), 'staged', kubernetesVersion);
  const artifacts = await buildStandinPackages(repoRoot, kubernetesVersion, staged);
  await publishFlatRepository(repoRoot, [artifacts.kubeletDeb, artifacts.criToolsDeb], join(root, base.slice(1), 'deb'), base.slice(1).replace(/:?\//g, ':'));
  return { base };
}

/** `packages` and everything they depend on (pre-depends included), by apt-cache on this machine. */
async function dependencyClosure(packages: readonly string[]): Promise<string[]> {
  const flags = ['--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances'];
  const { stdout } = await runCommand('apt-cache', ['depends', ...flags, ...packages], { timeoutMs: 120_000 });
  // Package lines start at column 0; dependency lines are indented, virtual packages are shown as <name>.
  const names = stdout.split('\n').filter((l) => /^[a-z0-9][a-z0-9+.-]+$/.test(l));
  return [...new Set(names)].sort();
}

/** Downloads, into the cache's pool, those of `names` that have no .deb there yet; returns the .debs of `names`. */
async function fillDebianPool(repoRoot: string, names: string[]): Promise<string[]> {
  const pool = join(packageRepoCache(repoRoot), 'debian-pool');
  mkdirSync(pool, { recursive: true });
  const debOf = (name: string): string | undefined => readdirSync(pool).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
  const missing = names.filter((n) => debOf(n) === undefined);
  if (missing.length > 0) {
    // As root apt would hand the download to _apt, which cannot write into the cache; the files come from signed indexes either way.
    const download = () => runCommand('apt-get', ['-q', '-o', 'APT::Sandbox::User=root', 'download', ...missing], { cwd: pool, timeoutMs: 600_000 });
    // Old package lists name versions the mirror has dropped (404): refresh them once and try again.
    if ((await download().catch(() => undefined)) === undefined) {
      await runCommand('apt-get', ['-q', 'update'], { timeoutMs: 600_000 });
      await download();
    }
  }
  return names.map((n) => {
    const deb = debOf(n);
    if (!deb) throw new Error(`apt-get download left no .deb of ${n} in ${pool}`);
    return join(pool, deb);
  });
}

/**
 * Under `root`, `<root>/debian/`: a flat repository with `packages` (default DEBIAN_SUBSET_PACKAGES) and their
 * dependencies, downloaded once with this machine's apt (Debian bookworm, like the nodes) and signed with the lab's
 * key. A node uses it with `deb [signed-by=...] <url>/debian/ /`.
 */
export async function buildDebianSubset(
  repoRoot: string,
  packages: readonly string[] = DEBIAN_SUBSET_PACKAGES,
  root: string,
): Promise<{ base: string; packages: string[] }> {
  await ensureDebianPackages(LAB_HOST_PACKAGES.packageRepo);
  const names = await dependencyClosure(packages);
  await publishDebianPackages(repoRoot, names, join(root, 'debian'), 'debian subset');
  return { base: '/debian', packages: names };
}

/**
 * A signed flat repository at `target` with exactly the Debian packages `names` (no dependency added), downloaded
 * once into the cache's pool with this machine's apt.
 */
export async function publishDebianPackages(repoRoot: string, names: readonly string[], target: string, label: string): Promise<void> {
  await ensureDebianPackages(LAB_HOST_PACKAGES.packageRepo);
  const debs = await fillDebianPool(repoRoot, [...names]);
  await publishFlatRepository(repoRoot, debs, target, label);
}

/**
 * What apt would install for `packages` on a root whose dpkg status is `statusFile` (e.g. one read out of the node
 * image): this machine's apt answers with its own package lists, so the versions are this machine's (Debian
 * bookworm, like the nodes). Only what the root lacks, or must upgrade, is named.
 */
export async function packagesToInstall(statusFile: string, packages: readonly string[]): Promise<string[]> {
  const simulate = () => runCommand('apt-get', ['-s', '-o', `Dir::State::status=${statusFile}`, 'install', '--no-install-recommends', ...packages], { timeoutMs: 120_000 });
  // Lists that have never been fetched know no package at all: fetch them once and ask again.
  const result = await simulate().catch(async () => {
    await runCommand('apt-get', ['-q', 'update'], { timeoutMs: 600_000 });
    return simulate();
  });
  return result.stdout.split('\n').flatMap((line) => /^Inst (\S+) /.exec(line)?.[1] ?? []);
}
