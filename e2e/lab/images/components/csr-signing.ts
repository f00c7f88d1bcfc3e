/**
 * csrsigning (pkg/controller/certificates/signer): signs approved requests for the kubernetes.io signers with the
 * cluster CA (--cluster-signing-cert-file/--cluster-signing-key-file, or a signer's own pair), as
 * authority.CertificateAuthority.Sign with the PermissiveSigningPolicy: 128-bit random serial, the request's subject,
 * SANs and extensions, key usages from spec.usages, CA:FALSE, notBefore backdated 5 minutes, lifetime
 * min(spec.expirationSeconds (at least 10 minutes), --cluster-signing-duration), never beyond the CA's notAfter.
 */
import { createPrivateKey, randomBytes, X509Certificate, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Api } from './controller-api.js';
import {
  approvalState, CSR_PATH, hasTrueCondition, KUBE_APISERVER_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER, loadX509, parseCSR,
  validateAPIServerClientUsages, validateKubeletClientCSR, validateKubeletServingCSR, type CertificateSigningRequest, type ParsedRequest,
} from './csr.js';
import type { ControllerLog } from './csr-approving.js';

type X509CreateParams = import('@peculiar/x509').X509CertificateCreateWithKeyParams;

export interface SigningCA {
  certPem: string;
  cert: X509Certificate;
  key: webcrypto.CryptoKey;
  algorithm: { name: string; hash?: string };
}

/** Loads a CA pair into WebCrypto (RSA PKCS#1 v1.5 or ECDSA, SHA-256 as Go signs with either). */
export async function loadSigningCA(certFile: string, keyFile: string): Promise<SigningCA> {
  const certPem = readFileSync(certFile, 'utf8');
  const cert = new X509Certificate(certPem);
  const keyObject = createPrivateKey(readFileSync(keyFile));
  const pkcs8 = keyObject.export({ type: 'pkcs8', format: 'der' });
  let importAlg: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  let algorithm: { name: string; hash?: string };
  if (keyObject.asymmetricKeyType === 'rsa') {
    importAlg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    algorithm = { name: 'RSASSA-PKCS1-v1_5' };
  } else if (keyObject.asymmetricKeyType === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : keyObject.asymmetricKeyDetails?.namedCurve === 'secp521r1' ? 'P-521' : 'P-256';
    importAlg = { name: 'ECDSA', namedCurve: curve };
    algorithm = { name: 'ECDSA', hash: curve === 'P-384' ? 'SHA-384' : curve === 'P-521' ? 'SHA-512' : 'SHA-256' };
  } else {
    throw new Error(`unsupported CA key type ${keyObject.asymmetricKeyType}`);
  }
  const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, importAlg, false, ['sign']);
  return { certPem, cert, key, algorithm };
}

export const KEY_USAGES: Record<string, number> = {
  signing: 1, 'digital signature': 1, 'content commitment': 2, 'key encipherment': 4, 'data encipherment': 8, 'key agreement': 16,
  'cert sign': 32, 'crl sign': 64, 'encipher only': 128, 'decipher only': 256,
};

export const EXT_KEY_USAGES: Record<string, string> = {
  any: '2.5.29.37.0', 'server auth': '1.3.6.1.5.5.7.3.1', 'client auth': '1.3.6.1.5.5.7.3.2', 'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4', 's/mime': '1.3.6.1.5.5.7.3.4', 'ipsec end system': '1.3.6.1.5.5.7.3.5', 'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7', timestamping: '1.3.6.1.5.5.7.3.8', 'ocsp signing': '1.3.6.1.5.5.7.3.9', 'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

const MINUTE = 60_000;

/** signer.duration: the requested lifetime, at least 10 minutes, at most --cluster-signing-duration. */
export function certDuration(expirationSeconds: number | undefined, certTTLms: number): number {
  if (expirationSeconds === undefined || expirationSeconds === null) return certTTLms;
  const requested = expirationSeconds * 1000;
  if (requested > certTTLms) return certTTLms;
  if (requested < 10 * MINUTE) return 10 * MINUTE;
  return requested;
}

/** PermissiveSigningPolicy.backdate (Backdate 5 min, Short 8 h). */
export function validity(now: number, ttlMs: number, caNotAfter: number): { notBefore: Date; notAfter: Date } {
  const backdate = 5 * MINUTE;
  const notBefore = now - backdate;
  let notAfter = ttlMs <= 8 * 60 * MINUTE ? now + ttlMs - backdate : now + ttlMs;
  if (notAfter >= caNotAfter) notAfter = caNotAfter;
  if (notBefore >= caNotAfter) throw new Error(`the signer has expired: NotAfter=${new Date(caNotAfter).toISOString()}`);
  if (now >= caNotAfter) throw new Error(`refusing to sign a certificate that expired in the past: NotAfter=${new Date(caNotAfter).toISOString()}`);
  return { notBefore: new Date(notBefore), notAfter: new Date(notAfter) };
}

/** authority.Sign: a PEM certificate for the request. */
export async function signRequest(ca: SigningCA, req: ParsedRequest, usages: string[], ttlMs: number, now = Date.now()): Promise<string> {
  const x509 = await loadX509();
  if (!(await req.raw.verify())) throw new Error('unable to verify certificate request signature: x509: ECDSA verification failure');
  let keyUsage = 0;
  const extUsages: string[] = [];
  for (const u of usages) {
    if (KEY_USAGES[u] !== undefined) keyUsage |= KEY_USAGES[u]!;
    else if (EXT_KEY_USAGES[u] !== undefined) extUsages.push(EXT_KEY_USAGES[u]!);
    else throw new Error(`unrecognized usage: ${u}`);
  }
  const { notBefore, notAfter } = validity(now, ttlMs, Date.parse(ca.cert.validTo));
  const caCert = new x509.X509Certificate(ca.certPem);
  // Go sets the authority key id from the parent's subject key id; a leaf gets no subject key id of its own.
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const extensions = [
    ...(keyUsage ? [new x509.KeyUsagesExtension(keyUsage, true)] : []),
    ...(extUsages.length ? [new x509.ExtendedKeyUsageExtension(extUsages)] : []),
    new x509.BasicConstraintsExtension(false, undefined, true),
    ...(caSki ? [new x509.AuthorityKeyIdentifierExtension(caSki.keyId)] : []),
    ...req.raw.extensions.filter((e) => !['2.5.29.15', '2.5.29.37', '2.5.29.19', '2.5.29.35'].includes(e.type)),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex').replace(/^(00)+(?=.)/, ''),
    subject: req.raw.subjectName,
    issuer: caCert.subjectName,
    notBefore,
    notAfter,
    publicKey: req.raw.publicKey,
    signingKey: ca.key as unknown as X509CreateParams['signingKey'],
    signingAlgorithm: ca.algorithm as X509CreateParams['signingAlgorithm'],
    extensions,
  });
  return cert.toString('pem') + '\n';
}

export interface Signer {
  signerName: string;
  ca: SigningCA;
  ttlMs: number;
}

/** getCSRVerificationFuncForSignerName: [recognised, validation error]. */
export function checkForSigner(signerName: string, req: ParsedRequest, usages: string[]): string | undefined {
  switch (signerName) {
    case KUBELET_SERVING_SIGNER:
      return validateKubeletServingCSR(req, usages);
    case KUBELET_CLIENT_SIGNER:
      return validateKubeletClientCSR(req, usages);
    case KUBE_APISERVER_CLIENT_SIGNER:
      return validateAPIServerClientUsages(usages);
    default:
      return `unrecognized signerName: "${signerName}"`;
  }
}

/** signer.handle for one request: the updated CSR to PUT on /status, or undefined to leave it. */
export async function signOne(signer: Signer, csr: CertificateSigningRequest, now = Date.now()): Promise<CertificateSigningRequest | undefined> {
  const { approved, denied } = approvalState(csr);
  if (!approved || denied || hasTrueCondition(csr, 'Failed')) return undefined;
  if (csr.spec.signerName !== signer.signerName) return undefined;
  if (csr.status?.certificate) return undefined;
  let req: ParsedRequest;
  try {
    req = await parseCSR(csr.spec.request);
  } catch (e) {
    throw new Error(`unable to parse csr "${csr.metadata.name}": ${(e as Error).message}`);
  }
  const invalid = checkForSigner(csr.spec.signerName, req, csr.spec.usages ?? []);
  if (invalid) {
    return {
      ...csr,
      status: {
        ...(csr.status ?? {}),
        conditions: [
          ...(csr.status?.conditions ?? []),
          { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: invalid, lastUpdateTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') },
        ],
      },
    };
  }
  let pemText: string;
  try {
    pemText = await signRequest(signer.ca, req, csr.spec.usages ?? [], certDuration(csr.spec.expirationSeconds, signer.ttlMs), now);
  } catch (e) {
    throw new Error(`error auto signing csr: ${(e as Error).message}`);
  }
  return { ...csr, status: { ...(csr.status ?? {}), certificate: Buffer.from(pemText).toString('base64') } };
}

/** One pass of all signers over all requests. */
export async function syncSigning(api: Api, signers: Signer[], log: ControllerLog, reported: Set<string>): Promise<void> {
  const csrs = await api.list<CertificateSigningRequest>(CSR_PATH);
  for (const csr of csrs) {
    const signer = signers.find((s) => s.signerName === csr.spec.signerName);
    if (!signer) continue;
    try {
      const updated = await signOne(signer, csr);
      if (updated) {
        await api.update(`${CSR_PATH}/${csr.metadata.name}/status`, updated).catch((e: Error) => {
          throw new Error(`${updated.status?.certificate ? 'error updating signature for csr' : 'error adding failure condition for csr'}: ${e.message}`);
        });
      }
    } catch (e) {
      if (!reported.has(csr.metadata.name)) log.error(`Sync ${csr.metadata.name} failed with : ${(e as Error).message}`);
      reported.add(csr.metadata.name);
    }
  }
}
