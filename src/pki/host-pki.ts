/**
 * Everything kubeadm's certs and kubeconfig phases write on one node, kept per host in
 * <stateDir>/hosts/<name>/pki/ and re-used while it still fits, so that a re-run writes identical bytes.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { join, posix } from 'node:path';
import type { HostSpec, Inventory, RenderedFile } from '../inventory/types.js';
import {
  BACKDATE_MS,
  createLeafCertificate,
  describeCertificate,
  LEAF_VALIDITY_MS,
  sameSubject,
  wholeSeconds,
  type CertificateSubject,
  type Validity,
} from './certificate.js';
import type { CertificateAuthority, ClusterPki } from './cluster-pki.js';
import { controlPlaneEndpoint, firstControlPlane, localApiEndpoint } from './endpoints.js';
import { PkiError } from './errors.js';
import { controlPlaneLeaves, kubeconfigSpecs, type CaName, type KubeconfigSpec } from './host-certificates.js';
import { newPrivateKey, parsePrivateKey, privateKeyPem } from './keys.js';
import { renderKubeconfig } from './kubeconfig.js';
import { pkiProfileFor, type PkiProfile } from './profiles.js';
import { CERT_MODE, KEY_MODE, readOptional, writeAtomic } from './store.js';

/** kubeadm constants.KubernetesDir: where the kubeconfig files go. */
export const KUBERNETES_DIR = '/etc/kubernetes';

/** A stored certificate is re-used only while it has more than this left. */
export const MIN_REMAINING_MS = 30 * 24 * 60 * 60 * 1000;

export function hostPkiDir(stateDir: string, hostName: string): string {
  return join(stateDir, 'hosts', hostName, 'pki');
}

interface IssuedPair {
  certPem: string;
  keyPem: string;
}

function authority(pki: ClusterPki, name: CaName): CertificateAuthority {
  if (name === 'ca') return pki.ca;
  if (name === 'front-proxy-ca') return pki.frontProxyCa;
  if (!pki.etcdCa) throw new PkiError('the etcd CA was not loaded: the inventory uses an external etcd');
  return pki.etcdCa;
}

function leafValidity(profile: PkiProfile, ca: CertificateAuthority, now: Date): Validity {
  if (profile.leafValidity === 'ca-not-before') {
    return { notBefore: new Date(ca.cert.validFrom), notAfter: new Date(now.getTime() + LEAF_VALIDITY_MS) };
  }
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + LEAF_VALIDITY_MS) };
}

/** The stored pair when it is intact, signed by this CA, far enough from expiry and exactly what is wanted now. */
function reusable(stored: IssuedPair, ca: CertificateAuthority, wanted: CertificateSubject, now: Date): boolean {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(stored.certPem);
    key = parsePrivateKey(stored.keyPem);
  } catch {
    return false;
  }
  return (
    cert.checkPrivateKey(key) &&
    cert.checkIssued(ca.cert) &&
    cert.verify(ca.cert.publicKey) &&
    new Date(cert.validTo).getTime() - now.getTime() > MIN_REMAINING_MS &&
    new Date(cert.validFrom).getTime() <= now.getTime() + BACKDATE_MS &&
    sameSubject(describeCertificate(cert), wanted)
  );
}

/** Re-uses <dir>/<baseName>.crt/.key when they still fit, otherwise issues and stores a new pair. */
async function ensurePair(
  dir: string,
  baseName: string,
  ca: CertificateAuthority,
  subject: CertificateSubject,
  profile: PkiProfile,
  now: Date,
): Promise<IssuedPair> {
  const certPath = join(dir, `${baseName}.crt`);
  const keyPath = join(dir, `${baseName}.key`);
  const certPem = await readOptional(certPath);
  const keyPem = await readOptional(keyPath);
  if (certPem !== undefined && keyPem !== undefined && reusable({ certPem, keyPem }, ca, subject, now)) {
    return { certPem, keyPem };
  }
  const key = await newPrivateKey();
  const issued = {
    certPem: await createLeafCertificate(subject, key, ca, leafValidity(profile, ca, now)),
    keyPem: privateKeyPem(key),
  };
  await writeAtomic(keyPath, issued.keyPem, KEY_MODE);
  await writeAtomic(certPath, issued.certPem, CERT_MODE);
  return issued;
}

function assertKnownHost(inv: Inventory, host: HostSpec): void {
  if (!inv.hosts.some((h) => h.name === host.name)) {
    throw new PkiError(`host ${host.name} is not in the inventory ${inv.file}`);
  }
  if (host.name.includes('/') || host.name === '.' || host.name === '..') {
    throw new PkiError(`host name "${host.name}" cannot be used as a directory name`);
  }
}

async function kubeconfigFile(
  inv: Inventory,
  host: HostSpec,
  pki: ClusterPki,
  spec: KubeconfigSpec,
  profile: PkiProfile,
  now: Date,
): Promise<string> {
  const dir = join(hostPkiDir(pki.stateDir, host.name), 'kubeconfig');
  const subject: CertificateSubject = {
    commonName: spec.userName,
    organization: spec.organization,
    usages: ['clientAuth'],
    dnsNames: [],
    ips: [],
  };
  const pair = await ensurePair(dir, spec.file.replace(/\.conf$/, ''), pki.ca, subject, profile, now);
  return renderKubeconfig({
    clusterName: inv.cluster.clusterName,
    server: spec.endpoint === 'local' ? localApiEndpoint(host) : controlPlaneEndpoint(inv, host),
    userName: spec.userName,
    caCertPem: pki.ca.certPem,
    clientCertPem: pair.certPem,
    clientKeyPem: pair.keyPem,
  });
}

function isFirstControlPlane(inv: Inventory, host: HostSpec): boolean {
  return firstControlPlane(inv)?.name === host.name;
}

/**
 * Every file kubeadm writes under certificatesDir and /etc/kubernetes/*.conf for this host: on a control-plane
 * node the three CAs, sa.key/sa.pub, the leaf certificates and the kubeconfig files; on a worker ca.crt and kubelet.conf.
 */
export async function renderHostPki(inv: Inventory, host: HostSpec, pki: ClusterPki): Promise<RenderedFile[]> {
  assertKnownHost(inv, host);
  const profile = pkiProfileFor(inv.cluster.version ?? inv.cluster.kubernetesVersion);
  const now = new Date();
  const certsDir = inv.cluster.certificatesDir;
  const hostDir = hostPkiDir(pki.stateDir, host.name);
  const files: RenderedFile[] = [];
  const pem = (baseName: string, certPem: string, keyPem?: string) => {
    files.push({ path: posix.join(certsDir, `${baseName}.crt`), content: certPem, mode: CERT_MODE });
    if (keyPem !== undefined) files.push({ path: posix.join(certsDir, `${baseName}.key`), content: keyPem, mode: KEY_MODE });
  };

  if (!host.roles.includes('control-plane')) {
    // kubeadm join on a worker writes only the cluster CA certificate and kubelet.conf.
    pem(pki.ca.baseName, pki.ca.certPem);
  } else {
    const leaves = controlPlaneLeaves(inv, host, profile);
    const issued = await Promise.all(
      leaves.map((leaf) => ensurePair(hostDir, leaf.baseName, authority(pki, leaf.ca), leaf.subject, profile, now)),
    );
    const leafPair = (name: string) => {
      const index = leaves.findIndex((l) => l.name === name);
      const leaf = leaves[index];
      const pair = issued[index];
      if (!leaf || !pair) throw new Error(`unreachable: no ${name}`);
      pem(leaf.baseName, pair.certPem, pair.keyPem);
    };
    // kubeadm's order: certlist.go GetDefaultCertList, then the service-account key pair.
    pem(pki.ca.baseName, pki.ca.certPem, pki.ca.keyPem);
    leafPair('apiserver');
    leafPair('apiserver-kubelet-client');
    pem(pki.frontProxyCa.baseName, pki.frontProxyCa.certPem, pki.frontProxyCa.keyPem);
    leafPair('front-proxy-client');
    // An external etcd's CA and client pair come from the inventory's files (render adds them: external-etcd.ts).
    if (!inv.cluster.etcd.external) {
      if (!pki.etcdCa) throw new PkiError('the etcd CA was not loaded');
      pem(pki.etcdCa.baseName, pki.etcdCa.certPem, pki.etcdCa.keyPem);
      leafPair('etcd-server');
      leafPair('etcd-peer');
      leafPair('etcd-healthcheck-client');
      leafPair('apiserver-etcd-client');
    }
    // sa.pub is written with keyutil.WriteKey, hence 0600 like the private key.
    files.push({ path: posix.join(certsDir, 'sa.key'), content: pki.serviceAccount.keyPem, mode: KEY_MODE });
    files.push({ path: posix.join(certsDir, 'sa.pub'), content: pki.serviceAccount.publicKeyPem, mode: KEY_MODE });
  }

  const specs = kubeconfigSpecs(inv, host, profile, isFirstControlPlane(inv, host));
  const kubeconfigs = await Promise.all(specs.map((spec) => kubeconfigFile(inv, host, pki, spec, profile, now)));
  specs.forEach((spec, i) => {
    // clientcmd.WriteToFile: 0600.
    files.push({ path: posix.join(KUBERNETES_DIR, spec.file), content: kubeconfigs[i] ?? '', mode: KEY_MODE });
  });
  return files;
}

/** The admin kubeconfig for the control machine: the same content as the host's admin.conf. */
export async function adminKubeconfig(inv: Inventory, host: HostSpec, pki: ClusterPki): Promise<string> {
  assertKnownHost(inv, host);
  if (!host.roles.includes('control-plane')) {
    throw new PkiError(`host ${host.name} is not a control-plane node, so it has no admin.conf`);
  }
  const profile = pkiProfileFor(inv.cluster.version ?? inv.cluster.kubernetesVersion);
  const spec = kubeconfigSpecs(inv, host, profile, isFirstControlPlane(inv, host)).find((s) => s.file === 'admin.conf');
  if (!spec) throw new Error('unreachable: a control-plane node has admin.conf');
  return kubeconfigFile(inv, host, pki, spec, profile, new Date());
}
