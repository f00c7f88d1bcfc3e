/**
 * `bootstrap remove <inventory> <host>`: take one host out of the cluster as a kubeadm user does (phases/remove.ts):
 * a control plane loses its etcd member (through the remaining members) and its Node, then is reset; a worker is
 * drained, reset, and loses its Node. Connects to the host and every other control plane, in parallel; the host
 * may be unreachable (then it is not reset, and the report says so).
 */
import type { HostSpec, Inventory } from '../inventory/types.js';
import { newContext, type UpOptions } from '../pipeline/context.js';
import { runOnHosts } from '../pipeline/runner.js';
import { lastControlPlane, removePhases, type RemoveMemberView, type RemoveResult, type RemoveSettings } from '../phases/remove.js';
import { resetSummary, type ResetStepResult } from '../phases/reset.js';
import { errorCategory, UsageError } from '../util/errors.js';

export interface RemoveOptions extends UpOptions {
  /** Skip the confirmation. */
  yes?: boolean;
}

export type RemoveRole = 'control-plane' | 'worker';

export interface RemoveReport {
  /** True when the host is out of the cluster (its reset may still have been impossible: see reset). */
  ok: boolean;
  /** The removal was refused before anything changed (quorum, last control plane): exit code 2. */
  refused: boolean;
  dryRun: boolean;
  durationMs: number;
  host: { name: string; address: string; roles: string[] };
  role: RemoveRole;
  /** The control plane through which etcd and the API were reached. */
  via?: string;
  error?: string;
  etcd?: { member?: RemoveMemberView; outcome: 'removed' | 'would-remove' | 'absent'; before: RemoveMemberView[]; after: RemoveMemberView[] };
  node?: RemoveResult['node'];
  drain?: RemoveResult['drain'];
  reset: {
    /** reset: done now; would-reset: dry run; nothing-there: already clean; not-reached: the host did not answer; not-run: an earlier step stopped; failed. */
    outcome: 'reset' | 'would-reset' | 'nothing-there' | 'not-reached' | 'not-run' | 'failed';
    /** Why the host was not reached. */
    unreachable?: string;
    steps: ResetStepResult[];
    /** Paths emptied or removed. */
    removed: string[];
  };
  /** Every host connected to (the one leaving and the other control planes), and whether it answered. */
  connections: { name: string; reachable: boolean; error?: string }[];
  /** What was done (or, in a dry run, would be), in order. */
  actions: string[];
  warnings: string[];
  notes: string[];
}

/** The host named, refusing a name the inventory lacks, and the last control plane (before anything is reached). */
export function removeTarget(inv: Inventory, name: string): HostSpec {
  const spec = inv.hosts.find((h) => h.name === name);
  if (!spec) throw new UsageError(`no host named "${name}" in the inventory (it has ${inv.hosts.map((h) => h.name).join(', ')})`);
  if (spec.roles.includes('control-plane') && !inv.hosts.some((h) => h !== spec && h.roles.includes('control-plane'))) {
    throw new UsageError(lastControlPlane(name));
  }
  return spec;
}

export function roleOf(spec: HostSpec): RemoveRole {
  return spec.roles.includes('control-plane') ? 'control-plane' : 'worker';
}

/** What remove does to a host, in order, in words: for the question and the dry run. */
export function removeSummary(inv: Inventory, spec: HostSpec): string[] {
  const others = inv.hosts.filter((h) => h !== spec && h.roles.includes('control-plane')).map((h) => h.name);
  const reset = `reset the host as \`bootstrap reset --hosts ${spec.name}\` does: ${resetSummary(inv).join('; ')}`;
  if (roleOf(spec) === 'control-plane') {
    return [
      `remove its etcd member (named ${spec.name}) through the other control planes' members (${others.join(', ')}), refused if etcd would lose its quorum`,
      `delete its Node ${spec.name} through another control plane's API server`,
      reset,
    ];
  }
  return [
    `cordon its Node ${spec.name} and evict its Pods (not DaemonSet or static Pods) through the Eviction API, within wait.timeout`,
    reset,
    `delete its Node ${spec.name} through a control plane's API server`,
  ];
}

/**
 * Asks before a removal, as reset asks: true to go on, false when declined. Without --yes and without a terminal,
 * refuses (exit 2) instead of guessing. A dry run needs no consent.
 */
export async function confirmRemove(
  inv: Inventory,
  name: string,
  options: { yes?: boolean; dryRun?: boolean; prompt?: (question: string, secret: boolean) => Promise<string> },
): Promise<boolean> {
  const spec = removeTarget(inv, name);
  if (options.yes || options.dryRun) return true;
  const who = `${spec.name} (${spec.address}, ${spec.roles.join('+')})`;
  if (!options.prompt) {
    throw new UsageError(`refusing to remove ${who} without confirmation. ` +
      'Run it on a terminal to be asked, or pass --yes (try --dry-run first to see what would be done).');
  }
  const question = `This removes ${who} from the cluster. It will:\n` + removeSummary(inv, spec).map((l) => `  - ${l}\n`).join('') + 'Continue? Type "yes": ';
  const answer = (await options.prompt(question, false)).trim().toLowerCase();
  return answer === 'yes' || answer === 'y';
}

/**
 * Removes one host from the cluster. Never throws for a failure on a host (see report.ok and report.refused);
 * throws UsageError for a host the inventory lacks or the last control plane.
 */
export async function removeHost(inv: Inventory, name: string, options: RemoveOptions = {}, settings: Omit<RemoveSettings, 'target'> = {}): Promise<RemoveReport> {
  const spec = removeTarget(inv, name);
  const role = roleOf(spec);
  // The leaving host and every control plane: the others are not needed.
  const ctx = newContext({ ...inv, hosts: inv.hosts.filter((h) => h === spec || h.roles.includes('control-plane')) }, options);
  const failed = await runOnHosts(ctx, removePhases(role, { ...settings, target: name }));
  const h = ctx.hosts.find((x) => x.spec.name === name)!;
  const result = h.results.remove;
  const reset = h.results.reset;
  const unreachable = h.results.unreachable?.error;
  const resetOutcome: RemoveReport['reset']['outcome'] = reset
    ? reset.nothingThere ? 'nothing-there' : ctx.options.dryRun ? 'would-reset' : 'reset'
    : unreachable !== undefined ? 'not-reached' : h.error && h.phase?.name === 'reset' ? 'failed' : 'not-run';
  // The inventory still lists the host: a later up would join it again, a later remove might go through it.
  if (!failed && !options.dryRun) h.notes.push(`remove ${name} from the inventory: it is no longer part of the cluster`);
  return {
    ok: !failed,
    refused: !!h.error && errorCategory(h.error) === 'input',
    dryRun: !!options.dryRun,
    durationMs: Date.now() - ctx.startedAt.getTime(),
    host: { name: spec.name, address: spec.address, roles: spec.roles },
    role,
    ...(result ? { via: result.via } : {}),
    ...(h.error ? { error: h.error.message } : {}),
    ...(result?.etcd ? { etcd: result.etcd } : {}),
    ...(result ? { node: result.node } : {}),
    ...(result?.drain ? { drain: result.drain } : {}),
    reset: { outcome: resetOutcome, ...(unreachable !== undefined ? { unreachable } : {}), steps: reset?.steps ?? [], removed: h.changed },
    connections: ctx.hosts.map((x) => {
      const error = x.results.unreachable?.error;
      return { name: x.spec.name, reachable: error === undefined && x.facts !== undefined, ...(error !== undefined ? { error } : {}) };
    }),
    actions: h.actions,
    warnings: h.warnings,
    notes: h.notes,
  };
}
