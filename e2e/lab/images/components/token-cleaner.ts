/**
 * tokencleaner (pkg/controller/bootstrap/tokencleaner.go): deletes expired bootstrap token Secrets from
 * kube-system, with the Secret's UID as precondition; NotFound and Conflict are not errors.
 */
import { isConflict, isNotFound, type Api } from './controller-api.js';
import { BOOTSTRAP_TOKEN_TYPE, hasExpired, type Secret } from './bootstrap-tokens.js';
import type { ControllerLog } from './csr-approving.js';

export function expiredTokens(secrets: Secret[], now = Date.now()): Secret[] {
  return secrets.filter((s) => s.type === BOOTSTRAP_TOKEN_TYPE && hasExpired(s, now));
}

export async function syncTokenCleaner(api: Api, log: ControllerLog): Promise<void> {
  const secrets = await api.list<Secret>('/api/v1/namespaces/kube-system/secrets');
  for (const secret of expiredTokens(secrets)) {
    log.info(`Deleting expired secret kube-system/${secret.metadata.name}`);
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(secret.metadata.uid ? { preconditions: { uid: secret.metadata.uid } } : {}),
    };
    try {
      await api.delete(`/api/v1/namespaces/kube-system/secrets/${secret.metadata.name}`, body);
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) log.error(`Failed to delete secret kube-system/${secret.metadata.name}: ${(e as Error).message}`);
    }
  }
}
