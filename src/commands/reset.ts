/**
 * `bootstrap reset`: connect, then the reset phase (phases/reset.ts) on every host in parallel, and one report.
 */
import type { Inventory } from '../inventory/types.js';
import { hostOutcome, newContext, type UpOptions } from '../pipeline/context.js';
import { runOnHosts } from '../pipeline/runner.js';
import { connectPhase } from '../phases/connect.js';
import { makeResetPhase, resetSummary, type ResetPhaseSettings, type ResetStepResult } from '../phases/reset.js';
import { UsageError } from '../util/errors.js';

export interface ResetOptions extends UpOptions {
  /** Skip the confirmation. */
  yes?: boolean;
  /** Reset only these hosts (inventory names), e.g. one worker: as running kubeadm reset on it alone. */
  hosts?: string[];
}

/** The inventory narrowed to the hosts named, refusing names it does not have. */
export function resetTargets(inv: Inventory, names: readonly string[] | undefined): Inventory {
  if (!names?.length) return inv;
  const unknown = names.filter((n) => !inv.hosts.some((h) => h.name === n));
  if (unknown.length) throw new UsageError(`--hosts: no host named ${unknown.map((n) => `"${n}"`).join(', ')} in the inventory (it has ${inv.hosts.map((h) => h.name).join(', ')})`);
  return { ...inv, hosts: inv.hosts.filter((h) => names.includes(h.name)) };
}

export interface ResetHostReport {
  name: string;
  address: string;
  roles: string[];
  ok: boolean;
  error?: string;
  /** Each step's outcome, in order (empty when the host could not be reached). */
  steps: ResetStepResult[];
  /** True when the host was already clean. */
  nothingThere: boolean;
  /** Paths emptied or removed. */
  removed: string[];
  /** In a dry run: what would be done. */
  actions: string[];
  warnings: string[];
}

export interface ResetReport {
  ok: boolean;
  dryRun: boolean;
  durationMs: number;
  hosts: ResetHostReport[];
}

/**
 * Asks before a reset. Returns true to go on, false when the user declined. Without --yes and without a way
 * to ask (not a terminal), refuses with a UsageError (exit 2) instead of guessing. A dry run needs no consent.
 */
export async function confirmReset(inv: Inventory, options: { yes?: boolean; dryRun?: boolean; prompt?: (question: string, secret: boolean) => Promise<string> }): Promise<boolean> {
  if (options.yes || options.dryRun) return true;
  const hosts = inv.hosts.map((h) => `${h.name} (${h.address}, ${h.roles.join('+')})`).join(', ');
  if (!options.prompt) {
    throw new UsageError(`refusing to reset ${inv.hosts.length} host(s) without confirmation: ${hosts}. ` +
      'Run it on a terminal to be asked, or pass --yes (try --dry-run first to see what would be removed).');
  }
  const question = `This resets ${inv.hosts.length} host(s): ${hosts}.\nOn each it will:\n` +
    resetSummary(inv).map((l) => `  - ${l}\n`).join('') + 'Continue? Type "yes": ';
  const answer = (await options.prompt(question, false)).trim().toLowerCase();
  return answer === 'yes' || answer === 'y';
}

/** The hosts' reset in parallel: connect (facts decide the runtime), then the reset phase. Never throws for a host's failure: see report.ok. */
export async function resetHosts(inv: Inventory, options: ResetOptions = {}, settings: ResetPhaseSettings = {}): Promise<ResetReport> {
  const phase = makeResetPhase(settings);
  const ctx = newContext(resetTargets(inv, options.hosts), options);
  const failed = await runOnHosts(ctx, [connectPhase, phase]);
  const hosts = ctx.hosts.map((h): ResetHostReport => {
    const result = h.results.reset;
    return {
      ...hostOutcome(h),
      steps: result?.steps ?? [],
      nothingThere: result?.nothingThere ?? false,
      removed: h.changed,
      actions: h.actions,
      warnings: h.warnings,
    };
  });
  return { ok: !failed, dryRun: !!options.dryRun, durationMs: Date.now() - ctx.startedAt.getTime(), hosts };
}

