/**
 * wait-control-plane: up to wait.timeout (kubeadm's 4 minutes unless the inventory or --wait-timeout says
 * otherwise), kubelet's healthz, then every static Pod running in the runtime with its health endpoint
 * answering, each shown live on the host's line. On timeout the host fails with a diagnosis per unhealthy
 * component and kubelet's journal tail; on success the admin kubeconfig is kept on the control machine.
 */
import { join } from 'node:path';
import { ADMIN_KUBECONFIG, progressLine, targetFor, waitForControlPlane } from '../health/check.js';
import { hostOf, isControlPlane, waitTimeoutMs, type HostRun, type UpContext } from '../pipeline/context.js';
import { wet, type Phase, type PhaseTask } from '../pipeline/phase.js';
import { isInitHost } from './cluster-api.js';
import { KEY_MODE, openStateDir, readOptional, writeAtomic } from '../pki/index.js';
import { HostError } from '../util/errors.js';

/** The control plane did not become healthy in time; the message is the diagnosis, meant for the user as is. */
export class ControlPlaneNotHealthyError extends HostError {
  override name = 'ControlPlaneNotHealthyError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * The admin kubeconfig on the control machine, from the host's rendered /etc/kubernetes/admin.conf; written only
 * when it differs, so that a run with nothing to change writes nothing here either.
 */
export async function saveAdminKubeconfig(ctx: UpContext, h: HostRun): Promise<string | undefined> {
  const file = h.files?.find((f) => f.path === ADMIN_KUBECONFIG);
  if (!file) return undefined;
  await openStateDir(ctx.inv.stateDir);
  const path = join(ctx.inv.stateDir, 'admin.conf');
  if ((await readOptional(path)) !== file.content.toString()) await writeAtomic(path, file.content, KEY_MODE);
  return path;
}

/** What a healthy wait leaves on the host's run record. */
export interface WaitControlPlaneResult {
  /** The admin kubeconfig kept on the control machine, when the host's admin.conf was rendered. */
  adminKubeconfig?: string;
  healthyAfterMs: number;
  polls: number;
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    'wait-control-plane': WaitControlPlaneResult;
  }
}

export const waitControlPlanePhase: Phase = {
  name: 'wait-control-plane',
  title: 'wait-control-plane: wait for kubelet and the control-plane components to be healthy',
  appliesTo: (h, ctx) => isControlPlane(h) && isInitHost(h, ctx),
  run: (ctx, h, task) => waitHealthy(ctx, h, task, { keepAdminKubeconfig: true }),
};

/**
 * Waits for one control-plane host's kubelet and components. The first control plane's admin.conf is the one kept
 * on this machine (keepAdminKubeconfig); a joining host's own admin.conf stays on that host, as kubeadm leaves it.
 */
export async function waitHealthy(ctx: UpContext, h: HostRun, task: PhaseTask, options: { keepAdminKubeconfig: boolean }): Promise<void> {
  const timeoutMs = waitTimeoutMs(ctx);
  if (ctx.options.dryRun) task.progress('dry run: not waiting for the control plane');
  await wet(ctx, h, `wait up to ${Math.round(timeoutMs / 1000)}s for the control plane to be healthy`, async () => {
    const replaced = h.results['replaced-pods']?.sandboxes;
    const target = { ...(await targetFor({ ...h, host: hostOf(h) }, ctx.inv)), ...(replaced?.size ? { replaced } : {}) };
    const result = await waitForControlPlane(target, {
      timeoutMs,
      ...(ctx.options.signal ? { signal: ctx.options.signal } : {}),
      onProgress: (statuses) => {
        h.components = statuses;
        task.progress(progressLine(statuses));
      },
    });
    h.components = result.statuses;
    if (!result.healthy) throw new ControlPlaneNotHealthyError(result.report ?? 'the control plane was not healthy in time');
    const seconds = (result.elapsedMs / 1000).toFixed(1);
    const admin = options.keepAdminKubeconfig ? await saveAdminKubeconfig(ctx, h) : undefined;
    h.results['wait-control-plane'] = { adminKubeconfig: admin, healthyAfterMs: result.elapsedMs, polls: result.polls };
    if (!admin && options.keepAdminKubeconfig) h.warnings.push(`no ${ADMIN_KUBECONFIG} was rendered for ${h.spec.name}; no admin kubeconfig written`);
    h.notes.push(`control plane healthy in ${seconds}s (${result.polls} polls): ${result.statuses.map((s) => s.name).join(', ')}`);
    task.progress(`healthy in ${seconds}s: ${progressLine(result.statuses)}`);
  });
}
