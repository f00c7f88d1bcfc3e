/**
 * The state directory on the control machine: it ignores itself in a git checkout from the moment it exists,
 * and a loosened mode on any folder, private key or kubeconfig stops the run with the chmod that fixes it,
 * leaving the mode as the user set it.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateClusterPki, openStateDir, checkStateDir, StateDirError } from '../../src/pki/index.js';
import { errorCategory } from '../../src/util/errors.js';
import { useKeyPool, tempDir } from './fixtures.js';

before(() => useKeyPool());

const mode = (path: string) => statSync(path).mode & 0o777;
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

/** A fresh state directory with the CAs made, as a first render leaves it. */
async function madeState(): Promise<string> {
  const state = join(tempDir(), '.bootstrap', 'lab');
  await loadOrCreateClusterPki(state);
  return state;
}

/** The StateDirError a load of this state directory throws. */
async function refusal(state: string): Promise<StateDirError> {
  const error = await loadOrCreateClusterPki(state).then(
    () => assert.fail('the loosened state directory was accepted'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof StateDirError, String(error));
  return error;
}

test('a new state directory in a git checkout ignores itself: git status shows nothing of it', async () => {
  const checkout = tempDir('bootstrap-checkout-');
  git(checkout, 'init', '--quiet');
  writeFileSync(join(checkout, 'lab.yaml'), 'hosts: []\n');
  git(checkout, 'add', 'lab.yaml');
  const state = join(checkout, '.bootstrap', 'lab');
  await loadOrCreateClusterPki(state);
  assert.ok(existsSync(join(state, 'pki', 'ca.key')));
  assert.equal(readFileSync(join(state, '.gitignore'), 'utf8'), '*\n');
  assert.equal(git(checkout, 'status', '--porcelain', '--untracked-files=all'), 'A  lab.yaml\n');
  // `git add -A` cannot pick the keys up either.
  git(checkout, 'add', '-A');
  assert.equal(git(checkout, 'diff', '--cached', '--name-only'), 'lab.yaml\n');
  assert.equal(mode(state), 0o700);
});

test('an existing state directory without a .gitignore gets one, and loads as before', async () => {
  const state = await madeState();
  rmSync(join(state, '.gitignore'));
  const pki = await loadOrCreateClusterPki(state);
  assert.equal(readFileSync(join(state, '.gitignore'), 'utf8'), '*\n');
  assert.equal(pki.stateDir, state);
});

test('a private key readable by others stops the run with its path, its mode, the expected one and the chmod; the mode is left alone', async () => {
  const state = await madeState();
  const key = join(state, 'pki', 'ca.key');
  chmodSync(key, 0o644);
  const error = await refusal(state);
  assert.match(error.message, new RegExp(`${key}: mode 0644, expected 0600 \\(private file\\)`));
  assert.match(error.message, new RegExp(`chmod 600 '${key}'`));
  assert.equal(errorCategory(error), 'input', 'reported as the message only, without a stack trace');
  assert.equal(mode(key), 0o644, 'never fixed silently');
});

test('a loosened folder, a group-readable kubeconfig and a key under any name are all reported at once', async () => {
  const state = await madeState();
  const etcd = join(state, 'pki', 'etcd');
  const admin = join(state, 'admin.conf');
  const odd = join(state, 'backup-of-sa.pem');
  writeFileSync(admin, 'users:\n- user:\n    client-key-data: c2VjcmV0\n', { mode: 0o640 });
  writeFileSync(odd, '-----BEGIN RSA PRIVATE KEY-----\n', { mode: 0o604 });
  chmodSync(admin, 0o640);
  chmodSync(odd, 0o604);
  chmodSync(etcd, 0o755);
  const error = await refusal(state);
  assert.match(error.message, new RegExp(`${etcd}: mode 0755, expected 0700 \\(folder\\)`));
  assert.match(error.message, new RegExp(`${admin}: mode 0640, expected 0600`));
  assert.match(error.message, new RegExp(`${odd}: mode 0604, expected 0600`));
  assert.match(error.message, new RegExp(`chmod 700 '${etcd}'`));
  assert.equal(mode(etcd), 0o755);
});

test('the state directory itself loosened is refused; certificates and other public files may be 0644', async () => {
  const state = await madeState();
  writeFileSync(join(state, 'notes.txt'), 'public\n', { mode: 0o644 });
  await loadOrCreateClusterPki(state);
  chmodSync(state, 0o750);
  const error = await refusal(state);
  assert.match(error.message, new RegExp(`${state}: mode 0750, expected 0700`));
  assert.doesNotMatch(error.message, /\.crt|notes\.txt|\.gitignore/);
});

test('checkStateDir (dry runs) creates nothing, and refuses loosened modes as a real run does', async () => {
  const missing = join(tempDir(), '.bootstrap', 'lab');
  await checkStateDir(missing);
  assert.equal(existsSync(join(missing, '..')), false);
  const state = await madeState();
  await checkStateDir(state);
  chmodSync(join(state, 'pki', 'sa.key'), 0o640);
  await assert.rejects(checkStateDir(state), StateDirError);
});

test('openStateDir makes only the state directory private; the user\'s folders above it keep their modes', async () => {
  const root = tempDir();
  const state = join(root, 'inventories', '.bootstrap', 'lab');
  mkdirSync(join(root, 'inventories'), { mode: 0o755 });
  chmodSync(join(root, 'inventories'), 0o755);
  await openStateDir(state);
  assert.equal(mode(state), 0o700);
  assert.equal(mode(join(root, 'inventories')), 0o755);
  assert.equal(readFileSync(join(state, '.gitignore'), 'utf8'), '*\n');
  await openStateDir(state);
});
