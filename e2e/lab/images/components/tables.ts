/**
 * Server-side printing: the meta.k8s.io Table kubectl asks for (Accept: application/json;as=Table;v=v1;
 * g=meta.k8s.io), with the columns of the real server's printers (pkg/printers/internalversion) for the
 * resources a kubeadm cluster shows, and the default Name / Created At columns for the rest. All columns are
 * always sent; kubectl hides priority-1 columns unless -o wide.
 */
import type { ResourceInfo } from './discovery.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  description?: string;
}

/** duration.HumanDuration from k8s.io/apimachinery. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(o: Obj): string {
  const t = o.metadata?.creationTimestamp;
  return t ? humanDuration(Date.now() - Date.parse(t)) : '<unknown>';
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names' };
const AGE: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };
const wide = (name: string, type = 'string'): Column => ({ name, type, priority: 1 });
const col = (name: string, type = 'string'): Column => ({ name, type });

const count = (m: unknown) => Object.keys((m as object | undefined) ?? {}).length;
const orNone = (s: string | undefined) => (s ? s : '<none>');

/** Roles of a node from its node-role.kubernetes.io/<role> and kubernetes.io/role labels, as findNodeRoles does. */
function nodeRoles(o: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((o.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeStatus(o: Obj): string {
  const ready = ((o.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (o.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

const address = (o: Obj, type: string) => ((o.status?.addresses ?? []) as Obj[]).find((a) => a.type === type)?.address ?? '<none>';

function subjects(o: Obj, kind: string): string {
  return ((o.subjects ?? []) as Obj[]).filter((s) => s.kind === kind).map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');
}

function csrCondition(o: Obj): string {
  const types = new Set(((o.status?.conditions ?? []) as Obj[]).map((c) => c.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (o.status?.certificate) s += ',Issued';
  return s;
}

/**
 * printPod's READY, STATUS and RESTARTS (pkg/printers/internalversion/printers.go, pods without init containers):
 * the phase or status.reason, overridden by the last container's waiting or terminated reason (ExitCode:N without
 * one), "Running"/"NotReady" for a Completed container beside running ones, Terminating once deleted; restarts with
 * "(<age> ago)" of the latest last-state finish.
 */
function podReady(o: Obj): [string, string, string] {
  const statuses = (o.status?.containerStatuses ?? []) as Obj[];
  const total = ((o.spec?.containers ?? []) as Obj[]).length;
  let reason = String(o.status?.reason || o.status?.phase || '');
  let restarts = 0;
  let ready = 0;
  let hasRunning = false;
  let lastRestart = 0;
  for (const c of [...statuses].reverse()) {
    restarts += Number(c.restartCount ?? 0);
    const finished = Date.parse(c.lastState?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(finished)) lastRestart = Math.max(lastRestart, finished);
    const terminated = c.state?.terminated;
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (terminated?.reason) reason = terminated.reason;
    else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
    else if (c.ready && c.state?.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = ((o.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
  if (o.metadata?.deletionTimestamp && o.status?.reason === 'NodeLost') reason = 'Unknown';
  else if (o.metadata?.deletionTimestamp && !['Succeeded', 'Failed'].includes(o.status?.phase)) reason = 'Terminating';
  const restartText = restarts !== 0 && lastRestart > 0 ? `${restarts} (${humanDuration(Date.now() - lastRestart)} ago)` : String(restarts);
  return [`${ready}/${total}`, reason, restartText];
}

const containers = (spec: Obj | undefined) => ((spec?.template?.spec?.containers ?? []) as Obj[]);
const selectorText = (s: Obj | undefined) => Object.entries((s?.matchLabels ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') || '<none>';

const PRINTERS: Record<string, { columns: Column[]; cells: (o: Obj) => unknown[] }> = {
  nodes: {
    columns: [NAME, col('Status'), col('Roles'), AGE, col('Version'), wide('Internal-IP'), wide('External-IP'), wide('OS-Image'), wide('Kernel-Version'), wide('Container-Runtime')],
    cells: (o) => {
      const info = (o.status?.nodeInfo ?? {}) as Obj;
      return [o.metadata.name, nodeStatus(o), nodeRoles(o), age(o), info.kubeletVersion ?? '', address(o, 'InternalIP'), address(o, 'ExternalIP'),
        info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>'];
    },
  },
  namespaces: { columns: [NAME, col('Status'), AGE], cells: (o) => [o.metadata.name, o.status?.phase ?? '', age(o)] },
  configmaps: { columns: [NAME, col('Data', 'integer'), AGE], cells: (o) => [o.metadata.name, count(o.data) + count(o.binaryData), age(o)] },
  secrets: { columns: [NAME, col('Type'), col('Data', 'integer'), AGE], cells: (o) => [o.metadata.name, o.type ?? 'Opaque', count(o.data), age(o)] },
  serviceaccounts: { columns: [NAME, col('Secrets', 'string'), AGE], cells: (o) => [o.metadata.name, String(((o.secrets ?? []) as unknown[]).length), age(o)] },
  pods: {
    columns: [NAME, col('Ready'), col('Status'), col('Restarts', 'string'), AGE, wide('IP'), wide('Node'), wide('Nominated Node'), wide('Readiness Gates')],
    cells: (o) => {
      const [ready, status, restarts] = podReady(o);
      return [o.metadata.name, ready, status, restarts, age(o), o.status?.podIP ?? '<none>', o.spec?.nodeName ?? '<none>', o.status?.nominatedNodeName ?? '<none>', '<none>'];
    },
  },
  services: {
    columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, wide('Selector')],
    cells: (o) => [o.metadata.name, o.spec?.type ?? 'ClusterIP', o.spec?.clusterIP ?? '<none>', (o.spec?.externalIPs ?? []).join(',') || '<none>',
      ((o.spec?.ports ?? []) as Obj[]).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>', age(o),
      Object.entries((o.spec?.selector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'],
  },
  endpoints: {
    columns: [NAME, col('Endpoints'), AGE],
    cells: (o) => [o.metadata.name, ((o.subsets ?? []) as Obj[]).flatMap((s) => ((s.addresses ?? []) as Obj[]).flatMap((a) => ((s.ports ?? [{}]) as Obj[]).map((p) => (p.port ? `${a.ip}:${p.port}` : a.ip)))).join(',') || '<none>', age(o)],
  },
  clusterrolebindings: {
    columns: [NAME, col('Role'), AGE, wide('Users'), wide('Groups'), wide('ServiceAccounts')],
    cells: (o) => [o.metadata.name, `${o.roleRef?.kind}/${o.roleRef?.name}`, age(o), subjects(o, 'User'), subjects(o, 'Group'), subjects(o, 'ServiceAccount')],
  },
  rolebindings: {
    columns: [NAME, col('Role'), AGE, wide('Users'), wide('Groups'), wide('ServiceAccounts')],
    cells: (o) => [o.metadata.name, `${o.roleRef?.kind}/${o.roleRef?.name}`, age(o), subjects(o, 'User'), subjects(o, 'Group'), subjects(o, 'ServiceAccount')],
  },
  events: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), wide('Subobject'), wide('Source'), col('Message'), wide('First Seen'), wide('Count', 'integer'), wide('Name')],
    cells: (o) => {
      const since = (t: string | undefined) => (t ? humanDuration(Date.now() - Date.parse(t)) : '<unknown>');
      const last = o.series?.lastObservedTime ?? o.lastTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp;
      const first = o.firstTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp;
      const involved = (o.involvedObject ?? {}) as Obj;
      const source = [o.source?.component ?? o.reportingComponent, o.source?.host].filter(Boolean).join(', ');
      return [since(last), o.type ?? '', o.reason ?? '', `${String(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`, involved.fieldPath ?? '',
        source, String(o.message ?? '').trim(), since(first), Number(o.count ?? o.series?.count ?? 1), o.metadata?.name];
    },
  },
  clusterroles: { columns: [NAME, { name: 'Created At', type: 'date' }], cells: (o) => [o.metadata.name, o.metadata.creationTimestamp] },
  roles: { columns: [NAME, { name: 'Created At', type: 'date' }], cells: (o) => [o.metadata.name, o.metadata.creationTimestamp] },
  leases: { columns: [NAME, col('Holder'), AGE], cells: (o) => [o.metadata.name, o.spec?.holderIdentity ?? '', age(o)] },
  certificatesigningrequests: {
    columns: [NAME, AGE, col('SignerName'), col('Requestor'), col('RequestedDuration'), col('Condition')],
    cells: (o) => [o.metadata.name, age(o), o.spec?.signerName ?? '', o.spec?.username ?? '',
      o.spec?.expirationSeconds ? humanDuration(Number(o.spec.expirationSeconds) * 1000) : '<none>', csrCondition(o)],
  },
  deployments: {
    columns: [NAME, col('Ready'), col('Up-to-date', 'string'), col('Available', 'string'), AGE, wide('Containers'), wide('Images'), wide('Selector')],
    cells: (o) => [o.metadata.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`, String(o.status?.updatedReplicas ?? 0), String(o.status?.availableReplicas ?? 0), age(o),
      containers(o.spec).map((c) => c.name).join(','), containers(o.spec).map((c) => c.image).join(','), selectorText(o.spec?.selector)],
  },
  daemonsets: {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'),
      col('Node Selector'), AGE, wide('Containers'), wide('Images'), wide('Selector')],
    cells: (o) => {
      const s = (o.status ?? {}) as Obj;
      return [o.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0,
        Object.entries((o.spec?.template?.spec?.nodeSelector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',') || '<none>', age(o),
        containers(o.spec).map((c) => c.name).join(','), containers(o.spec).map((c) => c.image).join(','), selectorText(o.spec?.selector)];
    },
  },
};

const DEFAULT = { columns: [NAME, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
  cells: (o: Obj) => [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''] };

/** The Table version an Accept header asks for ("v1", "v1beta1"), or undefined for plain objects. */
export function wantsTable(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const type of (accept ?? '').split(',')) {
    const params = Object.fromEntries(type.split(';').slice(1).map((p) => p.trim().split('=', 2) as [string, string]));
    if (params.as === 'Table' && params.g === 'meta.k8s.io' && (params.v === 'v1' || params.v === 'v1beta1')) return params.v;
    if (type.trim().startsWith('application/json') && !params.as) return undefined;
  }
  return undefined;
}

/** A Table of `items` (a list, or one object for a GET by name). includeObject: None, Metadata (default) or Object. */
export function toTable(r: ResourceInfo, items: Obj[], version: 'v1' | 'v1beta1', listMeta: Obj, includeObject: string | null): Obj {
  const printer = PRINTERS[r.name] ?? DEFAULT;
  return {
    kind: 'Table', apiVersion: `meta.k8s.io/${version}`, metadata: listMeta,
    columnDefinitions: printer.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: printer.cells(o),
      ...(includeObject === 'None' ? {} : {
        object: includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
      }),
    })),
  };
}
