/**
 * kubelet-finalize (kubeadm init, cmd/kubeadm/app/cmd/phases/init/kubeletfinalize.go): once the kubelet holds a
 * rotatable client certificate (/var/lib/kubelet/pki/kubelet-client-current.pem), kubelet.conf is switched from
 * the embedded certificate kubeadm wrote to that file, and kubelet restarted, so the node's credential rotates.
 * When the file is not there, kubeadm assumes rotation is off and leaves kubelet.conf alone; so does this.
 * The files phase keeps a finalized kubelet.conf as it is on later runs (see finalizedKubeletConf).
 */
import { kubeletConfWithRotatingCert } from '../cluster/index.js';
import type { Inventory } from '../inventory/types.js';
import { clusterVersion } from '../kube/version.js';
import { hostOf, type HostRun } from '../pipeline/context.js';
import { wet, type Phase } from '../pipeline/phase.js';
import { CommandError, contentHash } from '../transport/host.js';
import { isInitHost } from './cluster-api.js';
import { KUBELET_RESTART } from './kubelet-start.js';
import { POLL_MS, sleep } from './nodes.js';

export const KUBELET_CONF = '/etc/kubernetes/kubelet.conf';
/** kubeadm: filepath.Join(KubeletDir, "pki", "kubelet-client-current.pem"), as its kubelet-finalize table row says. */
export const KUBELET_CLIENT_CURRENT = '/var/lib/kubelet/pki/kubelet-client-current.pem';

/** How long kubelet is given to write its rotatable certificate. */
const PEM_WAIT_MS = 60_000;


/** kubelet.conf as kubeadm's finalize writes it back (cluster/kubeletfinalize.ts); undefined when it has no node user. */
export function finalizedKubeletConf(inv: Inventory, h: HostRun, kubeletConf: string): string | undefined {
  try {
    return kubeletConfWithRotatingCert(kubeletConf, h.spec.name, clusterVersion(inv));
  } catch {
    return undefined;
  }
}

/** Whether the host's kubelet.conf is the finalized form of what is rendered for it. */
export function isFinalized(inv: Inventory, h: HostRun): boolean {
  const rendered = h.files?.find((f) => f.path === KUBELET_CONF);
  const found = h.found?.get(KUBELET_CONF);
  const finalized = rendered && finalizedKubeletConf(inv, h, rendered.content.toString());
  return !!finalized && !!found && found === contentHash(finalized);
}

export const kubeletFinalizePhase: Phase = {
  name: 'kubelet-finalize',
  title: 'kubelet-finalize: kubelet.conf switched to the rotatable client certificate',
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    const rendered = h.files?.find((f) => f.path === KUBELET_CONF);
    if (!rendered) return task.progress(`no ${KUBELET_CONF} rendered`);
    let found = await hostOf(h).hashFiles([KUBELET_CONF, KUBELET_CLIENT_CURRENT]);
    // kubelet writes the PEM once its first rotation CSR is signed, moments after it starts; kubeadm looks once,
    // which leaves a late kubelet unfinalized until some later run. Waiting a little makes the first run final.
    const deadline = Date.now() + PEM_WAIT_MS;
    while (!ctx.options.dryRun && !found.has(KUBELET_CLIENT_CURRENT) && Date.now() < deadline && !ctx.options.signal?.aborted) {
      task.progress(`waiting for kubelet to write ${KUBELET_CLIENT_CURRENT}`);
      await sleep(POLL_MS, ctx.options.signal);
      found = await hostOf(h).hashFiles([KUBELET_CONF, KUBELET_CLIENT_CURRENT]);
    }
    const finalized = kubeletConfWithRotatingCert(rendered.content.toString(), h.spec.name, clusterVersion(ctx.inv));
    if (found.get(KUBELET_CONF) === contentHash(finalized)) return task.progress(`${KUBELET_CONF} already uses ${KUBELET_CLIENT_CURRENT}`);
    if (!found.has(KUBELET_CLIENT_CURRENT) && !ctx.options.dryRun) {
      // kubeadm: "Assuming that kubelet client certificate rotation is disabled".
      return task.progress(`no ${KUBELET_CLIENT_CURRENT}: client certificate rotation is off, ${KUBELET_CONF} left as it is`);
    }
    await wet(ctx, h, `update ${KUBELET_CONF} to point to a rotatable kubelet client certificate and key, and restart kubelet`, async (host) => {
      await host.writeFiles([{ path: KUBELET_CONF, content: finalized, mode: rendered.mode }], { backupDir: ctx.backupDir });
      h.found?.set(KUBELET_CONF, contentHash(finalized));
      const result = await host.exec(KUBELET_RESTART, { sudo: true });
      if (result.code !== 0) throw new CommandError(h.spec.name, KUBELET_RESTART, result);
      h.kubeletRestarted = true;
    });
    h.changed.push(KUBELET_CONF);
    task.progress(`${ctx.options.dryRun ? 'would point' : 'pointed'} ${KUBELET_CONF} to ${KUBELET_CLIENT_CURRENT}`);
  },
};
