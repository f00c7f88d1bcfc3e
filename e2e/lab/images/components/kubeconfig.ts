/**
 * Reading a kubeconfig as client-go's clientcmd does for the components: current-context → cluster + user,
 * certificate-authority(-data), client-certificate(-data), client-key(-data), file paths relative to the
 * kubeconfig's folder. Errors name what is wrong the way clientcmd's validation does.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { ComponentError, loadKeyPair, parseCertificates, readFileGo, type KeyPair } from './pki.js';

export interface ClientCredentials {
  server: string;
  /** CA bundle PEM that the server's certificate must chain to. */
  ca: Buffer;
  /** Client certificate and key (x509 authentication); undefined when the user has a token instead. */
  keyPair?: KeyPair;
  token?: string;
}

interface NamedEntry<T> {
  name?: string;
  cluster?: T;
  user?: T;
  context?: T;
}

type Obj = Record<string, unknown>;

function findNamed(list: unknown, name: string, field: 'cluster' | 'user' | 'context'): Obj | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = (list as NamedEntry<Obj>[]).find((e) => e?.name === name);
  return entry?.[field];
}

export function loadKubeconfig(path: string): ClientCredentials {
  try {
    statSync(path);
  } catch {
    throw new ComponentError(`stat ${path}: no such file or directory`);
  }
  const text = readFileGo(path).toString();
  let doc: Obj;
  try {
    doc = (parse(text) ?? {}) as Obj;
  } catch (error) {
    throw new ComponentError(`error loading config file "${path}": yaml: ${(error as Error).message.split('\n')[0]}`);
  }
  const base = dirname(path);
  const fileRef = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const contextName = typeof doc['current-context'] === 'string' ? (doc['current-context'] as string) : '';
  if (!contextName) throw new ComponentError('invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable');
  const context = findNamed(doc.contexts, contextName, 'context');
  if (!context) throw new ComponentError(`invalid configuration: [context was not found for specified context: ${contextName}]`);
  const clusterName = String(context.cluster ?? '');
  const userName = String(context.user ?? '');
  const cluster = findNamed(doc.clusters, clusterName, 'cluster');
  if (!cluster) throw new ComponentError(`invalid configuration: [context was not found for specified context: ${contextName}, cluster has no server defined]`);
  const server = String(cluster.server ?? '');
  if (!server) throw new ComponentError('invalid configuration: [cluster has no server defined]');
  const user = findNamed(doc.users, userName, 'user') ?? {};

  let ca: Buffer;
  if (typeof cluster['certificate-authority-data'] === 'string') {
    ca = Buffer.from(cluster['certificate-authority-data'] as string, 'base64');
  } else if (typeof cluster['certificate-authority'] === 'string') {
    const caPath = fileRef(cluster['certificate-authority'] as string);
    try {
      ca = readFileGo(caPath);
    } catch {
      throw new ComponentError(`invalid configuration: unable to read certificate-authority ${caPath} for ${clusterName} due to open ${caPath}: no such file or directory`);
    }
  } else {
    throw new ComponentError(`invalid configuration: cluster ${clusterName} has no certificate-authority: the lab's components trust only a configured CA`);
  }
  parseCertificates(ca, `certificate-authority of cluster ${clusterName}`);

  const credentials: ClientCredentials = { server, ca };
  const certData = typeof user['client-certificate-data'] === 'string' ? Buffer.from(user['client-certificate-data'] as string, 'base64') : undefined;
  const keyData = typeof user['client-key-data'] === 'string' ? Buffer.from(user['client-key-data'] as string, 'base64') : undefined;
  const certFile = typeof user['client-certificate'] === 'string' ? fileRef(user['client-certificate'] as string) : undefined;
  const keyFile = typeof user['client-key'] === 'string' ? fileRef(user['client-key'] as string) : undefined;
  const cert = certData ?? certFile;
  const key = keyData ?? keyFile;
  if (cert !== undefined || key !== undefined) {
    if (cert === undefined) throw new ComponentError(`invalid configuration: client-key-data or client-key must be specified for ${userName} to use the clientCert authentication method`);
    if (key === undefined) throw new ComponentError(`invalid configuration: client-cert-data or client-cert must be specified for ${userName} to use the clientCert authentication method`);
    credentials.keyPair = loadKeyPair(cert, key, { cert: `client-certificate of user ${userName}`, key: `client-key of user ${userName}` });
  }
  if (typeof user.token === 'string') credentials.token = user.token as string;
  return credentials;
}
