/**
 * Bootstrap token Secrets as k8s.io/cluster-bootstrap reads them (token/api, util/secrets): kube-system Secrets of
 * type bootstrap.kubernetes.io/token named bootstrap-token-<id>, their data keys and expiration, and the detached
 * JWS (token/jws ComputeDetachedSignature) that signs kube-public/cluster-info.
 */
import { createHmac } from 'node:crypto';

export const BOOTSTRAP_TOKEN_TYPE = 'bootstrap.kubernetes.io/token';
export const JWS_PREFIX = 'jws-kubeconfig-';

export interface Secret {
  metadata: { name: string; namespace?: string; uid?: string };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** GetData: a data value decoded (stringData as the apiserver would have merged it). */
export function secretData(secret: Secret, key: string): string {
  if (secret.data && typeof secret.data[key] === 'string') return Buffer.from(secret.data[key]!, 'base64').toString();
  return secret.stringData?.[key] ?? '';
}

/** ParseName: the token id of a "bootstrap-token-<id>" name. */
export function tokenIdFromName(name: string): string | undefined {
  const m = /^bootstrap-token-([a-z0-9]{6})$/.exec(name);
  return m?.[1];
}

/** GetExpiration/HasExpired: an expiration that does not parse counts as expired, as the real helper says. */
export function hasExpired(secret: Secret, now = Date.now()): boolean {
  const expiration = secretData(secret, 'expiration');
  if (!expiration) return false;
  const t = Date.parse(expiration);
  if (Number.isNaN(t)) return true;
  return now > t;
}

/** validateSecretForSigning: [tokenId, tokenSecret] of a token that may sign cluster-info, else undefined. */
export function signingToken(secret: Secret, now = Date.now()): [string, string] | undefined {
  if (secret.type !== BOOTSTRAP_TOKEN_TYPE) return undefined;
  const nameId = tokenIdFromName(secret.metadata.name);
  if (!nameId) return undefined;
  const tokenId = secretData(secret, 'token-id');
  if (!tokenId || tokenId !== nameId) return undefined;
  const tokenSecret = secretData(secret, 'token-secret');
  if (!tokenSecret) return undefined;
  if (hasExpired(secret, now)) return undefined;
  if (secretData(secret, 'usage-bootstrap-signing') !== 'true') return undefined;
  return [tokenId, tokenSecret];
}

/**
 * ComputeDetachedSignature: compact HS256 JWS with header {"alg":"HS256","kid":<id>} and the content part left
 * out ("header..signature"); the secret is zero-padded to 32 bytes as the real one pads it for go-jose.
 */
export function computeDetachedSignature(content: string, tokenId: string, tokenSecret: string): string {
  let key = Buffer.from(tokenSecret);
  if (key.length < 32) key = Buffer.concat([key, Buffer.alloc(32 - key.length)]);
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: tokenId })).toString('base64url');
  const payload = Buffer.from(content).toString('base64url');
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}..${signature}`;
}
