/**
 * The Kubernetes API as bootstrap uses it: the official client (@kubernetes/client-node) pointed at a port
 * forwarded through a host's transport (tunnel.ts), authenticated with a client certificate, a bearer token
 * (a bootstrap token, to prove a join would work) or nothing (anonymous discovery of cluster-info). The
 * client library is loaded on first use: commands that never reach the API do not pay for it.
 */
import type { KubeObject } from '../cluster/objects.js';
import type { Host } from '../transport/host.js';
import { HostError } from '../util/errors.js';
import { openTunnel, type Tunnel } from './tunnel.js';

type ClientNode = typeof import('@kubernetes/client-node');

let library: Promise<ClientNode> | undefined;
const load = (): Promise<ClientNode> => (library ??= import('@kubernetes/client-node'));

export type ApiCredentials = { certPem: string; keyPem: string } | { token: string } | { anonymous: true };

export interface ApiTarget {
  /** The host whose transport carries the connection. */
  host: Host;
  /** The API server as seen from that host. */
  address: string;
  port: number;
  caPem: string;
  credentials: ApiCredentials;
  /** The name the server certificate is checked against: "kubernetes" is in every kubeadm API server certificate. */
  serverName?: string;
}

/** Which object: enough to address it in the API. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export function refOf(o: KubeObject): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

/** An answer of the API server that is not a success, with its HTTP status and the server's own message. */
export class ApiError extends HostError {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The API server could not be reached or answered nothing usable (connection refused, TLS, tunnel closed). */
export class ApiUnreachableError extends HostError {
  override name = 'ApiUnreachableError';
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

function apiError(error: unknown, what: string): Error {
  const e = error as { code?: number; body?: unknown; message?: string };
  if (typeof e?.code !== 'number') {
    return new ApiUnreachableError(`${what}: ${e?.message ?? String(error)}`);
  }
  let body: { message?: string; reason?: string } | undefined;
  try {
    body = typeof e.body === 'string' ? (JSON.parse(e.body) as typeof body) : (e.body as typeof body);
  } catch {
    body = undefined;
  }
  return new ApiError(e.code, body?.reason ?? '', `${what}: ${e.code} ${body?.message ?? body?.reason ?? ''}`.trim());
}

/** The JSON form of what the client library returns (it turns timestamps into Dates). */
function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class ApiClient {
  private constructor(
    private readonly api: InstanceType<ClientNode['KubernetesObjectApi']>,
    private readonly core: InstanceType<ClientNode['CoreV1Api']>,
    private readonly tunnel: Tunnel,
    private readonly strategies: ClientNode['PatchStrategy'],
  ) {}

  static async open(target: ApiTarget): Promise<ApiClient> {
    const k8s = await load();
    const tunnel = await openTunnel(target.host, target.port, target.address);
    try {
      const kc = new k8s.KubeConfig();
      const c = target.credentials;
      const user =
        'certPem' in c
          ? { name: 'bootstrap', certData: Buffer.from(c.certPem).toString('base64'), keyData: Buffer.from(c.keyPem).toString('base64') }
          : 'token' in c
            ? { name: 'bootstrap', token: c.token }
            : { name: 'bootstrap' };
      kc.loadFromOptions({
        clusters: [{ name: 'cluster', server: tunnel.url, caData: Buffer.from(target.caPem).toString('base64'), tlsServerName: target.serverName ?? 'kubernetes', skipTLSVerify: false }],
        users: [user],
        contexts: [{ name: 'bootstrap', cluster: 'cluster', user: 'bootstrap' }],
        currentContext: 'bootstrap',
      });
      return new ApiClient(k8s.KubernetesObjectApi.makeApiClient(kc), kc.makeApiClient(k8s.CoreV1Api), tunnel, k8s.PatchStrategy);
    } catch (error) {
      await tunnel.close();
      throw error;
    }
  }

  private spec(ref: ObjectRef) {
    return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
  }

  /** The object, or undefined when the server says it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    try {
      return plain<KubeObject>(await this.api.read(this.spec(ref)));
    } catch (error) {
      const err = apiError(error, `get ${describe(ref)}`);
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * A ConfigMap read by its path alone, without discovery: what an anonymous client may do (kubeadm join's
   * discovery reads kube-public/cluster-info so; anonymous users may not list the API's resources).
   */
  async getConfigMap(namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return plain<KubeObject>(await this.core.readNamespacedConfigMap({ name, namespace }));
    } catch (error) {
      const err = apiError(error, `get ConfigMap ${namespace}/${name}`);
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async create(o: KubeObject): Promise<KubeObject> {
    try {
      return plain<KubeObject>(await this.api.create(o));
    } catch (error) {
      throw apiError(error, `create ${describe(refOf(o))}`);
    }
  }

  /** Replaces the object; with metadata.resourceVersion set, only if nobody changed it since (409 otherwise). */
  async replace(o: KubeObject): Promise<KubeObject> {
    try {
      return plain<KubeObject>(await this.api.replace(o));
    } catch (error) {
      throw apiError(error, `update ${describe(refOf(o))}`);
    }
  }

  /** A JSON merge patch (RFC 7386): maps merge, lists are replaced whole. */
  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>): Promise<KubeObject> {
    try {
      const spec = this.spec(ref);
      const body = { ...patch, ...spec, metadata: { ...((patch.metadata as object | undefined) ?? {}), ...spec.metadata } } as KubeObject;
      return plain<KubeObject>(await this.api.patch(body, undefined, undefined, undefined, undefined, this.strategies.MergePatch));
    } catch (error) {
      throw apiError(error, `patch ${describe(ref)}`);
    }
  }

  /** Deletes the object; true when it existed. */
  async delete(ref: ObjectRef): Promise<boolean> {
    try {
      await this.api.delete(this.spec(ref));
      return true;
    } catch (error) {
      const err = apiError(error, `delete ${describe(ref)}`);
      if (err instanceof ApiError && err.status === 404) return false;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<KubeObject[]> {
    try {
      const result = await this.api.list(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
      return plain<{ items?: KubeObject[] }>(result).items ?? [];
    } catch (error) {
      throw apiError(error, `list ${kind}${namespace ? ` in ${namespace}` : ''}`);
    }
  }

  /** The Pods bound to a Node, in every namespace (a field selector on spec.nodeName, as kubectl drain lists them). */
  async podsOnNode(nodeName: string): Promise<KubeObject[]> {
    try {
      const list = await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}` });
      return plain<{ items?: KubeObject[] }>(list).items ?? [];
    } catch (error) {
      throw apiError(error, `list Pods on Node ${nodeName}`);
    }
  }

  /**
   * Asks for a Pod's eviction (an Eviction of `apiVersion` posted to the pods/eviction subresource), which honours its
   * PodDisruptionBudgets: 429 while a budget forbids it, 404 when the Pod is already gone (both as ApiError).
   */
  async evict(namespace: string, name: string, apiVersion = 'policy/v1'): Promise<void> {
    try {
      await this.core.createNamespacedPodEviction({ name, namespace, body: { apiVersion, kind: 'Eviction', metadata: { name, namespace } } });
    } catch (error) {
      throw apiError(error, `evict Pod ${namespace}/${name}`);
    }
  }

  close(): Promise<void> {
    return this.tunnel.close();
  }
}

export function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** Opens a client, runs work, always closes it. */
export async function withApi<T>(target: ApiTarget, work: (api: ApiClient) => Promise<T>): Promise<T> {
  const api = await ApiClient.open(target);
  try {
    return await work(api);
  } finally {
    await api.close();
  }
}
