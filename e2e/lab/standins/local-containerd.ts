/**
 * A private containerd for exercising the stand-ins off a lab node: Debian's containerd with its own root, state
 * and socket under a temporary directory, the CRI plugin on cgroupfs, and two images built offline from
 * busybox-static with umoci ("lab.local/busybox:1.0" and the sandbox image "lab.local/pause:1.0").
 * close() stops it and removes what it left in the cgroup hierarchies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../docker.js';

export const LOCAL_BUSYBOX_IMAGE = 'lab.local/busybox:1.0';
export const LOCAL_PAUSE_IMAGE = 'lab.local/pause:1.0';

export interface LocalContainerd {
  dir: string;
  endpoint: string;
  close(): Promise<void>;
}

const BUSYBOX_APPLETS = ['sh', 'sleep', 'echo', 'cat', 'ls', 'date', 'true', 'false', 'env', 'wget', 'httpd', 'nc'];

/** An OCI layout with busybox-static in it; tag `tag`, command `cmd`. */
async function buildBusyboxImage(work: string, layout: string, tag: string, cmd: string[]): Promise<void> {
  if (!existsSync(layout)) await runCommand('umoci', ['init', '--layout', layout]);
  await runCommand('umoci', ['new', '--image', `${layout}:${tag}`]);
  const bundle = join(work, `bundle-${tag}`);
  await runCommand('umoci', ['unpack', '--rootless', '--image', `${layout}:${tag}`, bundle]);
  const bin = join(bundle, 'rootfs', 'bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync('/bin/busybox', join(bin, 'busybox'));
  for (const applet of BUSYBOX_APPLETS) symlinkSync('busybox', join(bin, applet));
  await runCommand('umoci', ['repack', '--image', `${layout}:${tag}`, bundle]);
  await runCommand('umoci', ['config', '--image', `${layout}:${tag}`, ...cmd.flatMap((c) => ['--config.cmd', c])]);
  rmSync(bundle, { recursive: true, force: true });
}

function configToml(dir: string): string {
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"
[grpc]
  address = "${dir}/containerd.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${LOCAL_PAUSE_IMAGE}"
  stream_server_port = "0"
  # Sandboxes get oom_score_adj -998, which needs CAP_SYS_RESOURCE; where that capability is missing (this kind of
  # sandboxed machine, and the lab's nodes) runc fails with "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${dir}/certs.d"
`;
}

async function waitForSocket(path: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (child.exitCode !== null) throw new Error(`containerd exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`containerd did not create ${path} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The "k8s.io" parent cgroups containerd makes for CRI containers (runc removes each container's own cgroup).
 * Only the parent, and only when empty: lab nodes share this machine's cgroup hierarchy and keep their own
 * containers below the same parent.
 */
function removeCriCgroups(): void {
  const root = '/sys/fs/cgroup';
  if (!existsSync(root)) return;
  for (const controller of readdirSync(root)) {
    try {
      rmdirSync(join(root, controller, 'k8s.io'));
    } catch {
      // absent, or still holding someone's containers
    }
  }
}

function shimPids(taskRoot: string): number[] {
  const pids: number[] = [];
  if (!existsSync(taskRoot)) return pids;
  for (const namespace of readdirSync(taskRoot)) {
    for (const id of readdirSync(join(taskRoot, namespace))) {
      const file = join(taskRoot, namespace, id, 'shim.pid');
      if (existsSync(file)) pids.push(Number(readFileSync(file, 'utf8').trim()));
    }
  }
  return pids.filter((p) => p > 1);
}

/** Mount points below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export async function startLocalContainerd(): Promise<LocalContainerd> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-containerd-'));
  mkdirSync(join(dir, 'certs.d'));
  writeFileSync(join(dir, 'config.toml'), configToml(dir));
  const layout = join(dir, 'oci');
  await buildBusyboxImage(dir, layout, 'busybox', ['/bin/sh']);
  await buildBusyboxImage(dir, layout, 'pause', ['/bin/sleep', '2147483647']);
  const child = spawn('containerd', ['--config', join(dir, 'config.toml')], { stdio: ['ignore', 'ignore', 'ignore'] });
  const socket = join(dir, 'containerd.sock');
  await waitForSocket(socket, child, 15_000);
  const ctr = (args: string[]): Promise<unknown> => runCommand('ctr', ['-a', socket, '-n', 'k8s.io', ...args], { timeoutMs: 60_000 });
  // One image per import: ctr names an OCI layout's images "<base-name>:<ref.name>".
  for (const [tag, name] of [['busybox', LOCAL_BUSYBOX_IMAGE], ['pause', LOCAL_PAUSE_IMAGE]] as const) {
    const single = join(dir, `${tag}.tar`);
    await runCommand('skopeo', ['copy', '--quiet', `oci:${layout}:${tag}`, `oci-archive:${single}:${name.split(':')[1]}`]);
    await ctr(['images', 'import', '--base-name', name.split(':')[0]!, single]);
  }
  return {
    dir,
    endpoint: `unix://${socket}`,
    async close() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      // Shims outlive containerd: stop the ones this containerd started (their pid files are in its state dir).
      for (const pid of shimPids(join(dir, 'state', 'io.containerd.runtime.v2.task'))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 300));
      for (const mountpoint of mountsUnder(dir)) await runCommand('umount', ['-l', mountpoint], { allowFailure: true });
      removeCriCgroups();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
