/**
 * The four control-plane Pods, assembled from the per-version data the way kubeadm assembles them
 * (staticpodutil.ComponentPod plus GetStaticPodSpecs and GetEtcdPodSpec).
 */
import type { HostSpec, Inventory } from '../inventory/types.js';
import {
  CONTROL_PLANE_COMPONENTS,
  staticPodData,
  type ComponentData,
  type ControlPlaneComponent,
  type FlagRow,
  type StaticPodData,
} from './data.js';
import { fill, renderContext, type EtcdMember, type RenderContext } from './context.js';
import { buildCommand, filteredAuthorizationModes } from './args.js';
import { httpProbe, probeTarget, type HttpProbe } from './probes.js';
import { DEBIAN_CA_DIRECTORIES, podVolumes, type HostPathVolume, type VolumeMount } from './volumes.js';
import { etcdInRange, etcdVersionOf } from './versions.js';
import { inRange, lookup, type Row } from '../kube/table.js';
import { clusterVersion, isSupported, SUPPORTED_RANGE, type KubeVersion } from '../kube/version.js';
import { ManifestError } from './errors.js';
import { externalEtcdHostPaths } from '../inventory/etcd.js';

export interface StaticPodOptions {
  /**
   * Which of kubeadm's optional CA directories exist on the host (absolute paths). kubeadm checks the node it
   * runs on; bootstrap cannot, so it assumes a Debian or Ubuntu node unless told otherwise.
   */
  existingHostDirectories?: readonly string[];
  /**
   * For a control-plane node joining a cluster whose etcd already runs: every member, this node included,
   * in the order etcd's MemberAdd returned them. kubeadm then writes them all into --initial-cluster and adds
   * --initial-cluster-state=existing. Leave unset for the first control-plane node.
   */
  etcdMembers?: readonly EtcdMember[];
}

export interface Container {
  command: string[];
  image: string;
  imagePullPolicy: string;
  livenessProbe: HttpProbe;
  name: ControlPlaneComponent;
  ports?: { containerPort: number; name: string; protocol: 'TCP' }[];
  readinessProbe?: HttpProbe;
  resources: { requests: Record<string, string> };
  startupProbe: HttpProbe;
  volumeMounts: VolumeMount[];
}

export interface StaticPod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    annotations?: Record<string, string>;
    creationTimestamp?: null;
    labels: { component: ControlPlaneComponent; tier: string };
    name: ControlPlaneComponent;
    namespace: string;
  };
  spec: {
    containers: Container[];
    hostNetwork: true;
    priority?: number;
    priorityClassName: string;
    securityContext?: { seccompProfile: { type: 'RuntimeDefault' } };
    volumes: HostPathVolume[];
  };
  status: Record<string, never>;
}

function extraArgsOf(inv: Inventory, component: ControlPlaneComponent): Readonly<Record<string, string>> {
  const cluster = inv.cluster;
  switch (component) {
    case 'etcd':
      return cluster.etcd.local.extraArgs;
    case 'kube-apiserver':
      return cluster.apiServer.extraArgs;
    case 'kube-controller-manager':
      return cluster.controllerManager.extraArgs;
    case 'kube-scheduler':
      return cluster.scheduler.extraArgs;
  }
}

function conditionHolds(flag: FlagRow, inv: Inventory, options: StaticPodOptions): boolean {
  const net = inv.cluster.networking;
  switch (flag.when) {
    case undefined:
      return true;
    case 'podSubnet':
      return net.podSubnet !== '';
    case 'podSubnetAndServiceSubnet':
      return net.podSubnet !== '' && net.serviceSubnet !== '';
    case 'clusterName':
      return inv.cluster.clusterName !== '';
    case 'joiningEtcdCluster':
      return (options.etcdMembers?.length ?? 0) > 0;
  }
}

/** A static Pod table's value for the version (the version is within the supported bound by then). */
function pick<T>(rows: readonly Row<T>[], version: KubeVersion): T {
  return lookup(rows, version, (message) => new ManifestError(message));
}

/** The component's default flags for this version and inventory, before the extra arguments. */
function defaultFlags(
  name: ControlPlaneComponent,
  component: ComponentData,
  ctx: RenderContext,
  inv: Inventory,
  etcdVersion: string | undefined,
  extraArgs: Readonly<Record<string, string>>,
  options: StaticPodOptions,
): Map<string, string> {
  const flags = new Map<string, string>();
  for (const flag of component.flags) {
    if (flag.range !== undefined && !inRange(ctx.version, flag.range)) continue;
    if (flag.etcdVersions !== undefined && !etcdInRange(etcdVersion, flag.etcdVersions)) continue;
    if (flag.unlessExtraArg !== undefined && flag.unlessExtraArg in extraArgs) continue;
    if (!conditionHolds(flag, inv, options)) continue;
    flags.set(flag.name, fill(flag.value, ctx));
  }
  if (name === 'kube-apiserver') {
    const external = inv.cluster.etcd.external;
    if (external) {
      // getAPIServerCommand (every release v1.20–v1.3x): with cfg.Etcd.External, etcd-servers is the endpoints
      // joined with commas, and etcd-cafile/certfile/keyfile the configuration's files, which on the host are
      // where render copies them (src/pki/external-etcd.ts).
      const paths = externalEtcdHostPaths(inv.cluster.certificatesDir);
      flags.set('etcd-servers', external.endpoints.join(','));
      flags.set('etcd-cafile', paths.caFile);
      flags.set('etcd-certfile', paths.certFile);
      flags.set('etcd-keyfile', paths.keyFile);
    } else {
      // getAPIServerCommand: a local etcd that advertises other client URLs is reached there.
      const advertised = inv.cluster.etcd.local.extraArgs['advertise-client-urls'];
      if (advertised !== undefined) flags.set('etcd-servers', advertised);
    }
  }
  return flags;
}

/** The extra arguments as kubeadm passes them on for this version. */
function effectiveExtraArgs(
  name: ControlPlaneComponent,
  data: StaticPodData,
  version: KubeVersion,
  extraArgs: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  if (name !== 'kube-apiserver') return extraArgs;
  const mode = pick(data.traits.authorizationModeFromExtraArgs, version);
  if (mode === 'passthrough' || !('authorization-mode' in extraArgs)) return extraArgs;
  return { ...extraArgs, 'authorization-mode': filteredAuthorizationModes(extraArgs['authorization-mode']) };
}

function buildPod(
  name: ControlPlaneComponent,
  data: StaticPodData,
  ctx: RenderContext,
  inv: Inventory,
  image: string,
  etcdVersion: string | undefined,
  options: StaticPodOptions,
): StaticPod {
  const component = data.components[name];
  const version = ctx.version;
  const trait = <K extends keyof StaticPodData['traits']>(key: K) =>
    pick(data.traits[key] as Row<unknown>[], version) as StaticPodData['traits'][K][number]['value'];

  const extraArgs = extraArgsOf(inv, name);
  const command = buildCommand(
    name,
    defaultFlags(name, component, ctx, inv, etcdVersion, extraArgs, options),
    effectiveExtraArgs(name, data, version, extraArgs),
  );

  const target = probeTarget(name, component, ctx, extraArgs);
  const named = trait('namedProbePort');
  const port = named ? data.pod.probePortName : target.port;
  const paths = pick(component.probes, version);
  const timings = data.probeTimings;

  const { volumes, mounts } = podVolumes(
    component,
    ctx,
    extraArgs,
    trait('caCertsExtraPaths'),
    options.existingHostDirectories ?? DEBIAN_CA_DIRECTORIES,
  );

  const container: Container = {
    command,
    image,
    imagePullPolicy: data.pod.imagePullPolicy,
    livenessProbe: httpProbe(timings.liveness, target, paths.liveness, port),
    name,
    resources: { requests: { ...pick(component.resources, version) } },
    startupProbe: httpProbe(timings.startup, target, paths.startup, port),
    volumeMounts: mounts,
  };
  if (named) container.ports = [{ containerPort: target.port, name: data.pod.probePortName, protocol: 'TCP' }];
  if (paths.readiness !== undefined) container.readinessProbe = httpProbe(timings.readiness, target, paths.readiness, port);

  const pod: StaticPod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      labels: { component: name, tier: data.pod.tier },
      name,
      namespace: data.pod.namespace,
    },
    spec: {
      containers: [container],
      hostNetwork: true,
      priorityClassName: data.pod.priorityClassName,
      volumes,
    },
    status: {},
  };
  const annotations = data.pod.annotations[name];
  if (annotations) {
    pod.metadata.annotations = Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, fill(v, ctx)]));
  }
  if (trait('creationTimestampNull')) pod.metadata.creationTimestamp = null;
  if (trait('explicitPriority')) pod.spec.priority = data.pod.priority;
  if (trait('seccompRuntimeDefault')) pod.spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
  return pod;
}

/**
 * The control-plane static Pods kubeadm of inv.cluster.kubernetesVersion writes for this host, before any
 * patches, keyed by component (etcd, kube-apiserver, kube-controller-manager, kube-scheduler). With an external
 * etcd there is no etcd Pod: kubeadm's etcd phase writes nothing then (cmd/phases/init/etcd.go runEtcdPhaseLocal:
 * "[etcd] External etcd mode. Skipping the creation of a manifest for local etcd").
 */
export function renderStaticPods(
  inv: Inventory,
  host: HostSpec,
  images: Readonly<Record<ControlPlaneComponent, string>>,
  options: StaticPodOptions = {},
): Map<ControlPlaneComponent, StaticPod> {
  const data = staticPodData();
  let version: KubeVersion;
  try {
    version = clusterVersion(inv);
  } catch {
    throw new ManifestError(`kubernetesVersion "${inv.cluster.kubernetesVersion}" is not a version like "v1.28.4"`);
  }
  if (!isSupported(version)) {
    throw new ManifestError(
      `kubernetesVersion ${version.text} is outside the versions whose control-plane manifests bootstrap knows (${SUPPORTED_RANGE})`,
    );
  }
  for (const component of CONTROL_PLANE_COMPONENTS) {
    if (!images[component]) throw new ManifestError(`no image given for ${component}`);
  }
  const ctx = renderContext(inv, host, version, options.etcdMembers);
  const etcdVersion = etcdVersionOf(images.etcd);
  const pods = new Map<ControlPlaneComponent, StaticPod>();
  for (const component of CONTROL_PLANE_COMPONENTS) {
    if (component === 'etcd' && inv.cluster.etcd.external) continue;
    pods.set(component, buildPod(component, data, ctx, inv, images[component], etcdVersion, options));
  }
  return pods;
}
