/** Files in the state directory: private keys 0600, certificates 0644, directories 0700; writes are atomic. */
import { mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

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

export async function writeAtomic(path: string, content: string, mode: number): Promise<void> {
  await ensureDir(dirname(path));
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}
