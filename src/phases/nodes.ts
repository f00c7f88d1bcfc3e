/** Waiting for Nodes, shared by mark-control-plane, join and wait-nodes. */
import type { ApiClient } from '../api/client.js';
import type { KubeObject } from '../cluster/objects.js';
import { waitTimeoutMs, type UpContext } from '../pipeline/context.js';
import { HostError } from '../util/errors.js';

export class NodeNotRegisteredError extends HostError {
  override name = 'NodeNotRegisteredError';
}

/** How often the API is asked again: kubeadm's apiclient polls every 500 ms to 1 s. */
export const POLL_MS = 1000;

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The Node once kubelet has registered it, or NodeNotRegisteredError after wait.timeout. */
export async function waitForNode(ctx: UpContext, api: ApiClient, name: string, timeoutMs = waitTimeoutMs(ctx)): Promise<KubeObject> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const node = await api.get({ apiVersion: 'v1', kind: 'Node', name });
    if (node) return node;
    if (Date.now() >= deadline || ctx.options.signal?.aborted) {
      throw new NodeNotRegisteredError(`Node ${name} was not registered within ${Math.round(timeoutMs / 1000)}s: is kubelet running on it, and does its kubeconfig reach the API server?`);
    }
    await sleep(POLL_MS, ctx.options.signal);
  }
}

