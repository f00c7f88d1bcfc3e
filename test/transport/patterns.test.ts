/** OpenSSH's wildcard pattern lists (match.c), shared by ssh_config Host lines and known_hosts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchPatternList } from '../../src/transport/patterns.js';

test('pattern lists', () => {
  assert.equal(matchPatternList('web-1', ['web-?']), true);
  assert.equal(matchPatternList('web-10', ['web-?']), false);
  assert.equal(matchPatternList('WEB-10', ['web-*']), false, 'ssh_config patterns are case-sensitive');
  assert.equal(matchPatternList('WEB-10', ['web-*'], true), true, 'known_hosts patterns are not');
  assert.equal(matchPatternList('web-10', ['web-*', '!web-10']), false);
  assert.equal(matchPatternList('db.example', ['!web-*']), false, 'negation alone matches nothing');
  assert.equal(matchPatternList('a.b', ['a?b']), true);
  assert.equal(matchPatternList('a+b', ['a+b']), true, 'regex characters are literal');
});
