/**
 * Bootstrap tokens as kubeadm makes them: the token ("abcdef.0123456789abcdef") and its
 * kube-system/bootstrap-token-<id> Secret (k8s.io/cluster-bootstrap/token/api, cmd/kubeadm/app/apis/bootstraptoken/v1
 * utils.go BootstrapTokenToSecret / encodeTokenSecretData). A joining kubelet authenticates with the token; the
 * bootstrapsigner controller signs cluster-info with every token marked for signing.
 */
import { randomInt } from 'node:crypto';
import type { KubeObject } from './objects.js';
import { GROUP_BOOTSTRAPPERS } from './rbac.js';

/** A bootstrap token: a public id (6 characters) and a secret (16), both [a-z0-9]. */
export interface BootstrapToken {
  id: string;
  secret: string;
}

/** BootstrapTokenPattern, the whole "id.secret" text. */
export const BOOTSTRAP_TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
/** bootstraputil's validBootstrapTokenChars. */
const TOKEN_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';
/** SecretTypeBootstrapToken. */
export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
/** BootstrapTokenSecretPrefix. */
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
/** kubeadm's DefaultTokenUsages and DefaultTokenGroups (apis/bootstraptoken/v1 defaults). */
export const DEFAULT_TOKEN_USAGES: readonly string[] = ['signing', 'authentication'];
export const DEFAULT_TOKEN_GROUPS: readonly string[] = [GROUP_BOOTSTRAPPERS];
/** kubeadm's DefaultTokenDuration: 24 hours. */
export const DEFAULT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

function randomChars(length: number): string {
  // GenerateBootstrapToken draws each character with crypto/rand's rand.Int(36): uniform, as randomInt is.
  let out = '';
  for (let i = 0; i < length; i++) out += TOKEN_CHARS[randomInt(TOKEN_CHARS.length)];
  return out;
}

/** A fresh token from the OS's cryptographic random source, in kubeadm's format. */
export function newBootstrapToken(): BootstrapToken {
  return { id: randomChars(6), secret: randomChars(16) };
}

/** "id.secret", the form `kubeadm join --token` takes. */
export function tokenString(token: BootstrapToken): string {
  return `${token.id}.${token.secret}`;
}

/** The token in "id.secret", or undefined when the text is not of kubeadm's form. */
export function parseBootstrapToken(text: string): BootstrapToken | undefined {
  const m = BOOTSTRAP_TOKEN_PATTERN.exec(text.trim());
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** Go's time.Format(time.RFC3339) of a UTC instant: whole seconds, "Z". */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface BootstrapTokenOptions {
  /** Lifetime from now; 0 or less means the token never expires (kubeadm's --ttl 0). */
  ttlMs: number;
  /** Milliseconds since the epoch; the expiration is now + ttlMs. */
  now: number;
  description?: string;
  /** Usages without the "usage-bootstrap-" prefix; kubeadm's default is signing and authentication. */
  usages?: readonly string[];
  /** Extra groups the token authenticates as; kubeadm's default is system:bootstrappers:kubeadm:default-node-token. */
  groups?: readonly string[];
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * The Secret kubeadm creates for a token: type bootstrap.kubernetes.io/token in kube-system, named
 * bootstrap-token-<id>, with `data` (kubeadm sets Data []byte, so the values travel base64-encoded): token-id,
 * token-secret, description (only when given), expiration (RFC 3339 UTC, only with a positive TTL),
 * usage-bootstrap-<usage>: "true" per usage, and auth-extra-groups (comma-separated, only when there are groups).
 */
export function bootstrapTokenSecret(token: BootstrapToken, options: BootstrapTokenOptions): KubeObject {
  const data: Record<string, string> = { 'token-id': b64(token.id), 'token-secret': b64(token.secret) };
  if (options.description) data.description = b64(options.description);
  if (options.ttlMs > 0) data.expiration = b64(rfc3339(options.now + options.ttlMs));
  for (const usage of options.usages ?? DEFAULT_TOKEN_USAGES) data[`usage-bootstrap-${usage}`] = b64('true');
  const groups = options.groups ?? DEFAULT_TOKEN_GROUPS;
  if (groups.length > 0) data['auth-extra-groups'] = b64(groups.join(','));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${token.id}`, namespace: 'kube-system' },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    data,
  };
}

/** A bootstrap token Secret read back from the cluster. */
export interface ParsedBootstrapToken {
  token: BootstrapToken;
  /** Milliseconds since the epoch; undefined when the token never expires. */
  expires?: number;
  /** "signing", "authentication", … (the usage-bootstrap-* keys whose value is "true"). */
  usages: string[];
  groups: string[];
  description?: string;
}

/**
 * The token a Secret holds, or undefined when it is not a well-formed bootstrap token Secret (wrong type, id not
 * matching the name, malformed id/secret or expiration). Reads `data` (base64, as the API returns it) and, for an
 * object built locally, `stringData`.
 */
export function parseBootstrapTokenSecret(obj: KubeObject): ParsedBootstrapToken | undefined {
  if (obj.kind !== 'Secret' || obj.type !== BOOTSTRAP_TOKEN_SECRET_TYPE) return undefined;
  const values: Record<string, string> = {};
  const stringData = obj.stringData as Record<string, string> | undefined;
  const data = obj.data as Record<string, string> | undefined;
  for (const [k, v] of Object.entries(data ?? {})) values[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(stringData ?? {})) values[k] = v;
  const token = parseBootstrapToken(`${values['token-id'] ?? ''}.${values['token-secret'] ?? ''}`);
  if (!token || obj.metadata.name !== `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${token.id}`) return undefined;
  let expires: number | undefined;
  if (values.expiration !== undefined) {
    expires = Date.parse(values.expiration);
    if (Number.isNaN(expires) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/.test(values.expiration)) return undefined;
  }
  const usages = Object.keys(values)
    .filter((k) => k.startsWith('usage-bootstrap-') && values[k] === 'true')
    .map((k) => k.slice('usage-bootstrap-'.length))
    .sort();
  const groups = values['auth-extra-groups'] ? values['auth-extra-groups'].split(',').filter((g) => g !== '') : [];
  return { token, ...(expires !== undefined ? { expires } : {}), usages, groups, ...(values.description ? { description: values.description } : {}) };
}

/**
 * Whether a token can still be handed to a joining node: it authenticates, signs cluster-info (join's discovery
 * checks that signature), is in kubeadm's default group (which the node-bootstrap RBAC binds), and does not expire
 * within marginMs of now. A token that fails this is replaced rather than reused; one that passes is reused, so
 * repeated runs do not pile up tokens.
 */
export function bootstrapTokenUsable(parsed: ParsedBootstrapToken, now: number, marginMs: number): boolean {
  if (!parsed.usages.includes('authentication') || !parsed.usages.includes('signing')) return false;
  if (!parsed.groups.includes(GROUP_BOOTSTRAPPERS)) return false;
  return parsed.expires === undefined || parsed.expires - now > marginMs;
}
