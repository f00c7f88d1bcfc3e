/**
 * The lab's package repositories, judged by the real apt of this machine (isolated from its configuration through
 * APT_CONFIG: own sources, state, cache and no system keys; nothing is written into /etc/apt or the dpkg database):
 *  - pkgs.k8s.io's layout for v1.28 verifies with the served Release.key, offers kubelet 1.28.4-1.1 and
 *    cri-tools 1.28.0-1.1, and the downloaded .debs are the ones in SHA256SUMS; a tampered Release is refused;
 *  - the Debian subset (conntrack, socat, ebtables, ethtool and their dependencies) verifies too;
 *  - the single-file kubelet and crictl run from a fresh extraction root, also several at once;
 *  - the server serves "core:/stable:" paths literally and nothing outside its root.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCommand, type DockerResult } from './lab/docker.js';
import { buildAptRepository, buildDebianSubset, buildStandinPackages, buildStandinRuntime, KUBERNETES_KEYRING, type StandinArtifacts } from './lab/package-repo.js';
import { startPackageServer, stopPackageServer, type RunningPackageServer } from './lab/package-server.js';
import { STANDINS_ROOT_ENV } from './lab/standin-packages.js';
import { defaultRepoRoot } from './lab/state.js';
import { labUnavailable } from './lab/testing.js';

const VERSION = 'v1.28.4';
const repoRoot = defaultRepoRoot();

/** apt-get/apt-cache with their own configuration, state and cache under `dir`, reading only `sources`. */
function isolatedApt(dir: string, sources: string): (program: 'apt-get' | 'apt-cache', args: string[], cwd?: string) => Promise<DockerResult> {
  for (const sub of ['etc/apt.conf.d', 'etc/preferences.d', 'etc/trusted.gpg.d', 'etc/sources.list.d', 'state/lists/partial', 'cache/archives/partial']) {
    mkdirSync(join(dir, sub), { recursive: true });
  }
  writeFileSync(join(dir, 'state', 'status'), '');
  writeFileSync(join(dir, 'etc', 'sources.list'), sources);
  // Read before /etc/apt/apt.conf.d (APT_CONFIG comes first), so the system's parts directory and main file are never read.
  const config = {
    'Dir::Etc': join(dir, 'etc'),
    'Dir::Etc::main': 'apt.conf',
    'Dir::Etc::parts': 'apt.conf.d',
    'Dir::Etc::sourcelist': 'sources.list',
    'Dir::Etc::sourceparts': 'sources.list.d',
    'Dir::Etc::trusted': 'trusted.gpg',
    'Dir::Etc::trustedparts': 'trusted.gpg.d',
    'Dir::Etc::preferences': 'preferences',
    'Dir::Etc::preferencesparts': 'preferences.d',
    'Dir::State': join(dir, 'state'),
    'Dir::State::status': join(dir, 'state', 'status'),
    'Dir::Cache': join(dir, 'cache'),
    'APT::Get::List-Cleanup': '0',
    'APT::Sandbox::User': 'root',
    'Acquire::http::Proxy': 'DIRECT',
    'Acquire::Languages': 'none',
  };
  writeFileSync(join(dir, 'apt.conf'), Object.entries(config).map(([k, v]) => `${k} "${v}";\n`).join(''));
  const env = { ...process.env, APT_CONFIG: join(dir, 'apt.conf'), LC_ALL: 'C' };
  return (program, args, cwd) => runCommand(program, ['-q', ...args], { env, cwd, allowFailure: true, timeoutMs: 120_000 });
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function sums(file: string): Map<string, string> {
  return new Map(readFileSync(file, 'utf8').trim().split('\n').map((l) => {
    const [hex, name] = l.split(/ {2}/);
    return [name!, hex!];
  }));
}

/** One raw HTTP request (the path sent as given: no client-side normalisation). */
function fetchRaw(server: RunningPackageServer, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; length?: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: server.host, port: server.port, method, path, headers, agent: false, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), length: res.headers['content-length'] }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Runs `program args` asynchronously (so several can run at once); resolves with its exit code and output. */
function run(program: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(program, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs as root on Linux, like the lab: the Debian tools it needs are installed by the builds, never a reason to skip. */
describe('the lab package repositories, through the real apt', { skip: labUnavailable(), timeout: 600_000 }, () => {
  let work: string;
  let served: string;
  let artifacts: StandinArtifacts;
  let server: RunningPackageServer;
  let base: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'lab-package-repo-'));
    served = join(work, 'served');
    artifacts = await buildStandinPackages(repoRoot, VERSION, join(work, 'files'));
    ({ base } = await buildAptRepository(repoRoot, VERSION, served));
    await buildDebianSubset(repoRoot, undefined, served);
    // A copy whose Release (clear-signed and detached) differs from what was signed by one byte.
    const tampered = join(served, 'tampered', 'deb');
    cpSync(join(served, base.slice(1), 'deb'), tampered, { recursive: true });
    for (const name of ['InRelease', 'Release']) {
      const text = readFileSync(join(tampered, name), 'utf8');
      writeFileSync(join(tampered, name), text.replace('Label: ', 'Label: X'));
    }
    // Its own state directory: a lab in this checkout may have its own server running.
    server = await startPackageServer(join(work, 'state'), { host: '127.0.0.1', port: 0, root: served });
  });

  after(async () => {
    if (work) {
      await stopPackageServer(join(work, 'state'));
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('lays out pkgs.k8s.io for v1.28 and builds the same files again from its cache', async () => {
    assert.equal(base, '/core:/stable:/v1.28');
    const repo = join(served, base.slice(1), 'deb');
    assert.deepEqual(readdirSync(repo).sort(), [
      'InRelease', 'Packages', 'Packages.gz', 'Release', 'Release.gpg', 'Release.key',
      'cri-tools_1.28.0-1.1_amd64.deb', 'kubelet_1.28.4-1.1_amd64.deb',
    ]);
    assert.match(readFileSync(join(repo, 'Release.key'), 'utf8'), /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    assert.equal(artifacts.versions.kubelet, '1.28.4-1.1');
    const started = Date.now();
    const again = await buildStandinPackages(repoRoot, VERSION, join(work, 'files-again'));
    assert.ok(Date.now() - started < 10_000, 'a second build is a cache lookup');
    assert.equal(readFileSync(again.sha256sums, 'utf8'), readFileSync(artifacts.sha256sums, 'utf8'));
  });

  it('makes debs with the real packages\' names, fields and files', async () => {
    const field = async (deb: string, name: string) => (await runCommand('dpkg-deb', ['-f', deb, name])).stdout.trim();
    assert.equal(await field(artifacts.kubeletDeb, 'Package'), 'kubelet');
    assert.equal(await field(artifacts.kubeletDeb, 'Version'), '1.28.4-1.1');
    assert.equal(await field(artifacts.kubeletDeb, 'Architecture'), 'amd64');
    assert.match(await field(artifacts.kubeletDeb, 'Description'), /bootstrap e2e lab stand-in/);
    assert.equal(await field(artifacts.criToolsDeb, 'Package'), 'cri-tools');
    assert.equal(await field(artifacts.criToolsDeb, 'Version'), '1.28.0-1.1');
    const listing = (await runCommand('dpkg-deb', ['-c', artifacts.kubeletDeb])).stdout;
    assert.match(listing, /^-rwxr-xr-x root\/root .* \.\/usr\/bin\/kubelet$/m);
    assert.match(listing, /^-rw------- root\/root .* \.\/lib\/systemd\/system\/kubelet\.service$/m);
    assert.match(listing, / \.\/etc\/default\/kubelet$/m);
    const unpacked = join(work, 'unpacked');
    await runCommand('dpkg-deb', ['-x', artifacts.kubeletDeb, unpacked]);
    assert.ok(readFileSync(join(unpacked, 'usr', 'bin', 'kubelet')).equals(readFileSync(artifacts.kubelet)), 'the deb carries the single-file executable');
    assert.match((await runCommand('dpkg-deb', ['-I', artifacts.kubeletDeb, 'postinst'])).stdout, /daemon-reload/);
    assert.equal((await runCommand('sha256sum', ['-c', 'SHA256SUMS'], { cwd: join(work, 'files') })).code, 0);
  });

  it('serves paths with ":" literally, 404 for what is missing, nothing outside its root', async () => {
    const key = await fetchRaw(server, 'GET', `${base}/deb/Release.key`);
    assert.equal(key.status, 200);
    const escaped = await fetchRaw(server, 'GET', '/core%3A/stable%3A/v1.28/deb/Release.key', { 'If-Modified-Since': new Date().toUTCString(), Range: 'bytes=0-9' });
    assert.equal(escaped.status, 200);
    assert.ok(escaped.body.equals(key.body));
    const head = await fetchRaw(server, 'HEAD', `${base}/deb/Packages`);
    assert.equal(head.status, 200);
    assert.equal(Number(head.length), readFileSync(join(served, base.slice(1), 'deb', 'Packages')).length);
    assert.equal((await fetchRaw(server, 'GET', `${base}/deb/nope.deb`)).status, 404);
    assert.equal((await fetchRaw(server, 'GET', `${base}/deb/`)).status, 404);
    for (const path of ['/../../etc/passwd', '/debian/..%2f..%2f..%2fetc/passwd', '/%2e%2e/etc/passwd']) {
      const answer = await fetchRaw(server, 'GET', path);
      assert.ok(answer.status === 403 || answer.status === 404, `${path}: ${answer.status}`);
      assert.doesNotMatch(answer.body.toString(), /root:/);
    }
    assert.equal((await fetchRaw(server, 'POST', `${base}/deb/Packages`)).status, 405);
  });

  it('verifies with the served key: apt-get update, policy and download give the built packages', async () => {
    const keyring = join(work, 'keyrings', KUBERNETES_KEYRING.replace(/^.*\//, ''));
    const dir = join(work, 'apt-k8s');
    const apt = isolatedApt(dir, `deb [signed-by=${keyring}] ${server.url}${base}/deb/ /\n`);
    mkdirSync(join(work, 'keyrings'), { recursive: true });
    // As the product fetches it: apt's own downloader.
    const download = await runCommand('/usr/lib/apt/apt-helper', ['download-file', `${server.url}${base}/deb/Release.key`, keyring], {
      env: { ...process.env, APT_CONFIG: join(dir, 'apt.conf') },
    });
    assert.equal(download.code, 0);
    const update = await apt('apt-get', ['update']);
    assert.equal(update.code, 0, update.stdout + update.stderr);
    assert.doesNotMatch(update.stdout + update.stderr, /NO_PUBKEY|not signed|BADSIG|^W:/m);
    const policy = await apt('apt-cache', ['policy', 'kubelet', 'cri-tools']);
    assert.match(policy.stdout, /kubelet:\n\s+Installed: \(none\)\n\s+Candidate: 1\.28\.4-1\.1/);
    assert.match(policy.stdout, /cri-tools:\n\s+Installed: \(none\)\n\s+Candidate: 1\.28\.0-1\.1/);
    const debs = join(work, 'downloaded');
    mkdirSync(debs);
    const fetched = await apt('apt-get', ['download', 'kubelet=1.28.4-1.1', 'cri-tools=1.28.0-1.1'], debs);
    assert.equal(fetched.code, 0, fetched.stderr);
    const expected = sums(artifacts.sha256sums);
    for (const name of ['kubelet_1.28.4-1.1_amd64.deb', 'cri-tools_1.28.0-1.1_amd64.deb']) {
      assert.equal(sha256(join(debs, name)), expected.get(name), name);
    }
  });

  it('refuses a Release changed after signing', async () => {
    const apt = isolatedApt(join(work, 'apt-tampered'), `deb [signed-by=${join(served, base.slice(1), 'deb', 'Release.key')}] ${server.url}/tampered/deb/ /\n`);
    const update = await apt('apt-get', ['update']);
    assert.notEqual(update.code, 0, update.stdout);
    assert.match(update.stdout + update.stderr, /BADSIG|signatures were invalid|is not signed/);
    const lists = readdirSync(join(work, 'apt-tampered', 'state', 'lists'));
    assert.ok(!lists.some((f) => f.endsWith('_Packages')), `no package list accepted: ${lists.join(' ')}`);
  });

  it('serves the Debian subset kubeadm\'s preflight needs, signed with the same key', async () => {
    const key = join(served, 'debian', 'Release.key');
    assert.ok(readFileSync(key).equals(readFileSync(join(served, base.slice(1), 'deb', 'Release.key'))));
    const apt = isolatedApt(join(work, 'apt-debian'), `deb [signed-by=${key}] ${server.url}/debian/ /\n`);
    const update = await apt('apt-get', ['update']);
    assert.equal(update.code, 0, update.stdout + update.stderr);
    assert.doesNotMatch(update.stdout + update.stderr, /NO_PUBKEY|not signed|BADSIG|^W:/m);
    const policy = await apt('apt-cache', ['policy', 'conntrack', 'socat', 'ebtables', 'ethtool']);
    for (const name of ['conntrack', 'socat', 'ebtables', 'ethtool']) {
      assert.match(policy.stdout, new RegExp(`^${name}:\\n\\s+Installed: \\(none\\)\\n\\s+Candidate: \\S+`, 'm'), name);
    }
  });

  it('runs the single-file kubelet and crictl from a fresh root, once, again and several at once', async () => {
    const rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    const runtime = await buildStandinRuntime(repoRoot);
    const listing = spawnSync('tar', ['-tf', runtime], { encoding: 'utf8' }).stdout.split('\n');
    assert.ok(listing.includes('./opt/bootstrap-lab/node') && listing.includes('./opt/bootstrap-lab/package.json'));
    assert.ok(listing.some((f) => f.startsWith('./opt/bootstrap-lab/node_modules/@grpc/grpc-js/')));
    assert.ok(!listing.some((f) => /^\.\/opt\/bootstrap-lab\/dist/.test(f) || f.includes('/standins/')), 'the runtime carries no stand-in code');
    assert.equal(spawnSync('tar', ['-C', rootfs, '-xf', runtime]).status, 0);
    const opt = join(rootfs, 'opt', 'bootstrap-lab');
    // No version file anywhere: the version comes from the package.
    const env = { PATH: '/usr/bin:/bin', [STANDINS_ROOT_ENV]: opt, BOOTSTRAP_LAB_VERSION_FILE: join(work, 'no-such-file') };
    const first = await Promise.all([
      ...Array.from({ length: 4 }, () => run(artifacts.kubelet, ['--version'], env)),
      ...Array.from({ length: 4 }, () => run(artifacts.crictl, ['--version'], env)),
    ]);
    for (const [i, r] of first.entries()) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, i < 4 ? 'Kubernetes v1.28.4\n' : 'crictl version v1.28.0 (bootstrap e2e lab stand-in)\n');
    }
    const again = await run(artifacts.kubelet, ['--version'], env);
    assert.equal(again.stdout, 'Kubernetes v1.28.4\n');
    const unpacked = readdirSync(opt).filter((f) => f.includes('dist-'));
    assert.equal(unpacked.length, 1, `one extraction, no leftovers: ${unpacked.join(' ')}`);
    assert.match(unpacked[0]!, /^dist-[0-9a-f]{16}$/);
  });
});
