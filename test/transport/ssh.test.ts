/**
 * SshHost against Debian's real sshd (child processes on 127.0.0.1, see ssh-server.ts): authentication,
 * host key checks, commands, files, tunnels, a jump host and ~/.ssh/config. Nothing touches the real ~/.ssh:
 * every test passes its own home folder, known_hosts and config file.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AuthenticationError, ConnectError, HostKeyError, SshHost, trustHostKey } from '../../src/transport/ssh.js';
import type { SshConnectOptions } from '../../src/transport/ssh.js';
import { run } from '../../src/transport/host.js';
import { gone, requireSshTests, hostSpec, keygen, startSshd, tempDir, freePort } from './ssh-server.js';
import type { Sshd, KeyPair } from './ssh-server.js';

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

let dir: string;
let key: KeyPair;
let sshd: Sshd;
/** A home folder with no ~/.ssh, so default keys and config never come from the real user. */
let emptyHome: string;

before(async () => {
  requireSshTests();
  dir = tempDir('bootstrap-ssh-test-');
  emptyHome = tempDir('bootstrap-ssh-home-');
  key = keygen(dir, 'id_client');
  sshd = await startSshd({ authorized: [key.pub] });
});
after(() => sshd?.stop());

let counter = 0;
/** A fresh known_hosts path per test. */
const knownHosts = () => join(dir, `known_hosts.${++counter}`);
const base: SshConnectOptions = {};
const options = (extra: SshConnectOptions = {}): SshConnectOptions => ({ homeDir: emptyHome, sshConfigFile: null, agentSocket: '', ...base, ...extra });
/** The target host with its key pinned in the inventory. */
const pinned = (extra: Parameters<typeof hostSpec>[1] | object = {}) =>
  hostSpec('node1', { port: sshd.port, identityFile: key.path, knownHostsFile: knownHosts(), ...extra }, { hostKeys: [sshd.hostKey.pub] });

test('one connection serves commands, files, hashes and tunnels; timings', async () => {
  const acceptedBefore = sshd.accepted();
  const t0 = performance.now();
  const host = await SshHost.connect(pinned(), options());
  const connectMs = performance.now() - t0;
  try {
    const t1 = performance.now();
    assert.equal((await host.exec(['true'])).code, 0);
    const execMs = performance.now() - t1;

    const root = join(tempDir('bootstrap-ssh-files-'), 'etc', 'kubernetes');
    const files = Array.from({ length: 30 }, (_, i) => ({
      path: join(root, i % 2 ? 'pki' : 'manifests', `file-${i}.${i === 7 ? "it's odd" : 'yaml'}`),
      content: i === 3 ? Buffer.from([0, 255, 10, 13, 128, 0]) : `content ${i}\n`.repeat(100),
      mode: i % 2 ? 0o600 : 0o644,
    }));
    const t2 = performance.now();
    await host.writeFiles(files);
    const writeMs = performance.now() - t2;
    for (const f of files) {
      assert.deepEqual(readFileSync(f.path), Buffer.from(f.content));
      assert.equal(execFileSync('stat', ['-c', '%a', f.path], { encoding: 'utf8' }).trim(), f.mode.toString(8));
    }
    const read = await host.readFile(files[3]!.path);
    assert.deepEqual(read, Buffer.from([0, 255, 10, 13, 128, 0]));
    assert.equal(await host.readFile(join(root, 'absent')), undefined);
    const hashes = await host.hashFiles([files[7]!.path, files[8]!.path, join(root, 'absent')]);
    assert.deepEqual(new Map(hashes), new Map([[files[7]!.path, sha(files[7]!.content)], [files[8]!.path, sha(files[8]!.content)]]));
    assert.deepEqual(hashes.modes, new Map([[files[7]!.path, files[7]!.mode], [files[8]!.path, files[8]!.mode]]));

    // Several commands at once share the connection too (more than sshd's MaxSessions of 10).
    const many = await Promise.all(Array.from({ length: 25 }, (_, i) => host.exec(['sh', '-c', 'sleep 0.1; echo $1', 'sh', String(i)])));
    assert.deepEqual(many.map((r) => r.stdout), Array.from({ length: 25 }, (_, i) => `${i}\n`));

    const echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const stream = await host.connect((echo.address() as AddressInfo).port);
    const answer = await new Promise<string>((resolve) => {
      stream.once('data', (d: Buffer) => resolve(d.toString()));
      stream.write('ping through the tunnel');
    });
    assert.equal(answer, 'ping through the tunnel');
    stream.destroy();
    echo.close();

    assert.equal(sshd.accepted() - acceptedBefore, 1, 'exactly one login for all of the above');
    console.log(`timings: connect ${connectMs.toFixed(0)} ms, exec round trip ${execMs.toFixed(1)} ms, 30 files in one batch ${writeMs.toFixed(0)} ms`);
  } finally {
    await host.close();
  }
});

test('exec: argv arrives unchanged, stdin, exit codes, timeouts and abort', async () => {
  const host = await SshHost.connect(pinned(), options());
  try {
    const hostile = `bar"";baz!$#^$'&*`;
    const weird = [hostile, '', ' spaced  out ', '$(id)', '`id`', 'a\nb', '*', '~root', "'", '--'];
    const r = await host.exec(['sh', '-c', 'for a do printf "[%s]" "$a"; done; cat', 'sh', ...weird], { stdin: 'from stdin\n' });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, weird.map((w) => `[${w}]`).join('') + 'from stdin\n');

    const binaryIn = Buffer.from([0, 1, 2, 255]);
    assert.equal((await host.exec(['sh', '-c', 'od -An -tx1 | tr -d " \\n"'], { stdin: binaryIn })).stdout, '000102ff');

    const failed = await host.exec(['sh', '-c', 'echo out; echo oops >&2; exit 42']);
    assert.deepEqual(failed, { code: 42, stdout: 'out\n', stderr: 'oops\n' });
    await assert.rejects(run(host, ['sh', '-c', 'echo broken >&2; exit 3']), /node1: sh exited 3: broken/);

    const marker = `${Date.now() % 100000}.123`;
    const t0 = performance.now();
    const slow = await host.exec(['sleep', marker], { timeoutMs: 300 });
    assert.equal(slow.code, -1);
    assert.equal(slow.timedOut, true);
    assert.ok(performance.now() - t0 < 3000);
    assert.equal(await gone(host, marker), true, 'the timed-out command was terminated');

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const aborted = await host.exec(['sleep', '20'], { signal: controller.signal });
    assert.equal(aborted.code, -1);
    assert.equal(aborted.timedOut, undefined);
    // The connection is still fine afterwards.
    assert.equal((await host.exec(['echo', 'still here'])).stdout, 'still here\n');
  } finally {
    await host.close();
  }
});

test('exec on a terminal: stdin typed in without echo, stderr with stdout, plain line ends; a timeout still stops it', async () => {
  const host = await SshHost.connect(pinned(), options());
  try {
    // What crictl --username does: a prompt, then a password read from the terminal (and only from one).
    const script = 'test -t 0 || { echo "not a terminal" >&2; exit 9; }; printf "Enter Password:"; IFS= read -r p; printf "\\ngot %s chars\\n" "${#p}"; echo to-stderr >&2';
    const r = await host.exec(['sh', '-c', script], { stdin: 'hunter2-secret\n', terminal: true });
    assert.deepEqual(r, { code: 0, stdout: 'Enter Password:\ngot 14 chars\nto-stderr\n', stderr: '' });
    assert.ok(!r.stdout.includes('hunter2'), 'the password was echoed');
    // Without a terminal the same script refuses, as crictl does.
    assert.equal((await host.exec(['sh', '-c', script], { stdin: 'x\n' })).code, 9);

    const marker = `${Date.now() % 100000}.456`;
    const slow = await host.exec(['sleep', marker], { timeoutMs: 300, terminal: true });
    assert.equal(slow.timedOut, true);
    assert.equal(slow.stdout, '');
    assert.equal(await gone(host, marker), true, 'the timed-out command was terminated');
  } finally {
    await host.close();
  }
});

test('encrypted key: the passphrase is asked through the prompt', async () => {
  const encrypted = keygen(dir, 'id_encrypted', { passphrase: 'correct horse' });
  sshd.authorize(encrypted.pub);
  const questions: string[] = [];
  const prompt = async (question: string, secret: boolean) => {
    questions.push(`${secret}:${question}`);
    return 'correct horse';
  };
  const host = await SshHost.connect(pinned({ identityFile: encrypted.path }), options({ prompt }));
  assert.equal((await host.exec(['whoami'])).stdout, 'root\n');
  await host.close();
  assert.deepEqual(questions, [`true:Enter passphrase for key '${encrypted.path}': `]);

  // Without a prompt (not interactive) the key is skipped and the error says why.
  await assert.rejects(SshHost.connect(pinned({ identityFile: encrypted.path }), options()), (err: unknown) => {
    assert.ok(err instanceof AuthenticationError);
    assert.match(err.message, /encrypted, no prompt/);
    return true;
  });
});

test('ssh-agent: keys held by a running agent log in', async () => {
  const agentKey = keygen(dir, 'id_agent', { type: 'ecdsa' });
  sshd.authorize(agentKey.pub);
  const socket = join(tempDir('bootstrap-agent-'), 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
    execFileSync('ssh-add', ['-q', agentKey.path], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    const host = await SshHost.connect(pinned({ identityFile: undefined, agent: true }), options({ agentSocket: socket }));
    assert.equal((await host.exec(['echo', 'via agent'])).stdout, 'via agent\n');
    await host.close();
    // With the agent disabled in the inventory the same setup has no credential left.
    await assert.rejects(SshHost.connect(pinned({ identityFile: undefined, agent: false }), options({ agentSocket: socket })), AuthenticationError);
  } finally {
    agent.kill();
  }
});

test('default keys under ~/.ssh are tried when no identity file is set', async () => {
  const home = tempDir('bootstrap-ssh-home-');
  execFileSync('mkdir', ['-p', join(home, '.ssh')]);
  execFileSync('cp', [key.path, join(home, '.ssh', 'id_ed25519')]);
  const host = await SshHost.connect(pinned({ identityFile: undefined }), options({ homeDir: home }));
  assert.equal((await host.exec(['echo', 'ok'])).stdout, 'ok\n');
  await host.close();
});

test('a wrong key fails with AuthenticationError, once, without retrying', async () => {
  const stranger = keygen(dir, 'id_stranger');
  const connectionsBefore = sshd.connections();
  await assert.rejects(SshHost.connect(pinned({ identityFile: stranger.path }), options()), (err: unknown) => {
    assert.ok(err instanceof AuthenticationError);
    assert.equal(err.retryable, false);
    assert.equal(err.user, 'root');
    assert.equal(err.message, `node1: authentication as root failed at [127.0.0.1]:${sshd.port} (tried: key ${stranger.path} (ssh-ed25519 ${stranger.fingerprint}); the server accepts: publickey)`);
    return true;
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(sshd.connections() - connectionsBefore, 1);
  assert.doesNotMatch(sshd.log(), /Too many authentication failures|maximum authentication attempts exceeded/);
});

test('a missing identity file is named in the error', async () => {
  await assert.rejects(SshHost.connect(pinned({ identityFile: join(dir, 'nope') }), options()),
    (err: unknown) => err instanceof AuthenticationError && err.message.includes(`key ${join(dir, 'nope')} (not found)`));
});

test('unknown host: refused, or recorded in known_hosts with acceptNewHostKeys', async () => {
  const file = knownHosts();
  const spec = hostSpec('node1', { port: sshd.port, identityFile: key.path, knownHostsFile: file });
  await assert.rejects(SshHost.connect(spec, options({ inventoryFile: 'lab.yaml' })), (err: unknown) => {
    assert.ok(err instanceof HostKeyError);
    assert.equal(err.kind, 'unknown');
    assert.equal(err.retryable, false);
    assert.equal(err.presented, sshd.hostKey.fingerprint);
    assert.match(err.message, new RegExp(`^node1 \\(\\[127\\.0\\.0\\.1\\]:${sshd.port}\\): unknown host key ssh-ed25519 ${sshd.hostKey.fingerprint.replace(/[+/]/g, '\\$&')} `));
    assert.match(err.message, /bootstrap hosts trust lab\.yaml node1/);
    return true;
  });
  assert.equal(existsSync(file), false);

  const lines: string[] = [];
  const host = await SshHost.connect(spec, options({ acceptNewHostKeys: true, log: (l) => lines.push(l) }));
  await host.close();
  assert.equal(readFileSync(file, 'utf8'), `[127.0.0.1]:${sshd.port} ${sshd.hostKey.pub}\n`);
  assert.ok(lines.includes(`node1: added ssh-ed25519 ${sshd.hostKey.fingerprint} for [127.0.0.1]:${sshd.port} to ${file}`));
  // OpenSSH itself agrees with the entry.
  assert.match(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', file], { encoding: 'utf8' }), /found: line 1/);
  // From now on the host is known, without accepting anything.
  await (await SshHost.connect(spec, options())).close();
});

test('acceptNewHostKeys can write hashed entries that OpenSSH reads', async () => {
  const file = knownHosts();
  const spec = hostSpec('node1', { port: sshd.port, identityFile: key.path, knownHostsFile: file });
  await (await SshHost.connect(spec, options({ acceptNewHostKeys: true, hashKnownHosts: true }))).close();
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
  assert.ok(!text.includes('127.0.0.1'));
  assert.match(execFileSync('ssh-keygen', ['-F', `[127.0.0.1]:${sshd.port}`, '-f', file], { encoding: 'utf8' }), /found: line 1/);
  await (await SshHost.connect(spec, options())).close();
});

test('known_hosts hashed by ssh-keygen -H, in comma lists and with wildcards are understood', async () => {
  const hostKey = sshd.hostKey.pub;
  const ca = '@cert-authority * ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
  for (const entry of [`other,[127.0.0.1]:${sshd.port} ${hostKey}`, `[127.0.0.?]:${sshd.port} ${hostKey}`, 'hashed']) {
    const file = knownHosts();
    if (entry === 'hashed') {
      writeFileSync(file, `[127.0.0.1]:${sshd.port} ${hostKey}\n`);
      execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
      assert.match(readFileSync(file, 'utf8'), /^\|1\|/);
    } else {
      writeFileSync(file, `# comment\n${ca}\n${entry}\n`);
    }
    await (await SshHost.connect(hostSpec('node1', { port: sshd.port, identityFile: key.path, knownHostsFile: file }), options())).close();
  }
});

test('a changed host key is refused naming the host, both fingerprints and the re-pin command', async () => {
  const other = keygen(dir, `old_host_key_${counter}`);
  const file = knownHosts();
  writeFileSync(file, `[127.0.0.1]:${sshd.port} ${other.pub}\n`);
  const before = sshd.accepted();
  const spec = hostSpec('cp-1', { port: sshd.port, identityFile: key.path, knownHostsFile: file });
  await assert.rejects(SshHost.connect(spec, options({ inventoryFile: 'inventory.yaml', acceptNewHostKeys: true })), (err: unknown) => {
    assert.ok(err instanceof HostKeyError);
    assert.equal(err.kind, 'changed');
    assert.equal(err.retryable, false);
    assert.equal(err.presented, sshd.hostKey.fingerprint);
    assert.deepEqual(err.expected, [other.fingerprint]);
    assert.equal(err.message,
      `cp-1 ([127.0.0.1]:${sshd.port}): HOST KEY CHANGED. Expected ${other.fingerprint} (from ${file}), the host presented ssh-ed25519 ${sshd.hostKey.fingerprint}. ` +
      'Someone may be intercepting the connection, or the machine was reprovisioned. If you know it was, re-pin its key with ' +
      '`bootstrap hosts trust inventory.yaml cp-1`');
    return true;
  });
  assert.equal(sshd.accepted(), before, 'no credential was accepted');
  assert.equal(readFileSync(file, 'utf8'), `[127.0.0.1]:${sshd.port} ${other.pub}\n`, 'known_hosts untouched');

  // A key pinned in the inventory wins over known_hosts, both ways.
  await (await SshHost.connect(hostSpec('cp-1', { port: sshd.port, identityFile: key.path, knownHostsFile: file }, { hostKeys: [sshd.hostKey.pub] }), options())).close();
  await assert.rejects(SshHost.connect(hostSpec('cp-1', { port: sshd.port, identityFile: key.path, knownHostsFile: knownHosts() }, { hostKeys: [other.pub] }), options()),
    (err: unknown) => err instanceof HostKeyError && err.kind === 'changed' && err.message.includes('(from the inventory)'));
});

test('a @revoked key is refused', async () => {
  const file = knownHosts();
  writeFileSync(file, `@revoked * ${sshd.hostKey.pub}\n[127.0.0.1]:${sshd.port} ${sshd.hostKey.pub}\n`);
  await assert.rejects(SshHost.connect(hostSpec('node1', { port: sshd.port, identityFile: key.path, knownHostsFile: file }), options()),
    (err: unknown) => err instanceof HostKeyError && err.kind === 'revoked');
});

test('trustHostKey fetches the presented key without logging in', async () => {
  const before = sshd.accepted();
  const trusted = await trustHostKey(hostSpec('node1', { port: sshd.port, knownHostsFile: knownHosts() }), options());
  assert.deepEqual(trusted, { fingerprint: sshd.hostKey.fingerprint, key: sshd.hostKey.pub });
  assert.equal(sshd.accepted(), before);
});

test('connection failures are ConnectErrors: refused and timeout', async () => {
  const closedPort = await freePort();
  await assert.rejects(SshHost.connect(pinned({ port: closedPort }), options()), (err: unknown) => {
    assert.ok(err instanceof ConnectError);
    assert.equal(err.kind, 'refused');
    assert.equal(err.retryable, true);
    assert.match(err.message, new RegExp(`^node1: cannot connect to \\[127\\.0\\.0\\.1\\]:${closedPort}: .*ECONNREFUSED`));
    return true;
  });
  // A server that accepts TCP but never speaks SSH.
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const t0 = performance.now();
  await assert.rejects(SshHost.connect(pinned({ port: (silent.address() as AddressInfo).port, connectTimeoutMs: 400 }), options()), (err: unknown) => {
    assert.ok(err instanceof ConnectError);
    assert.equal(err.kind, 'timeout');
    assert.match(err.message, /no SSH connection to root@\[127\.0\.0\.1\]:\d+ within 0\.4s/);
    return true;
  });
  assert.ok(performance.now() - t0 < 2000);
  silent.close();
});

test('a lost connection fails later commands with a clear message', async () => {
  // A TCP relay in front of sshd that this test can cut, as a rebooting host would.
  const sockets = new Set<import('node:net').Socket>();
  const relay = createServer((inbound) => {
    const outbound = connect(sshd.port, '127.0.0.1');
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => {});
    outbound.on('error', () => {});
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const relayPort = (relay.address() as AddressInfo).port;
  const spec = hostSpec('node9', { port: relayPort, identityFile: key.path, knownHostsFile: knownHosts() }, { hostKeys: [sshd.hostKey.pub] });
  const host = await SshHost.connect(spec, options());
  const running = host.exec(['sleep', '5']);
  await new Promise((r) => setTimeout(r, 200));
  for (const socket of sockets) socket.destroy();
  relay.close();
  await assert.rejects(running, (err: unknown) => err instanceof ConnectError && err.kind === 'closed' && /^node9: the SSH connection to \w+@127\.0\.0\.1:\d+ was lost$/.test(err.message));
  await assert.rejects(host.exec(['true']), (err: unknown) => err instanceof ConnectError && /^node9: the SSH connection to \w+@127\.0\.0\.1:\d+ was lost$/.test(err.message));
  await host.close();
});

test('a host known only by its RSA key is asked for that key type, not refused as changed', async () => {
  const rsa = keygen(tempDir('bootstrap-rsa-host-'), 'ssh_host_rsa_key', { type: 'rsa' });
  const both = await startSshd({ authorized: [key.pub], extra: [`HostKey ${rsa.path}`] });
  try {
    const file = knownHosts();
    writeFileSync(file, `[127.0.0.1]:${both.port} ${rsa.pub}\n`);
    const spec = hostSpec('node1', { port: both.port, identityFile: key.path, knownHostsFile: file });
    const host = await SshHost.connect(spec, options());
    await host.close();
    // The same server presents its ed25519 key by preference when nothing is known, and the RSA key when that
    // is the one on record (so a re-pin fetches the key type that will be checked).
    const fresh = await trustHostKey(hostSpec('node1', { port: both.port, knownHostsFile: knownHosts() }), options());
    assert.equal(fresh.fingerprint, both.hostKey.fingerprint);
    assert.equal((await trustHostKey(spec, options())).fingerprint, rsa.fingerprint);
  } finally {
    await both.stop();
  }
});

test('keep-alives notice a peer that went silent without closing', async () => {
  // A relay that can stop forwarding in both directions while keeping both sockets open, like a dead link.
  let frozen = false;
  const relay = createServer((inbound) => {
    const outbound = connect(sshd.port, '127.0.0.1');
    inbound.on('data', (d: Buffer) => frozen || outbound.write(d));
    outbound.on('data', (d: Buffer) => frozen || inbound.write(d));
    inbound.on('error', () => {});
    outbound.on('error', () => {});
    relay.once('close', () => (inbound.destroy(), outbound.destroy()));
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const spec = hostSpec('node8', { port: (relay.address() as AddressInfo).port, identityFile: key.path, knownHostsFile: knownHosts() }, { hostKeys: [sshd.hostKey.pub] });
  const lines: string[] = [];
  const host = await SshHost.connect(spec, options({ keepaliveIntervalMs: 150, log: (l) => lines.push(l) }));
  assert.equal((await host.exec(['echo', 'alive'])).stdout, 'alive\n');
  frozen = true;
  const t0 = performance.now();
  const hanging = host.exec(['echo', 'never answered']);
  await assert.rejects(hanging, (err: unknown) => err instanceof ConnectError && /^node8: the SSH connection to \w+@127\.0\.0\.1:\d+ was lost: no answer to 3 keep-alives sent every 0\.15s$/.test(err.message));
  const ms = performance.now() - t0;
  assert.ok(ms < 3000, `noticed after ${ms} ms`);
  assert.ok(lines.includes('node8: Keepalive timeout'), lines.join('\n'));
  await host.close();
  relay.close();
});
