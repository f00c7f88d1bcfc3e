/** Files in the state directory: private keys 0600, certificates 0644, directories 0700; writes are atomic. */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HostError } from '../util/errors.js';

export const KEY_MODE = 0o600;
export const CERT_MODE = 0o644;
export const DIR_MODE = 0o700;

/** The file's text, or undefined when it does not exist. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Creates the folder (and missing parents) 0700. Only folders made here are chmod-ed, against the umask: an
 * existing folder's mode is the state directory check's to judge (state-dir.ts), never silently changed.
 */
export async function ensureDir(path: string): Promise<void> {
  const first = await mkdir(path, { recursive: true, mode: DIR_MODE });
  if (first === undefined) return;
  for (let dir = path; dir.length >= first.length; dir = dirname(dir)) {
    await chmod(dir, DIR_MODE);
    if (dir === dirname(dir)) break;
  }
}

/** What a failed write on this machine means, in words, for the errors a user can meet (a full disk, a read-only mount). */
const WRITE_FAILURES: Record<string, string> = {
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  // mkdir of a path whose parent, or itself, is a file (the only EEXIST here: temporary names are random).
  EEXIST: 'a file stands where a folder should be',
  ENOTDIR: 'a file stands where a folder should be',
};

/** A file on this machine (the state directory) could not be written: the machine failing, said plainly, no stack. */
export class LocalWriteError extends HostError {
  override name = 'LocalWriteError';
  constructor(
    readonly path: string,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(`cannot write ${path} on this machine: ${detail}${code ? ` (${code})` : ''}`);
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * Writes the file atomically: a temporary file beside it (created, never reused: `wx`), then a rename, so a reader,
 * or a run that two control planes finish together, never sees half a file. Whatever fails (a full disk, a
 * read-only mount) removes the temporary file and is reported as a LocalWriteError naming the file.
 */
export async function writeAtomic(path: string, content: string | Buffer, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await ensureDir(dirname(path));
    await writeFile(tmp, content, { mode, flag: 'wx' });
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    throw new LocalWriteError(path, code, WRITE_FAILURES[code] ?? (error as Error).message);
  }
}
