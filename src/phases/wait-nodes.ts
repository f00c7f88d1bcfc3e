/**
 * wait-nodes: the cluster as `kubectl get nodes` shows it at the end of `up`: every inventory host's Node, Ready
 * or not and why. With wait.nodesReady, waits (within wait.timeout) until every one is Ready. Without a CNI
 * the Nodes stay NotReady, as after kubeadm: the report says so and how to add one.
 */
import { nodeLine, nodeState, type NodeState } from '../cluster/node-state.js';
import { waitTimeoutMs } from '../pipeline/context.js';
import type { Phase } from '../pipeline/phase.js';
import { HostError } from '../util/errors.js';
import { adminApi, isInitHost } from './cluster-api.js';
import { POLL_MS, sleep } from './nodes.js';

export type { NodeState };

declare module '../pipeline/context.js' {
  interface PhaseResults {
    'wait-nodes': { nodes: NodeState[] };
  }
}

export class NodesNotReadyError extends HostError {
  override name = 'NodesNotReadyError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

export const waitNodesPhase: Phase = {
  name: 'wait-nodes',
  title: 'wait-nodes: the cluster\'s Nodes',
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    if (ctx.options.dryRun) {
      task.progress('dry run: no Nodes to look at');
      return;
    }
    const api = await adminApi(ctx);
    const names = new Set(ctx.inv.hosts.map((x) => x.name));
    const wanted = ctx.hosts.filter((x) => !x.error).map((x) => x.spec.name);
    const deadline = Date.now() + waitTimeoutMs(ctx);
    let nodes: NodeState[];
    for (;;) {
      nodes = (await api.list('v1', 'Node')).map((n) => nodeState(n, names)).sort((a, b) => a.name.localeCompare(b.name));
      const notReady = wanted.filter((name) => !nodes.find((n) => n.name === name)?.ready);
      task.progress(`${nodes.filter((n) => n.ready).length}/${nodes.length} Node(s) Ready`);
      if (!ctx.inv.wait.nodesReady || notReady.length === 0) break;
      if (Date.now() >= deadline || ctx.options.signal?.aborted) {
        throw new NodesNotReadyError(`Node(s) not Ready within ${Math.round(waitTimeoutMs(ctx) / 1000)}s:\n  - ${nodes.filter((n) => !n.ready).map(nodeLine).join('\n  - ')}`);
      }
      await sleep(POLL_MS, ctx.options.signal);
    }
    h.results['wait-nodes'] = { nodes };
    for (const n of nodes) h.notes.push(`node ${nodeLine(n)}`);
    if (nodes.some((n) => !n.ready && /network|cni/i.test(n.message ?? ''))) {
      h.notes.push('Nodes stay NotReady until a CNI is installed, as after kubeadm: list its manifest under addons.manifests in the inventory');
    }
  },
};
