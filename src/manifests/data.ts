/**
 * Loads templates/manifests/static-pods.yaml: kubeadm's static Pod shapes as per-version tables.
 * The file is resolved from this module's location (dist/src/manifests/data.js → ../../../templates), so it
 * works from a checkout and from the installed package alike.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import semver from 'semver';
import { defineTable, type Row } from '../kube/table.js';

export type ControlPlaneComponent = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';
export const CONTROL_PLANE_COMPONENTS: readonly ControlPlaneComponent[] = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
];

export type { Row } from '../kube/table.js';

/** When a flag depends on the inventory rather than on the version. */
export type FlagCondition = 'podSubnet' | 'podSubnetAndServiceSubnet' | 'clusterName' | 'joiningEtcdCluster';

export interface FlagRow {
  name: string;
  value: string;
  /** Only for the Kubernetes versions in this range (matched as src/kube/table.ts matches table rows). */
  range?: string;
  when?: FlagCondition;
  /** Left out when the component's extra arguments set this flag. */
  unlessExtraArg?: string;
  /** Only when the etcd image's version satisfies this range. */
  etcdVersions?: string;
}

/** The HTTP paths of a component's probes. */
export interface ProbePaths {
  liveness: string;
  readiness?: string;
  startup: string;
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
  /** resources.requests. */
  resources: Row<Record<string, string>>[];
  probes: Row<ProbePaths>[];
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

/** Checks a table's rows and registers it as a src/kube/table.ts table. */
function table(rows: unknown, where: string): void {
  if (!Array.isArray(rows) || rows.length === 0) fail(`${where}: expected a non-empty table`);
  rows.forEach((row: Row<unknown>, i: number) => {
    checkRange(row.range, `${where}[${i}]`);
    if (typeof row.source !== 'string' || row.source === '') fail(`${where}[${i}]: source missing`);
  });
  defineTable(`static-pods.yaml ${where}`, rows as Row<unknown>[]);
}

function checked(data: StaticPodData): StaticPodData {
  if (!data || typeof data !== 'object') fail('not a YAML mapping');
  for (const [name, rows] of Object.entries(data.traits ?? fail('traits missing'))) table(rows, `traits.${name}`);
  for (const component of CONTROL_PLANE_COMPONENTS) {
    const c = data.components?.[component] ?? fail(`components.${component} missing`);
    for (const key of ['resources', 'probes'] as const) table(c[key], `components.${component}.${key}`);
    c.flags.forEach((flag, i) => {
      const where = `components.${component}.flags[${i}]`;
      if (typeof flag.name !== 'string' || typeof flag.value !== 'string') fail(`${where}: name and value must be strings`);
      if (flag.range !== undefined) checkRange(flag.range, where);
      if (flag.etcdVersions !== undefined) checkRange(flag.etcdVersions, where);
    });
    if (!Array.isArray(c.volumes)) fail(`components.${component}.volumes: expected a list`);
  }
  return data;
}
