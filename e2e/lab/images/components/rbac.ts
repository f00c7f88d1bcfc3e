/**
 * Authorization for the apiserver stand-in, following the RBAC authorizer's rules over the Roles, ClusterRoles,
 * RoleBindings and ClusterRoleBindings stored in etcd (so what bootstrap creates, e.g. the binding that lets
 * anonymous users read kube-public/cluster-info, takes effect as on a real cluster), plus the parts of the
 * default bootstrap policy the lab needs, written as data: health/version for everyone, discovery for
 * authenticated users, and the control-plane components' own identities.
 */
import type { EtcdClient } from './etcd.js';
import type { ApiPath } from './rest.js';
import type { Identity } from './serving.js';

export interface RequestAttributes {
  verb: string;
  /** Set for resource requests. */
  resource?: ApiPath;
  /** Set for non-resource requests, e.g. "/livez". */
  path?: string;
}

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}
interface Binding {
  metadata?: { namespace?: string };
  roleRef?: { kind?: string; name?: string };
  subjects?: Subject[];
}

/** The real bootstrap policy's answers the lab relies on (plugin/pkg/auth/authorizer/rbac/bootstrappolicy). */
const DEFAULT_POLICY: { who: (i: Identity) => boolean; rules: PolicyRule[] }[] = [
  // system:public-info-viewer, bound to system:authenticated and system:unauthenticated
  { who: () => true, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/', '/healthz/*', '/livez/*', '/readyz/*'] }] },
  // system:discovery and system:basic-user, bound to system:authenticated
  { who: (i) => i.groups.includes('system:authenticated'), rules: [
    { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/'] },
    { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  ] },
  // cluster-admin for system:masters
  { who: (i) => i.groups.includes('system:masters'), rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] },
  // The components' own roles, simplified to what their stand-ins and a kubelet do: everything on the API.
  { who: (i) => ['system:kube-controller-manager', 'system:kube-scheduler', 'system:kube-proxy'].includes(i.user) || i.groups.includes('system:nodes'),
    rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] },
];

function matches(list: string[] | undefined, value: string): boolean {
  return (list ?? []).some((v) => v === '*' || v === value);
}

export function ruleAllows(rule: PolicyRule, request: RequestAttributes): boolean {
  if (!matches(rule.verbs, request.verb)) return false;
  if (request.path !== undefined) {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === request.path || (u.endsWith('*') && request.path!.startsWith(u.slice(0, -1))));
  }
  const r = request.resource!;
  if (!matches(rule.apiGroups, r.group)) return false;
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  if (!(rule.resources ?? []).some((x) => x === '*' || x === resource || (r.subresource && x === `${r.resource}/*`) || (r.subresource && x === `*/${r.subresource}`))) return false;
  return !rule.resourceNames?.length || (r.name !== undefined && rule.resourceNames.includes(r.name));
}

function subjectMatches(s: Subject, who: Identity, bindingNamespace: string | undefined): boolean {
  if (s.kind === 'User') return s.name === who.user;
  if (s.kind === 'Group') return who.groups.includes(s.name ?? '');
  if (s.kind === 'ServiceAccount') return who.user === `system:serviceaccount:${s.namespace ?? bindingNamespace}:${s.name}`;
  return false;
}

async function roleRules(etcd: EtcdClient, ref: Binding['roleRef'], namespace: string | undefined): Promise<PolicyRule[]> {
  if (!ref?.name) return [];
  const key = ref.kind === 'Role' ? `/registry/roles/${namespace}/${ref.name}` : `/registry/clusterroles/${ref.name}`;
  const stored = await etcd.get(key);
  return stored ? ((JSON.parse(stored.value) as { rules?: PolicyRule[] }).rules ?? []) : [];
}

/** The real authorizer chain for --authorization-mode (Node is treated as part of RBAC here). */
export async function authorize(etcd: EtcdClient, modes: string[], who: Identity, request: RequestAttributes): Promise<boolean> {
  if (modes.includes('AlwaysAllow')) return true;
  if (DEFAULT_POLICY.some((p) => p.who(who) && p.rules.some((r) => ruleAllows(r, request)))) return true;
  if (!modes.includes('RBAC')) return false;
  const bindings: Binding[] = (await etcd.list('/registry/clusterrolebindings/')).map((kv) => JSON.parse(kv.value) as Binding);
  const namespace = request.resource?.namespace;
  if (namespace) bindings.push(...(await etcd.list(`/registry/rolebindings/${namespace}/`)).map((kv) => JSON.parse(kv.value) as Binding));
  for (const binding of bindings) {
    const bindingNamespace = binding.metadata?.namespace;
    if (!(binding.subjects ?? []).some((s) => subjectMatches(s, who, bindingNamespace))) continue;
    // A ClusterRole bound by a RoleBinding grants only inside that namespace (the list above guarantees it).
    const rules = await roleRules(etcd, binding.roleRef, bindingNamespace);
    if (rules.some((r) => ruleAllows(r, request))) return true;
  }
  return false;
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
