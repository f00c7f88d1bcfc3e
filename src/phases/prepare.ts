/**
 * prepare (issue 10): makes a bare host ready for preflight. Kernel modules and settings, swap, kubeadm's tools,
 * containerd's configuration, and kubelet/crictl/kubeadm from packages or files, as planned by src/prepare/.
 *
 * One look at the host (the probe, the two files prepare edits and the hashes of those it replaces, sent
 * together), one batch of writes, one script of commands. Files given for install.source: files are read and
 * verified once per run, before any host is touched: a wrong checksum stops every host before anything is
 * uploaded or installed. A re-run finds nothing to change and does nothing.
 *
 * It runs right after connect, before preflight; the host's facts are read again when it changed anything.
 */
import { readFile } from 'node:fs/promises';
import { VERSIONS_DIR } from '../kube/binary-versions.js';
import { lookup } from '../kube/table.js';
import { clusterVersion } from '../kube/version.js';
import { DEFAULT_CGROUP_DRIVER } from '../kubelet/versions.js';
import type { InstallSettings, Inventory, PrepareSettings, RegistrySettings } from '../inventory/types.js';
import { factsOf, hostOf, isControlPlane, oncePerRun, type HostRun, type UpContext } from '../pipeline/context.js';
import { wet, type Phase } from '../pipeline/phase.js';
import { CONTAINERD_CONFIG_PATH } from '../prepare/containerd.js';
import { artifactKind, KUBELET_UNIT_PATH, UPLOAD_DIR } from '../prepare/artifacts.js';
import { parseProbe, planPrepare, PROBE_SCRIPT, verifyArtifacts, type HostState, type PreparePlan, type VerifiedArtifact } from '../prepare/index.js';
import { CERTS_D } from '../prepare/registries.js';
import { DOCKER_CERTS_D, DOCKER_DAEMON_JSON, isDockerSocket } from '../prepare/docker.js';
import { APT_KEY_PATH, APT_LIST_PATH, CA_BUNDLE_PATH, YUM_REPO_PATH } from '../prepare/repository.js';
import { FSTAB_PATH, MODULES_LOAD_PATH, SYSCTL_CONF_PATH } from '../prepare/system.js';
import { KUBEADM_DROPIN_PATH } from '../kubelet/dropin.js';
import { CommandError, type Host } from '../transport/host.js';
import { commandLine } from '../transport/shell.js';
import { HostError } from '../util/errors.js';
import { readFacts } from './connect.js';
import { joinEndpoint, kubeletFailSwapOn } from './preflight.js';
import { initIpFamilies, joinIpFamilies } from './preflight-checks.js';
import { basename } from 'node:path';

/** prepare's defaults for an inventory built by hand without the sections: on, configure containerd, install nothing. */
export const DEFAULT_PREPARE: PrepareSettings = { enabled: true, containerd: { configure: true } };
export const DEFAULT_INSTALL: InstallSettings = { source: 'none', kubeadm: false, allowVersionChange: false, files: [] };

export interface PrepareResult {
  /** What changed (or would change in a dry run), in words. */
  changes: string[];
  /** What was found and left alone. */
  notes: string[];
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    prepare: PrepareResult;
  }
}

class PrepareHostError extends HostError {
  override name = 'PrepareHostError';
}

/** Package installs can take minutes on a slow mirror; a hung one must still end. */
const COMMANDS_TIMEOUT_MS = 20 * 60_000;

/** What the control machine supplies, read once per run: the verified install files and the registries' CAs. */
interface LocalInputs {
  artifacts: VerifiedArtifact[];
  cas: Map<string, Buffer>;
}

async function readLocal(inv: Inventory): Promise<LocalInputs> {
  const install = inv.install ?? DEFAULT_INSTALL;
  let artifacts: VerifiedArtifact[] = [];
  if (install.source === 'files') {
    const read = await Promise.all(install.files.map(async (f) => ({ path: f.path, sha256: f.sha256, bytes: await readFile(f.path) })));
    const checksums = install.checksums === undefined ? undefined : await readFile(install.checksums, 'utf8');
    artifacts = verifyArtifacts(read, checksums);
  }
  const cas = new Map<string, Buffer>();
  for (const r of Object.values(endpointsOf(inv))) if (r.ca) cas.set(r.ca, await readFile(r.ca));
  return { artifacts, cas };
}

/** registries.endpoints, or none in an inventory built by hand without the section. */
function endpointsOf(inv: Inventory): Record<string, RegistrySettings> {
  return inv.registries?.endpoints ?? {};
}

/**
 * What the control machine supplies to prepare, read and verified once per run. `up` calls it before it connects
 * to any host: a wrong checksum in install.files must stop the run before any host is touched, not even by the
 * versions connect keeps there.
 */
export function prepareInputs(ctx: UpContext): Promise<LocalInputs> | undefined {
  if (!(ctx.inv.prepare ?? DEFAULT_PREPARE).enabled) return undefined;
  return oncePerRun(ctx, 'prepare:local', () => readLocal(ctx.inv));
}

/** The whole files prepare may write on a host: their hashes tell what already is as planned. */
function hashedPaths(inv: Inventory, artifacts: readonly VerifiedArtifact[]): string[] {
  const paths = [MODULES_LOAD_PATH, SYSCTL_CONF_PATH, APT_LIST_PATH, APT_KEY_PATH, CA_BUNDLE_PATH, YUM_REPO_PATH, KUBELET_UNIT_PATH, KUBEADM_DROPIN_PATH];
  for (const name of Object.keys(endpointsOf(inv))) paths.push(`${CERTS_D}/${name}/hosts.toml`, `${CERTS_D}/${name}/ca.crt`, `${DOCKER_CERTS_D}/${name}/ca.crt`);
  for (const a of artifacts) {
    const kind = artifactKind(a.path);
    paths.push(kind.type === 'binary' ? `/usr/bin/${kind.name}` : `${UPLOAD_DIR}/${basename(a.path)}`);
  }
  return paths;
}

/** The packages whose installed versions matter: the Kubernetes tools, containerd's, and those of the install files. */
function probedPackages(inv: Inventory, artifacts: readonly VerifiedArtifact[]): string[] {
  const names = new Set(['kubelet', 'kubeadm', 'cri-tools', 'kubernetes-cni', 'containerd']);
  const pkg = (inv.prepare ?? DEFAULT_PREPARE).containerd.package;
  if (pkg) names.add(pkg);
  for (const a of artifacts) {
    const kind = artifactKind(a.path);
    if (kind.type !== 'binary') names.add(kind.name);
  }
  return [...names];
}

/**
 * The host's state in one round trip: the probe, the files prepare edits and the hashes, sent at once. Docker's
 * daemon.json is read only on a Docker host (`docker`) where the inventory names registry endpoints.
 */
export async function readHostState(host: Host, inv: Inventory, artifacts: readonly VerifiedArtifact[], docker = false): Promise<HostState> {
  const readDaemonJson = docker && Object.keys(endpointsOf(inv)).length > 0;
  const [probe, fstab, config, daemonJson, hashes] = await Promise.all([
    host.exec(['sh', '-c', PROBE_SCRIPT, 'sh', VERSIONS_DIR, ...probedPackages(inv, artifacts)], { sudo: true, readOnly: true }),
    host.readFile(FSTAB_PATH),
    host.readFile(CONTAINERD_CONFIG_PATH),
    readDaemonJson ? host.readFile(DOCKER_DAEMON_JSON) : Promise.resolve(undefined),
    host.hashFiles(hashedPaths(inv, artifacts)),
  ]);
  if (probe.code !== 0) throw new PrepareHostError(`${host.name}: reading the host's state failed (exit ${probe.code}): ${probe.stderr.trim()}`);
  return parseProbe(probe.stdout, { fstab: fstab?.toString('utf8'), containerdConfig: config?.toString('utf8'), dockerDaemonConfig: daemonJson?.toString('utf8'), hashes });
}

/**
 * The runtime prepare works for: the inventory's socket, else the one found on the host. With none found it is
 * undefined, meaning containerd, which prepare installs; not kubeadm's default, which before v1.24 is dockershim
 * and would leave a bare host without a runtime. (Facts gathered before prepare still carry that default: once
 * prepare changed the host, they are read again.)
 */
export function runtimeSocket(h: HostRun): string | undefined {
  const facts = factsOf(h);
  return h.spec.criSocket ?? (facts.criSockets.length ? facts.criSocket : undefined);
}

/** The plan for one host, from the inventory, its facts and its state. */
export async function planFor(ctx: UpContext, h: HostRun, state: HostState, local: LocalInputs): Promise<PreparePlan> {
  const { inv } = ctx;
  const version = clusterVersion(inv);
  const { networking } = inv.cluster;
  const families = isControlPlane(h)
    ? initIpFamilies(h.spec.advertiseAddress, networking.serviceSubnet, networking.podSubnet)
    : joinIpFamilies(joinEndpoint(ctx));
  return planPrepare({
    version,
    imageRepository: inv.cluster.imageRepository,
    cgroupDriver: inv.kubelet.cgroupDriver ?? lookup(DEFAULT_CGROUP_DRIVER, version) ?? 'cgroupfs',
    ...families,
    // Swap stays on only for a kubelet set up for it (a kubeletconfiguration patch with failSwapOn: false).
    keepSwap: state.swaps > 0 || state.fstab?.includes('swap') ? !(await kubeletFailSwapOn(ctx, h)) : false,
    prepare: inv.prepare ?? DEFAULT_PREPARE,
    registries: endpointsOf(inv),
    install: inv.install ?? DEFAULT_INSTALL,
    criSocket: runtimeSocket(h),
    state,
    cas: local.cas,
    artifacts: local.artifacts,
  });
}

/** All commands as one script: one round trip, stopping at the first that fails. Each line is quoted by shell.ts. */
export function commandsScript(commands: readonly (readonly string[])[]): string[] {
  return ['sh', '-c', `set -e\n${commands.map((c) => commandLine(c)).join('\n')}\n`];
}

export const preparePhase: Phase = {
  name: 'prepare',
  title: "prepare: kernel settings, kubeadm's tools, container runtime, kubelet and crictl",
  appliesTo: (_h, ctx) => (ctx.inv.prepare ?? DEFAULT_PREPARE).enabled,
  async run(ctx, h, task) {
    task.progress('reading what is there');
    const local = await (prepareInputs(ctx) as Promise<LocalInputs>);
    const state = await readHostState(hostOf(h), ctx.inv, local.artifacts, isDockerSocket(runtimeSocket(h)));
    const plan = await planFor(ctx, h, state, local);
    h.results.prepare = { changes: plan.changes, notes: plan.notes };
    h.notes.push(...plan.notes);
    if (!plan.files.length && !plan.commands.length) {
      task.progress('nothing to change');
      return;
    }
    if (plan.files.length) {
      const paths = plan.files.map((f) => f.path);
      await wet(ctx, h, `write ${paths.join(', ')}`, (host) => host.writeFiles(plan.files, { backupDir: ctx.backupDir }));
      h.changed.push(...paths);
    }
    if (plan.commands.length) {
      const argv = commandsScript(plan.commands);
      await wet(ctx, h, `run ${plan.commands.map((c) => c.join(' ')).join('; ')}`, async (host) => {
        const result = await host.exec(argv, { sudo: true, timeoutMs: COMMANDS_TIMEOUT_MS, signal: ctx.options.signal });
        if (result.code !== 0) throw new CommandError(h.spec.name, argv, result);
      });
    }
    // What preflight and the later phases look at (the runtime's socket, kubelet's version) may have changed.
    if (!ctx.options.dryRun) h.facts = await readFacts(ctx, h.spec, hostOf(h));
    task.progress(`${ctx.options.dryRun ? 'would change' : 'changed'}: ${plan.changes.join('; ')}`);
  },
};
