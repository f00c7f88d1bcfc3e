/**
 * kube-apiserver, bootstrap lab stand-in. Keeps the real binary's contract for what bootstrap relies on:
 * its flags (strictly parsed), its start-up failures for missing or mismatched certificates and keys, etcd
 * reached over mutual TLS with --etcd-certfile/--etcd-keyfile, secure serving on --secure-port with
 * --tls-cert-file, x509 client authentication against --client-ca-file, the health endpoints /livez /readyz
 * /healthz (with an etcd check), /version, discovery (discovery.ts), the API stored in etcd (rest.ts) with
 * admission (admission.ts), authentication by client certificate and bootstrap token, impersonation, the
 * Node and RBAC authorizers (authz-node.ts, rbac.ts) over the default policy (bootstrap-policy.ts), and the
 * review APIs (reviews.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { flagsAt, kubeApiserverFlags, REMOVED_FLAGS } from './flagsets.js';
import type { Flags } from './flags.js';
import { EtcdClient } from './etcd.js';
import { ComponentError, loadCABundle, loadKeyPair, loadPrivateKeyFile, loadPublicKeys, readFileGo, parseCertificates, type KeyPair } from './pki.js';
import { BadRequest, UnsupportedMediaType, parseApiPath, serveResource, storageKey, timestamp, type ApiPath, type KubeObject } from './rest.js';
import { authorize, requestVerb, rulesFor, type Decision, type RequestAttributes } from './rbac.js';
import { answerHealth, listenSecure, sendJson, sendStatus, type HealthCheck, type Identity } from './serving.js';
import { kubernetesVersion, labFault, log, runComponent, sleep } from './runtime.js';
import { aggregatedDiscovery, AGGREGATED_DISCOVERY_TYPE, apiGroup, apiGroupList, apiResourceList, apiVersions, openApiV3Document, openApiV3Root, wantsAggregated } from './discovery.js';
import { admission } from './admission.js';
import { nodeSelectorsEnabled } from './authz-node.js';
import { serveReview } from './reviews.js';
import { defaultPolicyObjects } from './bootstrap-policy.js';
import type { IncomingHttpHeaders } from 'node:http';

/** The wording of the authorizers' denials (endpoints/handlers/responsewriters.forbiddenMessage), with the reason appended. */
function forbiddenMessage(who: Identity, verb: string, r: ApiPath | undefined, path: string, reason: string): string {
  const suffix = reason ? `: ${reason}` : '';
  if (!r) return `forbidden: User "${who.user}" cannot ${verb} path "${path}"${suffix}`;
  const resource = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const scope = r.namespace ? `in the namespace "${r.namespace}"` : 'at the cluster scope';
  const what = r.group ? `${r.resource}.${r.group}` : r.resource;
  return `${what}${r.name ? ` "${r.name}"` : ''} is forbidden: User "${who.user}" cannot ${verb} resource "${resource}" in API group "${r.group}" ${scope}${suffix}`;
}

/** Impersonate-User/-Group/-Uid/-Extra-* (k8s.io/apiserver filters/impersonation.go); each one authorized with verb "impersonate". */
async function impersonation(headers: IncomingHttpHeaders, headersDistinct: NodeJS.Dict<string[]>, who: Identity,
  can: (who: Identity, attributes: RequestAttributes) => Promise<Decision>): Promise<Identity | { code: number; reason: string; message: string }> {
  const user = headersDistinct['impersonate-user']?.[0];
  const groups = headersDistinct['impersonate-group'] ?? [];
  const uid = headersDistinct['impersonate-uid']?.[0];
  const extras = Object.entries(headersDistinct).filter(([k]) => k.startsWith('impersonate-extra-'))
    .map(([k, v]) => [decodeURIComponent(k.slice('impersonate-extra-'.length)), v ?? []] as const);
  if (user === undefined && groups.length === 0 && uid === undefined && extras.length === 0) return who;
  if (!user) return { code: 500, reason: 'InternalError', message: `Internal error occurred: requested ${JSON.stringify(headers['impersonate-group'] ?? headers['impersonate-uid'] ?? '')} without impersonating a user` };
  const checks: ApiPath[] = [];
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  if (sa) checks.push({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: sa[1], name: sa[2] });
  else checks.push({ group: '', version: 'v1', resource: 'users', name: user });
  for (const g of groups) checks.push({ group: '', version: 'v1', resource: 'groups', name: g });
  for (const [key, values] of extras) for (const v of values) checks.push({ group: 'authentication.k8s.io', version: 'v1', resource: 'userextras', subresource: key, name: v });
  if (uid !== undefined) checks.push({ group: 'authentication.k8s.io', version: 'v1', resource: 'uids', name: uid });
  for (const resource of checks) {
    const d = await can(who, { verb: 'impersonate', resource });
    if (!d.allowed) return { code: 403, reason: 'Forbidden', message: forbiddenMessage(who, 'impersonate', resource, '', d.reason) };
  }
  let resultGroups = [...groups];
  if (sa && groups.length === 0) resultGroups = ['system:serviceaccounts', `system:serviceaccounts:${sa[1]}`];
  if (user !== 'system:anonymous') {
    if (!resultGroups.includes('system:authenticated') && !resultGroups.includes('system:unauthenticated')) resultGroups.push('system:authenticated');
  } else if (!resultGroups.includes('system:unauthenticated')) {
    resultGroups.push('system:unauthenticated');
  }
  return { user, groups: resultGroups, authenticated: user !== 'system:anonymous', ...(uid ? { uid } : {}),
    ...(extras.length ? { extra: Object.fromEntries(extras.map(([k, v]) => [k, [...v]])) } : {}) };
}

/**
 * Bootstrap token authentication (--enable-bootstrap-token-auth), as plugin/pkg/auth/authenticator/token/
 * bootstrap does: "<id>.<secret>" is valid while the Secret kube-system/bootstrap-token-<id> of type
 * bootstrap.kubernetes.io/token is not being deleted, has that token-id and token-secret, allows
 * authentication and has not expired. The user is system:bootstrap:<id>, in system:bootstrappers plus the
 * token's auth-extra-groups (each must start with system:bootstrappers:), plus system:authenticated.
 */
async function bootstrapTokenIdentity(etcd: EtcdClient, token: string): Promise<Identity | undefined> {
  const m = /^([a-z0-9]{6})\.([a-z0-9]{16})$/.exec(token);
  if (!m) return undefined;
  const stored = await etcd.get(storageKey({ resource: 'secrets', namespace: 'kube-system', name: `bootstrap-token-${m[1]}` })).catch(() => undefined);
  if (!stored) return undefined;
  const secret = JSON.parse(stored.value) as { type?: string; metadata?: { deletionTimestamp?: string }; data?: Record<string, string> };
  if (secret.metadata?.deletionTimestamp || secret.type !== 'bootstrap.kubernetes.io/token') return undefined;
  const field = (k: string) => (secret.data?.[k] !== undefined ? Buffer.from(secret.data[k]!, 'base64').toString() : undefined);
  if (field('token-id') !== m[1] || field('token-secret') !== m[2] || field('usage-bootstrap-authentication') !== 'true') return undefined;
  const expiration = field('expiration');
  if (expiration && !(Date.parse(expiration) > Date.now())) return undefined;
  const extra = (field('auth-extra-groups') ?? '').split(',').map((g) => g.trim()).filter(Boolean);
  if (extra.some((g) => !/^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/.test(g))) return undefined;
  const groups = [...new Set(['system:bootstrappers', ...extra])];
  return { user: `system:bootstrap:${m[1]}`, groups: [...groups, 'system:authenticated'], authenticated: true };
}

function versionInfo(): Record<string, string> {
  const v = kubernetesVersion();
  const m = /^v(\d+)\.(\d+)/.exec(v);
  return {
    major: m?.[1] ?? '0', minor: m?.[2] ?? '0', gitVersion: v, gitCommit: 'bootstrap-lab-stand-in', gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'gc', platform: `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

function requireFlag(flags: Flags, name: string, message: string): string {
  const v = flags.string(name);
  if (!v) throw new ComponentError(message);
  return v;
}

function optionalPair(flags: Flags, certFlag: string, keyFlag: string, what: string): KeyPair | undefined {
  const cert = flags.string(certFlag);
  const key = flags.string(keyFlag);
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new ComponentError(`--${certFlag} and --${keyFlag} must be given together`);
  try {
    return loadKeyPair(cert, key, { cert, key });
  } catch (error) {
    throw new ComponentError(`failed to load ${what} from ${cert} and ${key}: ${(error as Error).message}`);
  }
}

async function main(flags: Flags): Promise<void> {
  // Options validation, in the order the real apiserver reports problems: etcd, serving, authentication.
  const etcdServers = flags.list('etcd-servers');
  if (etcdServers.length === 0) throw new ComponentError('[--etcd-servers must be specified]');
  if (!flags.string('service-account-issuer')) throw new ComponentError('[service-account-issuer is a required flag, --service-account-signing-key-file and --service-account-issuer are required flags]');
  const serviceCidr = flags.string('service-cluster-ip-range');
  // v1.20–v1.23 still parse the insecure port flags but accept only 0 (CHANGELOG-1.20, #95856).
  for (const name of ['insecure-port', 'port']) {
    if (flags.has(name) && flags.int(name, 0) !== 0) throw new ComponentError(`invalid port value ${flags.string(name)}: only zero is allowed`);
  }

  let etcdCA: Buffer;
  try {
    etcdCA = readFileGo(requireFlag(flags, 'etcd-cafile', '--etcd-cafile is required by the lab apiserver: etcd is reached over TLS only'));
    parseCertificates(etcdCA, flags.string('etcd-cafile'));
  } catch (error) {
    throw new ComponentError(`error creating storage factory: ${(error as Error).message}`);
  }
  const etcdClientPair = optionalPair(flags, 'etcd-certfile', 'etcd-keyfile', 'etcd client certificate');

  let servingPair: KeyPair | undefined;
  try {
    servingPair = optionalPair(flags, 'tls-cert-file', 'tls-private-key-file', 'serving certificate');
  } catch (error) {
    // k8s.io/apiserver/pkg/server/options/serving.go wraps whatever dynamiccertificates reports this way.
    throw new ComponentError(`unable to load server certificate: ${(error as Error).message.replace(/^failed to load serving certificate from \S+ and \S+: /, '')}`);
  }
  if (!servingPair) throw new ComponentError('the lab apiserver needs --tls-cert-file and --tls-private-key-file (it does not generate a self-signed certificate)');

  let clientCAs: ReturnType<typeof loadCABundle> | undefined;
  if (flags.string('client-ca-file')) {
    try {
      clientCAs = loadCABundle(flags.string('client-ca-file'));
    } catch (error) {
      throw new ComponentError(`unable to load client CA provider: ${(error as Error).message}`);
    }
  }
  let requestHeaderCA: ReturnType<typeof loadCABundle> | undefined;
  if (flags.string('requestheader-client-ca-file')) {
    try {
      requestHeaderCA = loadCABundle(flags.string('requestheader-client-ca-file'));
    } catch (error) {
      throw new ComponentError(`unable to load request-header client CA provider: ${(error as Error).message}`);
    }
  }
  optionalPair(flags, 'kubelet-client-certificate', 'kubelet-client-key', 'kubelet client certificate');
  optionalPair(flags, 'proxy-client-cert-file', 'proxy-client-key-file', 'front-proxy client certificate');
  for (const f of flags.list('service-account-key-file')) {
    try {
      loadPublicKeys(f);
    } catch (error) {
      throw new ComponentError(`failed to parse service-account-issuer-key-file: ${(error as Error).message}`);
    }
  }
  const signingKey = requireFlag(flags, 'service-account-signing-key-file', 'service-account-signing-key-file is a required flag');
  try {
    loadPrivateKeyFile(signingKey);
  } catch (error) {
    throw new ComponentError(`failed to parse service-account-issuer-key-file: ${(error as Error).message}`);
  }
  if (!serviceCidr) log.warn('services.go:49', 'No CIDR for service cluster IPs specified. Default value which was 10.0.0.0/24 is deprecated');

  const etcd = new EtcdClient(etcdServers, etcdCA, etcdClientPair);
  let lastEtcdError: string | undefined = 'not checked yet';
  let bootstrapped = false;
  const unhealthy = labFault() === 'unhealthy';

  const checks = (endpoint: 'livez' | 'readyz' | 'healthz'): HealthCheck[] => [
    { name: 'ping', check: async () => undefined },
    { name: 'log', check: async () => undefined },
    {
      name: 'etcd',
      check: async () => {
        try {
          await etcd.health(2_000);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    },
    ...(endpoint === 'readyz' ? [{ name: 'etcd-readiness', check: async () => (lastEtcdError === undefined ? undefined : lastEtcdError) }] : []),
    { name: 'poststarthook/bootstrap-controller', check: async () => (bootstrapped ? undefined : 'not finished') },
    ...(unhealthy ? [{ name: 'poststarthook/bootstrap-lab-fault', check: async () => 'this image never becomes healthy' }] : []),
  ];

  const authorizationModes = flags.has('authorization-mode') ? flags.list('authorization-mode') : ['AlwaysAllow'];
  const nodeSelectors = nodeSelectorsEnabled(kubernetesVersion(), flags.list('feature-gates'));
  const decide = (who: Identity, attributes: RequestAttributes): Promise<Decision> =>
    authorize(etcd, authorizationModes, who, attributes, { nodeSelectors })
      .catch((error: Error) => ({ allowed: false, denied: false, reason: `authorizer error: ${error.message}` }));
  const plugins = new Set([...flags.list('enable-admission-plugins'), ...flags.list('admission-control')]);
  // ServiceAccount is on by default; the deprecated --admission-control replaces the default set when given.
  const serviceAccountPlugin = flags.has('admission-control') ? plugins.has('ServiceAccount') : !flags.list('disable-admission-plugins').includes('ServiceAccount');
  const lookup = async (resource: string, namespace: string, name: string) => {
    const stored = await etcd.get(storageKey({ resource, namespace, name }));
    return stored ? (JSON.parse(stored.value) as KubeObject) : undefined;
  };
  const admit = admission({
    nodeRestriction: plugins.has('NodeRestriction'),
    serviceAccount: serviceAccountPlugin ? lookup : undefined,
    can: async (who, attributes) => (await decide(who, attributes)).allowed,
  });
  const authenticateToken = flags.bool('enable-bootstrap-token-auth', false) ? (token: string) => bootstrapTokenIdentity(etcd, token) : undefined;
  const advertise = `${flags.string('advertise-address') || flags.string('bind-address') || '0.0.0.0'}:${flags.int('secure-port', 6443)}`;

  const handler = async (req: IncomingMessage, res: ServerResponse, authenticated: Identity): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const acting = await impersonation(req.headers, req.headersDistinct, authenticated, decide);
    if ('code' in acting) {
      sendStatus(res, acting.code, acting.reason, acting.message);
      return;
    }
    const who = acting;
    const resource = parseApiPath(url.pathname);
    const verb = requestVerb(req.method ?? 'GET', resource, url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1');
    const fieldSelector = url.searchParams.get('fieldSelector') ?? undefined;
    // RequestInfoFactory: a list or watch with an exact metadata.name field selector is authorized as that name.
    const selectedName = !resource?.name && (verb === 'list' || verb === 'watch')
      ? /(?:^|,)\s*metadata\.name\s*==?\s*([^,\s]+)\s*(?:,|$)/.exec(fieldSelector ?? '')?.[1] : undefined;
    const decision = await decide(who, resource ? { verb, resource: selectedName ? { ...resource, name: selectedName } : resource, fieldSelector } : { verb, path: url.pathname });
    if (!decision.allowed) {
      sendStatus(res, 403, 'Forbidden', forbiddenMessage(who, verb, resource, url.pathname, decision.reason),
        resource ? { name: resource.name, group: resource.group, kind: resource.resource } : undefined);
      return;
    }
    for (const endpoint of ['livez', 'readyz', 'healthz'] as const) {
      if (url.pathname === `/${endpoint}` || url.pathname.startsWith(`/${endpoint}/`)) {
        await answerHealth(res, url, endpoint, checks(endpoint));
        return;
      }
    }
    if (url.pathname === '/version' || url.pathname === '/version/') {
      sendJson(res, 200, versionInfo());
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (!resource && (parts[0] === 'api' || parts[0] === 'apis') && req.method === 'GET') {
      let body: unknown;
      if (parts.length === 1 && wantsAggregated(req.headers.accept)) {
        const text = JSON.stringify(aggregatedDiscovery(parts[0] === 'api'));
        res.writeHead(200, { 'Content-Type': AGGREGATED_DISCOVERY_TYPE, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      if (parts[0] === 'api') body = parts.length === 1 ? apiVersions(advertise) : parts.length === 2 ? apiResourceList('', parts[1]!) : undefined;
      else if (parts.length === 1) body = apiGroupList();
      else if (parts.length === 2) body = apiGroup(parts[1]!);
      else if (parts.length === 3) body = apiResourceList(parts[1]!, parts[2]!);
      if (body !== undefined) {
        sendJson(res, 200, body);
        return;
      }
    }
    if (resource) {
      try {
        if (await serveReview({ authorize: decide, authenticateToken, rulesFor: (w, ns) => rulesFor(etcd, authorizationModes, w, ns) as never }, resource, req, res, who)) return;
        await serveResource(etcd, resource, req, res, { admit, who });
      } catch (error) {
        if (error instanceof UnsupportedMediaType) sendStatus(res, 415, 'UnsupportedMediaType', error.message);
        else if (error instanceof BadRequest) sendStatus(res, 400, 'BadRequest', error.message);
        else throw error;
      }
      return;
    }
    if (req.method === 'GET' && (url.pathname === '/openapi/v3' || url.pathname === '/openapi/v3/')) {
      sendJson(res, 200, openApiV3Root());
      return;
    }
    const document = req.method === 'GET' && url.pathname.startsWith('/openapi/v3/') ? openApiV3Document(url.pathname.slice('/openapi/v3/'.length)) : undefined;
    if (document) {
      sendJson(res, 200, document);
      return;
    }
    // /openapi/v2 is not served: kubectl uses v3 when the server has it.
    sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
  };

  await listenSecure({
    authenticateToken,
    bindAddress: flags.string('bind-address', '0.0.0.0'),
    port: flags.int('secure-port', 6443),
    cert: servingPair.cert,
    key: servingPair.key,
    clientCAs: clientCAs?.certs ?? [],
    anonymousAuth: flags.bool('anonymous-auth', true),
    handler,
  });

  // Storage and the post-start hooks: wait for etcd, then create what a fresh apiserver creates.
  for (let attempt = 0; ; attempt++) {
    try {
      await etcd.health(2_000);
      if (lastEtcdError !== undefined) log.info('storage_factory.go:1', `etcd is reachable at ${etcdServers.join(',')}`);
      lastEtcdError = undefined;
      if (!bootstrapped) {
        await bootstrapObjects(etcd, clientCAs?.pem, requestHeaderCA?.pem, flags);
        bootstrapped = true;
        log.info('controller.go:1', 'bootstrap objects created (namespaces, extension-apiserver-authentication)');
      }
    } catch (error) {
      lastEtcdError = (error as Error).message;
      log.warn('logging.go:59', `[core] grpc: addrConn.createTransport failed to connect to {${etcdServers[0]}}: ${lastEtcdError}`);
    }
    await sleep(bootstrapped && lastEtcdError === undefined ? 10_000 : Math.min(1_000 * (attempt + 1), 5_000));
  }
}

/** The objects a fresh real apiserver creates itself, which kubeadm and the components rely on. */
async function bootstrapObjects(etcd: EtcdClient, clientCA: Buffer | undefined, requestHeaderCA: Buffer | undefined, flags: Flags): Promise<void> {
  const now = timestamp();
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await etcd.create(storageKey({ resource: 'namespaces', name: ns }), JSON.stringify({
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: randomUUID(), creationTimestamp: now, labels: { 'kubernetes.io/metadata.name': ns } },
      spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
    }));
  }
  // The default RBAC policy (the rbac/bootstrap-roles post-start hook), created when absent.
  for (const o of defaultPolicyObjects()) {
    const object = { ...o.object, metadata: { ...(o.object.metadata as object), uid: randomUUID(), creationTimestamp: now } };
    await etcd.create(storageKey(o), JSON.stringify(object));
  }
  const data: Record<string, string> = {};
  if (clientCA) data['client-ca-file'] = clientCA.toString();
  if (requestHeaderCA) {
    data['requestheader-client-ca-file'] = requestHeaderCA.toString();
    data['requestheader-allowed-names'] = JSON.stringify(flags.list('requestheader-allowed-names'));
    data['requestheader-extra-headers-prefix'] = JSON.stringify(flags.list('requestheader-extra-headers-prefix'));
    data['requestheader-group-headers'] = JSON.stringify(flags.list('requestheader-group-headers'));
    data['requestheader-username-headers'] = JSON.stringify(flags.list('requestheader-username-headers'));
  }
  await etcd.put(storageKey({ resource: 'configmaps', namespace: 'kube-system', name: 'extension-apiserver-authentication' }), JSON.stringify({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system', creationTimestamp: now }, data,
  }));
  await kubernetesService(etcd, flags, now);
}

/** The first address of an IPv4 service CIDR ("10.96.0.0/12" → "10.96.0.1"), as the allocator reserves it for the API. */
function firstServiceIP(cidr: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.split(',')[0]!.trim());
  if (!m) return undefined;
  const n = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const bits = Number(m[5]);
  const base = bits === 0 ? 0 : n - (n % 2 ** (32 - bits));
  const ip = base + 1;
  return [24, 16, 8, 0].map((shift) => Math.floor(ip / 2 ** shift) % 256).join('.');
}

/**
 * The bootstrap controller's default/kubernetes Service (the first service IP, port 443 → --secure-port) and
 * the endpoint reconciler's Endpoints and EndpointSlice with this server's --advertise-address (added to the
 * addresses other API servers wrote).
 */
async function kubernetesService(etcd: EtcdClient, flags: Flags, now: string): Promise<void> {
  const port = flags.int('secure-port', 6443);
  const clusterIP = firstServiceIP(flags.string('service-cluster-ip-range') || '10.0.0.0/24');
  const advertise = flags.string('advertise-address');
  if (clusterIP) {
    await etcd.create(storageKey({ resource: 'services', namespace: 'default', name: 'kubernetes' }), JSON.stringify({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', uid: randomUUID(), creationTimestamp: now, labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP, clusterIPs: [clusterIP], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None', type: 'ClusterIP' },
      status: { loadBalancer: {} },
    }));
  }
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(advertise)) return;
  const endpointsKey = storageKey({ resource: 'endpoints', namespace: 'default', name: 'kubernetes' });
  const existing = await etcd.get(endpointsKey);
  const addresses = new Set<string>([advertise]);
  if (existing) {
    const old = JSON.parse(existing.value) as { subsets?: { addresses?: { ip: string }[] }[] };
    for (const a of old.subsets?.[0]?.addresses ?? []) addresses.add(a.ip);
    if (old.subsets?.[0]?.addresses?.some((a) => a.ip === advertise)) return;
  }
  const ips = [...addresses].sort();
  await etcd.put(endpointsKey, JSON.stringify({
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', uid: randomUUID(), creationTimestamp: now, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  }));
  await etcd.put(storageKey({ resource: 'endpointslices', namespace: 'default', name: 'kubernetes' }), JSON.stringify({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: 'kubernetes', namespace: 'default', uid: randomUUID(), creationTimestamp: now, generation: 1, labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  }));
}

await runComponent({
  name: 'kube-apiserver',
  flags: flagsAt(kubeApiserverFlags, REMOVED_FLAGS['kube-apiserver'], kubernetesVersion()),
  description: 'The Kubernetes API server validates and configures data for the api objects.',
  main,
});
