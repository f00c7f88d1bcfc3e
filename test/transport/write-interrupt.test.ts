/**
 * The file-writing script stopped as an interrupted run stops it (SIGTERM to its process group): it removes the
 * temporary folder beside each target and the files staged there, and the target stays whole (the old file).
 * Run with the real sh, tar and mv in a temporary folder; a stand-in `mv` on PATH that waits holds the script at
 * the moment the staged file exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesWithShell } from '../../src/transport/files.js';
import type { ExecOptions, ExecResult } from '../../src/transport/host.js';

/** Runs the script in its own process group, as sshd runs a session's command; `stop` signals the group when `ready` says so. */
function execStoppedWhen(env: NodeJS.ProcessEnv, ready: () => boolean): (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult> {
  return (argv, options) =>
    new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearInterval(poll);
        resolve({ code: code ?? (signal ? 128 : -1), stdout: '', stderr });
      });
      // The script stops reading when it is stopped: what was not sent yet has nowhere to go.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options?.stdin);
      const poll = setInterval(() => {
        if (ready()) {
          clearInterval(poll);
          process.kill(-child.pid!, 'SIGTERM');
        }
      }, 20);
    });
}

test('stopped while a file is being put in place: no temporary folder, no staged file, the old file intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-stop-'));
  const tmp = join(dir, 'tmp');
  const bin = join(dir, 'bin');
  const target = join(dir, 'etc', 'kubernetes', 'admin.conf');
  mkdirSync(tmp);
  mkdirSync(bin);
  mkdirSync(join(dir, 'etc', 'kubernetes'), { recursive: true });
  writeFileSync(target, 'old\n', { mode: 0o600 });
  // A stand-in for mv that never finishes: the script is caught between staging the file and renaming it.
  writeFileSync(join(bin, 'mv'), '#!/bin/sh\nexec sleep 60\n');
  chmodSync(join(bin, 'mv'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp };
  const folder = join(dir, 'etc', 'kubernetes');
  const leftovers = () => [...readdirSync(tmp), ...readdirSync(folder).filter((n) => n !== 'admin.conf')];
  const staged = () => readdirSync(folder).some((n) => n.startsWith('.bootstrap-tmp.') && existsSync(join(folder, n, 'admin.conf')));

  await assert.rejects(writeFilesWithShell(execStoppedWhen(env, staged), [{ path: target, content: 'new\n', mode: 0o600 }]), /writing 1 file\(s\) failed/);
  assert.deepEqual(leftovers(), [], 'the temporary folder and the staged file are gone');
  assert.equal(readFileSync(target, 'utf8'), 'old\n');
});

test('stopped while the archive is still arriving: the temporary folder goes too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-stop-'));
  const env = { ...process.env };
  const temporary = () => readdirSync(dir).filter((n) => n.startsWith('.bootstrap-tmp.'));
  let stoppedAfterStaging = false;
  const staged = () => (stoppedAfterStaging = temporary().length > 0);
  // stdin is held open by this exec only until the archive is written; a large file keeps tar busy long enough.
  const big = Buffer.alloc(64 * 1024 * 1024, 1);
  await assert.rejects(writeFilesWithShell(execStoppedWhen(env, staged), [{ path: join(dir, 'big'), content: big, mode: 0o644 }]));
  assert.equal(stoppedAfterStaging, true);
  assert.deepEqual(temporary(), []);
  assert.equal(existsSync(join(dir, 'big')), false);
});
