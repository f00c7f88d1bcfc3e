import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { errorCategory } from '../../src/util/errors.js';
import { LocalWriteError, writeAtomic } from '../../src/pki/store.js';

describe('writeAtomic: state files on this machine', () => {
  it('writes the content with the mode, creating the folder 0700, and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-store-'));
    const path = join(dir, 'hosts', 'cp1', 'apiserver.key');
    await writeAtomic(path, 'secret\n', 0o600);
    assert.equal(await readFile(path, 'utf8'), 'secret\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(dir, 'hosts'))).mode & 0o777, 0o700);
    assert.deepEqual(await readdir(join(dir, 'hosts', 'cp1')), ['apiserver.key']);
  });

  it('a write that fails at the rename removes its temporary file and names the file, as a host error without a stack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-store-'));
    // A folder where the file should be: the temporary file is written, the rename over it fails (EISDIR).
    const path = join(dir, 'admin.conf');
    await mkdir(join(path, 'inside'), { recursive: true });
    const error = await writeAtomic(path, 'x', 0o600).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof LocalWriteError, String(error));
    assert.match(error.message, new RegExp(`^cannot write ${path} on this machine: .+ \\(E[A-Z]+\\)$`));
    assert.equal(errorCategory(error), 'host');
    assert.doesNotMatch(error.stack ?? '', /\n\s+at /);
    assert.deepEqual((await readdir(dir)).sort(), ['admin.conf']);
  });

  it('a folder in the way (a file where a folder should be) is said plainly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-store-'));
    await writeFile(join(dir, 'hosts'), 'not a folder');
    const error = await writeAtomic(join(dir, 'hosts', 'cp1.key'), 'x', 0o600).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof LocalWriteError, String(error));
    assert.match(error.message, /: a file stands where a folder should be \((EEXIST|ENOTDIR)\)$/);
    assert.deepEqual(await readdir(dir), ['hosts']);
  });

  it('a read-only file system is named as such (a read-only bind mount; needs root)', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root for mount');
    const { execFileSync } = await import('node:child_process');
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-store-'));
    execFileSync('mount', ['--bind', dir, dir]);
    try {
      execFileSync('mount', ['-o', 'remount,ro,bind', dir]);
      const error = await writeAtomic(join(dir, 'ca.key'), 'x', 0o600).then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof LocalWriteError, String(error));
      assert.equal(error.message, `cannot write ${join(dir, 'ca.key')} on this machine: the file system is read-only (EROFS)`);
    } finally {
      execFileSync('umount', [dir]);
    }
    assert.deepEqual(await readdir(dir), []);
  });
});
