/**
 * Reaching an external etcd (cluster.etcd.external) from a run: with the inventory's client certificate, through
 * the first control plane's SSH connection (the API server there is what must reach the members; the control
 * machine may not be able to). preflight asks every endpoint as kubeadm's ExternalEtcdVersionCheck does, and
 * `status` lists the members through it.
 */
import { EtcdClient, hostConnector } from '../etcd/index.js';
import { hostOf, type HostRun, type UpContext } from '../pipeline/context.js';
import { loadExternalEtcdCredentials } from '../pki/index.js';
import type { Finding } from './preflight-checks.js';

/** kubeadm's externalEtcdRequestTimeout (preflight/checks.go): 10 s per request. */
const EXTERNAL_ETCD_TIMEOUT_MS = 10_000;

/** A client of the external etcd's endpoints, over this host's connection; undefined with a stacked etcd. */
export async function externalEtcdClient(ctx: UpContext, h: HostRun): Promise<EtcdClient | undefined> {
  const external = ctx.inv.cluster.etcd.external;
  if (!external) return undefined;
  const { caPem, certPem, keyPem } = await loadExternalEtcdCredentials(external);
  return new EtcdClient({
    endpoints: external.endpoints,
    tls: { caPem, certPem, keyPem },
    connect: hostConnector(hostOf(h)),
    timeoutMs: EXTERNAL_ETCD_TIMEOUT_MS,
  });
}

/**
 * kubeadm's ExternalEtcdVersion check: every endpoint must answer, over TLS with the configured CA and client
 * certificate (kubeadm GETs <endpoint>/version; etcd's Status call answers the same version, through the same TLS).
 * kubeadm also compares the version with its MinExternalEtcdVersion, which changed across releases; that
 * comparison is not made here: the version is only reported.
 */
export async function externalEtcdFindings(ctx: UpContext, h: HostRun): Promise<Finding[]> {
  const client = await externalEtcdClient(ctx, h);
  if (!client) return [];
  const answers = await Promise.all(client.endpoints.map(async (endpoint) => {
    try {
      const status = await client.status(endpoint);
      return { endpoint, version: status.version };
    } catch (error) {
      return { endpoint, error: (error as Error).message };
    }
  }));
  const reached = answers.filter((a) => a.version !== undefined);
  if (reached.length) h.notes.push(`external etcd: ${reached.map((a) => `${a.endpoint} (etcd ${a.version || 'version unknown'})`).join(', ')}`);
  return answers
    .filter((a) => a.error !== undefined)
    .map((a) => ({ name: 'ExternalEtcdVersion', severity: 'error' as const, message: `cannot reach the external etcd from ${h.spec.name}: ${a.error}` }));
}
