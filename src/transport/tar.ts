/**
 * A minimal ustar writer: regular files only. Enough to carry a batch of files to a host over one command's
 * standard input, where the system's own tar unpacks it. A name longer than the 100 bytes of a header is split
 * into ustar's prefix and name at a '/', or, when no split fits, carried by a GNU long-name entry before it
 * (GNU tar, the tar of Debian and RHEL, and bsdtar read both); names are bytes, never converted.
 */

const BLOCK = 512;
const NAME = 100;
const PREFIX = 155;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: Buffer, prefix: Buffer, size: number, mode: number, mtime: number, type: string): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  name.copy(h, 0, 0, NAME);
  h.write(octal(mode & 0o7777, 8), 100);
  h.write(octal(0, 8), 108); // uid
  h.write(octal(0, 8), 116); // gid
  h.write(octal(size, 12), 124);
  h.write(octal(mtime, 12), 136);
  h.write('        ', 148); // checksum placeholder: eight spaces while summing
  h.write(type, 156);
  h.write('ustar\u000000', 257);
  prefix.copy(h, 345, 0, PREFIX);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148);
  return h;
}

/** Content padded to whole blocks. */
function blocks(content: Buffer): Buffer[] {
  const pad = (BLOCK - (content.length % BLOCK)) % BLOCK;
  return pad ? [content, Buffer.alloc(pad, 0)] : [content];
}

/** The ustar prefix and name of a path, split at the last '/' that makes both fit; undefined when none does. */
function split(path: Buffer): { prefix: Buffer; name: Buffer } | undefined {
  if (path.length <= NAME) return { prefix: Buffer.alloc(0), name: path };
  for (let slash = path.lastIndexOf('/', PREFIX); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    if (path.length - slash - 1 > NAME) return undefined;
    if (path.length - slash - 1 > 0) return { prefix: path.subarray(0, slash), name: path.subarray(slash + 1) };
  }
  return undefined;
}

export interface TarEntry {
  name: string;
  content: Buffer;
  mode: number;
}

export function tar(entries: readonly TarEntry[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const path = Buffer.from(entry.name, 'utf8');
    const fits = split(path);
    if (!fits) {
      // GNU's long name: an entry named ././@LongLink whose content is the name, NUL-terminated.
      const long = Buffer.concat([path, Buffer.alloc(1, 0)]);
      parts.push(header(Buffer.from('././@LongLink'), Buffer.alloc(0), long.length, 0, 0, 'L'), ...blocks(long));
    }
    const { prefix, name } = fits ?? { prefix: Buffer.alloc(0), name: path.subarray(0, NAME) };
    parts.push(header(name, prefix, entry.content.length, entry.mode, mtime, '0'), ...blocks(entry.content));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}
