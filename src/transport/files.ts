/**
 * File operations for hosts that can run commands (SSH, local): each is one command, so one round trip,
 * however many files. The scripts are constants; paths and modes travel as positional arguments, quoted once.
 */
import { FileHashes, type ExecOptions, type ExecResult, type FileWrite, type WriteOptions } from './host.js';
import { tar } from './tar.js';
import { HostError } from '../util/errors.js';

type Exec = (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

class FileOperationError extends HostError {
  override name = 'FileOperationError';
}

/**
 * Unpacks a tar from stdin into a private staging folder, then puts each file in place: copied beside its
 * target, chmod-ed, renamed over it. A replaced file that differs is first copied to <backup-dir><path>.
 * Arguments: backup-dir ("" for none), then path and mode (octal) for each file in tar order ("0", "1", …).
 *
 * Backups hold replaced keys and kubeconfigs, so they are no more readable than the originals: every folder
 * made under the backup root is 0700 (umask 077 while they are made), and cp -p gives each copy its
 * original's mode, never wider even for an instant (the umask covers the copy too). A backup that cannot be
 * made stops the script before its original is replaced.
 *
 * Stopped (an interrupted run signals the command's process group), the script removes its staging folder and
 * the temporary file beside the target it was writing: a target is either the old file or the new one, and no
 * temporary file stays behind.
 */
const WRITE_SCRIPT = `set -eu
umask 022
stage= tmp=
trap 'if [ -n "$stage" ]; then rm -rf "$stage"; fi; if [ -n "$tmp" ]; then rm -f "$tmp"; fi' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
stage=$(mktemp -d "\${TMPDIR:-/tmp}/bootstrap.XXXXXX")
tar -x -f - -C "$stage"
backup=$1; shift
if [ -n "$backup" ]; then umask 077; mkdir -p "$backup"; chmod 0700 "$backup"; umask 022; fi
i=0
while [ "$#" -ge 2 ]; do
  path=$1; mode=$2; shift 2
  mkdir -p "\${path%/*}"
  if [ -n "$backup" ] && [ -f "$path" ] && ! cmp -s "$stage/$i" "$path"; then
    umask 077
    mkdir -p "$backup\${path%/*}"
    cp -p "$path" "$backup$path"
    umask 022
  fi
  tmp="$path.bootstrap-tmp.$$"
  cp "$stage/$i" "$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
  tmp=
  i=$((i + 1))
done
`;

export async function writeFilesWithShell(exec: Exec, files: readonly FileWrite[], options: WriteOptions = {}): Promise<void> {
  if (!files.length) return;
  for (const f of files) {
    if (!f.path.startsWith('/')) throw new FileOperationError(`not an absolute path: ${f.path}`);
  }
  // Staged copies are 0600 whatever they become: a private key never sits readable in the staging folder.
  const archive = tar(files.map((f, i) => ({ name: String(i), content: Buffer.from(f.content), mode: 0o600 })));
  const args = files.flatMap((f) => [f.path, f.mode.toString(8).padStart(4, '0')]);
  const result = await exec(['sh', '-c', WRITE_SCRIPT, 'sh', options.backupDir ?? '', ...args], { stdin: archive });
  if (result.code !== 0) {
    // The script removed its temporary file as it failed: name the file that was being written, not that one.
    const why = (result.stderr || result.stdout).trim().replace(/\.bootstrap-tmp\.\d+/g, '');
    throw new FileOperationError(`writing ${files.length} file(s) failed: ${why}`);
  }
}

/**
 * Keeps the paths that are regular files (missing ones are simply absent), then prints "mode <octal> <path>" and
 * "<sha256>  <path>" for each: two processes whatever the number of files.
 */
const HASH_SCRIPT = `for p do shift; if [ -f "$p" ]; then set -- "$@" "$p"; fi; done
[ "$#" -gt 0 ] || exit 0
stat -c 'mode %a %n' -- "$@"
sha256sum -- "$@"`;

export async function hashFilesWithShell(exec: Exec, paths: readonly string[]): Promise<FileHashes> {
  const hashes = new FileHashes();
  if (!paths.length) return hashes;
  const result = await exec(['sh', '-c', HASH_SCRIPT, 'sh', ...paths]);
  if (result.code !== 0) throw new FileOperationError(`hashing files failed: ${result.stderr.trim()}`);
  for (const line of result.stdout.split('\n')) {
    const hash = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (hash) hashes.set(hash[2] as string, hash[1] as string);
    const mode = /^mode ([0-7]{1,4}) (.+)$/.exec(line);
    if (mode) hashes.modes.set(mode[2] as string, parseInt(mode[1] as string, 8));
  }
  return hashes;
}

/** One file, base64-encoded so any bytes survive a text channel; exit 3 marks "absent", not a read error. */
const READ_SCRIPT = `if [ -e "$1" ]; then exec base64 -- "$1"; else exit 3; fi`;

export async function readFileWithShell(exec: Exec, path: string): Promise<Buffer | undefined> {
  const result = await exec(['sh', '-c', READ_SCRIPT, 'sh', path]);
  if (result.code === 3) return undefined;
  if (result.code !== 0) throw new FileOperationError(`reading ${path} failed: ${result.stderr.trim()}`);
  return Buffer.from(result.stdout, 'base64');
}
