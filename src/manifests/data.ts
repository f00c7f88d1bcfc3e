/**
 * Loads templates/manifests/static-pods.yaml: kubeadm's static Pod shapes as per-version tables.
 * The file is resolved from this module's location (dist/src/manifests/data.js → ../../../templates), so it
 * works from a checkout and from the installed package alike.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import semver from 'semver';

export type ControlPlaneComponent = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';
export const CONTROL_PLANE_COMPONENTS: readonly ControlPlaneComponent[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
];

export interface Row<T> {
  versions: string;
  value: T;
}

/** When a flag depends on the inventory rather than on the version. */
export type FlagCondition = 'podSubnet' | 'podSubnetAndServiceSubnet' | 'clusterName' | 'joiningEtcdCluster';

export interface FlagRow {
  name: string;
  value: string;
  versions?: string;
  when?: FlagCondition;
  /** Left out when the component's extra arguments set this flag. */
  unlessExtraArg?: string;
  /** Only when the etcd image's version satisfies this range. */
  etcdVersions?: string;
}

export interface ProbeRow {
  versions: string;
  liveness: string;
  readiness?: string;
  startup: string;
}

export interface ResourceRow {
  versions: string;
  requests: Record<string, string>;
}

export interface VolumeSpec {
  name: string;
  hostPath: string;
  type: string;
  readOnly: boolean;
  /** The host and container path follow this extra argument of the component when it is set. */
  pathFromExtraArg?: string;
}

export interface ComponentData {
  scheme: 'HTTP' | 'HTTPS';
  /** The probe port; kube-apiserver probes its bind port instead. */
  port?: number;
  resources: ResourceRow[];
  probes: ProbeRow[];
  flags: FlagRow[];
  volumes: VolumeSpec[];
  /** Also mount the distribution's CA directories that exist on the host. */
  caCertsExtra?: boolean;
  /** Keep the volume mounts in the listed order instead of sorting them by name. */
  mountsInListedOrder?: boolean;
}

export interface ProbeTiming {
  initialDelaySeconds?: number;
  timeoutSeconds: number;
  failureThreshold: number;
  periodSeconds: number;
}

export interface StaticPodData {
  supportedVersions: string;
  probeTimings: { liveness: ProbeTiming; readiness: ProbeTiming; startup: ProbeTiming };
  traits: {
    creationTimestampNull: Row<boolean>[];
    seccompRuntimeDefault: Row<boolean>[];
    explicitPriority: Row<boolean>[];
    namedProbePort: Row<boolean>[];
    authorizationModeFromExtraArgs: Row<'passthrough' | 'filtered'>[];
    caCertsExtraPaths: Row<string[]>[];
  };
  pod: {
    namespace: string;
    tier: string;
    priorityClassName: string;
    priority: number;
    imagePullPolicy: string;
    probePortName: string;
    annotations: Partial<Record<ControlPlaneComponent, Record<string, string>>>;
  };
  components: Record<ControlPlaneComponent, ComponentData>;
}

export const DATA_FILE = fileURLToPath(new URL('../../../templates/manifests/static-pods.yaml', import.meta.url));

let cached: StaticPodData | undefined;

/** The parsed and checked data file (read once). Throws when the file is malformed: that is a packaging bug. */
export function staticPodData(): StaticPodData {
  cached ??= checked(parse(readFileSync(DATA_FILE, 'utf8')) as StaticPodData);
  return cached;
}

function fail(message: string): never {
  throw new Error(`${DATA_FILE}: ${message}`);
}

function checkRange(range: unknown, where: string): void {
  if (typeof range !== 'string' || semver.validRange(range) === null) fail(`${where}: invalid semver range ${JSON.stringify(range)}`);
}

function checked(data: StaticPodData): StaticPodData {
  if (!data || typeof data !== 'object') fail('not a YAML mapping');
  checkRange(data.supportedVersions, 'supportedVersions');
  for (const [name, rows] of Object.entries(data.traits ?? fail('traits missing'))) {
    if (!Array.isArray(rows) || rows.length === 0) fail(`traits.${name}: expected a non-empty table`);
    rows.forEach((row: Row<unknown>, i: number) => checkRange(row.versions, `traits.${name}[${i}]`));
  }
  for (const component of CONTROL_PLANE_COMPONENTS) {
    const c = data.components?.[component] ?? fail(`components.${component} missing`);
    for (const table of ['resources', 'probes'] as const) {
      if (!Array.isArray(c[table]) || c[table].length === 0) fail(`components.${component}.${table}: expected a non-empty table`);
      c[table].forEach((row, i) => checkRange(row.versions, `components.${component}.${table}[${i}]`));
    }
    c.flags.forEach((flag, i) => {
      const where = `components.${component}.flags[${i}]`;
      if (typeof flag.name !== 'string' || typeof flag.value !== 'string') fail(`${where}: name and value must be strings`);
      if (flag.versions !== undefined) checkRange(flag.versions, where);
      if (flag.etcdVersions !== undefined) checkRange(flag.etcdVersions, where);
    });
    if (!Array.isArray(c.volumes)) fail(`components.${component}.volumes: expected a list`);
  }
  return data;
}
