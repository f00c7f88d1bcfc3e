/** IP address text to bytes and back, for SANs; the same rules Go's net.ParseIP applies to plain addresses. */
import { isIPv4, isIPv6 } from 'node:net';
import { ipBytes, ipText, nthIp, parseCidr } from '../net/cidr.js';
import { PkiError } from './errors.js';

export { ipBytes, ipText };

export function isIp(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

export function canonicalIp(text: string): string {
  return ipText(ipBytes(text));
}

/**
 * The first address of the (first) service CIDR: what kubeadm puts in the apiserver certificate for
 * kubernetes.default (constants.GetAPIServerVirtualIP).
 */
export function firstServiceIp(serviceSubnet: string): string {
  const cidr = parseCidr(serviceSubnet.split(',')[0]?.trim() ?? '');
  if (!cidr) throw new PkiError(`networking.serviceSubnet "${serviceSubnet}" is not a CIDR such as 10.96.0.0/12`);
  return nthIp(cidr, 1);
}
