/**
 * A phase is a small object named as kubeadm names it: which hosts it applies to, and what it does on one.
 * The pipeline is a plain list of phases (see up.ts).
 */
import type { HostRun, UpContext } from './context.js';

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
 * is the same code path as a real one and cannot drift from it.
 */
export async function wet(ctx: UpContext, h: HostRun, action: string, fn: () => Promise<void>): Promise<void> {
  h.actions.push(ctx.options.dryRun ? `would ${action}` : action);
  if (!ctx.options.dryRun) await fn();
}
