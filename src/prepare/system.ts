/**
 * Kernel and system settings kubeadm's preflight checks for: the overlay and br_netfilter modules, now and at
 * every boot; the sysctls of that release (IP forwarding, and bridge-nf-call-ip(6)tables before v1.30) now and
 * persisted; swap off now and in /etc/fstab, unless the kubelet is configured to run with swap.
 */
import { contentHash } from '../transport/host.js';
import { disableSwapInFstab } from './fstab.js';
import { emptyPart, type PlanPart } from './plan.js';
import type { PrepareRule } from './rules.js';
import { MODULES, type HostState } from './state.js';

export const MODULES_LOAD_PATH = '/etc/modules-load.d/k8s.conf';
export const SYSCTL_CONF_PATH = '/etc/sysctl.d/99-kubernetes.conf';
export const FSTAB_PATH = '/etc/fstab';

export interface SystemInput {
  rule: PrepareRule;
  state: HostState;
  /** The cluster's IP families (kubeadm checks IPv4 forwarding for IPv4, IPv6 forwarding for IPv6). */
  ipv4: boolean;
  ipv6: boolean;
  /** The kubelet runs with swap (failSwapOn: false): swap is left alone. */
  keepSwap: boolean;
}

/** The sysctls to set, in the file's order: name → value. */
export function requiredSysctls(rule: PrepareRule, ipv4: boolean, ipv6: boolean): [string, string][] {
  const out: [string, string][] = [];
  if (ipv4 || !ipv6) out.push(['net.ipv4.ip_forward', '1']);
  if (ipv6) out.push(['net.ipv6.conf.default.forwarding', '1']);
  if (rule.bridgeNetfilter) {
    out.push(['net.bridge.bridge-nf-call-iptables', '1']);
    if (ipv6) out.push(['net.bridge.bridge-nf-call-ip6tables', '1']);
  }
  return out;
}

export function sysctlConf(sysctls: readonly [string, string][]): string {
  return `# Kernel settings kubeadm's preflight checks for (written by bootstrap prepare).\n${sysctls.map(([k, v]) => `${k} = ${v}\n`).join('')}`;
}

export const MODULES_LOAD = `# Kernel modules containerd and kube-proxy need (written by bootstrap prepare).\n${MODULES.map((m) => `${m}\n`).join('')}`;

/** A whole file that differs from what is on the host (or is missing). */
function differs(state: HostState, path: string, content: string): boolean {
  return state.hashes.get(path) !== contentHash(content);
}

export function planSystem(input: SystemInput): PlanPart {
  const { state } = input;
  const part = emptyPart();

  if (differs(state, MODULES_LOAD_PATH, MODULES_LOAD)) {
    part.files.push({ path: MODULES_LOAD_PATH, content: MODULES_LOAD, mode: 0o644 });
    part.changes.push(`write ${MODULES_LOAD_PATH} (${MODULES.join(', ')} at boot)`);
  }
  const missing = MODULES.filter((m) => !state.modules.has(m));
  if (missing.length) {
    part.commands.push(['modprobe', '-a', ...missing]);
    part.changes.push(`load kernel module${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }

  const sysctls = requiredSysctls(input.rule, input.ipv4, input.ipv6);
  const conf = sysctlConf(sysctls);
  const fileDiffers = differs(state, SYSCTL_CONF_PATH, conf);
  const wrong = sysctls.filter(([k, v]) => state.sysctl[k] !== v);
  if (fileDiffers) {
    part.files.push({ path: SYSCTL_CONF_PATH, content: conf, mode: 0o644 });
    part.changes.push(`write ${SYSCTL_CONF_PATH}`);
  }
  if (fileDiffers || wrong.length) {
    // Only this file: `sysctl --system` would also re-apply every other file, which is not ours to re-apply.
    part.commands.push(['sysctl', '-p', SYSCTL_CONF_PATH]);
    for (const [k, v] of wrong) part.changes.push(`set ${k} = ${v} (was ${state.sysctl[k] ?? 'absent'})`);
  }

  if (input.keepSwap) {
    if (state.swaps > 0) part.notes.push('swap is on and left on: the kubelet is configured for swap (failSwapOn: false)');
    return part;
  }
  if (state.swaps > 0) {
    part.commands.push(['swapoff', '-a']);
    part.changes.push(`turn swap off (${state.swaps} active swap area${state.swaps > 1 ? 's' : ''})`);
  }
  if (state.fstab !== undefined) {
    const edit = disableSwapInFstab(state.fstab);
    if (edit.lines.length) {
      part.files.push({ path: FSTAB_PATH, content: edit.text, mode: 0o644 });
      for (const line of edit.lines) part.changes.push(`comment out the swap line of ${FSTAB_PATH}: ${line}`);
    }
  }
  return part;
}
