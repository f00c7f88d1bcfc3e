/**
 * preflight: kubeadm's preflight checks on every host, under kubeadm's names, before anything is written.
 * Most checks read the facts the connect phase gathered; what they lack (kubeadm's extra binaries, the
 * bridge-nf-call-ip6tables sysctl, firewalld/docker service state, and the container runtime's own answer via
 * `crictl info` or `docker info`) comes from ONE batched command. Errors fail the host with kubeadm's
 * "Some fatal errors occurred" text; --ignore-preflight-errors turns chosen errors into warnings as kubeadm does;
 * warnings go to the host's warnings as `[WARNING Name]: message`.
 */
import { parse as parseYaml } from 'yaml';
import { crictlInfoArgv } from '../kube/cri-commands.js';
import { criEndpoint, criToolFor } from '../kube/cri-socket.js';
import { clusterVersion } from '../kube/version.js';
import { buildKubeletConfiguration } from '../kubelet/index.js';
import { loadPatches } from '../manifests/patches.js';
import { imageFor } from '../render/index.js';
import { factsOf, hostOf, isControlPlane, type HostRun, type UpContext } from '../pipeline/context.js';
import type { Phase } from '../pipeline/phase.js';
import type { Host } from '../transport/host.js';
import { scriptLine } from '../transport/shell.js';
import {
  applyIgnore,
  formatFinding,
  ignoreSet,
  initIpFamilies,
  joinIpFamilies,
  PreflightError,
  preflightFailure,
  preflightFindings,
  PROBE_SYSCTLS,
  type Finding,
  type PreflightInput,
  type ProbeResult,
} from './preflight-checks.js';
import { EXEC_CHECKS } from '../kube/preflight-rules.js';
import { isInitHost } from './cluster-api.js';
import { externalEtcdFindings } from './external-etcd.js';

export { PreflightError } from './preflight-checks.js';

const RUNTIME_MARK = '@@runtime-output@@';

/**
 * POSIX sh. Arguments: the runtime tool to ask ("crictl", "docker" or "none") and the CRI endpoint.
 * Only constants are spliced into the text; host-specific values travel as arguments.
 */
export const PROBE_SCRIPT = `
mode=$1 endpoint=$2
printf 'uname=%s\\n' "$(uname -s)"
for b in ${EXEC_CHECKS.map((c) => c.executable).join(' ')}; do p=$(command -v "$b" 2>/dev/null) && printf 'bin.%s=%s\\n' "$b" "$p"; done
for k in ${PROBE_SYSCTLS.join(' ')}; do if [ -r "/proc/sys/$k" ]; then printf 'sysctl.%s=%s\\n' "$k" "$(cat "/proc/sys/$k")"; fi; done
if command -v systemctl >/dev/null 2>&1; then
  printf 'active.firewalld=%s\\n' "$(systemctl is-active firewalld 2>/dev/null)"
  if [ "$mode" = docker ]; then printf 'active.docker=%s\\n' "$(systemctl is-active docker 2>/dev/null)"; fi
fi
case "$mode" in
  crictl) out=$(${scriptLine(crictlInfoArgv('$endpoint'))} 2>&1); code=$? ;;
  docker) out=$(docker info 2>&1); code=$? ;;
  *) exit 0 ;;
esac
printf 'runtime.code=%s\\n${RUNTIME_MARK}\\n%s\\n' "$code" "$out"
`;

const PROBE_TIMEOUT_MS = 30_000;

/** Which runtime tool the probe asks, and where: none when there is nothing to ask or nothing to ask with. */
export function probePlan(version: string, h: HostRun): { mode: 'crictl' | 'docker' | 'none'; endpoint: string } {
  const facts = factsOf(h);
  const socket = facts.criSocket;
  const found = facts.criSockets.length > 0 || h.spec.criSocket !== undefined;
  if (!socket || facts.criSocketConflict?.length || !found) return { mode: 'none', endpoint: '' };
  if (criToolFor(version, socket).kind === 'docker') return facts.binaries.docker ? { mode: 'docker', endpoint: socket } : { mode: 'none', endpoint: '' };
  return facts.binaries.crictl ? { mode: 'crictl', endpoint: criEndpoint(socket) } : { mode: 'none', endpoint: '' };
}

export function probeArgv(plan: { mode: string; endpoint: string }): string[] {
  return ['sh', '-c', PROBE_SCRIPT, 'sh', plan.mode, plan.endpoint];
}

export function parseProbe(output: string, plan: { mode: 'crictl' | 'docker' | 'none'; endpoint: string }): ProbeResult {
  const cut = output.indexOf(`\n${RUNTIME_MARK}\n`);
  const head = cut < 0 ? output : output.slice(0, cut);
  const probe: ProbeResult = { binaries: {}, sysctl: {}, services: {} };
  let code: number | undefined;
  for (const line of head.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'uname') probe.kernelName = value;
    else if (key.startsWith('bin.')) probe.binaries[key.slice(4)] = value;
    else if (key.startsWith('sysctl.')) probe.sysctl[key.slice(7)] = value;
    else if (key.startsWith('active.')) probe.services[key] = value;
    else if (key === 'runtime.code') code = Number(value);
  }
  if (plan.mode !== 'none' && cut >= 0 && code !== undefined) {
    const body = output.slice(cut + RUNTIME_MARK.length + 2).replace(/\n$/, '');
    probe.runtime = { tool: plan.mode, endpoint: plan.endpoint, code, output: body };
  }
  return probe;
}

/** The one round trip preflight adds. */
export async function runProbe(host: Host, plan: { mode: 'crictl' | 'docker' | 'none'; endpoint: string }): Promise<ProbeResult> {
  const result = await host.exec(probeArgv(plan), { sudo: true, timeoutMs: PROBE_TIMEOUT_MS, readOnly: true });
  if (result.timedOut) throw new PreflightError(`${host.name}: the preflight probe timed out after ${PROBE_TIMEOUT_MS / 1000} s`);
  if (result.code !== 0) throw new PreflightError(`${host.name}: the preflight probe failed (exit ${result.code}): ${result.stderr.trim()}`);
  return parseProbe(result.stdout, plan);
}

/**
 * kubelet's failSwapOn in the KubeletConfiguration `up` writes: true (kubelet's default, which kubeadm keeps)
 * unless a kubeletconfiguration patch sets it to false. Read from the rendered config.yaml when a phase
 * already rendered it, otherwise computed the same way render does (without touching the cluster's CAs).
 */
export async function kubeletFailSwapOn(ctx: UpContext, h: HostRun): Promise<boolean> {
  const rendered = h.files?.find((f) => f.path === '/var/lib/kubelet/config.yaml');
  if (rendered) return renderedFailSwapOn(String(rendered.content));
  if (!ctx.inv.patches) return true;
  const patches = await loadPatches(ctx.inv.patches, { kubernetesVersion: clusterVersion(ctx.inv) });
  const config = buildKubeletConfiguration(ctx.inv, { criSocket: factsOf(h).criSocket ?? '', patches });
  return config.failSwapOn !== false;
}

export function renderedFailSwapOn(configYaml: string): boolean {
  try {
    const doc = parseYaml(configYaml) as { failSwapOn?: unknown } | null;
    return doc?.failSwapOn !== false;
  } catch {
    return true;
  }
}

/** The address a worker's `kubeadm join` would use: controlPlaneEndpoint, or the first control plane's. */
export function joinEndpoint(ctx: UpContext): string {
  if (ctx.inv.cluster.controlPlaneEndpoint) return ctx.inv.cluster.controlPlaneEndpoint;
  const cp = ctx.inv.hosts.find((h) => h.roles.includes('control-plane'));
  return cp ? cp.advertiseAddress : '';
}

export async function preflightInput(ctx: UpContext, h: HostRun, probe: ProbeResult): Promise<PreflightInput> {
  const { cluster } = ctx.inv;
  const controlPlane = isControlPlane(h);
  const families = controlPlane
    ? initIpFamilies(h.spec.advertiseAddress, cluster.networking.serviceSubnet, cluster.networking.podSubnet)
    : joinIpFamilies(joinEndpoint(ctx));
  return {
    version: cluster.kubernetesVersion,
    role: controlPlane ? 'control-plane' : 'worker',
    facts: factsOf(h),
    probe,
    bindPort: h.spec.bindPort,
    ...families,
    pauseImage: imageFor(ctx.inv, 'pause'),
    // Only worth working out when swap is on; bootstrap starts kubelet on control planes only.
    kubeletFailSwapOn: controlPlane && factsOf(h).swapOn ? await kubeletFailSwapOn(ctx, h) : controlPlane ? true : undefined,
    criSocketFromInventory: h.spec.criSocket !== undefined,
    ...(cluster.etcd.external ? { externalEtcd: true } : {}),
  };
}

/** Applies --ignore-preflight-errors, records warnings on the host, throws with every error at once. */
export function reportFindings(h: HostRun, findings: readonly Finding[], ignorePreflightErrors: readonly string[] | undefined): Finding[] {
  const results = applyIgnore(findings, ignoreSet(ignorePreflightErrors));
  h.warnings.push(...results.filter((f) => f.severity === 'warning').map(formatFinding));
  const errors = results.filter((f) => f.severity === 'error');
  if (errors.length) throw new PreflightError(preflightFailure(errors));
  return results;
}

export const preflightPhase: Phase = {
  name: 'preflight',
  title: "preflight: kubeadm's preflight checks",
  appliesTo: () => true,
  async run(ctx, h, task) {
    const version = ctx.inv.cluster.kubernetesVersion;
    // Refuse a malformed --ignore-preflight-errors before any round trip.
    ignoreSet(ctx.options.ignorePreflightErrors);
    const plan = probePlan(version, h);
    task.progress(plan.mode === 'none' ? 'running preflight checks' : `running preflight checks (asking the runtime with ${plan.mode})`);
    const probe = await runProbe(hostOf(h), plan);
    // kubeadm asks the external etcd from the node running init (InitNodeChecks, not on a joining control plane).
    const etcd = ctx.inv.cluster.etcd.external && isInitHost(h, ctx) ? await externalEtcdFindings(ctx, h) : [];
    const results = reportFindings(h, [...preflightFindings(await preflightInput(ctx, h, probe)), ...etcd], ctx.options.ignorePreflightErrors);
    const warnings = results.length;
    task.progress(warnings ? `preflight passed with ${warnings} warning(s)` : 'preflight passed');
  },
};
