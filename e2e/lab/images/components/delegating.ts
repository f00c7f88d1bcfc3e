/**
 * What kube-controller-manager and kube-scheduler share: a kubeconfig to reach the apiserver, delegated
 * authentication (the client CA from the kube-system/extension-apiserver-authentication ConfigMap, read with
 * --authentication-kubeconfig), secure serving on their own port with a self-signed certificate unless
 * --tls-cert-file is given, and leader election through a Lease in kube-system.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Flags } from './flags.js';
import { loadKubeconfig, type ClientCredentials } from './kubeconfig.js';
import { ComponentError, loadCABundle, loadKeyPair, parseCertificates } from './pki.js';
import { httpsCall, labFault, log, sleep } from './runtime.js';
import { answerHealth, listenSecure, selfSignedServingCert, sendStatus, type HealthCheck, type Identity } from './serving.js';
import type { X509Certificate } from 'node:crypto';

export interface DelegatingComponent {
  name: 'kube-controller-manager' | 'kube-scheduler';
  /** The real default --secure-port (10257, 10259). */
  defaultPort: number;
  /** Health endpoints served (controller-manager: /healthz; scheduler: /healthz /livez /readyz). */
  endpoints: string[];
  /** The kubeconfig from --kubeconfig or the component's config file. */
  kubeconfig: string;
  leaderElect: boolean;
  /**
   * Called once when this instance starts leading (at once without leader election), with the --kubeconfig
   * credentials and a check that says whether it still leads; the controller-manager starts its controllers here.
   */
  onLeading?: (client: ClientCredentials, isLeading: () => boolean) => Promise<void>;
}

function loadNamedKubeconfig(flag: string, path: string): ClientCredentials {
  try {
    return loadKubeconfig(path);
  } catch (error) {
    throw new ComponentError(flag === 'kubeconfig' ? (error as Error).message : `failed to get delegated ${flag.replace('-kubeconfig', '')} kubeconfig: ${(error as Error).message}`);
  }
}

/** The client CA the real components get from the apiserver before they serve. */
async function fetchAuthenticationConfigMap(credentials: ClientCredentials, deadlineMs: number): Promise<X509Certificate[]> {
  const path = '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication';
  let lastError = '';
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    try {
      const answer = await httpsCall(credentials, 'GET', path);
      if (answer.status === 200) {
        const cm = JSON.parse(answer.body) as { data?: Record<string, string> };
        const pem = cm.data?.['client-ca-file'];
        return pem ? parseCertificates(pem, 'extension-apiserver-authentication') : [];
      }
      const status = JSON.parse(answer.body || '{}') as { message?: string };
      lastError = status.message ?? `HTTP ${answer.status}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(1_000);
  }
  throw new ComponentError(`unable to load configmap based request-header-client-ca-file: ${lastError}`);
}

export async function runDelegating(component: DelegatingComponent, flags: Flags, extraChecks: () => void): Promise<void> {
  if (!component.kubeconfig) {
    throw new ComponentError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  }
  const client = loadNamedKubeconfig('kubeconfig', component.kubeconfig);
  const authn = flags.string('authentication-kubeconfig') ? loadNamedKubeconfig('authentication-kubeconfig', flags.string('authentication-kubeconfig')) : undefined;
  if (flags.string('authorization-kubeconfig')) loadNamedKubeconfig('authorization-kubeconfig', flags.string('authorization-kubeconfig'));
  let flagClientCAs: X509Certificate[] = [];
  if (flags.string('client-ca-file')) {
    try {
      flagClientCAs = loadCABundle(flags.string('client-ca-file')).certs;
    } catch (error) {
      throw new ComponentError(`unable to load client CA provider: ${(error as Error).message}`);
    }
  }
  if (flags.string('requestheader-client-ca-file')) {
    try {
      loadCABundle(flags.string('requestheader-client-ca-file'));
    } catch (error) {
      throw new ComponentError(`unable to load request-header client CA provider: ${(error as Error).message}`);
    }
  }
  extraChecks();

  let serving: { cert: Buffer; key: Buffer };
  if (flags.string('tls-cert-file') || flags.string('tls-private-key-file')) {
    const pair = loadKeyPair(flags.string('tls-cert-file'), flags.string('tls-private-key-file'), { cert: flags.string('tls-cert-file'), key: flags.string('tls-private-key-file') });
    serving = { cert: pair.cert, key: pair.key };
  } else {
    serving = await selfSignedServingCert();
  }

  // Delegated authentication needs the apiserver before serving; tolerate failure only when told to.
  let delegatedCAs: X509Certificate[] = [];
  if (authn && !flags.bool('authentication-skip-lookup', false)) {
    try {
      delegatedCAs = await fetchAuthenticationConfigMap(authn, 10_000);
    } catch (error) {
      if (!flags.bool('authentication-tolerate-lookup-failure', false)) throw error;
      log.warn('authentication.go:1', `Error looking up in-cluster authentication configuration: ${(error as Error).message}`);
    }
  }

  let lastRenew = 0;
  let leading = false;
  const unhealthy = labFault() === 'unhealthy';
  const checks: HealthCheck[] = [
    { name: 'ping', check: async () => undefined },
    { name: 'leaderElection', check: async () => (leading && Date.now() - lastRenew > 30_000 ? 'lease not renewed for 30s' : undefined) },
    ...(unhealthy ? [{ name: 'bootstrap-lab-fault', check: async () => 'this image never becomes healthy' }] : []),
  ];
  const alwaysAllow = flags.has('authorization-always-allow-paths') ? flags.list('authorization-always-allow-paths') : ['/healthz', '/readyz', '/livez'];
  const handler = async (req: IncomingMessage, res: ServerResponse, who: Identity): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const endpoint = component.endpoints.find((e) => url.pathname === `/${e}` || url.pathname.startsWith(`/${e}/`));
    if (!endpoint) {
      sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
      return;
    }
    if (!alwaysAllow.some((p) => url.pathname === p || (p.endsWith('*') && url.pathname.startsWith(p.slice(0, -1)))) && !who.authenticated) {
      sendStatus(res, 403, 'Forbidden', `forbidden: User "${who.user}" cannot get path "${url.pathname}"`);
      return;
    }
    await answerHealth(res, url, endpoint, checks);
  };
  await listenSecure({
    bindAddress: flags.string('bind-address', '0.0.0.0'),
    port: flags.int('secure-port', component.defaultPort),
    cert: serving.cert,
    key: serving.key,
    clientCAs: [...flagClientCAs, ...delegatedCAs],
    anonymousAuth: true,
    handler,
  });

  if (!component.leaderElect) {
    log.info('server.go:1', 'leader election disabled; running');
    await component.onLeading?.(client, () => true);
    return;
  }
  const lockName = flags.string('leader-elect-resource-name', component.name);
  const lockNamespace = flags.string('leader-elect-resource-namespace', 'kube-system');
  const identity = `${process.env.HOSTNAME ?? 'localhost'}_${cryptoRandom()}`;
  log.info('leaderelection.go:250', `attempting to acquire leader lease ${lockNamespace}/${lockName}...`);
  let controllersStarted = false;
  for (;;) {
    try {
      await renewLease(client, lockNamespace, lockName, identity);
      const started = !leading;
      if (started) log.info('leaderelection.go:260', `successfully acquired lease ${lockNamespace}/${lockName}`);
      leading = true;
      lastRenew = Date.now();
      if (started && !controllersStarted) {
        controllersStarted = true;
        await component.onLeading?.(client, () => leading && Date.now() - lastRenew < 15_000).catch((error: Error) => {
          log.error('controllermanager.go:1', `"Error starting controllers" err=${JSON.stringify(error.message)}`);
          process.exit(1);
        });
      }
    } catch (error) {
      log.error('leaderelection.go:332', `error retrieving resource lock ${lockNamespace}/${lockName}: ${(error as Error).message}`);
    }
    await sleep(leading ? 5_000 : 2_000);
  }
}

function cryptoRandom(): string {
  return Math.random().toString(16).slice(2, 10) + '-lab';
}

/** Create or update the Lease the way client-go's leaderelection does (one holder, renewTime). */
async function renewLease(client: ClientCredentials, namespace: string, name: string, identity: string): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}`;
  const now = new Date().toISOString().replace('Z', '000Z');
  const spec = { holderIdentity: identity, leaseDurationSeconds: 15, renewTime: now };
  const current = await httpsCall(client, 'GET', path);
  const failure = (a: { status: number; body: string }) => new Error((JSON.parse(a.body || '{}') as { message?: string }).message ?? `HTTP ${a.status}`);
  if (current.status === 404) {
    const created = await httpsCall(client, 'POST', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { ...spec, acquireTime: now },
    });
    if (created.status !== 201) throw failure(created);
    return;
  }
  if (current.status !== 200) throw failure(current);
  const lease = JSON.parse(current.body) as { spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } };
  const holder = lease.spec?.holderIdentity;
  const expired = !lease.spec?.renewTime || Date.parse(lease.spec.renewTime) + (lease.spec.leaseDurationSeconds ?? 15) * 1000 < Date.now();
  if (holder && holder !== identity && !expired) throw new Error(`lease held by ${holder}`);
  const updated = await httpsCall(client, 'PUT', path, { ...lease, spec: { ...lease.spec, ...spec } });
  if (updated.status !== 200) throw failure(updated);
}
