/** Values: ports, times, integers, yes/no tables and host names, read as ssh reads them. */
import { readFileSync } from 'node:fs';
import type { StrictHostKeyChecking } from '../ssh-options.js';

export const DEFAULT_PORT = 22;

/** Port numbers by service name (ssh's getservbyname(…, "tcp") fallback in a2port). */
function servicePort(name: string): number | undefined {
  try {
    for (const line of readFileSync('/etc/services', 'utf8').split('\n')) {
      const words = line.replace(/#.*/, '').trim().split(/\s+/);
      const m = /^(\d+)\/tcp$/.exec(words[1] ?? '');
      if (m && (words[0] === name || words.slice(2).includes(name))) return Number(m[1]);
    }
  } catch {
    // No services database: names are not ports.
  }
  return undefined;
}

/** ssh's a2port(): 0..65535 in decimal, else a TCP service name; -1 when neither. */
export function toPort(value: string): number {
  if (/^\s*[+-]?\d+$/.test(value)) {
    const n = Number(value);
    return n >= 0 && n <= 65535 ? n : -1;
  }
  return servicePort(value) ?? -1;
}

/** ssh's convtime(): "90", "90s", "1h30m", … in seconds; -1 when malformed. */
export function toSeconds(value: string): number {
  if (!value) return -1;
  const units: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const re = /\s*([+-]?\d+)([smhdwSMHDW]?)/y;
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const m = re.exec(value);
    if (!m) return -1;
    const n = Number(m[1]);
    if (n < 0) return -1;
    total += n * (units[(m[2] as string).toLowerCase()] as number);
    if (total > 0x7fffffff) return -1;
    pos = re.lastIndex;
  }
  return total;
}

/** ssh's atoi_err(): a decimal 0..INT_MAX. */
export function toInt(value: string): number | undefined {
  if (!/^\s*[+-]?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 0 && n <= 0x7fffffff ? n : undefined;
}

/** yes/no and their aliases, as ssh's multistate tables read them (case-insensitive). */
export function fromTable<T>(value: string | undefined, table: Record<string, T>): T | undefined {
  return value === undefined ? undefined : table[value.toLowerCase()];
}
export const FLAG = { yes: true, true: true, no: false, false: false };
export const STRICT: Record<string, StrictHostKeyChecking> = { yes: 'yes', true: 'yes', no: 'no', false: 'no', off: 'no', ask: 'ask', 'accept-new': 'accept-new' };
export const CANONICALIZE = { yes: 'yes', true: 'yes', no: 'no', false: 'no', always: 'always' } as const;
export const ADDRESS_FAMILY = { any: 'any', inet: 'inet', inet6: 'inet6' } as const;

/**
 * ssh lower-cases the host name unless it is an address (is_addr_fast: contains % or :, or only digits and dots),
 * and rewrites a numeric address in its canonical form (resolve_addr: "127.1" is 127.0.0.1).
 */
export function normaliseHostName(host: string): string {
  const looksLikeAddress = host.includes('%') || host.includes(':') || /^[0-9.]*$/.test(host);
  if (!looksLikeAddress) return host.toLowerCase();
  const v4 = canonicalIPv4(host);
  if (v4 !== undefined) return v4;
  if (host.includes(':') && !host.includes('%')) {
    try {
      const canonical = new URL(`http://[${host}]/`).hostname.slice(1, -1);
      return canonical.toLowerCase() === host.toLowerCase() ? host : canonical;
    } catch {
      return host;
    }
  }
  return host;
}

/** inet_aton's forms (a, a.b, a.b.c, a.b.c.d; decimal, 0octal, 0xhex) as a dotted quad, else undefined. */
function canonicalIPv4(host: string): string | undefined {
  const parts = host.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) n = part.length > 2 ? parseInt(part.slice(2), 16) : 0;
    else if (/^0[0-7]*$/.test(part)) n = parseInt(part, 8);
    else if (/^[1-9]\d*$/.test(part)) n = Number(part);
    else return undefined;
    nums.push(n);
  }
  const last = nums.pop() as number;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return undefined;
  const bytes = [...nums];
  for (let i = 4 - nums.length - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes.join('.');
}
