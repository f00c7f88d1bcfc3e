/**
 * What the SSH tests need from the system (test/system-tools.ts): a missing sshd that the tests may not
 * install fails them, naming the package and the install command; it never skips them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { ensureSystemTools, requiredTools } from '../system-tools.js';

const missing = { BOOTSTRAP_TEST_SSHD: '/nonexistent/sbin/sshd', BOOTSTRAP_TEST_INSTALL: '0' };
const said = /the unit tests need openssh-server \(\/nonexistent\/sbin\/sshd\).*: apt-get install openssh-server.* \(BOOTSTRAP_TEST_INSTALL=0 keeps the tests from installing it\)/;

function node(args: string[], env: Record<string, string>) {
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  return spawnSync(process.execPath, args, { cwd: repoRoot, env: { ...inherited, ...env }, encoding: 'utf8', timeout: 120_000 });
}

test('the sshd path comes from BOOTSTRAP_TEST_SSHD, else Debian\'s', () => {
  assert.equal(requiredTools({})[0]!.path, '/usr/sbin/sshd');
  assert.equal(requiredTools(missing)[0]!.path, '/nonexistent/sbin/sshd');
});

test('a missing sshd with installing disabled throws what is missing and the install command', () => {
  assert.throws(() => ensureSystemTools({ env: missing }), said);
});

test('the setup step of test:unit fails with the same message', () => {
  const result = node([join(repoRoot, 'dist/test/system-tools.js')], missing);
  assert.equal(result.status, 1);
  assert.match(result.stderr, said);
});

test('the SSH test files fail, none skipped, when sshd is missing', () => {
  const result = node(['--test', '--test-reporter=tap', join(repoRoot, 'dist/test/transport/ssh-bastion.test.js')], missing);
  assert.equal(result.status, 1);
  assert.match(result.stdout, /^# pass 0$/m);
  assert.match(result.stdout, /^# skipped 0$/m);
  assert.match(result.stdout, /^# fail [1-9]\d*$/m);
  assert.match(result.stdout, said);
});
