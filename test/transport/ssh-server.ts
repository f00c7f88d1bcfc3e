/**
 * A real OpenSSH server for transport tests: Debian's sshd run as a child process on 127.0.0.1 and a free
 * high port, with its own host key, authorized_keys and log in a temporary folder. Never the system service.
 */
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostSpec, SshSettings } from '../../src/inventory/types.js';
import type { Host } from '../../src/transport/host.js';
import { ensureSystemTools, sshdPath } from '../system-tools.js';

/** Debian's sshd, or BOOTSTRAP_TEST_SSHD. */
export const SSHD = sshdPath();

/**
 * Called first by every SSH test file (in its before hook): installs sshd and sudo when missing and it can,
 * else fails every test of the file saying what is missing and how to install it. The tests log in to their
 * private sshd as root, so they need root too.
 */
export function requireSshTests(): void {
  ensureSystemTools();
  if (process.getuid?.() !== 0) throw new Error('the SSH transport tests log in to their private sshd as root and create users: run them as root');
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface KeyPair {
  path: string;
  /** "ssh-ed25519 AAAA… comment" */
  pub: string;
  /** OpenSSH's own fingerprint, "SHA256:…" */
  fingerprint: string;
}

/** A key made by ssh-keygen, optionally encrypted. */
export function keygen(dir: string, name: string, options: { type?: string; passphrase?: string } = {}): KeyPair {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', options.type ?? 'ed25519', '-N', options.passphrase ?? '', '-C', name, '-f', path]);
  const pub = readFileSync(`${path}.pub`, 'utf8').trim();
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1] as string;
  return { path, pub, fingerprint };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Sshd {
  port: number;
  dir: string;
  hostKey: KeyPair;
  logFile: string;
  authorize(pub: string): void;
  log(): string;
  /** How many logins sshd accepted ("Accepted publickey|password …" lines). */
  accepted(): number;
  /** How many TCP connections sshd received. */
  connections(): number;
  stop(): Promise<void>;
}

export async function startSshd(options: { authorized?: string[]; logLevel?: string; extra?: string[] } = {}): Promise<Sshd> {
  const dir = tempDir('bootstrap-sshd-');
  const hostKey = keygen(dir, 'ssh_host_ed25519_key');
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, (options.authorized ?? []).map((k) => `${k}\n`).join(''), { mode: 0o644 });
  // sshd reads authorized_keys as the logging-in user: non-root test users must be able to.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const logFile = join(dir, 'sshd.log');
  const config = join(dir, 'sshd_config');
  // sshd keeps the first value of a keyword: extra lines go first so they can override the ones below.
  writeFileSync(config, [
    ...(options.extra ?? []),
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey.path}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorizedKeys}`,
    'PermitRootLogin yes',
    'UsePAM no',
    'StrictModes no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding yes',
    `LogLevel ${options.logLevel ?? 'VERBOSE'}`,
    '',
  ].join('\n'));
  // sshd refuses to start without its privilege separation folder (the Debian service creates it).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ['-D', '-f', config, '-E', logFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const deadline = Date.now() + 10_000;
  while (!/Server listening on 127\.0\.0\.1 port/.test(log())) {
    if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${stderr}${log()}`);
    if (Date.now() > deadline) throw new Error(`sshd did not start: ${stderr}${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    dir,
    hostKey: { ...hostKey, pub: hostKey.pub.split(' ').slice(0, 2).join(' ') },
    logFile,
    authorize: (pub) => writeFileSync(authorizedKeys, `${pub}\n`, { flag: 'a' }),
    log,
    accepted: () => (log().match(/Accepted (publickey|password|keyboard-interactive\/pam) for /g) ?? []).length,
    connections: () => (log().match(/Connection from 127\.0\.0\.1 port \d+ on/g) ?? []).length,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A HostSpec as the inventory resolver produces it, with the built-in ssh defaults. */
export function hostSpec(name: string, ssh: Partial<SshSettings> & { knownHostsFile: string }, extra: Partial<HostSpec> = {}): HostSpec {
  return {
    name,
    address: '127.0.0.1',
    advertiseAddress: '127.0.0.1',
    bindPort: 6443,
    roles: ['control-plane'],
    hostKeys: [],
    ...extra,
    ssh: {
      user: 'root',
      port: 22,
      identityFile: undefined,
      agent: false,
      sudo: false,
      bastion: null,
      connectTimeoutMs: 10_000,
      ...ssh,
    },
  };
}

/** Waits up to 5 s for no process to run `sleep <marker>` on the host: a stopped command is gone. */
export async function gone(host: Host, marker: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if ((await host.exec(['pgrep', '-f', `^sleep ${marker}$`], { sudo: false })).code === 1) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
