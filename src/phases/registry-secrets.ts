/**
 * registry-secrets (registries.pullSecrets): in each listed namespace, an image pull Secret with the named
 * registries' credentials and the `default` ServiceAccount naming it, so Pods that name no secret still pull.
 * A namespace dropped from the list (or the whole section) loses the Secret and the ServiceAccount's reference
 * on the next run; a changed password updates every Secret and nothing else. Secrets are found again by their
 * labels, never by guessing. The Secret's data never reaches a log, a message or `-o json`: only names do.
 */
import { applyObject } from '../api/apply.js';
import { ApiError, type ApiClient } from '../api/client.js';
import {
  DEFAULT_SERVICE_ACCOUNT,
  defaultServiceAccount,
  namespaceObject,
  PULL_SECRET_SELECTOR,
  pullSecret,
  withoutPullSecret,
  withPullSecret,
} from '../cluster/pull-secrets.js';
import { objectName, type KubeObject } from '../cluster/objects.js';
import { wet, type Phase } from '../pipeline/phase.js';
import { loadRegistryCredentials } from '../registries/credentials.js';
import { adminApi, isInitHost } from './cluster-api.js';

/** What the sync needs of an API client (an in-memory one in unit tests). */
export type PullSecretApi = Pick<ApiClient, 'get' | 'create' | 'replace' | 'delete' | 'list'>;

export interface PullSecretsWanted {
  name: string;
  namespaces: readonly string[];
  /** The docker config.json the Secrets hold. */
  dockerConfigJson: string;
}

/** Tries of a read-modify-write of a ServiceAccount that someone else changed in between (409). */
const CONFLICT_TRIES = 5;

/**
 * Changes a namespace's default ServiceAccount with `change` (undefined: nothing to change), re-reading it when
 * someone else wrote it in between; `create` makes it when it does not exist yet (a namespace the
 * controller-manager has not reached). Returns what was done, or undefined.
 */
async function updateDefaultServiceAccount(
  api: PullSecretApi,
  namespace: string,
  change: (sa: KubeObject) => KubeObject | undefined,
  create?: () => KubeObject,
): Promise<string | undefined> {
  const ref = { apiVersion: 'v1', kind: 'ServiceAccount', namespace, name: DEFAULT_SERVICE_ACCOUNT };
  for (let attempt = 1; ; attempt++) {
    try {
      const live = await api.get(ref);
      if (!live) {
        if (!create) return undefined;
        const made = create();
        await api.create(made);
        return `created ${objectName(made)}`;
      }
      const changed = change(live);
      if (!changed) return undefined;
      // Sent with the resourceVersion read: a concurrent writer's change is never overwritten (409 instead).
      await api.replace(changed);
      return `updated ${objectName(changed)}`;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409) || attempt >= CONFLICT_TRIES) throw error;
    }
  }
}

/**
 * Brings the cluster's pull Secrets to `wanted` (undefined: none): each namespace exists, holds the Secret with
 * exactly these credentials, and its default ServiceAccount names it; bootstrap's Secrets anywhere else are
 * removed with their reference. Returns the changes, as "created …", "updated …", "deleted …" lines.
 */
export async function syncPullSecrets(api: PullSecretApi, wanted: PullSecretsWanted | undefined): Promise<string[]> {
  const changes: string[] = [];
  const keep = new Set<string>();
  for (const namespace of wanted?.namespaces ?? []) {
    const name = (wanted as PullSecretsWanted).name;
    keep.add(`${namespace}/${name}`);
    for (const o of [namespaceObject(namespace), pullSecret(namespace, name, (wanted as PullSecretsWanted).dockerConfigJson)]) {
      const outcome = await applyObject(api as ApiClient, o);
      if (outcome !== 'unchanged') changes.push(`${outcome} ${objectName(o)}`);
    }
    const done = await updateDefaultServiceAccount(api, namespace, (sa) => withPullSecret(sa, name), () => defaultServiceAccount(namespace, name));
    if (done) changes.push(done);
  }
  for (const stale of await api.list('v1', 'Secret', undefined, PULL_SECRET_SELECTOR)) {
    const { namespace = '', name } = stale.metadata;
    if (keep.has(`${namespace}/${name}`)) continue;
    const done = await updateDefaultServiceAccount(api, namespace, (sa) => withoutPullSecret(sa, name));
    if (done) changes.push(done);
    if (await api.delete({ apiVersion: 'v1', kind: 'Secret', namespace, name })) changes.push(`deleted ${namespace}/Secret/${name}`);
  }
  return changes;
}

export const registrySecretsPhase: Phase = {
  name: 'registry-secrets',
  title: 'registry-secrets: image pull Secrets named by the default ServiceAccounts of registries.pullSecrets\' namespaces',
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    const settings = ctx.inv.registries?.pullSecrets;
    const file = ctx.inv.images.credentials.configFile;
    const wanted = settings && file !== undefined
      ? {
        name: settings.name,
        namespaces: settings.namespaces,
        dockerConfigJson: (await loadRegistryCredentials(file)).dockerConfigFor(settings.registries, 'registries.pullSecrets.registries'),
      }
      : undefined;
    const what = wanted
      ? `Secret ${wanted.name} and the default ServiceAccount's imagePullSecrets in ${wanted.namespaces.join(', ') || 'no namespace'}`
      : 'no image pull Secrets (registries.pullSecrets is not set); remove any an earlier run made';
    const changes = (await wet(ctx, h, `bring the cluster to ${what}`, async () => syncPullSecrets(await adminApi(ctx), wanted))) ?? [];
    h.changed.push(...changes);
    task.progress(ctx.options.dryRun ? `would bring the cluster to ${what}` : changes.length ? changes.join('; ') : 'image pull Secrets unchanged');
  },
};
