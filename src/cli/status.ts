import { loadInventory } from '../inventory/index.js';
import { statusOf } from '../commands/status.js';
import { nodeLine } from '../cluster/node-state.js';
import { HOST_RUN_OPTIONS, hostRunOptions, parse } from './args.js';
import { UsageError } from './errors.js';
import { listenForInterrupts } from './interrupt.js';
import { terminalPrompt } from './prompt.js';

export const usage = `Usage: bootstrap status <inventory.yaml> [--concurrency N] [--accept-new-host-keys] [-F ssh_config] [-o text|json]

Reports each host and component: reachable, kubelet running, and for the control plane each component's
Pod running in the runtime and its health endpoint answering; the cluster's Nodes and kubeadm's objects; the
etcd members (ID, name, peer URL, learner, leader, health). Changes nothing. Exit code 0 when every
control-plane component and etcd member is healthy, 1 otherwise.`;

export async function status(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, HOST_RUN_OPTIONS, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1) throw new UsageError(usage);
  const { concurrency, acceptNewHostKeys, format, sshConfigFile } = hostRunOptions(values);
  const inv = await loadInventory(positionals[0] as string);
  const interrupts = listenForInterrupts();
  const report = await statusOf(inv, { concurrency, acceptNewHostKeys, sshConfigFile, signal: interrupts.signal, prompt: terminalPrompt(), renderer: 'silent' }).finally(() =>
    interrupts.dispose(),
  );
  if (format === 'json') {
    console.log(JSON.stringify(report, null, 2));
  } else {
    for (const h of report.hosts) {
      if (h.error) {
        console.log(`${h.name} (${h.address}): ${h.error.split('\n')[0]}`);
        continue;
      }
      console.log(`${h.name} (${h.address}, ${h.roles.join(', ')}): kubelet ${h.kubeletActive ? 'active' : 'inactive'}`);
      for (const c of h.components) console.log(`  ${c.name.padEnd(24)} ${c.healthy ? 'healthy' : 'unhealthy'}  ${c.detail}`);
    }
    if (report.cluster) {
      console.log('Nodes:');
      for (const n of report.cluster.nodes) console.log(`  ${nodeLine(n)}`);
      const missing = report.cluster.objects.filter((o) => !o.present);
      console.log(missing.length ? `Missing objects: ${missing.map((o) => o.object).join(', ')}` : `kubeadm's objects: all ${report.cluster.objects.length} present`);
    }
    if (report.etcd) {
      console.log('etcd members:');
      for (const m of report.etcd.members) {
        const role = `${m.learner ? 'learner' : 'voter'}${m.leader ? ', leader' : ''}`;
        console.log(`  ${m.id.padEnd(16)} ${(m.name || '(not started)').padEnd(12)} ${m.peerURL.padEnd(26)} ${role.padEnd(14)} ${m.healthy ? 'healthy' : `unhealthy: ${m.error ?? ''}`}`);
      }
    }
  }
  return interrupts.exitCode(report.ok ? 0 : 1);
}
