import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { commandLine, quote } from '../../src/transport/shell.js';

const HOSTILE = [
  `bar"";baz!$#^$'&*`,
  `$(touch /tmp/pwned)`,
  '`id`',
  "it's",
  '',
  ' leading and trailing ',
  'new\nline',
  'tab\there',
  '*',
  '~',
  '-n',
  'a\\b',
  'ünïcødé',
  "''",
];

test('plain words stay unquoted', () => {
  assert.equal(commandLine(['crictl', 'pull', 'registry.k8s.io/pause:3.9']), 'crictl pull registry.k8s.io/pause:3.9');
});

test('hostile strings are quoted', () => {
  assert.equal(quote(`bar"";baz!$#^$'&*`), `'bar"";baz!$#^$'\\''&*'`);
  assert.equal(quote(''), `''`);
});

test('a real shell reads every hostile string back unchanged', () => {
  for (const value of HOSTILE) {
    // printf %s receives exactly one argument: the value, byte for byte.
    const out = execFileSync('/bin/sh', ['-c', commandLine(['printf', '%s', value])], { encoding: 'utf8' });
    assert.equal(out, value);
  }
  const all = execFileSync('/bin/sh', ['-c', `${commandLine(['printf', '%s\\0', ...HOSTILE])}`], { encoding: 'utf8' });
  assert.deepEqual(all.split('\0').slice(0, -1), HOSTILE);
});

test('an empty command is refused', () => {
  assert.throws(() => commandLine([]), /empty command/);
});
