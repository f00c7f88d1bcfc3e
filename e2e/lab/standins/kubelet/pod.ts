/**
 * Pods the kubelet runs — static ones from a manifest file, and ones bound to the node through the API — read into
 * the Pod fields the stand-in honours, and the CRI sandbox and container configurations the kubelet derives from
 * them (labels and annotations as pkg/kubelet/types/labels.go and pkg/kubelet/kuberuntime/labels.go name them, so
 * that crictl output looks like a real node's).
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Msg } from '../cri/client.js';

export interface HttpGetProbe {
  path: string;
  port: number;
  host: string;
  scheme: 'HTTP' | 'HTTPS';
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  command: string[];
  args: string[];
  workingDir: string;
  env: { name: string; value: string }[];
  volumeMounts: { name: string; mountPath: string; readOnly: boolean }[];
  ports: { containerPort: number; protocol: string }[];
  privileged: boolean;
  startupProbe?: HttpGetProbe;
  livenessProbe?: HttpGetProbe;
  /** Hash of the container's spec, as the kubelet's io.kubernetes.container.hash annotation. */
  hash: string;
}

export interface HostPathVolume {
  name: string;
  path: string;
  type: string;
}

export interface Pod {
  /** Where the kubelet got it (the kubernetes.io/config.source annotation): a manifest file or the API server. */
  source: 'file' | 'api';
  /** The manifest file of a static pod ('' for API pods). */
  file: string;
  /** sha256 of the manifest bytes (of the spec for API pods): a changed file is a new pod. */
  contentHash: string;
  uid: string;
  /** metadata.name + "-" + node name, as the kubelet names static pods; metadata.name for API pods. */
  name: string;
  /** The sandbox's hostname when not on the host network (API pods: spec.hostname or the pod name). */
  hostname?: string;
  /** spec.imagePullSecrets names. */
  imagePullSecrets: string[];
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  hostNetwork: boolean;
  hostPID: boolean;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds: number;
  seccompRuntimeDefault: boolean;
  volumes: HostPathVolume[];
  containers: ContainerSpec[];
}

export class ManifestError extends Error {}

type Obj = Record<string, any>;

function asArray(value: unknown): Obj[] {
  return Array.isArray(value) ? (value as Obj[]) : [];
}

/** pkg/apis/core/v1/defaults.go: Always for ":latest" or no tag, IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function probe(raw: Obj | undefined, ports: ContainerSpec['ports']): HttpGetProbe | undefined {
  if (!raw?.httpGet) return undefined;
  const get = raw.httpGet as Obj;
  let port = get.port as number | string;
  if (typeof port === 'string') {
    const named = ports.find((p) => (p as Obj).name === port);
    port = named ? named.containerPort : Number(port);
  }
  return {
    path: (get.path as string) ?? '/',
    port: Number(port),
    host: (get.host as string) ?? '127.0.0.1',
    scheme: get.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
    initialDelaySeconds: raw.initialDelaySeconds ?? 0,
    periodSeconds: raw.periodSeconds ?? 10,
    timeoutSeconds: raw.timeoutSeconds ?? 1,
    failureThreshold: raw.failureThreshold ?? 3,
  };
}

/** Reads a manifest's text; throws ManifestError for anything that is not a usable Pod. */
export function parseStaticPod(file: string, content: string, nodeName: string): Pod {
  let doc: Obj;
  try {
    doc = parseYaml(content) as Obj;
  } catch (e) {
    throw new ManifestError(`${file}: invalid YAML: ${(e as Error).message}`);
  }
  if (!doc || doc.kind !== 'Pod') throw new ManifestError(`${file}: kind is "${doc?.kind ?? ''}", want Pod`);
  if (!doc.metadata?.name) throw new ManifestError(`${file}: metadata.name is required`);
  const contentHash = createHash('sha256').update(content).digest('hex');
  const uid = createHash('md5').update(`${contentHash}\n${nodeName}\nfile`).digest('hex');
  return { ...podFields(doc, file), source: 'file', file, contentHash, uid, name: `${doc.metadata.name}-${nodeName}` };
}

/** A Pod object from the API server (bound to this node); throws ManifestError for what the stand-in cannot run. */
export function apiPod(doc: Obj): Pod {
  const meta = (doc.metadata ?? {}) as Obj;
  const fields = podFields(doc, `pod ${meta.namespace}/${meta.name}`);
  return {
    ...fields,
    source: 'api',
    file: '',
    contentHash: createHash('sha256').update(JSON.stringify(doc.spec ?? {})).digest('hex'),
    uid: String(meta.uid),
    name: String(meta.name),
    // GeneratePodHostNameAndDomain: spec.hostname, else the pod name cut to 63 characters.
    hostname: String(doc.spec?.hostname || meta.name).slice(0, 63),
  };
}

/** What static and API pods have in common; `where` names the pod in errors. */
function podFields(doc: Obj, where: string): Omit<Pod, 'source' | 'file' | 'contentHash' | 'uid' | 'name' | 'hostname'> {
  const meta = (doc.metadata ?? {}) as Obj;
  const spec = (doc.spec ?? {}) as Obj;
  if (asArray(spec.initContainers).length > 0) throw new ManifestError(`${where}: initContainers are not supported by the lab kubelet`);
  const containersRaw = asArray(spec.containers);
  if (containersRaw.length === 0) throw new ManifestError(`${where}: spec.containers must not be empty`);
  const containers = containersRaw.map((c): ContainerSpec => {
    if (!c.name || !c.image) throw new ManifestError(`${where}: every container needs a name and an image`);
    const ports = asArray(c.ports).map((p) => ({ name: p.name, containerPort: Number(p.containerPort), protocol: p.protocol ?? 'TCP' }));
    const env = asArray(c.env).map((e) => {
      if (e.valueFrom) throw new ManifestError(`${where}: env ${e.name}: valueFrom is not supported by the lab kubelet`);
      return { name: String(e.name), value: String(e.value ?? '') };
    });
    return {
      name: String(c.name),
      image: String(c.image),
      imagePullPolicy: c.imagePullPolicy ?? defaultPullPolicy(String(c.image)),
      command: asArray(c.command).map(String),
      args: asArray(c.args).map(String),
      workingDir: c.workingDir ?? '',
      env,
      volumeMounts: asArray(c.volumeMounts).map((m) => ({ name: String(m.name), mountPath: String(m.mountPath), readOnly: Boolean(m.readOnly) })),
      ports,
      privileged: Boolean(c.securityContext?.privileged),
      startupProbe: probe(c.startupProbe, ports),
      livenessProbe: probe(c.livenessProbe, ports),
      hash: createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 8),
    };
  });
  const volumes = asArray(spec.volumes).map((v): HostPathVolume => {
    if (!v.hostPath) throw new ManifestError(`${where}: volume ${v.name}: only hostPath volumes are supported by the lab kubelet`);
    return { name: String(v.name), path: String(v.hostPath.path), type: String(v.hostPath.type ?? '') };
  });
  for (const c of containers) {
    for (const m of c.volumeMounts) {
      if (!volumes.some((v) => v.name === m.name)) throw new ManifestError(`${where}: container ${c.name} mounts unknown volume ${m.name}`);
    }
  }
  return {
    namespace: meta.namespace ?? 'default',
    labels: (meta.labels ?? {}) as Record<string, string>,
    annotations: (meta.annotations ?? {}) as Record<string, string>,
    imagePullSecrets: asArray(spec.imagePullSecrets).map((r) => String(r.name ?? '')).filter(Boolean),
    hostNetwork: Boolean(spec.hostNetwork),
    hostPID: Boolean(spec.hostPID),
    restartPolicy: spec.restartPolicy ?? 'Always',
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
    seccompRuntimeDefault: spec.securityContext?.seccompProfile?.type === 'RuntimeDefault',
    volumes,
    containers,
  };
}

/** kubelet's log layout: <podLogsDir>/<namespace>_<name>_<uid>/<container>/<attempt>.log */
export function podLogDirectory(pod: Pod, podLogsDir = '/var/log/pods'): string {
  return `${podLogsDir}/${pod.namespace}_${pod.name}_${pod.uid}`;
}

export function podLabels(pod: Pod): Record<string, string> {
  return {
    ...pod.labels,
    'io.kubernetes.pod.name': pod.name,
    'io.kubernetes.pod.namespace': pod.namespace,
    'io.kubernetes.pod.uid': pod.uid,
  };
}

export function sandboxConfig(pod: Pod, attempt: number, hostname: string, podLogsDir?: string): Msg {
  const network = pod.hostNetwork ? 'NODE' : 'POD';
  return {
    metadata: { name: pod.name, uid: pod.uid, namespace: pod.namespace, attempt },
    // A host-network sandbox shares the node's UTS namespace: runc refuses a hostname there.
    hostname: pod.hostNetwork ? '' : pod.hostname ?? hostname,
    logDirectory: podLogDirectory(pod, podLogsDir),
    portMappings: pod.containers.flatMap((c) =>
      c.ports.map((p) => ({ protocol: p.protocol, containerPort: p.containerPort, hostPort: pod.hostNetwork ? p.containerPort : 0 })),
    ),
    labels: podLabels(pod),
    annotations: {
      ...pod.annotations,
      'kubernetes.io/config.source': pod.source,
      // Only static pods carry a config hash (pkg/kubelet/config/common.go: applyDefaults of file sources).
      ...(pod.source === 'file' ? { 'kubernetes.io/config.hash': pod.uid } : {}),
      'kubernetes.io/config.seen': new Date().toISOString(),
    },
    linux: {
      cgroupParent: '',
      securityContext: {
        namespaceOptions: { network, pid: pod.hostPID ? 'NODE' : 'CONTAINER', ipc: 'POD' },
        privileged: pod.containers.some((c) => c.privileged),
        seccomp: { profileType: pod.seccompRuntimeDefault ? 'RuntimeDefault' : 'Unconfined' },
      },
    },
  };
}

export interface ContainerExtras {
  /** The image reference resolved by the runtime (image ID). */
  imageRef: string;
  attempt: number;
  /** Extra mounts the kubelet adds: /etc/hosts for host-network pods, /dev/termination-log. */
  extraMounts: Msg[];
}

export function containerConfig(pod: Pod, c: ContainerSpec, extras: ContainerExtras): Msg {
  const mounts = c.volumeMounts.map((m) => {
    const volume = pod.volumes.find((v) => v.name === m.name)!;
    return { containerPath: m.mountPath, hostPath: volume.path, readonly: m.readOnly };
  });
  return {
    metadata: { name: c.name, attempt: extras.attempt },
    image: { image: extras.imageRef, userSpecifiedImage: c.image },
    command: c.command,
    args: c.args,
    workingDir: c.workingDir,
    envs: c.env.map((e) => ({ key: e.name, value: e.value })),
    mounts: [...mounts, ...extras.extraMounts],
    labels: {
      'io.kubernetes.container.name': c.name,
      'io.kubernetes.pod.name': pod.name,
      'io.kubernetes.pod.namespace': pod.namespace,
      'io.kubernetes.pod.uid': pod.uid,
    },
    annotations: {
      'io.kubernetes.container.hash': c.hash,
      'io.kubernetes.container.restartCount': String(extras.attempt),
      'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
      'io.kubernetes.container.terminationMessagePolicy': 'File',
      'io.kubernetes.pod.terminationGracePeriod': String(pod.terminationGracePeriodSeconds),
    },
    logPath: `${c.name}/${extras.attempt}.log`,
    linux: {
      securityContext: {
        privileged: c.privileged,
        namespaceOptions: { network: pod.hostNetwork ? 'NODE' : 'POD', pid: pod.hostPID ? 'NODE' : 'CONTAINER', ipc: 'POD' },
        seccomp: { profileType: pod.seccompRuntimeDefault && !c.privileged ? 'RuntimeDefault' : 'Unconfined' },
      },
    },
  };
}

/** Files the kubelet reads from staticPodPath: not hidden (pkg/kubelet/config/file.go skips names starting with "."). */
export function isManifestFile(path: string): boolean {
  return !basename(path).startsWith('.');
}
