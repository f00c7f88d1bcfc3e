/**
 * RSA keys as kubeadm makes and writes them.
 *
 * kubeadm's default key type is RSA 2048 for every version (v1.31 added ClusterConfiguration.encryptionAlgorithm
 * with the default "RSA-2048": cmd/kubeadm/app/util/pkiutil/pki_helpers.go rsaKeySizeFromAlgorithmType; before
 * v1.31 the constant rsaKeySize = 2048 in the same file). Private keys are written by keyutil.MarshalPrivateKeyToPEM,
 * which for RSA is PKCS#1 ("RSA PRIVATE KEY"); sa.pub by EncodePublicKeyPEM, PKIX ("PUBLIC KEY").
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export const RSA_KEY_BITS = 2048;

export type RsaKeyGenerator = () => Promise<KeyObject>;

async function generateRsaKey(): Promise<KeyObject> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: RSA_KEY_BITS, publicExponent: 0x10001 });
  return privateKey;
}

let keyGenerator: RsaKeyGenerator = generateRsaKey;

/** Replace the key generator (tests use a pool of pre-made keys to stay fast); no argument restores the default. */
export function useKeyGenerator(generator?: RsaKeyGenerator): void {
  keyGenerator = generator ?? generateRsaKey;
}

export function newPrivateKey(): Promise<KeyObject> {
  return keyGenerator();
}

/** "-----BEGIN RSA PRIVATE KEY-----" (PKCS#1), as keyutil.MarshalPrivateKeyToPEM writes an RSA key. */
export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs1', format: 'pem' }).toString();
}

/** "-----BEGIN PUBLIC KEY-----" (PKIX), as pkiutil.EncodePublicKeyPEM writes sa.pub. */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}

/** Parses a PEM private key; throws a plain message (the caller adds which file) when it is not an RSA key. */
export function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error('not a PEM-encoded private key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} key, expected RSA`);
  return key;
}

export function parsePublicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new Error('not a PEM-encoded public key');
  }
}

export function pkcs8Der(key: KeyObject): Buffer {
  return key.export({ type: 'pkcs8', format: 'der' });
}

export function spkiDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'der' });
}

/**
 * The key identifier Go's crypto/x509 puts in a CA's subjectKeyIdentifier (and so in its leaves'
 * authorityKeyIdentifier): SHA-1 of the subjectPublicKey bits, which for RSA is the PKCS#1 public key (RFC 5280 4.2.1.2 (1)).
 */
export function keyIdentifier(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha1').update(pub.export({ type: 'pkcs1', format: 'der' })).digest();
}

/** True when both keys have the same public half. */
export function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return spkiDer(a).equals(spkiDer(b));
}
