/**
 * The kube-public/cluster-info ConfigMap and its signatures: what `kubeadm join --token` discovery reads before it
 * trusts the API server (cmd/kubeadm/app/phases/bootstraptoken/clusterinfo/clusterinfo.go
 * CreateBootstrapConfigMapIfNotExists, CreateClusterInfoRBACRules; the bootstrapsigner controller with
 * k8s.io/cluster-bootstrap/token/jws ComputeDetachedSignature).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { yamlScalar } from '../pki/kubeconfig.js';
import type { KubeObject } from './objects.js';
import { role, roleBinding, userSubject } from './rbac.js';

/** bootstrapapi.ConfigMapClusterInfo, KubeConfigKey and JWSSignatureKeyPrefix. */
export const CLUSTER_INFO_CONFIGMAP = 'cluster-info';
export const CLUSTER_INFO_KUBECONFIG_KEY = 'kubeconfig';
export const JWS_SIGNATURE_KEY_PREFIX = 'jws-kubeconfig-';
/** clusterinfo.go BootstrapSignerClusterRoleName (a Role in kube-public). */
export const BOOTSTRAP_SIGNER_CLUSTERINFO_ROLE = 'kubeadm:bootstrap-signer-clusterinfo';

/**
 * The kubeconfig text stored in cluster-info: admin.conf's cluster (CA embedded, the server admin.conf uses) under the
 * empty name, and nothing else, written by clientcmd.Write, which prints the unset lists as `null`, the empty
 * current-context as "" and always `preferences: {}`.
 */
export function clusterInfoKubeconfig(caPem: string, serverUrl: string): string {
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
    `    server: ${yamlScalar(serverUrl)}`,
    '  name: ""',
    'contexts: null',
    'current-context: ""',
    'kind: Config',
    'preferences: {}',
    'users: null',
    '',
  ].join('\n');
}

/**
 * cluster-info with its kubeconfig, then the Role and RoleBinding that let system:anonymous get it (a joining
 * node has no credentials yet). The bootstrapsigner controller later adds one jws-kubeconfig-<id> key per signing token.
 */
export function clusterInfoObjects(caPem: string, serverUrl: string): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: CLUSTER_INFO_CONFIGMAP, namespace: 'kube-public' },
      data: { [CLUSTER_INFO_KUBECONFIG_KEY]: clusterInfoKubeconfig(caPem, serverUrl) },
    },
    role('kube-public', BOOTSTRAP_SIGNER_CLUSTERINFO_ROLE, [
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [CLUSTER_INFO_CONFIGMAP] },
    ]),
    roleBinding('kube-public', BOOTSTRAP_SIGNER_CLUSTERINFO_ROLE, BOOTSTRAP_SIGNER_CLUSTERINFO_ROLE, [userSubject('system:anonymous')]),
  ];
}

/** The cluster-info data key under which the bootstrapsigner stores a token's signature: jws-kubeconfig-<tokenId>. */
export function jwsSignatureKey(tokenId: string): string {
  return `${JWS_SIGNATURE_KEY_PREFIX}${tokenId}`;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * The detached JWS the bootstrapsigner controller stores under jws-kubeconfig-<tokenId>: HS256 keyed with the token
 * secret, protected header {"alg":"HS256","kid":"<tokenId>"} (go-jose writes the keys sorted), serialized compactly
 * with the payload left out: "<header>..<signature>". join recomputes it to prove the server knows the token.
 */
export function jwsSignature(kubeconfigText: string, tokenId: string, tokenSecret: string): string {
  const header = base64url(`{"alg":"HS256","kid":${JSON.stringify(tokenId)}}`);
  const signingInput = `${header}.${base64url(kubeconfigText)}`;
  const signature = createHmac('sha256', Buffer.from(tokenSecret, 'utf8')).update(signingInput).digest('base64url');
  return `${header}..${signature}`;
}

/** DetachedTokenIsValid: whether a jws-kubeconfig-<id> value signs this kubeconfig text with this token. */
export function verifyJwsSignature(kubeconfigText: string, tokenId: string, tokenSecret: string, signature: string): boolean {
  const expected = Buffer.from(jwsSignature(kubeconfigText, tokenId, tokenSecret));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
