/**
 * The file-writing script's guarantees, run with the real sh, tar, sha256sum, cp and mv in temporary folders:
 * staged copies are never readable by others, odd paths survive, a failure names its target and leaves nothing
 * behind, and the number of programs a batch starts does not grow with its files. Stand-ins on PATH look at the
 * script from inside (the umask tar runs with, what is staged when mv starts, which programs run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { writeFilesWithShell } from '../../src/transport/files.js';
import type { ExecOptions, ExecResult, FileWrite } from '../../src/transport/host.js';
import { LocalHost } from '../../src/transport/local.js';
import { MemoryHost } from '../../src/transport/memory.js';
import { tar } from '../../src/transport/tar.js';

type Exec = (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

/** Runs commands with this environment, behind `prefix` (e.g. a shell that sets a limit first). */
function execWith(env: NodeJS.ProcessEnv, prefix: readonly string[] = []): Exec {
  return (argv, options) =>
    new Promise((resolve, reject) => {
      const command = [...prefix, ...argv];
      const child = spawn(command[0]!, command.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(options?.stdin);
    });
}

/** A folder of stand-ins: each logs a line to <bin>/log, runs `before` (sh), then the real program. */
function standIns(programs: string[], before: Record<string, string> = {}): { bin: string; log: () => string[]; env: NodeJS.ProcessEnv } {
  const bin = mkdtempSync(join(tmpdir(), 'bootstrap-standins-'));
  for (const program of programs) {
    const real = execFileSync('sh', ['-c', 'command -v "$1"', 'sh', program], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, program), `#!/bin/sh\necho ${program} >> "${join(bin, 'log')}"\n${before[program] ?? ''}\nexec ${real} "$@"\n`);
    chmodSync(join(bin, program), 0o755);
  }
  const log = () => (existsSync(join(bin, 'log')) ? readFileSync(join(bin, 'log'), 'utf8').trim().split('\n') : []);
  return { bin, log, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } };
}

/** Every entry under dir, relative, folders included. */
function tree(dir: string, under = ''): string[] {
  return readdirSync(join(dir, under), { withFileTypes: true }).flatMap((e) => {
    const rel = under ? `${under}/${e.name}` : e.name;
    return e.isDirectory() ? [rel, ...tree(dir, rel)] : [rel];
  });
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;

test('staged copies are never readable by others: tar unpacks under umask 077 into 0700 folders, each file already with its mode', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-modes-'));
  const { bin, env } = standIns(['tar', 'mv'], {
    tar: `umask >> "$(dirname "$0")/umask"`,
    // What mv is about to rename: its last arguments, and the folder they are in.
    mv: `for f do :; done; stat -c '%a %n' "$(dirname "$f")" "$(dirname "$f")"/* >> "$(dirname "$0")/staged"`,
  });
  const files: FileWrite[] = [
    { path: join(dir, 'pki/ca.key'), content: 'key\n', mode: 0o600 },
    { path: join(dir, 'pki/ca.crt'), content: 'cert\n', mode: 0o644 },
    { path: join(dir, 'bin/tool'), content: '#!/bin/sh\n', mode: 0o755 },
  ];
  await writeFilesWithShell(execWith(env), files);
  assert.equal(readFileSync(join(bin, 'umask'), 'utf8').trim(), '0077');
  const staged = readFileSync(join(bin, 'staged'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  for (const [mode, path] of staged) {
    if (/\.bootstrap-tmp\.\d+$/.test(path!)) assert.equal(mode, '700', `${path} is private`);
    else assert.equal(parseInt(mode!, 8), files.find((f) => basename(f.path) === basename(path!))!.mode, `${path} is staged with its mode`);
  }
  assert.equal(staged.length, 5, 'two temporary folders, three files');
  for (const f of files) assert.equal(modeOf(f.path), f.mode, f.path);
  assert.equal(modeOf(join(dir, 'pki')), 0o755, 'a made parent folder is 0755');
  assert.deepEqual(tree(dir).sort(), ['bin', 'bin/tool', 'pki', 'pki/ca.crt', 'pki/ca.key']);
});

test('odd paths: spaces, quotes, shell words, a leading dash, a backslash, dot files, non-ASCII, names past the 100 bytes of a tar header', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-odd-'));
  const names = [
    'a b/c d.conf',
    "it's/\"quoted\" $(id) `id` ;&|<>.txt",
    '-dash/-n',
    'back\\slash/x\\y',
    '.hidden/.dotfile',
    '.hidden/..double',
    'ünïcødé/ファイル',
    'star/*',
    `${'long-folder-'.repeat(12)}/${'long-name-'.repeat(11)}`,
    `${'x'.repeat(160)}/${'y'.repeat(90)}`,
  ];
  const files = names.map((n, i) => ({ path: join(dir, n), content: `v1 ${i}\n`, mode: i % 2 ? 0o600 : 0o644 }));
  const exec = execWith(process.env);
  await writeFilesWithShell(exec, files);
  for (const f of files) {
    assert.equal(readFileSync(f.path, 'utf8'), f.content, f.path);
    assert.equal(modeOf(f.path), f.mode, f.path);
  }
  // Replaced with backups: the hash of each is compared by position, whatever sha256sum makes of its name.
  const backupDir = join(dir, 'backup dir');
  const next = files.map((f, i) => ({ ...f, content: i % 3 ? `v2 ${i}\n` : f.content }));
  await writeFilesWithShell(exec, next, { backupDir });
  for (const [i, f] of next.entries()) {
    assert.equal(readFileSync(f.path, 'utf8'), f.content, f.path);
    const copy = join(backupDir, f.path);
    if (i % 3) assert.equal(readFileSync(copy, 'utf8'), files[i]!.content, copy);
    else assert.equal(existsSync(copy), false, `${copy}: identical, not backed up`);
  }
  assert.deepEqual(tree(dir).filter((p) => p.includes('.bootstrap-tmp.')), []);
});

test('a file at the root of the file system goes through a temporary folder there too', () => {
  let archive: Buffer | undefined;
  let argv: readonly string[] = [];
  const exec: Exec = async (a, o) => ((argv = a), (archive = o?.stdin as Buffer), { code: 0, stdout: '', stderr: '' });
  return writeFilesWithShell(exec, [{ path: '/top', content: 'x', mode: 0o644 }, { path: '/etc/x y', content: 'y', mode: 0o600 }]).then(() => {
    const listed = execFileSync('tar', ['-t', '-P', '-f', '-'], { input: archive, encoding: 'utf8' }).trim().split('\n');
    const token = argv[5];
    assert.deepEqual(listed, [`/.bootstrap-tmp.${token}/top`, `/etc/.bootstrap-tmp.${token}/x y`]);
    assert.deepEqual(argv.slice(6), ['/', '/etc', '--']);
  });
});

test('paths that cannot be written are refused before anything is sent', async () => {
  const exec: Exec = async () => assert.fail('nothing is sent');
  await assert.rejects(writeFilesWithShell(exec, [{ path: '/etc/a\nb', content: '', mode: 0o644 }]), /newline/);
  await assert.rejects(writeFilesWithShell(exec, [{ path: 'relative', content: '', mode: 0o644 }]), /not an absolute path/);
  await assert.rejects(writeFilesWithShell(exec, [{ path: '/etc/', content: '', mode: 0o644 }]), /not a file's path/);
});

test('a write that fails (a file larger than the host allows) names the target, leaves no temporary file and replaces nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-fail-'));
  const small = join(dir, 'etc/small.conf');
  const big = join(dir, 'etc/kubernetes/big file.yaml');
  mkdirSync(join(dir, 'etc/kubernetes'), { recursive: true });
  writeFileSync(small, 'old small\n');
  writeFileSync(big, 'old big\n');
  // RLIMIT_FSIZE of 4 blocks, SIGXFSZ ignored: writing past it fails with EFBIG, as a full disk fails with ENOSPC.
  const exec = execWith(process.env, ['sh', '-c', 'trap "" XFSZ; ulimit -f 4; exec "$@"', 'sh']);
  const files = [
    { path: small, content: 'new small\n', mode: 0o644 },
    { path: big, content: Buffer.alloc(64 * 1024, 'x'), mode: 0o600 },
  ];
  await assert.rejects(writeFilesWithShell(exec, files, { backupDir: join(dir, 'backup') }), (e: Error) => {
    assert.match(e.message, /writing 2 file\(s\) failed/);
    assert.ok(e.message.includes(big), `names ${big}: ${e.message}`);
    assert.doesNotMatch(e.message, /bootstrap-tmp/);
    assert.doesNotMatch(e.message, /Exiting with failure status/, 'one line: what failed, not tar\'s summary of it');
    return true;
  });
  assert.deepEqual(tree(dir).filter((p) => p.includes('.bootstrap-tmp.')), []);
  assert.equal(readFileSync(small, 'utf8'), 'old small\n', 'nothing is replaced when staging fails');
  assert.equal(readFileSync(big, 'utf8'), 'old big\n');
});

test('a target that cannot be replaced (a folder in its place) is named, and no temporary file stays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-fail-'));
  mkdirSync(join(dir, 'conf.d/in the way'), { recursive: true });
  const target = join(dir, 'conf.d/in the way');
  await assert.rejects(writeFilesWithShell(execWith(process.env), [{ path: target, content: 'x', mode: 0o644 }]), (e: Error) => {
    assert.ok(e.message.includes(target), e.message);
    assert.doesNotMatch(e.message, /bootstrap-tmp/);
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'conf.d')), ['in the way']);
});

test('the programs a batch starts do not grow with its files: one mv per folder, the rest once', async () => {
  const programs = ['mkdir', 'tar', 'sha256sum', 'chmod', 'cp', 'mv', 'rm', 'cmp'];
  const run = async (count: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-count-'));
    const files = (v: string) =>
      Array.from({ length: count }, (_, i) => ({ path: join(dir, `f${i % 3}`, `file ${i}`), content: `${v} ${i}\n`, mode: 0o600 }));
    const exec = execWith(process.env);
    await writeFilesWithShell(exec, files('v1'));
    const { log, env } = standIns(programs);
    await writeFilesWithShell(execWith(env), files('v2'), { backupDir: join(dir, 'backup') });
    return log().sort();
  };
  const few = await run(3);
  assert.deepEqual(few, ['chmod', 'cp', 'mkdir', 'mkdir', 'mv', 'mv', 'mv', 'rm', 'sha256sum', 'tar']);
  assert.deepEqual(await run(30), few);
});

test('tar: names past 100 bytes go in the ustar prefix, or in a GNU long name when no split fits; bytes are kept', () => {
  const names = ['short', `${'d'.repeat(150)}/${'n'.repeat(99)}`, `/${'z'.repeat(300)}`, `/${'ü'.repeat(60)}/${'é'.repeat(60)}`];
  const archive = tar(names.map((name, i) => ({ name, content: Buffer.from(String(i)), mode: 0o640 })));
  const listed = execFileSync('tar', ['-t', '-P', '-v', '--numeric-owner', '-f', '-'], { input: archive, encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listed.map((l) => l.split(' ').at(-1)), names);
  assert.ok(listed.every((l) => l.startsWith('-rw-r-----')), listed.join('\n'));
});

test('a path given twice is written once with its last content, the original backed up: the same as the in-memory host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-twice-'));
  const path = join(dir, 'a.conf');
  const backupDir = join(dir, 'backup');
  const batch = [{ path, content: 'two\n', mode: 0o600 }, { path, content: 'three\n', mode: 0o644 }];
  const memory = new MemoryHost();
  for (const host of [new LocalHost(), memory]) {
    await host.writeFiles([{ path, content: 'one\n', mode: 0o600 }]);
    await host.writeFiles(batch, { backupDir });
    assert.equal(String(await host.readFile(path)), 'three\n', host.name);
    assert.equal(String(await host.readFile(backupDir + path)), 'one\n', host.name);
  }
  assert.equal(modeOf(path), 0o644);
  assert.equal(memory.files.get(path)?.mode, 0o644);
});
