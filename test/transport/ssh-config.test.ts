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

