#!/usr/bin/env node
/**
 * npm run bench [-- INVENTORY] — what bootstrap itself costs, in figures (no assertions): validating and
 * rendering offline, then, against the hosts of an inventory (the lab's by default, when it is up): one SSH
 * connection, one command round trip, a 30-file batch write, facts, and a dry run of `up` over every host.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadInventory, parseInventory } from '../src/inventory/index.js';
import { gatherFacts } from '../src/phases/facts.js';
import { renderCluster } from '../src/render/index.js';
import { up } from '../src/commands/up.js';
import { SshHost } from '../src/transport/ssh.js';
import { LAB_PREFLIGHT_IGNORES } from './ignores.js';
import { defaultRepoRoot } from './lab/state.js';

async function time<T>(label: string, fn: () => Promise<T>, runs = 1): Promise<T> {
  let result: T | undefined;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)] as number;
  const detail = runs > 1 ? ` (median of ${runs}; min ${samples[0]!.toFixed(1)}, max ${samples.at(-1)!.toFixed(1)})` : '';
  console.log(`${label.padEnd(52)} ${median.toFixed(1).padStart(9)} ms${detail}`);
  return result as T;
}

const offline = `cluster: { kubernetesVersion: v1.30.4, networking: { podSubnet: 10.244.0.0/16 } }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`;

console.log('offline');
const dir = await mkdtemp(join(tmpdir(), 'bootstrap-bench-'));
await writeFile(join(dir, 'inventory.yaml'), offline);
await time('validate an inventory', async () => parseInventory(join(dir, 'inventory.yaml'), offline), 20);
const inv = await loadInventory(join(dir, 'inventory.yaml'));
await time('render, first time (creates CAs and keys)', () => renderCluster(inv));
await time('render again (state reused)', () => renderCluster(inv), 5);

const target = process.argv[2] ?? join(defaultRepoRoot(), '.lab/inventory.yaml');
if (!existsSync(target)) {
  console.log(`\nno inventory at ${target}: start the lab (npm run lab -- up --hosts 3) for the figures over SSH`);
  process.exit(0);
}
const hosts = await loadInventory(target);
const first = hosts.hosts[0]!;
console.log(`\nover SSH (${target}, ${hosts.hosts.length} host(s))`);
const host = await time(`connect to ${first.name}`, () => SshHost.connect(first), 1);
await time('one command round trip (true)', () => host.exec(['true']), 20);
await time('facts (one round trip)', () => gatherFacts(host, hosts.cluster.kubernetesVersion), 5);
const files = Array.from({ length: 30 }, (_, i) => ({ path: `/tmp/bootstrap-bench/f${i}.yaml`, content: 'x'.repeat(2000), mode: 0o644 }));
await time('write 30 files in one batch', () => host.writeFiles(files), 5);
await time('hash 30 files', () => host.hashFiles(files.map((f) => f.path)), 5);
await host.exec(['rm', '-rf', '/tmp/bootstrap-bench']);
await host.close();
const report = await time(`up --dry-run over all ${hosts.hosts.length} host(s)`, () =>
  up(hosts, { dryRun: true, renderer: 'silent', ignorePreflightErrors: LAB_PREFLIGHT_IGNORES }).catch((e: { report?: unknown }) => e.report),
);
console.log(JSON.stringify((report as { hosts?: { name: string; ok: boolean; error?: string }[] })?.hosts?.map((h) => ({ host: h.name, ok: h.ok, error: h.error?.split('\n')[0] }))));
