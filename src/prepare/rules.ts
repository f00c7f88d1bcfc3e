/**
 * Everything `prepare` decides by Kubernetes version, as rows of one table (src/kube/table.ts), looked up once.
 * Each row says what kubeadm's preflight of that release requires of a host (the kernel settings and the
 * executables it looks for in PATH) and where that release's packages come from. The same kubeadm facts
 * drive src/phases/preflight-checks.ts, which judges a host; this table says what to set so that it passes.
 */
import { defineTable, lookup } from '../kube/table.js';
import type { VersionLike } from '../kube/version.js';

export interface PrepareRule {
  /**
   * net.bridge.bridge-nf-call-iptables (and -ip6tables for IPv6 clusters) must be 1: kubeadm's preflight
   * FileContentCheck on /proc/sys/net/bridge/… (checks.go addCommonChecks / addIPv4Checks / addIPv6Checks).
   */
  bridgeNetfilter: boolean;
  /** Executables kubeadm's addExecChecks (checks_linux.go) looks for in PATH, mandatory or not. */
  executables: readonly string[];
  /**
   * The Kubernetes project's package repository for this minor exists (pkgs.k8s.io, one repository per minor,
   * from v1.24.0 on); older releases were only ever in the Google-hosted repositories, gone since March 2024.
   */
  communityPackages: boolean;
}

/** checks_linux.go addExecChecks, v1.20–v1.31: conntrack is mandatory. */
const EXEC_WITH_CONNTRACK = ['conntrack', 'ip', 'iptables', 'mount', 'nsenter', 'ebtables', 'ethtool', 'socat', 'tc', 'touch'];
/** checks_linux.go addExecChecks from v1.32: conntrack is no longer looked for (PR #126952). */
const EXEC_WITHOUT_CONNTRACK = EXEC_WITH_CONNTRACK.filter((e) => e !== 'conntrack');

export const PREPARE_RULES = defineTable<PrepareRule>('what prepare sets up on a host', [
  {
    range: '>=1.32.0',
    value: { bridgeNetfilter: false, executables: EXEC_WITHOUT_CONNTRACK, communityPackages: true },
    source: 'cmd/kubeadm/app/preflight/checks_linux.go addExecChecks without conntrack (kubeadm v1.32, PR #126952); no bridge-nf checks since v1.30 (PR #123464)',
  },
  {
    range: '>=1.30.0 <1.32.0',
    value: { bridgeNetfilter: false, executables: EXEC_WITH_CONNTRACK, communityPackages: true },
    source: 'cmd/kubeadm/app/preflight/checks.go addIPv4Checks/addIPv6Checks without the bridge-nf-call checks (kubeadm v1.30, PR #123464)',
  },
  {
    range: '>=1.24.0 <1.30.0',
    value: { bridgeNetfilter: true, executables: EXEC_WITH_CONNTRACK, communityPackages: true },
    source: 'cmd/kubeadm/app/preflight/checks.go bridge-nf-call-iptables FileContentCheck (kubeadm v1.24–v1.29); pkgs.k8s.io core:/stable:/v1.24 onwards (kubernetes.io blog 2023-08-15 "pkgs.k8s.io")',
  },
  {
    range: '>=1.20.0 <1.24.0',
    value: { bridgeNetfilter: true, executables: EXEC_WITH_CONNTRACK, communityPackages: false },
    source: 'cmd/kubeadm/app/preflight/checks.go addCommonChecks bridgenf and ipv4Forward (kubeadm v1.20–v1.23); checks_linux.go addExecChecks',
  },
]);

export function prepareRule(version: VersionLike): PrepareRule {
  return lookup(PREPARE_RULES, version);
}
