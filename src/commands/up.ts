/**
 * `up`: the phases in kubeadm's order over every host of an inventory, and one report. The library entry point
 * (`import { up } from 'bootstrap'`) and the CLI both call this.
 */
import { loadInventory } from '../inventory/index.js';
import type { Inventory } from '../inventory/types.js';
import { upConnectPhase } from '../phases/connect.js';
import { certsPhase, controlPlanePhase, etcdPhase, kubeconfigPhase } from '../phases/files.js';
import { kubeletStartPhase } from '../phases/kubelet-start.js';
import { imagesPhase } from '../phases/images.js';
import { preflightPhase } from '../phases/preflight.js';
import { prepareInputs, preparePhase } from '../phases/prepare.js';
import { waitControlPlanePhase } from '../phases/wait-control-plane.js';
import { uploadConfigPhase } from '../phases/upload-config.js';
import { markControlPlanePhase } from '../phases/mark-control-plane.js';
import { bootstrapTokenPhase } from '../phases/bootstrap-token.js';
import { addonsPhase } from '../phases/addons.js';
import { registrySecretsPhase } from '../phases/registry-secrets.js';
import { kubeletFinalizePhase } from '../phases/kubelet-finalize.js';
import { joinPhase } from '../phases/join.js';
import { controlPlaneJoinPhase } from '../phases/control-plane-join.js';
import { waitNodesPhase, type NodeState } from '../phases/wait-nodes.js';
import { hostOutcome, newContext, type ComponentStatus, type HostRun, type ImageResult, type UpOptions } from '../pipeline/context.js';
import type { Phase } from '../pipeline/phase.js';
import { runOnHosts } from '../pipeline/runner.js';
import { HostError } from '../util/errors.js';

/**
 * connect, prepare (a bare host made ready for kubeadm), then kubeadm init's order (preflight, images, certs,
 * kubeconfig, etcd, control-plane, kubelet-start, wait-control-plane, upload-config, mark-control-plane,
 * bootstrap-token, kubelet-finalize, addons) on the first control plane, then kubeadm join --control-plane on the
 * other control planes one at a time, then kubeadm join on the workers, then a look at the Nodes.
 */
export const UP_PHASES: Phase[] = [
  upConnectPhase,
  preparePhase,
  preflightPhase,
  imagesPhase,
  certsPhase,
  kubeconfigPhase,
  etcdPhase,
  controlPlanePhase,
  kubeletStartPhase,
  waitControlPlanePhase,
  uploadConfigPhase,
  markControlPlanePhase,
  bootstrapTokenPhase,
  kubeletFinalizePhase,
  addonsPhase,
  registrySecretsPhase,
  controlPlaneJoinPhase,
  joinPhase,
  waitNodesPhase,
];

export interface HostReport {
  name: string;
  address: string;
  roles: string[];
  ok: boolean;
  error?: string;
  changed: string[];
  actions: string[];
  images: ImageResult[];
  components: ComponentStatus[];
  warnings: string[];
  notes: string[];
  kubeletRestarted: boolean;
  /** What prepare changed on the host (or would change, in a dry run), in words; empty when it was as planned. */
  prepared: string[];
}

export interface UpReport {
  ok: boolean;
  dryRun: boolean;
  kubernetesVersion: string;
  /** True when anything was (or, in a dry run, would be) changed on any host. */
  changed: boolean;
  durationMs: number;
  hosts: HostReport[];
  /** The admin kubeconfig written on this machine after a healthy control plane. */
  adminKubeconfig?: string;
  /** The cluster's Nodes at the end of the run (absent in a dry run or when the cluster phases did not run). */
  nodes?: NodeState[];
}

export class UpFailedError extends HostError {
  override name = 'UpFailedError';
  constructor(
    message: string,
    readonly report: UpReport,
    /** Failures that are bugs in bootstrap rather than on a host: the CLI says so (and shows their stacks with BOOTSTRAP_DEBUG=1). */
    readonly bugs: Error[] = [],
  ) {
    super(message);
  }
}

function hostReport(h: HostRun): HostReport {
  return {
    ...hostOutcome(h),
    changed: h.changed,
    actions: h.actions,
    images: h.images,
    components: h.components,
    warnings: h.warnings,
    notes: h.notes,
    kubeletRestarted: h.kubeletRestarted,
    prepared: h.results.prepare?.changes ?? [],
  };
}

export async function up(inventory: string | Inventory, options: UpOptions = {}): Promise<UpReport> {
  const inv = typeof inventory === 'string' ? await loadInventory(inventory) : inventory;
  const ctx = newContext(inv, options);
  // The control machine's own inputs first (install files verified by checksum): a refusal touches no host.
  await prepareInputs(ctx);
  const failed = await runOnHosts(ctx, UP_PHASES);
  const hosts = ctx.hosts.map(hostReport);
  const report: UpReport = {
    ok: !failed,
    dryRun: !!options.dryRun,
    kubernetesVersion: inv.cluster.kubernetesVersion,
    changed: hosts.some((h) => h.changed.length > 0 || h.kubeletRestarted || h.prepared.length > 0 || h.images.some((i) => i.outcome === 'pulled' || i.outcome === 'would-pull')),
    durationMs: Date.now() - ctx.startedAt.getTime(),
    hosts,
    adminKubeconfig: ctx.hosts.map((h) => h.results['wait-control-plane']?.adminKubeconfig).find((path) => path !== undefined),
    nodes: ctx.hosts.map((h) => h.results['wait-nodes']?.nodes).find((nodes) => nodes !== undefined),
  };
  if (failed) throw new UpFailedError(failed.message, report, failed.bugs);
  return report;
}
