/**
 * `bootstrap join-command`: the `kubeadm join …` line for a machine outside the inventory, as `kubeadm token
 * create --print-join-command` prints it: the endpoint workers join, a valid token (reused, or made), and the
 * CA pinned by the hash of its public key. Reaches the API through the first control plane, as `up` does.
 */
import { caCertHash, joinCommand, tokenString } from '../cluster/index.js';
import type { Inventory } from '../inventory/types.js';
import { connectPhase } from '../phases/connect.js';
import { joinToken, joinTokenPhase } from '../phases/bootstrap-token.js';
import { clusterCaPem, initHost } from '../phases/cluster-api.js';
import { newContext, type UpOptions } from '../pipeline/context.js';
import { runOnHosts } from '../pipeline/runner.js';
import { firstControlPlane } from '../pki/endpoints.js';
import { HostError } from '../util/errors.js';

export interface JoinCommandReport {
  command: string;
  tokenId: string;
  caCertHash: string;
  endpoint: string;
}

/** host:port as kubeadm join takes it: controlPlaneEndpoint, or the first control plane's API server. */
export function joinEndpoint(inv: Inventory): string {
  if (inv.cluster.controlPlaneEndpoint) {
    const cp = firstControlPlane(inv);
    return /:\d+$/.test(inv.cluster.controlPlaneEndpoint) || !cp ? inv.cluster.controlPlaneEndpoint : `${inv.cluster.controlPlaneEndpoint}:${cp.bindPort}`;
  }
  const cp = firstControlPlane(inv);
  if (!cp) throw new JoinCommandError('the inventory has no control-plane host');
  return cp.advertiseAddress.includes(':') ? `[${cp.advertiseAddress}]:${cp.bindPort}` : `${cp.advertiseAddress}:${cp.bindPort}`;
}

class JoinCommandError extends HostError {
  override name = 'JoinCommandError';
}

export async function joinCommandFor(inv: Inventory, options: UpOptions = {}): Promise<JoinCommandReport> {
  const ctx = newContext(inv, options);
  const init = initHost(ctx);
  if (!init) throw new JoinCommandError('the inventory has no control-plane host');
  ctx.hosts = [init];
  let report: JoinCommandReport | undefined;
  const failed = await runOnHosts(ctx, [
    connectPhase,
    joinTokenPhase,
    {
      name: 'join-command',
      title: 'join-command',
      appliesTo: () => true,
      async run() {
        const token = await joinToken(ctx);
        const hash = caCertHash(clusterCaPem(ctx));
        const endpoint = joinEndpoint(inv);
        report = { command: joinCommand(endpoint, tokenString(token), hash), tokenId: token.id, caCertHash: hash, endpoint };
      },
    },
  ]);
  if (failed) throw failed;
  if (!report) throw new JoinCommandError('no join command was made');
  return report;
}
