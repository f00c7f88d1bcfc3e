import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EXIT, reportError } from '../../src/cli/errors.js';
import { InventoryError } from '../../src/inventory/errors.js';
import { VersionError } from '../../src/kube/version.js';
import { PreflightError } from '../../src/phases/preflight-checks.js';
import { PullError } from '../../src/phases/images.js';
import { ResetError } from '../../src/phases/reset.js';
import { HostsFailedError } from '../../src/pipeline/runner.js';
import { CommandError } from '../../src/transport/host.js';
import { AuthenticationError, ConnectError, HostKeyError, SshConfigError } from '../../src/transport/ssh.js';
import { BootstrapError, errorCategory, HostError, isRetryable, UsageError } from '../../src/util/errors.js';
import { repoRoot } from '../helpers.js';

const distSrc = fileURLToPath(new URL('../../src/', import.meta.url));
const cli = join(distSrc, 'cli', 'main.js');

/** Runs the built `bootstrap` command with a home folder of its own, so nothing of the real ~/.ssh is read. */
function bootstrap(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'bootstrap-errors-home-'));
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, BOOTSTRAP_DEBUG: '', HOME: home, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** What reportError prints and returns for one error. */
function reported(error: unknown, env: NodeJS.ProcessEnv = {}): { code: number; text: string } {
  const lines: string[] = [];
  const code = reportError(error, env, (text) => lines.push(text));
  return { code, text: lines.join('\n') };
}

// ------------------------------------------------------------------------------------------ the CLI

test('cli: bad input exits 2 with the message only (an invalid inventory, an unknown command, a bad version)', async () => {
  const invalid = await bootstrap(['validate', join(repoRoot, 'test/inventory/malformed/bad-address.yaml')]);
  assert.equal(invalid.code, EXIT.usage, invalid.stderr);
  assert.match(invalid.stderr, /bad-address\.yaml:\d+:\d+: /);
  assert.doesNotMatch(invalid.stderr, /^error: |    at /m);

  const up = await bootstrap(['up', join(repoRoot, 'test/inventory/malformed/bad-address.yaml')]);
  assert.equal(up.code, EXIT.usage, up.stderr);
  assert.equal(up.stderr, invalid.stderr);

  const unknown = await bootstrap(['frobnicate']);
  assert.equal(unknown.code, EXIT.usage);
  assert.match(unknown.stderr, /^unknown command "frobnicate"/);

  const version = await bootstrap(['images', 'list', '--kubernetes-version', 'v1.2']);
  assert.equal(version.code, EXIT.usage, version.stderr);
  assert.doesNotMatch(version.stderr, /^error: |    at /m);
});

test('cli: a host that cannot be reached exits 1 with the message only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-errors-'));
  const port = await closedPort();
  const inventory = join(dir, 'inventory.yaml');
  writeFileSync(inventory, `cluster: { kubernetesVersion: v1.28.4 }
hosts:
  - { name: cp1, address: 127.0.0.1, roles: [control-plane], ssh: { port: ${port} } }
`);
  const result = await bootstrap(['hosts', 'trust', inventory, 'cp1', '--yes']);
  assert.equal(result.code, EXIT.failed, result.stderr);
  assert.equal(result.stderr, `cp1: cannot connect to [127.0.0.1]:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
});

test('cli: a failed system call on this machine exits 1 with the message only, not as a bug', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-errors-'));
  const inventory = join(dir, 'inventory.yaml');
  writeFileSync(inventory, 'cluster: { kubernetesVersion: v1.28.4 }\nhosts:\n  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }\n');
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  const result = await bootstrap(['render', inventory, '--out', join(file, 'out')]);
  assert.equal(result.code, EXIT.failed, result.stderr);
  assert.match(result.stderr, /^ENOTDIR: not a directory, \w+ '.*a-file\/out.*'\n$/);
});

// ---------------------------------------------------------------------------------- reportError

test('reportError: input exits 2 and host exits 1, each with its message alone, with or without BOOTSTRAP_DEBUG', () => {
  for (const env of [{}, { BOOTSTRAP_DEBUG: '1' }]) {
    assert.deepEqual(reported(new UsageError('--output must be text or json, not "xml"'), env), { code: 2, text: '--output must be text or json, not "xml"' });
    assert.deepEqual(reported(new VersionError('"1.2" is not a Kubernetes version'), env), { code: 2, text: '"1.2" is not a Kubernetes version' });
    const refused = new ConnectError('refused', 'cp1', 'cp1: cannot connect to 10.0.0.1: connect ECONNREFUSED 10.0.0.1:22', true);
    assert.deepEqual(reported(refused, env), { code: 1, text: refused.message });
    const failures = new HostsFailedError([{ host: 'w1', phase: 'images', error: new Error('1 of 3 image pull(s) failed on w1') }]);
    assert.deepEqual(reported(failures, env), { code: 1, text: failures.message });
  }
});

test('reportError: a bug (not a BootstrapError) exits 1 with "error: <message>" and a hint; its stack only with BOOTSTRAP_DEBUG=1', () => {
  let bug: unknown;
  try {
    (undefined as unknown as { spec: { name: string } }).spec.name;
  } catch (error) {
    bug = error;
  }
  assert.ok(bug instanceof TypeError);
  const plain = reported(bug);
  assert.equal(plain.code, EXIT.failed);
  assert.match(plain.text, /^error: Cannot read properties of undefined \(reading 'spec'\)\n.*bug.*BOOTSTRAP_DEBUG=1/);
  assert.doesNotMatch(plain.text, /    at /);
  for (const off of [{ BOOTSTRAP_DEBUG: '' }, { BOOTSTRAP_DEBUG: '0' }]) assert.deepEqual(reported(bug, off), plain);

  const debug = reported(bug, { BOOTSTRAP_DEBUG: '1' });
  assert.equal(debug.code, EXIT.failed);
  assert.equal(debug.text, (bug as Error).stack);
  assert.match(debug.text, /^TypeError: Cannot read properties of undefined[^]*\n    at /);

  // A plain Error and something thrown that is not an Error are bugs too.
  assert.equal(reported(new Error('unexpected')).code, EXIT.failed);
  assert.match(reported(new Error('unexpected')).text, /^error: unexpected\n/);
  assert.match(reported('a string').text, /^error: a string\n/);
});

// ------------------------------------------------------------------------------------ categories

test('categories and retryable: per class, and per instance where one class covers both', () => {
  const result = { code: 1, stdout: '', stderr: '' };
  const cases: [BootstrapError | Error, 'input' | 'host' | 'internal', boolean][] = [
    [new UsageError('x'), 'input', false],
    [new InventoryError([]), 'input', false],
    [new VersionError('x'), 'input', false],
    [new SshConfigError('x'), 'input', false],
    [new PreflightError('x'), 'host', false],
    [new PreflightError('--ignore-preflight-errors: x', 'input'), 'input', false],
    [new ResetError('x'), 'host', false],
    [new ResetError('refusing to empty x', 'input'), 'input', false],
    [new CommandError('h', ['crictl'], result), 'host', false],
    [new ConnectError('refused', 'h', 'x', true), 'host', true],
    [new ConnectError('closed', 'h', 'the SSH connection was lost'), 'host', false],
    [new AuthenticationError('h', 'root', [], 'x'), 'host', false],
    [new HostKeyError('changed', 'h', 'h', 'k', [], 'x'), 'host', false],
    [new PullError('i', { code: 1, stdout: '', stderr: 'received unexpected HTTP status: 503 Service Unavailable' }, 1000), 'host', true],
    [new PullError('i', { code: 1, stdout: '', stderr: 'not found' }, 1000), 'host', false],
    [new PullError('i', { code: -1, stdout: '', stderr: '', timedOut: true }, 1000), 'host', true],
    // A failed system call on this machine (a full disk, a path that cannot be written) is no bug.
    [Object.assign(new Error("ENOTDIR: not a directory, lstat '/tmp/file/out'"), { code: 'ENOTDIR', errno: -20, syscall: 'lstat' }), 'host', false],
    [Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:22'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' }), 'host', false],
    [Object.assign(new TypeError('The "path" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' }), 'internal', false],
    [new TypeError('x'), 'internal', false],
    [new Error('x'), 'internal', false],
  ];
  for (const [error, category, retryable] of cases) {
    assert.equal(errorCategory(error), category, `${error.name}: ${error.message}`);
    assert.equal(isRetryable(error), retryable, `${error.name}: ${error.message}`);
  }
  // Set per instance, as a subclass that knows can.
  class Flaky extends HostError {}
  assert.equal(new Flaky('x', { retryable: true }).retryable, true);
  assert.equal(new Flaky('x').retryable, false);
  const cause = new Error('inner');
  assert.equal(new Flaky('x', { cause }).cause, cause);
});

// ------------------------------------------------------------------------------ every error class

function modules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return modules(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

test('every error class exported from src/ is a BootstrapError', async () => {
  const checked: string[] = [];
  for (const path of modules(distSrc).sort()) {
    // The command's entry point runs it on import.
    if (path === cli) continue;
    const exported = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exported)) {
      if (!name.endsWith('Error') || typeof value !== 'function' || !/^class\b/.test(Function.prototype.toString.call(value))) continue;
      const where = `${path.slice(distSrc.length)}: ${name}`;
      assert.ok(value === BootstrapError || value.prototype instanceof BootstrapError, `${where} is not a BootstrapError`);
      checked.push(where);
    }
  }
  // The bases themselves, and each module's error classes (a module may re-export another's).
  assert.ok(checked.length >= 30, checked.join('\n'));
});

test('no class in src/ extends Error directly: unexported ones too', () => {
  const srcDir = join(repoRoot, 'src');
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/class (\w+) extends (\w+)/g)) {
          if (/^(Error|TypeError|RangeError)$/.test(m[2]!) && m[1] !== 'BootstrapError') offenders.push(`${path.slice(srcDir.length + 1)}: ${m[1]}`);
        }
      }
    }
  };
  walk(srcDir);
  assert.deepEqual(offenders, []);
});
