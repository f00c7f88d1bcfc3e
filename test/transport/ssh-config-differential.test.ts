/**
 * resolveSshOptions against the real thing: every case writes config files, runs `ssh -G -F file [-l u] [-p n]
 * [-i f] [-J j] host` (no network is involved) and compares ssh's answer with ours field by field. A config ssh
 * refuses must be refused here too (with ssh's file:line when ssh names one), and one ssh accepts must be accepted.
 *
 * ssh -G prints IdentityFile and ProxyCommand as written, so those are compared before expansion; the expansion
 * itself is compared through UserKnownHostsFile, IdentityAgent and ControlPath, which ssh -G prints expanded
 * with the same tokens.
 *
 * A relative Include in a -F file is read from ~/.ssh of whoever runs the test, so the cases use absolute paths
 * (written as @D, the case's directory), except one that names a file that cannot exist there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultConfigSource, resolveSshConfig, SshConfigError } from '../../src/transport/ssh-config/index.js';
import type { SshResolution } from '../../src/transport/ssh-config/index.js';
import type { SshConfigSource, SshQuery } from '../../src/transport/ssh-options.js';

interface Case {
  name: string;
  /** File name (under the case's directory) → content; "@D" stands for that directory. The first is given to -F. */
  files: Record<string, string>;
  host: string;
  l?: string;
  p?: number;
  /** -i files, created empty under the case's directory (ssh skips -i files that do not exist). */
  i?: string[];
  J?: string;
  /** Read ~/.ssh/config and /etc/ssh/ssh_config as ssh does without -F (`files` is then unused). */
  defaultFiles?: boolean;
  /** Files given another mode than 0644 after writing. */
  modes?: Record<string, number>;
  /** bootstrap refuses what ssh accepts: a setting it does not implement. */
  bootstrapRefuses?: RegExp;
}

const ssh = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
const haveSsh = ssh.status === 0;
const me = userInfo();

function source(file: string): SshConfigSource {
  return { userFile: file, systemFile: null, home: me.homedir, localUser: me.username, uid: me.uid, localHostname: hostname(), env: process.env };
}

/** ssh -G's output as keyword → values (a keyword printed on several lines, like identityfile, keeps them all). */
function runSsh(c: Case, dir: string): { ok: true; values: Map<string, string[]> } | { ok: false; stderr: string } {
  const args = c.defaultFiles ? ['-G'] : ['-G', '-F', join(dir, Object.keys(c.files)[0] as string)];
  if (c.l !== undefined) args.push('-l', c.l);
  if (c.p !== undefined) args.push('-p', String(c.p));
  for (const f of c.i ?? []) args.push('-i', join(dir, f));
  if (c.J !== undefined) args.push('-J', c.J);
  args.push(c.host);
  const r = spawnSync('ssh', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) return { ok: false, stderr: r.stderr };
  const values = new Map<string, string[]>();
  for (const line of r.stdout.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (!m) continue;
    values.set(m[1] as string, [...(values.get(m[1] as string) ?? []), m[2] as string]);
  }
  return { ok: true, values };
}

const STRICT_AS_SSH_PRINTS = { yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new' };
const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** Ours in ssh -G's words, for the keywords both know. */
function ours(r: SshResolution): Record<string, string[] | undefined> {
  const o = r.options;
  const agent = o.identityAgent;
  return {
    hostname: [o.hostname],
    user: [o.user],
    port: [String(o.port)],
    identityfile: r.identityFilesRaw,
    identitiesonly: [yesNo(o.identitiesOnly)],
    identityagent: agent === undefined ? undefined : [agent],
    proxyjump: r.proxyJumpLine === undefined ? undefined : [r.proxyJumpLine],
    proxycommand: r.proxyCommandRaw === undefined ? undefined : [r.proxyCommandRaw],
    connecttimeout: [o.connectTimeoutS === undefined ? 'none' : String(o.connectTimeoutS)],
    serveraliveinterval: [String(o.serverAliveInterval)],
    serveralivecountmax: [String(o.serverAliveCountMax)],
    userknownhostsfile: [o.userKnownHostsFiles.length ? o.userKnownHostsFiles.join(' ') : 'none'],
    globalknownhostsfile: [o.globalKnownHostsFiles.length ? o.globalKnownHostsFiles.join(' ') : 'none'],
    stricthostkeychecking: [STRICT_AS_SSH_PRINTS[o.strictHostKeyChecking]],
    hostkeyalias: o.hostKeyAlias === undefined ? undefined : [o.hostKeyAlias],
    checkhostip: [yesNo(o.checkHostIP)],
    hashknownhosts: [yesNo(o.hashKnownHosts)],
    controlpath: r.controlPath === undefined ? undefined : [r.controlPath],
  };
}

/** ssh -G prints the default IdentityAgent (SSH_AUTH_SOCK) as such; ours leaves it undefined. */
function sshAgent(values: string[] | undefined): string[] | undefined {
  return values?.[0] === 'SSH_AUTH_SOCK' ? undefined : values;
}

function check(c: Case): void {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-sshg-'));
  try {
    for (const [name, content] of Object.entries(c.files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), content.replaceAll('@D', dir), { mode: 0o644 });
    }
    for (const [name, mode] of Object.entries(c.modes ?? {})) chmodSync(join(dir, name), mode);
    for (const f of c.i ?? []) writeFileSync(join(dir, f), '');
    const query: SshQuery = { host: c.host };
    if (c.l !== undefined) query.user = c.l;
    if (c.p !== undefined) query.port = c.p;
    if (c.i) query.identityFiles = c.i.map((f) => join(dir, f));
    if (c.J !== undefined) query.proxyJump = c.J;

    const theirs = runSsh(c, dir);
    let mine: SshResolution | Error;
    try {
      mine = resolveSshConfig(query, c.defaultFiles ? defaultConfigSource() : source(join(dir, Object.keys(c.files)[0] as string)));
    } catch (err) {
      mine = err as Error;
    }

    if (c.bootstrapRefuses) {
      assert.ok(theirs.ok, `ssh accepts ${c.name}: ${theirs.ok ? '' : theirs.stderr}`);
      assert.ok(mine instanceof SshConfigError, `bootstrap refuses ${c.name}`);
      assert.match(mine.message, c.bootstrapRefuses);
      return;
    }
    if (!theirs.ok) {
      assert.ok(mine instanceof SshConfigError, `ssh refuses (${theirs.stderr.trim()}) but bootstrap accepts: ${JSON.stringify(mine)}`);
      // Where ssh names file and line, so must we.
      const at = /(\/\S+?):? line (\d+)/.exec(theirs.stderr);
      if (at) assert.ok(mine.message.startsWith(`${at[1]}:${at[2]}:`), `"${mine.message}" is located at ${at[1]}:${at[2]} as ssh says: ${theirs.stderr}`);
      return;
    }
    if (mine instanceof Error) assert.fail(`ssh accepts but bootstrap refuses: ${mine.message}`);
    for (const [keyword, value] of Object.entries(ours(mine))) {
      let expected = theirs.values.get(keyword);
      if (keyword === 'identityagent') expected = sshAgent(expected);
      assert.deepEqual(value, expected, `${keyword}`);
    }
    assert.deepEqual(mine.options.proxyJump, (theirs.values.get('proxyjump')?.[0] ?? '').split(',').filter(Boolean), 'proxyJump hops');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const C = (name: string, host: string, config: string, more: Partial<Case> = {}): Case => ({ name, host, ...more, files: { config, ...(more.files ?? {}) } });

const cases: Case[] = [
  // Parsing
  C('host block', 'foo', 'Host foo\n  HostName 10.0.0.1\n  User bob\n  Port 2200\n'),
  C('first value wins across blocks', 'foo', 'Host foo\n User a\n Port 1000\nHost *\n User b\n Port 2000\n HostName other\n'),
  C('= forms and keyword case', 'foo', 'HOST=foo\n  HOSTNAME=Real.Example\n  port = 2022\n  User= alice\n  userKnownHostsFile   =/tmp/kh\n'),
  C('comments, blank lines and trailing whitespace', 'foo', '# top\n\n   \nHost foo # trailing\n\t# indented\n  User bob # who\n  Port 2201   \n'),
  C('quoted arguments', 'foo', 'Host "a b" foo\n  HostName "x.example"\n  IdentityFile "@D/my key"\n  UserKnownHostsFile "@D/k h" @D/two\n'),
  C('a host name ssh refuses (Debian: CVE-2023-51385)', 'a b', 'Host *\n  User u\n'),
  C('a user name ssh refuses', 'foo', 'Host *\n  User u\n', { l: '-oops' }),
  C('single quotes and escapes', 'foo', "Host foo\n  UserKnownHostsFile '@D/a b' @D/c\\ d\n"),
  C('unterminated quote', 'foo', 'Host foo\n  User "bob\n'),
  C('keyword without argument', 'foo', 'Host foo\n  User\n'),
  C('extra argument', 'foo', 'Host foo\n  Port 22 23\n'),
  C('Host is matched as given (ssh lower-cases only the HostName result)', 'FOO', 'Host foo\n  User lower\nHost FOO\n  User upper\n'),
  C('HostName is lower-cased, %h and %%', 'Web1', 'Host Web1\n  HostName %h.Example.%%\n'),
  C('HostName with a token ssh does not allow there', 'foo', 'Host foo\n  HostName %p.example\n'),
  C('addresses keep their case; 127.1 is 127.0.0.1', 'a', 'Host a\n  HostName FD00::1\n  ProxyJump 127.1\n'),
  C('short IPv4 form as HostName', 'a', 'Host a\n  HostName 127.1\n'),
  C('negated pattern', 'web-test', 'Host web-* !web-test\n  User web\nHost *\n  User other\n'),
  C('positive pattern after a negated one', 'web-1', 'Host web-* !web-test\n  User web\n'),
  C('? wildcard and several patterns', 'db7', 'Host x db?\n  Port 7\n'),
  C('unknown keyword', 'foo', 'Host foo\n  Frobnicate yes\n'),
  C('unknown keyword in a block that does not apply', 'foo', 'Host bar\n  Frobnicate yes\n'),
  C('IgnoreUnknown covers later keywords', 'foo', 'IgnoreUnknown frob*,UseKeychain\nHost foo\n  Frobnicate yes\n  usekeychain yes\n  User u\n'),
  C('IgnoreUnknown only covers what follows it', 'foo', 'Host foo\n  UseKeychain yes\nIgnoreUnknown UseKeychain\n'),
  C('keywords ssh knows and bootstrap ignores', 'foo', 'Host foo\n  Ciphers aes128-ctr\n  SendEnv LANG LC_*\n  ForwardAgent yes\n  ControlMaster auto\n  ControlPersist 10m\n  Compression yes\n  ServerAliveCountMax 5\n  UseRoaming no\n  RSAAuthentication yes\n'),
  C('bad port', 'foo', 'Host foo\n  Port 99999\n'),
  C('port 0', 'foo', 'Host foo\n  Port 0\n'),
  C('port by service name', 'foo', 'Host foo\n  Port ssh\n'),
  C('bad value in a block that does not apply', 'foo', 'Host bar\n  StrictHostKeyChecking maybe\n'),
  // Command line
  C('-l and -p win over the config', 'foo', 'Host foo\n  User cfg\n  Port 2000\n', { l: 'cli', p: 3000 }),
  C('-i first, then IdentityFile lines, duplicates once', 'foo', 'Host foo\n  IdentityFile @D/k1\n  IdentityFile @D/k1\nHost *\n  IdentityFile ~/.ssh/k_%h_%r\n  IdentityFile @D/cli\n', { i: ['cli'] }),
  C('IdentityFile none alone', 'foo', 'Host foo\n  IdentityFile none\n'),
  C('no IdentityFile: the defaults', 'foo', 'Host foo\n  User u\n'),
  C('-J replaces ProxyJump and ProxyCommand', 'foo', 'Host foo\n  ProxyJump cfg-jump\n', { J: 'u@j1:2222,j2' }),
  C('-J none', 'foo', 'Host foo\n  ProxyJump cfg-jump\n', { J: 'none' }),
  // Match
  C('Match all', 'foo', 'Match all\n  User m\n'),
  C('Match host sees HostName', 'foo', 'Host foo\n  HostName Real.Example\nMatch host real.example\n  User matched\n'),
  C('Match host patterns are case-insensitive lists', 'foo', 'Match host BAR,FO*\n  User matched\n'),
  C('Match originalhost', 'foo', 'Host foo\n  HostName real\nMatch originalhost foo\n  Port 1234\n'),
  C('Match user sees -l', 'foo', 'Match user admin\n  Port 1111\n', { l: 'admin' }),
  C('Match user sees User set before it', 'foo', 'Host foo\n  User deploy\nMatch user dep*\n  Port 1112\n'),
  C('Match localuser', 'foo', `Match localuser ${me.username}\n  Port 1113\n`),
  C('Match negation and AND', 'foo', 'Match host foo !user root,admin\n  Port 1114\nMatch host foo user nobody\n  Port 1115\n', { l: 'bob' }),
  C('Match exec true and false', 'foo', 'Match exec false\n  Port 1116\nMatch exec true\n  User ran\n'),
  C('Match exec tokens', 'foo', `Host foo\n  HostName Real\n  User bob\nMatch exec "test %h = real -a %n = foo -a %r = bob -a %p = 22 -a %u = ${me.username} -a %d = ${me.homedir} -a %i = ${me.uid} -a %l = ${hostname()} -a %k = real -a %% = %%"\n  Port 1117\n`),
  C('Match exec %C', 'foo', 'Match exec "echo %C | grep -q ^[0-9a-f]*$"\n  Port 1118\n'),
  C('Match exec with an unknown token', 'foo', 'Match exec "echo %t"\n  Port 1\n'),
  C('Match final re-reads with the final host name', 'Foo', 'Host Foo\n  HostName Real.Example\nMatch final host real.example\n  User final\nHost real.example\n  Port 2345\n'),
  C('Match canonical without a final pass', 'foo', 'Match canonical\n  Port 1119\n'),
  C('Match canonical with a final pass', 'foo', 'Match canonical\n  Port 1120\nMatch !final\n  User first\n'),
  C('Match localnetwork is not in ssh 9.2', 'foo', 'Match localnetwork 10.0.0.0/8\n  Port 1\n'),
  C('Match address is a server criterion', 'foo', 'Match address 10.0.0.1\n  Port 1\n'),
  C('Match without criteria argument', 'foo', 'Match host\n  Port 1\n'),
  C('Match all combined', 'foo', 'Match all host foo\n  Port 1\n'),
  C('Match with a comment', 'foo', 'Match host foo # why\n  Port 1121\n'),
  // Include
  C('Include absolute', 'foo', 'Include @D/inc/one\nHost *\n  User main\n', { files: { 'inc/one': 'Host foo\n  User included\n' } }),
  C('Include glob in glob(3) order', 'foo', 'Include @D/inc/*.conf\n', { files: { 'inc/b.conf': 'Port 2002\n', 'inc/a.conf': 'Port 2001\n', 'inc/c.conf': 'Port 2003\n', 'inc/.hidden.conf': 'Port 2000\n' } }),
  C('Include several per line, missing ones ignored', 'foo', 'Include @D/missing @D/inc/x @D/nomatch*\n', { files: { 'inc/x': 'User x\n' } }),
  C('Include relative (from ~/.ssh) that matches nothing', 'foo', 'Include bootstrap-test-no-such-file-7f3a\nUser u\n'),
  C('Include in a Host block that does not apply', 'foo', 'Host bar\n  Include @D/inc/x\nHost *\n  Port 2222\n', { files: { 'inc/x': 'User x\nHost *\n  Port 1\n' } }),
  C('Include in a Host block that applies; the block is restored after', 'foo', 'Host foo\n  Include @D/inc/x\n  User after\nHost *\n  Port 3\n', { files: { 'inc/x': 'Port 2\nHost nomatch\n  HostName wrong\n' } }),
  C('Include of a file with an unknown keyword in a block that does not apply', 'foo', 'Host bar\n  Include @D/inc/x\n', { files: { 'inc/x': 'Frobnicate 1\n' } }),
  C('Include nesting within the depth limit', 'foo', 'Include @D/d1\n', { files: Object.fromEntries(Array.from({ length: 16 }, (_, k) => [`d${k + 1}`, k + 1 < 16 ? `Include @D/d${k + 2}\n` : 'User deep\n'])) }),
  C('Include loop', 'foo', 'Include @D/config\n'),
  C('Include of a file others can write', 'foo', 'Include @D/inc/x\n', { files: { 'inc/x': 'User x\n' }, modes: { 'inc/x': 0o666 } }),
  // Tokens and lists
  C('tokens in UserKnownHostsFile', 'Foo', 'Host Foo\n  HostName Real\n  User bob\n  Port 2022\n  HostKeyAlias Alias\n  UserKnownHostsFile ~/kh_%h_%p_%r_%u_%n_%k_%d_%L_%l_%i_%C ${HOME}/x %%\n'),
  C('unknown token', 'foo', 'Host foo\n  UserKnownHostsFile /kh_%z\n'),
  C('unset ${VAR}', 'foo', 'Host foo\n  UserKnownHostsFile ${BOOTSTRAP_SURELY_UNSET_VAR}/kh\n'),
  C('UserKnownHostsFile none; the first line wins', 'foo', 'Host foo\n  UserKnownHostsFile none\n  UserKnownHostsFile /kh\n'),
  C('UserKnownHostsFile none with others', 'foo', 'Host foo\n  UserKnownHostsFile none /kh\n'),
  C('GlobalKnownHostsFile list', 'foo', 'Host foo\n  GlobalKnownHostsFile /etc/a /etc/b\n'),
  C('IdentityAgent with tokens', 'foo', 'Host foo\n  IdentityAgent ~/agent.%r.%h\n'),
  C('IdentityAgent none', 'foo', 'Host foo\n  IdentityAgent none\n'),
  C('IdentityAgent SSH_AUTH_SOCK', 'foo', 'Host foo\n  IdentityAgent SSH_AUTH_SOCK\n'),
  C('ControlPath with tokens', 'foo', 'Host foo\n  ControlPath ~/.ssh/cm-%C-%r@%h:%p\n'),
  // Proxies
  C('ProxyJump before ProxyCommand', 'foo', 'Host foo\n  ProxyJump gw\n  ProxyCommand nc %h %p\n'),
  C('ProxyCommand before ProxyJump', 'foo', 'Host foo\n  ProxyCommand ssh -W "%h:%p" gw # raw\nHost *\n  ProxyJump gw\n'),
  C('ProxyJump none before ProxyCommand', 'foo', 'Host foo\n  ProxyJump none\nHost *\n  ProxyCommand nc %h %p\n'),
  C('ProxyCommand none', 'foo', 'Host foo\n  ProxyCommand none\nHost *\n  ProxyJump gw\n'),
  C('ProxyJump hop forms', 'foo', 'Host foo\n  ProxyJump ssh://u@h1:2201,[fd00::1]:2222,u2@h3,10.0.0.9:2\n'),
  C('ProxyJump to the host itself', 'gw', 'Host *\n  ProxyJump gw\n'),
  C('invalid ProxyJump', 'foo', 'Host foo\n  ProxyJump u@:22\n'),
  // Values
  C('StrictHostKeyChecking no, CheckHostIP, HashKnownHosts, IdentitiesOnly', 'foo', 'Host foo\n  StrictHostKeyChecking off\n  CheckHostIP yes\n  HashKnownHosts yes\n  IdentitiesOnly yes\n'),
  C('StrictHostKeyChecking accept-new', 'foo', 'Host foo\n  StrictHostKeyChecking accept-new\n'),
  C('StrictHostKeyChecking yes', 'foo', 'Host foo\n  StrictHostKeyChecking TRUE\n'),
  C('times', 'foo', 'Host foo\n  ConnectTimeout 1m30s\n  ServerAliveInterval 2m\n  ServerAliveCountMax 5\n'),
  C('ConnectTimeout none', 'foo', 'Host foo\n  ConnectTimeout none\nHost *\n  ConnectTimeout 7\n'),
  C('bad time', 'foo', 'Host foo\n  ConnectTimeout 5x\n'),
  C('HostKeyAlias is lower-cased', 'foo', 'Host foo\n  HostKeyAlias MyAlias\n'),
  // The final pass and other combinations
  C('Include beyond the depth limit', 'foo', 'Include @D/d1\n', { files: Object.fromEntries(Array.from({ length: 17 }, (_, k) => [`d${k + 1}`, k + 1 < 17 ? `Include @D/d${k + 2}\n` : 'User deep\n'])) }),
  C('final pass: IdentityFile lines read twice are listed once', 'foo', 'Match final\n  Port 2\nHost *\n  IdentityFile ~/.ssh/k_%h\n  IdentityFile ~/.ssh/k2\n'),
  C('final pass: Host matches the final, lower-cased host name', 'Alias', 'Host Alias\n  HostName Target.Example\nHost target.example\n  User t\nMatch final\n  Port 3\n'),
  C('final pass: the first UserKnownHostsFile line stays', 'foo', 'Match !final\n  UserKnownHostsFile /first\nMatch final\n  UserKnownHostsFile /second\n'),
  C('final pass: ProxyJump only in the final pass', 'foo', 'Match final host foo\n  ProxyJump gw:2022\n'),
  C('final pass with -J', 'foo', 'Match final\n  ProxyJump cfg\n', { J: 'cli' }),
  C('Match exec tokens are expanded even when not run', 'foo', 'Match host bar exec "echo %z"\n  Port 1\n'),
  C('Match with =', 'foo', 'Match host=foo\n  Port 1122\n'),
  C('Match originalhost is case-insensitive', 'FOO', 'Match originalhost foo\n  Port 1123\n'),
  C('Match exec %p sees -p', 'foo', 'Match exec "test %p = 2200"\n  User p2200\n', { p: 2200 }),
  C('Match exec %k sees HostKeyAlias', 'foo', 'Host foo\n  HostKeyAlias Key1\nMatch exec "test %k = Key1"\n  User alias\n'),
  C('empty Host pattern', 'foo', 'Host ""\n  User u\n'),
  C('IgnoreUnknown in a block that does not apply', 'foo', 'Host bar\n  IgnoreUnknown frob\nHost foo\n  Frob 1\n'),
  C('deprecated and unsupported keywords ssh accepts', 'foo', 'Protocol 2\nUsePrivilegedPort no\nCompressionLevel 6\nHost foo\n  User u\n'),
  C('bad ServerAliveCountMax', 'foo', 'Host foo\n  ServerAliveCountMax -1\n'),
  C('IdentityFile with tokens and ${VAR} (raw)', 'foo', 'Host foo\n  IdentityFile ~/.ssh/id_%h_%r_%C\n  IdentityFile ${HOME}/k\n'),
  C('ProxyCommand with =', 'foo', 'Host foo\n  ProxyCommand=ssh -W %h:%p gw\n'),
  C('IdentityAgent with a bad legacy variable', 'foo', 'Host foo\n  IdentityAgent $1-bad\n'),
  C('CanonicalizeHostname no is no final pass', 'foo', 'Host foo\n  CanonicalizeHostname no\nMatch canonical\n  Port 9\n'),
  C('Include with ~ that matches nothing', 'foo', 'Include ~/bootstrap-test-no-such-dir-7f3a/*\nUser u\n'),
  C('Host line with a comment and a negation', 'foo', 'Host * !bar # all but bar\n  User star\n'),
  C('keyword in quotes', 'foo', '"User" quoted\n'),
  C('an ignored yes/no keyword with a bad value, where the block does not apply', 'foo', 'Host bar\n  BatchMode maybe\n'),
  C('an ignored yes/no keyword with an extra argument', 'foo', 'Host foo\n  TCPKeepAlive yes no\n'),
  C('ignored yes/no keywords', 'foo', 'Host foo\n  BatchMode yes\n  TCPKeepAlive no\n  VisualHostKey true\n  StdinNull False\n'),
  C('BatchMode with ServerAliveInterval set (Debian defaults it to 300 only when unset)', 'foo', 'Host foo\n  ServerAliveInterval 10\n  BatchMode yes\n'),
  C('GSSAPIAuthentication with a bad value', 'foo', 'Host foo\n  GSSAPIAuthentication maybe\n'),
  C('ControlMaster with a bad value', 'foo', 'Host bar\n  ControlMaster sometimes\n'),
  C('ConnectionAttempts not a number', 'foo', 'Host foo\n  ConnectionAttempts many\n'),
  C('ForwardX11Timeout bad time', 'foo', 'Host foo\n  ForwardX11Timeout 5y\n'),
  C('ignored keywords with good values', 'foo', 'Host foo\n  ControlMaster autoask\n  RequestTTY force\n  Tunnel point-to-point\n  UpdateHostKeys ask\n  PubkeyAuthentication host-bound\n  Compression no\n  ConnectionAttempts 3\n  ForwardX11Timeout 1h\n  CanonicalizeMaxDots 2\n'),
  C('IdentityAgent with an unset variable, where the block does not apply', 'foo', 'Host bar\n  IdentityAgent ${BOOTSTRAP_SURELY_UNSET_VAR}/s\n'),
  C('IdentityAgent with ${HOME}', 'foo', 'Host foo\n  IdentityAgent ${HOME}/agent.sock\n'),
  C('= inside a Host pattern', 'foo=bar', 'Host foo=bar\n  Port 1201\n'),
  C('Host= with patterns', 'foo', 'Host=foo bar\n  Port 1202\n'),
  C('empty value after =', 'foo', 'Host foo\n  User=\n'),
  C('tabs between words', 'foo', 'Host\tfoo\n\tUser\tt\n\tUserKnownHostsFile\t/a\t/b\n'),
  C('Match host with a quoted list', 'foo', 'Match host "bar,foo"\n  Port 1203\n'),
  C('Match exec with quotes inside', 'foo', 'Match exec "test -n \'x y\'"\n  Port 1204\n'),
  C('quoted port', 'foo', 'Host foo\n  Port "2201"\n'),
  C('empty quoted HostName', 'foo', 'Host foo\n  HostName ""\n'),
  C('empty quoted IdentityFile', 'foo', 'Host foo\n  IdentityFile ""\n'),
  C('empty quoted Include', 'foo', 'Include ""\n'),
  C('CRLF line ends', 'foo', 'Host foo\r\n  User crlf\r\n  Port 1205\r\n'),
  C('a quote inside a word', 'foo', 'Host foo\n  UserKnownHostsFile /a"b c"d\n'),
  C('a # inside a word is no comment', 'foo', 'Host foo\n  UserKnownHostsFile /a#b\n'),
  C('Host negation only', 'foo', 'Host !bar\n  Port 1206\n'),
  C('Match !all', 'foo', 'Match !all\n  Port 1207\n'),
  C('Match host all', 'foo', 'Match host foo all\n  Port 1208\n'),
  C('Match canonical all', 'foo', 'Match canonical all\n  Port 1209\n'),
  C('Match final without argument combined', 'foo', 'Match final user root\n  Port 1210\n'),
  C('Match with criteria names in upper case', 'foo', 'Match HOST foo USER *\n  Port 1211\n'),
  C('ProxyJump: bad jump port', 'foo', 'Host foo\n  ProxyJump u@h:abc\n'),
  C('ProxyJump: jump port by service name', 'foo', 'Host foo\n  ProxyJump h:ssh\n'),
  C('ProxyJump: ssh:// with a trailing slash', 'foo', 'Host foo\n  ProxyJump ssh://h/\n'),
  C('ProxyJump: ssh:// with a path', 'foo', 'Host foo\n  ProxyJump ssh://h/x\n'),
  C('ProxyJump: ssh:// user with parameters', 'foo', 'Host foo\n  ProxyJump ssh://u;fp=x@h\n'),
  C('ProxyJump: empty hop', 'foo', 'Host foo\n  ProxyJump a,,b\n'),
  C('ProxyJump: user with @', 'foo', 'Host foo\n  ProxyJump u@x@h\n'),
  C('ProxyJump: bracketed address without port', 'foo', 'Host foo\n  ProxyJump [::1]\n'),
  C('ProxyJump: unbracketed IPv6', 'foo', 'Host foo\n  ProxyJump ::1\n'),
  C('ProxyJump: empty port', 'foo', 'Host foo\n  ProxyJump h:\n'),
  C('ProxyJump: jump with a comment', 'foo', 'Host foo\n  ProxyJump h2 # via h2\n'),
  C('ProxyJump: space after a comma', 'foo', 'Host foo\n  ProxyJump a, b\n'),
  C('ProxyJump: ssh:// upper case scheme', 'foo', 'Host foo\n  ProxyJump SSH://h:2\n'),
  C('ProxyJump: ssh:// with %-encoded user', 'foo', 'Host foo\n  ProxyJump ssh://a%40b@h\n'),
  C('ProxyJump: port 0', 'foo', 'Host foo\n  ProxyJump h:0\n'),
  C('ProxyJump: ssh:// IPv6', 'foo', 'Host foo\n  ProxyJump ssh://u@[fd00::2]:2022\n'),
  C('ProxyJump: semicolon', 'foo', 'Host foo\n  ProxyJump a;b\n'),
  C('ProxyJump: two words', 'foo', 'Host foo\n  ProxyJump a b\n'),
  C('ProxyJump: dash', 'foo', 'Host foo\n  ProxyJump -a\n'),
  C('ProxyJump: user with ;', 'foo', 'Host foo\n  ProxyJump u;x@h\n'),
  C('ProxyJump: ssh:// port and slash', 'foo', 'Host foo\n  ProxyJump ssh://h:22/\n'),
  C('ProxyJump: ssh:// two @', 'foo', 'Host foo\n  ProxyJump ssh://a@b@h\n'),
  C('ProxyJump: ssh:// underscore', 'foo', 'Host foo\n  ProxyJump ssh://u@h_x\n'),
  C('ProxyJump: slash', 'foo', 'Host foo\n  ProxyJump h/x\n'),
  C('ProxyJump: port and path', 'foo', 'Host foo\n  ProxyJump h:22/x\n'),
  C('ProxyJump: bracket then junk', 'foo', 'Host foo\n  ProxyJump [h]x\n'),
  C('User takes no tokens in ssh 9.2', 'foo', 'Host foo\n  User %u_x\n'),
  C('this machine\'s own ~/.ssh/config and /etc/ssh/ssh_config', 'Some.Host', '', { defaultFiles: true }),
  C('this machine\'s own files with -l -p -J', 'other', '', { defaultFiles: true, l: 'u', p: 2222, J: 'gw' }),
  // Settings bootstrap does not implement
  C('BindAddress', 'foo', 'Host foo\n  BindAddress 10.0.0.1\n', { bootstrapRefuses: /^\S+:2: BindAddress is not supported/ }),
  C('CanonicalizeHostname yes', 'foo', 'Host foo\n  CanonicalizeHostname yes\n', { bootstrapRefuses: /^\S+:2: CanonicalizeHostname yes is not supported/ }),
  C('AddressFamily inet6', 'foo', 'Host foo\n  AddressFamily inet6\n', { bootstrapRefuses: /^\S+:2: AddressFamily inet6 is not supported/ }),
  C('unsupported settings in a block that does not apply', 'foo', 'Host bar\n  BindAddress 10.0.0.1\n  AddressFamily inet\n  ProxyUseFdpass yes\n'),
  C('CanonicalizeHostname yes through a proxy is only a final pass', 'foo', 'Host foo\n  CanonicalizeHostname yes\n  ProxyJump gw\nMatch canonical\n  User canon\n'),
];

test('the differential suite has enough cases', () => {
  assert.ok(cases.length >= 40);
});

for (const c of cases) {
  test(`ssh -G: ${c.name}`, { skip: !haveSsh && 'no ssh client' }, () => {
    check(c);
  });
}
