/**
 * `bootstrap status`: one round of the wait-control-plane checks on every host, without waiting and without
 * changing anything: is kubelet running, and is each control-plane component's Pod running and healthy.
 */
import type { Inventory } from '../inventory/types.js';
import { newContext, type ComponentStatus, type UpOptions } from '../pipeline/context.js';
import { runOnHosts } from '../pipeline/runner.js';
import { connectPhase } from '../phases/connect.js';
import { statusPhase } from '../phases/status.js';

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
