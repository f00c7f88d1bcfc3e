/**
 * Jump hosts and ~/.ssh/config against two real sshd processes: the jump host accepts only its own key and
 * the target accepts only the target's, so each connection must use the right credentials and host key.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthenticationError, ConnectError, HostKeyError, SshHost, trustHostKey, resolveRoute } from '../../src/transport/ssh.js';
import type { SshConnectOptions } from '../../src/transport/ssh.js';
import type { BastionSettings } from '../../src/inventory/types.js';
import { requireSshTests, hostSpec, keygen, startSshd, tempDir, freePort } from './ssh-server.js';
import type { Sshd, KeyPair } from './ssh-server.js';


let dir: string;
let targetKey: KeyPair;
let jumpKey: KeyPair;
let target: Sshd;
let jump: Sshd;

before(async () => {
  requireSshTests();
  dir = tempDir('bootstrap-bastion-test-');
  targetKey = keygen(dir, 'id_target');
  jumpKey = keygen(dir, 'id_jump', { type: 'ecdsa' });
  target = await startSshd({ authorized: [targetKey.pub] });
  // DEBUG1 logs each direct-tcpip request, which shows the target was reached through the jump host.
  jump = await startSshd({ authorized: [jumpKey.pub], logLevel: 'DEBUG1' });
});
after(async () => {
  await target?.stop();
  await jump?.stop();
});

const options = (extra: SshConnectOptions = {}): SshConnectOptions => ({ homeDir: tempDir('bootstrap-home-'), sshConfigFile: null, agentSocket: '', ...extra });
let counter = 0;
const knownHosts = () => join(dir, `known_hosts.${++counter}`);

function bastion(extra: Partial<BastionSettings> = {}): BastionSettings {
  return { address: '127.0.0.1', port: jump.port, user: 'root', identityFile: jumpKey.path, agent: false, hostKeys: [jump.hostKey.pub], ...extra };
}

const forwardedTo = (port: number) => (jump.log().match(new RegExp(`server_request_direct_tcpip: .*, target 127\\.0\\.0\\.1 port ${port}\\r?\\n`, 'g')) ?? []).length;

test('through an inventory bastion: its own user, key and pinned host key; one login on each', async () => {
  const before = { target: target.accepted(), jump: jump.accepted(), forwards: forwardedTo(target.port) };
  const spec = hostSpec('node1', { port: target.port, identityFile: targetKey.path, knownHostsFile: knownHosts(), bastion: bastion() }, { hostKeys: [target.hostKey.pub] });
  const lines: string[] = [];
  const host = await SshHost.connect(spec, options({ log: (l) => lines.push(l) }));
  try {
    assert.equal((await host.exec(['echo', 'hello from behind'])).stdout, 'hello from behind\n');
    await host.writeFiles([{ path: join(tempDir('bootstrap-bastion-files-'), 'a', 'b.txt'), content: 'x', mode: 0o644 }]);
    assert.equal((await host.exec(['true'])).code, 0);
  } finally {
    await host.close();
  }
  assert.equal(target.accepted() - before.target, 1);
  assert.equal(jump.accepted() - before.jump, 1);
  assert.equal(forwardedTo(target.port) - before.forwards, 1, 'the target was reached through one tunnel of the jump host');
  assert.match(jump.log(), new RegExp(`Accepted publickey for root from 127\\.0\\.0\\.1 port \\d+ ssh2: ECDSA ${jumpKey.fingerprint.replace(/[+/]/g, '\\$&')}`));
  assert.deepEqual(lines.map((l) => l.replace(/\(key .*\)$/, '(key)')), [
    `jump host 127.0.0.1 of node1: connected to root@[127.0.0.1]:${jump.port} (key)`,
    `node1: connected to root@[127.0.0.1]:${target.port} through jump host 127.0.0.1 of node1 (key)`,
  ]);
});

test('the bastion host key is checked on its own: unknown or changed is refused before the target is tried', async () => {
  const before = target.connections();
  const unknown = hostSpec('node1', { port: target.port, identityFile: targetKey.path, knownHostsFile: knownHosts(), bastion: bastion({ hostKeys: [] }) }, { hostKeys: [target.hostKey.pub] });
  await assert.rejects(SshHost.connect(unknown, options()), (err: unknown) => {
    assert.ok(err instanceof HostKeyError);
    assert.equal(err.kind, 'unknown');
    assert.equal(err.host, 'jump host 127.0.0.1 of node1');
    return true;
  });
  const changed = hostSpec('node1', { port: target.port, identityFile: targetKey.path, knownHostsFile: knownHosts(), bastion: bastion({ hostKeys: [target.hostKey.pub] }) }, { hostKeys: [target.hostKey.pub] });
  await assert.rejects(SshHost.connect(changed, options()), (err: unknown) => {
    assert.ok(err instanceof HostKeyError);
    assert.equal(err.kind, 'changed');
    assert.deepEqual(err.expected, [target.hostKey.fingerprint]);
    assert.equal(err.presented, jump.hostKey.fingerprint);
    assert.match(err.message, /^jump host 127\.0\.0\.1 of node1 \(\[127\.0\.0\.1\]:\d+\): HOST KEY CHANGED/);
    return true;
  });
  assert.equal(target.connections(), before);
});

test('the bastion uses its own key, not the node key', async () => {
  // The node key is not authorized on the jump host: using it there fails, and says where.
  const spec = hostSpec('node1', { port: target.port, identityFile: targetKey.path, knownHostsFile: knownHosts(), bastion: bastion({ identityFile: targetKey.path }) }, { hostKeys: [target.hostKey.pub] });
  await assert.rejects(SshHost.connect(spec, options()), (err: unknown) => {
    assert.ok(err instanceof AuthenticationError);
    assert.equal(err.host, 'jump host 127.0.0.1 of node1');
    assert.match(err.message, new RegExp(`^jump host 127\\.0\\.0\\.1 of node1: authentication as root failed at \\[127\\.0\\.0\\.1\\]:${jump.port}`));
    return true;
  });
});

test('~/.ssh/config: alias with HostName, Port, User, IdentityFile and ProxyJump to another alias', async () => {
  const config = join(dir, `ssh_config.${++counter}`);
  const known = knownHosts();
  writeFileSync(config, [
    '# the way users write it',
    'Host cp-? !cp-9',
    '  IdentityFile ' + targetKey.path,
    '  User root',
    'Host cp-1',
    '  HostName 127.0.0.1',
    `  Port=${target.port}`,
    '  ProxyJump jumpbox',
    '  ForwardAgent yes',
    'Host jumpbox',
    '  HostName 127.0.0.1',
    `  Port ${jump.port}`,
    '  User root',
    `  IdentityFile "${jumpKey.path}"`,
    // As for ssh, the inventory's knownHostsFile (ssh's -o UserKnownHostsFile) does not reach the jump host.
    `  UserKnownHostsFile ${known}`,
    'Match host *',
    '  Port 1',
    '',
  ].join('\n'));
  writeFileSync(known, `[127.0.0.1]:${target.port} ${target.hostKey.pub}\n[127.0.0.1]:${jump.port} ${jump.hostKey.pub}\n`);
  const spec = hostSpec('cp-1', { knownHostsFile: known }, { address: 'cp-1' });
  const route = resolveRoute(spec, options({ sshConfigFile: config }));
  assert.equal(route.target.address, '127.0.0.1');
  assert.equal(route.target.port, target.port);
  assert.deepEqual(route.target.identityFiles, [targetKey.path]);
  assert.equal(route.jumps[0]?.port, jump.port);
  assert.deepEqual(route.jumps[0]?.identityFiles, [jumpKey.path]);

  const before = { target: target.accepted(), jump: jump.accepted(), forwards: forwardedTo(target.port) };
  const host = await SshHost.connect(spec, options({ sshConfigFile: config }));
  assert.equal((await host.exec(['echo', 'via alias'])).stdout, 'via alias\n');
  await host.close();
  assert.equal(target.accepted() - before.target, 1);
  assert.equal(jump.accepted() - before.jump, 1);
  assert.equal(forwardedTo(target.port) - before.forwards, 1);
});

test('~/.ssh/config: the inventory wins where it sets a value', async () => {
  const config = join(dir, `ssh_config.${++counter}`);
  const closed = await freePort();
  writeFileSync(config, `Host direct\n  HostName 127.0.0.1\n  Port ${closed}\n  IdentityFile ${jumpKey.path}\n`);
  // Port and identity file come from the inventory; HostName from the config.
  const spec = hostSpec('direct', { port: target.port, identityFile: targetKey.path, knownHostsFile: knownHosts() }, { address: 'direct', hostKeys: [target.hostKey.pub] });
  const host = await SshHost.connect(spec, options({ sshConfigFile: config }));
  assert.equal((await host.exec(['echo', 'ok'])).stdout, 'ok\n');
  await host.close();
});

test('trustHostKey: the target key through the jump host, or the jump host key itself', async () => {
  const spec = hostSpec('node1', { port: target.port, knownHostsFile: knownHosts(), bastion: bastion() });
  assert.deepEqual(await trustHostKey(spec, options()), { fingerprint: target.hostKey.fingerprint, key: target.hostKey.pub });
  assert.deepEqual(await trustHostKey(spec, { ...options(), bastion: true }), { fingerprint: jump.hostKey.fingerprint, key: jump.hostKey.pub });
});

/** known_hosts naming both sshds, as a user who has logged in to them before has it. */
function knowsBoth(): string {
  const known = knownHosts();
  writeFileSync(known, `[127.0.0.1]:${target.port} ${target.hostKey.pub}\n[127.0.0.1]:${jump.port} ${jump.hostKey.pub}\n`);
  return known;
}

test('~/.ssh/config: a two-hop ProxyJump chain, each hop its own login, the target through both', async () => {
  const config = join(dir, `ssh_config.${++counter}`);
  const known = knowsBoth();
  writeFileSync(config, [
    'Host far',
    '  HostName 127.0.0.1',
    `  Port ${target.port}`,
    '  User root',
    `  IdentityFile ${targetKey.path}`,
    '  ProxyJump hop1,hop2',
    'Host hop1 hop2',
    '  HostName 127.0.0.1',
    `  Port ${jump.port}`,
    '  User root',
    `  IdentityFile ${jumpKey.path}`,
    `  UserKnownHostsFile ${known}`,
    '',
  ].join('\n'));
  const spec = hostSpec('far', { knownHostsFile: known }, { address: 'far' });
  const before = { target: target.accepted(), jump: jump.accepted(), toTarget: forwardedTo(target.port), toJump: forwardedTo(jump.port) };
  const lines: string[] = [];
  const host = await SshHost.connect(spec, options({ sshConfigFile: config, log: (l) => lines.push(l) }));
  try {
    assert.equal((await host.exec(['echo', 'two hops away'])).stdout, 'two hops away\n');
  } finally {
    await host.close();
  }
  assert.equal(jump.accepted() - before.jump, 2, 'one login on each hop');
  assert.equal(target.accepted() - before.target, 1);
  assert.equal(forwardedTo(jump.port) - before.toJump, 1, 'the second hop was reached through the first');
  assert.equal(forwardedTo(target.port) - before.toTarget, 1, 'the target through the second');
  assert.deepEqual(lines.map((l) => l.replace(/ \(key .*\)$/, '')), [
    `jump host 127.0.0.1 (hop 1) of far: connected to root@[127.0.0.1]:${jump.port}`,
    `jump host 127.0.0.1 (hop 2) of far: connected to root@[127.0.0.1]:${jump.port} through jump host 127.0.0.1 (hop 1) of far`,
    `far: connected to root@[127.0.0.1]:${target.port} through jump host 127.0.0.1 (hop 2) of far`,
  ]);
});

test('~/.ssh/config: ProxyCommand runs as the transport (here the real ssh -W through the jump host)', async () => {
  const known = knowsBoth();
  const config = join(dir, `ssh_config.${++counter}`);
  writeFileSync(config, [
    'Host behind',
    '  HostName 127.0.0.1',
    `  Port ${target.port}`,
    '  User root',
    `  IdentityFile ${targetKey.path}`,
    `  ProxyCommand ssh -F /dev/null -i ${jumpKey.path} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=${known} -o StrictHostKeyChecking=yes -p ${jump.port} root@127.0.0.1 -W %h:%p`,
    'Host broken',
    '  HostName 127.0.0.1',
    '  ProxyCommand sh -c "echo no route to the lab >&2; exit 1"',
    '',
  ].join('\n'));
  const before = { target: target.accepted(), jump: jump.accepted(), toTarget: forwardedTo(target.port) };
  const host = await SshHost.connect(hostSpec('behind', { knownHostsFile: known }, { address: 'behind' }), options({ sshConfigFile: config }));
  try {
    assert.equal((await host.exec(['echo', 'through a command'])).stdout, 'through a command\n');
  } finally {
    await host.close();
  }
  assert.equal(jump.accepted() - before.jump, 1);
  assert.equal(forwardedTo(target.port) - before.toTarget, 1);
  assert.equal(target.accepted() - before.target, 1);

  await assert.rejects(SshHost.connect(hostSpec('broken', { knownHostsFile: known }, { address: 'broken' }), options({ sshConfigFile: config })), (err: unknown) => {
    assert.ok(err instanceof ConnectError);
    assert.match(err.message, /^broken: .* \(its ProxyCommand said: no route to the lab\)$/);
    return true;
  });
});
