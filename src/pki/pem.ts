/** PEM exactly as Go's encoding/pem writes it: 64 base64 characters a line, a trailing newline. */

export function pemEncode(type: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

/** All blocks of the given type, in order. */
export function pemDecodeAll(text: string, type: string): Buffer[] {
  const blocks: Buffer[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] === type) blocks.push(Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64'));
  }
  return blocks;
}
