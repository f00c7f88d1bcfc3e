/**
 * The cluster's CAs and service-account key pair, kept in <stateDir>/pki/ on the control machine with kubeadm's
 * file names (ca, front-proxy-ca, etcd/ca, sa). Made once; loaded and checked on every later run.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { BACKDATE_MS, CA_VALIDITY_MS, createCaCertificate } from './certificate.js';
import { PkiError } from './errors.js';
import { newPrivateKey, parsePrivateKey, parsePublicKey, privateKeyPem, publicKeyPem, samePublicKey } from './keys.js';
import { openStateDir } from './state-dir.js';
import { CERT_MODE, ensureDir, KEY_MODE, readOptional, writeAtomic } from './store.js';
import type { CaName } from './host-certificates.js';

export interface CertificateAuthority {
  name: CaName;
  /** Path under certificatesDir without extension: "ca", "front-proxy-ca", "etcd/ca". */
  baseName: string;
  certPem: string;
  keyPem: string;
  cert: X509Certificate;
  key: KeyObject;
}

export interface ServiceAccountKeys {
  /** sa.key: "RSA PRIVATE KEY". */
  keyPem: string;
  /** sa.pub: "PUBLIC KEY". */
  publicKeyPem: string;
}

export interface ClusterPki {
  /** The state directory these were loaded from. */
  stateDir: string;
  ca: CertificateAuthority;
  frontProxyCa: CertificateAuthority;
  /** Absent with an external etcd: kubeadm then makes no etcd CA ("External etcd mode: Skipping etcd/ca"). */
  etcdCa?: CertificateAuthority;
  serviceAccount: ServiceAccountKeys;
}

/** kubeadm phases/certs/certlist.go: KubeadmCertRootCA, KubeadmCertFrontProxyCA, KubeadmCertEtcdCA. */
const AUTHORITIES: ReadonlyArray<{ name: CaName; baseName: string; commonName: string }> = [
  { name: 'ca', baseName: 'ca', commonName: 'kubernetes' },
  { name: 'front-proxy-ca', baseName: 'front-proxy-ca', commonName: 'front-proxy-ca' },
  { name: 'etcd-ca', baseName: 'etcd/ca', commonName: 'etcd-ca' },
];

export function clusterPkiDir(stateDir: string): string {
  return join(stateDir, 'pki');
}

function unusable(dir: string, what: string, files: string[], reason: string): PkiError {
  const list = files.map((f) => join(dir, f)).join(' and ');
  return new PkiError(
    `The ${what} in ${dir} is unusable: ${reason}. Restore ${list} from a backup; or, to start a new cluster ` +
      `identity, remove both files and run again (every certificate issued so far then stops being trusted).`,
  );
}

/**
 * The CA is created with the newest kubeadm's profile whatever the Kubernetes version: a CA outlives upgrades and
 * every kubeadm accepts it. kubeadm v1.31 util/pkiutil/pki_helpers.go NewSelfSignedCACert: random serial in
 * [1, 2^63-1); certlist.go GetConfig: notBefore = start - CertificateBackdate (5 min), notAfter = start +
 * caCertificateValidityPeriod (v1beta4 default 87600h, ten years).
 */
async function createAuthority(dir: string, spec: (typeof AUTHORITIES)[number], now: Date): Promise<CertificateAuthority> {
  const key = await newPrivateKey();
  const certPem = await createCaCertificate(spec.commonName, key, {
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + CA_VALIDITY_MS),
  });
  const keyPem = privateKeyPem(key);
  // Key first, as kubeadm's WriteCertAndKey: a certificate is never on disk without its key.
  await writeAtomic(join(dir, `${spec.baseName}.key`), keyPem, KEY_MODE);
  await writeAtomic(join(dir, `${spec.baseName}.crt`), certPem, CERT_MODE);
  return { name: spec.name, baseName: spec.baseName, certPem, keyPem, cert: new X509Certificate(certPem), key };
}

function loadAuthority(
  dir: string,
  spec: (typeof AUTHORITIES)[number],
  certPem: string,
  keyPem: string,
  now: Date,
): CertificateAuthority {
  const files = [`${spec.baseName}.crt`, `${spec.baseName}.key`];
  const what = `certificate authority "${spec.name}"`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw unusable(dir, what, files, `${spec.baseName}.crt is not a PEM certificate`);
  }
  if (!cert.ca) throw unusable(dir, what, files, `${spec.baseName}.crt is not a CA certificate`);
  let key: KeyObject;
  try {
    key = parsePrivateKey(keyPem);
  } catch (err) {
    throw unusable(dir, what, files, `${spec.baseName}.key is ${(err as Error).message}`);
  }
  if (!cert.checkPrivateKey(key)) {
    throw unusable(dir, what, files, `${spec.baseName}.key does not belong to ${spec.baseName}.crt`);
  }
  if (!cert.verify(cert.publicKey)) {
    throw unusable(dir, what, files, `${spec.baseName}.crt is not self-signed`);
  }
  if (new Date(cert.validTo).getTime() <= now.getTime()) {
    throw unusable(dir, what, files, `${spec.baseName}.crt expired on ${new Date(cert.validTo).toISOString()}`);
  }
  return { name: spec.name, baseName: spec.baseName, certPem, keyPem, cert, key };
}

async function loadOrCreateAuthority(dir: string, spec: (typeof AUTHORITIES)[number], now: Date): Promise<CertificateAuthority> {
  const certPem = await readOptional(join(dir, `${spec.baseName}.crt`));
  const keyPem = await readOptional(join(dir, `${spec.baseName}.key`));
  if (certPem === undefined && keyPem === undefined) return createAuthority(dir, spec, now);
  const files = [`${spec.baseName}.crt`, `${spec.baseName}.key`];
  if (certPem === undefined) throw unusable(dir, `certificate authority "${spec.name}"`, files, `${spec.baseName}.crt is missing`);
  if (keyPem === undefined) throw unusable(dir, `certificate authority "${spec.name}"`, files, `${spec.baseName}.key is missing`);
  return loadAuthority(dir, spec, certPem, keyPem, now);
}

/** kubeadm phases/certs/certs.go CreateServiceAccountKeyAndPublicKeyFiles: sa.key and sa.pub. */
async function loadOrCreateServiceAccount(dir: string): Promise<ServiceAccountKeys> {
  const keyPath = join(dir, 'sa.key');
  const pubPath = join(dir, 'sa.pub');
  const keyPem = await readOptional(keyPath);
  const pubPem = await readOptional(pubPath);
  const files = ['sa.key', 'sa.pub'];
  const what = 'service-account key pair';
  if (keyPem === undefined && pubPem === undefined) {
    const key = await newPrivateKey();
    const created = { keyPem: privateKeyPem(key), publicKeyPem: publicKeyPem(key) };
    await writeAtomic(keyPath, created.keyPem, KEY_MODE);
    await writeAtomic(pubPath, created.publicKeyPem, KEY_MODE);
    return created;
  }
  if (keyPem === undefined) throw unusable(dir, what, files, 'sa.key is missing');
  if (pubPem === undefined) throw unusable(dir, what, files, 'sa.pub is missing');
  let key: KeyObject;
  let pub: KeyObject;
  try {
    key = parsePrivateKey(keyPem);
  } catch (err) {
    throw unusable(dir, what, files, `sa.key is ${(err as Error).message}`);
  }
  try {
    pub = parsePublicKey(pubPem);
  } catch (err) {
    throw unusable(dir, what, files, `sa.pub is ${(err as Error).message}`);
  }
  if (!samePublicKey(key, pub)) throw unusable(dir, what, files, 'sa.pub is not the public half of sa.key');
  return { keyPem, publicKeyPem: pubPem };
}

/**
 * The cluster's CAs and service-account keys. `etcdCa: false` (an external etcd) neither makes nor loads the etcd CA,
 * as kubeadm's certs phase skips it (cmd/phases/init/certs.go runCAPhase); one made earlier is left where it is.
 */
export async function loadOrCreateClusterPki(stateDir: string, options: { etcdCa?: boolean } = {}): Promise<ClusterPki> {
  await openStateDir(stateDir);
  const dir = clusterPkiDir(stateDir);
  await ensureDir(dir);
  const now = new Date();
  const wanted = options.etcdCa === false ? AUTHORITIES.filter((a) => a.name !== 'etcd-ca') : AUTHORITIES;
  const [ca, frontProxyCa, etcdCa] = await Promise.all(wanted.map((spec) => loadOrCreateAuthority(dir, spec, now)));
  const serviceAccount = await loadOrCreateServiceAccount(dir);
  if (!ca || !frontProxyCa || (options.etcdCa !== false && !etcdCa)) throw new Error('unreachable: three authorities');
  return { stateDir, ca, frontProxyCa, ...(etcdCa ? { etcdCa } : {}), serviceAccount };
}
