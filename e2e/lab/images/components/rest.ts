/**
 * The object store behind the API paths, kept in etcd under /registry/<resource>/[<namespace>/]<name> as the
 * real apiserver lays keys out (values are JSON here, not protobuf), for the resources discovery.ts lists
 * (anything else is 404). It keeps the generic registry's contract: the server sets uid, creationTimestamp,
 * resourceVersion and generation; create answers 201 or 409 AlreadyExists, generateName is honoured, update
 * with a stale resourceVersion is 409 Conflict and without one is unconditional; the status subresource
 * changes only status and the main resource keeps it; delete returns the deleted object; lists are <Kind>List
 * or meta.k8s.io Tables for kubectl. Admission (admission.ts) may change or refuse writes. No watch.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import type { EtcdClient } from './etcd.js';
import { findResource, type ResourceInfo } from './discovery.js';
import { sendJson, sendStatus, type Identity } from './serving.js';
import { toTable, wantsTable } from './tables.js';
import { decodeProtobuf, UnsupportedProtobuf } from './protobuf.js';
import { strategicMerge } from './strategic-merge.js';

export interface ApiPath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/**
 * Parses /api/v1/... and /apis/<group>/<version>/...; undefined for anything else. Each segment is
 * percent-decoded, as the real server's request info resolver does: clients escape names such as
 * "kubeadm:nodes-kubeadm-config" to "kubeadm%3Anodes-kubeadm-config".
 */
export function parseApiPath(pathname: string): ApiPath | undefined {
  let parts: string[];
  try {
    parts = pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest[0] === 'namespaces' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize')) {
    return { group, version, resource: 'namespaces', name: rest[1], subresource: rest[2] };
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    return { group, version, namespace: rest[1], resource: rest[2]!, name: rest[3], subresource: rest[4] };
  }
  return { group, version, resource: rest[0]!, name: rest[1], subresource: rest[2] };
}

export function storageKey(p: { resource: string; namespace?: string; name?: string }): string {
  return `/registry/${p.resource}/${p.namespace ? `${p.namespace}/` : ''}${p.name ?? ''}`;
}

export type KubeObject = { apiVersion?: string; kind?: string; metadata?: Record<string, any>; [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

export function withRevision(value: string, revision: string): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: revision };
  return obj;
}

export class BadRequest extends Error {}

export class UnsupportedMediaType extends Error {}

export async function readBody(req: IncomingMessage): Promise<KubeObject> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (contentType === 'application/vnd.kubernetes.protobuf') {
    try {
      return decodeProtobuf(raw) as KubeObject;
    } catch (error) {
      if (error instanceof UnsupportedProtobuf) throw new UnsupportedMediaType(`the lab apiserver stand-in does not decode ${error.message}; send application/json`);
      throw new BadRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (${(error as Error).message})`);
    }
  }
  const text = raw.toString();
  try {
    return (text ? JSON.parse(text) : {}) as KubeObject;
  } catch (error) {
    throw new BadRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (${(error as Error).message})`);
  }
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The group-qualified resource as error messages name it ("configmaps", "leases.coordination.k8s.io"). */
export function displayName(p: { group: string; resource: string }): string {
  return p.group ? `${p.resource}.${p.group}` : p.resource;
}

export function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** names.SimpleNameGenerator: generateName plus 5 random characters from an alphabet without vowels. */
function generatedName(prefix: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return prefix.slice(0, 58) + [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** A Secret's stringData is merged into data (base64) on every write, as the real registry does. */
function normalizeSecret(r: ResourceInfo, obj: KubeObject): void {
  if (r.name !== 'secrets' || r.group !== '' || !obj.stringData) return;
  obj.data = { ...(obj.data ?? {}) };
  for (const [k, v] of Object.entries(obj.stringData as Record<string, string>)) obj.data[k] = Buffer.from(String(v)).toString('base64');
  delete obj.stringData;
}

/** Resources whose registry strategy sets metadata.generation and bumps it on spec changes. */
const GENERATION = new Set(['apps/deployments', 'apps/daemonsets', 'apps/replicasets', 'apps/statefulsets', 'batch/jobs', 'batch/cronjobs',
  'policy/poddisruptionbudgets', 'autoscaling/horizontalpodautoscalers', '/replicationcontrollers', 'networking.k8s.io/networkpolicies',
  'networking.k8s.io/ingresses', 'apiextensions.k8s.io/customresourcedefinitions', 'admissionregistration.k8s.io/validatingwebhookconfigurations',
  'admissionregistration.k8s.io/mutatingwebhookconfigurations']);
const RESET_STATUS = new Set(['/services', '/persistentvolumeclaims', '/persistentvolumes', '/resourcequotas', 'storage.k8s.io/volumeattachments']);
function tracksGeneration(r: ResourceInfo): boolean {
  return GENERATION.has(`${r.group}/${r.name}`);
}

type TxnCaller = { call(path: string, body: unknown): Promise<Record<string, unknown>> };

/** Writes `key` only if its mod revision is still `modRevision` (an etcd transaction); the new revision, or undefined. */
async function putIfUnchanged(store: EtcdClient, key: string, value: string, modRevision: string): Promise<string | undefined> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  // The client's transport (server failover, TLS) with a compare the client has no method for.
  const answer = await (store as unknown as TxnCaller).call('/v3/kv/txn', {
    compare: [{ key: b64(key), target: 'MOD', result: 'EQUAL', mod_revision: modRevision }],
    success: [{ request_put: { key: b64(key), value: b64(value) } }],
  });
  if (answer.succeeded !== true) return undefined;
  return String((answer.header as Record<string, unknown> | undefined)?.revision ?? '0');
}

export interface AdmissionRequest {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  path: ApiPath;
  resource: ResourceInfo;
  /** The object being written (may be changed in place by mutating admission). */
  object?: KubeObject;
  old?: KubeObject;
  who: Identity;
}
/** Undefined admits; a Status-shaped refusal otherwise. */
export type Admission = (a: AdmissionRequest) => Promise<{ code: number; reason: string; message: string } | undefined>;

export interface ServeOptions {
  admit?: Admission;
  who: Identity;
}

function listMeta(kvs: { modRevision: string }[]): Record<string, string> {
  const rv = kvs.reduce((m, kv) => Math.max(m, Number(kv.modRevision)), 0);
  return rv ? { resourceVersion: String(rv) } : {};
}

function sendObject(req: IncomingMessage, res: ServerResponse, code: number, r: ResourceInfo, obj: KubeObject): void {
  const table = req.method === 'GET' ? wantsTable(req.headers.accept) : undefined;
  if (table) {
    const query = new URL(req.url ?? '/', 'https://localhost').searchParams;
    sendJson(res, code, toTable(r, [obj], table, { resourceVersion: obj.metadata?.resourceVersion }, query.get('includeObject')));
    return;
  }
  sendJson(res, code, obj);
}

export async function serveResource(store: EtcdClient, p: ApiPath, req: IncomingMessage, res: ServerResponse, options: ServeOptions): Promise<void> {
  const r = findResource(p.group, p.version, p.resource);
  const notServed = () => sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
  if (!r || (!r.namespaced && p.namespace)) return notServed();
  if (p.subresource && (!p.name || !r.subresources?.[p.subresource])) return notServed();
  const namespaced = r.namespaced;
  const apiVersion = p.group ? `${p.group}/${p.version}` : p.version;
  const method = req.method ?? 'GET';
  const query = new URL(req.url ?? '/', 'https://localhost').searchParams;
  const admit = options.admit ?? (async () => undefined);
  const refuse = (refusal: { code: number; reason: string; message: string }) => sendStatus(res, refusal.code, refusal.reason, refusal.message);
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    sendStatus(res, 405, 'MethodNotAllowed', 'watch is not supported by the lab apiserver stand-in');
    return;
  }
  const methodNotAllowed = () => sendStatus(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  if (p.group === '' && method === 'POST' && p.namespace && ((p.resource === 'bindings' && !p.name) || (p.resource === 'pods' && p.subresource === 'binding'))) {
    await bindPod(store, p, req, res, admit, options.who);
    return;
  }
  if (p.group === '' && p.resource === 'bindings') return methodNotAllowed();
  if (!p.name) {
    if (method === 'GET') {
      if (!r.verbs.includes('list')) return methodNotAllowed();
      const prefix = `/registry/${p.resource}/${namespaced && p.namespace ? `${p.namespace}/` : ''}`;
      let selects: (o: KubeObject) => boolean;
      try {
        selects = selector(query.get('labelSelector') ?? '', query.get('fieldSelector') ?? '', r);
      } catch (error) {
        sendStatus(res, 400, 'BadRequest', (error as Error).message);
        return;
      }
      const kvs = await store.list(prefix);
      const items = kvs.map((kv) => withRevision(kv.value, kv.modRevision)).filter(selects);
      const table = wantsTable(req.headers.accept);
      if (table) {
        sendJson(res, 200, toTable(r, items, table, listMeta(kvs), query.get('includeObject')));
        return;
      }
      sendJson(res, 200, { kind: `${r.kind}List`, apiVersion, metadata: listMeta(kvs), items });
      return;
    }
    if (method === 'POST') {
      // The all-namespaces path of a namespaced resource only lists.
      if (!r.verbs.includes('create') || (r.namespaced && !p.namespace)) return methodNotAllowed();
      const obj = await readBody(req);
      obj.metadata ??= {};
      if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generatedName(String(obj.metadata.generateName));
      const name = String(obj.metadata.name ?? '');
      if (!name) {
        sendStatus(res, 422, 'Invalid', `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
        return;
      }
      const namespace = namespaced ? p.namespace : undefined;
      if (namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
        sendStatus(res, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
        return;
      }
      if (namespace && !(await store.get(storageKey({ resource: 'namespaces', name: namespace })))) {
        sendStatus(res, 404, 'NotFound', `namespaces "${namespace}" not found`);
        return;
      }
      obj.apiVersion = apiVersion;
      obj.kind = r.kind;
      obj.metadata = { ...obj.metadata, name, ...(namespace ? { namespace } : {}), uid: randomUUID(), creationTimestamp: timestamp() };
      delete obj.metadata.resourceVersion;
      delete obj.metadata.deletionTimestamp;
      delete obj.metadata.managedFields;
      normalizeSecret(r, obj);
      // Strategies that own status start it empty (nodes keep what the kubelet registers with).
      if (tracksGeneration(r) || RESET_STATUS.has(`${r.group}/${r.name}`)) obj.status = {};
      if (r.group === '' && r.name === 'namespaces') obj.status = { phase: 'Active' };
      if (r.group === '' && r.name === 'pods') obj.status = { phase: 'Pending' };
      if (tracksGeneration(r)) obj.metadata.generation = 1;
      else delete obj.metadata.generation;
      const refusal = await admit({ operation: 'CREATE', path: { ...p, namespace, name }, resource: r, object: obj, who: options.who });
      if (refusal) return refuse(refusal);
      const key = storageKey({ resource: p.resource, namespace, name });
      if (!(await store.create(key, JSON.stringify(obj)))) {
        sendStatus(res, 409, 'AlreadyExists', `${displayName(p)} "${name}" already exists`, { name, group: p.group, kind: p.resource });
        return;
      }
      const stored = await store.get(key);
      sendJson(res, 201, stored ? withRevision(stored.value, stored.modRevision) : obj);
      return;
    }
    return methodNotAllowed();
  }
  const key = storageKey({ resource: p.resource, namespace: namespaced ? p.namespace : undefined, name: p.name });
  const existing = await store.get(key);
  const notFound = () => sendStatus(res, 404, 'NotFound', `${displayName(p)} "${p.name}" not found`, { name: p.name!, group: p.group, kind: p.resource });
  const subVerbs = p.subresource ? r.subresources![p.subresource]!.verbs : r.verbs;
  switch (method) {
    case 'GET':
      if (!subVerbs.includes('get')) return methodNotAllowed();
      if (!existing) return notFound();
      sendObject(req, res, 200, r, withRevision(existing.value, existing.modRevision));
      return;
    case 'PUT':
    case 'PATCH': {
      if (!subVerbs.includes(method === 'PUT' ? 'update' : 'patch')) return methodNotAllowed();
      const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (method === 'PATCH' && !['application/merge-patch+json', 'application/strategic-merge-patch+json'].includes(contentType)) {
        // JSON Patch and server-side apply are not implemented: say so instead of storing a wrong object.
        sendStatus(res, 415, 'UnsupportedMediaType', `the lab apiserver stand-in supports merge and strategic-merge patches only, not ${contentType || 'an unspecified content type'}`);
        return;
      }
      if (!existing) return notFound();
      const body = await readBody(req);
      const wanted = body.metadata?.resourceVersion;
      const conflict = () => sendStatus(res, 409, 'Conflict',
        `Operation cannot be fulfilled on ${displayName(p)} "${p.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: p.name!, group: p.group, kind: p.resource });
      if (method === 'PUT' && body.metadata?.name !== undefined && body.metadata.name !== p.name) {
        sendStatus(res, 400, 'BadRequest', `the name of the object (${body.metadata.name}) does not match the name on the URL (${p.name})`);
        return;
      }
      // GuaranteedUpdate: compare-and-swap on the revision read; without a resourceVersion precondition a
      // concurrent write is retried on the new object, with one it is a Conflict.
      for (let attempt = 0; ; attempt++) {
        const current = attempt === 0 ? existing : await store.get(key);
        if (!current) return notFound();
        if (wanted !== undefined && wanted !== '' && String(wanted) !== current.modRevision) return conflict();
        const old = withRevision(current.value, current.modRevision);
        const merged = (method === 'PUT' ? body : contentType === 'application/strategic-merge-patch+json'
          ? strategicMerge(old as never, body as never) : mergePatch(old, body)) as KubeObject;
        let updated: KubeObject;
        if (p.subresource === 'status') {
          // The status subresource changes status only.
          updated = { ...old, status: merged.status };
        } else if (p.subresource) {
          updated = { ...old, status: merged.status ?? old.status };
        } else {
          updated = { ...merged };
          // The main resource keeps status when there is a status subresource.
          if (r.subresources?.status) {
            if (old.status === undefined) delete updated.status;
            else updated.status = old.status;
          }
        }
        normalizeSecret(r, updated);
        updated.apiVersion = apiVersion;
        updated.kind = r.kind;
        updated.metadata = { ...(p.subresource ? old.metadata : updated.metadata), name: p.name, uid: old.metadata?.uid, creationTimestamp: old.metadata?.creationTimestamp,
          ...(namespaced ? { namespace: p.namespace } : {}) };
        delete updated.metadata.managedFields;
        if (tracksGeneration(r)) {
          const specChanged = JSON.stringify(updated.spec) !== JSON.stringify(old.spec);
          updated.metadata.generation = Number(old.metadata?.generation ?? 1) + (specChanged && !p.subresource ? 1 : 0);
        } else {
          delete updated.metadata.generation;
        }
        const refusal = await admit({ operation: 'UPDATE', path: p, resource: r, object: updated, old, who: options.who });
        if (refusal) return refuse(refusal);
        delete updated.metadata.resourceVersion;
        const revision = await putIfUnchanged(store, key, JSON.stringify(updated), current.modRevision);
        if (revision !== undefined) {
          sendJson(res, 200, withRevision(JSON.stringify(updated), revision));
          return;
        }
        if ((wanted !== undefined && wanted !== '') || attempt >= 4) return conflict();
      }
    }
    case 'DELETE': {
      if (p.subresource || !r.verbs.includes('delete')) return methodNotAllowed();
      if (!existing) return notFound();
      const old = withRevision(existing.value, existing.modRevision);
      const refusal = await admit({ operation: 'DELETE', path: p, resource: r, old, who: options.who });
      if (refusal) return refuse(refusal);
      await store.delete(key);
      sendJson(res, 200, old);
      return;
    }
    default:
      return methodNotAllowed();
  }
}

/**
 * POST bindings / pods/<name>/binding, as the scheduler binds a pod: spec.nodeName is set once (409 when the
 * pod is already assigned) with the PodScheduled condition; the answer is a Success Status.
 */
async function bindPod(store: EtcdClient, p: ApiPath, req: IncomingMessage, res: ServerResponse, admit: Admission, who: Identity): Promise<void> {
  const binding = await readBody(req);
  const name = String(binding.metadata?.name ?? '');
  if (p.resource === 'pods' && name !== p.name) {
    sendStatus(res, 400, 'BadRequest', 'name in URL does not match name in Binding object');
    return;
  }
  const target = (binding.target ?? {}) as { kind?: string; name?: string };
  if (target.kind && target.kind !== 'Node') {
    sendStatus(res, 500, 'InternalError', 'Internal error occurred: must be a Node object');
    return;
  }
  const key = storageKey({ resource: 'pods', namespace: p.namespace, name });
  const r = findResource('', 'v1', 'pods')!;
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await store.get(key);
    if (!current) {
      sendStatus(res, 404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
      return;
    }
    const pod = withRevision(current.value, current.modRevision);
    if (pod.spec?.nodeName) {
      sendStatus(res, 409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
        { name, kind: 'pods/binding' });
      return;
    }
    const refusal = await admit({ operation: 'CREATE', path: { ...p, resource: 'pods', name, subresource: 'binding' }, resource: r, object: binding, who });
    if (refusal) {
      sendStatus(res, refusal.code, refusal.reason, refusal.message);
      return;
    }
    pod.spec = { ...(pod.spec ?? {}), nodeName: target.name };
    const conditions = ((pod.status?.conditions ?? []) as { type?: string }[]).filter((c) => c.type !== 'PodScheduled');
    pod.status = { ...(pod.status ?? {}), conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp() }] };
    delete pod.metadata!.resourceVersion;
    if ((await putIfUnchanged(store, key, JSON.stringify(pod), current.modRevision)) !== undefined) {
      sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      return;
    }
  }
  sendStatus(res, 409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": the object has been modified; please apply your changes to the latest version and try again`);
}

/** Field labels each resource accepts beyond metadata.name and metadata.namespace (the real registries' GetAttrs). */
const FIELD_LABELS: Record<string, string[]> = {
  pods: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  secrets: ['type'],
  namespaces: ['status.phase'],
  nodes: ['spec.unschedulable'],
  certificatesigningrequests: ['spec.signerName'],
  events: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
    'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  replicationcontrollers: ['status.replicas'],
  replicasets: ['status.replicas'],
  jobs: ['status.successful'],
};

function fieldValue(o: KubeObject, path: string): string {
  let v: unknown = o;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  if (path === 'source' && v && typeof v === 'object') v = (v as { component?: string }).component;
  if (path === 'spec.unschedulable' || path === 'spec.hostNetwork') return String(v === true);
  return v === undefined || v === null ? '' : String(v);
}

/**
 * Equality-based label selectors ("a=b,c!=d,e,!f", also "==") and the field selectors the real registries
 * support (metadata.name, metadata.namespace and per-resource fields such as pods' spec.nodeName); set-based
 * label selectors ("in", "notin") are refused rather than ignored.
 */
export function selector(labelSelector: string, fieldSelector: string, resource?: ResourceInfo): (o: KubeObject) => boolean {
  const tests: ((o: KubeObject) => boolean)[] = [];
  const labels = (o: KubeObject) => ((o.metadata?.labels ?? {}) as Record<string, string>);
  for (const term of labelSelector.split(',').map((t) => t.trim()).filter(Boolean)) {
    let m: RegExpExecArray | null;
    if (/\s(in|notin)\s*\(/.test(term)) throw new Error(`unable to parse requirement: set-based selector "${term}" is not supported by the lab apiserver stand-in`);
    if ((m = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(term))) { const [k, v] = [m[1]!, m[2]!]; tests.push((o) => labels(o)[k] !== v); }
    else if ((m = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(term))) { const [k, v] = [m[1]!, m[2]!]; tests.push((o) => labels(o)[k] === v); }
    else if ((m = /^!\s*(\S+)$/.exec(term))) { const k = m[1]!; tests.push((o) => !(k in labels(o))); }
    else if ((m = /^(\S+)$/.exec(term))) { const k = m[1]!; tests.push((o) => k in labels(o)); }
    else throw new Error(`unable to parse requirement: "${term}"`);
  }
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(resource ? FIELD_LABELS[resource.name] ?? [] : [])]);
  for (const term of fieldSelector.split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^([^!=\s]+)\s*(==?|!=)\s*(\S*)$/.exec(term);
    if (!m || !allowed.has(m[1]!)) throw new Error(`field label not supported: ${term.split(/[!=]/)[0]}`);
    const [field, op, value] = [m[1]!, m[2]!, m[3]!];
    tests.push((o) => (fieldValue(o, field) === value) === (op !== '!='));
  }
  return (o) => tests.every((t) => t(o));
}
