/**
 * The cluster phases' way into the API: one client per run, through the first control-plane host's
 * connection, authenticated as kubeadm init's client is (admin.conf; super-admin.conf only where kubeadm needs it
 * to grant admin.conf its rights, v1.29+). Credentials come from the files `up` rendered for that host.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyObjects, type Applied } from '../api/apply.js';
import { ApiClient, type ApiTarget } from '../api/client.js';
import { objectName, type KubeObject } from '../cluster/objects.js';
import { ADMIN_KUBECONFIG, kubeconfigClient } from '../health/check.js';
import { connectionOf, oncePerRun, type HostRun, type UpContext } from '../pipeline/context.js';
import { wet } from '../pipeline/phase.js';
import { firstControlPlane } from '../pki/endpoints.js';
import { HostError } from '../util/errors.js';

export const SUPER_ADMIN_KUBECONFIG = '/etc/kubernetes/super-admin.conf';

class ClusterApiError extends HostError {
  override name = 'ClusterApiError';
}

/** The first control-plane host's run: where kubeadm init ran, and where the cluster phases reach the API. */
export function initHost(ctx: UpContext): HostRun | undefined {
  const first = firstControlPlane(ctx.inv);
  return first && ctx.hosts.find((h) => h.spec.name === first.name);
}

export function isInitHost(h: HostRun, ctx: UpContext): boolean {
  return initHost(ctx) === h;
}

/** Text of a file `up` rendered for a host in this run. */
export function renderedText(h: HostRun, path: string): string | undefined {
  const file = h.files?.find((f) => f.path === path);
  return file === undefined ? undefined : typeof file.content === 'string' ? file.content : file.content.toString('utf8');
}

/**
 * The admin kubeconfig: as rendered for the init host in this run, else the copy `up` left on this machine
 * (status and join-command render nothing).
 */
function adminKubeconfigText(ctx: UpContext, h: HostRun): string | undefined {
  const rendered = renderedText(h, ADMIN_KUBECONFIG);
  if (rendered !== undefined) return rendered;
  const saved = join(ctx.inv.stateDir, 'admin.conf');
  return existsSync(saved) ? readFileSync(saved, 'utf8') : undefined;
}

/** The CA certificate (PEM) a kubeconfig embeds in its first cluster, or undefined. */
export function kubeconfigCaPem(kubeconfig: string | undefined): string | undefined {
  const data = kubeconfig && /certificate-authority-data:\s*(\S+)/.exec(kubeconfig)?.[1];
  return data ? Buffer.from(data, 'base64').toString('utf8') : undefined;
}

/** The cluster CA certificate (PEM): as rendered for the init host, else from the admin kubeconfig. */
export function clusterCaPem(ctx: UpContext): string {
  const h = initHost(ctx);
  const rendered = h && renderedText(h, `${ctx.inv.cluster.certificatesDir}/ca.crt`);
  if (rendered) return rendered;
  const ca = kubeconfigCaPem(h && adminKubeconfigText(ctx, h));
  if (!ca) throw new ClusterApiError(`no cluster CA: nothing rendered for the first control-plane host and no ${join(ctx.inv.stateDir, 'admin.conf')} (run up first)`);
  return ca;
}

/** Where the API is reached from the init host: its own API server. */
function target(ctx: UpContext, h: HostRun, kubeconfig: string): ApiTarget {
  const client = kubeconfigClient(kubeconfig === ADMIN_KUBECONFIG ? adminKubeconfigText(ctx, h) : renderedText(h, kubeconfig));
  if (!client) throw new ClusterApiError(`${h.spec.name}: no client certificate in the rendered ${kubeconfig}`);
  return {
    host: connectionOf(h),
    address: h.spec.advertiseAddress,
    port: h.spec.bindPort,
    caPem: clusterCaPem(ctx),
    credentials: { certPem: client.cert, keyPem: client.key },
  };
}

/** A client that lives for the rest of the run (closed by the pipeline at the end). */
function openShared(ctx: UpContext, key: string, make: () => ApiTarget): Promise<ApiClient> {
  return oncePerRun(ctx, key, async () => {
    const api = await ApiClient.open(make());
    ctx.cleanups.push(() => api.close());
    return api;
  });
}

/** The admin client: admin.conf's identity, as kubeadm init's phases use it. */
export function adminApi(ctx: UpContext): Promise<ApiClient> {
  const h = initHost(ctx);
  if (!h) return Promise.reject(new ClusterApiError('the inventory has no control-plane host'));
  return openShared(ctx, 'api:admin', () => target(ctx, h, ADMIN_KUBECONFIG));
}

/**
 * The admin client through another control plane's connection, to that host's own API server: for `remove`,
 * where the first control plane may be the one leaving (the first is only special while the cluster is made).
 */
export function adminApiThrough(ctx: UpContext, h: HostRun): Promise<ApiClient> {
  return openShared(ctx, `api:admin:${h.spec.name}`, () => target(ctx, h, ADMIN_KUBECONFIG));
}

/** The super-admin client (system:masters), present only where super-admin.conf is rendered (v1.29+). */
export function superAdminApi(ctx: UpContext): Promise<ApiClient> | undefined {
  const h = initHost(ctx);
  if (!h || renderedText(h, SUPER_ADMIN_KUBECONFIG) === undefined) return undefined;
  return openShared(ctx, 'api:super-admin', () => target(ctx, h, SUPER_ADMIN_KUBECONFIG));
}

/** What the cluster phases did to API objects, per host run (the init host's, or a node's own). */
export interface ApiObjectsResult {
  applied: Applied[];
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    'api-objects': ApiObjectsResult;
  }
}

/** "3 created, 1 updated, 12 unchanged" */
export function appliedSummary(applied: readonly Applied[]): string {
  const count = (o: Applied['outcome']) => applied.filter((a) => a.outcome === o).length;
  return `${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged`;
}

/**
 * Applies objects with the given client, in order, through wet(): a dry run lists them instead. What changed is
 * recorded on the host's run (results and the report's changed list, as "ConfigMap kube-system/x").
 */
export async function applyThrough(
  ctx: UpContext,
  h: HostRun,
  what: string,
  objects: readonly KubeObject[],
  client: () => Promise<ApiClient>,
  progress: (line: string) => void,
): Promise<Applied[]> {
  const applied =
    (await wet(ctx, h, `create or update ${objects.length} API object(s) (${what}): ${objects.map(objectName).join(', ')}`, async () =>
      applyObjects(await client(), objects),
    )) ?? [];
  const record = (h.results['api-objects'] ??= { applied: [] });
  record.applied.push(...applied);
  h.changed.push(...applied.filter((a) => a.outcome !== 'unchanged').map((a) => `${a.outcome} ${a.object}`));
  progress(ctx.options.dryRun ? `would apply ${objects.length} object(s) (${what})` : `${what}: ${appliedSummary(applied)}`);
  return applied;
}
