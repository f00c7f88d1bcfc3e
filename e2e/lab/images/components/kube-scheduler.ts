/**
 * kube-scheduler, bootstrap lab stand-in: real flags, a KubeSchedulerConfiguration from --config (its
 * clientConnection.kubeconfig and leaderElection.leaderElect), delegated authentication, leader election with
 * its kubeconfig's client certificate, /healthz /livez /readyz on 10259. It schedules nothing.
 */
import { parse } from 'yaml';
import { kubeSchedulerFlags } from './flagsets.js';
import type { Flags } from './flags.js';
import { runDelegating } from './delegating.js';
import { ComponentError, readFileGo } from './pki.js';
import { runComponent } from './runtime.js';

interface SchedulerConfig {
  kubeconfig: string;
  leaderElect: boolean;
}

function schedulerConfig(flags: Flags): SchedulerConfig {
  const fromFlags = { kubeconfig: flags.string('kubeconfig'), leaderElect: flags.bool('leader-elect', true) };
  const file = flags.string('config');
  if (!file) return fromFlags;
  let doc: { kind?: string; clientConnection?: { kubeconfig?: string }; leaderElection?: { leaderElect?: boolean } };
  try {
    doc = (parse(readFileGo(file).toString()) ?? {}) as typeof doc;
  } catch (error) {
    throw new ComponentError(`failed to load config file ${file}: ${(error as Error).message}`);
  }
  if (doc.kind !== 'KubeSchedulerConfiguration') throw new ComponentError(`couldn't decode as KubeSchedulerConfiguration, got kind "${doc.kind ?? ''}"`);
  return {
    kubeconfig: fromFlags.kubeconfig || doc.clientConnection?.kubeconfig || '',
    leaderElect: flags.has('leader-elect') ? fromFlags.leaderElect : doc.leaderElection?.leaderElect ?? true,
  };
}

await runComponent({
  name: 'kube-scheduler',
  flags: kubeSchedulerFlags,
  description: 'The Kubernetes scheduler is a control plane process which assigns Pods to Nodes.',
  main: (flags) => {
    const config = schedulerConfig(flags);
    return runDelegating(
      { name: 'kube-scheduler', defaultPort: 10259, endpoints: ['healthz', 'livez', 'readyz'], kubeconfig: config.kubeconfig, leaderElect: config.leaderElect },
      flags,
      () => undefined,
    );
  },
});
