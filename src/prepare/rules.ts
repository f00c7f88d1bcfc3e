/**
 * Everything `prepare` decides by Kubernetes version: what kubeadm's preflight of that release requires of a host
 * (the kernel settings and the executables it looks for in PATH), read from the very rows preflight judges a host
 * by (src/kube/preflight-rules.ts), and where that release's packages come from.
 */
import { CONNTRACK_REQUIRED, EXEC_CHECKS, NETFILTER_RULES } from '../kube/preflight-rules.js';
import { inRange, lookup } from '../kube/table.js';
import { kubeVersion, type VersionLike } from '../kube/version.js';

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

/**
 * The Kubernetes project's own package repositories (pkgs.k8s.io) hold one repository per minor from v1.24 on;
 * older releases were only ever in the Google-hosted apt.kubernetes.io/yum.kubernetes.io, frozen on 2023-09-13
 * and gone since 2024-03-04 (kubernetes.io blog, 2023-08-15 and 2023-08-31). Not a kubeadm rule: a condition.
 */
const COMMUNITY_PACKAGES = '>=1.24.0';

/**
 * What prepare sets up for this version: what kubeadm's preflight checks (src/kube/preflight-rules.ts, the rows
 * preflight judges a host by) and where the packages come from.
 */
export function prepareRule(version: VersionLike): PrepareRule {
  return {
    bridgeNetfilter: lookup(NETFILTER_RULES, version).bridge,
    executables: [...(lookup(CONNTRACK_REQUIRED, version) ? ['conntrack'] : []), ...EXEC_CHECKS.map((c) => c.executable)],
    communityPackages: inRange(kubeVersion(version), COMMUNITY_PACKAGES),
  };
}
