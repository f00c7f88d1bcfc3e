import { loadInventory } from '../inventory/index.js';
import { confirmRemove, removeHost, type RemoveReport } from '../commands/remove.js';
import { HOST_RUN_OPTIONS, hostRunOptions, parse } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { listenForInterrupts } from './interrupt.js';
import { terminalPrompt } from './prompt.js';

export const usage = `Usage: bootstrap remove <inventory.yaml> <host> [--yes] [--dry-run] [--concurrency N] [--accept-new-host-keys] [-F ssh_config] [-o text|json]

Takes one host out of the cluster, as a kubeadm user does, through another control plane's SSH connection:
  - a control-plane host: its etcd member is removed through the remaining members (refused, before anything
    changes, when etcd would lose its quorum or when it is the last control plane), its Node is deleted, and
    the host is reset as \`bootstrap reset --hosts <host>\` resets it;
  - a worker: its Node is cordoned and its Pods evicted (not DaemonSet or static Pods) within wait.timeout,
    the host is reset, and its Node deleted.
A host that cannot be reached (dead, reprovisioned) is still taken out of the cluster; the report says it was
not reset. Safe to run again. Asks first unless --yes; --dry-run says what it would do and changes nothing.
Exit code 0 when the host is out of the cluster, 1 when a step failed, 2 when the removal was refused.`;

export async function remove(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { ...HOST_RUN_OPTIONS, yes: { type: 'boolean', short: 'y' } }, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 2) throw new UsageError(usage);
  const { dryRun, concurrency, acceptNewHostKeys, format, sshConfigFile } = hostRunOptions(values);
  const [file, name] = positionals as [string, string];
  const inv = await loadInventory(file);
  const prompt = terminalPrompt();
  if (!(await confirmRemove(inv, name, { yes: !!values.yes, dryRun, prompt }))) {
    console.error('remove: nothing done');
    return EXIT.failed;
  }
  const interrupts = listenForInterrupts();
  const report = await removeHost(inv, name, {
    signal: interrupts.signal,
    yes: !!values.yes,
    dryRun,
    concurrency,
    acceptNewHostKeys,
    sshConfigFile,
    prompt,
    renderer: format === 'json' ? 'silent' : undefined,
  }).finally(() => interrupts.dispose());
  console.log(format === 'json' ? JSON.stringify(report, null, 2) : formatRemoveReport(report));
  return interrupts.exitCode(report.ok ? EXIT.ok : report.refused ? EXIT.usage : EXIT.failed);
}

/** The text report: what happened to the member, the Node, the Pods and the host, then warnings. */
export function formatRemoveReport(r: RemoveReport): string {
  const lines = [`${r.host.name} (${r.host.address}, ${r.role})${r.via ? ` through ${r.via}` : ''}: ${r.ok ? (r.dryRun ? 'would be removed' : 'removed from the cluster') : r.refused ? 'REFUSED' : 'FAILED'}`];
  if (r.error) lines.push(`  ${r.error.replace(/\n/g, '\n  ')}`);
  if (r.etcd) {
    const m = r.etcd.member;
    const what = !m ? 'no member (already removed)' : `${r.etcd.outcome === 'removed' ? 'removed' : r.etcd.outcome === 'would-remove' ? 'would remove' : 'kept'} member ${m.name || m.id} (ID ${m.id}, ${m.peerURL})`;
    lines.push(`  etcd: ${what}`);
    const members = r.etcd.after.length ? r.etcd.after : r.etcd.before;
    const label = r.etcd.after.length ? 'remaining' : 'members';
    lines.push(`  etcd ${label}: ${members.map((x) => `${x.name || x.id} ${x.healthy ? 'healthy' : 'unhealthy'}`).join(', ') || 'none'}`);
  }
  if (r.drain) lines.push(`  drain: ${r.drain.cordoned ? 'cordoned' : 'would cordon'}; ${r.drain.evicted.length} Pod(s) evicted; ${r.drain.kept.length} left (${r.drain.kept.join(', ') || 'none'})`);
  if (r.node) lines.push(`  Node ${r.host.name}: ${{ deleted: 'deleted', 'would-delete': 'would be deleted', absent: 'not in the cluster', kept: 'kept' }[r.node.outcome]}`);
  const reset = {
    reset: `reset (${r.reset.removed.length} item(s) removed)`,
    'would-reset': 'would be reset',
    'nothing-there': 'nothing to reset',
    'not-reached': `NOT reset: not reached (${(r.reset.unreachable ?? '').split('\n')[0]})`,
    'not-run': 'not reset (an earlier step stopped)',
    failed: 'reset FAILED',
  }[r.reset.outcome];
  lines.push(`  host: ${reset}`);
  if (r.dryRun) for (const a of r.actions) lines.push(`  - ${a}`);
  for (const c of r.connections.filter((x) => !x.reachable && x.name !== r.host.name)) lines.push(`  ${c.name}: not reached (${(c.error ?? '').split('\n')[0]})`);
  for (const w of r.warnings) lines.push(`  ${w}`);
  for (const n of r.notes) lines.push(`  ${n}`);
  lines.push(`${r.dryRun ? 'dry run ' : ''}done in ${(r.durationMs / 1000).toFixed(1)}s`);
  return lines.join('\n');
}
