/**
 * Routes: the inventory as ssh's command-line options over the OpenSSH configuration, and jump chains
 * unrolled as ssh unrolls them. Each jump host is compared with what the real `ssh -G` says for the command
 * ssh itself would run to reach it (`ssh -J <earlier hops> <hop>`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { resolveRoute } from '../../src/transport/ssh-route.js';
import type { SshEndpoint } from '../../src/transport/ssh-route.js';
import { hostSpec } from './ssh-server.js';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-ssh-route-'));
const home = userInfo().homedir;
let n = 0;
function config(lines: string[]): string {
  const file = join(dir, `config.${++n}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** What `ssh -G` says of hostname, user and port, with the given command-line options. */
function sshG(file: string, args: string[]): { hostname: string; user: string; port: number } {
  const out = execFileSync('ssh', ['-G', '-F', file, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const get = (k: string) => new RegExp(`^${k} (.*)$`, 'm').exec(out)?.[1] ?? '';
  return { hostname: get('hostname'), user: get('user'), port: Number(get('port')) };
}
const where = (ep: SshEndpoint) => ({ hostname: ep.address, user: ep.user, port: ep.port });

test('ProxyJump a,b with a jump host that has its own ProxyJump: unrolled as ssh does, each hop as ssh -G sees it', () => {
  const file = config([
    'Host target',
    '  HostName 10.0.0.10',
    '  ProxyJump ops@a:2201,b',
    'Host b',
    '  HostName 10.0.0.2',
    '  User bee',
    '  ProxyJump ignored-because-of-J',
    'Host a',
    '  HostName 10.0.0.1',
    '  ProxyJump c',
    'Host c',
    '  HostName 10.0.0.3',
    '  Port 2203',
  ]);
  const route = resolveRoute(hostSpec('t', { knownHostsFile: '/kh' }, { address: 'target' }), { sshConfigFile: file, homeDir: home });
  assert.deepEqual(route.jumps.map(where), [
    sshG(file, ['c']),
    sshG(file, ['-l', 'ops', '-p', '2201', 'a']),
    sshG(file, ['-J', 'ops@a:2201', 'b']),
  ]);
  assert.deepEqual(route.jumps.map((j) => j.address), ['10.0.0.3', '10.0.0.1', '10.0.0.2']);
  assert.deepEqual(where(route.target), sshG(file, ['target']));
  assert.equal(route.proxyCommand, undefined);
});

test('a ProxyCommand on the first hop carries the whole chain; on the target it replaces jumping', () => {
  const file = config([
    'Host t1',
    '  ProxyJump gw',
    'Host gw',
    '  HostName gw.example',
    '  ProxyCommand ssh -W %h:%p -p 2222 outer.example',
    'Host t2',
    '  HostName 10.0.0.20',
    '  Port 2022',
    '  ProxyCommand socat - TCP:%h:%p',
    '  ProxyJump never-used',
  ]);
  const viaGw = resolveRoute(hostSpec('a', { knownHostsFile: '/kh' }, { address: 't1' }), { sshConfigFile: file, homeDir: home });
  assert.equal(viaGw.proxyCommand, 'ssh -W gw.example:22 -p 2222 outer.example');
  assert.deepEqual(viaGw.jumps.map((j) => j.address), ['gw.example']);
  const direct = resolveRoute(hostSpec('b', { knownHostsFile: '/kh' }, { address: 't2' }), { sshConfigFile: file, homeDir: home });
  assert.equal(direct.proxyCommand, 'socat - TCP:10.0.0.20:2022', 'the first of ProxyCommand and ProxyJump wins, as in ssh');
  assert.deepEqual(direct.jumps, []);
});

test('jump hosts that jump back to each other are a located loop, not an endless recursion', () => {
  const file = config(['Host t', '  ProxyJump a', 'Host a', '  ProxyJump b', 'Host b', '  ProxyJump a']);
  assert.throws(() => resolveRoute(hostSpec('t', { knownHostsFile: '/kh' }, { address: 't' }), { sshConfigFile: file, homeDir: home }), /jump hosts; the ProxyJump settings form a loop/);
});

test('the inventory plays ssh\'s command line: -l, -p and -i over the config, and its bastion as -J', () => {
  const file = config([
    'Host cp-1',
    '  HostName 10.0.0.11',
    '  User ubuntu',
    '  Port 22022',
    '  IdentityFile ~/.ssh/cluster',
    '  ProxyJump gw',
    'Host bastion',
    '  HostName 203.0.113.10',
    '  User jump',
    '  Port 2200',
    '  ProxyJump outer',
  ]);
  const opts = { sshConfigFile: file, homeDir: home };
  const fromInventory = resolveRoute(hostSpec('cp-1', { knownHostsFile: '/kh', user: 'deploy', port: 2222, identityFile: '/keys/deploy' }, { address: 'cp-1' }), opts);
  assert.deepEqual(where(fromInventory.target), sshG(file, ['-l', 'deploy', '-p', '2222', '-i', '/keys/deploy', 'cp-1']));
  assert.deepEqual(fromInventory.target.identityFiles, ['/keys/deploy', join(home, '.ssh', 'cluster')], '-i first, then IdentityFile, as ssh tries them');

  const withBastion = resolveRoute(hostSpec('cp-1', {
    knownHostsFile: '/kh',
    bastion: { address: 'bastion', port: 22, user: 'root', identityFile: '/keys/jump', agent: false, hostKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'] },
  }, { address: 'cp-1' }), opts);
  assert.deepEqual(withBastion.jumps.map((j) => j.address), ['outer', '203.0.113.10'], "the bastion's own ProxyJump still applies, as with ssh -J");
  const bastion = withBastion.jumps[1]!;
  assert.deepEqual([bastion.user, bastion.port, bastion.identityFiles[0], bastion.agent], ['jump', 2200, '/keys/jump', false]);
  assert.equal(bastion.hostKeyCheck.pinned.length, 1);
});

test('known_hosts, host key checking, keep-alives, timeout and agent come from the config unless the inventory sets them', () => {
  const file = config([
    'Host h',
    '  UserKnownHostsFile ~/.ssh/lab_hosts /etc/lab/%h_hosts',
    '  GlobalKnownHostsFile none',
    '  StrictHostKeyChecking accept-new',
    '  HashKnownHosts yes',
    '  HostKeyAlias lab-h',
    '  ServerAliveInterval 7',
    '  ServerAliveCountMax 2',
    '  ConnectTimeout 4',
    '  IdentityAgent none',
    '  IdentitiesOnly yes',
  ]);
  const opts = { sshConfigFile: file, homeDir: home };
  const fromConfig = resolveRoute(hostSpec('h', { knownHostsFile: join(home, '.ssh', 'known_hosts'), explicit: { user: false, port: false, knownHostsFile: false, connectTimeout: false } }, { address: 'h' }), opts);
  const t = fromConfig.target;
  assert.deepEqual(t.hostKeyCheck.knownHostsFiles, [join(home, '.ssh', 'lab_hosts'), '/etc/lab/h_hosts']);
  assert.equal(t.hostKeyCheck.lookupName, 'lab-h');
  assert.deepEqual([t.strictHostKeyChecking, t.hashKnownHosts, t.keepalive, fromConfig.connectTimeoutMs, t.agent, t.identitiesOnly], ['accept-new', true, { intervalMs: 7000, countMax: 2 }, 4000, false, true]);

  const fromInventory = resolveRoute(hostSpec('h', { knownHostsFile: '/kh', connectTimeoutMs: 9000 }, { address: 'h' }), opts);
  assert.deepEqual(fromInventory.target.hostKeyCheck.knownHostsFiles, ['/kh']);
  assert.equal(fromInventory.connectTimeoutMs, 9000);
});
