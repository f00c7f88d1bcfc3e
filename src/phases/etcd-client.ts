/**
 * A client of the stacked etcd cluster as kubeadm's own etcd calls reach it (etcdutil.NewFromCluster): the cluster's
 * etcd CA, the etcd/healthcheck-client certificate of the control plane whose SSH connection carries the requests,
 * and the control planes' client URLs. Used by status, the control-plane join and remove.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EtcdClient, hostConnector } from '../etcd/index.js';
import { etcdClientUrl } from '../manifests/index.js';
import { hostOf, isControlPlane, type HostRun, type UpContext } from '../pipeline/context.js';
import { hostPkiDir } from '../pki/index.js';

/**
 * Through `via`'s connection. `endpoints` are tried in order until one answers: by default every control plane of
 * the run; a joining host leaves itself out, since its member is what is being made.
 */
export async function stackedEtcdClient(ctx: UpContext, via: HostRun, endpoints?: string[]): Promise<EtcdClient> {
  const pki = hostPkiDir(ctx.inv.stateDir, via.spec.name);
  const [caPem, certPem, keyPem] = await Promise.all([
    readFile(join(ctx.inv.stateDir, 'pki', 'etcd', 'ca.crt'), 'utf8'),
    readFile(join(pki, 'etcd', 'healthcheck-client.crt'), 'utf8'),
    readFile(join(pki, 'etcd', 'healthcheck-client.key'), 'utf8'),
  ]);
  return new EtcdClient({
    endpoints: endpoints ?? ctx.hosts.filter(isControlPlane).map((x) => etcdClientUrl(x.spec)),
    tls: { caPem, certPem, keyPem },
    connect: hostConnector(hostOf(via)),
  });
}
