/**
 * A generic object store behind the API paths, kept in etcd under /registry/<resource>/[<namespace>/]<name>
 * as the real apiserver lays keys out (values are JSON here, not protobuf). It gives bootstrap and the other
 * stand-ins a working API for what they do: create/read/update/delete/list ConfigMaps, Secrets, RBAC
 * objects, Leases, Namespaces... No validation, admission or watch beyond what that needs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { EtcdClient } from './etcd.js';
import { sendJson, sendStatus } from './serving.js';

/** Resources that live outside namespaces (the ones bootstrap and kubeadm touch). */
const CLUSTER_SCOPED = new Set([
  'namespaces', 'nodes', 'persistentvolumes', 'clusterroles', 'clusterrolebindings', 'customresourcedefinitions',
  'priorityclasses', 'storageclasses', 'certificatesigningrequests', 'apiservices', 'validatingwebhookconfigurations',
  'mutatingwebhookconfigurations', 'runtimeclasses', 'csidrivers', 'csinodes', 'flowschemas', 'prioritylevelconfigurations',
]);

export interface ApiPath {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Parses /api/v1/... and /apis/<group>/<version>/...; undefined for anything else. */
export function parseApiPath(pathname: string): ApiPath | undefined {
  const parts = pathname.split('/').filter(Boolean);
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
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    return { group, version, namespace: rest[1], resource: rest[2]!, name: rest[3], subresource: rest[4] };
  }
  return { group, version, resource: rest[0]!, name: rest[1], subresource: rest[2] };
}

export function storageKey(p: { resource: string; namespace?: string; name?: string }): string {
  return `/registry/${p.resource}/${p.namespace ? `${p.namespace}/` : ''}${p.name ?? ''}`;
}

type KubeObject = { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; [k: string]: unknown };

function withRevision(value: string, revision: string): KubeObject {
  const obj = JSON.parse(value) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: revision };
  return obj;
}

async function readBody(req: IncomingMessage): Promise<KubeObject> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  return (text ? JSON.parse(text) : {}) as KubeObject;
}

/** RFC 7386 JSON merge patch (also used for strategic merge patches, which agree with it for maps). */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function displayName(p: ApiPath): string {
  return p.group ? `${p.resource}.${p.group}` : p.resource;
}

export async function serveResource(store: EtcdClient, p: ApiPath, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const namespaced = !CLUSTER_SCOPED.has(p.resource);
  if (!namespaced && p.namespace) {
    sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
    return;
  }
  const apiVersion = p.group ? `${p.group}/${p.version}` : p.version;
  const method = req.method ?? 'GET';
  if (new URL(req.url ?? '/', 'https://localhost').searchParams.get('watch') === 'true') {
    sendStatus(res, 405, 'MethodNotAllowed', 'watch is not supported by the lab apiserver stand-in');
    return;
  }
  if (!p.name) {
    if (method === 'GET') {
      const prefix = `/registry/${p.resource}/${p.namespace ? `${p.namespace}/` : ''}`;
      const query = new URL(req.url ?? '/', 'https://localhost').searchParams;
      let selects: (o: KubeObject) => boolean;
      try {
        selects = selector(query.get('labelSelector') ?? '', query.get('fieldSelector') ?? '');
      } catch (error) {
        sendStatus(res, 400, 'BadRequest', (error as Error).message);
        return;
      }
      const items = (await store.list(prefix)).map((kv) => withRevision(kv.value, kv.modRevision)).filter(selects);
      sendJson(res, 200, { kind: 'List', apiVersion, metadata: {}, items });
      return;
    }
    if (method === 'POST') {
      const obj = await readBody(req);
      const name = String(obj.metadata?.name ?? '');
      if (!name) {
        sendStatus(res, 422, 'Invalid', `${displayName(p)} "" is invalid: metadata.name: Required value: name or generateName is required`);
        return;
      }
      if (namespaced && p.namespace && !(await store.get(storageKey({ resource: 'namespaces', name: p.namespace })))) {
        sendStatus(res, 404, 'NotFound', `namespaces "${p.namespace}" not found`);
        return;
      }
      obj.apiVersion ??= apiVersion;
      obj.metadata = { ...obj.metadata, name, ...(namespaced ? { namespace: p.namespace ?? 'default' } : {}),
        uid: randomUUID(), creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
      delete obj.metadata.resourceVersion;
      const key = storageKey({ resource: p.resource, namespace: namespaced ? (p.namespace ?? 'default') : undefined, name });
      if (!(await store.create(key, JSON.stringify(obj)))) {
        sendStatus(res, 409, 'AlreadyExists', `${displayName(p)} "${name}" already exists`);
        return;
      }
      const stored = await store.get(key);
      sendJson(res, 201, stored ? withRevision(stored.value, stored.modRevision) : obj);
      return;
    }
    sendStatus(res, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    return;
  }
  const key = storageKey(p);
  const existing = await store.get(key);
  const notFound = () => sendStatus(res, 404, 'NotFound', `${displayName(p)} "${p.name}" not found`);
  switch (method) {
    case 'GET':
      if (!existing) return notFound();
      sendJson(res, 200, withRevision(existing.value, existing.modRevision));
      return;
    case 'PUT':
    case 'PATCH': {
      const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
      if (method === 'PATCH' && !['application/merge-patch+json', 'application/strategic-merge-patch+json'].includes(contentType)) {
        // JSON Patch and server-side apply are not implemented: say so instead of storing a wrong object.
        sendStatus(res, 415, 'UnsupportedMediaType', `the lab apiserver stand-in supports merge and strategic-merge patches only, not ${contentType || 'an unspecified content type'}`);
        return;
      }
      if (!existing) return notFound();
      const body = await readBody(req);
      const old = JSON.parse(existing.value) as KubeObject;
      const wanted = body.metadata?.resourceVersion;
      if (method === 'PUT' && wanted !== undefined && String(wanted) !== existing.modRevision) {
        sendStatus(res, 409, 'Conflict', `Operation cannot be fulfilled on ${displayName(p)} "${p.name}": the object has been modified; please apply your changes to the latest version and try again`);
        return;
      }
      const updated = (method === 'PUT' ? body : mergePatch(old, body)) as KubeObject;
      updated.metadata = { ...updated.metadata, name: p.name, uid: old.metadata?.uid, creationTimestamp: old.metadata?.creationTimestamp,
        ...(p.namespace ? { namespace: p.namespace } : {}) };
      delete updated.metadata.resourceVersion;
      const revision = await store.put(key, JSON.stringify(updated));
      sendJson(res, 200, withRevision(JSON.stringify(updated), revision));
      return;
    }
    case 'DELETE':
      if (!existing) return notFound();
      await store.delete(key);
      sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: p.name, kind: p.resource } });
      return;
    default:
      sendStatus(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
}

/**
 * Equality-based label selectors ("a=b,c!=d,e,!f", also "==") and the metadata.name / metadata.namespace
 * field selectors; set-based label selectors ("in", "notin") are refused rather than ignored.
 */
export function selector(labelSelector: string, fieldSelector: string): (o: KubeObject) => boolean {
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
  for (const term of fieldSelector.split(',').map((t) => t.trim()).filter(Boolean)) {
    const m = /^metadata\.(name|namespace)\s*(==?|!=)\s*(\S*)$/.exec(term);
    if (!m) throw new Error(`field label not supported: ${term.split(/[!=]/)[0]}`);
    const [field, op, value] = [m[1] as 'name' | 'namespace', m[2]!, m[3]!];
    tests.push((o) => (String(o.metadata?.[field] ?? '') === value) === (op !== '!='));
  }
  return (o) => tests.every((t) => t(o));
}
