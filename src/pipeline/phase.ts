/**
 * A phase is a small object named as kubeadm names it: which hosts it applies to, and what it does on one.
 * A command is a plain list of phases (see src/commands/up.ts). A phase reads its host through hostOf() and
 * changes it only through wet(), so a dry run is the same code and cannot change anything.
 */
import type { Host } from '../transport/host.js';
import { connectionOf, hostOf, type HostRun, type UpContext } from './context.js';

export interface PhaseTask {
  /** The host's live progress line. */
  progress(line: string): void;
}

export interface Phase {
  /** kubeadm's phase name: preflight, images, certs, kubeconfig, etcd, control-plane, kubelet-start, wait-control-plane. */
  name: string;
  title: string;
  appliesTo(h: HostRun, ctx: UpContext): boolean;
  run(ctx: UpContext, h: HostRun, task: PhaseTask): Promise<void>;
  /**
   * When true and any host failed in this phase, no later phase runs on any host (e.g. pullPolicy Never with
   * a missing image: nothing may be written anywhere). By default a failure only stops that host.
   */
  haltOnFailure?(ctx: UpContext): boolean;
}

/**
 * Every change to a host goes through here: in a dry run the action is recorded instead of done, so a dry run
 * is the same code path as a real one and cannot drift from it. `change` gets the host itself, the only way a
 * phase can write to it (hostOf() is read-only). Where a dry run can still say more by looking (a reset's plan),
 * `look` runs instead of `change`, on the read-only host, and its answer is returned in the same place.
 */
export async function wet<T>(
  ctx: UpContext,
  h: HostRun,
  action: string,
  change: (host: Host) => Promise<T>,
  look?: (host: Host) => Promise<T>,
): Promise<T | undefined> {
  h.actions.push(ctx.options.dryRun ? `would ${action}` : action);
  if (!ctx.options.dryRun) return change(connectionOf(h));
  return look?.(hostOf(h));
}

/**
 * wet() for a change made somewhere other than on h's own connection (through the cluster's API or etcd, reached
 * over another host's connection) but about h: recorded on h's run as wet() records it, and in a dry run only
 * recorded. `look` answers in its place in a dry run, where reading can say more.
 */
export async function wetElsewhere<T>(ctx: UpContext, h: HostRun, action: string, change: () => Promise<T>, look?: () => Promise<T>): Promise<T | undefined> {
  h.actions.push(ctx.options.dryRun ? `would ${action}` : action);
  if (!ctx.options.dryRun) return change();
  return look?.();
}
