/**
 * The state directory on the control machine holds the cluster's identity (CA keys, client keys, admin.conf).
 * It usually sits next to the inventory, inside a git checkout, so it ignores itself (a `.gitignore` of `*`,
 * written before anything else); and its modes are checked on every run: a loosened mode is reported with the
 * chmod that fixes it, never fixed behind the user's back (someone loosened it, and should know).
 */
import { chmod, lstat, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PkiError } from './errors.js';
import { DIR_MODE, KEY_MODE, writeAtomic } from './store.js';

/** Ignores everything beside it, itself included: nothing in the state directory belongs in a repository. */
export const STATE_GITIGNORE = '*\n';
const GITIGNORE = '.gitignore';

/** Text that marks a file as secret whatever its name: a PEM private key, or a kubeconfig's embedded client key. */
const SECRET_MARKERS = ['PRIVATE KEY', 'client-key-data'];
/** Names of secret files: private keys and kubeconfigs (which hold a client key or a token). */
const SECRET_NAME = /\.(key|conf)$/;

export class StateDirError extends PkiError {
  override name = 'StateDirError';
}

/** One path whose mode lets group or others in. */
export interface LooseMode {
  path: string;
  mode: number;
  expected: number;
  what: 'folder' | 'private file';
}

const octal = (mode: number) => mode.toString(8).padStart(4, '0');

function shellQuote(path: string): string {
  return `'${path.replace(/'/g, `'\\''`)}'`;
}

/** The message for loosened modes: each path with its mode, what it should be, and the one command that fixes it. */
export function looseModesMessage(stateDir: string, loose: readonly LooseMode[]): string {
  const lines = loose.map((l) => `  ${l.path}: mode ${octal(l.mode)}, expected ${octal(l.expected)} (${l.what})`);
  const fixes = loose.map((l) => `chmod ${l.expected.toString(8)} ${shellQuote(l.path)}`);
  return (
    `the state directory ${stateDir} holds the cluster's private keys, and some of it is open to other users:\n` +
    `${lines.join('\n')}\n` +
    `Check who could have read them, then run:\n  ${fixes.join('\n  ')}`
  );
}

async function isSecretFile(path: string, name: string): Promise<boolean> {
  if (SECRET_NAME.test(name)) return true;
  const text = await readFile(path, 'utf8');
  return SECRET_MARKERS.some((marker) => text.includes(marker));
}

/** Every folder and secret file under dir (dir included) whose mode has a group or world bit. Symlinks are not followed. */
export async function findLooseModes(dir: string): Promise<LooseMode[]> {
  const loose: LooseMode[] = [];
  const own = await stat(dir);
  if (own.mode & 0o077) loose.push({ path: dir, mode: own.mode & 0o7777, expected: DIR_MODE, what: 'folder' });
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      loose.push(...(await findLooseModes(path)));
    } else if (entry.isFile() && (await isSecretFile(path, entry.name))) {
      const mode = (await lstat(path)).mode & 0o7777;
      if (mode & 0o077) loose.push({ path, mode, expected: KEY_MODE, what: 'private file' });
    }
  }
  return loose;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Throws StateDirError naming every loosened path; the state directory must exist. */
export async function assertPrivateModes(stateDir: string): Promise<void> {
  const loose = await findLooseModes(stateDir);
  if (loose.length) throw new StateDirError(looseModesMessage(stateDir, loose));
}

/** Writes the .gitignore when it is missing (a state directory made before bootstrap wrote one gets one too). */
async function ensureGitignore(stateDir: string): Promise<void> {
  const path = join(stateDir, GITIGNORE);
  if (!(await exists(path))) await writeAtomic(path, STATE_GITIGNORE, 0o644);
}

/**
 * The state directory, ready for use: created 0700 with its .gitignore first when missing; otherwise given a
 * .gitignore when it has none and checked for loosened modes. Whatever writes into the state directory (the CAs'
 * load, the admin kubeconfig's save) goes through here first.
 */
export async function openStateDir(stateDir: string): Promise<void> {
  if (await createStateDir(stateDir)) return ensureGitignore(stateDir);
  await ensureGitignore(stateDir);
  await assertPrivateModes(stateDir);
}

/** Makes the state directory 0700 unless it exists; true when this call made it. */
async function createStateDir(stateDir: string): Promise<boolean> {
  if (await exists(stateDir)) return false;
  // Parents are the user's folders (the checkout): only the state directory itself is made private.
  await mkdir(dirname(stateDir), { recursive: true });
  try {
    await mkdir(stateDir, { mode: DIR_MODE });
  } catch (error) {
    // Made meanwhile by another host's render in this run: it is then an existing one, checked as such.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  // The umask may have taken more than group and world bits (e.g. 0277): the owner needs the folder usable.
  await chmod(stateDir, DIR_MODE);
  return true;
}

/**
 * The checks of openStateDir without creating anything: for every run on hosts, before any host is reached (a dry
 * run must leave no trace, and status or join-command read admin.conf without loading the CAs).
 */
export async function checkStateDir(stateDir: string): Promise<void> {
  if (await exists(stateDir)) await assertPrivateModes(stateDir);
}
