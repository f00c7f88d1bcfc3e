/**
 * Faults for tests, always bounded in time: every fault is recorded under .lab/faults/ and a detached restorer
 * process reverts it when its time is up (`clearFaults` reverts at once). A fault that cannot be applied on this
 * machine says so instead of pretending.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerCli, runCommand } from './docker.js';
import { isolateNode } from './nodes.js';
import { launchRegistry, registryPid, registryStatus, registryStorage, stopRegistry, waitForRegistry, writeHtpasswd, type RegistryName } from './registry.js';
import type { LabState } from './state.js';
import { labDir, labExists, loadLab } from './state.js';

export type FaultSpec =
  /** Stops sshd on a node (systemctl stop ssh); the node itself keeps running. */
  | { kind: 'sshd-stop'; node: string }
  /** `docker stop` of the node; reverted by `docker start` (systemd boots again). */
  | { kind: 'node-stop'; node: string }
  /** `docker pause` (freezer): the node accepts nothing, answers nothing. */
  | { kind: 'node-pause'; node: string }
  /** New inbound SSH connections to the node pass a relay that delays each direction by delayMs (no sch_netem needed). */
  | { kind: 'latency'; node: string; delayMs: number }
  /** tc netem on the node's eth0: delay and/or loss (needs sch_netem in the kernel). */
  | { kind: 'netem'; node: string; delayMs?: number; jitterMs?: number; lossPercent?: number }
  /** Random packet loss on the node, in and out, by the netfilter statistic match (works without sch_netem). */
  | { kind: 'loss'; node: string; percent: number }
  /** tc tbf bandwidth cap on the node's eth0 (egress), e.g. rate "1mbit". */
  | { kind: 'bandwidth'; node: string; rate: string }
  /** The registry answers every request with HTTP 500. */
  | { kind: 'registry-500'; registry: RegistryName }
  /** The registry accepts connections and never answers (its process is stopped with SIGSTOP). */
  | { kind: 'registry-stall'; registry: RegistryName }
  /** A tag disappears from the registry (manifest unknown), and comes back when the fault ends. */
  | { kind: 'remove-image'; registry: RegistryName; repository: string; tag: string }
  /**
   * The registry answers manifests, then sends half of every blob and stalls, the connection left open: the
   * registry moves to port+100 and the restorer stands in front of it on its address until the fault ends.
   */
  | { kind: 'registry-stall-blob'; registry: RegistryName }
  /** The authenticated registry's password changes (htpasswd rewritten, registry restarted): pulls get 401. */
  | { kind: 'registry-password' }
  /** A full disk on the node: a tmpfs just big enough for what `path` holds, then filled, is mounted over it. */
  | { kind: 'disk-full'; node: string; path: string }
  /** A folder on this machine made read-only (a read-only bind mount over itself), e.g. bootstrap's state directory. */
  | { kind: 'local-readonly'; path: string };

export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  /** Epoch ms when the restorer reverts it. */
  until: number;
  restorerPid?: number;
  /** A process the fault runs for its duration (the latency relay). */
  helperPid?: number;
}

/** "500ms", "30s", "2m" → milliseconds; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (!match) return undefined;
  const factor = { ms: 1, s: 1_000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
  return Math.round(Number(match[1]) * factor);
}

/** No fault may outlive this. */
export const MAX_FAULT_MS = 30 * 60_000;

function faultsDir(repoRoot: string): string {
  return join(labDir(repoRoot), 'faults');
}

function faultFile(repoRoot: string, id: string): string {
  return join(faultsDir(repoRoot), `${id}.json`);
}

export function listFaults(repoRoot: string): ActiveFault[] {
  const dir = faultsDir(repoRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ActiveFault);
}

function nodeOf(lab: LabState, name: string) {
  // The load balancer is no cluster host but fails like one (node-stop lb, loss lb, ...).
  const machines = [...lab.nodes, ...(lab.loadBalancer ? [lab.loadBalancer] : [])];
  const node = machines.find((n) => n.name === name);
  if (!node) throw new Error(`no lab node named ${JSON.stringify(name)} (nodes: ${machines.map((n) => n.name).join(', ')})`);
  return node;
}

async function containerPid(docker: DockerCli, container: string): Promise<string> {
  const pid = (await docker.run(['inspect', '--format', '{{.State.Pid}}', container])).stdout.trim();
  if (!/^[1-9]\d*$/.test(pid)) throw new Error(`${container} is not running`);
  return pid;
}

/** Runs a host program inside the node's network namespace (the node may lack the tool or the capability). */
async function inNodeNetns(docker: DockerCli, container: string, argv: string[]): Promise<void> {
  const pid = await containerPid(docker, container);
  const [program, ...rest] = argv;
  await runCommand('nsenter', ['-t', pid, '-n', '--', program ?? 'true', ...rest], { timeoutMs: 15_000 });
}

const LOSS_CHAIN = 'BOOTSTRAP-LAB-LOSS';
const DELAY_CHAIN = 'BOOTSTRAP-LAB-DELAY';
/** Where the latency relay listens inside the node. */
const RELAY_PORT = 15022;

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** True once the process has exited (gone, or a zombie waiting for its parent). */
function exited(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

/** SIGKILL, then wait (at most 5 s) until the process has really exited, so a cleared fault leaves nothing running. */
async function killAndWait(pid: number): Promise<void> {
  killQuietly(pid);
  const deadline = Date.now() + 5_000;
  while (!exited(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Starts the relay in the node's network namespace, then sends new inbound SSH connections through it. */
async function startLatency(docker: DockerCli, container: string, delayMs: number): Promise<number> {
  if (!(Number.isInteger(delayMs) && delayMs > 0 && delayMs <= 10_000)) throw new Error('latency delay must be a whole number of ms from 1 to 10000');
  const pid = await containerPid(docker, container);
  const relay = fileURLToPath(new URL('./latency-relay.js', import.meta.url));
  const child = spawn('nsenter', ['-t', pid, '-n', '--', process.execPath, relay, String(RELAY_PORT), '127.0.0.1', '22', String(delayMs)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  if (child.pid === undefined) throw new Error('cannot start the latency relay');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const listening = await runCommand('nsenter', ['-t', pid, '-n', '--', 'ss', '-Hltn', `sport = :${RELAY_PORT}`], { allowFailure: true });
    if (listening.stdout.trim() !== '') break;
    if (Date.now() > deadline) {
      killQuietly(child.pid);
      throw new Error('the latency relay did not start listening within 10 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await inNodeNetns(docker, container, ['iptables', '-w', '-t', 'nat', '-N', DELAY_CHAIN]);
  await inNodeNetns(docker, container, ['iptables', '-w', '-t', 'nat', '-A', DELAY_CHAIN, '-p', 'tcp', '--dport', '22', '-j', 'REDIRECT', '--to-ports', String(RELAY_PORT)]);
  await inNodeNetns(docker, container, ['iptables', '-w', '-t', 'nat', '-I', 'PREROUTING', '-i', 'eth0', '-j', DELAY_CHAIN]);
  return child.pid;
}

function tagLink(repoRoot: string, spec: { registry: RegistryName; repository: string; tag: string }): string {
  return join(registryStorage(repoRoot, spec.registry), 'docker/registry/v2/repositories', spec.repository, '_manifests/tags', spec.tag);
}

/** Applies the fault; returns the pid of a helper process that must run while it lasts, if any. */
async function applySpec(repoRoot: string, lab: LabState, docker: DockerCli, spec: FaultSpec, id: string): Promise<number | undefined> {
  switch (spec.kind) {
    case 'latency':
      return startLatency(docker, nodeOf(lab, spec.node).container, spec.delayMs);
    case 'sshd-stop': {
      const node = nodeOf(lab, spec.node);
      if (lab.light) throw new Error('sshd-stop needs full nodes (light nodes run sshd as their only process)');
      await docker.exec(node.container, ['systemctl', 'stop', 'ssh.service']);
      return;
    }
    case 'node-stop':
      await docker.run(['stop', '--time', '10', nodeOf(lab, spec.node).container], { timeoutMs: 60_000 });
      return;
    case 'node-pause':
      await docker.run(['pause', nodeOf(lab, spec.node).container]);
      return;
    case 'netem': {
      const args = ['netem'];
      if (spec.delayMs !== undefined) args.push('delay', `${spec.delayMs}ms`, ...(spec.jitterMs ? [`${spec.jitterMs}ms`] : []));
      if (spec.lossPercent !== undefined) args.push('loss', `${spec.lossPercent}%`);
      try {
        await inNodeNetns(docker, nodeOf(lab, spec.node).container, ['tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', ...args]);
      } catch (error) {
        if (/qdisc kind is unknown/i.test((error as Error).message)) {
          throw new Error('this kernel has no sch_netem (CONFIG_NET_SCH_NETEM), so it cannot delay packets here; use the latency fault (delays new SSH connections), loss or bandwidth');
        }
        throw error;
      }
      return;
    }
    case 'loss': {
      if (!(spec.percent > 0 && spec.percent <= 100)) throw new Error('loss percent must be in (0, 100]');
      const container = nodeOf(lab, spec.node).container;
      const probability = (spec.percent / 100).toFixed(4);
      await inNodeNetns(docker, container, ['iptables', '-w', '-N', LOSS_CHAIN]);
      await inNodeNetns(docker, container, ['iptables', '-w', '-A', LOSS_CHAIN, '-m', 'statistic', '--mode', 'random', '--probability', probability, '-j', 'DROP']);
      await inNodeNetns(docker, container, ['iptables', '-w', '-I', 'INPUT', '-i', 'eth0', '-j', LOSS_CHAIN]);
      await inNodeNetns(docker, container, ['iptables', '-w', '-I', 'OUTPUT', '-o', 'eth0', '-j', LOSS_CHAIN]);
      return;
    }
    case 'bandwidth':
      if (!/^\d+(\.\d+)?(bit|kbit|mbit|gbit)$/.test(spec.rate)) throw new Error(`bandwidth rate must look like 1mbit, not ${JSON.stringify(spec.rate)}`);
      await inNodeNetns(docker, nodeOf(lab, spec.node).container, [
        'tc', 'qdisc', 'replace', 'dev', 'eth0', 'root', 'tbf', 'rate', spec.rate, 'burst', '32kbit', 'latency', '400ms',
      ]);
      return;
    case 'registry-500':
      // The registry process steps aside; the restorer answers 500 on its address until the fault ends.
      await stopRegistry(repoRoot, spec.registry);
      return;
    case 'registry-stall': {
      const pid = registryPid(repoRoot, spec.registry);
      if (pid === undefined) throw new Error(`the ${spec.registry} is not running`);
      process.kill(pid, 'SIGSTOP');
      return;
    }
    case 'remove-image': {
      const link = tagLink(repoRoot, spec);
      if (!existsSync(link)) throw new Error(`${spec.repository}:${spec.tag} is not in the ${spec.registry}`);
      renameSync(link, `${link}.removed-${id}`);
      return;
    }
    case 'registry-stall-blob': {
      // The registry itself moves aside to port+100; the restorer takes its address (see runRestorer).
      const [host, port] = registryAddress(lab, spec.registry);
      await stopRegistry(repoRoot, spec.registry);
      await launchRegistry(repoRoot, spec.registry, { port: port + STALL_PORT_OFFSET });
      await waitForRegistry(host, port + STALL_PORT_OFFSET, 30_000);
      return;
    }
    case 'registry-password':
      await setRegistryPassword(repoRoot, lab, `changed-${randomBytes(6).toString('hex')}`);
      return;
    case 'disk-full':
      await docker.exec(nodeOf(lab, spec.node).container, ['sh', '-c', DISK_FULL_APPLY, 'sh', spec.path, diskFullKeep(id)], { timeoutMs: 60_000 });
      return;
    case 'local-readonly':
      if (!existsSync(spec.path)) throw new Error(`${spec.path} does not exist`);
      await runCommand('mount', ['--bind', spec.path, spec.path]);
      await runCommand('mount', ['-o', 'remount,ro,bind', spec.path]);
      return;
  }
}

/** How far the registry moves while a registry-stall-blob fault stands in front of it. */
const STALL_PORT_OFFSET = 100;

/** Where the node keeps what a disk-full fault's tmpfs covers, to put it back afterwards. */
function diskFullKeep(id: string): string {
  return `/var/tmp/lab-disk-full-${id}`;
}

/**
 * On the node: copy what PATH holds aside, mount a tmpfs over PATH just big enough for it plus a little, copy it in,
 * then fill the rest, so the next write of any size fails with ENOSPC while every file still reads as before.
 */
const DISK_FULL_APPLY = `set -e
path=$1 keep=$2
mkdir -p "$path" "$keep"
cp -a "$path/." "$keep/"
used=$(du -sk "$keep" | cut -f1)
mount -t tmpfs -o "size=$((used + 256))k,mode=755" lab-disk-full "$path"
cp -a "$keep/." "$path/"
dd if=/dev/zero of="$path/.lab-disk-full" bs=4k 2>/dev/null || true
`;

/**
 * On the node: take what the tmpfs holds now (without the filler), unmount it, and bring the disk's folder to that
 * in place: files are overwritten, not replaced, and only what was removed meanwhile is removed, so the folders and
 * files that running containers have bind-mounted stay the same ones (as after a real full disk).
 */
const DISK_FULL_REVERT = `set -e
path=$1 keep=$2
if grep -q "^lab-disk-full $path tmpfs " /proc/mounts; then
  rm -f "$path/.lab-disk-full"
  rm -rf "$keep" && mkdir -p "$keep"
  cp -a "$path/." "$keep/"
  umount "$path" || umount -l "$path"
  (cd "$path" && find . -mindepth 1 -depth) | while IFS= read -r f; do [ -e "$keep/$f" ] || [ -L "$keep/$f" ] || rm -rf "$path/$f"; done
  cp -a "$keep/." "$path/"
fi
rm -rf "$keep"
`;

/** Rewrites the authenticated registry's htpasswd with this password (through stdin) and restarts it. */
export async function setRegistryPassword(repoRoot: string, lab: LabState, password: string): Promise<void> {
  await writeHtpasswd(repoRoot, 'auth-registry', { username: lab.authRegistry.username, password });
  await stopRegistry(repoRoot, 'auth-registry');
  await launchRegistry(repoRoot, 'auth-registry');
  const [host, port] = registryAddress(lab, 'auth-registry');
  await waitForRegistry(host, port, 30_000);
}

async function revertSpec(repoRoot: string, lab: LabState, docker: DockerCli, spec: FaultSpec, id: string, helperPid?: number): Promise<void> {
  switch (spec.kind) {
    case 'latency': {
      const container = nodeOf(lab, spec.node).container;
      for (const argv of [
        ['-t', 'nat', '-D', 'PREROUTING', '-i', 'eth0', '-j', DELAY_CHAIN],
        ['-t', 'nat', '-F', DELAY_CHAIN],
        ['-t', 'nat', '-X', DELAY_CHAIN],
      ]) {
        await inNodeNetns(docker, container, ['iptables', '-w', ...argv]).catch(() => undefined);
      }
      if (helperPid) await killAndWait(helperPid);
      return;
    }
    case 'sshd-stop':
      await docker.exec(nodeOf(lab, spec.node).container, ['systemctl', 'start', 'ssh.service'], { allowFailure: true });
      return;
    case 'node-stop':
      await docker.run(['start', nodeOf(lab, spec.node).container], { allowFailure: true, timeoutMs: 60_000 });
      await isolateNode(docker, nodeOf(lab, spec.node).container).catch(() => undefined);
      return;
    case 'node-pause':
      await docker.run(['unpause', nodeOf(lab, spec.node).container], { allowFailure: true });
      return;
    case 'netem':
    case 'bandwidth':
      await inNodeNetns(docker, nodeOf(lab, spec.node).container, ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']).catch(() => undefined);
      return;
    case 'loss': {
      const container = nodeOf(lab, spec.node).container;
      for (const argv of [
        ['-D', 'INPUT', '-i', 'eth0', '-j', LOSS_CHAIN],
        ['-D', 'OUTPUT', '-o', 'eth0', '-j', LOSS_CHAIN],
        ['-F', LOSS_CHAIN],
        ['-X', LOSS_CHAIN],
      ]) {
        await inNodeNetns(docker, container, ['iptables', '-w', ...argv]).catch(() => undefined);
      }
      return;
    }
    case 'registry-500': {
      if (registryPid(repoRoot, spec.registry) === undefined) await launchRegistry(repoRoot, spec.registry);
      const [host, port] = registryAddress(lab, spec.registry);
      await waitForRegistry(host, port, 30_000);
      return;
    }
    case 'registry-stall': {
      const pid = registryPid(repoRoot, spec.registry);
      if (pid !== undefined) process.kill(pid, 'SIGCONT');
      return;
    }
    case 'remove-image': {
      const link = tagLink(repoRoot, spec);
      if (existsSync(`${link}.removed-${id}`)) renameSync(`${link}.removed-${id}`, link);
      return;
    }
    case 'registry-stall-blob': {
      await stopRegistry(repoRoot, spec.registry);
      await launchRegistry(repoRoot, spec.registry);
      const [host, port] = registryAddress(lab, spec.registry);
      await waitForRegistry(host, port, 30_000);
      return;
    }
    case 'registry-password':
      await setRegistryPassword(repoRoot, lab, lab.authRegistry.password);
      return;
    case 'disk-full':
      await docker.exec(nodeOf(lab, spec.node).container, ['sh', '-c', DISK_FULL_REVERT, 'sh', spec.path, diskFullKeep(id)], { timeoutMs: 60_000 });
      return;
    case 'local-readonly': {
      const mounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === spec.path);
      if (mounted) await runCommand('umount', [spec.path]);
      return;
    }
  }
}

function registryAddress(lab: LabState, registry: RegistryName): [string, number] {
  const address = registry === 'registry' ? lab.registry.address : lab.authRegistry.address;
  const [host, port] = address.split(':');
  return [host ?? '', Number(port)];
}

/**
 * Applies a fault for `durationMs` and returns its record. A detached restorer reverts it then, even if the
 * caller dies; `clearFault` reverts it sooner.
 */
export async function applyFault(repoRoot: string, spec: FaultSpec, durationMs: number): Promise<ActiveFault> {
  if (!(durationMs > 0 && durationMs <= MAX_FAULT_MS)) throw new Error(`a fault lasts from 1 ms to ${MAX_FAULT_MS / 60_000} min`);
  const lab = loadLab(repoRoot);
  const docker = new DockerCli(lab.docker.host);
  const id = `${spec.kind}-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const fault: ActiveFault = { id, spec, until: Date.now() + durationMs };
  mkdirSync(faultsDir(repoRoot), { recursive: true });
  writeFileSync(faultFile(repoRoot, id), JSON.stringify(fault, null, 2));
  try {
    const helperPid = await applySpec(repoRoot, lab, docker, spec, id);
    if (helperPid !== undefined) fault.helperPid = helperPid;
  } catch (error) {
    rmSync(faultFile(repoRoot, id), { force: true });
    // Whatever part of it took hold is undone (every revert is safe on a fault that is not there).
    await revertSpec(repoRoot, lab, docker, spec, id).catch(() => undefined);
    throw error;
  }
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const restorer = spawn(process.execPath, [cli, 'fault-restorer', id], { detached: true, stdio: 'ignore', cwd: repoRoot });
  restorer.unref();
  fault.restorerPid = restorer.pid;
  writeFileSync(faultFile(repoRoot, id), JSON.stringify(fault, null, 2));
  if (spec.kind === 'registry-500') {
    const [host, port] = registryAddress(lab, spec.registry);
    const deadline = Date.now() + 15_000;
    while ((await registryStatus(host, port)) !== 500) {
      if (Date.now() > deadline) throw new Error('the registry-500 fault did not take hold within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return fault;
}

/** The restorer: serves 500s when that is the fault, waits out the fault's time, reverts it. */
export async function runRestorer(repoRoot: string, id: string): Promise<void> {
  const file = faultFile(repoRoot, id);
  if (!existsSync(file)) return;
  const fault = JSON.parse(readFileSync(file, 'utf8')) as ActiveFault;
  const lab = loadLab(repoRoot);
  let server: Server | undefined;
  if (fault.spec.kind === 'registry-500') {
    const [host, port] = registryAddress(lab, fault.spec.registry);
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNKNOWN","message":"lab fault: registry answers 500"}]}\n');
    });
    await new Promise<void>((resolvePromise, reject) => {
      server?.once('error', reject);
      server?.listen(port, host, () => resolvePromise());
    });
  }
  if (fault.spec.kind === 'registry-stall-blob') {
    const [host, port] = registryAddress(lab, fault.spec.registry);
    server = stallingProxy(host, port + STALL_PORT_OFFSET);
    await new Promise<void>((resolvePromise, reject) => {
      server?.once('error', reject);
      server?.listen(port, host, () => resolvePromise());
    });
  }
  await new Promise((r) => setTimeout(r, Math.max(0, fault.until - Date.now())));
  if (server) {
    // close() waits for open connections; clients that keep them alive would hold the port past the fault.
    const closed = new Promise((r) => server?.close(() => r(undefined)));
    server.closeAllConnections();
    await closed;
  }
  await clearFault(repoRoot, id, { fromRestorer: true });
}

/**
 * An HTTP proxy to the registry that passes everything through except blob downloads: of those it sends the
 * headers and the first half of the body, then nothing more, the connection left open (a registry or a link that
 * stalls mid-blob). Closing the server's connections when the fault ends breaks the stalled downloads off.
 */
function stallingProxy(upstreamHost: string, upstreamPort: number): Server {
  return createServer((req, res) => {
    const upstream = httpRequest({ host: upstreamHost, port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const length = Number(answer.headers['content-length'] ?? 0);
      const stall = req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '') && answer.statusCode === 200 && length > 1;
      if (!stall) {
        answer.pipe(res);
        return;
      }
      let sent = 0;
      const half = Math.floor(length / 2);
      answer.on('data', (chunk: Buffer) => {
        if (sent >= half) return;
        const part = chunk.subarray(0, half - sent);
        sent += part.length;
        res.write(part);
        if (sent >= half) answer.destroy();
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
}

/** Reverts one fault now (stopping its restorer first). */
export async function clearFault(repoRoot: string, id: string, options: { fromRestorer?: boolean } = {}): Promise<void> {
  const file = faultFile(repoRoot, id);
  if (!existsSync(file)) return;
  const fault = JSON.parse(readFileSync(file, 'utf8')) as ActiveFault;
  if (!options.fromRestorer && fault.restorerPid) {
    try {
      process.kill(fault.restorerPid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    // The 500 server of a killed restorer releases its port when the process is gone.
    await new Promise((r) => setTimeout(r, 200));
  }
  if (labExists(repoRoot)) {
    const lab = loadLab(repoRoot);
    await revertSpec(repoRoot, lab, new DockerCli(lab.docker.host), fault.spec, id, fault.helperPid);
  }
  rmSync(file, { force: true });
}

/** Reverts every active fault (used by `down` and by tests' cleanup). */
export async function clearFaults(repoRoot: string, log: (line: string) => void = () => undefined): Promise<void> {
  for (const fault of listFaults(repoRoot)) {
    log(`clearing fault ${fault.id}`);
    await clearFault(repoRoot, fault.id).catch((error: Error) => log(`could not clear ${fault.id}: ${error.message}`));
  }
}
