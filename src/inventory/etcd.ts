/**
 * `cluster.etcd.external` (kubeadm's ClusterConfiguration etcd.external): an etcd cluster that bootstrap does not
 * run. The rules are kubeadm's ValidateEtcd (apis/kubeadm/validation/validation.go): local and external are
 * mutually exclusive, and with client certificates every endpoint must be https. bootstrap asks for more than
 * kubeadm in one respect: the CA, certificate and key are all required, because preflight and `status` reach the
 * members themselves with them, and its etcd client speaks only TLS with a client certificate.
 */
import { posix } from 'node:path';
import type { FieldPath } from './errors.js';
import { existingFile, type SectionResolver } from './prepare.js';
import type { ExternalEtcd } from './types.js';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** An etcd client URL as the API server's --etcd-servers takes it: https://host[:port], no path. */
function isHttpsClientUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.hostname !== '' && (url.pathname === '/' || url.pathname === '') &&
    !url.search && !url.hash && !url.username && !/[,\s]/.test(text);
}

const FILES = [
  ['caFile', 'the CA that signed the etcd members\' serving certificates'],
  ['certFile', 'the client certificate the API server presents to etcd'],
  ['keyFile', 'the client certificate\'s private key'],
] as const;

/** `etcd` of the cluster section: the external etcd, or undefined when the stacked (local) etcd is used. */
export function resolveExternalEtcd(r: SectionResolver, etcd: Raw): ExternalEtcd | undefined {
  const raw = etcd.external;
  if (raw === undefined) return undefined;
  const path: FieldPath = ['cluster', 'etcd', 'external'];
  if (etcd.local !== undefined) {
    r.fail(path, 'cannot be used with etcd.local: kubeadm\'s etcd.local and etcd.external are mutually exclusive (remove one)');
  }
  if (!isObject(raw)) return undefined;
  const endpoints = Array.isArray(raw.endpoints) ? raw.endpoints.filter((e): e is string => typeof e === 'string') : [];
  if (Array.isArray(raw.endpoints) && endpoints.length === 0) r.fail([...path, 'endpoints'], 'lists no etcd client URL (e.g. https://10.0.0.10:2379)');
  endpoints.forEach((endpoint, i) => {
    if (!isHttpsClientUrl(endpoint)) {
      r.fail([...path, 'endpoints', i], `"${endpoint}" is not an https:// etcd client URL (e.g. https://10.0.0.10:2379); with client certificates kubeadm requires https`);
    }
  });
  const dup = endpoints.find((e, i) => endpoints.indexOf(e) !== i);
  if (dup !== undefined) r.fail([...path, 'endpoints', endpoints.lastIndexOf(dup)], `"${dup}" is listed twice`);
  const files: Partial<Record<(typeof FILES)[number][0], string>> = {};
  for (const [field, what] of FILES) {
    const text = str(raw[field]);
    if (text === undefined) {
      r.fail(path, `missing "${field}": ${what}, a file on this machine; bootstrap reaches etcd only over TLS with a client certificate`);
      continue;
    }
    files[field] = existingFile(r, [...path, field], text);
  }
  return { endpoints, caFile: files.caFile ?? '', certFile: files.certFile ?? '', keyFile: files.keyFile ?? '' };
}

/**
 * Where the external etcd's CA, client certificate and key go on a control plane. kubeadm uses the paths its
 * configuration names, on the node it runs on (copycerts.go certsToTransfer: DownloadCerts writes them to
 * cfg.Etcd.External.*File on a joining control plane, keys with keyutil.WriteKey 0600, certificates with
 * certutil.WriteCert 0644). bootstrap reads them on the control machine instead, so it chooses the host paths: the
 * ones kubeadm's documentation for an external etcd uses (the HA guide's ClusterConfiguration:
 * /etc/kubernetes/pki/etcd/ca.crt, /etc/kubernetes/pki/apiserver-etcd-client.{crt,key}). They lie under
 * certificatesDir, which the API server already mounts (k8s-certs), so kubeadm's getEtcdCertVolumes adds no volume
 * for them; and they are the stacked etcd's names, which an external etcd never has, so nothing else writes there.
 * Here, beside the inventory's certificatesDir, because the manifests, the PKI and kubeadm-config all name them.
 */
export function externalEtcdHostPaths(certificatesDir: string): { caFile: string; certFile: string; keyFile: string } {
  return {
    caFile: posix.join(certificatesDir, 'etcd', 'ca.crt'),
    certFile: posix.join(certificatesDir, 'apiserver-etcd-client.crt'),
    keyFile: posix.join(certificatesDir, 'apiserver-etcd-client.key'),
  };
}
