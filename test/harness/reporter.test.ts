/** The reporter of `npm test` (test/reporter.ts), run by node's test runner on a fixture file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';
import { outputMode } from '../reporter.js';

const reporter = join(repoRoot, 'dist/test/reporter.js');
const fixture = 'test/fixtures/reporter/sample.mjs';

/** `node --test` on the fixture with the reporter; the child must not think it runs under this test runner. */
function run(env: Record<string, string>) {
  const { NODE_TEST_CONTEXT: _, BOOTSTRAP_TEST_OUTPUT: __, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--test', `--test-reporter=${reporter}`, '--test-reporter-destination=stdout', fixture], {
    cwd: repoRoot,
    env: { ...inherited, BOOTSTRAP_TEST_STAGE: 'unit', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: result.stdout };
}

test('on a terminal: spec output, then the stage summary with counts, failed tests and skip reasons', () => {
  const { code, out } = run({ BOOTSTRAP_TEST_OUTPUT: 'spec' });
  assert.equal(code, 1);
  assert.match(out, /✔ passes/);
  const summary = out.slice(out.lastIndexOf('\n✖ unit:'));
  assert.equal(summary, [
    '',
    summary.split('\n')[1],
    '  failed:',
    `    ${fixture} › fails`,
    '      expected 1, got 2',
    `    ${fixture} › group › fails inside`,
    '      inner failure for 2 of 2: · - a: refused · - b: timed out',
    '  skipped:',
    `    ${fixture} › is skipped`,
    '      needs something this fixture lacks',
    '  notes:',
    `    ${fixture}: lab: a step failed once and was tried again`,
    '',
  ].join('\n'));
  assert.match(summary.split('\n')[1]!, /^✖ unit: 4 tests, 1 passed, 2 failed, 1 skipped in \d+\.\d s$/);
});

test('not on a terminal: node\'s TAP output, ending with the runner\'s own counts', () => {
  for (const env of [{ BOOTSTRAP_TEST_OUTPUT: 'tap' }, {}] as Record<string, string>[]) {
    const { code, out } = run(env);
    assert.equal(code, 1);
    assert.match(out, /^not ok \d+ - fails$/m);
    assert.doesNotMatch(out, /✖ unit:/);
    const closing = out.trimEnd().split('\n').slice(-8).map((l) => l.replace(/ [\d.]+$/, ''));
    assert.deepEqual(closing, ['# tests', '# suites', '# pass', '# fail', '# cancelled', '# skipped', '# todo', '# duration_ms']);
    assert.match(out, /^# tests 4\n# suites 1\n# pass 1\n# fail 2\n# cancelled 0\n# skipped 1\n/m);
    // A log cut to its tail still says what failed and why, just before the counts.
    assert.deepEqual(out.trimEnd().split('\n').slice(-13, -8), [
      '# unit: notes:',
      `#   ${fixture}: lab: a step failed once and was tried again`,
      '# unit: 2 failed:',
      `#   ${fixture} › fails: expected 1, got 2`,
      `#   ${fixture} › group › fails inside: inner failure for 2 of 2: · - a: refused · - b: timed out`,
    ]);
  }
});

test('the output follows the terminal unless BOOTSTRAP_TEST_OUTPUT says', () => {
  assert.equal(outputMode({}, true), 'spec');
  assert.equal(outputMode({}, false), 'tap');
  assert.equal(outputMode({ BOOTSTRAP_TEST_OUTPUT: 'tap' }, true), 'tap');
  assert.equal(outputMode({ BOOTSTRAP_TEST_OUTPUT: 'spec' }, false), 'spec');
});
