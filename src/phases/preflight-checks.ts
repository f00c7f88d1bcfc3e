/**
 * kubeadm's preflight checks as pure functions: given what we know of a host (its facts, plus one batched
 * probe), the findings kubeadm of the target version would print, each under kubeadm's own check name, and
 * kubeadm's rules for --ignore-preflight-errors. No I/O here; preflight.ts gathers the inputs.
 *
 * Sources (kubernetes/kubernetes, cmd/kubeadm/app/preflight/):
 *  - checks.go: check names (Port-%d, FileContent-<path with / → ->, FileExisting-<exe>, CRI, Swap, NumCPU, Mem,
 *    KubeletVersion, IsPrivilegedUser, SystemVerification, Service-Docker, Firewalld), their messages,
 *    InitNodeChecks / JoinNodeChecks / addCommonChecks, RunChecks (ignored errors become warnings,
 *    setHasItemOrAll: names compared lowercased, or "all") and handleError (the output shape).
 *  - checks_linux.go: MemCheck ("the system RAM (%d MB) is less than the minimum %d MB"), addIPv4Checks,
 *    addIPv6Checks, addExecChecks (mandatory ip, iptables, mount, nsenter; optional ebtables, ethtool, socat,
 *    tc, touch; conntrack only below v1.32, PR #126952). checks_unix.go: IsPrivilegedUserCheck.
 *  - v1.20–v1.26 addCommonChecks: bridge-nf-call-iptables and ip_forward on every Linux host; from v1.27 only
 *    when the cluster uses IPv4 (PR #115420); bridge-nf-call-ip(6)tables checks removed in v1.30 (PR #123464).
 *  - SwapCheck: an error up to v1.22; a warning from v1.23 (PR #104854, CHANGELOG-1.23.md v1.23.0-alpha.3),
 *    reworded in v1.29 (PR #120198) and v1.31 (PR #125157). The kubelet itself still exits when swap is on and
 *    failSwapOn is true (its default, which kubeadm's KubeletConfiguration keeps): kubeadm #3017.
 *  - ImagePullCheck: the sandbox image warning (PR #115610, v1.27+), read from `crictl info` .config.sandboxImage.
 *  - constants.go: ControlPlaneNumCPU = 2, ControlPlaneMem = 1700, KubeletPort 10250, KubeSchedulerPort 10259,
 *    KubeControllerManagerPort 10257, EtcdListenClientPort 2379, EtcdListenPeerPort 2380.
 */
import { isIPv4, isIPv6 } from 'node:net';
import semver from 'semver';
import { crictlCriMismatch, parseCrictlInfo } from '../kube/cri-output.js';
import { criToolFor } from '../kube/cri-socket.js';
import { crictlCheck, kubeletMaxSkew, kubeletSkewOk } from '../kube/runtime.js';
import { CONNTRACK_REQUIRED, EXEC_CHECKS, NETFILTER_RULES } from '../kube/preflight-rules.js';
import { defineTable, lookup } from '../kube/table.js';
import { kubeVersion } from '../kube/version.js';
import type { HostFacts } from '../pipeline/context.js';
import { HostError } from '../util/errors.js';

export { crictlCriMismatch, parseCrictlInfo, type CrictlInfo } from '../kube/cri-output.js';

export type Severity = 'error' | 'warning';

/** One line kubeadm would print: `[ERROR Name]: message` or `[WARNING Name]: message`. */
export interface Finding {
  name: string;
  severity: Severity;
  message: string;
}

/** What the batched preflight probe learnt (see preflight.ts). */
export interface ProbeResult {
  /** `uname -s`. */
  kernelName?: string;
  /** Paths of the extra binaries kubeadm's exec checks look for (absent = not found). */
  binaries: Record<string, string | undefined>;
  sysctl: Record<string, string | undefined>;
  /** `systemctl is-active/is-enabled` answers, e.g. { 'active.firewalld': 'inactive' }. */
  services: Record<string, string | undefined>;
  /** The runtime's answer: `crictl … info` (CRI sockets) or `docker info` (dockershim, before v1.24). */
  runtime?: { tool: 'crictl' | 'docker'; endpoint: string; code: number; output: string };
}

export interface PreflightInput {
  version: string;
  role: 'control-plane' | 'worker';
  facts: HostFacts;
  probe: ProbeResult;
  /** The API server's bindPort on this host (control planes). */
  bindPort: number;
  /** IP families kubeadm derives from the configuration (init: advertise address and subnets; join: the endpoint). */
  ipv4: boolean;
  ipv6: boolean;
  /** The pause image kubeadm uses for this version and imageRepository. */
  pauseImage: string;
  /**
   * Whether the kubelet that bootstrap starts refuses to run with swap on: kubelet's failSwapOn, true unless
   * the rendered KubeletConfiguration says `failSwapOn: false`. Undefined where bootstrap starts no kubelet.
   */
  kubeletFailSwapOn?: boolean;
  /** The inventory names the CRI socket (hosts[].criSocket): no detection happened. */
  criSocketFromInventory: boolean;
  /**
   * The cluster uses an external etcd: no etcd runs here, so its ports need not be free (InitNodeChecks adds
   * Port-2379, Port-2380 and DirAvailable--var-lib-etcd only `if cfg.Etcd.Local != nil`).
   */
  externalEtcd?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Per-version rules: src/kube/table.ts tables (a version no row covers is refused by lookup).

interface SwapRule {
  severity: Severity;
  message: string;
}

export const SWAP_RULES = defineTable<SwapRule>('the swap check', [
  {
    range: '>=1.31.0',
    value: {
      severity: 'warning',
      message:
        'swap is supported for cgroup v2 only. The kubelet must be properly configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory, or disable swap on the node',
    },
    source: 'cmd/kubeadm/app/preflight/checks.go SwapCheck (kubeadm v1.31, PR #125157)',
  },
  {
    range: '>=1.29.0 <1.31.0',
    value: { severity: 'warning', message: 'swap is supported for cgroup v2 only; the NodeSwap feature gate of the kubelet is beta but disabled by default' },
    source: 'cmd/kubeadm/app/preflight/checks.go SwapCheck (kubeadm v1.29, PR #120198)',
  },
  {
    range: '>=1.23.0 <1.29.0',
    value: { severity: 'warning', message: 'swap is enabled; production deployments should disable swap unless testing the NodeSwap feature gate of the kubelet' },
    source: 'cmd/kubeadm/app/preflight/checks.go SwapCheck returns a warning (kubeadm v1.23, PR #104854, CHANGELOG-1.23.md v1.23.0-alpha.3)',
  },
  {
    range: '>=1.20.0 <1.23.0',
    value: { severity: 'error', message: 'running with swap on is not supported. Please disable swap' },
    source: 'cmd/kubeadm/app/preflight/checks.go SwapCheck (kubeadm v1.20–v1.22)',
  },
]);

/** Architectures (GOARCH) Kubernetes ships server binaries and images for. */
export const SERVER_ARCHES = defineTable<readonly string[]>('the supported architectures', [
  { range: '>=1.27.0', value: ['amd64', 'arm64', 'ppc64le', 's390x'], source: 'hack/lib/golang.sh KUBE_SUPPORTED_SERVER_PLATFORMS (v1.27: linux/arm dropped, PR #115742)' },
  { range: '>=1.20.0 <1.27.0', value: ['amd64', 'arm', 'arm64', 'ppc64le', 's390x'], source: 'hack/lib/golang.sh KUBE_SUPPORTED_SERVER_PLATFORMS (v1.20–v1.26)' },
]);

/** Kubelets from v1.26 speak only CRI v1; before that a crictl older than v1.26 still falls back to v1alpha2. */
export const KUBELET_NEEDS_CRI_V1 = defineTable<boolean>('the CRI version kubelet needs', [
  { range: '>=1.26.0', value: true, source: 'CHANGELOG/CHANGELOG-1.26.md: kubelet no longer supports CRI v1alpha2 (v1.26, KEP-2040)' },
  { range: '>=1.20.0 <1.26.0', value: false, source: 'CHANGELOG/CHANGELOG-1.26.md: kubelet v1.20–v1.25 serve CRI v1alpha2 and v1 (v1.26 dropped v1alpha2, KEP-2040)' },
]);

/** constants.go */
export const CONTROL_PLANE_NUM_CPU = 2;
export const CONTROL_PLANE_MEM_MB = 1700;
export const KUBELET_PORT = 10250;
export const KUBE_SCHEDULER_PORT = 10259;
export const KUBE_CONTROLLER_MANAGER_PORT = 10257;
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

const IPV4_FORWARD = '/proc/sys/net/ipv4/ip_forward';
const IPV6_FORWARD = '/proc/sys/net/ipv6/conf/default/forwarding';
const BRIDGE_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';
const BRIDGE_NF6 = '/proc/sys/net/bridge/bridge-nf-call-ip6tables';

/** Sysctls the probe reads that the facts do not carry. */
export const PROBE_SYSCTLS = ['net/bridge/bridge-nf-call-ip6tables'];

/**
 * Who may hold each port on a re-run: our own components (ss reports the process name, which the kernel cuts
 * to 15 characters: kube-controller-manager appears as "kube-controller").
 */
const PORT_OWNERS: Record<string, readonly string[]> = {
  apiserver: ['kube-apiserver'],
  [KUBELET_PORT]: ['kubelet'],
  [KUBE_SCHEDULER_PORT]: ['kube-scheduler'],
  [KUBE_CONTROLLER_MANAGER_PORT]: ['kube-controller-manager', 'kube-controller'],
  [ETCD_CLIENT_PORT]: ['etcd'],
  [ETCD_PEER_PORT]: ['etcd'],
};

// ---------------------------------------------------------------------------------------------------------
// The checks.

const error = (name: string, message: string): Finding => ({ name, severity: 'error', message });
const warning = (name: string, message: string): Finding => ({ name, severity: 'warning', message });

/** FileContentCheck's and InPathCheck's names: the path with every "/" turned into "-". */
export function fileContentName(path: string): string {
  return `FileContent-${path.replaceAll('/', '-')}`;
}

export function fileExistingName(executable: string): string {
  return `FileExisting-${executable.replaceAll('/', '-')}`;
}

/** uname -m → Go's GOARCH. */
export function goArch(machine: string): string {
  const map: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64', ppc64le: 'ppc64le', s390x: 's390x' };
  if (map[machine]) return map[machine]!;
  if (/^arm(v[5-7].*|hf)?$/.test(machine)) return 'arm';
  return machine;
}

function systemVerification(input: PreflightInput): Finding[] {
  const out: Finding[] = [];
  const kernelName = input.probe.kernelName;
  if (kernelName !== undefined && kernelName !== 'Linux') {
    // system-validators OSValidator
    out.push(error('SystemVerification', `unsupported operating system: ${kernelName}`));
  }
  const arch = goArch(input.facts.arch);
  const arches = lookup(SERVER_ARCHES, input.version);
  if (!arches.includes(arch)) {
    out.push(
      error(
        'SystemVerification',
        `unsupported architecture: ${input.facts.arch} (${arch}); Kubernetes ${input.version} ships server binaries and images for linux/${arches.join(', linux/')}`,
      ),
    );
  }
  return out;
}

function privileges(facts: HostFacts): Finding[] {
  if (facts.isRoot) return [];
  return [error('IsPrivilegedUser', 'user is not running as root (connect as root, or set ssh.sudo: true for a user allowed to use sudo)')];
}

function resources(input: PreflightInput): Finding[] {
  if (input.role !== 'control-plane') return [];
  const out: Finding[] = [];
  if (input.facts.cpus < CONTROL_PLANE_NUM_CPU) {
    out.push(error('NumCPU', `the number of available CPUs ${input.facts.cpus} is less than the required ${CONTROL_PLANE_NUM_CPU}`));
  }
  if (input.facts.memoryMiB < CONTROL_PLANE_MEM_MB) {
    out.push(error('Mem', `the system RAM (${input.facts.memoryMiB} MB) is less than the minimum ${CONTROL_PLANE_MEM_MB} MB`));
  }
  return out;
}

function swap(input: PreflightInput): Finding[] {
  if (!input.facts.swapOn) return [];
  const rule = lookup(SWAP_RULES, input.version);
  const out = [{ name: 'Swap', severity: rule.severity, message: rule.message }];
  if (rule.severity === 'warning' && input.kubeletFailSwapOn === true) {
    // kubeadm only warns, but the kubelet that `up` starts exits at once: failSwapOn is kubelet's default (true)
    // and nothing in the rendered KubeletConfiguration turns it off.
    out.push(
      error(
        'Swap',
        'swap is on and the kubelet refuses to start with swap on while failSwapOn is true (the default): disable swap (`swapoff -a`, and remove swap entries from /etc/fstab), or set failSwapOn: false with a kubeletconfiguration patch',
      ),
    );
  }
  return out;
}

/** The ports this host's role needs, each with the components allowed to hold it already. */
export function requiredPorts(role: PreflightInput['role'], bindPort: number, externalEtcd = false): { port: number; owners: readonly string[] }[] {
  const kubelet = { port: KUBELET_PORT, owners: PORT_OWNERS[KUBELET_PORT]! };
  if (role !== 'control-plane') return [kubelet];
  // InitNodeChecks order: bindPort, scheduler, controller-manager; kubelet (addCommonChecks); etcd (local etcd only).
  const ports = [
    { port: bindPort, owners: PORT_OWNERS.apiserver! },
    { port: KUBE_SCHEDULER_PORT, owners: PORT_OWNERS[KUBE_SCHEDULER_PORT]! },
    { port: KUBE_CONTROLLER_MANAGER_PORT, owners: PORT_OWNERS[KUBE_CONTROLLER_MANAGER_PORT]! },
    kubelet,
  ];
  if (externalEtcd) return ports;
  return [
    ...ports,
    { port: ETCD_CLIENT_PORT, owners: PORT_OWNERS[ETCD_CLIENT_PORT]! },
    { port: ETCD_PEER_PORT, owners: PORT_OWNERS[ETCD_PEER_PORT]! },
  ];
}

function ports(input: PreflightInput): Finding[] {
  const out: Finding[] = [];
  for (const { port, owners } of requiredPorts(input.role, input.bindPort, input.externalEtcd)) {
    const holder = input.facts.listening.get(port);
    if (holder === undefined || owners.includes(holder)) continue;
    out.push(error(`Port-${port}`, `Port ${port} is in use (by ${holder === '?' ? 'an unknown process' : `"${holder}"`})`));
  }
  return out;
}

function fileContent(path: string, value: string | undefined): Finding[] {
  const name = fileContentName(path);
  if (value === undefined) return [error(name, `${path} does not exist`)];
  // FileContentCheck compares only the first len(Content) bytes.
  if (!value.startsWith('1')) return [error(name, `${path} contents are not set to 1`)];
  return [];
}

function kernelSettings(input: PreflightInput): Finding[] {
  const rule = lookup(NETFILTER_RULES, input.version);
  const sysctl = { ...input.facts.sysctl, ...input.probe.sysctl };
  const out: Finding[] = [];
  if (input.ipv4 || rule.ipv4Always) {
    if (rule.bridge) out.push(...fileContent(BRIDGE_NF, sysctl['net/bridge/bridge-nf-call-iptables']));
    out.push(...fileContent(IPV4_FORWARD, sysctl['net/ipv4/ip_forward']));
  }
  if (input.ipv6) {
    if (rule.bridge) out.push(...fileContent(BRIDGE_NF6, sysctl['net/bridge/bridge-nf-call-ip6tables']));
    out.push(...fileContent(IPV6_FORWARD, sysctl['net/ipv6/conf/default/forwarding']));
  }
  return out;
}

function binaries(input: PreflightInput): Finding[] {
  const { facts, probe, version } = input;
  const out: Finding[] = [];
  const socket = facts.criSocket;
  const docker = socket !== undefined && criToolFor(version, socket).kind === 'docker';
  if (docker) {
    if (!facts.binaries.docker) {
      out.push(error(fileExistingName('docker'), `docker not found in system path (Kubernetes ${version} with dockershim pulls images with \`docker pull\`)`));
    }
  } else if (!facts.binaries.crictl) {
    // kubeadm's own rule differs by version (runtime.ts crictlCheck), but bootstrap pulls images and reads
    // the control plane's containers with crictl on every CRI socket, so it is required here regardless.
    const kubeadm = socket ? crictlCheck(version, socket) : 'error';
    const why =
      kubeadm === 'error'
        ? 'kubeadm needs it to talk to the container runtime'
        : `bootstrap pulls images and reads container state with crictl (kubeadm ${version} itself talks CRI directly)`;
    out.push(error(fileExistingName('crictl'), `crictl not found in system path: ${why}; install cri-tools`));
  }
  if (lookup(CONNTRACK_REQUIRED, version) && !facts.binaries.conntrack) {
    out.push(error(fileExistingName('conntrack'), 'conntrack not found in system path'));
  }
  for (const { executable, mandatory } of EXEC_CHECKS) {
    if (probe.binaries[executable]) continue;
    const message = `${executable} not found in system path`;
    out.push(mandatory ? error(fileExistingName(executable), message) : warning(fileExistingName(executable), message));
  }
  return out;
}

/** kubelet --version as kubeadm's versionutil prints it: "1.28.4" (no "v"). */
function bareVersion(text: string): string {
  return (semver.coerce(text.replace(/^Kubernetes\s+/, ''))?.version ?? text).replace(/^v/, '');
}

function kubeletVersion(input: PreflightInput): Finding[] {
  const { facts, version } = input;
  if (!facts.binaries.kubelet) {
    return [error('KubeletVersion', `couldn't get kubelet version: exec: "kubelet": executable file not found in $PATH (install kubelet ${version})`)];
  }
  const found = facts.binaries.kubeletVersion;
  if (!found) return [error('KubeletVersion', `couldn't get kubelet version: \`kubelet --version\` printed no version`)];
  if (kubeletSkewOk(found, version)) return [];
  const kubelet = bareVersion(found);
  const target = kubeVersion(version);
  const newer = semver.major(kubelet) > target.major || semver.minor(kubelet) > target.minor;
  if (!newer) {
    const minimum = `v${target.major}.${target.minor - kubeletMaxSkew(target)}.0`;
    return [error('KubeletVersion', `Kubelet version "${kubelet}" is lower than kubeadm can support. Please upgrade kubelet (kubeadm ${version} needs ${minimum} or newer)`)];
  }
  // kubeadm join passes no Kubernetes version to KubeletVersionCheck, so only init checks the upper bound.
  if (input.role !== 'control-plane') return [];
  return [
    error(
      'KubeletVersion',
      `the kubelet version is higher than the control plane version. This is not a supported version skew and may lead to a malfunctional cluster. Kubelet version: "${kubelet}" Control plane version: "${target.release}"`,
    ),
  ];
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

/** How to set the sandbox image, per runtime (by its socket). */
function sandboxFix(endpoint: string, pause: string): string {
  if (endpoint.includes('crio')) return `set pause_image = "${pause}" in the [crio.image] section of /etc/crio/crio.conf, then \`systemctl restart crio\``;
  if (endpoint.includes('cri-dockerd')) return `start cri-dockerd with --pod-infra-container-image=${pause}, then restart it`;
  return `set sandbox_image = "${pause}" in the [plugins."io.containerd.grpc.v1.cri"] section of /etc/containerd/config.toml, then \`systemctl restart containerd\``;
}

function runtimeChecks(input: PreflightInput): Finding[] {
  const { facts, probe, version } = input;
  if (facts.criSocketConflict?.length) {
    return [
      error(
        'CRI',
        `found multiple CRI endpoints on the host: ${facts.criSocketConflict.join(', ')}. Set hosts[].criSocket in the inventory to the one to use`,
      ),
    ];
  }
  if (!facts.criSocket) return [error('CRI', 'no container runtime socket was chosen; set hosts[].criSocket in the inventory')];
  if (facts.criSockets.length === 0 && !input.criSocketFromInventory) {
    return [error('CRI', `no container runtime found: none of the sockets kubeadm ${version} looks for exists; install and start a runtime (e.g. containerd), or set hosts[].criSocket`)];
  }
  const rt = probe.runtime;
  if (!rt) return []; // the tool is missing: reported by the FileExisting checks
  if (rt.tool === 'docker') {
    if (rt.code !== 0) return [error('CRI', `container runtime is not running: output: ${lastLines(rt.output)}, error: exit status ${rt.code}`)];
    const out: Finding[] = [];
    const active = probe.services['active.docker'];
    if (active !== undefined && active !== 'active') out.push(error('Service-Docker', "docker service is not active, please run 'systemctl start docker.service'"));
    return out;
  }
  const mismatch = crictlCriMismatch(rt.output);
  if (mismatch) {
    const v1Only = lookup(KUBELET_NEEDS_CRI_V1, version);
    const alternative = v1Only ? `kubelet ${version} needs CRI v1 too, so the runtime must be fixed` : 'or use a crictl older than v1.26, which falls back to CRI v1alpha2';
    return [
      error(
        'CRI',
        `crictl and the container runtime at ${rt.endpoint} disagree on the CRI version: crictl speaks CRI v1 (runtime.v1), which the runtime does not serve (${mismatch}). ` +
          `Fix: for containerd, enable its CRI plugin (remove "cri" from disabled_plugins in /etc/containerd/config.toml, or regenerate it with \`containerd config default\`) and use containerd 1.6 or newer, then \`systemctl restart containerd\`; ${alternative}`,
      ),
    ];
  }
  if (rt.code !== 0) return [error('CRI', `container runtime is not running: output: ${lastLines(rt.output)}, error: exit status ${rt.code}`)];
  const info = parseCrictlInfo(rt.output);
  const out: Finding[] = [];
  const notReady = info?.conditions.find((c) => c.type === 'RuntimeReady' && !c.status);
  if (notReady) {
    out.push(error('CRI', `container runtime condition "RuntimeReady" is not true. reason: ${notReady.reason}, message: ${notReady.message}`));
  }
  // kubeadm reads .config.sandboxImage and only warns; containerd 2.x no longer reports it (kubeadm #3146),
  // so an absent value is not compared.
  if (info?.sandboxImage && info.sandboxImage !== input.pauseImage) {
    out.push(
      warning(
        'ImagePull',
        `detected that the sandbox image "${info.sandboxImage}" of the container runtime is inconsistent with that used by kubeadm. It is recommended to use "${input.pauseImage}" as the CRI sandbox image: ${sandboxFix(rt.endpoint, input.pauseImage)}`,
      ),
    );
  }
  return out;
}

function firewalld(input: PreflightInput): Finding[] {
  if (input.role !== 'control-plane' || input.probe.services['active.firewalld'] !== 'active') return [];
  return [warning('Firewalld', `firewalld is active, please ensure ports [${input.bindPort} ${KUBELET_PORT}] are open or your cluster may not function correctly`)];
}

/** Every finding for one host, in kubeadm's order (init: resources, ports, runtime, swap, binaries, …). */
export function preflightFindings(input: PreflightInput): Finding[] {
  return [
    ...privileges(input.facts),
    ...systemVerification(input),
    ...resources(input),
    ...firewalld(input),
    ...ports(input),
    ...runtimeChecks(input),
    ...swap(input),
    ...binaries(input),
    ...kernelSettings(input),
    ...kubeletVersion(input),
  ];
}

// ---------------------------------------------------------------------------------------------------------
// --ignore-preflight-errors and output.

export class PreflightError extends HostError {
  override name = 'PreflightError';
  /** A host's failed checks, else (category input) a wrong --ignore-preflight-errors. */
  constructor(message: string, override readonly category: 'input' | 'host' = 'host') {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/**
 * kubeadm's validation of --ignore-preflight-errors: names lowercased; "all" may not be combined with names.
 * Returns the set RunChecks consults.
 */
export function ignoreSet(names: readonly string[] | undefined): Set<string> {
  // A flag value may still hold kubeadm's comma-separated list ("Swap,NumCPU").
  const set = new Set((names ?? []).flatMap((n) => n.split(',')).map((n) => n.trim().toLowerCase()).filter((n) => n !== ''));
  if (set.has('all') && set.size > 1) {
    throw new PreflightError(`--ignore-preflight-errors: don't specify individual checks if 'all' is used (got ${[...set].join(',')})`, 'input');
  }
  return set;
}

/** RunChecks: an error of an ignored check (or of any check with "all") is reported as a warning instead. */
export function applyIgnore(findings: readonly Finding[], ignore: Set<string>): Finding[] {
  return findings.map((f) =>
    f.severity === 'error' && (ignore.has('all') || ignore.has(f.name.toLowerCase())) ? { ...f, severity: 'warning' } : f,
  );
}

export function formatFinding(f: Finding): string {
  return `[${f.severity === 'error' ? 'ERROR' : 'WARNING'} ${f.name}]: ${f.message}`;
}

/** handleError's text, naming the checks that could be ignored. */
export function preflightFailure(errors: readonly Finding[]): string {
  const names = [...new Set(errors.map((e) => e.name))];
  return (
    '[preflight] Some fatal errors occurred:\n' +
    errors.map((e) => `\t${formatFinding(e)}\n`).join('') +
    '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`' +
    ` (here: --ignore-preflight-errors=${names.join(',')})`
  );
}

// ---------------------------------------------------------------------------------------------------------
// IP families, as kubeadm derives them.

function cidrFamilies(cidrs: string): { ipv4: boolean; ipv6: boolean } {
  const parts = cidrs.split(',').map((c) => c.trim().split('/')[0] ?? '').filter(Boolean);
  return { ipv4: parts.some((p) => isIPv4(p)), ipv6: parts.some((p) => isIPv6(p)) };
}

/** init: the service and pod subnets plus the advertise address (InitNodeChecks). */
export function initIpFamilies(advertiseAddress: string, serviceSubnet: string, podSubnet: string): { ipv4: boolean; ipv6: boolean } {
  const s = cidrFamilies(serviceSubnet);
  const p = cidrFamilies(podSubnet);
  return {
    ipv4: s.ipv4 || p.ipv4 || isIPv4(advertiseAddress),
    ipv6: s.ipv6 || p.ipv6 || isIPv6(advertiseAddress),
  };
}

/** join: the API server endpoint's host, when it is an IP address (JoinNodeChecks). */
export function joinIpFamilies(endpoint: string): { ipv4: boolean; ipv6: boolean } {
  let host = endpoint;
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint);
  if (bracket) host = bracket[1]!;
  else if (!isIPv6(endpoint) && endpoint.includes(':')) host = endpoint.slice(0, endpoint.lastIndexOf(':'));
  return { ipv4: isIPv4(host), ipv6: isIPv6(host) };
}
