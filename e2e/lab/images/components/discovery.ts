/**
 * The API surface the apiserver stand-in serves, as data: every group/version/resource with its kind, scope,
 * verbs, short names and subresources. It drives discovery (/api, /api/v1, /apis, /apis/<group>/<version>),
 * which paths exist at all (anything else is 404 as on the real server), and the scope of stored keys.
 */

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural name, e.g. "deployments". */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresource name → verbs (and kind when it differs from the resource's). */
  subresources?: Record<string, { verbs: string[]; kind?: string; group?: string; version?: string }>;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS = { verbs: ['get', 'patch', 'update'] };
const CREATE_ONLY = ['create'];

type Row = [name: string, kind: string, namespaced: boolean, shortNames?: string[], extra?: Partial<ResourceInfo>];

function rows(group: string, version: string, list: Row[]): ResourceInfo[] {
  return list.map(([name, kind, namespaced, shortNames, extra]) => ({
    group, version, name, kind, namespaced, singularName: kind.toLowerCase(), verbs: CRUD,
    ...(shortNames?.length ? { shortNames } : {}), ...extra,
  }));
}

const scale = { verbs: ['get', 'patch', 'update'], kind: 'Scale', group: 'autoscaling', version: 'v1' };

export const RESOURCES: ResourceInfo[] = [
  ...rows('', 'v1', [
    ['bindings', 'Binding', true, [], { verbs: CREATE_ONLY }],
    ['componentstatuses', 'ComponentStatus', false, ['cs'], { verbs: ['get', 'list'] }],
    ['configmaps', 'ConfigMap', true, ['cm']],
    ['endpoints', 'Endpoints', true, ['ep']],
    ['events', 'Event', true, ['ev']],
    ['limitranges', 'LimitRange', true, ['limits']],
    ['namespaces', 'Namespace', false, ['ns'], { verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: { finalize: { verbs: ['update'] }, status: STATUS } }],
    ['nodes', 'Node', false, ['no'], { subresources: { proxy: { verbs: ['create', 'delete', 'get', 'patch', 'update'], kind: 'NodeProxyOptions' }, status: STATUS } }],
    ['persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc'], { subresources: { status: STATUS } }],
    ['persistentvolumes', 'PersistentVolume', false, ['pv'], { subresources: { status: STATUS } }],
    ['pods', 'Pod', true, ['po'], { categories: ['all'], subresources: {
      binding: { verbs: CREATE_ONLY, kind: 'Binding' }, eviction: { verbs: CREATE_ONLY, kind: 'Eviction', group: 'policy', version: 'v1' },
      log: { verbs: ['get'] }, status: STATUS } }],
    ['podtemplates', 'PodTemplate', true],
    ['replicationcontrollers', 'ReplicationController', true, ['rc'], { categories: ['all'], subresources: { scale, status: STATUS } }],
    ['resourcequotas', 'ResourceQuota', true, ['quota'], { subresources: { status: STATUS } }],
    ['secrets', 'Secret', true],
    ['serviceaccounts', 'ServiceAccount', true, ['sa'], { subresources: { token: { verbs: CREATE_ONLY, kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1' } } }],
    ['services', 'Service', true, ['svc'], { categories: ['all'], subresources: { status: STATUS } }],
  ]),
  ...rows('apps', 'v1', [
    ['controllerrevisions', 'ControllerRevision', true],
    ['daemonsets', 'DaemonSet', true, ['ds'], { categories: ['all'], subresources: { status: STATUS } }],
    ['deployments', 'Deployment', true, ['deploy'], { categories: ['all'], subresources: { scale, status: STATUS } }],
    ['replicasets', 'ReplicaSet', true, ['rs'], { categories: ['all'], subresources: { scale, status: STATUS } }],
    ['statefulsets', 'StatefulSet', true, ['sts'], { categories: ['all'], subresources: { scale, status: STATUS } }],
  ]),
  ...rows('authentication.k8s.io', 'v1', [
    ['selfsubjectreviews', 'SelfSubjectReview', false, [], { verbs: CREATE_ONLY }],
    ['tokenreviews', 'TokenReview', false, [], { verbs: CREATE_ONLY }],
  ]),
  ...rows('authorization.k8s.io', 'v1', [
    ['localsubjectaccessreviews', 'LocalSubjectAccessReview', true, [], { verbs: CREATE_ONLY }],
    ['selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, [], { verbs: CREATE_ONLY }],
    ['selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, [], { verbs: CREATE_ONLY }],
    ['subjectaccessreviews', 'SubjectAccessReview', false, [], { verbs: CREATE_ONLY }],
  ]),
  ...rows('autoscaling', 'v2', [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, ['hpa'], { categories: ['all'], subresources: { status: STATUS } }]]),
  ...rows('batch', 'v1', [
    ['cronjobs', 'CronJob', true, ['cj'], { categories: ['all'], subresources: { status: STATUS } }],
    ['jobs', 'Job', true, [], { categories: ['all'], subresources: { status: STATUS } }],
  ]),
  ...rows('certificates.k8s.io', 'v1', [
    ['certificatesigningrequests', 'CertificateSigningRequest', false, ['csr'], { subresources: { approval: STATUS, status: STATUS } }],
  ]),
  ...rows('coordination.k8s.io', 'v1', [['leases', 'Lease', true]]),
  ...rows('discovery.k8s.io', 'v1', [['endpointslices', 'EndpointSlice', true]]),
  ...rows('events.k8s.io', 'v1', [['events', 'Event', true, ['ev']]]),
  ...rows('networking.k8s.io', 'v1', [
    ['ingressclasses', 'IngressClass', false],
    ['ingresses', 'Ingress', true, ['ing'], { subresources: { status: STATUS } }],
    ['networkpolicies', 'NetworkPolicy', true, ['netpol']],
  ]),
  ...rows('node.k8s.io', 'v1', [['runtimeclasses', 'RuntimeClass', false]]),
  ...rows('policy', 'v1', [['poddisruptionbudgets', 'PodDisruptionBudget', true, ['pdb'], { subresources: { status: STATUS } }]]),
  ...rows('rbac.authorization.k8s.io', 'v1', [
    ['clusterrolebindings', 'ClusterRoleBinding', false],
    ['clusterroles', 'ClusterRole', false],
    ['rolebindings', 'RoleBinding', true],
    ['roles', 'Role', true],
  ]),
  ...rows('scheduling.k8s.io', 'v1', [['priorityclasses', 'PriorityClass', false, ['pc']]]),
  ...rows('storage.k8s.io', 'v1', [
    ['csidrivers', 'CSIDriver', false],
    ['csinodes', 'CSINode', false],
    ['csistoragecapacities', 'CSIStorageCapacity', true],
    ['storageclasses', 'StorageClass', false, ['sc']],
    ['volumeattachments', 'VolumeAttachment', false, [], { subresources: { status: STATUS } }],
  ]),
  ...rows('apiextensions.k8s.io', 'v1', [
    ['customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds'], { subresources: { status: STATUS } }],
  ]),
  ...rows('admissionregistration.k8s.io', 'v1', [
    ['mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false],
    ['validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false],
  ]),
  ...rows('apiregistration.k8s.io', 'v1', [['apiservices', 'APIService', false, [], { subresources: { status: STATUS } }]]),
];

/** Groups in the order the real server lists them (legacy-first priority order). */
const GROUP_ORDER = [
  'apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
  'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'admissionregistration.k8s.io',
  'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io',
];

export function findResource(group: string, version: string, name: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}

export function apiVersions(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(): unknown {
  return {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: GROUP_ORDER.map((name) => {
      const version = RESOURCES.find((r) => r.group === name)!.version;
      const gv = { groupVersion: `${name}/${version}`, version };
      return { name, versions: [gv], preferredVersion: gv };
    }),
  };
}

export function apiGroup(name: string): unknown | undefined {
  const r = RESOURCES.find((x) => x.group === name);
  if (!r || !name) return undefined;
  const gv = { groupVersion: `${name}/${r.version}`, version: r.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: [gv], preferredVersion: gv };
}

/** The APIResourceList of /api/v1 or /apis/<group>/<version>; undefined when the group/version is not served. */
export function apiResourceList(group: string, version: string): unknown | undefined {
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const list: Record<string, unknown>[] = [];
  for (const r of resources) {
    list.push({
      name: r.name, singularName: r.singularName, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const [sub, s] of Object.entries(r.subresources ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
      list.push({ name: `${r.name}/${sub}`, singularName: '', namespaced: r.namespaced, ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
        kind: s.kind ?? r.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', ...(group ? { apiVersion: 'v1' } : {}), groupVersion: group ? `${group}/${version}` : version, resources: list };
}

/**
 * Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), what kubectl 1.27+ asks for first:
 * the legacy core group for /api, every other group for /apis.
 */
export function aggregatedDiscovery(legacy: boolean): unknown {
  const groups = legacy ? [''] : GROUP_ORDER;
  return {
    kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {},
    items: groups.map((g) => {
      const resources = RESOURCES.filter((r) => r.group === g);
      return {
        metadata: { ...(g ? { name: g } : {}), creationTimestamp: null },
        versions: [{
          version: resources[0]!.version,
          resources: resources.map((r) => ({
            resource: r.name, responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singularName, verbs: r.verbs,
            ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(r.categories ? { categories: r.categories } : {}),
            ...(r.subresources ? { subresources: Object.entries(r.subresources).map(([sub, s]) => ({
              subresource: sub, responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind ?? r.kind }, verbs: s.verbs,
            })) } : {}),
          })),
          freshness: 'Current',
        }],
      };
    }),
  };
}

export const AGGREGATED_DISCOVERY_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** The parameters of the first media type of an Accept header, e.g. {g: "meta.k8s.io", v: "v1", as: "Table"}. */
export function firstMediaType(accept: string | undefined): { type: string; params: Record<string, string> } {
  const [type, ...params] = (accept ?? '').split(',')[0]!.split(';').map((p) => p.trim());
  return { type: type ?? '', params: Object.fromEntries(params.map((p) => p.split('=', 2) as [string, string]).map(([k, v]) => [k, v ?? ''])) };
}

/** True when the Accept header asks for aggregated discovery v2 before anything else. */
export function wantsAggregated(accept: string | undefined): boolean {
  const { type, params } = firstMediaType(accept);
  return type === 'application/json' && params.g === 'apidiscovery.k8s.io' && params.v === 'v2' && params.as === 'APIGroupDiscoveryList';
}

/**
 * A minimal OpenAPI v3 (/openapi/v3 and /openapi/v3/<api|apis/group/version>): the operations of every
 * resource path with their group-version-kind and the fieldValidation query parameter, which is what kubectl
 * looks for to leave validation to the server. Schemas are not served (kubectl explain has nothing to show).
 */
export function openApiV3Root(): unknown {
  const gvs = [...new Set(RESOURCES.map((r) => (r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`)))];
  return { paths: Object.fromEntries(gvs.map((gv) => [gv, { serverRelativeURL: `/openapi/v3/${gv}?hash=${OPENAPI_HASH}` }])) };
}

const OPENAPI_HASH = 'B1A2B5C7D3E4F6A8B9C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F1A2';

export function openApiV3Document(gvPath: string): unknown | undefined {
  const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(gvPath);
  if (!m) return undefined;
  const [group, version] = m[1] ? ['', m[1]] : [m[2]!, m[3]!];
  const resources = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (resources.length === 0) return undefined;
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const param = (name: string) => ({ name, in: 'query', description: '', schema: { type: 'string', uniqueItems: true } });
  const writeParams = [param('dryRun'), param('fieldManager'), param('fieldValidation')];
  const op = (r: ResourceInfo, action: string, kind = r.kind, params = writeParams) => ({
    tags: [`${group || 'core'}_${version}`], operationId: `${action}${kind}`, parameters: params,
    responses: { '200': { description: 'OK' } }, 'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group, version, kind },
  });
  const paths: Record<string, unknown> = {};
  for (const r of resources) {
    const collection = r.namespaced ? `${base}/namespaces/{namespace}/${r.name}` : `${base}/${r.name}`;
    paths[collection] = { ...(r.verbs.includes('list') ? { get: op(r, 'list', r.kind, []) } : {}), ...(r.verbs.includes('create') ? { post: op(r, 'post') } : {}) };
    if (r.verbs.includes('get') || r.verbs.includes('update')) {
      paths[`${collection}/{name}`] = { get: op(r, 'get', r.kind, []), put: op(r, 'put'), patch: op(r, 'patch'), delete: op(r, 'delete', r.kind, [param('dryRun')]) };
    }
    for (const [sub, s] of Object.entries(r.subresources ?? {})) {
      const kind = s.kind ?? r.kind;
      paths[`${collection}/{name}/${sub}`] = Object.fromEntries(
        [['get', 'get'], ['put', 'update'], ['patch', 'patch'], ['post', 'create']].filter(([, v]) => s.verbs.includes(v!)).map(([m2]) => [m2, op(r, m2 === 'post' ? 'post' : m2!, kind)]));
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, components: {} };
}
