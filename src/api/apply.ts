/**
 * Create-or-update, as kubeadm's apiclient.CreateOrUpdate* does, but idempotent in the strict sense: an object
 * whose live form already holds every field bootstrap would send is left alone, so a re-run updates nothing
 * (the server's own additions — defaults, status, resourceVersion — are not differences).
 */
import { objectName, type KubeObject } from '../cluster/objects.js';
import { ApiError, refOf, type ApiClient } from './client.js';

export type ApplyOutcome = 'created' | 'updated' | 'unchanged';

export interface Applied {
  object: string;
  outcome: ApplyOutcome;
}

/** Whether every field of want is in have with the same value (lists compared item by item, same length). */
export function holds(have: unknown, want: unknown): boolean {
  if (want === null || typeof want !== 'object') return have === want;
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((item, i) => holds(have[i], item));
  }
  if (have === null || typeof have !== 'object' || Array.isArray(have)) return false;
  return Object.entries(want as Record<string, unknown>).every(([key, value]) => value === undefined || holds((have as Record<string, unknown>)[key], value));
}

/**
 * Whether a live object already is what bootstrap would send: holds(), except that a resourceVersion in the
 * desired object is not compared (kubeadm sends "0" on the kube-dns Service: a create-time value).
 */
export function upToDate(live: unknown, desired: KubeObject): boolean {
  const { resourceVersion: _sent, ...meta } = desired.metadata as KubeObject['metadata'] & { resourceVersion?: string };
  return holds(live, { ...desired, metadata: meta });
}

export async function applyObject(api: ApiClient, o: KubeObject, raced = false): Promise<ApplyOutcome> {
  const live = await api.get(refOf(o));
  if (!live) {
    try {
      await api.create(o);
      return 'created';
    } catch (error) {
      // Someone created it between the read and the create: compare with theirs, once. A server that says
      // "not found" and then "already exists" again is not one to argue with in a loop.
      if (!(error instanceof ApiError && error.status === 409) || raced) throw error;
      return applyObject(api, o, true);
    }
  }
  if (upToDate(live, o)) return 'unchanged';
  const resourceVersion = (live.metadata as { resourceVersion?: string }).resourceVersion;
  await api.replace({ ...o, metadata: { ...o.metadata, ...(resourceVersion ? { resourceVersion } : {}) } });
  return 'updated';
}

/** Applies objects in order (RBAC before what needs it, as kubeadm orders them). */
export async function applyObjects(api: ApiClient, objects: readonly KubeObject[]): Promise<Applied[]> {
  const applied: Applied[] = [];
  for (const o of objects) applied.push({ object: objectName(o), outcome: await applyObject(api, o) });
  return applied;
}
