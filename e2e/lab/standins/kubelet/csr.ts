/**
 * PKCS#10 certificate requests as Go's x509.CreateCertificateRequest writes them (certutil.MakeCSR /
 * MakeCSRFromTemplate): subject O before CN (pkix.Name.ToRDNSequence order), PrintableString where the value allows
 * it, empty attributes, ecdsa-with-SHA256 for the ECDSA P-256 keys the kubelet generates. Built on node:crypto so
 * the node bundle needs no certificate library.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [parts[0]! * 40 + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** Go's asn1 marshals a string as PrintableString when every character allows it, else UTF8String. */
function directoryString(value: string): Buffer {
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(value);
  return tlv(printable ? 0x13 : 0x0c, Buffer.from(value, 'utf8'));
}

export const OID_ORGANIZATION = '2.5.4.10';
export const OID_COMMON_NAME = '2.5.4.3';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

export interface Subject {
  commonName: string;
  organization: string[];
}

/** Name ::= SEQUENCE OF RelativeDistinguishedName, one attribute per RDN, O before CN as Go orders them. */
function encodeName(subject: Subject): Buffer {
  const rdns = [
    ...subject.organization.map((o) => set(seq(oid(OID_ORGANIZATION), directoryString(o)))),
    ...(subject.commonName ? [set(seq(oid(OID_COMMON_NAME), directoryString(subject.commonName)))] : []),
  ];
  return seq(...rdns);
}

/** A DER certificate request for `subject`, signed with the ECDSA key. */
export function makeCsrDer(privateKey: KeyObject, subject: Subject): Buffer {
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const info = seq(tlv(0x02, Buffer.from([0])), encodeName(subject), spki, Buffer.from([0xa0, 0x00]));
  const signature = sign('sha256', info, privateKey);
  return seq(info, seq(oid(OID_ECDSA_WITH_SHA256)), tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
}

export function pem(type: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}

export function makeCsrPem(privateKey: KeyObject, subject: Subject): string {
  return pem('CERTIFICATE REQUEST', makeCsrDer(privateKey, subject));
}

/** A new ECDSA P-256 key as the certificate manager makes it, PEM "EC PRIVATE KEY" (x509.MarshalECPrivateKey). */
export function generateNodeKey(): { key: KeyObject; keyPem: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { key: privateKey, keyPem: privateKey.export({ type: 'sec1', format: 'pem' }) as string };
}

export function parseKey(keyPem: string | Buffer): KeyObject {
  return createPrivateKey(keyPem);
}

/** The subject of a node client certificate: O=system:nodes, CN=system:node:<nodeName>. */
export function nodeClientSubject(nodeName: string): Subject {
  return { commonName: `system:node:${nodeName}`, organization: ['system:nodes'] };
}

/**
 * Usages of the kubelet's client certificate requests: digital signature and client auth, plus key encipherment
 * for RSA keys only (ECDSA keys cannot encipher).
 */
export function nodeClientUsages(key: KeyObject): string[] {
  return key.asymmetricKeyType === 'rsa' ? ['digital signature', 'key encipherment', 'client auth'] : ['digital signature', 'client auth'];
}

/**
 * The name LoadClientCert gives its request (bootstrap.go digestedName): node-csr-<base64url(sha512/256)> over the
 * public key, CN, O values and usages, each base64url-encoded and followed by '|'.
 */
export function digestedName(key: KeyObject, subject: Subject, usages: string[]): string {
  const hash = createHash('sha512-256');
  const write = (data: Buffer): void => {
    hash.update(data.toString('base64url'));
    hash.update('|');
  };
  write(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  write(Buffer.from(subject.commonName));
  for (const o of subject.organization) write(Buffer.from(o));
  for (const u of usages) write(Buffer.from(u));
  return `node-csr-${hash.digest('base64url')}`;
}
