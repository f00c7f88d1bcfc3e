/**
 * resolveSshOptions where ssh -G cannot be the judge: the expansion of IdentityFile and ProxyCommand (ssh -G
 * prints them as written), the values bootstrap derives (identityAgent, defaultIdentities), Match exec through
 * source.exec, parseJumpSpec, and the settings bootstrap refuses. See ssh-config-differential.test.ts for the rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigSource, expandTokens, parseJumpSpec, resolveSshOptions, SshConfigError } from '../../src/transport/ssh-config/index.js';
import type { SshConfigSource } from '../../src/transport/ssh-options.js';

const dir = mkdtempSync(join(tmpdir(), 'bootstrap-ssh-resolve-'));
let n = 0;

/** A source reading `text` as the user config, for alice on "ctl.example.org". */
function source(text: string, more: Partial<SshConfigSource> = {}): SshConfigSource {
  const file = join(dir, `config${++n}`);
  writeFileSync(file, text);
  return { userFile: file, systemFile: null, home: '/home/alice', localUser: 'alice', uid: 1000, localHostname: 'ctl.example.org', env: { HOME: '/home/alice', KEYS: '/keys' }, cwd: '/work', ...more };
}

test('IdentityFile: ~, ${VAR}, every token, none, a relative path from the working directory', () => {
  const o = resolveSshOptions({ host: 'Web', identityFiles: ['/cli/key'] }, source(
    'Host web Web\n  HostName 10.0.0.5\n  User deploy\n  Port 2200\n  IdentityFile ~/.ssh/%h_%r_%p_%u_%n_%d_%L_%l_%i\n  IdentityFile ${KEYS}/k\n  IdentityFile none\n  IdentityFile rel/key\n',
  ));
  assert.deepEqual(o.identityFiles, [
    '/cli/key',
    '/home/alice/.ssh/10.0.0.5_deploy_2200_alice_Web_/home/alice_ctl_ctl.example.org_1000',
    '/keys/k',
    '/work/rel/key',
  ]);
  assert.equal(o.defaultIdentities, false);
  assert.equal(resolveSshOptions({ host: 'x' }, source('Host x\n  IdentityFile none\n')).identityFiles.length, 0);
});

test('no IdentityFile: ssh\'s defaults in its order', () => {
  const o = resolveSshOptions({ host: 'x' }, source(''));
  assert.equal(o.defaultIdentities, true);
  assert.deepEqual(o.identityFiles, ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((f) => `/home/alice/.ssh/${f}`));
});

test('ProxyCommand: %h %n %p %r %k %% expanded; other tokens are errors located at the line', () => {
  const o = resolveSshOptions({ host: 'App' }, source('Host App\n  HostName app.internal\n  User u\n  ProxyCommand ssh -W %h:%p %r@gw # %n %k %%\n'));
  assert.equal(o.proxyCommand, 'ssh -W app.internal:22 u@gw # App App %');
  assert.deepEqual(o.proxyJump, []);
  const src = source('Host *\n  ProxyCommand nc %d\n');
  assert.throws(() => resolveSshOptions({ host: 'a' }, src), (e: unknown) => e instanceof SshConfigError && e.message.startsWith(`${src.userFile}:2: unknown key %d`));
  assert.equal(resolveSshOptions({ host: 'a' }, source('Host *\n  ProxyCommand none\n')).proxyCommand, undefined);
});

test('ProxyJump hops, -J over the config, first of ProxyJump and ProxyCommand wins', () => {
  assert.deepEqual(resolveSshOptions({ host: 'a' }, source('Host a\n  ProxyJump u@j1:2222,[fd00::1]:22,j3\n')).proxyJump, ['u@j1:2222', '[fd00::1]:22', 'j3']);
  const both = source('Host a\n  ProxyJump j1\n  ProxyCommand nc %h %p\n');
  assert.deepEqual([resolveSshOptions({ host: 'a' }, both).proxyJump, resolveSshOptions({ host: 'a' }, both).proxyCommand], [['j1'], undefined]);
  assert.deepEqual(resolveSshOptions({ host: 'a', proxyJump: 'cli' }, both).proxyJump, ['cli']);
  assert.deepEqual(resolveSshOptions({ host: 'a', proxyJump: 'none' }, both).proxyJump, []);
  assert.equal(resolveSshOptions({ host: 'a', proxyJump: 'none' }, both).proxyCommand, undefined);
});

test('parseJumpSpec', () => {
  assert.deepEqual(parseJumpSpec('admin@jump.example:2222', 'x'), { user: 'admin', host: 'jump.example', port: 2222 });
  assert.deepEqual(parseJumpSpec('jump', 'x'), { host: 'jump' });
  assert.deepEqual(parseJumpSpec('[fd00::1]:22', 'x'), { host: 'fd00::1', port: 22 });
  assert.deepEqual(parseJumpSpec('[10.0.0.1]', 'x'), { host: '10.0.0.1' });
  assert.deepEqual(parseJumpSpec('ssh://me@h:2201', 'x'), { user: 'me', host: 'h', port: 2201 });
  assert.throws(() => parseJumpSpec('u@:22', '/cfg:3'), /^SshConfigError: \/cfg:3: Invalid ProxyJump "u@:22"/);
  assert.throws(() => parseJumpSpec('h:99999', '/cfg:3'), SshConfigError);
  assert.throws(() => parseJumpSpec('sftp://h', '/cfg:3'), SshConfigError);
});

test('identityAgent: SSH_AUTH_SOCK is the default, none and paths stay, $VAR reads the variable', () => {
  const agent = (v: string) => resolveSshOptions({ host: 'a' }, source(`IdentityAgent ${v}\n`, { env: { HOME: '/home/alice', OTHER: '/run/other.sock' } })).identityAgent;
  assert.equal(agent('SSH_AUTH_SOCK'), undefined);
  assert.equal(agent('none'), 'none');
  assert.equal(agent('~/agent.%r'), '/home/alice/agent.alice');
  assert.equal(agent('$OTHER'), '/run/other.sock');
  assert.equal(resolveSshOptions({ host: 'a' }, source('')).identityAgent, undefined);
});

test('Match exec runs through source.exec with its tokens; not after a criterion that failed', () => {
  const ran: string[] = [];
  const exec = (command: string) => { ran.push(command); return command.includes('yes'); };
  const o = resolveSshOptions({ host: 'db', user: 'ops' }, source('Match host nomatch exec "never %h"\n  Port 1\nMatch exec "yes %h %r %p %n %u"\n  Port 2\n', { exec }));
  assert.deepEqual(ran, ['yes db ops 22 db alice']);
  assert.equal(o.port, 2);
});

test('settings that change how to connect and that bootstrap does not implement are refused where they apply', () => {
  for (const [line, what] of [['BindAddress 10.0.0.1', 'BindAddress'], ['BindInterface eth0', 'BindInterface'], ['AddressFamily inet', 'AddressFamily inet'], ['ProxyUseFdpass yes', 'ProxyUseFdpass yes'], ['CanonicalizeHostname always', 'CanonicalizeHostname always']] as const) {
    const src = source(`Host a\n  ${line}\n`);
    assert.throws(() => resolveSshOptions({ host: 'a' }, src), (e: unknown) => e instanceof SshConfigError && e.message.startsWith(`${src.userFile}:2: ${what} is not supported`), line);
    assert.doesNotThrow(() => resolveSshOptions({ host: 'b' }, src), `${line} for another host`);
  }
  assert.doesNotThrow(() => resolveSshOptions({ host: 'a' }, source('AddressFamily any\nProxyUseFdpass no\nCanonicalizeHostname no\n')));
});

test('errors are located file:line', () => {
  const src = source('Host a\n  User x\n  Frobnicate 1\n');
  assert.throws(() => resolveSshOptions({ host: 'a' }, src), (e: unknown) => e instanceof SshConfigError && e.message === `${src.userFile}:3: Bad configuration option: frobnicate`);
  const inc = join(dir, 'included');
  writeFileSync(inc, '\nMatch localnetwork 10.0.0.0/8\n');
  const src2 = source(`Host a\n  Include ${inc}\n`);
  assert.throws(() => resolveSshOptions({ host: 'a' }, src2), (e: unknown) => e instanceof SshConfigError && e.message.startsWith(`${inc}:2: unsupported Match attribute localnetwork`));
});

test('expandTokens', () => {
  assert.equal(expandTokens('%h:%p %%', { h: 'x', p: '22' }, 'hp', 'w'), 'x:22 %');
  assert.throws(() => expandTokens('%r', { r: 'u' }, 'hp', '/f:1'), /^SshConfigError: \/f:1: unknown key %r/);
  assert.throws(() => expandTokens('50%', {}, 'h', '/f:1'), /invalid format/);
});

test('defaultConfigSource: the user config, the system config and the passwd home', () => {
  const s = defaultConfigSource();
  assert.match(s.userFile ?? '', /\/\.ssh\/config$/);
  assert.equal(s.systemFile, '/etc/ssh/ssh_config');
  assert.equal(typeof s.exec, 'function');
  assert.equal(s.exec?.('exit 0'), true);
  assert.equal(s.exec?.('exit 3'), false);
});

test('a missing user config is an empty one', () => {
  const o = resolveSshOptions({ host: 'Example.COM' }, { ...source(''), userFile: join(dir, 'missing') });
  assert.deepEqual([o.hostname, o.user, o.port, o.strictHostKeyChecking, o.checkHostIP], ['example.com', 'alice', 22, 'ask', false]);
  assert.deepEqual(o.userKnownHostsFiles, ['/home/alice/.ssh/known_hosts', '/home/alice/.ssh/known_hosts2']);
});
