/**
 * Loading certificates, keys and CA bundles the way the real components do (Go's crypto/tls and client-go
 * cert utilities), so that a missing file or a certificate that does not match its key fails with the same
 * kind of message a user would see from a real control plane.
 */
import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export class ComponentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ComponentError';
  }
}

/** Go's os.Open error text for the common errno values. */
export function goOpenError(path: string, error: unknown): ComponentError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'no such file or directory' :
    code === 'EACCES' ? 'permission denied' :
    code === 'EISDIR' ? 'is a directory' :
    String((error as Error).message);
  return new ComponentError(`open ${path}: ${reason}`);
}

export function readFileGo(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw goOpenError(path, error);
  }
}

/** Every certificate in a PEM bundle; throws like client-go's cert.ParseCertsPEM. */
export function parseCertificates(pem: Buffer | string, source: string): X509Certificate[] {
  const text = pem.toString();
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ComponentError(`data does not contain any valid RSA or ECDSA certificates (${source})`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw new ComponentError(`x509: malformed certificate (${source})`);
    }
  });
}

export function parsePrivateKey(pem: Buffer | string, source: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new ComponentError(`tls: failed to find any PEM data in key input (${source})`);
  }
}

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
  leaf: X509Certificate;
}

/** tls.LoadX509KeyPair: both files must exist and the key must belong to the first certificate. */
export function loadKeyPair(certSource: Buffer | string, keySource: Buffer | string, labels: { cert: string; key: string }): KeyPair {
  const cert = typeof certSource === 'string' ? readFileGo(certSource) : certSource;
  const key = typeof keySource === 'string' ? readFileGo(keySource) : keySource;
  const leaf = parseCertificates(cert, labels.cert)[0]!;
  const privateKey = parsePrivateKey(key, labels.key);
  if (!leaf.checkPrivateKey(privateKey)) throw new ComponentError('tls: private key does not match public key');
  return { cert, key, leaf };
}

/** A CA bundle file as --client-ca-file and friends read it. */
export function loadCABundle(path: string): { pem: Buffer; certs: X509Certificate[] } {
  const pem = readFileGo(path);
  return { pem, certs: parseCertificates(pem, path) };
}

/** True when `cert` was issued and signed by one of `cas`. */
export function signedByOneOf(cert: X509Certificate, cas: X509Certificate[]): boolean {
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

/** A service-account key file: RSA/ECDSA private or public keys (the apiserver accepts both). */
export function loadPublicKeys(path: string): KeyObject[] {
  const pem = readFileGo(path).toString();
  const blocks = pem.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
  const keys: KeyObject[] = [];
  for (const block of blocks) {
    try {
      keys.push(createPublicKey(block));
    } catch {
      // certificates and unknown blocks are skipped, as keyutil.ParsePublicKeysPEM does
    }
  }
  if (keys.length === 0) throw new ComponentError(`data does not contain any valid RSA or ECDSA public keys (${path})`);
  return keys;
}

export function loadPrivateKeyFile(path: string): KeyObject {
  return parsePrivateKey(readFileGo(path), path);
}

/** Subject CN and O values of a certificate: the user name and groups of x509 client authentication. */
export function subjectIdentity(cert: X509Certificate): { user: string; groups: string[] } {
  const lines = cert.subject.split('\n');
  const user = lines.find((l) => l.startsWith('CN='))?.slice(3) ?? '';
  const groups = lines.filter((l) => l.startsWith('O=')).map((l) => l.slice(2));
  return { user, groups };
}
