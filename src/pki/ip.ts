/** IP address text to bytes and back, for SANs; the same rules Go's net.ParseIP applies to plain addresses. */
import { isIPv4, isIPv6 } from 'node:net';
import { PkiError } from './errors.js';

export function isIp(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

/** 4 bytes for IPv4 (and IPv4-mapped IPv6, as Go's To4 does), 16 for IPv6. */
export function ipBytes(text: string): Buffer {
  if (isIPv4(text)) return Buffer.from(text.split('.').map((part) => Number(part)));
  if (!isIPv6(text)) throw new Error(`"${text}" is not an IP address`);
  let address = text;
  const bytes: number[] = [];
  // A trailing dotted quad ("::ffff:1.2.3.4") becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let tail: number[] = [];
  if (dotted?.[1]) {
    tail = [...ipBytes(dotted[1])];
    address = address.slice(0, -dotted[1].length) + '0:0';
  }
  const [head = '', rest] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const zeros = 8 - headGroups.length - restGroups.length;
  const groups = [...headGroups, ...Array<string>(rest !== undefined ? zeros : 0).fill('0'), ...restGroups];
  for (const group of groups) {
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  const buffer = Buffer.from(bytes);
  const mapped = buffer.subarray(0, 12).equals(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]));
  return mapped ? buffer.subarray(12) : buffer;
}

/** Canonical text: dotted quad, or RFC 5952 IPv6 (longest run of zero groups compressed). */
export function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function canonicalIp(text: string): string {
  return ipText(ipBytes(text));
}

/**
 * The first address of the (first) service CIDR: what kubeadm puts in the apiserver certificate for
 * kubernetes.default (constants.GetAPIServerVirtualIP).
 */
export function firstServiceIp(serviceSubnet: string): string {
  const first = serviceSubnet.split(',')[0]?.trim() ?? '';
  const [address, prefixText] = first.split('/');
  const prefix = Number(prefixText);
  if (!address || !isIp(address) || !Number.isInteger(prefix)) {
    throw new PkiError(`networking.serviceSubnet "${serviceSubnet}" is not a CIDR such as 10.96.0.0/12`);
  }
  const bytes = Buffer.from(ipBytes(address));
  if (prefix < 0 || prefix > bytes.length * 8) throw new PkiError(`networking.serviceSubnet "${serviceSubnet}" has an invalid prefix length`);
  // Network address, then + 1.
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    const index = bit >> 3;
    bytes[index] = (bytes[index] ?? 0) & ~(0x80 >> (bit & 7));
  }
  for (let i = bytes.length - 1; i >= 0; i--) {
    const value = (bytes[i] ?? 0) + 1;
    bytes[i] = value & 0xff;
    if (value <= 0xff) break;
  }
  return ipText(bytes);
}
