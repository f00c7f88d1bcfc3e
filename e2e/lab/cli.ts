#!/usr/bin/env node
/**
 * npm run lab -- up [--hosts N] [--control-planes N] [--kubernetes-version V] [--runtime containerd|docker]
 *                   [--light | --bare] [--no-images] [--no-standins] [--node-image IMAGE] [--load-balancer]
 * npm run lab -- down [--purge]
 * npm run lab -- status [--json]
 * npm run lab -- fault KIND ... [--for DURATION] | fault list | fault clear [ID]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { applyFault, clearFault, clearFaults, listFaults, parseDuration, runRestorer, type FaultSpec } from './faults.js';
import { defaultUpOptions, down, elapsedLogger, status, up } from './lab.js';
import type { RegistryName } from './registry.js';
import { defaultRepoRoot, labExists } from './state.js';

const USAGE = `usage: npm run lab -- COMMAND
  up      [--hosts N] [--control-planes N] [--kubernetes-version vX.Y.Z] [--runtime containerd|docker]
          [--light | --bare] [--no-images] [--no-standins] [--node-image kindest/node:vX.Y.Z (needs internet)]
          [--load-balancer (haproxy at 10.77.0.9:6443; always with more than one control plane)]
  down    [--purge]            remove every trace of the lab (--purge: also the cached node root and images)
  status  [--json]
  fault   sshd-stop NODE | node-stop NODE | node-pause NODE | latency NODE --delay MS
          | netem NODE [--delay MS] [--loss PCT]
          | loss NODE --percent PCT | bandwidth NODE --rate 1mbit
          | registry-500 [--auth] | registry-stall [--auth] | registry-stall-blob [--auth]
          | remove-image REPOSITORY:TAG [--auth] | registry-password (the --auth registry's)
          | disk-full NODE --path FOLDER | local-readonly FOLDER (on this machine)
          [--for DURATION (default 60s, at most 30m)]
  fault   list | clear [ID]`;

class UsageError extends Error {}

function wholeNumber(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const repoRoot = defaultRepoRoot();
  switch (command) {
    case 'up': {
      const { values } = parseArgs({
        args: rest,
        options: {
          hosts: { type: 'string' },
          'control-planes': { type: 'string' },
          'kubernetes-version': { type: 'string' },
          runtime: { type: 'string' },
          light: { type: 'boolean' },
          bare: { type: 'boolean' },
          'no-images': { type: 'boolean' },
          'no-standins': { type: 'boolean' },
          'node-image': { type: 'string' },
          'load-balancer': { type: 'boolean' },
        },
        strict: true,
      });
      const runtime = values.runtime ?? 'containerd';
      if (runtime !== 'containerd' && runtime !== 'docker') throw new UsageError('--runtime is containerd or docker');
      const options = defaultUpOptions({
        hosts: wholeNumber(values.hosts, '--hosts', 1),
        controlPlanes: wholeNumber(values['control-planes'], '--control-planes', 1),
        ...(values['kubernetes-version'] ? { kubernetesVersion: values['kubernetes-version'] } : {}),
        runtime,
        light: values.light ?? false,
        bare: values.bare ?? false,
        images: !(values['no-images'] ?? false) && !(values.light ?? false),
        standins: !(values['no-standins'] ?? false),
        ...(values['node-image'] ? { nodeImage: values['node-image'] } : {}),
        // Absent: the lab decides (a load balancer with more than one control plane).
        ...(values['load-balancer'] ? { loadBalancer: true } : {}),
      });
      const lab = await up(repoRoot, options).catch((error: Error) => {
        if (error.message.startsWith('a lab is already up') || !labExists(repoRoot)) throw error;
        throw new Error(`${error.message}\nwhat was made so far stays; remove it with: npm run lab -- down`);
      });
      process.stdout.write(`inventory: ${lab.inventory}\nssh: ssh -F ${lab.sshConfig} ${lab.nodes[0]?.name ?? ''}\n`);
      if (lab.loadBalancer) process.stdout.write(`load balancer: ${lab.loadBalancer.address}:${lab.loadBalancer.port} (haproxy stats ${lab.loadBalancer.statsUrl})\n`);
      return;
    }
    case 'down': {
      const { values } = parseArgs({ args: rest, options: { purge: { type: 'boolean' } }, strict: true });
      await down(repoRoot, { purge: values.purge ?? false, log: elapsedLogger() });
      return;
    }
    case 'status': {
      const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
      const result = await status(repoRoot);
      if (values.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      const s = result.state;
      process.stdout.write(
        `kubernetes ${s.kubernetesVersion}, runtime ${s.runtime}${s.light ? ', light' : ''}, engine ${s.docker.host} (${result.engine ? 'up' : 'DOWN'})\n`,
      );
      for (const r of result.registries) process.stdout.write(`registry ${r.address}: /v2/ -> ${r.status || 'no answer'}\n`);
      for (const n of result.nodes) process.stdout.write(`${n.name.padEnd(8)} ${n.address.padEnd(15)} ${n.state.padEnd(10)} ${n.systemd}\n`);
      const lb = result.loadBalancer;
      if (lb) {
        const backends = 'error' in lb.backends ? `stats: ${lb.backends.error}` : lb.backends.map((b) => `${b.name} ${b.status}`).join(', ');
        process.stdout.write(`${lb.name.padEnd(8)} ${lb.address.padEnd(15)} ${lb.state.padEnd(10)} ${lb.systemd}; haproxy ${lb.haproxy} on :${s.loadBalancer?.port ?? ''}: ${backends}\n`);
      }
      for (const f of listFaults(repoRoot)) process.stdout.write(`fault ${f.id} until ${new Date(f.until).toISOString()}\n`);
      return;
    }
    case 'fault':
      await faultCommand(repoRoot, rest);
      return;
    case 'fault-restorer':
      await runRestorer(repoRoot, rest[0] ?? '');
      return;
    default:
      throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'no command given');
  }
}

async function faultCommand(repoRoot: string, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      for: { type: 'string' },
      delay: { type: 'string' },
      jitter: { type: 'string' },
      loss: { type: 'string' },
      percent: { type: 'string' },
      rate: { type: 'string' },
      auth: { type: 'boolean' },
      path: { type: 'string' },
    },
    strict: true,
  });
  const [kind, target] = positionals;
  if (kind === 'list') {
    for (const f of listFaults(repoRoot)) process.stdout.write(`${f.id}\t${JSON.stringify(f.spec)}\tuntil ${new Date(f.until).toISOString()}\n`);
    return;
  }
  if (kind === 'clear') {
    if (target) await clearFault(repoRoot, target);
    else await clearFaults(repoRoot);
    return;
  }
  const registry: RegistryName = values.auth ? 'auth-registry' : 'registry';
  const needNode = (): string => {
    if (!target) throw new UsageError(`fault ${kind} needs a node name`);
    return target;
  };
  const number = (text: string | undefined, flag: string): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text.replace(/(ms|%)$/, ''));
    if (!Number.isFinite(value) || value < 0) throw new UsageError(`${flag} takes a number, not ${JSON.stringify(text)}`);
    return value;
  };
  let spec: FaultSpec;
  switch (kind) {
    case 'sshd-stop':
    case 'node-stop':
    case 'node-pause':
      spec = { kind, node: needNode() };
      break;
    case 'latency': {
      const delayMs = number(values.delay, '--delay');
      if (delayMs === undefined) throw new UsageError('fault latency needs --delay MS');
      spec = { kind, node: needNode(), delayMs };
      break;
    }
    case 'netem': {
      const delayMs = number(values.delay, '--delay');
      const jitterMs = number(values.jitter, '--jitter');
      const lossPercent = number(values.loss, '--loss');
      if (delayMs === undefined && lossPercent === undefined) throw new UsageError('fault netem needs --delay and/or --loss');
      spec = { kind, node: needNode(), ...(delayMs !== undefined ? { delayMs } : {}), ...(jitterMs !== undefined ? { jitterMs } : {}), ...(lossPercent !== undefined ? { lossPercent } : {}) };
      break;
    }
    case 'loss': {
      const percent = number(values.percent, '--percent');
      if (percent === undefined) throw new UsageError('fault loss needs --percent');
      spec = { kind, node: needNode(), percent };
      break;
    }
    case 'bandwidth':
      if (!values.rate) throw new UsageError('fault bandwidth needs --rate (e.g. 1mbit)');
      spec = { kind, node: needNode(), rate: values.rate };
      break;
    case 'registry-500':
    case 'registry-stall':
    case 'registry-stall-blob':
      spec = { kind, registry };
      break;
    case 'registry-password':
      spec = { kind };
      break;
    case 'disk-full':
      if (!values.path) throw new UsageError('fault disk-full needs --path (e.g. /etc/kubernetes)');
      spec = { kind, node: needNode(), path: values.path };
      break;
    case 'local-readonly':
      if (!target) throw new UsageError('fault local-readonly needs a folder');
      spec = { kind, path: resolve(target) };
      break;
    case 'remove-image': {
      const match = /^(.+):([^:/]+)$/.exec(target ?? '');
      if (!match) throw new UsageError('fault remove-image needs REPOSITORY:TAG (e.g. kube-apiserver:v1.28.4)');
      spec = { kind, registry, repository: match[1] ?? '', tag: match[2] ?? '' };
      break;
    }
    default:
      throw new UsageError(kind ? `unknown fault ${JSON.stringify(kind)}` : 'fault needs a kind');
  }
  const durationMs = parseDuration(values.for ?? '60s');
  if (durationMs === undefined) throw new UsageError(`--for takes a duration like 500ms, 30s or 2m, not ${JSON.stringify(values.for)}`);
  const fault = await applyFault(repoRoot, spec, durationMs);
  process.stdout.write(`${fault.id} until ${new Date(fault.until).toISOString()}\n`);
}

main(process.argv.slice(2)).catch((error: Error) => {
  const usage = error instanceof UsageError || error.name === 'TypeError' && /option|argument/i.test(error.message);
  process.stderr.write(`lab: ${error.message}\n${usage ? USAGE + '\n' : ''}`);
  process.exitCode = usage ? 2 : 1;
});
