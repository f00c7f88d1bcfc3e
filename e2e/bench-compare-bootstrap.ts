#!/usr/bin/env node
/**
 * bench:compare's bootstrap side, a process of its own as the CLI would be (so that its peak RSS and CPU are
 * bootstrap's alone, not the benchmark's): node bench-compare-bootstrap.js JOB.json. For every host of the job's
 * inventory at once, one SSH connection each: facts, the hashes and modes of the files (up's check), one batch
 * write of those that differ, then the commands, one by one. Prints one JSON line (BootstrapResult) on stdout.
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { loadInventory } from '../src/inventory/index.js';
import type { HostSpec } from '../src/inventory/index.js';
import { gatherFacts } from '../src/phases/facts.js';
import { contentHash, run, type FileWrite } from '../src/transport/host.js';
import { SshHost } from '../src/transport/ssh.js';

export interface BootstrapJob {
  inventory: string;
  /** The hosts to work on, by name (all of the inventory's, in the benchmark). */
  hosts: string[];
  files: { path: string; base64: string; mode: number }[];
  commands: string[][];
  /** Per host, for the whole of its work. */
  timeoutMs: number;
}

export interface BootstrapResult {
  /** From the first connection to the last host done, in this process. */
  wallMs: number;
  /** process.cpuUsage() over that span: user + system. */
  cpuMs: number;
  /** process.resourceUsage().maxRSS, in KiB: the whole process's peak. */
  maxRssKiB: number;
  hosts: { name: string; ok: boolean; written: number; error?: string }[];
}

async function hostWork(spec: HostSpec, version: Parameters<typeof gatherFacts>[1], files: FileWrite[], commands: string[][]): Promise<number> {
  const host = await SshHost.connect(spec);
  try {
    await gatherFacts(host, version);
    const found = await host.hashFiles(files.map((f) => f.path));
    // What up writes: the files whose content or mode differ from the host's.
    const changed = files.filter((f) => found.get(f.path) !== contentHash(f.content) || found.modes.get(f.path) !== f.mode);
    if (changed.length > 0) await host.writeFiles(changed);
    for (const argv of commands) await run(host, argv);
    return changed.length;
  } finally {
    await host.close();
  }
}

/** The host's work, or its error once the time is up: one stuck host must not hold the benchmark. */
function bounded<T>(work: Promise<T>, timeoutMs: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name}: not done within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function main(jobFile: string): Promise<BootstrapResult> {
  const job = JSON.parse(await readFile(jobFile, 'utf8')) as BootstrapJob;
  const inv = await loadInventory(job.inventory);
  const specs = job.hosts.map((name) => {
    const spec = inv.hosts.find((h) => h.name === name);
    if (!spec) throw new Error(`${name} is not in ${job.inventory}`);
    return spec;
  });
  const files: FileWrite[] = job.files.map((f) => ({ path: f.path, content: Buffer.from(f.base64, 'base64'), mode: f.mode }));
  const cpu = process.cpuUsage();
  const start = performance.now();
  const outcomes = await Promise.allSettled(
    specs.map((spec) => bounded(hostWork(spec, inv.cluster.kubernetesVersion, files, job.commands), job.timeoutMs, spec.name)),
  );
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    wallMs,
    cpuMs: (used.user + used.system) / 1000,
    maxRssKiB: process.resourceUsage().maxRSS,
    hosts: outcomes.map((o, i) => ({
      name: specs[i]!.name,
      ok: o.status === 'fulfilled',
      written: o.status === 'fulfilled' ? o.value : 0,
      ...(o.status === 'rejected' ? { error: String((o.reason as Error)?.message ?? o.reason).split('\n')[0] } : {}),
    })),
  };
}

const jobFile = process.argv[2];
if (!jobFile) {
  process.stderr.write('usage: bench-compare-bootstrap.js JOB.json\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(await main(jobFile)) + '\n');
// The connections are closed; nothing else should keep the process, but a lingering handle must not either.
process.exit(0);
