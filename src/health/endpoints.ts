/**
 * Where each control-plane component answers its health check, read from its rendered static Pod: the
 * container's livenessProbe httpGet (startupProbe when there is none), resolved as kubelet resolves it. Taking
 * it from the manifest rather than a table keeps it right for every version kubeadm renders (etcd's
 * /health?exclude=NOSPACE&serializable=true on 2381, /livez on a named "probe-port" later, a changed bind address).
 */
import { parse as parseYaml } from 'yaml';
import { ManifestError } from '../manifests/errors.js';

export const MANIFESTS_DIR = '/etc/kubernetes/manifests';

/** The static Pods kubeadm writes, in the order they are reported. */
export const CONTROL_PLANE_COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type ControlPlaneComponentName = (typeof CONTROL_PLANE_COMPONENTS)[number];

export interface HealthEndpoint {
  scheme: 'http' | 'https';
  /** The address dialled on the host; kubelet's pod IP (the node's address, host network) when the probe has none. */
  host: string;
  port: number;
  /** Path with its query, e.g. "/health?exclude=NOSPACE&serializable=true". */
  path: string;
  /** The probe's timeoutSeconds (kubelet's default 1 s when absent). */
  timeoutMs: number;
}

/** What the health checks need to know about one static Pod. */
export interface ComponentSpec {
  /** The manifest's metadata.name, e.g. "kube-apiserver". */
  name: string;
  namespace: string;
  /** The container whose state and probe count (kubeadm's static Pods have one). */
  container: string;
  image: string;
  /** Absent when the container has no httpGet probe: then the runtime state alone decides. */
  endpoint?: HealthEndpoint;
}

/** A manifest read back from a host that cannot be used: the same user-facing error as one that cannot be rendered. */
export { ManifestError } from '../manifests/errors.js';

interface ProbeYaml {
  httpGet?: { host?: string; path?: string; port?: number | string; scheme?: string };
  timeoutSeconds?: number;
}
interface ContainerYaml {
  name?: string;
  image?: string;
  ports?: { name?: string; containerPort?: number }[];
  livenessProbe?: ProbeYaml;
  startupProbe?: ProbeYaml;
}
interface PodYaml {
  metadata?: { name?: string; namespace?: string };
  spec?: { containers?: ContainerYaml[] };
}

/** kubelet resolves a named probe port against the container's ports (probe/http: findPortByName). */
function resolvePort(port: number | string | undefined, container: ContainerYaml, where: string): number {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port)?.containerPort;
  if (named === undefined) throw new ManifestError(`${where}: probe port ${JSON.stringify(port)} names no container port`);
  return named;
}

/**
 * One static Pod manifest → its ComponentSpec. `nodeAddress` stands in for the pod IP when the probe names no
 * host (kubeadm leaves it empty when the component binds 0.0.0.0 or ::); control-plane Pods use the host network.
 */
export function componentFromManifest(content: string, nodeAddress: string, where = 'static Pod'): ComponentSpec {
  let pod: PodYaml;
  try {
    pod = parseYaml(content) as PodYaml;
  } catch (error) {
    throw new ManifestError(`${where}: not YAML: ${(error as Error).message}`);
  }
  const name = pod?.metadata?.name;
  const container = pod?.spec?.containers?.[0];
  if (!name || !container?.name) throw new ManifestError(`${where}: not a Pod with a named container`);
  const spec: ComponentSpec = {
    name,
    namespace: pod.metadata?.namespace ?? 'default',
    container: container.name,
    image: container.image ?? '',
  };
  const probe = container.livenessProbe?.httpGet ? container.livenessProbe : container.startupProbe;
  const get = probe?.httpGet;
  if (get) {
    const scheme = (get.scheme ?? 'HTTP').toUpperCase();
    if (scheme !== 'HTTP' && scheme !== 'HTTPS') throw new ManifestError(`${where}: probe scheme ${get.scheme} is neither HTTP nor HTTPS`);
    const path = get.path ?? '/';
    spec.endpoint = {
      scheme: scheme === 'HTTPS' ? 'https' : 'http',
      host: get.host || nodeAddress,
      port: resolvePort(get.port, container, where),
      path: path.startsWith('/') ? path : `/${path}`,
      timeoutMs: (probe?.timeoutSeconds ?? 1) * 1000,
    };
  }
  return spec;
}

/** The ComponentSpecs of the manifests among `files` (path → content), in CONTROL_PLANE_COMPONENTS order. */
export function componentsFromFiles(files: ReadonlyMap<string, string>, nodeAddress: string): ComponentSpec[] {
  const specs: ComponentSpec[] = [];
  for (const [path, content] of files) {
    if (!path.startsWith(`${MANIFESTS_DIR}/`) || !/\.ya?ml$/.test(path)) continue;
    specs.push(componentFromManifest(content, nodeAddress, path));
  }
  const rank = (n: string) => {
    const i = (CONTROL_PLANE_COMPONENTS as readonly string[]).indexOf(n);
    return i < 0 ? CONTROL_PLANE_COMPONENTS.length : i;
  };
  return specs.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : 1));
}

/** "https://10.0.0.5:6443/livez" for messages. */
export function endpointUrl(e: HealthEndpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${e.scheme}://${host}:${e.port}${e.path}`;
}
