/**
 * The programs the unit tests run for real: Debian's sshd (a private one per SSH transport test file, see
 * transport/ssh-server.ts), ssh-keygen, sudo, useradd and chpasswd for the sudo tests' throw-away users,
 * openssl, which checks the certificates the PKI code makes, dash, busybox and setpriv for the facts script, and
 * etcd with etcdctl, which the etcd client tests start and ask (etcd/etcd-server.ts).
 *
 * When one is missing and the tests run as root on a machine with apt-get, it is installed the way .ci/run
 * does it: apt-get with a temporary policy-rc.d so that no service starts (openssh-server would otherwise
 * start the system sshd). Otherwise the tests fail with what is missing and the command that installs it;
 * they never skip.
 *
 * `npm run test:unit` runs this file first (`node dist/test/system-tools.js`) so the install happens once,
 * in view, before the tests; test files call ensureSystemTools() too, which then only checks (a lock keeps
 * two test files that find a program missing from installing at the same time).
 *
 * Environment: BOOTSTRAP_TEST_SSHD is the sshd the tests run (default /usr/sbin/sshd);
 * BOOTSTRAP_TEST_INSTALL=0 never installs, only reports.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Tool {
  path: string;
  /** The Debian package that provides it. */
  pkg: string;
}

export function sshdPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.BOOTSTRAP_TEST_SSHD || '/usr/sbin/sshd';
}

export function requiredTools(env: NodeJS.ProcessEnv = process.env): Tool[] {
  return [
    { path: sshdPath(env), pkg: 'openssh-server' },
    { path: '/usr/bin/ssh-keygen', pkg: 'openssh-client' },
    { path: '/usr/bin/sudo', pkg: 'sudo' },
    { path: '/usr/sbin/visudo', pkg: 'sudo' },
    { path: '/usr/sbin/useradd', pkg: 'passwd' },
    { path: '/usr/sbin/chpasswd', pkg: 'passwd' },
    { path: '/usr/bin/openssl', pkg: 'openssl' },
    // The facts tests run the facts script with the shells hosts have, and as a user other than root.
    { path: '/bin/dash', pkg: 'dash' },
    // busybox-static, not busybox: the lab installs busybox-static, and the two packages conflict.
    { path: '/bin/busybox', pkg: 'busybox-static' },
    { path: '/usr/bin/setpriv', pkg: 'util-linux' },
    { path: '/usr/bin/etcd', pkg: 'etcd-server' },
    { path: '/usr/bin/etcdctl', pkg: 'etcd-client' },
  ];
}

export const missingTools = (tools: Tool[]): Tool[] => tools.filter((t) => !existsSync(t.path));

const packagesOf = (tools: Tool[]): string[] => [...new Set(tools.map((t) => t.pkg))];

/** Why the tests cannot install the packages themselves, or undefined when they can. */
function whyNoInstall(env: NodeJS.ProcessEnv): string | undefined {
  if (env.BOOTSTRAP_TEST_INSTALL === '0') return 'BOOTSTRAP_TEST_INSTALL=0 keeps the tests from installing it';
  if (process.getuid?.() !== 0) return 'run as root, the tests install it themselves';
  if (!existsSync('/usr/bin/apt-get')) return 'there is no apt-get here: install the equivalent packages';
  return undefined;
}

export function missingMessage(missing: Tool[], reason: string): string {
  const what = packagesOf(missing).map((pkg) => `${pkg} (${missing.filter((t) => t.pkg === pkg).map((t) => t.path).join(', ')})`);
  return `the unit tests need ${what.join(', ')}: apt-get install ${packagesOf(missing).join(' ')} (${reason})`;
}

export interface EnsureOptions {
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** The lock folder that serializes installs (tests use their own). */
  lock?: string;
}

/**
 * Installs what the SSH tests need when it is missing and it can (root, apt-get, not disabled); throws
 * naming what is missing and the install command when it cannot. Returns the packages it installed.
 */
export function ensureSystemTools(options: EnsureOptions = {}): string[] {
  const env = options.env ?? process.env;
  const tools = requiredTools(env);
  if (missingTools(tools).length === 0) return [];
  const reason = whyNoInstall(env);
  if (reason) throw new Error(missingMessage(missingTools(tools), reason));
  return withLock(options.lock ?? join(tmpdir(), 'bootstrap-test-tools.lock'), () => {
    const missing = missingTools(tools);
    if (missing.length === 0) return [];
    const packages = packagesOf(missing);
    options.log?.(`installing ${packages.join(' ')} for the unit tests (apt-get; no service is started)`);
    try {
      aptInstall(packages);
    } catch (error) {
      throw new Error(missingMessage(missing, `the tests tried and apt-get failed: ${lastLines(error)}`));
    }
    const still = missingTools(tools);
    if (still.length > 0) throw new Error(missingMessage(still, `apt-get installed ${packages.join(' ')}, yet these paths are still missing`));
    return packages;
  });
}

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/** apt-get update and install, with Debian's policy-rc.d switch keeping installed services from starting. */
function aptInstall(packages: string[]): void {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for another apt (the lab's package installs, say) instead of failing on its lock.
  const apt = (args: string[]) =>
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 1_200_000 });
  const placed = !existsSync(POLICY_RC_D);
  if (placed) writeFileSync(POLICY_RC_D, '#!/bin/sh\n# placed by the bootstrap tests while they install packages\nexit 101\n', { mode: 0o755 });
  try {
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  } finally {
    if (placed) unlinkSync(POLICY_RC_D);
  }
}

function lastLines(error: unknown): string {
  const e = error as { stderr?: Buffer; message?: string };
  const text = (e.stderr?.toString() || e.message || String(error)).trim().split('\n');
  return text.slice(-3).join(' / ');
}

/** A folder as the lock (mkdir is atomic), holding the owner's pid so a lock left by a killed run is taken over. */
function withLock<T>(dir: string, action: () => T): T {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(dir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readSafe(join(dir, 'pid')));
      if (owner && !alive(owner)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${dir} is held by process ${owner || '?'} for 20 minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  writeFileSync(join(dir, 'pid'), String(process.pid));
  try {
    return action();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// `node dist/test/system-tools.js`: the setup step of `npm run test:unit`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const installed = ensureSystemTools({ log: (line) => console.error(line) });
    if (installed.length > 0) console.error(`installed ${installed.join(' ')}`);
  } catch (error) {
    console.error(`✖ ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
