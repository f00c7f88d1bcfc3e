/**
 * The external etcd's client files on every control plane. kubeadm uses the paths its configuration names, on
 * the node it runs on (copycerts.go certsToTransfer: DownloadCerts writes them to cfg.Etcd.External.*File on a
 * joining control plane, keys with keyutil.WriteKey 0600, certificates with certutil.WriteCert 0644). bootstrap
 * reads them on the control machine instead, so it chooses the host paths: the ones kubeadm's own documentation
 * for an external etcd uses (the HA guide's ClusterConfiguration: /etc/kubernetes/pki/etcd/ca.crt,
 * /etc/kubernetes/pki/apiserver-etcd-client.{crt,key}). They lie under certificatesDir, which the API server
 * already mounts (k8s-certs), so kubeadm's getEtcdCertVolumes adds no volume for them; and they are the names of
 * the stacked etcd's files, which an external etcd never has, so nothing else writes there.
 */
import { open } from 'node:fs/promises';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { posix } from 'node:path';
import type { ExternalEtcd, Inventory, RenderedFile } from '../inventory/types.js';
import { PkiError } from './errors.js';
import { CERT_MODE, KEY_MODE } from './store.js';

/** Where the external etcd's CA, client certificate and key go on a control plane, under certificatesDir. */
export function externalEtcdHostPaths(certificatesDir: string): { caFile: string; certFile: string; keyFile: string } {
  return {
    caFile: posix.join(certificatesDir, 'etcd', 'ca.crt'),
    certFile: posix.join(certificatesDir, 'apiserver-etcd-client.crt'),
    keyFile: posix.join(certificatesDir, 'apiserver-etcd-client.key'),
  };
}

/** The three files as read on the control machine (the key checked private first). */
export interface ExternalEtcdCredentials {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Group and world read bits: either lets another account on this machine read the key. */
const SHARED_READ = 0o044;

async function readChecked(file: string, field: string, isKey: boolean): Promise<string> {
  let text: string;
  try {
    // The mode is taken from the open file itself, so what is checked is what is read.
    const handle = await open(file, 'r');
    try {
      const mode = (await handle.stat()).mode;
      if (isKey && mode & SHARED_READ) {
        const who = mode & 0o004 ? 'every user' : 'its group';
        throw new PkiError(
          `cluster.etcd.external.${field} ${file} is readable by ${who} (mode ${(mode & 0o7777).toString(8).padStart(4, '0')}) ` +
            `and is the etcd client's private key: check who could have read it, then run chmod 600 '${file.replace(/'/g, `'\\''`)}'`,
        );
      }
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof PkiError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new PkiError(`cluster.etcd.external.${field} ${file}: ${why}`);
  }
  return text;
}

/**
 * Reads the CA, certificate and key, refusing a key others can read and files that are not what their field says
 * (never quoting a key's content). The pair must match: an API server given a foreign key only fails at start-up.
 */
export async function loadExternalEtcdCredentials(external: ExternalEtcd): Promise<ExternalEtcdCredentials> {
  const [caPem, certPem, keyPem] = await Promise.all([
    readChecked(external.caFile, 'caFile', false),
    readChecked(external.certFile, 'certFile', false),
    readChecked(external.keyFile, 'keyFile', true),
  ]);
  const cert = (pem: string, field: string, file: string) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new PkiError(`cluster.etcd.external.${field} ${file}: not a PEM certificate`);
    }
  };
  cert(caPem, 'caFile', external.caFile);
  const client = cert(certPem, 'certFile', external.certFile);
  let key: KeyObject;
  try {
    // Any key type etcd accepts (RSA, ECDSA, Ed25519), not only the RSA kubeadm makes.
    key = createPrivateKey(keyPem);
  } catch {
    throw new PkiError(`cluster.etcd.external.keyFile ${external.keyFile}: not a PEM private key`);
  }
  if (!client.checkPrivateKey(key)) {
    throw new PkiError(`cluster.etcd.external.keyFile ${external.keyFile} is not the private key of certFile ${external.certFile}`);
  }
  return { caPem, certPem, keyPem };
}

/** The files a control plane gets: the CA and certificate 0644, the key 0600, as kubeadm's copycerts writes them. */
export function externalEtcdFiles(inv: Inventory, credentials: ExternalEtcdCredentials): RenderedFile[] {
  const paths = externalEtcdHostPaths(inv.cluster.certificatesDir);
  return [
    { path: paths.caFile, content: credentials.caPem, mode: CERT_MODE },
    { path: paths.certFile, content: credentials.certPem, mode: CERT_MODE },
    { path: paths.keyFile, content: credentials.keyPem, mode: KEY_MODE },
  ];
}
