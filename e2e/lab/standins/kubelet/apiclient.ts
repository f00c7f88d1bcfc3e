/**
 * The kubelet's way to the API server: a kubeconfig read as clientcmd reads it (current-context → cluster + user;
 * certificate-authority(-data), client-certificate(-data), client-key(-data), token; relative paths from the
 * kubeconfig's folder) and JSON requests over HTTPS with the server verified against the cluster's CA.
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface RestConfig {
  /** https://host:port */
  host: string;
  /** CA file as written in the kubeconfig (absolute), when it names one. */
  caFile?: string;
  caData?: Buffer;
  certFile?: string;
  keyFile?: string;
  certData?: Buffer;
  keyData?: Buffer;
  token?: string;
  insecure?: boolean;
}

type Obj = Record<string, unknown>;

function named(list: unknown, name: string, field: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = (list as Obj[]).find((e) => e?.name === name);
  return entry?.[field] as Obj | undefined;
}

function goOpen(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return new Error(`open ${path}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
}

function readGo(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw goOpen(path, e);
  }
}

/** clientcmd: loads a kubeconfig into the rest config of its current context (file references stay references). */
export function loadRestConfig(path: string): RestConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`stat ${path}: no such file or directory`);
    throw goOpen(path, e);
  }
  let doc: Obj;
  try {
    doc = (parseYaml(text) ?? {}) as Obj;
  } catch (e) {
    throw new Error(`error loading config file "${path}": yaml: ${(e as Error).message.split('\n')[0]}`);
  }
  const base = dirname(path);
  const ref = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const contextName = typeof doc['current-context'] === 'string' ? (doc['current-context'] as string) : '';
  if (!contextName) throw new Error('invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable');
  const context = named(doc.contexts, contextName, 'context');
  if (!context) throw new Error(`invalid configuration: [context was not found for specified context: ${contextName}]`);
  const cluster = named(doc.clusters, String(context.cluster ?? ''), 'cluster');
  const server = typeof cluster?.server === 'string' ? (cluster.server as string) : '';
  if (!cluster || !server) throw new Error(`invalid configuration: [cluster has no server defined]`);
  const user = named(doc.users, String(context.user ?? ''), 'user') ?? {};
  const config: RestConfig = { host: server, insecure: cluster['insecure-skip-tls-verify'] === true };
  if (typeof cluster['certificate-authority-data'] === 'string') config.caData = Buffer.from(cluster['certificate-authority-data'] as string, 'base64');
  else if (typeof cluster['certificate-authority'] === 'string') config.caFile = ref(cluster['certificate-authority'] as string);
  if (typeof user['client-certificate-data'] === 'string') config.certData = Buffer.from(user['client-certificate-data'] as string, 'base64');
  else if (typeof user['client-certificate'] === 'string') config.certFile = ref(user['client-certificate'] as string);
  if (typeof user['client-key-data'] === 'string') config.keyData = Buffer.from(user['client-key-data'] as string, 'base64');
  else if (typeof user['client-key'] === 'string') config.keyFile = ref(user['client-key'] as string);
  if (typeof user.token === 'string') config.token = user.token as string;
  else if (typeof user.tokenFile === 'string') config.token = readGo(ref(user.tokenFile as string)).toString().trim();
  return config;
}

/** Certificate and key PEM of a rest config (files read now), as transport.TLSConfigFor loads them. */
export function clientCertOf(config: RestConfig): { cert: Buffer; key: Buffer } | undefined {
  const cert = config.certData ?? (config.certFile ? readGo(config.certFile) : undefined);
  const key = config.keyData ?? (config.keyFile ? readGo(config.keyFile) : undefined);
  return cert && key ? { cert, key } : undefined;
}

export function caOf(config: RestConfig): Buffer | undefined {
  return config.caData ?? (config.caFile ? readGo(config.caFile) : undefined);
}

/** A Kubernetes API error: the Status object's message, reason and code. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Credentials {
  cert?: Buffer;
  key?: Buffer;
  token?: string;
}

/** Go's wording for the network errors node reports. */
function goNetError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'dial tcp: connect: connection refused';
    case 'ETIMEDOUT':
      return 'i/o timeout';
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    default:
      return e.message;
  }
}

/**
 * A JSON client for one API server. `credentials` is asked on every request, so a rotated client certificate is
 * used as soon as it is stored (client-go's transport asks the certificate manager the same way).
 */
export class ApiClient {
  constructor(
    readonly config: RestConfig,
    private readonly credentials: () => Credentials | undefined,
    private readonly timeoutMs = 10_000,
    private readonly userAgent = 'kubelet (linux) kubernetes',
  ) {}

  /** Sends one request; resolves with the decoded body of a 2xx answer, rejects with ApiError otherwise. */
  async request<T = Obj>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const url = new URL(path, this.config.host);
    const creds = this.credentials() ?? {};
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const ca = caOf(this.config);
    return new Promise<T>((resolvePromise, reject) => {
      const req = httpsRequest(
        {
          method,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || 443,
          path: url.pathname + url.search,
          ca,
          rejectUnauthorized: !this.config.insecure,
          cert: creds.cert,
          key: creds.key,
          headers: {
            Accept: 'application/json',
            'User-Agent': this.userAgent,
            ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}),
            ...(creds.token ? { Authorization: `Bearer ${creds.token}` } : {}),
          },
          timeout: this.timeoutMs,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (e) => reject(e));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            const status = res.statusCode ?? 0;
            let parsed: Obj = {};
            try {
              parsed = text ? (JSON.parse(text) as Obj) : {};
            } catch {
              parsed = {};
            }
            if (status >= 200 && status < 300) {
              resolvePromise(parsed as T);
              return;
            }
            // client-go: a body that is no Status still yields the reason of the HTTP code ("Unauthorized").
            const reason = typeof parsed.reason === 'string' ? parsed.reason : httpReason(status);
            const message = typeof parsed.message === 'string' ? parsed.message : reason;
            reject(new ApiError(status, reason, message));
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
      const goMethod = method.charAt(0) + method.slice(1).toLowerCase();
      req.on('error', (e) => reject(new Error(`${goMethod} "${url.href}": ${goNetError(e as NodeJS.ErrnoException)}`)));
      req.end(payload);
    });
  }
}

function httpReason(status: number): string {
  switch (status) {
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 409:
      return 'AlreadyExists';
    case 500:
      return 'InternalError';
    case 503:
      return 'ServiceUnavailable';
    default:
      return `HTTP ${status}`;
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists';
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409;
