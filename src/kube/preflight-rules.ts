/**
 * What kubeadm's preflight requires of a host, by version: the kernel settings it checks and the executables it
 * looks for in PATH. preflight (src/phases/preflight-checks.ts) judges a host by these rows; prepare
 * (src/prepare/rules.ts) sets a host up from the same rows, so the two cannot drift apart.
 */
import { defineTable } from './table.js';

export interface NetfilterRule {
  /** bridge-nf-call-iptables (IPv4) and bridge-nf-call-ip6tables (IPv6) are checked. */
  bridge: boolean;
  /** The IPv4 checks run on every Linux host, whatever the cluster's address families. */
  ipv4Always: boolean;
}

export const NETFILTER_RULES = defineTable<NetfilterRule>('the kernel settings checks', [
  { range: '>=1.30.0', value: { bridge: false, ipv4Always: false }, source: 'cmd/kubeadm/app/preflight/checks_linux.go addIPv4Checks/addIPv6Checks (kubeadm v1.30, PR #123464 removed the bridge checks)' },
  { range: '>=1.27.0 <1.30.0', value: { bridge: true, ipv4Always: false }, source: 'cmd/kubeadm/app/preflight/checks.go addIPv4Checks only for IPv4 clusters (kubeadm v1.27, PR #115420)' },
  { range: '>=1.20.0 <1.27.0', value: { bridge: true, ipv4Always: true }, source: 'cmd/kubeadm/app/preflight/checks.go addCommonChecks: bridgenf, ipv4Forward on Linux (kubeadm v1.20–v1.26)' },
]);

export const CONNTRACK_REQUIRED = defineTable<boolean>('the conntrack check', [
  { range: '>=1.32.0', value: false, source: 'cmd/kubeadm/app/preflight/checks_linux.go addExecChecks: conntrack only below v1.32 (kubeadm v1.32, PR #126952)' },
  { range: '>=1.20.0 <1.32.0', value: true, source: 'cmd/kubeadm/app/preflight/checks_linux.go addExecChecks: InPathCheck conntrack mandatory (kubeadm v1.20–v1.31)' },
]);

/** Binaries kubeadm's addExecChecks looks for (besides crictl and conntrack), and whether each is mandatory. */
export const EXEC_CHECKS: readonly { executable: string; mandatory: boolean }[] = [
  { executable: 'ip', mandatory: true },
  { executable: 'iptables', mandatory: true },
  { executable: 'mount', mandatory: true },
  { executable: 'nsenter', mandatory: true },
  { executable: 'ebtables', mandatory: false },
  { executable: 'ethtool', mandatory: false },
  { executable: 'socat', mandatory: false },
  { executable: 'tc', mandatory: false },
  { executable: 'touch', mandatory: false },
];
