/**
 * The lab's two registries: Debian's docker-registry on the lab network's gateway address, plain HTTP.
 * One is open (port 5000), one asks for htpasswd basic auth (port 5001). They run as host processes, so that
 * only the nodes (over the internal lab bridge) and this machine can reach them.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runCommand } from './docker.js';
import { livePid, stopPid } from './pidfile.js';
import { labDir } from './state.js';

export type RegistryName = 'registry' | 'auth-registry';

export interface RegistrySpec {
  name: RegistryName;
  host: string;
  port: number;
  /** Basic auth, for the authenticated registry only. */
  auth?: { username: string; password: string };
}

export function registryDir(repoRoot: string, name: RegistryName): string {
  return join(labDir(repoRoot), 'registries', name);
}

export function registryStorage(repoRoot: string, name: RegistryName): string {
  return join(registryDir(repoRoot, name), 'data');
}

function pidFile(repoRoot: string, name: RegistryName): string {
  return join(registryDir(repoRoot, name), 'registry.pid');
}

export function registryPid(repoRoot: string, name: RegistryName): number | undefined {
  return livePid(pidFile(repoRoot, name));
}

/** Writes the registry's config (and htpasswd file) and starts it detached; waits until /v2/ answers. */
export async function startRegistry(repoRoot: string, spec: RegistrySpec): Promise<void> {
  if (registryPid(repoRoot, spec.name) !== undefined) return;
  const dir = registryDir(repoRoot, spec.name);
  mkdirSync(registryStorage(repoRoot, spec.name), { recursive: true });
  const config: Record<string, unknown> = {
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: {
      filesystem: { rootdirectory: registryStorage(repoRoot, spec.name) },
      // Lets tests remove an image through the API.
      delete: { enabled: true },
    },
    http: { addr: `${spec.host}:${spec.port}` },
  };
  if (spec.auth) {
    config.auth = { htpasswd: { realm: 'bootstrap-lab', path: await writeHtpasswd(repoRoot, spec.name, spec.auth) } };
  }
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, stringify(config));
  await launchRegistry(repoRoot, spec.name);
  await waitForRegistry(spec.host, spec.port, 30_000);
}

/** Writes the registry's htpasswd file with this one user (the password through stdin, -i, never argv); returns its path. */
export async function writeHtpasswd(repoRoot: string, name: RegistryName, auth: { username: string; password: string }): Promise<string> {
  const htpasswd = join(registryDir(repoRoot, name), 'htpasswd');
  await runCommand('htpasswd', ['-B', '-i', '-c', htpasswd, auth.username], { input: auth.password + '\n' });
  return htpasswd;
}

/**
 * (Re)starts the registry process from its existing config; used after a fault took it away. With `port`, the same
 * registry (storage, auth) listens on that port of its address instead, e.g. behind a fault's proxy.
 */
export async function launchRegistry(repoRoot: string, name: RegistryName, moved: { port?: number } = {}): Promise<number> {
  const dir = registryDir(repoRoot, name);
  let config = join(dir, 'config.yml');
  if (moved.port !== undefined) {
    const settings = parse(readFileSync(config, 'utf8')) as { http: { addr: string } };
    settings.http.addr = `${settings.http.addr.replace(/:\d+$/, '')}:${moved.port}`;
    config = join(dir, 'config-moved.yml');
    writeFileSync(config, stringify(settings));
  }
  const logFd = openSync(join(dir, 'registry.log'), 'a');
  const child = spawn('docker-registry', ['serve', config], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  child.unref();
  if (child.pid === undefined) throw new Error(`cannot start docker-registry for ${name}`);
  writeFileSync(pidFile(repoRoot, name), `${child.pid}\n`);
  return child.pid;
}

/** GET /v2/ status code, or 0 when nothing answers. */
export function registryStatus(host: string, port: number, timeoutMs = 2_000): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = request({ host, port, path: '/v2/', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(0));
    req.end();
  });
}

export async function waitForRegistry(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await registryStatus(host, port);
    if (status === 200 || status === 401) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the lab registry at ${host}:${port} did not answer within ${timeoutMs} ms`);
}

/** Stops the registry process (continuing it first, in case a stall fault paused it). */
export async function stopRegistry(repoRoot: string, name: RegistryName): Promise<void> {
  const pid = registryPid(repoRoot, name);
  if (pid !== undefined) await stopPid(pid);
  rmSync(pidFile(repoRoot, name), { force: true });
}
