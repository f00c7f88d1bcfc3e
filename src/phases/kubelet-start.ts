/**
 * kubelet-start: writes the kubelet configuration, flags file and systemd drop-in, then (re)starts kubelet,
 * but only when something it reads changed or it is not running: restarting a healthy kubelet for nothing
 * would disturb a running control plane.
 */
import { factsOf, type HostRun, type UpContext } from '../pipeline/context.js';
import { isInitHost } from './cluster-api.js';
import { wet, type Phase } from '../pipeline/phase.js';
import { CommandError } from '../transport/host.js';
import { writeChanged } from './files.js';

/** Files kubelet reads at start-up besides its own: a change to them needs a restart too. */
export const KUBELET_INPUTS = ['/etc/kubernetes/kubelet.conf', '/etc/kubernetes/pki/ca.crt'];

/** How kubelet is (re)started: systemd re-reads the drop-in, kubelet is enabled at boot, then restarted. */
export const KUBELET_RESTART: readonly string[] = ['sh', '-c', 'systemctl daemon-reload && systemctl enable kubelet && systemctl restart kubelet'];

export const kubeletStartPhase: Phase = {
  name: 'kubelet-start',
  title: 'kubelet-start: kubelet configuration, flags and drop-in; (re)start kubelet',
  // The first control plane; the others start kubelet as they join (control-plane-join).
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    const written = await writeChanged(ctx, h, 'kubelet-start', task.progress);
    const inputsChanged = h.changed.some((p) => KUBELET_INPUTS.includes(p));
    const running = factsOf(h).kubeletActive;
    if (!written.length && !inputsChanged && running) {
      task.progress('kubelet running, nothing it reads changed');
      return;
    }
    const why = !running ? 'kubelet is not running' : 'its configuration changed';
    await restartKubelet(ctx, h, why);
    task.progress(`${ctx.options.dryRun ? 'would restart' : 'restarted'} kubelet (${why})`);
  },
};

/** (Re)starts kubelet through wet(), saying why; a failed restart is the host's failure. */
export async function restartKubelet(ctx: UpContext, h: HostRun, why: string): Promise<void> {
  await wet(ctx, h, `restart kubelet (${why})`, async (host) => {
    const result = await host.exec(KUBELET_RESTART, { sudo: true });
    if (result.code !== 0) throw new CommandError(h.spec.name, KUBELET_RESTART, result);
    h.kubeletRestarted = true;
  });
}
