/**
 * The Docker engine the lab uses: a running one when there is one, otherwise Debian's dockerd started for the lab
 * with its data under .lab/docker and without touching the host's firewall or IP forwarding.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, rmdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './docker.js';
import { labDir } from './state.js';

/** Short paths: unix sockets of dockerd's containerd and shims live under the exec root (108-byte limit). */
export const LAB_RUN_DIR = '/run/bootstrap-lab';
const EXEC_ROOT = join(LAB_RUN_DIR, 'docker');
const SOCKET = join(LAB_RUN_DIR, 'docker.sock');
const PIDFILE = join(LAB_RUN_DIR, 'dockerd.pid');
export const LAB_DOCKER_HOST = `unix://${SOCKET}`;

export interface DockerEngine {
  host: string;
  startedByLab: boolean;
}

/**
 * The lab dockerd's data root. It sits in the cache: `down` removes every container, volume and network, and
 * keeps the node images (a second `up` then skips the import); `down --purge` removes it.
 */
export function dockerDataRoot(repoRoot: string): string {
  return join(labDir(repoRoot), 'cache', 'docker');
}

/** True when the lab's data root holds containers: a dockerd that died left them, and only a dockerd can remove them. */
export function dataRootHasContainers(repoRoot: string): boolean {
  const dir = join(dockerDataRoot(repoRoot), 'containers');
  return existsSync(dir) && readdirSync(dir).length > 0;
}

function dockerdLog(repoRoot: string): string {
  return join(labDir(repoRoot), 'dockerd.log');
}

/** True when a Docker engine answers on `host`. */
export async function engineAnswers(host: string): Promise<boolean> {
  const result = await runCommand('docker', ['version', '--format', '{{.Server.Version}}'], {
    env: { ...process.env, DOCKER_HOST: host },
    allowFailure: true,
    timeoutMs: 15_000,
  });
  return result.code === 0 && result.stdout.trim() !== '';
}

export function readIpForward(): string {
  return readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
}

/**
 * Finds or starts the engine. Order: $DOCKER_HOST, the lab's own dockerd (left from an earlier `up`),
 * the system engine at /var/run/docker.sock, and finally a new lab dockerd.
 */
export async function ensureDockerEngine(repoRoot: string, log: (line: string) => void): Promise<DockerEngine> {
  const fromEnv = process.env.DOCKER_HOST;
  if (fromEnv && fromEnv !== LAB_DOCKER_HOST && (await engineAnswers(fromEnv))) {
    log(`using the Docker engine at ${fromEnv}`);
    return { host: fromEnv, startedByLab: false };
  }
  if (await engineAnswers(LAB_DOCKER_HOST)) return { host: LAB_DOCKER_HOST, startedByLab: true };
  const system = 'unix:///var/run/docker.sock';
  if (existsSync('/var/run/docker.sock') && (await engineAnswers(system))) {
    log(`using the running Docker engine at ${system}`);
    return { host: system, startedByLab: false };
  }
  await startLabDockerd(repoRoot, log);
  return { host: LAB_DOCKER_HOST, startedByLab: true };
}

export async function startLabDockerd(repoRoot: string, log: (line: string) => void): Promise<void> {
  const dataRoot = dockerDataRoot(repoRoot);
  mkdirSync(dataRoot, { recursive: true });
  mkdirSync(EXEC_ROOT, { recursive: true });
  const before = readIpForward();
  log('starting dockerd for the lab');
  const logFd = openSync(dockerdLog(repoRoot), 'a');
  const child = spawn(
    'dockerd',
    [
      '--data-root', dataRoot,
      '--exec-root', EXEC_ROOT,
      '--host', LAB_DOCKER_HOST,
      '--pidfile', PIDFILE,
      // Never touch the host's firewall or routing: the lab network is internal and forwarding stays as it was.
      '--iptables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--ip6tables=false',
      // No default docker0 bridge: the lab creates its own network.
      '--bridge=none',
      '--userland-proxy=false',
      '--exec-opt', 'native.cgroupdriver=cgroupfs',
      '--storage-driver', 'overlay2',
    ],
    { detached: true, stdio: ['ignore', logFd, logFd] },
  );
  child.unref();
  closeSync(logFd);
  const exited = new Promise<number>((r) => child.once('exit', (code) => r(code ?? 1)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 500))]);
    if (code !== null) throw new Error(`dockerd exited (${code}) at start; see ${dockerdLog(repoRoot)}`);
    if (await engineAnswers(LAB_DOCKER_HOST)) {
      if (readIpForward() !== before) throw new Error('dockerd changed net.ipv4.ip_forward; refusing to go on');
      return;
    }
  }
  throw new Error(`dockerd did not answer within 60 s; see ${dockerdLog(repoRoot)}`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the lab's dockerd (if running), unmounts what it left, removes its exec root (and data root when purging). */
export async function stopLabDockerd(repoRoot: string, log: (line: string) => void, purge: boolean): Promise<void> {
  if (existsSync(PIDFILE)) {
    const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
    if (pid > 0 && pidAlive(pid)) {
      log('stopping the lab dockerd');
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 30_000;
      while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
      while (pidAlive(pid)) await new Promise((r) => setTimeout(r, 100));
    }
  }
  await killOrphans();
  await unmountUnder([dockerDataRoot(repoRoot), LAB_RUN_DIR]);
  if (purge) rmSync(dockerDataRoot(repoRoot), { recursive: true, force: true });
  rmSync(EXEC_ROOT, { recursive: true, force: true });
  rmSync(SOCKET, { force: true });
  rmSync(PIDFILE, { force: true });
  removeEmptyCgroups('docker');
}

/**
 * When dockerd died without stopping its containers, its containerd and the container shims live on (the nodes
 * with them). They are found by their sockets under the lab's run directory; a node's init is killed first,
 * which ends every process of its PID namespace, nested containers included.
 */
export async function killOrphans(): Promise<void> {
  const orphans: { pid: number; shim: boolean }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const program = argv[0]?.split('/').pop() ?? '';
    if (!program.startsWith('containerd')) continue;
    if (!argv.some((arg) => arg.startsWith(LAB_RUN_DIR + '/'))) continue;
    orphans.push({ pid: Number(entry), shim: program.startsWith('containerd-shim') });
  }
  for (const { pid } of orphans.filter((o) => o.shim)) {
    for (const child of childrenOf(pid)) signal(child, 'SIGKILL');
  }
  for (const { pid } of orphans) signal(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while (orphans.some((o) => pidAlive(o.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Lazily unmounts every mount point below the given directories, deepest first. */
export async function unmountUnder(directories: string[]): Promise<void> {
  const mountPoints = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\040/g, ' '))
    .filter((point) => directories.some((dir) => point === dir || point.startsWith(dir + '/')))
    .sort((a, b) => b.length - a.length);
  for (const point of mountPoints) {
    await runCommand('umount', ['-l', point], { allowFailure: true, timeoutMs: 15_000 });
  }
}

/** Removes /sys/fs/cgroup/<controller>/<name> trees that no process uses any more (cgroup v1). */
export function removeEmptyCgroups(name: string): void {
  const root = '/sys/fs/cgroup';
  if (!existsSync(root)) return;
  for (const controller of readdirSync(root)) {
    removeCgroupTree(join(root, controller, name));
  }
}

function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return;
  }
  for (const child of entries) removeCgroupTree(join(dir, child));
  try {
    rmdirSync(dir);
  } catch {
    // Still in use, or not a cgroup directory: leave it.
  }
}
