/**
 * Authorization for the apiserver stand-in: the --authorization-mode chain as the real union authorizer runs
 * it (the system:masters superuser first, then each mode in order; the first Allow or Deny wins, the
 * reasons of the others are joined), with AlwaysAllow, AlwaysDeny, Node (authz-node.ts) and RBAC over the
 * Roles, ClusterRoles and bindings stored in etcd, including the default policy bootstrap-policy.ts
 * creates. Reasons have the real wording ("RBAC: allowed by ClusterRoleBinding ...").
 */
import type { EtcdClient } from './etcd.js';
import type { ApiPath } from './rest.js';
import type { Identity } from './serving.js';
import { nodeAuthorize, nodeIdentity } from './authz-node.js';
import type { PolicyRule } from './bootstrap-policy.js';

export type { PolicyRule };

export interface RequestAttributes {
  verb: string;
  /** Set for resource requests. */
  resource?: ApiPath;
  /** Set for non-resource requests, e.g. "/livez". */
  path?: string;
  /** The raw field selector of a list or watch. */
  fieldSelector?: string;
}

export interface Decision {
  allowed: boolean;
  /** An explicit Deny (AlwaysDeny); false for "no opinion". */
  denied: boolean;
  reason: string;
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}
interface Binding {
  metadata?: { name?: string; namespace?: string };
  roleRef?: { kind?: string; name?: string };
  subjects?: Subject[];
}

/**
 * The controllers of kube-controller-manager act under their own service accounts on a real cluster
 * (--use-service-account-credentials). The stand-in has no service-account tokens, so its user is also
 * matched as these kube-system service accounts.
 */
const CONTROLLER_MANAGER_SERVICE_ACCOUNTS = new Set(['certificate-controller', 'bootstrap-signer', 'token-cleaner', 'service-account-controller']);

function matches(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((v) => v === '*' || v === value);
}

/** rbac/v1 helpers' RuleAllows. */
export function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  if (!matches(rule.verbs, request.verb)) return false;
  if (request.path !== undefined) {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === request.path || (u.endsWith('*') && request.path!.startsWith(u.slice(0, -1))));
  }
  const r = request.resource!;
  if (!matches(rule.apiGroups, r.group)) return false;
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  if (!(rule.resources ?? []).some((x) => x === '*' || x === resource || (r.subresource && x === `*/${r.subresource}`))) return false;
  return !rule.resourceNames?.length || (r.name !== undefined && r.name !== '' && rule.resourceNames.includes(r.name));
}

function subjectMatches(s: Subject, who: Identity, bindingNamespace: string | undefined): boolean {
  if (s.kind === 'User') return s.name === who.user;
  if (s.kind === 'Group') return who.groups.includes(s.name ?? '');
  if (s.kind === 'ServiceAccount') {
    const namespace = s.namespace || bindingNamespace;
    if (!namespace) return false;
    if (who.user === 'system:kube-controller-manager' && namespace === 'kube-system' && CONTROLLER_MANAGER_SERVICE_ACCOUNTS.has(s.name ?? '')) return true;
    return who.user === `system:serviceaccount:${namespace}:${s.name}`;
  }
  return false;
}

function describeSubject(s: Subject, bindingNamespace: string | undefined): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount "${s.name}/${s.namespace || bindingNamespace || ''}"`;
  return `${s.kind} "${s.name}"`;
}

async function roleRules(etcd: EtcdClient, ref: Binding['roleRef'], namespace: string | undefined): Promise<PolicyRule[]> {
  if (!ref?.name) return [];
  const key = ref.kind === 'Role' ? `/registry/roles/${namespace}/${ref.name}` : `/registry/clusterroles/${ref.name}`;
  const stored = await etcd.get(key);
  return stored ? ((JSON.parse(stored.value) as { rules?: PolicyRule[] }).rules ?? []) : [];
}

/**
 * The rules of system:public-info-viewer (bound to everyone). The real RBAC authorizer answers from informer
 * caches, so health probes keep their answers while etcd is unreachable; this one reads etcd, and falls back
 * to these rules when it cannot, or before the default policy has been written.
 */
const PUBLIC_INFO: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] };

/** The RBAC authorizer: Allow with the binding that granted it, or no opinion. */
export async function rbacAuthorize(etcd: EtcdClient, who: Identity, request: RequestAttributes): Promise<Decision> {
  const noOpinion: Decision = { allowed: false, denied: false, reason: '' };
  let clusterBindings: Binding[];
  try {
    clusterBindings = (await etcd.list('/registry/clusterrolebindings/')).map((kv) => JSON.parse(kv.value) as Binding);
  } catch (error) {
    if (ruleAllows(PUBLIC_INFO, request)) return { allowed: true, denied: false, reason: '' };
    throw error;
  }
  if (!clusterBindings.some((b) => b.metadata?.name === 'system:public-info-viewer') && ruleAllows(PUBLIC_INFO, request)) {
    return { allowed: true, denied: false, reason: '' };
  }
  for (const binding of clusterBindings) {
    const subject = (binding.subjects ?? []).find((s) => subjectMatches(s, who, undefined));
    if (!subject || binding.roleRef?.kind !== 'ClusterRole') continue;
    if ((await roleRules(etcd, binding.roleRef, undefined)).some((r) => ruleAllows(r, request))) {
      return { allowed: true, denied: false, reason: `RBAC: allowed by ClusterRoleBinding "${binding.metadata?.name}" of ClusterRole "${binding.roleRef.name}" to ${describeSubject(subject, undefined)}` };
    }
  }
  const namespace = request.resource?.namespace;
  if (!namespace) return noOpinion;
  for (const kv of await etcd.list(`/registry/rolebindings/${namespace}/`)) {
    const binding = JSON.parse(kv.value) as Binding;
    const bindingNamespace = binding.metadata?.namespace ?? namespace;
    const subject = (binding.subjects ?? []).find((s) => subjectMatches(s, who, bindingNamespace));
    if (!subject) continue;
    // A ClusterRole bound by a RoleBinding grants only inside that namespace (the list above guarantees it).
    if ((await roleRules(etcd, binding.roleRef, bindingNamespace)).some((r) => ruleAllows(r, request))) {
      return { allowed: true, denied: false, reason: `RBAC: allowed by RoleBinding "${binding.metadata?.name}/${bindingNamespace}" of ${binding.roleRef?.kind} "${binding.roleRef?.name}" to ${describeSubject(subject, bindingNamespace)}` };
    }
  }
  return noOpinion;
}

/**
 * The rules a user has (SelfSubjectRulesReview): RBAC's rules from every binding that names the user, plus
 * the namespace's RoleBindings; incomplete for nodes, whose rules the Node authorizer cannot list.
 */
export async function rulesFor(etcd: EtcdClient, modes: string[], who: Identity, namespace: string):
  Promise<{ resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[]; incomplete: boolean; evaluationError?: string }> {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  let incomplete = false;
  if (modes.includes('AlwaysAllow')) rules.push({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] });
  if (modes.includes('Node') && nodeIdentity(who) !== undefined) {
    incomplete = true;
    errors.push('node authorizer does not support user rule resolution');
  }
  if (modes.includes('RBAC')) {
    for (const kv of await etcd.list('/registry/clusterrolebindings/')) {
      const b = JSON.parse(kv.value) as Binding;
      if (b.roleRef?.kind === 'ClusterRole' && (b.subjects ?? []).some((x) => subjectMatches(x, who, undefined))) rules.push(...(await roleRules(etcd, b.roleRef, undefined)));
    }
    if (namespace && namespace !== '*') {
      for (const kv of await etcd.list(`/registry/rolebindings/${namespace}/`)) {
        const b = JSON.parse(kv.value) as Binding;
        if ((b.subjects ?? []).some((x) => subjectMatches(x, who, namespace))) rules.push(...(await roleRules(etcd, b.roleRef, namespace)));
      }
    }
  }
  const clean = (r: PolicyRule): PolicyRule => Object.fromEntries(Object.entries(r).filter(([, v]) => Array.isArray(v) && v.length > 0)) as unknown as PolicyRule;
  return {
    resourceRules: rules.filter((r) => !r.nonResourceURLs?.length).map((r) => clean({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, resourceNames: r.resourceNames })),
    nonResourceRules: rules.filter((r) => r.nonResourceURLs?.length).map((r) => clean({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete,
    ...(errors.length ? { evaluationError: errors.join(', ') } : {}),
  };
}

/** The real authorizer chain for --authorization-mode, behind the system:masters superuser authorizer. */
export async function authorize(etcd: EtcdClient, modes: string[], who: Identity, request: RequestAttributes, options: { nodeSelectors?: boolean } = {}): Promise<Decision> {
  if (who.groups.includes('system:masters')) return { allowed: true, denied: false, reason: '' };
  const reasons: string[] = [];
  for (const mode of modes) {
    let d: Decision | undefined;
    if (mode === 'AlwaysAllow') d = { allowed: true, denied: false, reason: '' };
    else if (mode === 'AlwaysDeny') d = { allowed: false, denied: true, reason: 'Everything is forbidden.' };
    else if (mode === 'Node') d = await nodeAuthorize(etcd, who, request, options.nodeSelectors ?? false);
    else if (mode === 'RBAC') d = await rbacAuthorize(etcd, who, request);
    if (!d) continue;
    if (d.allowed || d.denied) return d;
    if (d.reason) reasons.push(d.reason);
  }
  return { allowed: false, denied: false, reason: reasons.join('\n') };
}

/** The verb of a request, as the apiserver's RequestInfoFactory derives it. */
export function requestVerb(method: string, resource: ApiPath | undefined, watch: boolean): string {
  if (!resource) return method.toLowerCase();
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : resource.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return resource.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
