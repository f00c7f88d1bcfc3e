/**
 * Creating and reading certificates the way kubeadm's pkiutil does (Go crypto/x509 underneath):
 * SHA256WithRSA; extensions in Go's order (keyUsage critical, extKeyUsage, basicConstraints critical,
 * subjectKeyIdentifier on CAs, authorityKeyIdentifier on leaves, subjectAltName); subject O before CN.
 */
import { randomBytes, X509Certificate, type KeyObject, type webcrypto } from 'node:crypto';
import { x509, subtle } from './x509.js';
import { pemEncode } from './pem.js';
import { ipBytes, ipText } from './ip.js';
import { keyIdentifier, pkcs8Der, spkiDer } from './keys.js';

export type ExtKeyUsage = 'serverAuth' | 'clientAuth';

const EXT_KEY_USAGE_OID: Record<ExtKeyUsage, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** What a certificate says about its holder: compared field by field to decide whether a stored one still fits. */
export interface CertificateSubject {
  commonName: string;
  organization: string[];
  usages: ExtKeyUsage[];
  /** In the order they appear in the certificate. */
  dnsNames: string[];
  /** Canonical text, in the order they appear in the certificate. */
  ips: string[];
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

const SIGNING = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** kubeadm constants: CertificateValidity = 365 days; CACertificateValidityPeriod = 10 x 365 days; CertificateBackdate = 5 minutes. */
export const LEAF_VALIDITY_MS = 365 * DAY_MS;
export const CA_VALIDITY_MS = 10 * 365 * DAY_MS;
export const BACKDATE_MS = 5 * 60 * 1000;

/** Go's x509 keeps whole seconds. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** A uniform random serial in [1, 2^63-1), as pkiutil.NewSignedCert draws it; hex for @peculiar/x509. */
function randomSerialHex(): string {
  for (;;) {
    const bytes = randomBytes(8);
    bytes[0] = (bytes[0] ?? 0) & 0x7f;
    let hex = bytes.toString('hex').replace(/^(00)+/, '');
    if (hex === '' || /^f+e$/.test(hex)) continue; // 0 and 2^63-1 are outside the range
    if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
    return hex;
  }
}

function subjectName(commonName: string, organization: string[]): x509.Name {
  // Go's pkix.Name.ToRDNSequence puts O before CN; several O values share one RDN.
  const rdns: x509.JsonName = [];
  if (organization.length) rdns.push({ O: organization });
  rdns.push({ CN: [commonName] });
  return new x509.Name(rdns);
}

async function signingKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  return subtle.importKey('pkcs8', pkcs8Der(key), SIGNING, false, ['sign']) as Promise<webcrypto.CryptoKey>;
}

async function publicCryptoKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  return subtle.importKey('spki', spkiDer(key), SIGNING, true, ['verify']) as Promise<webcrypto.CryptoKey>;
}

function altNames(dnsNames: string[], ips: string[]): x509.SubjectAlternativeNameExtension | undefined {
  if (!dnsNames.length && !ips.length) return undefined;
  // Go writes all DNS names, then all IP addresses.
  const names: x509.JsonGeneralName[] = [
    ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ips.map((value) => ({ type: 'ip' as const, value: ipText(ipBytes(value)) })),
  ];
  return new x509.SubjectAlternativeNameExtension(names);
}

const { digitalSignature, keyEncipherment, keyCertSign } = x509.KeyUsageFlags;

/**
 * A self-signed CA: keyUsage digitalSignature|keyEncipherment|keyCertSign, CA:TRUE, a subjectKeyIdentifier and,
 * as client-go's and kubeadm's NewSelfSignedCACert set DNSNames: []string{CommonName}, a DNS SAN equal to the CN.
 */
export async function createCaCertificate(commonName: string, key: KeyObject, validity: Validity): Promise<string> {
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(digitalSignature | keyEncipherment | keyCertSign, true),
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.SubjectKeyIdentifierExtension(keyIdentifier(key).toString('hex')),
  ];
  const san = altNames([commonName], []);
  if (san) extensions.push(san);
  const name = subjectName(commonName, []);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: name,
    issuer: name,
    notBefore: wholeSeconds(validity.notBefore),
    notAfter: wholeSeconds(validity.notAfter),
    signingAlgorithm: SIGNING,
    publicKey: await publicCryptoKey(key),
    signingKey: await signingKey(key),
    extensions,
  });
  return pemEncode('CERTIFICATE', new Uint8Array(cert.rawData));
}

export interface SigningCa {
  cert: X509Certificate;
  key: KeyObject;
}

/** A leaf signed by the CA: keyUsage digitalSignature|keyEncipherment, CA:FALSE, the requested EKUs and SANs. */
export async function createLeafCertificate(
  subject: CertificateSubject,
  key: KeyObject,
  ca: SigningCa,
  validity: Validity,
): Promise<string> {
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(digitalSignature | keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(subject.usages.map((u) => EXT_KEY_USAGE_OID[u])),
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.AuthorityKeyIdentifierExtension(keyIdentifier(ca.key).toString('hex')),
  ];
  const san = altNames(subject.dnsNames, subject.ips);
  if (san) extensions.push(san);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: subjectName(subject.commonName, subject.organization),
    issuer: new x509.Name(subjectDer(ca.cert)),
    notBefore: wholeSeconds(validity.notBefore),
    notAfter: wholeSeconds(validity.notAfter),
    signingAlgorithm: SIGNING,
    publicKey: await publicCryptoKey(key),
    signingKey: await signingKey(ca.key),
    extensions,
  });
  return pemEncode('CERTIFICATE', new Uint8Array(cert.rawData));
}

/** The issuer of a leaf is the CA's subject, byte for byte. */
function subjectDer(cert: X509Certificate): Uint8Array {
  const parsed = new x509.X509Certificate(new Uint8Array(cert.raw));
  return new Uint8Array(parsed.subjectName.toArrayBuffer());
}

/** Reads back what createLeafCertificate wrote (or what kubeadm would have written). */
export function describeCertificate(cert: X509Certificate): CertificateSubject {
  const parsed = new x509.X509Certificate(new Uint8Array(cert.raw));
  const eku = parsed.getExtension(x509.ExtendedKeyUsageExtension);
  const usages: ExtKeyUsage[] = [];
  for (const oid of eku?.usages ?? []) {
    const usage = (Object.keys(EXT_KEY_USAGE_OID) as ExtKeyUsage[]).find((u) => EXT_KEY_USAGE_OID[u] === oid);
    if (!usage) return { commonName: '', organization: [], usages: [], dnsNames: [], ips: [] }; // never ours: reissue
    usages.push(usage);
  }
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const name of san?.names.items ?? []) {
    if (name.type === 'dns') dnsNames.push(name.value);
    else if (name.type === 'ip') ips.push(ipText(ipBytes(name.value)));
  }
  return {
    commonName: parsed.subjectName.getField('CN')[0] ?? '',
    organization: parsed.subjectName.getField('O'),
    usages,
    dnsNames,
    ips,
  };
}

export function sameSubject(a: CertificateSubject, b: CertificateSubject): boolean {
  const same = (x: string[], y: string[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.commonName === b.commonName &&
    same(a.organization, b.organization) &&
    same(a.usages, b.usages) &&
    same(a.dnsNames, b.dnsNames) &&
    same(a.ips, b.ips)
  );
}
