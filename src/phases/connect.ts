/**
 * connect: one connection per host, kept for the whole run, then the host's facts in one round trip and the
 * CRI socket chosen by kubeadm's rules for the version. Connection failures that can pass (refused, timeout)
 * are retried a few times; authentication and host-key failures never are.
 */
import { detectCriSocket } from '../kube/runtime.js';
import type { HostSpec } from '../inventory/types.js';
import type { HostFacts, UpContext, UpOptions } from '../pipeline/context.js';
import type { Phase } from '../pipeline/phase.js';
import type { Host } from '../transport/host.js';
import { retry } from '../util/retry.js';
import { gatherFacts, type FactsOptions } from './facts.js';
import { clusterVersion } from '../kube/version.js';

async function sshConnect(spec: HostSpec, options: UpOptions, inventoryFile: string): Promise<Host> {
  const { SshHost } = await import('../transport/ssh.js');
  return SshHost.connect(spec, { acceptNewHostKeys: options.acceptNewHostKeys, prompt: options.prompt, sshConfigFile: options.sshConfigFile, inventoryFile, signal: options.signal });
}

/** The connect phase; keepVersions as gatherFacts has it, never in a dry run. */
function connecting(keepVersions: boolean): Phase {
  return {
    name: 'connect',
    title: 'connect: SSH to every host and gather facts',
    appliesTo: () => true,
    async run(ctx, h, task) {
      const connect = ctx.options.connect ?? ((spec: HostSpec, options: UpOptions) => sshConnect(spec, options, ctx.inv.file));
      task.progress(`connecting to ${h.spec.address}`);
      h.host = await retry(() => connect(h.spec, ctx.options), {
        attempts: 3,
        firstDelayMs: 1000,
        signal: ctx.options.signal,
        onRetry: (error, attempt) => task.progress(`connect attempt ${attempt} failed (${(error as Error).message}); retrying`),
      });
      task.progress('gathering facts');
      const facts = await readFacts(ctx, h.spec, h.host, { keepVersions: keepVersions && !ctx.options.dryRun });
      h.facts = facts;
      task.progress(`${facts.os} ${facts.arch}, ${facts.cpus} CPU, ${facts.memoryMiB} MiB, runtime ${facts.criSocket ?? 'undecided'}`);
    },
  };
}

/** connect for the commands that only look (status, reset, join-command): nothing is written on the hosts. */
export const connectPhase: Phase = connecting(false);

/** up's connect: outside a dry run, the binaries' versions are kept on the host, so the next run need not ask. */
export const upConnectPhase: Phase = connecting(true);

/**
 * The host's facts with the runtime socket kubeadm would pick (the inventory's, else the one found). Read at
 * connect, and again once prepare has changed the host (a runtime or kubelet installed).
 */
export async function readFacts(ctx: UpContext, spec: HostSpec, host: Host, options: FactsOptions = {}): Promise<HostFacts> {
  const version = clusterVersion(ctx.inv);
  const facts = await gatherFacts(host, version, options);
  if (spec.criSocket) {
    facts.criSocket = spec.criSocket;
  } else {
    const detected = detectCriSocket(version, facts.criSockets);
    if ('criSocket' in detected) facts.criSocket = detected.criSocket;
    else facts.criSocketConflict = detected.multiple;
  }
  return facts;
}
