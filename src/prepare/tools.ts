/**
 * The executables kubeadm's preflight looks for at the version (rules.ts) that a host lacks, as packages of its
 * package manager. Debian and Ubuntu name them the same way; on RHEL-likes dnf and yum install by the file a
 * package provides (`dnf install /usr/sbin/conntrack`), which stays right across releases that rename packages.
 */
import { emptyPart, PrepareError, type PlanPart } from './plan.js';
import type { PrepareRule } from './rules.js';
import type { HostState } from './state.js';

const APT_PACKAGES: Record<string, string> = {
  conntrack: 'conntrack',
  ip: 'iproute2',
  iptables: 'iptables',
  mount: 'mount',
  nsenter: 'util-linux',
  ebtables: 'ebtables',
  ethtool: 'ethtool',
  socat: 'socat',
  tc: 'iproute2',
  touch: 'coreutils',
};

/** Where RHEL-likes put each executable: dnf/yum resolve a path in /usr/bin or /usr/sbin to its package from the primary metadata. */
const RPM_PATHS: Record<string, string> = {
  conntrack: '/usr/sbin/conntrack',
  ip: '/usr/sbin/ip',
  iptables: '/usr/sbin/iptables',
  mount: '/usr/bin/mount',
  nsenter: '/usr/bin/nsenter',
  ebtables: '/usr/sbin/ebtables',
  ethtool: '/usr/sbin/ethtool',
  socat: '/usr/bin/socat',
  tc: '/usr/sbin/tc',
  touch: '/usr/bin/touch',
};

/** The package (apt) or provided path (dnf, yum) that brings an executable. */
export function toolPackage(manager: 'apt' | 'dnf' | 'yum', executable: string): string {
  const name = (manager === 'apt' ? APT_PACKAGES : RPM_PATHS)[executable];
  if (!name) throw new Error(`no package known for ${executable}`);
  return name;
}

export function planTools(rule: PrepareRule, state: HostState): PlanPart {
  const part = emptyPart();
  const missing = rule.executables.filter((e) => !state.executables.has(e));
  if (!missing.length) return part;
  if (!state.packageManager) {
    throw new PrepareError(`kubeadm looks for ${missing.join(', ')}, which are not installed, and the host has neither apt-get, dnf nor yum to install them`);
  }
  const manager = state.packageManager;
  part.packages.push(...new Set(missing.map((e) => toolPackage(manager, e))));
  part.changes.push(`install ${missing.join(', ')} (kubeadm's preflight looks for them)`);
  return part;
}
