/**
 * The cluster DNS address: kubeadm's constants.GetDNSIP takes the first CIDR of networking.serviceSubnet
 * (dual-stack lists are comma-separated) and its tenth address (utilnet.GetIndexedIP(subnet, 10)):
 * 10.96.0.0/12 gives 10.96.0.10, fd00:10:96::/112 gives fd00:10:96::a. The kube-dns Service gets it as
 * clusterIP, and the kubelet's clusterDNS is the same address.
 */
import { nthIp, parseCidr } from '../../net/cidr.js';
import { AddonError } from './errors.js';

/** The index kubeadm uses (constants.GetDNSIP). */
export const DNS_IP_INDEX = 10;

/** The tenth address of the first service subnet, as kubeadm's GetDNSIP computes it. */
export function dnsServiceIp(serviceSubnet: string): string {
  const first = serviceSubnet.split(',')[0]?.trim() ?? '';
  const cidr = parseCidr(first);
  if (!cidr) throw new AddonError(`networking.serviceSubnet "${serviceSubnet}" is not a CIDR such as 10.96.0.0/12`);
  try {
    return nthIp(cidr, DNS_IP_INDEX);
  } catch {
    throw new AddonError(`networking.serviceSubnet "${first}" is too small for the cluster DNS address (its address number ${DNS_IP_INDEX})`);
  }
}
