/**
 * The controllers the lab kube-controller-manager runs (the ones kubeadm clusters rely on to join nodes):
 * csrapproving, csrsigning, bootstrapsigner, tokencleaner, and serviceaccount (the default ServiceAccount pods need). Chosen with --controllers as the real binary does
 * ("*" = the default-on set, "name" enables, "-name" disables; bootstrapsigner and tokencleaner are off by
 * default). They run only while this instance holds the leader Lease and poll the API about once a second.
 */
import type { Flags } from './flags.js';
import type { ClientCredentials } from './kubeconfig.js';
import { httpsApi, type Api } from './controller-api.js';
import { KUBE_APISERVER_CLIENT_SIGNER, KUBELET_CLIENT_SIGNER, KUBELET_SERVING_SIGNER } from './csr.js';
import { syncApprovals, type ControllerLog } from './csr-approving.js';
import { loadSigningCA, syncSigning, type Signer } from './csr-signing.js';
import { syncBootstrapSigner } from './bootstrap-signer.js';
import { syncServiceAccounts } from './serviceaccounts.js';
import { syncTokenCleaner } from './token-cleaner.js';
import { kubernetesVersion, log, sleep } from './runtime.js';

export const IMPLEMENTED_CONTROLLERS = ['csrapproving', 'csrsigning', 'bootstrapsigner', 'tokencleaner', 'serviceaccount'] as const;
export const DISABLED_BY_DEFAULT = new Set(['bootstrapsigner', 'tokencleaner']);

/** IsControllerEnabled (cmd/kube-controller-manager/app/options). */
export function isControllerEnabled(name: string, controllers: string[]): boolean {
  let star = false;
  for (const c of controllers) {
    if (c === name) return true;
    if (c === `-${name}`) return false;
    if (c === '*') star = true;
  }
  return star && !DISABLED_BY_DEFAULT.has(name);
}

/** Go's time.ParseDuration for flag values ("8760h0m0s", "720h", "30m"). */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed += m[0].length;
  }
  if (text === '0') return 0;
  if (consumed === 0 || consumed !== text.length) throw new Error(`time: invalid duration "${text}"`);
  return total;
}

/** The names the controller-manager logs: since v1.28 the controllers' canonical names, the short ones being aliases. */
export function loggedName(name: string, version = kubernetesVersion()): string {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  const canonical = !m || Number(m[1]) > 1 || Number(m[2]) >= 28;
  if (!canonical) return name;
  return ({
    csrapproving: 'certificatesigningrequest-approving-controller',
    csrsigning: 'certificatesigningrequest-signing-controller',
    bootstrapsigner: 'bootstrap-signer-controller',
    tokencleaner: 'token-cleaner-controller',
    serviceaccount: 'serviceaccount-controller',
  } as Record<string, string>)[name] ?? name;
}

function controllerLog(name: string): ControllerLog {
  return {
    info: (m) => log.info(`${name}.go:1`, m),
    error: (m) => log.error(`${name}.go:1`, m),
  };
}

/** The signers of csrsigning: each kubernetes.io signer with its own pair or the cluster signing pair. */
export async function signersFromFlags(flags: Flags): Promise<Signer[]> {
  const ttlMs = parseDuration(flags.string('cluster-signing-duration', '8760h0m0s'));
  const general = { cert: flags.string('cluster-signing-cert-file'), key: flags.string('cluster-signing-key-file') };
  const signers: Signer[] = [];
  for (const [flagName, signerName] of [
    ['kubelet-serving', KUBELET_SERVING_SIGNER],
    ['kubelet-client', KUBELET_CLIENT_SIGNER],
    ['kube-apiserver-client', KUBE_APISERVER_CLIENT_SIGNER],
  ] as const) {
    const cert = flags.string(`cluster-signing-${flagName}-cert-file`) || general.cert;
    const key = flags.string(`cluster-signing-${flagName}-key-file`) || general.key;
    if (!cert || !key) continue;
    signers.push({ signerName, ca: await loadSigningCA(cert, key), ttlMs });
  }
  return signers;
}

export interface ControllerSet {
  api: Api;
  enabled: string[];
  signers: Signer[];
}

/** One round of every enabled controller. */
export async function syncOnce(set: ControllerSet, reported: Map<string, Set<string>>): Promise<void> {
  const seen = (name: string): Set<string> => {
    let s = reported.get(name);
    if (!s) reported.set(name, (s = new Set()));
    return s;
  };
  for (const name of set.enabled) {
    try {
      if (name === 'csrapproving') await syncApprovals(set.api, controllerLog('sarapprove'), seen(name));
      else if (name === 'csrsigning') await syncSigning(set.api, set.signers, controllerLog('signer'), seen(name));
      else if (name === 'bootstrapsigner') await syncBootstrapSigner(set.api, controllerLog('bootstrapsigner'));
      else if (name === 'tokencleaner') await syncTokenCleaner(set.api, controllerLog('tokencleaner'));
      else if (name === 'serviceaccount') await syncServiceAccounts(set.api);
    } catch (e) {
      const key = `sync:${(e as Error).message}`;
      if (!seen(name).has(key)) log.error('controllermanager.go:1', `"Error syncing" controller="${loggedName(name)}" err=${JSON.stringify((e as Error).message)}`);
      seen(name).add(key);
    }
  }
}

/** Starts the enabled controllers; they act only while `isLeading()` says so. */
export async function startControllers(flags: Flags, credentials: ClientCredentials, isLeading: () => boolean, intervalMs = 1000): Promise<void> {
  const requested = flags.has('controllers') ? flags.list('controllers') : ['*'];
  const enabled: string[] = [];
  for (const name of IMPLEMENTED_CONTROLLERS) {
    if (!isControllerEnabled(name, requested)) {
      log.info('controllermanager.go:1', `"Warning: controller is disabled" controller="${loggedName(name)}"`);
      continue;
    }
    enabled.push(name);
  }
  let signers: Signer[] = [];
  if (enabled.includes('csrsigning')) {
    signers = await signersFromFlags(flags);
    if (signers.length === 0) {
      log.info('certificates.go:1', 'Skipping CSR signer controller because no csr cert/key was specified');
      enabled.splice(enabled.indexOf('csrsigning'), 1);
    }
  }
  for (const name of enabled) {
    log.info('controllermanager.go:1', `"Started controller" controller="${loggedName(name)}"`);
    if (name === 'csrapproving') log.info('certificate_controller.go:115', '"Starting certificate controller" name="csrapproving"');
    if (name === 'serviceaccount') log.info('serviceaccounts_controller.go:1', '"Starting service account controller"');
    if (name === 'csrsigning') {
      for (const signer of signers) log.info('certificate_controller.go:115', `"Starting certificate controller" name="csrsigning-${signer.signerName.replace('kubernetes.io/', '').replace('kube-apiserver-client-kubelet', 'kubelet-client')}"`);
    }
  }
  const set: ControllerSet = { api: httpsApi(credentials), enabled, signers };
  const reported = new Map<string, Set<string>>();
  void (async () => {
    for (;;) {
      if (isLeading()) await syncOnce(set, reported);
      await sleep(intervalMs);
    }
  })();
}
