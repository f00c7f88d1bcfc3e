import { isIP } from 'node:net';

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
  const first = serviceSubnet.split(',')[0]?.trim() ?? '';
  const cidr = parseCidr(first);
  if (!cidr) return DEFAULT_CLUSTER_DNS_IP;
  const size = 1n << BigInt(cidr.bits - cidr.prefix);
  if (10n >= size) return DEFAULT_CLUSTER_DNS_IP;
  const mask = ((1n << BigInt(cidr.bits)) - 1n) ^ (size - 1n);
  const address = (cidr.address & mask) + 10n;
  return cidr.bits === 32 ? formatIPv4(address) : formatIPv6(address);
}

interface Cidr {
  address: bigint;
  prefix: number;
  bits: 32 | 128;
}

function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const family = isIP(ip);
  if (family === 4) {
    if (prefix > 32) return undefined;
    const address = ip.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
    return { address, prefix, bits: 32 };
  }
  if (family === 6) {
    if (prefix > 128) return undefined;
    return { address: parseIPv6(ip), prefix, bits: 128 };
  }
  return undefined;
}

function parseIPv6(ip: string): bigint {
  let text = ip;
  // An embedded IPv4 tail ("::ffff:1.2.3.4") becomes two hex groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, v4.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function formatIPv4(address: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((address >> shift) & 0xffn)).join('.');
}

/** RFC 5952 text, as Go's net.IP.String() prints it: lowercase, longest run (≥2) of zero groups as "::". */
function formatIPv6(address: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((address >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLength < 2) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLength).join(':');
}
