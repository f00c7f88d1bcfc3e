/**
 * IPv4/IPv6 addresses and CIDR ranges as big integers: enough to validate subnets, detect overlaps and
 * pick the Nth address of a range (kubeadm: the first service IP goes into the apiserver certificate,
 * the tenth becomes the cluster DNS address).
 */
import { isIP } from 'node:net';

export interface Cidr {
  family: 4 | 6;
  /** Network address (host bits cleared). */
  base: bigint;
  prefix: number;
  text: string;
}

const BITS = { 4: 32, 6: 128 } as const;

export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(text);
  if (family === 4) {
    const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (family === 6) {
    // Expand "::" and an embedded IPv4 tail into eight 16-bit groups.
    let head = text;
    let v4Tail: number[] = [];
    const lastColon = head.lastIndexOf(':');
    const tail = head.slice(lastColon + 1);
    if (tail.includes('.')) {
      v4Tail = tail.split('.').map(Number);
      head = head.slice(0, lastColon + 1) + '0:0';
    }
    const [left = '', right] = head.split('::');
    const leftGroups = left ? left.split(':') : [];
    const rightGroups = right !== undefined && right !== '' ? right.split(':') : [];
    const missing = 8 - leftGroups.length - rightGroups.length;
    const groups = [...leftGroups, ...Array<string>(right !== undefined ? missing : 0).fill('0'), ...rightGroups];
    let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
    if (v4Tail.length === 4) {
      value = (value & ~0xffffffffn) | v4Tail.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
    }
    return { family: 6, value };
  }
  return undefined;
}

export function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero groups.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses "10.96.0.0/12"; undefined when malformed. Host bits may be set (kubeadm accepts them and masks). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const bits = BITS[ip.family];
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const base = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, base, prefix, text };
}

/** The last address of a range. */
function lastOf(c: Cidr): bigint {
  return c.base + (1n << BigInt(BITS[c.family] - c.prefix)) - 1n;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.base <= lastOf(b) && b.base <= lastOf(a);
}

/** The n-th address of the range (n = 1 is the first usable one), as kubeadm's GetIndexedIP computes it. */
export function nthIp(c: Cidr, n: number): string {
  const value = c.base + BigInt(n);
  if (value > lastOf(c)) throw new RangeError(`${c.text} has no address number ${n}`);
  return formatIp(c.family, value);
}

/** The number of host bits in the range (kubeadm limits the service subnet by this). */
export function hostBits(c: Cidr): number {
  return BITS[c.family] - c.prefix;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** 4 bytes for IPv4 (and IPv4-mapped IPv6, as Go's To4 does), 16 for IPv6: the form certificates carry. */
export function ipBytes(text: string): Buffer {
  const ip = parseIp(text);
  if (!ip) throw new Error(`"${text}" is not an IP address`);
  const mapped = ip.family === 6 && ip.value >> 32n === MAPPED_PREFIX >> 32n;
  const length = ip.family === 4 || mapped ? 4 : 16;
  const bytes = Buffer.alloc(length);
  let value = ip.value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

/** Canonical text of 4 or 16 address bytes: a dotted quad, or RFC 5952 IPv6 as Go's net.IP.String() prints it. */
export function ipText(bytes: Uint8Array): string {
  if (bytes.length !== 4 && bytes.length !== 16) throw new Error(`an IP address has 4 or 16 bytes, not ${bytes.length}`);
  const value = [...bytes].reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  return formatIp(bytes.length === 4 ? 4 : 6, value);
}
