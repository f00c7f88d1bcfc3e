/**
 * What the certificate controllers share (pkg/apis/certificates/helpers.go, pkg/controller/certificates):
 * parsing the PEM request of a CertificateSigningRequest, the approval conditions, and the checks that recognise
 * kubelet client and serving requests.
 */
import type * as X509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBE_APISERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';

let x509Module: Promise<typeof X509> | undefined;

/** @peculiar/x509 with Node's WebCrypto, loaded after the Reflect metadata shim it needs. */
export function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import('./reflect-shim.js');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return x509;
  })();
  return x509Module;
}

export interface CertificateSigningRequest {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; uid?: string; resourceVersion?: string; [k: string]: unknown };
  spec: {
    request: string;
    signerName: string;
    usages?: string[];
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
    expirationSeconds?: number;
  };
  status?: {
    certificate?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string; lastTransitionTime?: string }[];
  };
}

/** The parts of an x509.CertificateRequest the controllers look at. */
export interface ParsedRequest {
  raw: X509.Pkcs10CertificateRequest;
  commonName: string;
  organization: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  publicKeyAlgorithm: string;
}

/** capihelper.ParseCSR: the PEM block must be a CERTIFICATE REQUEST. */
export async function parseCSR(requestBase64: string): Promise<ParsedRequest> {
  const pemText = Buffer.from(requestBase64, 'base64').toString();
  const block = /-----BEGIN ([A-Z ]+)-----([\s\S]+?)-----END \1-----/.exec(pemText);
  if (!block || block[1] !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const x509 = await loadX509();
  let req: X509.Pkcs10CertificateRequest;
  try {
    req = new x509.Pkcs10CertificateRequest(Buffer.from(block[2]!.replace(/\s+/g, ''), 'base64'));
  } catch (e) {
    throw new Error(`asn1: structure error: ${(e as Error).message}`);
  }
  const names = { dns: [] as string[], ip: [] as string[], email: [] as string[], url: [] as string[] };
  for (const ext of req.extensions) {
    if (ext instanceof x509.SubjectAlternativeNameExtension) {
      for (const item of ext.names.items) (names as Record<string, string[]>)[item.type]?.push(item.value);
    }
  }
  return {
    raw: req,
    commonName: req.subjectName.getField('CN')[0] ?? '',
    organization: req.subjectName.getField('O'),
    dnsNames: names.dns,
    ipAddresses: names.ip,
    emailAddresses: names.email,
    uris: names.url,
    publicKeyAlgorithm: (req.publicKey.algorithm as { name: string }).name,
  };
}

const sameSet = (a: string[], b: string[]): boolean => new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

/** ValidateKubeletClientCSR: undefined when the request is a kubelet client certificate request, else the reason. */
export function validateKubeletClientCSR(req: ParsedRequest, usages: string[]): string | undefined {
  if (req.organization.length !== 1 || req.organization[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (req.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.ipAddresses.length > 0) return 'IP subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  if (!sameSet(usages, ['digital signature', 'key encipherment', 'client auth']) && !sameSet(usages, ['digital signature', 'client auth'])) {
    return 'usages did not match [client auth digital signature key encipherment]';
  }
  return undefined;
}

/** ValidateKubeletServingCSR. */
export function validateKubeletServingCSR(req: ParsedRequest, usages: string[]): string | undefined {
  if (req.organization.length !== 1 || req.organization[0] !== 'system:nodes') return 'subject organization is not system:nodes';
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!sameSet(usages, ['digital signature', 'key encipherment', 'server auth']) && !sameSet(usages, ['digital signature', 'server auth'])) {
    return 'usages did not match [digital signature key encipherment server auth]';
  }
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  return undefined;
}

/** validAPIServerClientUsages (signer.go). */
export function validateAPIServerClientUsages(usages: string[]): string | undefined {
  let clientAuth = false;
  for (const u of usages) {
    if (u === 'digital signature' || u === 'key encipherment') continue;
    if (u === 'client auth') clientAuth = true;
    else return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? undefined : 'missing required usage for client certificate: client auth';
}

/** certificates.GetCertApprovalCondition. */
export function approvalState(csr: CertificateSigningRequest): { approved: boolean; denied: boolean } {
  let approved = false;
  let denied = false;
  for (const c of csr.status?.conditions ?? []) {
    if (c.type === 'Approved') approved = true;
    if (c.type === 'Denied') denied = true;
  }
  return { approved, denied };
}

export function hasTrueCondition(csr: CertificateSigningRequest, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

export const CSR_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
