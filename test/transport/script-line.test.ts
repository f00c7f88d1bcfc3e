import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { scriptLine } from '../../src/transport/shell.js';

test('script lines: a whole-argument variable reference expands as one word, everything else is quoted', () => {
  assert.equal(scriptLine(['crictl', '--runtime-endpoint', '$ep', 'pods', '-o', 'json']), 'crictl --runtime-endpoint "$ep" pods -o json');
  assert.equal(scriptLine(['docker', 'ps', '--format', '{{json .}}']), "docker ps --format '{{json .}}'");
  // Not a bare reference: quoted, never expanded.
  assert.equal(scriptLine(['echo', '$(id)', '${x}', 'a$b', '$1']), "echo '$(id)' '${x}' 'a$b' '$1'");
  const out = execFileSync('sh', ['-c', `ep='a b; $(id)'; printf '%s|' ${scriptLine(['x', '$ep', '$ep2'])}`]).toString();
  assert.equal(out, 'x|a b; $(id)||');
  assert.throws(() => scriptLine([]), /empty command/);
});
