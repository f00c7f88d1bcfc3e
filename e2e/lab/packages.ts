/**
 * The lab installs the Debian packages it needs itself, so that a fresh CI machine can run it.
 * Services that a package would start on install (docker.io's dockerd above all: it would turn IP forwarding on)
 * are kept from starting by a temporary policy-rc.d, the Debian mechanism for exactly this.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { runCommand } from './docker.js';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';

/** Packages the lab's host side uses, by purpose. */
export const LAB_HOST_PACKAGES = {
  /** dockerd (when no engine is running), docker CLI. */
  docker: ['docker.io'],
  /** Builds the node root filesystem. */
  nodeImage: ['debootstrap'],
  /** The two registries and the htpasswd file of the authenticated one. */
  registry: ['docker-registry', 'apache2-utils'],
  /** The package repositories: apt-ftparchive indexes them, gpg signs them, dpkg-deb builds the stand-ins' packages. */
  packageRepo: ['apt-utils', 'dpkg-dev', 'gnupg'],
  /** ssh-keygen and ssh for the lab's keys and checks; tc and nsenter for link faults. */
  tools: ['openssh-client', 'iproute2', 'util-linux'],
} as const;

export function allLabHostPackages(): string[] {
  return Object.values(LAB_HOST_PACKAGES).flat();
}

/** The packages of `wanted` that dpkg does not report as installed. */
export async function missingDebianPackages(wanted: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of wanted) {
    const result = await runCommand('dpkg-query', ['-W', '-f=${Status}', name], { allowFailure: true, timeoutMs: 30_000 });
    if (result.code !== 0 || !result.stdout.includes('install ok installed')) missing.push(name);
  }
  return missing;
}

/**
 * Installs whichever of `packages` are missing (apt-get update once, then install without recommends).
 * Returns the packages it installed.
 */
export async function ensureDebianPackages(
  packages: readonly string[],
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  const missing = await missingDebianPackages(packages);
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    throw new Error(`the lab needs these Debian packages: ${missing.join(' ')}; install them as root (apt-get install ${missing.join(' ')})`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const placedPolicy = !existsSync(POLICY_RC_D);
  if (placedPolicy) writeFileSync(POLICY_RC_D, '#!/bin/sh\n# placed by the bootstrap lab while it installs packages\nexit 101\n', { mode: 0o755 });
  try {
    await withAptLockRetries(() => runCommand('apt-get', ['update'], { env, timeoutMs: 600_000 }));
    await withAptLockRetries(() =>
      runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env, timeoutMs: 1_200_000 }),
    );
  } finally {
    if (placedPolicy) unlinkSync(POLICY_RC_D);
  }
  const still = await missingDebianPackages(missing);
  if (still.length > 0) throw new Error(`apt-get did not install: ${still.join(' ')}`);
  return missing;
}

/** apt-get fails at once when another apt holds the lock; wait and retry a bounded number of times. */
async function withAptLockRetries<T>(action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      const text = String((error as Error).message);
      if (attempt >= 30 || !/Could not get lock|Unable to acquire|is another process using it/i.test(text)) throw error;
      await new Promise((r) => setTimeout(r, 5_000));
    }
  }
}
