#!/usr/bin/env node
/**
 * npm run bench:facts [-- RUNS] — what the facts command costs the host, on this machine (no lab, no SSH; run as
 * root): the script as `up` sends it, keeping the versions in a temporary folder instead of /var/lib/bootstrap.
 * Prints, per case, the wall time, the user+system CPU of the processes the command started (children times,
 * see bench-host.ts) and how many processes and programs it starts (under strace -f, when installed). Which of
 * kubelet, crictl, docker and containerd this machine has decides the first case: each is started once there.
 * Figures only, no assertions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { VERSIONS_DIR } from '../src/kube/binary-versions.js';
import { gatherFacts, type FactsOptions } from '../src/phases/facts.js';
import type { ExecOptions, Host } from '../src/transport/host.js';
import { LocalHost } from '../src/transport/local.js';
import { childrenCpuMs, hasStrace, traceCounts, traced } from './bench-host.js';

const runs = Number(process.argv[2] ?? 20);
const VERSION = 'v1.28.15';
const local = new LocalHost();

/** The local host, its facts command keeping versions in `dir`, and run under strace when `trace` is given. */
function hostKeepingIn(dir: string, trace?: string): Host {
  return Object.assign(Object.create(local) as Host, {
    exec(argv: readonly string[], options?: ExecOptions) {
      const moved = argv.map((arg, i) => (i === 4 && arg === VERSIONS_DIR ? dir : arg));
      return local.exec(trace ? traced(trace, moved) : moved, options);
    },
  });
}

interface Case {
  label: string;
  /** Makes the versions folder as the case finds it. */
  prepare(dir: string): Promise<void>;
  options: FactsOptions;
}

const keep: FactsOptions = { keepVersions: true };
const CASES: Case[] = [
  { label: 'nothing kept (first run)', prepare: async () => undefined, options: keep },
  { label: 'versions kept (later runs)', prepare: async (dir) => void (await gatherFacts(hostKeepingIn(dir), VERSION, keep)), options: keep },
  { label: 'nothing kept, look only (dry run)', prepare: async () => undefined, options: {} },
  { label: 'versions kept, look only (dry run)', prepare: async (dir) => void (await gatherFacts(hostKeepingIn(dir), VERSION, keep)), options: {} },
];

async function measure(c: Case): Promise<void> {
  let wall = 0;
  let cpu = 0;
  for (let i = 0; i < runs + 1; i++) {
    const root = await mkdtemp(join(tmpdir(), 'bootstrap-bench-facts-'));
    const dir = join(root, 'var/lib/bootstrap');
    await c.prepare(dir);
    const cpuBefore = await childrenCpuMs();
    const start = performance.now();
    const traceFile = i === runs && hasStrace() ? join(root, 'strace.out') : undefined;
    await gatherFacts(hostKeepingIn(dir, traceFile), VERSION, c.options);
    if (i < runs) {
      wall += performance.now() - start;
      cpu += (await childrenCpuMs()) - cpuBefore;
    } else {
      const counts = traceFile ? await traceCounts(traceFile) : '(no strace: process count unknown)';
      console.log(`${c.label.padEnd(36)} wall ${(wall / runs).toFixed(1).padStart(7)} ms   host CPU ${(cpu / runs).toFixed(1).padStart(6)} ms   ${counts}`);
    }
    await rm(root, { recursive: true, force: true });
  }
}

if (process.getuid?.() !== 0) console.log('not root: nothing is kept, and the figures are for an unprivileged user');
const facts = await gatherFacts(local, VERSION);
const versioned = ['kubelet', 'crictl', 'docker', 'containerd'].filter((b) => facts.binaries[b]);
console.log(`facts of this machine, mean of ${runs} runs; versioned binaries here: ${versioned.join(', ') || 'none'}`);
for (const c of CASES) await measure(c);
