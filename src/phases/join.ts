/**
 * join (kubeadm join's kubelet-start on a worker): discovery of the cluster by token, with the CA pinned by the
 * hash of its public key; then bootstrap-kubelet.conf, the CA, the kubelet configuration taken from the
 * cluster's kubelet ConfigMap, kubeadm-flags.env and the drop-in; kubelet (re)started; then a wait, within
 * wait.timeout, until kubelet has its own client certificate (kubelet.conf) and its Node is registered, and the
 * bootstrap kubeconfig is removed, as kubeadm does. A joined worker (kubelet.conf present) only gets its kubelet
 * files brought up to date. On timeout the error says why: token rejected, CSR not approved, kubelet not running.
 */
import { contentHash } from '../transport/host.js';
import { parse as parseYaml } from 'yaml';
import { ApiClient, ApiError, type ApiClient as Client } from '../api/client.js';
import { bootstrapKubeletConf, caCertHash, kubeletConfigMapName, nodeAnnotations, verifyJwsSignature, type BootstrapToken } from '../cluster/index.js';
import { defaultCriSocket } from '../kube/runtime.js';
import type { RenderedFile } from '../inventory/types.js';
import type { KubeObject } from '../cluster/objects.js';
import { clusterVersion } from '../kube/version.js';
import { KUBELET_CONFIG_PATH } from '../kubelet/index.js';
import { connectionOf, factsOf, hostOf, oncePerRun, waitTimeoutMs, type HostRun, type UpContext } from '../pipeline/context.js';
import { wet, type Phase } from '../pipeline/phase.js';
import { controlPlaneEndpoint } from '../pki/endpoints.js';
import { prepareRender, renderWorkerHost } from '../render/index.js';
import { HostError } from '../util/errors.js';
import { joinToken } from './bootstrap-token.js';
import { adminApi, clusterCaPem, initHost, kubeconfigCaPem } from './cluster-api.js';
import { KUBELET_RESTART } from './kubelet-start.js';
import { KUBELET_CONF } from './kubelet-finalize.js';
import { POLL_MS, sleep } from './nodes.js';
import { readyCondition } from '../cluster/node-state.js';

export const BOOTSTRAP_KUBELET_CONF = '/etc/kubernetes/bootstrap-kubelet.conf';

export class JoinError extends HostError {
  override name = 'JoinError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

const isWorker = (h: HostRun) => !h.spec.roles.includes('control-plane');

/**
 * kubeadm join's discovery, from this machine through the first control plane's tunnel: cluster-info read
 * anonymously, its kubeconfig's JWS signature checked with the token, and its CA checked against the pinned
 * hash of the cluster's CA. Waits (within wait.timeout) for the controller-manager's bootstrapsigner to sign it.
 */
export async function discover(ctx: UpContext, token: BootstrapToken): Promise<void> {
  const h = initHost(ctx);
  if (!h) throw new JoinError('the inventory has no control-plane host to join');
  const caPem = clusterCaPem(ctx);
  const pinned = caCertHash(caPem);
  const anonymous = await ApiClient.open({ host: connectionOf(h), address: h.spec.advertiseAddress, port: h.spec.bindPort, caPem, credentials: { anonymous: true } });
  try {
    const deadline = Date.now() + waitTimeoutMs(ctx);
    for (;;) {
      const info = await anonymous.getConfigMap('kube-public', 'cluster-info');
      const data = (info?.data ?? {}) as Record<string, string>;
      const kubeconfig = data.kubeconfig;
      const signature = data[`jws-kubeconfig-${token.id}`];
      if (kubeconfig && signature) {
        if (!verifyJwsSignature(kubeconfig, token.id, token.secret, signature)) {
          throw new JoinError(`cluster-info's signature for token ${token.id} does not verify: the token does not match what signed it`);
        }
        const ca = kubeconfigCaPem(kubeconfig);
        if (!ca || caCertHash(ca) !== pinned) {
          throw new JoinError(`cluster-info's CA does not match the pinned hash ${pinned}: refusing to join a cluster it cannot trust`);
        }
        return;
      }
      if (Date.now() >= deadline) {
        throw new JoinError(
          info
            ? `kube-public/cluster-info has no signature for token ${token.id} yet: is kube-controller-manager running its bootstrapsigner controller?`
            : 'kube-public/cluster-info does not exist: the bootstrap-token phase did not create it',
        );
      }
      await sleep(POLL_MS, ctx.options.signal);
    }
  } finally {
    await anonymous.close();
  }
}

/**
 * Whether the Node's kubelet still renews its Lease. A reset worker's Node keeps saying Ready until the node
 * lifecycle controller notices the stale Lease (40 s); kubeadm join refuses a Ready Node of the same name, and
 * so does this, but only while its kubelet is alive: a stale Lease means the name is free to join again.
 */
async function leaseIsFresh(api: Client, name: string): Promise<boolean> {
  const lease = await api.get({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace: 'kube-node-lease', name });
  const spec = lease?.spec as { renewTime?: string; leaseDurationSeconds?: number } | undefined;
  if (!spec?.renewTime) return false;
  return Date.parse(spec.renewTime) + (spec.leaseDurationSeconds ?? 40) * 1000 > Date.now();
}

/** Whether a Node was registered by this very machine (its machine-id), reset since: then its name is its own. */
async function sameMachine(h: HostRun, node: KubeObject): Promise<boolean> {
  const id = (await hostOf(h).readFile('/etc/machine-id'))?.toString('utf8').trim();
  const registered = (node.status as { nodeInfo?: { machineID?: string } } | undefined)?.nodeInfo?.machineID;
  return !!id && id === registered;
}

/** kubeadm join's check that no other live machine is registered under this host's name. */
export async function refuseLiveNamesake(h: HostRun, api: Client): Promise<void> {
  const node = await api.get({ apiVersion: 'v1', kind: 'Node', name: h.spec.name });
  if (node && readyCondition(node)?.status === 'True' && (await leaseIsFresh(api, h.spec.name)) && !(await sameMachine(h, node))) {
    throw new JoinError(`a Node with name "${h.spec.name}" and status "Ready" already exists in the cluster. You must delete the existing Node or change the name of this new joining Node`);
  }
}

/** The kubelet configuration kubeadm join writes: the cluster's, from its kubelet ConfigMap. */
export async function clusterKubeletConfig(ctx: UpContext, api: Client): Promise<string> {
  const name = kubeletConfigMapName(clusterVersion(ctx.inv));
  const cm = await api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'kube-system', name });
  const config = (cm?.data as Record<string, string> | undefined)?.kubelet;
  if (!config) throw new JoinError(`kube-system/${name} has no kubelet configuration: the upload-config phase did not run`);
  return config;
}

/**
 * The worker's kubelet files: kubeadm-flags.env and the drop-in as rendered for it, config.yaml as the cluster
 * has it, and what every node gets (kubelet's registry credentials).
 */
async function workerFiles(ctx: UpContext, h: HostRun, kubeletConfig: string | undefined): Promise<RenderedFile[]> {
  const facts = factsOf(h);
  ctx.renderInputs ??= prepareRender(ctx.inv);
  const render = renderWorkerHost(ctx.inv, h.spec, kubeletConfig ?? '', {
    criSocket: facts.criSocket,
    hostname: facts.hostname,
    resolvConf: facts.systemdResolved ? '/run/systemd/resolve/resolv.conf' : undefined,
  }, (await ctx.renderInputs).nodeFiles);
  return kubeletConfig === undefined ? render.files.filter((f) => f.path !== KUBELET_CONFIG_PATH) : render.files;
}

/**
 * Whether kubelet has finished its TLS bootstrap: kubelet.conf exists and so do the certificate and key it
 * names (kubeadm's waitForTLSBootstrappedClient builds a client from it). A rotating kubelet writes kubelet.conf
 * first, pointing at kubelet-client-current.pem, which appears only once its CSR is signed.
 */
async function tlsBootstrapped(h: HostRun): Promise<boolean> {
  const text = (await hostOf(h).readFile(KUBELET_CONF))?.toString('utf8');
  if (!text) return false;
  let user: Record<string, unknown> | undefined;
  try {
    user = (parseYaml(text) as { users?: { user?: Record<string, unknown> }[] } | null)?.users?.[0]?.user;
  } catch {
    return false;
  }
  const files = ['client-certificate', 'client-key'].map((k) => user?.[k]).filter((p): p is string => typeof p === 'string');
  if (!files.length) return user?.['client-certificate-data'] !== undefined;
  const found = await hostOf(h).hashFiles(files);
  return files.every((f) => found.has(f));
}

/** Why a worker's kubelet did not finish its TLS bootstrap: the token, the CSR, or kubelet itself. */
async function diagnose(ctx: UpContext, h: HostRun, api: Client, token: BootstrapToken): Promise<string[]> {
  const why: string[] = [];
  const init = initHost(ctx);
  if (init) {
    const asToken = await ApiClient.open({ host: connectionOf(init), address: init.spec.advertiseAddress, port: init.spec.bindPort, caPem: clusterCaPem(ctx), credentials: { token: `${token.id}.${token.secret}` } });
    try {
      await asToken.list('certificates.k8s.io/v1', 'CertificateSigningRequest');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) why.push(`the API server rejects join token ${token.id} (401 Unauthorized): it was deleted, expired or revoked`);
      else if (error instanceof ApiError && error.status === 403) why.push(`join token ${token.id} may not read CertificateSigningRequests (403): the kubeadm:kubelet-bootstrap binding is missing`);
    } finally {
      await asToken.close();
    }
  }
  const csrs = await api.list('certificates.k8s.io/v1', 'CertificateSigningRequest').catch(() => []);
  for (const csr of csrs.filter((c) => (c.spec as { username?: string } | undefined)?.username === `system:bootstrap:${token.id}`)) {
    const conditions = ((csr.status as { conditions?: { type: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? []);
    const denied = conditions.find((c) => c.type === 'Denied' || c.type === 'Failed');
    if (denied) why.push(`CSR ${csr.metadata.name} was ${denied.type.toLowerCase()}: ${denied.reason ?? ''} ${denied.message ?? ''}`.trim());
    else if (!conditions.some((c) => c.type === 'Approved')) why.push(`CSR ${csr.metadata.name} from system:bootstrap:${token.id} is not approved: is kube-controller-manager's csrapproving controller running, and does the kubeadm:node-autoapprove-bootstrap binding exist?`);
    else if (!(csr.status as { certificate?: string } | undefined)?.certificate) why.push(`CSR ${csr.metadata.name} is approved but not signed: is kube-controller-manager running with --cluster-signing-cert-file?`);
  }
  const kubelet = await hostOf(h).exec(['sh', '-c', 'systemctl is-active kubelet; journalctl -u kubelet --no-pager -n 8 2>/dev/null | tail -n 8'], { readOnly: true, sudo: true, timeoutMs: 10_000 });
  const [state = '', ...journal] = kubelet.stdout.trim().split('\n');
  if (state.trim() !== 'active') why.push(`kubelet is ${state.trim() || 'not running'} on ${h.spec.name}${journal.length ? `; its journal ends:\n    ${journal.join('\n    ')}` : ''}`);
  if (!why.length) why.push(`kubelet on ${h.spec.name} is running but has not written ${KUBELET_CONF}; its journal: journalctl -u kubelet`);
  return why;
}

/**
 * The end of kubeadm join's kubelet-start: waits (within wait.timeout, from `started`) until kubelet has its own
 * client certificate and its Node is registered, saying why not on timeout; then preserves the CRI socket on the
 * Node where the version does, and removes bootstrap-kubelet.conf, the token's credential, from the disk.
 */
export async function finishTlsBootstrap(ctx: UpContext, h: HostRun, api: Client, token: BootstrapToken, started: number): Promise<void> {
  const deadline = started + waitTimeoutMs(ctx);
  for (;;) {
    const node = (await tlsBootstrapped(h)) ? await api.get({ apiVersion: 'v1', kind: 'Node', name: h.spec.name }) : undefined;
    if (node) break;
    if (Date.now() >= deadline || ctx.options.signal?.aborted) {
      const why = await diagnose(ctx, h, api, token);
      throw new JoinError(`${h.spec.name} did not join within ${Math.round((deadline - started) / 1000)}s:\n  - ${why.join('\n  - ')}`);
    }
    await sleep(POLL_MS, ctx.options.signal);
  }
  // kubeadm join: "preserving the crisocket information for the node" (before v1.34).
  const annotations = nodeAnnotations(clusterVersion(ctx.inv), factsOf(h).criSocket ?? h.spec.criSocket ?? defaultCriSocket(clusterVersion(ctx.inv)));
  if (Object.keys(annotations).length) {
    await wet(ctx, h, `annotate Node ${h.spec.name} with its CRI socket`, () => api.mergePatch({ apiVersion: 'v1', kind: 'Node', name: h.spec.name }, { metadata: { annotations } }));
  }
  await wet(ctx, h, `remove ${BOOTSTRAP_KUBELET_CONF}`, (host) => host.exec(['rm', '-f', BOOTSTRAP_KUBELET_CONF], { sudo: true }));
}

export interface JoinResult {
  /** True when this run joined the worker (it had no kubelet.conf). */
  joined: boolean;
  afterMs?: number;
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    join: JoinResult;
  }
}

export const joinPhase: Phase = {
  name: 'join',
  title: 'join: workers join with the token (kubeadm join\'s kubelet-start and TLS bootstrap)',
  appliesTo: isWorker,
  async run(ctx, h, task) {
    const started = Date.now();
    const found = await hostOf(h).hashFiles([KUBELET_CONF, BOOTSTRAP_KUBELET_CONF, KUBELET_CONFIG_PATH, `${ctx.inv.cluster.certificatesDir}/ca.crt`, ...(await workerFiles(ctx, h, undefined)).map((f) => f.path)]);
    const joined = found.has(KUBELET_CONF);
    if (ctx.options.dryRun) {
      const files = await workerFiles(ctx, h, undefined);
      await wet(ctx, h, joined ? 'bring the kubelet files up to date with the cluster\'s kubelet ConfigMap' : `write ${BOOTSTRAP_KUBELET_CONF} and the kubelet files, start kubelet and wait for its TLS bootstrap`, async () => undefined);
      if (!joined) h.changed.push(BOOTSTRAP_KUBELET_CONF, ...files.map((f) => f.path));
      task.progress(joined ? 'joined already' : 'would join');
      return;
    }
    const api = await adminApi(ctx);
    const files = await workerFiles(ctx, h, await clusterKubeletConfig(ctx, api));
    let token: BootstrapToken | undefined;
    if (!joined) {
      token = await joinToken(ctx);
      task.progress('discovering the cluster (cluster-info, CA pinned by its hash)');
      await oncePerRun(ctx, 'join:discovery', () => discover(ctx, token as BootstrapToken));
      await refuseLiveNamesake(h, api);
      const caPem = clusterCaPem(ctx);
      const server = controlPlaneEndpoint(ctx.inv, h.spec);
      files.push({ path: BOOTSTRAP_KUBELET_CONF, content: bootstrapKubeletConf(caPem, server, token, ctx.inv.cluster.clusterName), mode: 0o600 });
      // kubeadm join writes the CA only where there is none.
      const caPath = `${ctx.inv.cluster.certificatesDir}/ca.crt`;
      if (!found.has(caPath)) files.push({ path: caPath, content: caPem, mode: 0o644 });
    }
    const changed = files.filter((f) => found.get(f.path) !== contentHash(f.content));
    if (changed.length) {
      await wet(ctx, h, `write ${changed.map((f) => f.path).join(', ')}`, (host) => host.writeFiles(changed, { backupDir: ctx.backupDir }));
      h.changed.push(...changed.map((f) => f.path).filter((p) => p !== BOOTSTRAP_KUBELET_CONF));
    }
    if (changed.length || !factsOf(h).kubeletActive) {
      await wet(ctx, h, `restart kubelet (${joined ? 'its configuration changed' : 'to join'})`, async (host) => {
        const result = await host.exec(KUBELET_RESTART, { sudo: true });
        if (result.code !== 0) throw new JoinError(`${h.spec.name}: restarting kubelet failed: ${(result.stderr || result.stdout).trim()}`);
        h.kubeletRestarted = true;
      });
    }
    if (joined) {
      task.progress(changed.length ? `joined already; updated ${changed.length} kubelet file(s)` : 'joined already; kubelet files unchanged');
      h.results.join = { joined: false };
      return;
    }
    task.progress('waiting for the kubelet to perform the TLS Bootstrap');
    await finishTlsBootstrap(ctx, h, api, token as BootstrapToken, started);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    h.changed.push(`joined Node/${h.spec.name}`);
    h.notes.push(`joined the cluster in ${seconds}s`);
    h.results.join = { joined: true, afterMs: Date.now() - started };
    task.progress(`joined in ${seconds}s`);
  },
};
