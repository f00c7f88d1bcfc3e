/**
 * Lab nodes, the way kind makes them: a container running real systemd as PID 1 (or, in light mode, only sshd),
 * with its own hostname, address, machine-id and host key.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { runCommand, type DockerCli } from './docker.js';
import type { LabNode } from './state.js';
import { labDir } from './state.js';

export const LAB_LABEL = 'bootstrap-lab';
export const CONTAINER_PREFIX = 'bootstrap-lab-';

export function containerName(node: string): string {
  return `${CONTAINER_PREFIX}${node}`;
}

/** Named volumes of a node: the runtimes' state directories cannot be overlay on overlay. */
export function nodeVolumes(node: string, runtimeDirs: string[]): { name: string; target: string }[] {
  return runtimeDirs.map((target) => ({
    name: `${CONTAINER_PREFIX}${node}-${target.split('/').pop()}`,
    target,
  }));
}

/** cp1..cpK then w1..wM, addresses from .10 of the lab subnet upward. */
export function planNodes(hosts: number, controlPlanes: number, addressOf: (index: number) => string): LabNode[] {
  const nodes: LabNode[] = [];
  for (let i = 0; i < hosts; i++) {
    const isControlPlane = i < controlPlanes;
    const name = isControlPlane ? `cp${i + 1}` : `w${i - controlPlanes + 1}`;
    nodes.push({ name, address: addressOf(i), container: containerName(name), roles: [isControlPlane ? 'control-plane' : 'worker'] });
  }
  return nodes;
}

export interface CreateNodeOptions {
  image: string;
  network: string;
  light: boolean;
  /** Extra state directories that must be volumes (the chosen runtime's). */
  runtimeDirs: string[];
  /** The node's host key, generated on this machine. */
  hostPrivateKey: string;
  hostPublicKey: string;
  /** The lab's public key, authorised for root. */
  authorizedKey: string;
}

/** The `docker create` arguments for a node; an argument array, never a shell string. */
export function nodeCreateArgs(node: LabNode, options: Pick<CreateNodeOptions, 'image' | 'network' | 'light' | 'runtimeDirs'>): string[] {
  const common = [
    'create',
    '--name', node.container,
    '--hostname', node.name,
    '--network', options.network,
    '--ip', node.address,
    '--network-alias', node.name,
    '--label', `${LAB_LABEL}=node`,
    '--label', `${LAB_LABEL}.node=${node.name}`,
  ];
  if (options.light) {
    // sshd only, under docker's init (tini) so that sessions' children are reaped.
    return [
      ...common,
      '--init',
      '--tmpfs', '/run',
      '--tmpfs', '/tmp',
      options.image,
      'sh', '-c', 'mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e',
    ];
  }
  const volumes = nodeVolumes(node.name, options.runtimeDirs).flatMap((v) => ['-v', `${v.name}:${v.target}`]);
  return [
    ...common,
    // systemd needs a terminal and the cgroup tree, or it exits at once.
    '-t',
    '--cgroupns=host',
    '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
    // As kind does. /tmp stays on the container's own layer: `docker cp` cannot write into a tmpfs mount
    // (it writes beneath it), and copying into /tmp is what tools do first.
    '--tmpfs', '/run',
    '--tmpfs', '/run/lock',
    ...volumes,
    '-e', 'container=docker',
    // What --privileged grants, minus CAP_SYS_RESOURCE, which some sandboxes withhold ("unable to apply caps").
    '--cap-add=ALL',
    '--cap-drop=SYS_RESOURCE',
    '--security-opt', 'seccomp=unconfined',
    '--security-opt', 'apparmor=unconfined',
    '--security-opt', 'systempaths=unconfined',
    '--device-cgroup-rule', 'a *:* rwm',
    '--stop-signal', 'SIGRTMIN+3',
    options.image,
    '/sbin/init',
  ];
}

/** Creates the node's container, gives it its identity (host key, machine-id) and starts it. */
export async function createNode(docker: DockerCli, repoRoot: string, node: LabNode, options: CreateNodeOptions): Promise<void> {
  await docker.run(nodeCreateArgs(node, options));
  const stage = mkdtempSync(join(labDir(repoRoot), `node-${node.name}-`));
  try {
    mkdirSync(join(stage, 'etc/ssh'), { recursive: true });
    copyFileSync(options.hostPrivateKey, join(stage, 'etc/ssh/ssh_host_ed25519_key'));
    chmodSync(join(stage, 'etc/ssh/ssh_host_ed25519_key'), 0o600);
    writeFileSync(join(stage, 'etc/ssh/ssh_host_ed25519_key.pub'), `${options.hostPublicKey} root@${node.name}\n`, { mode: 0o644 });
    writeFileSync(join(stage, 'etc/machine-id'), randomBytes(16).toString('hex') + '\n', { mode: 0o444 });
    mkdirSync(join(stage, 'root/.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(join(stage, 'root/.ssh/authorized_keys'), options.authorizedKey.trim() + '\n', { mode: 0o600 });
    await docker.run(['cp', `${stage}/.`, `${node.container}:/`]);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  await docker.run(['start', node.container]);
  await isolateNode(docker, node.container);
}

/**
 * Docker gives containers on an internal network a default route via the bridge address all the same; without
 * it a node reaches only the lab subnet (the other nodes and the registries on the gateway address), even
 * this machine's other addresses stay out of reach. Done from this machine, so light nodes need no NET_ADMIN.
 * Call again after every restart of the container.
 */
export async function isolateNode(docker: DockerCli, container: string): Promise<void> {
  const pid = (await docker.run(['inspect', '--format', '{{.State.Pid}}', container])).stdout.trim();
  if (!/^[1-9]\d*$/.test(pid)) throw new Error(`${container} is not running`);
  await runCommand('nsenter', ['-t', pid, '-n', '--', 'ip', 'route', 'del', 'default'], { allowFailure: true, timeoutMs: 15_000 });
  const routes = await runCommand('nsenter', ['-t', pid, '-n', '--', 'ip', 'route', 'show', 'default'], { timeoutMs: 15_000 });
  if (routes.stdout.trim() !== '') throw new Error(`${container}: could not remove the default route (${routes.stdout.trim()})`);
}

/**
 * Waits until systemd in the node has finished starting. Returns systemd's verdict ("running", or "degraded"
 * with the failed units).
 */
export async function waitForSystemd(docker: DockerCli, node: LabNode, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const result = await docker.exec(node.container, ['systemctl', 'is-system-running'], { allowFailure: true, timeoutMs: 15_000 });
    last = result.stdout.trim() || result.stderr.trim();
    if (last === 'running') return last;
    if (last === 'degraded') {
      const failed = await docker.exec(node.container, ['systemctl', '--failed', '--no-legend', '--plain'], { allowFailure: true });
      return `degraded: ${failed.stdout.trim().replace(/\s+/g, ' ')}`;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${node.name}: systemd did not finish starting within ${timeoutMs} ms (last answer: ${last || 'none'})`);
}

/** Waits until sshd accepts TCP connections on the node (light nodes have no systemd to ask). */
export async function waitForSshd(node: LabNode, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolvePromise) => {
      const socket = connect({ host: node.address, port: 22, timeout: 2_000 });
      socket.once('data', (data) => {
        socket.destroy();
        resolvePromise(data.toString('utf8').startsWith('SSH-'));
      });
      socket.once('error', () => resolvePromise(false));
      socket.once('timeout', () => {
        socket.destroy();
        resolvePromise(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${node.name}: sshd did not answer on ${node.address}:22 within ${timeoutMs} ms`);
}

/** Runs `action` over `items` with at most `limit` in flight; collects every failure. */
export async function forEachBounded<T>(items: T[], limit: number, action: (item: T) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await action(item);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
  });
  await Promise.all(workers);
  if (failures.length > 0) throw new Error(`failed for ${failures.length} of ${items.length}:\n - ${failures.join('\n - ')}`);
}
