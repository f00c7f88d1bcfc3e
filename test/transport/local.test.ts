import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
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

test('hashFiles returns the sha256 and the mode of existing regular files only', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-hash-'));
  await writeFile(join(dir, 'a'), 'alpha', { mode: 0o600 });
  await writeFile(join(dir, 'b c'), 'beta');
  await chmod(join(dir, 'b c'), 0o644);
  const hashes = await host.hashFiles([join(dir, 'a'), join(dir, 'b c'), join(dir, 'none'), dir]);
  assert.deepEqual(new Map(hashes), new Map([[join(dir, 'a'), sha('alpha')], [join(dir, 'b c'), sha('beta')]]));
  assert.deepEqual(hashes.modes, new Map([[join(dir, 'a'), 0o600], [join(dir, 'b c'), 0o644]]));
  assert.equal((await host.hashFiles([join(dir, 'none')])).size, 0);
});

/** Every folder under dir, dir included. */
async function folders(dir: string): Promise<string[]> {
  const out = [dir];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) out.push(...(await folders(join(dir, entry.name))));
  }
  return out;
}

test('backups are no more readable than what they back up: each copy keeps its mode, every backup folder is 0700', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-backup-'));
  const originals = [
    { path: join(dir, 'etc/kubernetes/pki/ca.key'), content: 'old key\n', mode: 0o600 },
    { path: join(dir, 'etc/kubernetes/admin.conf'), content: 'old kubeconfig\n', mode: 0o600 },
    { path: join(dir, 'etc/kubernetes/pki/ca.crt'), content: 'old cert\n', mode: 0o644 },
    { path: join(dir, 'var/lib/kubelet/group.conf'), content: 'old group\n', mode: 0o640 },
  ];
  await host.writeFiles(originals);
  const backupDir = join(dir, 'var/lib/bootstrap/backups/20261202T150000Z');
  await host.writeFiles(originals.map((f) => ({ ...f, content: f.content.replace('old', 'new') })), { backupDir });
  for (const f of originals) {
    const copy = join(backupDir, f.path);
    assert.equal(await readFile(copy, 'utf8'), f.content, copy);
    assert.equal((await stat(copy)).mode & 0o777, f.mode, `${copy} keeps its original's mode`);
    assert.equal(await readFile(f.path, 'utf8'), f.content.replace('old', 'new'));
  }
  for (const folder of await folders(join(dir, 'var/lib/bootstrap'))) {
    assert.equal((await stat(folder)).mode & 0o777, 0o700, folder);
  }
  // The umask of backups does not leak into the folders of the files themselves.
  assert.equal((await stat(join(dir, 'etc/kubernetes/pki'))).mode & 0o777, 0o755);
});

test('a backup that cannot be made stops the write before the original is replaced', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-backup-'));
  const key = join(dir, 'pki/ca.key');
  await host.writeFiles([{ path: key, content: 'old\n', mode: 0o600 }]);
  // A file where the backup folder should be: mkdir -p fails.
  await writeFile(join(dir, 'blocked'), '');
  await assert.rejects(host.writeFiles([{ path: key, content: 'new\n', mode: 0o600 }], { backupDir: join(dir, 'blocked', 'run') }));
  assert.equal(await readFile(key, 'utf8'), 'old\n');
});
