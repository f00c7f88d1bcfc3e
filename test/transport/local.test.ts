import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/transport/local.js';
import { run, CommandError } from '../../src/transport/host.js';

const host = new LocalHost();
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

test('exec passes argv unchanged and stdin through', async () => {
  const weird = `bar"";baz!$#^$'&* $(id)`;
  const result = await host.exec(['sh', '-c', 'printf "%s|" "$@"; cat', 'sh', weird, ''], { stdin: 'from stdin' });
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${weird}||from stdin`);
});

test('exec reports exit codes; run() throws CommandError with stderr', async () => {
  const result = await host.exec(['sh', '-c', 'echo oops >&2; exit 7']);
  assert.equal(result.code, 7);
  assert.equal(result.stderr, 'oops\n');
  await assert.rejects(run(host, ['sh', '-c', 'echo broken >&2; exit 3']), (e: unknown) => e instanceof CommandError && /exited 3: broken/.test(e.message));
});

test('exec times out', async () => {
  const result = await host.exec(['sleep', '5'], { timeoutMs: 200 });
  assert.notEqual(result.code, 0);
});

test('writeFiles puts every file in place with its mode, creating folders, backing up what differs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-local-'));
  const key = join(dir, 'pki', "it's a key");
  const conf = join(dir, 'deep', 'er', 'a b.conf');
  const binary = Buffer.from([0, 255, 10, 13, 0x80, 0]);
  await host.writeFiles([
    { path: key, content: 'secret\n', mode: 0o600 },
    { path: conf, content: 'v1\n', mode: 0o644 },
    { path: join(dir, 'bin'), content: binary, mode: 0o755 },
  ]);
  assert.equal((await stat(key)).mode & 0o777, 0o600);
  assert.equal((await stat(conf)).mode & 0o777, 0o644);
  assert.equal((await stat(join(dir, 'bin'))).mode & 0o777, 0o755);
  assert.equal((await stat(join(dir, 'deep', 'er'))).mode & 0o777, 0o755);
  assert.deepEqual(await host.readFile(join(dir, 'bin')), binary);
  assert.equal(await host.readFile(join(dir, 'missing')), undefined);

  await host.writeFiles(
    [{ path: conf, content: 'v2\n', mode: 0o644 }, { path: key, content: 'secret\n', mode: 0o600 }],
    { backupDir: join(dir, 'backup') },
  );
  assert.equal(await readFile(conf, 'utf8'), 'v2\n');
  assert.equal(await readFile(join(dir, 'backup', conf), 'utf8'), 'v1\n');
  // An identical file is not backed up, and no temporary file is left anywhere.
  assert.deepEqual(await readdir(join(dir, 'pki')), ["it's a key"]);
  assert.deepEqual(await readdir(join(dir, 'deep', 'er')), ['a b.conf']);
  assert.equal(await host.readFile(join(dir, 'backup', key)), undefined);
});

test('hashFiles returns the sha256 of existing regular files only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-hash-'));
  await writeFile(join(dir, 'a'), 'alpha');
  await writeFile(join(dir, 'b c'), 'beta');
  const hashes = await host.hashFiles([join(dir, 'a'), join(dir, 'b c'), join(dir, 'none'), dir]);
  assert.deepEqual(hashes, new Map([[join(dir, 'a'), sha('alpha')], [join(dir, 'b c'), sha('beta')]]));
});
