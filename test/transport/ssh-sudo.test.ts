/**
 * sudo for non-root SSH users, against a real sshd and Debian's real sudo. Needs root to create two
 * throw-away users (one with passwordless sudo, one that must type a password) and their sudoers rule;
 * both are removed at the end.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthenticationError, SshHost, SudoError } from '../../src/transport/ssh.js';
import type { SshConnectOptions } from '../../src/transport/ssh.js';
import { gone, requireSshTests, hostSpec, keygen, startSshd, tempDir } from './ssh-server.js';
import type { Sshd, KeyPair } from './ssh-server.js';


const suffix = String(process.pid % 100000);
const nopw = `bsnopw${suffix}`;
const withpw = `bspw${suffix}`;
const password = `pw-${Math.random().toString(36).slice(2)}-Secret`;
const sudoers = `/etc/sudoers.d/bootstrap-test-${suffix}`;

let dir: string;
let key: KeyPair;
let sshd: Sshd;
/** A folder only root can enter: writing there needs sudo. */
let rootOnly: string;

/** The users and sudoers rule exist: after() removes them. */
let created = false;

before(async () => {
  requireSshTests();
  dir = tempDir('bootstrap-sudo-test-');
  chmodSync(dir, 0o755);
  key = keygen(dir, 'id_user');
  chmodSync(key.path, 0o600);
  for (const user of [nopw, withpw]) {
    execFileSync('useradd', ['-M', '-d', '/nonexistent', '-s', '/bin/sh', user]);
    // sshd refuses locked accounts: give both a password, only one is ever asked for it.
    execFileSync('chpasswd', { input: `${user}:${password}\n` });
  }
  created = true;
  writeFileSync(sudoers, `${nopw} ALL=(ALL) NOPASSWD: ALL\n${withpw} ALL=(ALL) ALL\n`, { mode: 0o440 });
  execFileSync('visudo', ['-c', '-q', '-f', sudoers]);
  sshd = await startSshd({ authorized: [key.pub] });
  rootOnly = tempDir('bootstrap-sudo-root-');
  chmodSync(rootOnly, 0o700);
  writeFileSync(join(rootOnly, 'secret'), 'root only\n', { mode: 0o600 });
});

after(async () => {
  await sshd?.stop();
  if (!created) return;
  rmSync(sudoers, { force: true });
  for (const user of [nopw, withpw]) execFileSync('userdel', ['-f', user], { stdio: 'ignore' });
});

const options = (extra: SshConnectOptions = {}): SshConnectOptions => ({ homeDir: dir, sshConfigFile: null, agentSocket: '', ...extra });
const spec = (user: string, sudo = true) =>
  hostSpec('node1', { user, sudo, port: sshd.port, identityFile: key.path, knownHostsFile: join(dir, 'known_hosts') }, { hostKeys: [sshd.hostKey.pub] });

test('passwordless sudo: commands and file operations run as root', async () => {
  const host = await SshHost.connect(spec(nopw), options());
  try {
    const t0 = performance.now();
    const plain = await host.exec(['id', '-un'], { sudo: false });
    const execMs = performance.now() - t0;
    assert.equal(plain.stdout, `${nopw}\n`);
    assert.equal((await host.exec(['id', '-un'])).stdout, 'root\n');
    const target = join(rootOnly, 'etc', 'kubernetes', 'admin.conf');
    await host.writeFiles([{ path: target, content: 'apiVersion: v1\n', mode: 0o600 }]);
    assert.equal(readFileSync(target, 'utf8'), 'apiVersion: v1\n');
    assert.equal(execFileSync('stat', ['-c', '%U %a', target], { encoding: 'utf8' }).trim(), 'root 600');
    assert.equal((await host.readFile(join(rootOnly, 'secret')))?.toString(), 'root only\n');
    assert.equal((await host.hashFiles([target])).size, 1);
    // Without sudo the same file is out of reach.
    assert.equal((await host.exec(['cat', join(rootOnly, 'secret')], { sudo: false })).code, 1);
    console.log(`timings: exec round trip for a /bin/sh user ${execMs.toFixed(1)} ms`);
  } finally {
    await host.close();
  }
});

test('sudo with a password: asked once, fed on stdin ahead of the command input, never shown', async () => {
  const questions: string[] = [];
  const lines: string[] = [];
  const prompt = async (question: string, secret: boolean) => {
    questions.push(`${secret}:${question}`);
    return password;
  };
  const host = await SshHost.connect(spec(withpw), options({ prompt, log: (l) => lines.push(l) }));
  try {
    assert.equal((await host.exec(['id', '-u'])).stdout, '0\n');
    // The command's own stdin arrives intact after sudo took the password line.
    const echoed = await host.exec(['sh', '-c', 'cat; echo "[$1]"', 'sh', 'arg'], { stdin: 'line one\nline two\n' });
    assert.equal(echoed.stdout, 'line one\nline two\n[arg]\n');
    const empty = await host.exec(['sh', '-c', 'wc -c']);
    assert.equal(empty.stdout.trim(), '0', 'nothing of the password line is left for a command without stdin');
    // While a sudo command runs, no process on the machine shows the password in its command line.
    const running = host.exec(['sleep', '1']);
    await new Promise((r) => setTimeout(r, 300));
    const cmdlines = await host.exec(['sh', '-c', 'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "']);
    assert.ok(cmdlines.stdout.includes('sudo -S -k -p  -- sleep 1'), 'the sudo command is visible, as a check of this check');
    assert.ok(!cmdlines.stdout.includes(password));
    await running;
    // Even a command that prints its input back cannot leak it through the result.
    const leaked = await host.exec(['sh', '-c', `echo ${password}`]);
    assert.equal(leaked.stdout, '********\n');
    await host.writeFiles([{ path: join(rootOnly, 'pw', 'file'), content: 'x', mode: 0o640 }]);
    assert.equal(readFileSync(join(rootOnly, 'pw', 'file'), 'utf8'), 'x');
    // A timed-out command run as root is stopped too.
    const marker = `${process.pid % 1000}.4321`;
    const slow = await host.exec(['sleep', marker], { timeoutMs: 300 });
    assert.deepEqual([slow.code, slow.timedOut], [-1, true]);
    assert.equal(await gone(host, marker), true, 'the timed-out root command was terminated');
  } finally {
    await host.close();
  }
  assert.deepEqual(questions, [`true:[sudo] password for ${withpw} on node1: `]);
  assert.ok(!lines.join('\n').includes(password));
});

test('a wrong sudo password fails every command with SudoError, asking only once', async () => {
  let asked = 0;
  const host = await SshHost.connect(spec(withpw), options({ prompt: async () => (asked++, 'not-the-password') }));
  try {
    for (let i = 0; i < 2; i++) {
      await assert.rejects(host.exec(['true']), (err: unknown) => {
        assert.ok(err instanceof SudoError);
        assert.equal(err.retryable, false);
        assert.match(err.message, new RegExp(`^node1: sudo refused ${withpw}'s password \\(.+\\)$`));
        assert.ok(!err.message.includes('not-the-password'));
        return true;
      });
    }
    assert.equal(asked, 1);
    assert.equal((await host.exec(['id', '-un'], { sudo: false })).stdout, `${withpw}\n`);
  } finally {
    await host.close();
  }
});

test('without a prompt, sudo that needs a password is a clear error', async () => {
  const host = await SshHost.connect(spec(withpw), options());
  try {
    await assert.rejects(host.exec(['true']), (err: unknown) =>
      err instanceof SudoError && err.message === `node1: sudo needs a password for ${withpw} (sudo: a password is required); allow it without one (NOPASSWD) or run interactively to be asked once`);
  } finally {
    await host.close();
  }
});

test('a root login never wraps commands in sudo', async () => {
  sshd.authorize(key.pub);
  const host = await SshHost.connect(spec('root'), options());
  try {
    const r = await host.exec(['sh', '-c', 'cat /proc/$PPID/cmdline | tr "\\0" " "; id -u']);
    assert.doesNotMatch(r.stdout, /sudo/);
    assert.match(r.stdout, /0\n$/);
  } finally {
    await host.close();
  }
});

test('password login: asked through the prompt once, only when no key works, never logged', async () => {
  const passwordSshd = await startSshd({ extra: ['PasswordAuthentication yes'] });
  try {
    const questions: string[] = [];
    const lines: string[] = [];
    const prompt = async (question: string, secret: boolean) => {
      questions.push(`${secret}:${question}`);
      return password;
    };
    const login = hostSpec('node1', { user: withpw, sudo: true, port: passwordSshd.port, knownHostsFile: join(dir, 'known_hosts') }, { hostKeys: [passwordSshd.hostKey.pub] });
    const host = await SshHost.connect(login, options({ prompt, log: (l) => lines.push(l), homeDir: tempDir('bootstrap-nokeys-') }));
    assert.equal((await host.exec(['id', '-un'], { sudo: false })).stdout, `${withpw}\n`);
    // sudo reuses nothing from the login: it asks for its own password, once.
    assert.equal((await host.exec(['id', '-u'])).stdout, '0\n');
    await host.close();
    assert.deepEqual(questions, [`true:${withpw}@127.0.0.1's password: `, `true:[sudo] password for ${withpw} on node1: `]);
    assert.match(passwordSshd.log(), new RegExp(`Accepted password for ${withpw} from 127\\.0\\.0\\.1`));
    assert.ok(!lines.join('\n').includes(password));
    // Without a prompt there is nothing to try.
    await assert.rejects(SshHost.connect(login, options({ homeDir: tempDir('bootstrap-nokeys-') })), (err: unknown) =>
      err instanceof AuthenticationError && err.message.endsWith('(tried: no usable credential (no key file, agent or prompt); the server accepts: publickey, password)'));
  } finally {
    await passwordSshd.stop();
  }
});
