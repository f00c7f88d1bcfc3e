/**
 * The lab's package server (package-server-main.ts) as a detached host process, like the registries: a pid file
 * and its settings under .lab/package-repo/, so a later command finds it and `down` can stop it.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { livePid, stopPid } from './pidfile.js';
import { labDir } from './state.js';

export interface PackageServerSpec {
  host: string;
  /** 0 picks a free port; the answer says which. */
  port: number;
  /** The directory served as "/". */
  root: string;
}

export interface RunningPackageServer {
  pid: number;
  host: string;
  port: number;
  root: string;
  /** e.g. http://10.77.0.1:5080 (no trailing slash). */
  url: string;
}

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'package-server-main.js');

export function packageServerDir(repoRoot: string): string {
  return join(labDir(repoRoot), 'package-repo');
}

const pidFile = (repoRoot: string): string => join(packageServerDir(repoRoot), 'server.pid');
const readyFile = (repoRoot: string): string => join(packageServerDir(repoRoot), 'server.json');

/** The running server of this lab directory, if any. */
export function packageServer(repoRoot: string): RunningPackageServer | undefined {
  const pid = livePid(pidFile(repoRoot));
  if (pid === undefined || !existsSync(readyFile(repoRoot))) return undefined;
  const ready = JSON.parse(readFileSync(readyFile(repoRoot), 'utf8')) as Omit<RunningPackageServer, 'url'>;
  return ready.pid === pid ? { ...ready, url: `http://${ready.host}:${ready.port}` } : undefined;
}

/** HEAD / → the status (404: nothing is served at "/"), or 0 when nothing answers. */
function headStatus(host: string, port: number): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = request({ host, port, path: '/', method: 'HEAD', timeout: 2_000 }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolvePromise(0));
    req.end();
  });
}

/**
 * Starts the server detached (its output in .lab/package-repo/server.log) and waits until it answers; a server
 * already running with the same root and address is reused, one with other settings is an error.
 */
export async function startPackageServer(repoRoot: string, spec: PackageServerSpec): Promise<RunningPackageServer> {
  const root = resolve(spec.root);
  const running = packageServer(repoRoot);
  if (running) {
    if (running.root === root && running.host === spec.host && (spec.port === 0 || running.port === spec.port)) return running;
    throw new Error(`a package server already runs for ${repoRoot} (${running.url}, root ${running.root}); stop it first`);
  }
  const dir = packageServerDir(repoRoot);
  mkdirSync(dir, { recursive: true });
  rmSync(readyFile(repoRoot), { force: true });
  const logFd = openSync(join(dir, 'server.log'), 'a');
  const child = spawn(process.execPath, [MAIN, '--host', spec.host, '--port', String(spec.port), '--root', root, '--ready', `${readyFile(repoRoot)}.port`], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  child.unref();
  if (child.pid === undefined) throw new Error('cannot start the package server');
  writeFileSync(pidFile(repoRoot), `${child.pid}\n`);
  const port = await waitForPort(`${readyFile(repoRoot)}.port`, child.pid, 10_000, join(dir, 'server.log'));
  writeFileSync(readyFile(repoRoot), JSON.stringify({ pid: child.pid, host: spec.host, port, root }) + '\n');
  rmSync(`${readyFile(repoRoot)}.port`, { force: true });
  if ((await headStatus(spec.host, port)) === 0) throw new Error(`the package server on ${spec.host}:${port} does not answer`);
  return packageServer(repoRoot)!;
}

/** The port the server wrote once listening; fails early when the process is gone (port taken, bad root). */
async function waitForPort(file: string, pid: number, timeoutMs: number, log: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { port: number }).port;
    try {
      process.kill(pid, 0);
    } catch {
      throw new Error(`the package server exited at start; see ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the package server did not listen within ${timeoutMs} ms; see ${log}`);
}

/** Stops the server of this lab directory, if one runs. */
export async function stopPackageServer(repoRoot: string): Promise<void> {
  const pid = livePid(pidFile(repoRoot));
  if (pid !== undefined) await stopPid(pid);
  rmSync(pidFile(repoRoot), { force: true });
  rmSync(readyFile(repoRoot), { force: true });
}
