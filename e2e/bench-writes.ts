#!/usr/bin/env node
/**
 * npm run bench:writes [-- RUNS] — what one batch write costs the host, on this machine (no lab, no SSH; run as
 * root): 33 files shaped like a control plane's (1–10 KB, modes 0600/0644, 8 folders under a temporary root),
 * written through the local host, once fresh and once replacing every file with a backup of each. Prints, per
 * batch, the wall time, the user+system CPU of the processes the write started (children times of this process
 * from /proc/self/stat, so the host side only), and how many processes and programs one batch starts (one
 * batch under strace -f, when strace is installed). Figures only, no assertions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFilesWithShell } from '../src/transport/files.js';
import type { ExecOptions, FileWrite, WriteOptions } from '../src/transport/host.js';
import { LocalHost } from '../src/transport/local.js';
import { childrenCpuMs, hasStrace, traceCounts, traced as tracedArgv } from './bench-host.js';

const runs = Number(process.argv[2] ?? 20);
const host = new LocalHost();

/** The control plane's files: folder, names, mode. */
const LAYOUT: [string, string[], number][] = [
  ['etc/kubernetes', ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf', 'kubelet.conf'], 0o600],
  ['etc/kubernetes/manifests', ['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml'], 0o600],
  ['etc/kubernetes/pki', ['ca.crt', 'apiserver.crt', 'apiserver-kubelet-client.crt', 'front-proxy-ca.crt', 'front-proxy-client.crt', 'apiserver-etcd-client.crt'], 0o644],
  ['etc/kubernetes/pki', ['ca.key', 'apiserver.key', 'apiserver-kubelet-client.key', 'front-proxy-ca.key', 'front-proxy-client.key', 'apiserver-etcd-client.key'], 0o600],
  ['etc/kubernetes/pki/etcd', ['ca.crt', 'server.crt', 'peer.crt', 'healthcheck-client.crt'], 0o644],
  ['etc/kubernetes/pki/etcd', ['ca.key', 'server.key', 'peer.key'], 0o600],
  ['var/lib/kubelet', ['config.yaml', 'kubeadm-flags.env'], 0o644],
  ['etc/systemd/system/kubelet.service.d', ['10-kubeadm.conf'], 0o644],
  ['etc/containerd', ['config.toml'], 0o644],
  ['etc/sysctl.d', ['99-kubernetes.conf'], 0o644],
];

function files(root: string, generation: string): FileWrite[] {
  const out: FileWrite[] = [];
  for (const [folder, names, mode] of LAYOUT) {
    for (const name of names) {
      const size = 1024 + ((out.length * 2749) % (9 * 1024));
      out.push({ path: join(root, folder, name), content: `${generation} ${name}\n`.padEnd(size, 'x'), mode });
    }
  }
  return out;
}

async function measure(label: string, prepare: (root: string) => Promise<void>, write: (root: string) => Promise<void>): Promise<void> {
  let wall = 0;
  let cpu = 0;
  for (let i = 0; i < runs; i++) {
    const root = await mkdtemp(join(tmpdir(), 'bootstrap-bench-writes-'));
    await prepare(root);
    const cpuBefore = await childrenCpuMs();
    const start = performance.now();
    await write(root);
    wall += performance.now() - start;
    cpu += (await childrenCpuMs()) - cpuBefore;
    await rm(root, { recursive: true, force: true });
  }
  const counts = await countProcesses(prepare, write);
  console.log(`${label.padEnd(40)} wall ${(wall / runs).toFixed(1).padStart(7)} ms   host CPU ${(cpu / runs).toFixed(1).padStart(6)} ms   ${counts}`);
}

/** Processes started (forks, the script's shell included) and programs run (execve) by one batch, under strace. */
async function countProcesses(prepare: (root: string) => Promise<void>, write: (root: string, options?: WriteOptions, traced?: string) => Promise<void>): Promise<string> {
  if (!hasStrace()) return '(no strace: process count unknown)';
  const root = await mkdtemp(join(tmpdir(), 'bootstrap-bench-writes-'));
  const trace = join(root, 'strace.out');
  await prepare(root);
  await write(root, undefined, trace);
  const counts = await traceCounts(trace);
  await rm(root, { recursive: true, force: true });
  return counts;
}

/** Writes through the local host, or, with `traced`, under strace -f writing its trace there. */
function writer(generation: string, backup: boolean) {
  return async (root: string, _options?: WriteOptions, traced?: string) => {
    const options = backup ? { backupDir: join(root, 'var/lib/bootstrap/backups/bench') } : {};
    if (!traced) return host.writeFiles(files(root, generation), options);
    const exec = (argv: readonly string[], o?: ExecOptions) => host.exec(tracedArgv(traced, argv), o);
    return writeFilesWithShell(exec, files(root, generation), options);
  };
}

if (process.getuid?.() !== 0) console.log('not root: the figures are for an unprivileged user, not for how bootstrap writes');
console.log(`33 files in 8 folders, mean of ${runs} batches`);
await measure('fresh (no file exists)', async () => undefined, writer('v1', false));
await measure('replace all, each backed up', (root) => host.writeFiles(files(root, 'v1')), writer('v2', true));
await measure('replace none (identical), backups on', (root) => host.writeFiles(files(root, 'v1')), writer('v1', true));
