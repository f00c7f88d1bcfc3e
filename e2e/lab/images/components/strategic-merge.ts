/**
 * Strategic merge patch (application/strategic-merge-patch+json) for the built-in kinds, as
 * k8s.io/apimachinery/pkg/util/strategicpatch applies it: maps merge recursively, null deletes, lists whose
 * Go field has patchStrategy "merge" are merged by their patchMergeKey (node and pod conditions by type,
 * containers, volumes and env by name, ...) or as sets (finalizers), other lists are replaced; the directives
 * $patch (replace/delete), $setElementOrder/<list>, $deleteFromPrimitiveList/<list> and $retainKeys are honoured.
 * Merge keys are looked up by field name, which is unambiguous for the kinds the lab stores.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** Field name → patchMergeKey ('' for a merged list of primitives). */
const MERGE_KEYS: Record<string, string> = {
  conditions: 'type', addresses: 'type', containers: 'name', initContainers: 'name', ephemeralContainers: 'name', volumes: 'name',
  env: 'name', volumeMounts: 'mountPath', volumeDevices: 'devicePath', imagePullSecrets: 'name', hostAliases: 'ip',
  ownerReferences: 'uid', finalizers: '', topologySpreadConstraints: 'topologyKey', resourceClaims: 'name',
  // Container ports merge on containerPort, Service ports on port: told apart by the items themselves.
  ports: '*ports',
};

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  const key = MERGE_KEYS[field];
  if (key !== '*ports') return key;
  return items.some((i) => isObj(i) && 'containerPort' in i) ? 'containerPort' : 'port';
}

function mergeList(field: string, current: Json[], patch: Json[]): Json[] {
  const key = mergeKeyFor(field, [...current, ...patch]);
  if (key === undefined) return patch.filter((i) => !(isObj(i) && i.$patch === 'replace'));
  if (key === '') {
    const out = [...current];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  if (patch.some((i) => isObj(i) && i.$patch === 'replace')) return patch.filter((i) => !(isObj(i) && i.$patch === 'replace'));
  const out = [...current];
  for (const item of patch) {
    if (!isObj(item)) continue;
    const index = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMerge(out[index], item);
    else out.push(strategicMerge(undefined, item));
  }
  return out;
}

function reorder(field: string, list: Json[], order: Json[]): Json[] {
  const key = mergeKeyFor(field, list);
  const id = (v: Json) => (key && isObj(v) ? v[key] : v);
  const position = (v: Json) => {
    const i = order.findIndex((o) => (isObj(o) && key ? o[key] : o) === id(v));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list.map((v, i) => [v, i] as const).sort((a, b) => position(a[0]) - position(b[0]) || a[1] - b[1]).map(([v]) => v);
}

export function strategicMerge(target: Json | undefined, patch: Json): Json {
  if (!isObj(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _replace, ...rest } = patch;
    return rest;
  }
  const out: Obj = isObj(target) ? { ...target } : {};
  const orders: [string, Json[]][] = [];
  let retain: Json[] | undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    if (key === '$retainKeys') {
      retain = Array.isArray(value) ? value : [];
      continue;
    }
    if (key.startsWith('$setElementOrder/')) {
      orders.push([key.slice('$setElementOrder/'.length), Array.isArray(value) ? value : []]);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const remove = Array.isArray(value) ? value : [];
      if (Array.isArray(out[field])) out[field] = (out[field] as Json[]).filter((v) => !remove.includes(v));
      continue;
    }
    if (value === null) delete out[key];
    else if (isObj(value) && value.$patch === 'delete') delete out[key];
    else if (Array.isArray(value)) out[key] = mergeList(key, Array.isArray(out[key]) ? (out[key] as Json[]) : [], value);
    else if (isObj(value)) out[key] = strategicMerge(out[key], value);
    else out[key] = value;
  }
  for (const [field, order] of orders) if (Array.isArray(out[field])) out[field] = reorder(field, out[field] as Json[], order);
  if (retain) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}
