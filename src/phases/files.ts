/**
 * The phases that write files (certs, kubeconfig, etcd, control-plane, and kubelet-start's part): each writes
 * its share of what `render` produces for the host, and only what differs from the host's copy, so an
 * unchanged static Pod manifest is never rewritten (rewriting it would restart the Pod).
 */
import { contentHash } from '../transport/host.js';
import type { RenderedFile } from '../inventory/types.js';
import { joiningControlPlaneNote, prepareRender, renderControlPlaneHost } from '../render/index.js';
import { currentSandboxes, targetFor } from '../health/check.js';
import { factsOf, hostOf, type HostRun, type UpContext } from '../pipeline/context.js';
import { isInitHost } from './cluster-api.js';
import { wet, type Phase } from '../pipeline/phase.js';
import { finalizedKubeletConf, isFinalized, KUBELET_CONF } from './kubelet-finalize.js';
import type { EtcdMember } from '../manifests/index.js';

/** Which phase writes a file, by its path, as kubeadm's phases divide them. */
export function phaseOfPath(path: string): 'certs' | 'kubeconfig' | 'etcd' | 'control-plane' | 'kubelet-start' {
  if (path.startsWith('/etc/kubernetes/pki/')) return 'certs';
  if (/^\/etc\/kubernetes\/[^/]+\.conf$/.test(path)) return 'kubeconfig';
  if (path === '/etc/kubernetes/manifests/etcd.yaml') return 'etcd';
  if (path.startsWith('/etc/kubernetes/manifests/')) return 'control-plane';
  return 'kubelet-start';
}


/**
 * Renders the host's files once per run (with what the connect phase learnt: CRI socket, hostname,
 * systemd-resolved) and reads the hashes of the host's copies in one round trip.
 */
export async function plannedFiles(ctx: UpContext, h: HostRun, join?: JoinRender): Promise<RenderedFile[]> {
  if (h.files && h.found && !join) return h.files;
  ctx.renderInputs ??= prepareRender(ctx.inv);
  const facts = factsOf(h);
  const render = await renderControlPlaneHost(ctx.inv, h.spec, await ctx.renderInputs, {
    criSocket: facts.criSocket,
    hostname: facts.hostname,
    resolvConf: facts.systemdResolved ? '/run/systemd/resolve/resolv.conf' : undefined,
    ...(join?.etcdMembers ? { etcdMembers: join.etcdMembers } : {}),
  }, join?.clusterKubeletConfig);
  const first = !h.files;
  h.files = render.files;
  // A joining host rendered with what the running cluster answered does not need render's offline explanation.
  if (first) h.notes.push(...render.notes.filter((note) => !join || note !== joiningControlPlaneNote(ctx.inv, h.spec)));
  h.found = await hostOf(h).hashFiles(render.files.map((f) => f.path));
  // A kubelet.conf that kubelet-finalize switched to the rotatable certificate stays so: rewriting the embedded
  // form would undo it on every run (and restart kubelet for nothing).
  if (isFinalized(ctx.inv, h)) {
    h.files = h.files.map((f) => (f.path === KUBELET_CONF ? { ...f, content: finalizedKubeletConf(ctx.inv, h, f.content.toString()) ?? f.content } : f));
  }
  return h.files;
}

/**
 * What a joining control plane's files depend on in the running cluster (kubeadm join --control-plane): the etcd
 * members its --initial-cluster lists, and the kubelet configuration the cluster's ConfigMap holds.
 */
export interface JoinRender {
  etcdMembers?: readonly EtcdMember[];
  clusterKubeletConfig?: string;
}

/**
 * The host's mode of a file whose copy lets group or others in where the rendered mode does not (a key or
 * kubeconfig someone chmod-ed 0644), else undefined. Such a file is rewritten even when its content is the same:
 * up leaves every host with kubeadm's modes, not only kubeadm's contents.
 */
export function widenedMode(h: HostRun, f: RenderedFile): number | undefined {
  const mode = h.found?.modes.get(f.path);
  return mode !== undefined && mode & 0o077 & ~f.mode ? mode : undefined;
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/** Writes this phase's files that differ from the host's; returns the paths written (or that would be). */
export async function writeChanged(ctx: UpContext, h: HostRun, phase: string, progress: (line: string) => void): Promise<string[]> {
  const mine = (await plannedFiles(ctx, h)).filter((f) => phaseOfPath(f.path) === phase);
  const changed = mine.filter((f) => h.found?.get(f.path) !== contentHash(f.content) || widenedMode(h, f) !== undefined);
  for (const f of changed) {
    const mode = widenedMode(h, f);
    if (mode !== undefined) {
      h.warnings.push(`${f.path} on ${h.spec.name} was mode ${octal(mode)}, readable beyond its ${octal(f.mode)}: ` +
        `${ctx.options.dryRun ? 'up would rewrite' : 'rewritten'} with ${octal(f.mode)}; check who could have read it`);
    }
  }
  if (!changed.length) {
    progress(`${mine.length} file(s) unchanged`);
    return [];
  }
  const paths = changed.map((f) => f.path);
  await wet(ctx, h, `write ${paths.join(', ')}`, async (host) => {
    await host.writeFiles(changed, { backupDir: ctx.backupDir });
    for (const f of changed) {
      h.found?.set(f.path, contentHash(f.content));
      h.found?.modes.set(f.path, f.mode);
    }
  });
  h.changed.push(...paths);
  progress(`${ctx.options.dryRun ? 'would write' : 'wrote'} ${changed.length} of ${mine.length} file(s)`);
  return paths;
}

/** The static Pods whose manifests this run replaces, with the sandbox each ran in before (see HealthTarget.replaced). */
export interface ReplacedPods {
  sandboxes: Map<string, string | undefined>;
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    'replaced-pods': ReplacedPods;
  }
}

const MANIFEST = /^\/etc\/kubernetes\/manifests\/([^/]+)\.yaml$/;

/**
 * Before a running static Pod's manifest is replaced, which sandbox it runs in: wait-control-plane then waits for
 * kubelet to start the new Pod instead of taking the old one's health for the new one's.
 */
async function rememberReplacedPods(ctx: UpContext, h: HostRun, phase: string): Promise<void> {
  if (ctx.options.dryRun) return;
  const names = (await plannedFiles(ctx, h))
    .filter((f) => phaseOfPath(f.path) === phase && h.found?.has(f.path) && h.found.get(f.path) !== contentHash(f.content))
    .map((f) => MANIFEST.exec(f.path)?.[1])
    .filter((n): n is string => n !== undefined);
  if (!names.length) return;
  const sandboxes = await currentSandboxes(await targetFor({ ...h, host: hostOf(h) }, ctx.inv), names);
  const record = (h.results['replaced-pods'] ??= { sandboxes: new Map() });
  for (const name of names) record.sandboxes.set(name, sandboxes.get(name));
}

type WritePhaseName = 'certs' | 'kubeconfig' | 'etcd' | 'control-plane';

/** One write phase's files on one host; a static Pod being replaced is remembered for wait-control-plane. */
export async function writePhaseFiles(ctx: UpContext, h: HostRun, name: WritePhaseName, progress: (line: string) => void): Promise<string[]> {
  if (name === 'etcd' || name === 'control-plane') await rememberReplacedPods(ctx, h, name);
  return writeChanged(ctx, h, name, progress);
}

/** kubeadm init's phases run on the first control plane; the others get the same files as they join (control-plane-join). */
function writePhase(name: WritePhaseName, title: string): Phase {
  return {
    name,
    title,
    appliesTo: (h, ctx) => isInitHost(h, ctx),
    run: (ctx, h, task) => writePhaseFiles(ctx, h, name, task.progress).then(() => undefined),
  };
}

export const certsPhase = writePhase('certs', 'certs: certificates and keys in /etc/kubernetes/pki');
export const kubeconfigPhase = writePhase('kubeconfig', 'kubeconfig: kubeconfig files in /etc/kubernetes');
const localEtcdPhase = writePhase('etcd', 'etcd: static Pod manifest for local etcd');

/**
 * With an external etcd kubeadm's etcd phase writes nothing ("[etcd] External etcd mode. Skipping the creation of a
 * manifest for local etcd", cmd/phases/init/etcd.go): the phase still shows, saying why, so the report reads as kubeadm's.
 */
export const etcdPhase: Phase = {
  ...localEtcdPhase,
  async run(ctx, h, task) {
    const external = ctx.inv.cluster.etcd.external;
    if (!external) return localEtcdPhase.run(ctx, h, task);
    task.progress(`skipped: etcd is external (${external.endpoints.join(', ')}); no local etcd manifest`);
  },
};
export const controlPlanePhase = writePhase('control-plane', 'control-plane: static Pod manifests for the API server, controller-manager and scheduler');
