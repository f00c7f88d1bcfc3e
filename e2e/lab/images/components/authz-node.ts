/**
 * The Node authorizer (plugin/pkg/auth/authorizer/node): for users system:node:<name> in the system:nodes
 * group. Secrets, configmaps and persistentvolumeclaims are readable only when a pod bound to the node
 * references them (the real authorizer keeps a graph; this one looks at the stored pods); a node's Lease and
 * CSINode only under the node's own name; everything else by the static rules of the system:node role.
 * With AuthorizeNodeWithSelectors (beta and on from v1.32) a node reads only its own Node, lists pods only with
 * a spec.nodeName=<itself> field selector and gets only pods bound to it. Other users get no opinion.
 * Reasons have the real wording.
 */
import type { EtcdClient } from './etcd.js';
import { nodeRules } from './bootstrap-policy.js';
import type { Decision, RequestAttributes } from './rbac.js';
import { ruleAllows } from './rbac.js';
import type { Identity } from './serving.js';

const NO_OPINION = (reason = ''): Decision => ({ allowed: false, denied: false, reason });
const ALLOW: Decision = { allowed: true, denied: false, reason: '' };

/** The node name of a node identity (system:node:<name> in system:nodes), '' for an empty name, undefined otherwise. */
export function nodeIdentity(who: Identity): string | undefined {
  if (!who.user.startsWith('system:node:') || !who.groups.includes('system:nodes')) return undefined;
  return who.user.slice('system:node:'.length);
}

type Pod = { spec?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a pod spec references: secrets, configmaps, persistentvolumeclaims. */
function references(pod: Pod): { secrets: Set<string>; configmaps: Set<string>; persistentvolumeclaims: Set<string> } {
  const out = { secrets: new Set<string>(), configmaps: new Set<string>(), persistentvolumeclaims: new Set<string>() };
  const spec = pod.spec ?? {};
  for (const s of spec.imagePullSecrets ?? []) if (s?.name) out.secrets.add(s.name);
  for (const v of spec.volumes ?? []) {
    if (v?.secret?.secretName) out.secrets.add(v.secret.secretName);
    if (v?.configMap?.name) out.configmaps.add(v.configMap.name);
    if (v?.persistentVolumeClaim?.claimName) out.persistentvolumeclaims.add(v.persistentVolumeClaim.claimName);
    for (const src of v?.projected?.sources ?? []) {
      if (src?.secret?.name) out.secrets.add(src.secret.name);
      if (src?.configMap?.name) out.configmaps.add(src.configMap.name);
    }
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])]) {
    for (const e of c?.envFrom ?? []) {
      if (e?.secretRef?.name) out.secrets.add(e.secretRef.name);
      if (e?.configMapRef?.name) out.configmaps.add(e.configMapRef.name);
    }
    for (const e of c?.env ?? []) {
      if (e?.valueFrom?.secretKeyRef?.name) out.secrets.add(e.valueFrom.secretKeyRef.name);
      if (e?.valueFrom?.configMapKeyRef?.name) out.configmaps.add(e.valueFrom.configMapKeyRef.name);
    }
  }
  return out;
}

async function relatedToNode(etcd: EtcdClient, node: string, kind: 'secrets' | 'configmaps' | 'persistentvolumeclaims', namespace: string, name: string): Promise<boolean> {
  for (const kv of await etcd.list(`/registry/pods/${namespace}/`)) {
    const pod = JSON.parse(kv.value) as Pod;
    if (pod.spec?.nodeName === node && references(pod)[kind].has(name)) return true;
  }
  return false;
}

/** Whether AuthorizeNodeWithSelectors is on: its default at `version` ("v1.32.2"), or what --feature-gates says. */
export function nodeSelectorsEnabled(version: string, featureGates: string[]): boolean {
  const gates = new Map(featureGates.map((g) => g.split('=', 2) as [string, string]).map(([k, v]) => [k.trim(), v?.trim() === 'true']));
  if (gates.get('AuthorizeWithSelectors') === false) return false;
  if (gates.has('AuthorizeNodeWithSelectors')) return gates.get('AuthorizeNodeWithSelectors')!;
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  return !!m && (Number(m[1]) > 1 || Number(m[2]) >= 32);
}

function fieldEquals(selector: string | undefined, field: string, value: string): boolean {
  return (selector ?? '').split(',').map((t) => t.trim()).some((t) => {
    const m = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(t);
    return !!m && m[1] === field && m[2] === value;
  });
}

async function podOnNode(etcd: EtcdClient, node: string, namespace: string | undefined, name: string | undefined): Promise<boolean> {
  if (!namespace || !name) return false;
  const stored = await etcd.get(`/registry/pods/${namespace}/${name}`);
  return !!stored && (JSON.parse(stored.value) as Pod).spec?.nodeName === node;
}

export async function nodeAuthorize(etcd: EtcdClient, who: Identity, request: RequestAttributes, selectors = false): Promise<Decision> {
  const node = nodeIdentity(who);
  if (node === undefined) return NO_OPINION();
  if (node === '') return NO_OPINION(`unknown node for user "${who.user}"`);
  const r = request.resource;
  if (!r) return NO_OPINION();
  const verb = request.verb;
  if (r.group === '' && (r.resource === 'secrets' || r.resource === 'configmaps' || r.resource === 'persistentvolumeclaims')) {
    if (r.resource === 'persistentvolumeclaims' && r.subresource === 'status') {
      if (!['update', 'patch'].includes(verb)) return NO_OPINION('can only get/update/patch this type');
    } else if (r.resource === 'persistentvolumeclaims') {
      if (verb !== 'get') return NO_OPINION('can only get individual resources of this type');
      if (r.subresource) return NO_OPINION('cannot get subresource');
    } else {
      if (!['get', 'list', 'watch'].includes(verb)) return NO_OPINION('can only read resources of this type');
      if (r.subresource) return NO_OPINION('cannot read subresource');
    }
    if (!r.namespace) return NO_OPINION('can only read namespaced object of this type');
    if (!r.name) return NO_OPINION('No Object name found');
    return (await relatedToNode(etcd, node, r.resource, r.namespace, r.name)) ? ALLOW : NO_OPINION(`no relationship found between node '${node}' and this object`);
  }
  if (r.group === '' && r.resource === 'persistentvolumes') {
    if (verb !== 'get') return NO_OPINION('can only get individual resources of this type');
    return NO_OPINION(`no relationship found between node '${node}' and this object`);
  }
  if (r.group === '' && r.resource === 'serviceaccounts' && r.subresource === 'token') {
    return NO_OPINION(`no relationship found between node '${node}' and this object`);
  }
  if (r.group === 'coordination.k8s.io' && r.resource === 'leases') {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(verb)) return NO_OPINION('can only get, create, update, patch, or delete a node lease');
    if (r.namespace !== 'kube-node-lease') return NO_OPINION('can only access leases in the "kube-node-lease" system namespace');
    // The name is not known at create time; NodeRestriction checks it then.
    if (verb !== 'create' && r.name !== node) return NO_OPINION('can only access node lease with the same name as the requesting node');
    return ALLOW;
  }
  if (r.group === 'storage.k8s.io' && r.resource === 'csinodes') {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(verb)) return NO_OPINION('can only get, create, update, patch, or delete a CSINode');
    if (r.subresource) return NO_OPINION('cannot authorize CSINode subresources');
    if (verb !== 'create' && r.name !== node) return NO_OPINION('can only access CSINode with the same name as the requesting node');
    return ALLOW;
  }
  if (selectors && r.group === '' && r.resource === 'nodes') {
    if (!r.subresource) {
      if (['create', 'update', 'patch'].includes(verb)) return ALLOW;
      if (['get', 'list', 'watch'].includes(verb)) {
        if (r.name === node) return ALLOW;
        return NO_OPINION(r.name ? `node '${node}' cannot read '${r.name}', only its own Node object` : `node '${node}' cannot read all nodes, only its own Node object`);
      }
    } else if (r.subresource === 'status' && ['update', 'patch'].includes(verb)) {
      return ALLOW;
    }
    return NO_OPINION();
  }
  if (selectors && r.group === '' && r.resource === 'pods') {
    if (!r.subresource) {
      if (verb === 'get') {
        if (!r.name) return NO_OPINION('No Object name found');
        return (await podOnNode(etcd, node, r.namespace, r.name)) ? ALLOW : NO_OPINION(`no relationship found between node '${node}' and this object`);
      }
      if (verb === 'list' || verb === 'watch') {
        if (fieldEquals(request.fieldSelector, 'spec.nodeName', node)) return ALLOW;
        if (r.name) return (await podOnNode(etcd, node, r.namespace, r.name)) ? ALLOW : NO_OPINION(`no relationship found between node '${node}' and this object`);
        return NO_OPINION('can only list/watch pods with spec.nodeName field selector');
      }
      if (verb === 'create' || verb === 'delete') return ALLOW;
    } else if (r.subresource === 'status' && ['update', 'patch'].includes(verb)) {
      return ALLOW;
    } else if (r.subresource === 'eviction' && verb === 'create') {
      return ALLOW;
    }
    return NO_OPINION();
  }
  return nodeRules().some((rule) => ruleAllows(rule, request)) ? ALLOW : NO_OPINION();
}
