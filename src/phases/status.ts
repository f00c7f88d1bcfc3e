/**
 * The status phase: one round of the wait-control-plane checks on a host, without waiting and without changing
 * anything: is kubelet running, and is each control-plane component's Pod running and healthy.
 */
import { checkHost } from '../health/index.js';
import { factsOf, hostOf, isControlPlane } from '../pipeline/context.js';
import type { Phase } from '../pipeline/phase.js';

export const statusPhase: Phase = {
  name: 'status',
  title: 'status: kubelet and the control-plane components',
  appliesTo: () => true,
  async run(ctx, h, task) {
    hostOf(h);
    if (!isControlPlane(h)) {
      task.progress(`kubelet ${factsOf(h).kubeletActive ? 'active' : 'inactive'}`);
      return;
    }
    h.components = await checkHost({ ...h, host: hostOf(h) }, ctx.inv, ctx.options.signal);
    const unhealthy = h.components.filter((c) => !c.healthy).map((c) => c.name);
    task.progress(unhealthy.length ? `unhealthy: ${unhealthy.join(', ')}` : 'healthy');
  },
};
