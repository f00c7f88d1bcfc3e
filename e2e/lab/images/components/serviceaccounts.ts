/**
 * serviceaccount (pkg/controller/serviceaccount/serviceaccounts_controller.go): every Active namespace gets a
 * ServiceAccount "default" (metadata.name only). AlreadyExists is success, and a namespace that started
 * terminating meanwhile is skipped, as the real controller does; other failures are returned together.
 */
import { ApiError, type Api } from './controller-api.js';

type Namespace = { metadata: { name: string }; status?: { phase?: string } };
type ServiceAccount = { metadata: { name: string; namespace?: string } };

/** serviceAccountsToEnsure: what the controller-manager configures the controller with. */
export const SERVICE_ACCOUNTS_TO_ENSURE = ['default'];

/** The namespaces that lack one of the ServiceAccounts to ensure, with the names missing. */
export function missingServiceAccounts(namespaces: Namespace[], accounts: ServiceAccount[]): { namespace: string; name: string }[] {
  const have = new Set(accounts.map((a) => `${a.metadata.namespace}/${a.metadata.name}`));
  return namespaces
    // "If namespace is not active, we shouldn't try to create anything."
    .filter((ns) => (ns.status?.phase ?? 'Active') === 'Active')
    .flatMap((ns) => SERVICE_ACCOUNTS_TO_ENSURE.filter((name) => !have.has(`${ns.metadata.name}/${name}`)).map((name) => ({ namespace: ns.metadata.name, name })));
}

const terminating = (e: unknown): boolean => e instanceof ApiError && /because it is being terminated/.test(e.message);

/** One sync over all namespaces; failures are thrown together (utilerrors.NewAggregate) for the caller to log. */
export async function syncServiceAccounts(api: Api): Promise<void> {
  const namespaces = await api.list<Namespace>('/api/v1/namespaces');
  const accounts = await api.list<ServiceAccount>('/api/v1/serviceaccounts');
  const failures: string[] = [];
  for (const { namespace, name } of missingServiceAccounts(namespaces, accounts)) {
    try {
      await api.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
    } catch (e) {
      if (e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists') continue;
      if (!terminating(e)) failures.push((e as Error).message);
    }
  }
  if (failures.length) {
    throw new Error(failures.length === 1 ? failures[0]! : `[${failures.join(', ')}]`);
  }
}
