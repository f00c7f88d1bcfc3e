import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { loadSshConfig, lookupSshConfig, matchPatternList, parseJumpHost, parseSshConfig, SshConfigError } from '../../src/transport/ssh-config.js';
import { resolveRoute } from '../../src/transport/ssh.js';
import { hostSpec } from './ssh-server.js';

const home = '/home/alice';
const lookup = (text: string, alias: string, user = 'root') => lookupSshConfig(parseSshConfig(text), alias, '/cfg', user, home);

const CONFIG = `
# global options apply to every host
IdentityFile ~/.ssh/global_key
Host bastion
    HostName 203.0.113.10
    User jump
    Port 2200
Host cp-* !cp-test
    User ubuntu
    IdentityFile ~/.ssh/cluster_%h_%r
    ProxyJump bastion
Host cp-1
    HostName 10.0.0.11
    User ignored-first-wins
    Port 22022
Host "quoted name" other?
    Hostname=10.0.0.99
    port = 2
Match user root
    Port 1
Host *
    User fallback
    Ciphers aes128-ctr
    ServerAliveInterval 5
`;

test('first value wins, IdentityFile accumulates, HostName, Port, ProxyJump and %-tokens', () => {
  assert.deepEqual(lookup(CONFIG, 'cp-1'), {
    hostName: '10.0.0.11',
    user: 'ubuntu',
    port: 22022,
    identityFiles: ['/home/alice/.ssh/global_key', '/home/alice/.ssh/cluster_10.0.0.11_ubuntu'],
    proxyJump: { host: 'bastion', user: undefined, port: undefined },
  });
});

test('negated patterns exclude; Match blocks are skipped; unknown keywords ignored', () => {
  const testHost = lookup(CONFIG, 'cp-test');
  assert.equal(testHost.user, 'fallback');
  assert.equal(testHost.proxyJump, undefined);
  assert.equal(testHost.port, undefined, 'the Match block\'s Port 1 is not applied');
  assert.equal(lookup(CONFIG, 'other7').hostName, '10.0.0.99');
  assert.equal(lookup(CONFIG, 'other7').port, 2);
  assert.equal(lookup(CONFIG, 'quoted name').hostName, '10.0.0.99');
  assert.equal(lookup(CONFIG, 'other77').hostName, undefined);
});

test('pattern lists', () => {
  assert.equal(matchPatternList('web-1', ['web-?']), true);
  assert.equal(matchPatternList('web-10', ['web-?']), false);
  assert.equal(matchPatternList('WEB-10', ['web-*']), false, 'ssh_config patterns are case-sensitive (ssh lower-cases the host first)');
  assert.equal(matchPatternList('WEB-10', ['web-*'], true), true, 'known_hosts patterns are not');
  assert.equal(matchPatternList('web-10', ['web-*', '!web-10']), false);
  assert.equal(matchPatternList('db.example', ['!web-*']), false, 'negation alone matches nothing');
  assert.equal(matchPatternList('a.b', ['a?b']), true);
  assert.equal(matchPatternList('a+b', ['a+b']), true, 'regex characters are literal');
});

test('ProxyJump forms; several hops and bad ports are user errors', () => {
  assert.deepEqual(parseJumpHost('admin@jump.example:2222', 'x'), { host: 'jump.example', user: 'admin', port: 2222 });
  assert.deepEqual(parseJumpHost('[fd00::1]:22', 'x'), { host: 'fd00::1', user: undefined, port: 22 });
  assert.equal(parseJumpHost('none', 'x'), undefined);
  assert.throws(() => parseJumpHost('a,b', '/cfg:3'), (e: unknown) => e instanceof SshConfigError && e.message === '/cfg:3: ProxyJump with several hops (a,b) is not supported; use one jump host');
  assert.throws(() => lookup('Host x\n Port 99999\n', 'x'), /bad port "99999"/);
});

test('loadSshConfig: a missing file is an empty config', () => {
  assert.deepEqual(loadSshConfig('/nonexistent/ssh_config'), []);
});

test('resolveRoute: inventory over ~/.ssh/config over defaults, for the host and its jump host', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-ssh-config-'));
  const cfg = join(dir, 'config');
  writeFileSync(cfg, CONFIG);
  const opts = { sshConfigFile: cfg, homeDir: home };

  // Nothing set in the inventory beyond the address: the config supplies everything.
  const fromConfig = resolveRoute(hostSpec('cp-1', { knownHostsFile: '/kh' }, { address: 'cp-1' }), opts);
  assert.deepEqual(
    { address: fromConfig.target.address, port: fromConfig.target.port, user: fromConfig.target.user, keys: fromConfig.target.identityFiles },
    { address: '10.0.0.11', port: 22022, user: 'ubuntu', keys: ['/home/alice/.ssh/global_key', '/home/alice/.ssh/cluster_10.0.0.11_ubuntu'] },
  );
  assert.equal(fromConfig.target.hostKeyCheck.address, '10.0.0.11', 'known_hosts is checked under the real host name, as ssh does');
  assert.deepEqual(
    { address: fromConfig.bastion?.address, port: fromConfig.bastion?.port, user: fromConfig.bastion?.user, label: fromConfig.bastion?.label },
    { address: '203.0.113.10', port: 2200, user: 'jump', label: 'jump host 203.0.113.10 of cp-1' },
  );

  // Values the inventory sets win.
  const fromInventory = resolveRoute(hostSpec('cp-1', { knownHostsFile: '/kh', user: 'deploy', port: 2222, identityFile: '/keys/deploy' }, { address: 'cp-1' }), opts);
  assert.deepEqual(
    { address: fromInventory.target.address, port: fromInventory.target.port, user: fromInventory.target.user, keys: fromInventory.target.identityFiles },
    { address: '10.0.0.11', port: 2222, user: 'deploy', keys: ['/keys/deploy'] },
  );

  // user: root and port: 22 written in the inventory win too, although they equal the defaults.
  const explicitDefaults = resolveRoute(hostSpec('cp-1', { knownHostsFile: '/kh', user: 'root', port: 22, explicit: { user: true, port: true } }, { address: 'cp-1' }), opts);
  assert.deepEqual({ port: explicitDefaults.target.port, user: explicitDefaults.target.user }, { port: 22, user: 'root' });

  // An inventory bastion replaces ProxyJump; its address may itself be an alias.
  const withBastion = resolveRoute(hostSpec('cp-1', {
    knownHostsFile: '/kh',
    bastion: { address: 'bastion', port: 22, user: 'root', identityFile: '/keys/jump', agent: false, hostKeys: [] },
  }, { address: 'cp-1' }), opts);
  assert.deepEqual(
    { address: withBastion.bastion?.address, port: withBastion.bastion?.port, user: withBastion.bastion?.user, keys: withBastion.bastion?.identityFiles },
    { address: '203.0.113.10', port: 2200, user: 'jump', keys: ['/keys/jump'] },
  );

  // No config at all: the defaults.
  const plain = resolveRoute(hostSpec('n', { knownHostsFile: '/kh' }, { address: '10.1.1.1' }), { sshConfigFile: null });
  assert.deepEqual([plain.target.address, plain.target.port, plain.target.user, plain.target.identityFiles, plain.bastion], ['10.1.1.1', 22, 'root', [], undefined]);

  // A ProxyJump host without user@ and no User in the config logs in as the local user, as ssh does.
  writeFileSync(cfg, 'Host n1\n  ProxyJump gw:2022\n');
  assert.equal(resolveRoute(hostSpec('n', { knownHostsFile: '/kh' }, { address: 'n1' }), opts).bastion?.user, userInfo().username);

  writeFileSync(cfg, 'Host n1\n  ProxyJump gw\nHost gw\n  ProxyJump gw2\n');
  assert.throws(() => resolveRoute(hostSpec('n', { knownHostsFile: '/kh' }, { address: 'n1' }), opts), /chains of jump hosts are not supported/);
});
