/**
 * The default RBAC policy a real kube-apiserver creates at start (plugin/pkg/auth/authorizer/rbac/
 * bootstrappolicy: policy.go, controller_policy.go, namespace_policy.go), as data: ClusterRoles and
 * ClusterRoleBindings, and the Roles/RoleBindings in kube-system and kube-public, labelled
 * kubernetes.io/bootstrapping=rbac-defaults and annotated rbac.authorization.kubernetes.io/autoupdate=true.
 * They are created when absent and then used by the RBAC authorizer like any other object. The aggregated
 * roles admin/edit/view carry their aggregationRule and, already filled in, the rules of the roles they select.
 */

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const READ_WRITE = [...READ, ...WRITE];
const READ_UPDATE = [...READ, 'update', 'patch'];

function rule(verbs: string[], groups: string[], resources: string[], names?: string[]): PolicyRule {
  return { verbs, apiGroups: groups, resources, ...(names ? { resourceNames: names } : {}) };
}
const urls = (verbs: string[], list: string[]): PolicyRule => ({ verbs, nonResourceURLs: list });
const events = (): PolicyRule => rule(['create', 'update', 'patch'], ['', 'events.k8s.io'], ['events']);

const CSR_SIGNERS = {
  legacy: 'kubernetes.io/legacy-unknown',
  serving: 'kubernetes.io/kubelet-serving',
  client: 'kubernetes.io/kube-apiserver-client',
  kubelet: 'kubernetes.io/kube-apiserver-client-kubelet',
};

export function nodeRules(): PolicyRule[] {
  return [
    rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
    rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
    rule(READ, [''], ['services']),
    rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
    rule(['update', 'patch'], [''], ['nodes/status']),
    rule(['update', 'patch'], [''], ['nodes']),
    rule(['create', 'update', 'patch'], [''], ['events']),
    rule(READ, [''], ['pods']),
    rule(['create', 'delete'], [''], ['pods']),
    rule(['update', 'patch'], [''], ['pods/status']),
    rule(['create'], [''], ['pods/eviction']),
    rule(['get', 'list', 'watch'], [''], ['secrets', 'configmaps']),
    rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
    rule(['get'], [''], ['endpoints']),
    rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
    rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
    rule(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
    rule(['create'], [''], ['serviceaccounts/token']),
    rule(['get', 'watch', 'list'], ['storage.k8s.io'], ['csidrivers']),
    rule(['get', 'create', 'update', 'patch', 'delete'], ['storage.k8s.io'], ['csinodes']),
    rule(['get', 'list', 'watch'], ['node.k8s.io'], ['runtimeclasses']),
  ];
}

const aggregateToView: PolicyRule[] = [
  rule(READ, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints',
    'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
  rule(READ, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status',
    'replicationcontrollers/status', 'pods/log']),
  rule(READ, [''], ['namespaces']),
  rule(READ, ['discovery.k8s.io'], ['endpointslices']),
  rule(READ, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status',
    'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
  rule(READ, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
  rule(READ, ['batch'], ['jobs', 'cronjobs', 'cronjobs/status', 'jobs/status']),
  rule(READ, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status',
    'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale', 'networkpolicies']),
  rule(READ, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
  rule(READ, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
];
const aggregateToEdit: PolicyRule[] = [
  rule(READ, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
  rule(['impersonate'], [''], ['serviceaccounts']),
  rule(WRITE, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
  rule(['create'], [''], ['pods/eviction']),
  rule(WRITE, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/proxy',
    'persistentvolumeclaims', 'configmaps', 'secrets', 'events']),
  rule(['create'], [''], ['serviceaccounts/token']),
  rule(WRITE, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
  rule(WRITE, ['autoscaling'], ['horizontalpodautoscalers']),
  rule(WRITE, ['batch'], ['jobs', 'cronjobs']),
  rule(WRITE, ['extensions'], ['daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'ingresses', 'replicasets', 'replicasets/scale',
    'replicationcontrollers/scale', 'networkpolicies']),
  rule(WRITE, ['policy'], ['poddisruptionbudgets']),
  rule(WRITE, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
  rule(WRITE, ['coordination.k8s.io'], ['leases']),
];
const aggregateToAdmin: PolicyRule[] = [
  rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
  rule(READ_WRITE, ['rbac.authorization.k8s.io'], ['roles', 'rolebindings']),
];

type Meta = { name: string; labels?: Record<string, string>; namespace?: string };
interface RoleSpec { meta: Meta; rules: PolicyRule[]; aggregateFrom?: string }

const agg = (to: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${to}`]: 'true' });

export function clusterRoles(): RoleSpec[] {
  return [
    { meta: { name: 'cluster-admin' }, rules: [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])] },
    { meta: { name: 'system:discovery' }, rules: [urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'])] },
    { meta: { name: 'system:monitoring' }, rules: [urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'])] },
    { meta: { name: 'system:basic-user' }, rules: [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ] },
    { meta: { name: 'system:public-info-viewer' }, rules: [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])] },
    { meta: { name: 'admin', labels: {} }, rules: [...aggregateToAdmin, ...aggregateToEdit, ...aggregateToView], aggregateFrom: 'admin' },
    { meta: { name: 'edit', labels: agg('admin') }, rules: [...aggregateToEdit, ...aggregateToView], aggregateFrom: 'edit' },
    { meta: { name: 'view', labels: agg('edit') }, rules: [...aggregateToView], aggregateFrom: 'view' },
    { meta: { name: 'system:aggregate-to-admin', labels: agg('admin') }, rules: aggregateToAdmin },
    { meta: { name: 'system:aggregate-to-edit', labels: agg('edit') }, rules: aggregateToEdit },
    { meta: { name: 'system:aggregate-to-view', labels: agg('view') }, rules: aggregateToView },
    { meta: { name: 'system:heapster' }, rules: [rule(READ, [''], ['events', 'pods', 'nodes', 'namespaces']), rule(READ, ['extensions'], ['deployments'])] },
    { meta: { name: 'system:node' }, rules: nodeRules() },
    { meta: { name: 'system:node-problem-detector' }, rules: [rule(['get'], [''], ['nodes']), rule(['patch'], [''], ['nodes/status']), events()] },
    { meta: { name: 'system:kubelet-api-admin' }, rules: [
      rule(['get', 'list', 'watch'], [''], ['nodes']), rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/proxy', 'nodes/metrics', 'nodes/spec', 'nodes/stats', 'nodes/log']),
    ] },
    { meta: { name: 'system:node-bootstrapper' }, rules: [rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests'])] },
    { meta: { name: 'system:auth-delegator' }, rules: [rule(['create'], ['authentication.k8s.io'], ['tokenreviews']), rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews'])] },
    { meta: { name: 'system:kube-aggregator' }, rules: [rule(READ, [''], ['services', 'endpoints'])] },
    { meta: { name: 'system:kube-controller-manager' }, rules: [
      events(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      rule(['create'], [''], ['endpoints']),
      rule(['get', 'update'], [''], ['endpoints'], ['kube-controller-manager']),
      rule(['create'], [''], ['secrets', 'serviceaccounts']),
      rule(['delete'], [''], ['secrets']),
      rule(['get'], [''], ['namespaces', 'secrets', 'serviceaccounts', 'configmaps']),
      rule(['update'], [''], ['secrets', 'serviceaccounts']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ] },
    { meta: { name: 'system:kube-dns' }, rules: [rule(['list', 'watch'], [''], ['endpoints', 'services'])] },
    { meta: { name: 'system:persistent-volume-provisioner' }, rules: [
      rule(['get', 'list', 'watch', 'create', 'delete'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'watch', 'update'], [''], ['persistentvolumeclaims']),
      rule(READ, ['storage.k8s.io'], ['storageclasses']),
      rule(['watch'], [''], ['events']),
      events(),
    ] },
    { meta: { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient' }, rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'])] },
    { meta: { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient' }, rules: [rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'])] },
    { meta: { name: 'system:volume-scheduler' }, rules: [
      rule(READ_UPDATE, [''], ['persistentvolumes']), rule(READ, ['storage.k8s.io'], ['storageclasses']), rule(READ_UPDATE, [''], ['persistentvolumeclaims']),
    ] },
    { meta: { name: 'system:certificates.k8s.io:legacy-unknown-approver' }, rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], [CSR_SIGNERS.legacy])] },
    { meta: { name: 'system:certificates.k8s.io:kubelet-serving-approver' }, rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], [CSR_SIGNERS.serving])] },
    { meta: { name: 'system:certificates.k8s.io:kube-apiserver-client-approver' }, rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], [CSR_SIGNERS.client])] },
    { meta: { name: 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver' }, rules: [rule(['approve'], ['certificates.k8s.io'], ['signers'], [CSR_SIGNERS.kubelet])] },
    { meta: { name: 'system:service-account-issuer-discovery' }, rules: [urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/'])] },
    { meta: { name: 'system:node-proxier' }, rules: [
      rule(['list', 'watch'], [''], ['services', 'endpoints']), rule(['get', 'list', 'watch'], [''], ['nodes']), events(),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ] },
    { meta: { name: 'system:kube-scheduler' }, rules: [
      events(),
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(['create'], [''], ['endpoints']),
      rule(['get', 'update'], [''], ['endpoints'], ['kube-scheduler']),
      rule(READ, [''], ['nodes']),
      rule(READ, [''], ['namespaces']),
      rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
      rule(['create'], [''], ['pods/binding', 'bindings']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(READ, [''], ['services', 'replicationcontrollers']),
      rule(READ, ['apps', 'extensions'], ['replicasets']),
      rule(READ, ['apps'], ['statefulsets']),
      rule(READ, ['policy'], ['poddisruptionbudgets']),
      rule(READ, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(READ, ['storage.k8s.io'], ['csinodes']),
      rule(READ, ['storage.k8s.io'], ['csidrivers', 'csistoragecapacities']),
    ] },
    // controller_policy.go: the certificate controller (csrapproving, csrsigning, csrcleaner)
    { meta: { name: 'system:controller:certificate-controller' }, rules: [
      rule(['get', 'list', 'watch', 'delete'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['update'], ['certificates.k8s.io'], ['certificatesigningrequests/status', 'certificatesigningrequests/approval']),
      rule(['approve'], ['certificates.k8s.io'], ['signers'], [CSR_SIGNERS.kubelet]),
      rule(['sign'], ['certificates.k8s.io'], ['signers'], [CSR_SIGNERS.legacy, CSR_SIGNERS.client, CSR_SIGNERS.kubelet, CSR_SIGNERS.serving]),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      events(),
    ] },
    // controller_policy.go: the serviceaccount controller (a default ServiceAccount in every namespace)
    { meta: { name: 'system:controller:service-account-controller' }, rules: [rule(['create'], [''], ['serviceaccounts']), events()] },
  ];
}

type Subject = { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string };
const users = (...n: string[]): Subject[] => n.map((name) => ({ kind: 'User', name }));
const groups = (...n: string[]): Subject[] => n.map((name) => ({ kind: 'Group', name }));
const sa = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

export function clusterRoleBindings(): { name: string; role: string; subjects: Subject[] }[] {
  return [
    { name: 'cluster-admin', role: 'cluster-admin', subjects: groups('system:masters') },
    { name: 'system:monitoring', role: 'system:monitoring', subjects: groups('system:monitoring') },
    { name: 'system:discovery', role: 'system:discovery', subjects: groups('system:authenticated') },
    { name: 'system:basic-user', role: 'system:basic-user', subjects: groups('system:authenticated') },
    { name: 'system:public-info-viewer', role: 'system:public-info-viewer', subjects: groups('system:authenticated', 'system:unauthenticated') },
    { name: 'system:node-proxier', role: 'system:node-proxier', subjects: users('system:kube-proxy') },
    { name: 'system:kube-controller-manager', role: 'system:kube-controller-manager', subjects: users('system:kube-controller-manager') },
    { name: 'system:kube-dns', role: 'system:kube-dns', subjects: [sa('kube-system', 'kube-dns')] },
    { name: 'system:kube-scheduler', role: 'system:kube-scheduler', subjects: users('system:kube-scheduler') },
    { name: 'system:volume-scheduler', role: 'system:volume-scheduler', subjects: users('system:kube-scheduler') },
    // Deprecated since the Node authorizer: kept with no subjects, as the real policy does.
    { name: 'system:node', role: 'system:node', subjects: [] },
    { name: 'system:service-account-issuer-discovery', role: 'system:service-account-issuer-discovery', subjects: groups('system:serviceaccounts') },
    { name: 'system:controller:certificate-controller', role: 'system:controller:certificate-controller', subjects: [sa('kube-system', 'certificate-controller')] },
    { name: 'system:controller:service-account-controller', role: 'system:controller:service-account-controller', subjects: [sa('kube-system', 'service-account-controller')] },
  ];
}

export function namespaceRoles(): RoleSpec[] {
  const ks = 'kube-system';
  return [
    { meta: { name: 'extension-apiserver-authentication-reader', namespace: ks }, rules: [rule(READ, [''], ['configmaps'], ['extension-apiserver-authentication'])] },
    { meta: { name: 'system::leader-locking-kube-controller-manager', namespace: ks }, rules: [rule(['watch'], [''], ['configmaps']), rule(['get', 'update'], [''], ['configmaps'], ['kube-controller-manager'])] },
    { meta: { name: 'system::leader-locking-kube-scheduler', namespace: ks }, rules: [rule(['watch'], [''], ['configmaps']), rule(['get', 'update'], [''], ['configmaps'], ['kube-scheduler'])] },
    { meta: { name: 'system:controller:bootstrap-signer', namespace: ks }, rules: [rule(READ, [''], ['secrets'])] },
    { meta: { name: 'system:controller:cloud-provider', namespace: ks }, rules: [rule(['create', 'get', 'list', 'watch'], [''], ['configmaps'])] },
    { meta: { name: 'system:controller:token-cleaner', namespace: ks }, rules: [rule(['delete', 'get', 'list', 'watch'], [''], ['secrets']), events()] },
    { meta: { name: 'system:controller:bootstrap-signer', namespace: 'kube-public' }, rules: [
      rule(READ, [''], ['configmaps']), rule(['update'], [''], ['configmaps'], ['cluster-info']), events(),
    ] },
  ];
}

export function namespaceRoleBindings(): { name: string; namespace: string; role: string; subjects: Subject[] }[] {
  const ks = 'kube-system';
  return [
    { name: 'system::extension-apiserver-authentication-reader', namespace: ks, role: 'extension-apiserver-authentication-reader',
      subjects: users('system:kube-controller-manager', 'system:kube-scheduler') },
    { name: 'system::leader-locking-kube-controller-manager', namespace: ks, role: 'system::leader-locking-kube-controller-manager',
      subjects: [...users('system:kube-controller-manager'), sa(ks, 'kube-controller-manager')] },
    { name: 'system::leader-locking-kube-scheduler', namespace: ks, role: 'system::leader-locking-kube-scheduler',
      subjects: [...users('system:kube-scheduler'), sa(ks, 'kube-scheduler')] },
    { name: 'system:controller:bootstrap-signer', namespace: ks, role: 'system:controller:bootstrap-signer', subjects: [sa(ks, 'bootstrap-signer')] },
    { name: 'system:controller:cloud-provider', namespace: ks, role: 'system:controller:cloud-provider', subjects: [sa(ks, 'cloud-provider')] },
    { name: 'system:controller:token-cleaner', namespace: ks, role: 'system:controller:token-cleaner', subjects: [sa(ks, 'token-cleaner')] },
    { name: 'system:controller:bootstrap-signer', namespace: 'kube-public', role: 'system:controller:bootstrap-signer', subjects: [sa(ks, 'bootstrap-signer')] },
  ];
}

const METADATA_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const METADATA_ANNOTATIONS = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function subjectOut(s: Subject): Record<string, string> {
  return s.kind === 'ServiceAccount' ? { kind: s.kind, name: s.name, namespace: s.namespace! } : { apiGroup: 'rbac.authorization.k8s.io', kind: s.kind, name: s.name };
}

/** Every default object with its storage coordinates (resource, namespace, name). */
export function defaultPolicyObjects(): { resource: string; namespace?: string; name: string; object: Record<string, unknown> }[] {
  const api = 'rbac.authorization.k8s.io/v1';
  const meta = (m: Meta) => ({ name: m.name, ...(m.namespace ? { namespace: m.namespace } : {}), labels: { ...METADATA_LABELS, ...(m.labels ?? {}) }, annotations: { ...METADATA_ANNOTATIONS } });
  const out: ReturnType<typeof defaultPolicyObjects> = [];
  for (const r of clusterRoles()) {
    out.push({ resource: 'clusterroles', name: r.meta.name, object: { apiVersion: api, kind: 'ClusterRole', metadata: meta(r.meta), rules: r.rules,
      ...(r.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: agg(r.aggregateFrom) }] } } : {}) } });
  }
  for (const b of clusterRoleBindings()) {
    out.push({ resource: 'clusterrolebindings', name: b.name, object: { apiVersion: api, kind: 'ClusterRoleBinding', metadata: meta({ name: b.name }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: b.role }, ...(b.subjects.length ? { subjects: b.subjects.map(subjectOut) } : {}) } });
  }
  for (const r of namespaceRoles()) {
    out.push({ resource: 'roles', namespace: r.meta.namespace, name: r.meta.name, object: { apiVersion: api, kind: 'Role', metadata: meta(r.meta), rules: r.rules } });
  }
  for (const b of namespaceRoleBindings()) {
    out.push({ resource: 'rolebindings', namespace: b.namespace, name: b.name, object: { apiVersion: api, kind: 'RoleBinding',
      metadata: meta({ name: b.name, namespace: b.namespace }), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: b.role }, subjects: b.subjects.map(subjectOut) } });
  }
  return out;
}
