import { hostBits, nthIp, parseCidr } from '../net/cidr.js';

/**
 * kubeadm's fallback when the 10th address cannot be taken from the service subnet.
 * kubeadm v1.20–v1.36: cmd/kubeadm/app/apis/kubeadm/v1beta{2,3,4}/defaults.go (DefaultClusterDNSIP).
 */
export const DEFAULT_CLUSTER_DNS_IP = '10.96.0.10';

/**
 * The cluster DNS address kubeadm puts into KubeletConfiguration.clusterDNS: the 10th address of the
 * first service subnet (kubeadm: constants.GetDNSIP → GetKubernetesServiceCIDR → utilnet.GetIndexedIP(cidr, 10)).
 * With a dual-stack "v4,v6" list only the first CIDR counts, as in kubeadm. When the subnet cannot be parsed
 * or is too small, kubeadm silently falls back to DEFAULT_CLUSTER_DNS_IP; so do we.
 */
export function clusterDnsIp(serviceSubnet: string): string {
  const cidr = parseCidr(serviceSubnet.split(',')[0]?.trim() ?? '');
  // GetIndexedIP fails when the range has no 10th address.
  if (!cidr || hostBits(cidr) < 4) return DEFAULT_CLUSTER_DNS_IP;
  return nthIp(cidr, 10);
}
