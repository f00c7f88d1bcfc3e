/**
 * Namespace-level registry credentials (registries.pullSecrets): a Secret of type kubernetes.io/dockerconfigjson
 * in each listed namespace, named by the namespace's `default` ServiceAccount's imagePullSecrets. The
 * ServiceAccount admission plugin copies a ServiceAccount's imagePullSecrets into every Pod that names none, so
 * Pods that say nothing about credentials still pull (plugin/pkg/admission/serviceaccount). Computed offline;
 * src/phases/registry-secrets.ts applies them.
 */
import type { KubeObject } from './objects.js';

/** Labels that mark a pull Secret as bootstrap's, so that one left behind (a namespace dropped from the list) is found and removed. */
export const PULL_SECRET_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/managed-by': 'bootstrap',
  'app.kubernetes.io/component': 'image-pull-secret',
};

/** PULL_SECRET_LABELS as a label selector. */
export const PULL_SECRET_SELECTOR = Object.entries(PULL_SECRET_LABELS).map(([k, v]) => `${k}=${v}`).join(',');

/** The ServiceAccount every namespace gets from the controller-manager, and Pods use when they name none. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** The Secret kubectl create secret docker-registry makes: type kubernetes.io/dockerconfigjson, the config under .dockerconfigjson. */
export function pullSecret(namespace: string, name: string, dockerConfigJson: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { ...PULL_SECRET_LABELS } },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(dockerConfigJson).toString('base64') },
  };
}

export function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

type Reference = { name?: string };

function pullSecretNames(serviceAccount: KubeObject): Reference[] {
  const list = serviceAccount.imagePullSecrets;
  return Array.isArray(list) ? (list as Reference[]) : [];
}

/**
 * The ServiceAccount with `secret` added to its imagePullSecrets after the ones it has (others' entries kept,
 * in their order), or undefined when it names it already.
 */
export function withPullSecret(serviceAccount: KubeObject, secret: string): KubeObject | undefined {
  const have = pullSecretNames(serviceAccount);
  if (have.some((r) => r.name === secret)) return undefined;
  return { ...serviceAccount, imagePullSecrets: [...have, { name: secret }] };
}

/** The ServiceAccount without `secret` in its imagePullSecrets, or undefined when it does not name it. */
export function withoutPullSecret(serviceAccount: KubeObject, secret: string): KubeObject | undefined {
  const have = pullSecretNames(serviceAccount);
  if (!have.some((r) => r.name === secret)) return undefined;
  return { ...serviceAccount, imagePullSecrets: have.filter((r) => r.name !== secret) };
}

/** A default ServiceAccount as bootstrap creates it when the controller-manager has not made it yet. */
export function defaultServiceAccount(namespace: string, secret: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace }, imagePullSecrets: [{ name: secret }] };
}
