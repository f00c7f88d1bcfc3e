/**
 * bootstrapsigner (pkg/controller/bootstrap/bootstrapsigner.go): keeps kube-public/cluster-info signed with every
 * bootstrap token that allows signing — one jws-kubeconfig-<token-id> per token, stale signatures removed, the
 * ConfigMap updated only when something changed.
 */
import { isNotFound, type Api } from './controller-api.js';
import { computeDetachedSignature, JWS_PREFIX, signingToken, type Secret } from './bootstrap-tokens.js';
import type { ControllerLog } from './csr-approving.js';

export interface ConfigMap {
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  data?: Record<string, string>;
  [k: string]: unknown;
}

/** signConfigMap: the ConfigMap with its signatures recomputed, or undefined when nothing changes. */
export function signConfigMap(cm: ConfigMap, secrets: Secret[], now = Date.now()): ConfigMap | undefined {
  const content = cm.data?.kubeconfig;
  if (content === undefined) return undefined;
  const data = { ...(cm.data ?? {}) };
  const tokens = new Map<string, string>();
  for (const s of secrets) {
    const t = signingToken(s, now);
    if (t) tokens.set(t[0], t[1]);
  }
  let needUpdate = false;
  const sigs = new Map<string, string>();
  for (const [id, secret] of tokens) {
    const sig = computeDetachedSignature(content, id, secret);
    if (sig !== cm.data?.[JWS_PREFIX + id]) needUpdate = true;
    delete data[JWS_PREFIX + id];
    sigs.set(id, sig);
  }
  for (const key of Object.keys(data)) {
    if (key.startsWith(JWS_PREFIX)) {
      delete data[key];
      needUpdate = true;
    }
  }
  for (const [id, sig] of sigs) data[JWS_PREFIX + id] = sig;
  return needUpdate ? { ...cm, data } : undefined;
}

export async function syncBootstrapSigner(api: Api, log: ControllerLog): Promise<void> {
  let cm: ConfigMap;
  try {
    cm = await api.get<ConfigMap>('/api/v1/namespaces/kube-public/configmaps/cluster-info');
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  const secrets = await api.list<Secret>('/api/v1/namespaces/kube-system/secrets');
  const updated = signConfigMap(cm, secrets);
  if (!updated) return;
  try {
    await api.update('/api/v1/namespaces/kube-public/configmaps/cluster-info', updated);
  } catch (e) {
    log.error(`failed to update the cluster-info ConfigMap: ${(e as Error).message}`);
  }
}
