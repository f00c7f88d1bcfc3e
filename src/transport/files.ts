/**
 * File operations for hosts that can run commands (SSH, local): each is one command, so one round trip,
 * however many files. The scripts are constants; paths travel as positional arguments, quoted once, or as
 * names in the tar on standard input (with the files' modes), never in a script's text.
 */
import { randomInt } from 'node:crypto';
import { contentHash, FileHashes, type ExecOptions, type ExecResult, type FileWrite, type WriteOptions } from './host.js';
import { tar } from './tar.js';
import { HostError } from '../util/errors.js';

type Exec = (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

class FileOperationError extends HostError {
  override name = 'FileOperationError';
}

/**
 * Puts a batch of files in place with a number of processes that does not grow with the number of files, only
 * with the number of folders they go to. Arguments: backup-dir ("" for none), a token naming this run's
 * temporary folders (digits), each target folder once, "--", then, with a backup-dir, path and SHA-256 of the
 * new content for each file. Standard input is a tar whose entries are <folder>/.bootstrap-tmp.<token>/<name>,
 * each with its final mode.
 *
 * Each target folder gets a temporary folder of its own, 0700 (one mkdir makes the missing parents 0755 and
 * them). One tar unpacks every file there under umask 077, so no staged file is readable by others even for an
 * instant: each is created 0600 at most, then given its mode (tar -p), inside a folder only its owner enters.
 * Then one mv per folder renames its files over their targets: the same file system, so each target is either
 * the old file or the new one. Staged in a hidden folder, not beside the target, a file is never taken for one
 * more by a program that reads the whole folder (kubelet skips hidden entries and folders of its static Pods).
 *
 * A replaced file that differs is first copied to <backup-dir><path>: one sha256sum over the targets that exist,
 * compared with the hashes given, then one cp for every copy. Backups hold replaced keys and kubeconfigs, so
 * they are no more readable than the originals: every folder made under the backup root is 0700 (made
 * beforehand under umask 077, so cp --parents leaves them be), and cp -p gives each copy its original's mode,
 * never wider even for an instant (the umask covers the copy too). A backup that cannot be made stops the
 * script before any original is replaced.
 *
 * Stopped (an interrupted run signals the command's process group) or failed, the script removes its temporary
 * folders and what is left in them: a target is either the old file or the new one, and no temporary file stays
 * behind. Paths are never part of the script's text; those in the lists it keeps are newline-separated, so
 * paths with a newline are refused before anything is sent.
 */
const WRITE_SCRIPT = `set -eu
nl='
'
backup=$1 tmp=.bootstrap-tmp.$2 temps=
shift 2
case $tmp in .bootstrap-tmp. | .bootstrap-tmp.*[!0-9]*) echo "bad token: $tmp" >&2; exit 2 ;; esac
trap 'if [ -n "$temps" ]; then set -f; IFS=$nl; rm -rf -- $temps; fi' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
backup_folders() {
  for p do shift; set -- "$@" "$backup\${p%/*}"; done
  mkdir -p -- "$backup" "$@"
}
for d do
  shift
  if [ "$d" = -- ]; then break; fi
  temps=$temps$nl$d/$tmp
done
umask 022
set -f; IFS=$nl
mkdir -p -m 0700 -- $temps
set +f; unset IFS
umask 077
tar -x -P -p -m --no-same-owner -f -
if [ -n "$backup" ]; then
  p= want=
  for a do
    shift
    if [ -z "$p" ]; then p=$a; continue; fi
    if [ -f "$p" ]; then set -- "$@" "$p"; want="$want $a"; fi
    p=
  done
  if [ "$#" -gt 0 ]; then
    sums=$(sha256sum -- "$@")
    for p do
      shift
      line=\${sums%%"$nl"*}
      sums=\${sums#*"$nl"}
      line=\${line#\\\\}
      want=\${want# }
      w=\${want%% *}
      want=\${want#"$w"}
      if [ "\${line%% *}" != "$w" ]; then set -- "$@" "$p"; fi
    done
  fi
  if [ "$#" -gt 0 ]; then
    backup_folders "$@"
    chmod 0700 -- "$backup"
    cp -p --parents -- "$@" "$backup"
  fi
fi
set -f; IFS=$nl
for t in $temps; do
  set +f
  set -- "$t"/* "$t"/.[!.]* "$t"/..?*
  for f do shift; if [ -e "$f" ] || [ -L "$f" ]; then set -- "$@" "$f"; fi; done
  mv -f -t "\${t%/*}" -- "$@"
done
`;

/** The folder a file goes to, "/" for one at the root. */
function folderOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

export async function writeFilesWithShell(exec: Exec, batch: readonly FileWrite[], options: WriteOptions = {}): Promise<void> {
  if (!batch.length) return;
  // A path given twice is written once, with its last content: what a backup is compared with.
  const files = [...new Map(batch.map((f) => [f.path, f])).values()];
  for (const f of files) {
    if (!f.path.startsWith('/')) throw new FileOperationError(`not an absolute path: ${f.path}`);
    if (f.path.includes('\n')) throw new FileOperationError(`a path with a newline cannot be written: ${JSON.stringify(f.path)}`);
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    if (!name || name === '.' || name === '..') throw new FileOperationError(`not a file's path: ${f.path}`);
  }
  // Random, so two writers never share a temporary folder; digits, so the script can check it is nothing else.
  const token = String(randomInt(1e12, 1e13));
  const tmp = `.bootstrap-tmp.${token}`;
  const archive = tar(
    files.map((f) => {
      const folder = folderOf(f.path);
      const name = f.path.slice(folder.length + (folder === '/' ? 0 : 1));
      return { name: `${folder === '/' ? '' : folder}/${tmp}/${name}`, content: Buffer.from(f.content), mode: f.mode };
    }),
  );
  const folders = [...new Set(files.map((f) => folderOf(f.path)))];
  const hashes = options.backupDir ? files.flatMap((f) => [f.path, contentHash(f.content)]) : [];
  const result = await exec(['sh', '-c', WRITE_SCRIPT, 'sh', options.backupDir ?? '', token, ...folders, '--', ...hashes], { stdin: archive });
  if (result.code !== 0) {
    // The script removed its temporary folders as it failed: name the file that was being written, not its copy there.
    // The staging folder's name is ours, not the user's; tar's closing "Exiting with failure status" line says
    // nothing the line before it did not.
    const why = (result.stderr || result.stdout)
      .split('\n')
      .filter((line) => !/^tar: Exiting with failure status/.test(line))
      .join('\n')
      .trim()
      .replace(/\/\.bootstrap-tmp\.\d+/g, '');
    throw new FileOperationError(`writing ${batch.length} file(s) failed: ${why}`);
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
