/**
 * `bootstrap status`: one round of the wait-control-plane checks on every host, without waiting and without
 * changing anything: is kubelet running, and is each control-plane component's Pod running and healthy.
 */
import { checkHost } from '../health/index.js';
import type { Inventory } from '../inventory/types.js';
import { factsOf, hostOf, isControlPlane, type ComponentStatus, type UpOptions } from '../runner/context.js';
import type { Phase } from '../runner/phase.js';
import { newContext, runOnHosts } from '../runner/up.js';
import { connectPhase } from './connect.js';

export interface HostStatus {
  name: string;
  address: string;
  roles: string[];
  reachable: boolean;
  error?: string;
  kubeletActive?: boolean;
  components: ComponentStatus[];
}

export interface StatusReport {
  ok: boolean;
  hosts: HostStatus[];
}

const statusPhase: Phase = {
  name: 'status',
  title: 'status: kubelet and the control-plane components',
  appliesTo: () => true,
  async run(ctx, h, task) {
    hostOf(h);
    if (!isControlPlane(h)) {
      task.progress(`kubelet ${factsOf(h).kubeletActive ? 'active' : 'inactive'}`);
      return;
    }
    h.components = await checkHost(h, ctx.inv, ctx.options.signal);
    const unhealthy = h.components.filter((c) => !c.healthy).map((c) => c.name);
    task.progress(unhealthy.length ? `unhealthy: ${unhealthy.join(', ')}` : 'healthy');
  },
};

export async function statusOf(inv: Inventory, options: UpOptions = {}): Promise<StatusReport> {
  const ctx = newContext(inv, options);
  await runOnHosts(ctx, [connectPhase, statusPhase]);
  const hosts = ctx.hosts.map((h) => ({
    name: h.spec.name,
    address: h.spec.address,
    roles: h.spec.roles,
    reachable: !!h.facts,
    error: h.error?.message,
    kubeletActive: h.facts?.kubeletActive,
    components: h.components,
  }));
  const ok = hosts.every((h) => !h.error && (h.roles.includes('control-plane') ? h.components.length > 0 && h.components.every((c) => c.healthy) : true));
  return { ok, hosts };
}
