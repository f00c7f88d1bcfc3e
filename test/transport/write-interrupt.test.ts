/**
 * The file-writing script stopped as an interrupted run stops it (SIGTERM to its process group): it removes its
 * staging folder and the temporary file beside the target it was writing, and the target stays whole (the old
 * file). Run with the real sh, tar, cp and mv in a temporary folder; a stand-in `mv` on PATH that waits holds the
 * script at the moment the temporary file exists.
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

test('stopped while a file is being put in place: no staging folder, no temporary file, the old file intact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-stop-'));
  const tmp = join(dir, 'tmp');
  const bin = join(dir, 'bin');
  const target = join(dir, 'etc', 'kubernetes', 'admin.conf');
  mkdirSync(tmp);
  mkdirSync(bin);
  mkdirSync(join(dir, 'etc', 'kubernetes'), { recursive: true });
  writeFileSync(target, 'old\n', { mode: 0o600 });
  // A stand-in for mv that never finishes: the script is caught between writing the temporary file and renaming it.
  writeFileSync(join(bin, 'mv'), '#!/bin/sh\nexec sleep 60\n');
  chmodSync(join(bin, 'mv'), 0o755);
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, TMPDIR: tmp };
  const leftovers = () => [...readdirSync(tmp), ...readdirSync(join(dir, 'etc', 'kubernetes')).filter((n) => n !== 'admin.conf')];
  const tempWritten = () => readdirSync(join(dir, 'etc', 'kubernetes')).some((n) => n.startsWith('admin.conf.bootstrap-tmp.'));

  await assert.rejects(writeFilesWithShell(execStoppedWhen(env, tempWritten), [{ path: target, content: 'new\n', mode: 0o600 }]), /writing 1 file\(s\) failed/);
  assert.deepEqual(leftovers(), [], 'the staging folder and the temporary file are gone');
  assert.equal(readFileSync(target, 'utf8'), 'old\n');
});

test('stopped while the archive is still arriving: the staging folder goes too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-write-stop-'));
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const env = { ...process.env, TMPDIR: tmp };
  let stoppedAfterStaging = false;
  const staged = () => (stoppedAfterStaging = readdirSync(tmp).length > 0);
  // stdin is held open by this exec only until the archive is written; a large file keeps tar busy long enough.
  const big = Buffer.alloc(64 * 1024 * 1024, 1);
  await assert.rejects(writeFilesWithShell(execStoppedWhen(env, staged), [{ path: join(dir, 'big'), content: big, mode: 0o644 }]));
  assert.equal(stoppedAfterStaging, true);
  assert.deepEqual(readdirSync(tmp), []);
  assert.equal(existsSync(join(dir, 'big')), false);
});
