/**
 * Everything `up` writes on a host, computed offline: certificates and kubeconfigs, static Pod manifests
 * (with the inventory's patches applied), kubelet files. `render` writes it to a folder; `up` compares it with
 * what a host has and writes only the difference. One function serves both, so a dry run cannot drift from a real one.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { HostSpec, Inventory, RenderedFile } from '../inventory/types.js';
import { componentImage } from '../kube/images.js';
import { defaultCriSocket } from '../kube/runtime.js';
import { clusterVersion } from '../kube/version.js';
import { KUBELET_CONFIG_PATH, renderKubeletFiles } from '../kubelet/index.js';
import { renderStaticPodFiles, stackedEtcdMembers, type ControlPlaneComponent, type EtcdMember } from '../manifests/index.js';
import { joiningKubeletServer } from '../cluster/control-plane-join.js';
import { applyPatches, loadPatches, type PatchSet } from '../manifests/patches.js';
import { externalEtcdFiles, loadExternalEtcdCredentials, loadOrCreateClusterPki, renderHostPki, type ClusterPki } from '../pki/index.js';
import { nodeCredentialFiles } from '../registries/node.js';

/**
 * The few facts about a host that change what is rendered for it, taken from what `up` learned (pipeline's
 * HostFacts); render uses kubeadm's defaults where it has none.
 */
export interface RenderFacts {
  criSocket?: string;
  hostname?: string;
  resolvConf?: string;
  /**
   * A joining control plane's etcd members as the running cluster answered (etcd's MemberAdd, or the
   * --initial-cluster its etcd.yaml already has); without it, the inventory order stands in (stackedEtcdMembers).
   */
  etcdMembers?: readonly EtcdMember[];
}

export interface HostRender {
  host: HostSpec;
  files: RenderedFile[];
  /** Why a host gets no files. */
  reason?: string;
  /** Lines such as kubeadm's "[patches] Applied patch of type … to target …". */
  notes: string[];
}

const CONTROL_PLANE: ControlPlaneComponent[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

/** The image reference kubeadm would use, from the inventory's (already resolved) imageRepository. */
export function imageFor(inv: Inventory, component: Parameters<typeof componentImage>[1]): string {
  return componentImage(clusterVersion(inv), component, inv.cluster.imageRepository);
}

/**
 * What every host's render shares: the cluster's CAs, the loaded patches, and the files every node gets
 * whatever its role (kubelet's registry credentials). Made once per run.
 */
export interface RenderInputs {
  pki: ClusterPki;
  patches?: PatchSet;
  nodeFiles: RenderedFile[];
  /** With an external etcd: its CA, client certificate and key, as every control plane gets them. */
  externalEtcdFiles?: RenderedFile[];
}

export async function prepareRender(inv: Inventory): Promise<RenderInputs> {
  const external = inv.cluster.etcd.external;
  const pki = await loadOrCreateClusterPki(inv.stateDir, { etcdCa: !external });
  const patches = inv.patches ? await loadPatches(inv.patches, { kubernetesVersion: clusterVersion(inv) }) : undefined;
  return {
    pki,
    patches,
    nodeFiles: await nodeCredentialFiles(inv),
    ...(external ? { externalEtcdFiles: externalEtcdFiles(inv, await loadExternalEtcdCredentials(external)) } : {}),
  };
}

/** Why a joining control plane's render lacks kubelet.conf, and what its etcd.yaml assumes. */
export function joiningControlPlaneNote(inv: Inventory, host: HostSpec): string {
  return `joins as kubeadm join --control-plane does: kubelet.conf comes from the kubelet's TLS bootstrap at join time ` +
    `(bootstrap-kubelet.conf, the join token, pointing at ${joiningKubeletServer(inv, host)}); config.yaml is the ` +
    `cluster's kubelet ConfigMap; ` + (inv.cluster.etcd.external
      ? 'etcd is external, so no member is added'
      : `etcd's --initial-cluster lists the members in inventory order, where kubeadm writes the order etcd's member-add answers with`);
}

/** The kubelet files of a joining node: its own, with config.yaml replaced by the cluster's kubelet ConfigMap. */
function withClusterKubeletConfig(files: RenderedFile[], clusterKubeletConfig: string | undefined): RenderedFile[] {
  if (clusterKubeletConfig === undefined) return files;
  return files.map((f) => (f.path === KUBELET_CONFIG_PATH ? { ...f, content: clusterKubeletConfig } : f));
}

/**
 * The files of one control-plane host: what kubeadm init writes on the first control-plane host in inventory
 * order, what kubeadm join --control-plane writes on the others (etcd joining the members before it; the
 * kubelet's config.yaml the cluster's, clusterKubeletConfig, when given).
 */
export async function renderControlPlaneHost(
  inv: Inventory,
  host: HostSpec,
  inputs: RenderInputs,
  facts: RenderFacts = {},
  clusterKubeletConfig?: string,
): Promise<HostRender> {
  const { pki, patches, nodeFiles, externalEtcdFiles: externalEtcd = [] } = inputs;
  const notes: string[] = [];
  const patch = patches
    ? (target: string, obj: object) => applyPatches(patches, target, obj, (line) => notes.push(line))
    : undefined;
  const images = Object.fromEntries(CONTROL_PLANE.map((c) => [c, imageFor(inv, c)])) as Record<ControlPlaneComponent, string>;
  // Defined for a joining control plane (not the first); with an external etcd it has no etcd member to add.
  const joining = stackedEtcdMembers(inv, host);
  const etcdMembers = inv.cluster.etcd.external ? undefined : joining && (facts.etcdMembers ?? joining);
  const kubelet = renderKubeletFiles(inv, host, {
    criSocket: facts.criSocket ?? host.criSocket ?? defaultCriSocket(clusterVersion(inv)),
    pauseImage: imageFor(inv, 'pause'),
    resolvConf: facts.resolvConf,
    hostname: facts.hostname,
    patches,
    log: (line) => notes.push(line),
  });
  const files = [
    ...(await renderHostPki(inv, host, pki)),
    ...externalEtcd,
    ...renderStaticPodFiles(inv, host, images, patch, { etcdMembers }),
    ...(joining ? withClusterKubeletConfig(kubelet, clusterKubeletConfig) : kubelet),
    ...nodeFiles,
  ];
  if (joining) notes.push(joiningControlPlaneNote(inv, host));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { host, files, notes };
}

/** Why a worker's render lacks bootstrap-kubelet.conf: it holds the join token, which exists only once the cluster does. */
export const WORKER_NOTE =
  'bootstrap-kubelet.conf (the join token) is written at join time, and /etc/kubernetes/pki/ca.crt where the host has none; config.yaml is the cluster\'s kubelet ConfigMap, which up uploads from the first control plane\'s';

/**
 * The files kubeadm join writes on a worker that are known offline: kubeadm-flags.env and the drop-in for the
 * worker itself, and config.yaml as the cluster's kubelet ConfigMap holds it (what upload-config stores: the
 * first control plane's, rendered with that host's facts), and the files every node gets (RenderInputs.nodeFiles).
 */
export function renderWorkerHost(inv: Inventory, host: HostSpec, clusterKubeletConfig: string, facts: RenderFacts = {}, nodeFiles: RenderedFile[] = []): HostRender {
  const files = withClusterKubeletConfig(renderKubeletFiles(inv, host, {
    criSocket: facts.criSocket ?? host.criSocket ?? defaultCriSocket(clusterVersion(inv)),
    pauseImage: imageFor(inv, 'pause'),
    resolvConf: facts.resolvConf,
    hostname: facts.hostname,
  }), clusterKubeletConfig);
  return { host, files: [...files, ...nodeFiles], notes: [WORKER_NOTE] };
}

export async function renderCluster(inv: Inventory, facts: Map<string, RenderFacts> = new Map()): Promise<HostRender[]> {
  const controlPlanes = inv.hosts.filter((h) => h.roles.includes('control-plane'));
  const inputs = controlPlanes.length ? await prepareRender(inv) : undefined;
  const nodeFiles = inputs?.nodeFiles ?? [];
  const renders: HostRender[] = [];
  // The first control plane (kubeadm init) first: its config.yaml is what the cluster's kubelet ConfigMap holds.
  let clusterKubeletConfig: string | undefined;
  for (const host of controlPlanes) {
    if (!inputs) continue;
    const render = await renderControlPlaneHost(inv, host, inputs, facts.get(host.name) ?? {}, clusterKubeletConfig);
    clusterKubeletConfig ??= render.files.find((f) => f.path === KUBELET_CONFIG_PATH)?.content.toString();
    renders.push(render);
  }
  for (const host of inv.hosts.filter((h) => !h.roles.includes('control-plane'))) {
    renders.push(
      clusterKubeletConfig === undefined
        ? { host, files: [], notes: [], reason: 'the inventory has no control-plane host to join' }
        : renderWorkerHost(inv, host, clusterKubeletConfig, facts.get(host.name) ?? {}, nodeFiles),
    );
  }
  // Inventory order, as before.
  return inv.hosts.map((h) => renders.find((r) => r.host === h) as HostRender);
}

/** DIR/<host>/<absolute path>, each host's folder replaced as a whole so nothing stale remains. */
export async function writeRenderTree(outDir: string, renders: HostRender[]): Promise<void> {
  for (const { host, files } of renders) {
    const root = join(outDir, host.name);
    await rm(root, { recursive: true, force: true });
    for (const file of files) {
      const target = join(root, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { mode: file.mode });
      await chmod(target, file.mode); // the umask must not change what the host will get
    }
  }
}
