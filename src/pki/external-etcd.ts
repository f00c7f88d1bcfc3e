/**
 * The external etcd's client files on every control plane: read on the control machine (the key refused when others
 * can read it), written where externalEtcdHostPaths (inventory/etcd.ts) says, with copycerts' modes.
 */
import { open } from 'node:fs/promises';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { externalEtcdHostPaths } from '../inventory/etcd.js';
import type { ExternalEtcd, Inventory, RenderedFile } from '../inventory/types.js';
import { PkiError } from './errors.js';
import { CERT_MODE, KEY_MODE } from './store.js';

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
