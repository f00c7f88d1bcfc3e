/** The human summary printed after `up`: per host what changed, images, components, warnings. */
import type { UpReport } from '../commands/up.js';
import type { ImageResult } from '../pipeline/context.js';
import { nodeLine } from '../cluster/node-state.js';

export function formatUpReport(report: UpReport): string {
  const lines: string[] = [];
  const table = imagesTable(report.hosts);
  if (table) lines.push(table);
  for (const h of report.hosts) {
    const parts: string[] = [];
    const files = h.changed.filter((c) => c.startsWith('/'));
    // Membership of the stacked etcd is no API object: said as it is ("added etcd member cp2").
    const etcd = h.changed.filter((c) => / etcd member /.test(` ${c} `));
    const objects = h.changed.filter((c) => !c.startsWith('/') && !etcd.includes(c));
    if (files.length) parts.push(`${files.length} file(s) ${report.dryRun ? 'would change' : 'written'}`);
    if (etcd.length) parts.push(etcd.join(', '));
    if (objects.length) parts.push(`${objects.length} API object(s) ${report.dryRun ? 'would change' : 'created or updated'}`);
    if (h.prepared.length) parts.push(`prepare: ${h.prepared.length} change(s)`);
    if (h.kubeletRestarted) parts.push('kubelet restarted');
    if (h.images.length) {
      const count = (outcome: string) => h.images.filter((i) => i.outcome === outcome).length;
      const pulled = count('pulled') + count('would-pull');
      parts.push(`${h.images.length} image(s): ${pulled} ${report.dryRun ? 'to pull' : 'pulled'}, ${count('present')} present`);
    }
    if (h.components.length) {
      const healthy = h.components.filter((c) => c.healthy).map((c) => c.name);
      parts.push(healthy.length === h.components.length ? `control plane healthy (${healthy.join(', ')})` : `healthy: ${healthy.join(', ') || 'none'}`);
    }
    const status = h.ok ? (parts.join('; ') || 'nothing to do') : `FAILED: ${h.error?.split('\n')[0]}`;
    lines.push(`${h.name} (${h.roles.join(', ')}): ${status}`);
    for (const change of h.prepared) lines.push(`  prepare${report.dryRun ? ' would' : ''}: ${change}`);
    for (const action of report.dryRun ? h.actions : []) lines.push(`  - ${action}`);
    for (const warning of h.warnings) lines.push(`  ${warning}`);
    for (const note of h.notes) lines.push(`  ${note}`);
  }
  if (report.nodes?.length) {
    lines.push('Nodes:');
    for (const n of report.nodes) lines.push(`  ${nodeLine(n)}`);
  }
  if (report.ok && !report.changed) lines.push('Nothing changed: every host already matched the inventory.');
  if (report.adminKubeconfig) lines.push(`admin kubeconfig: ${report.adminKubeconfig}`);
  lines.push(`${report.dryRun ? 'dry run ' : ''}done in ${(report.durationMs / 1000).toFixed(1)}s`);
  return lines.join('\n');
}

/** The report's table: one row per image and host, hosts in inventory order. Empty when nothing was looked at. */
export function imagesTable(hosts: readonly { name: string; images: readonly ImageResult[] }[]): string {
  const rows = hosts.flatMap((h) =>
    h.images.map((r) => [
      r.image,
      h.name,
      r.attempts > 1 ? `${r.outcome} (${r.attempts} tries)` : r.outcome,
      r.outcome === 'pulled' || r.outcome === 'failed' ? r.seconds.toFixed(1) : '-',
    ]),
  );
  if (!rows.length) return '';
  const all = [['IMAGE', 'HOST', 'RESULT', 'SECONDS'], ...rows];
  const widths = [0, 1, 2].map((c) => Math.max(...all.map((r) => r[c]!.length)));
  return all.map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ')).join('\n') + '\n';
}
