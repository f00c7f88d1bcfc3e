import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retry } from '../../src/util/retry.js';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

test('retry: tries again with doubling waits, bounded, then gives the last error', async () => {
  const waits: number[] = [];
  let calls = 0;
  await assert.rejects(
    retry(async () => { calls++; throw new Error(`fail ${calls}`); }, { attempts: 4, firstDelayMs: 1, maxDelayMs: 3, onRetry: (_e, _a, ms) => waits.push(ms) }),
    /fail 4/,
  );
  assert.equal(calls, 4);
  assert.deepEqual(waits, [1, 2, 3]);
});

test('retry: succeeds as soon as an attempt does', async () => {
  let calls = 0;
  assert.equal(await retry(async (attempt) => { calls++; if (attempt < 3) throw new Error('not yet'); return 'ok'; }, { attempts: 5, firstDelayMs: 1 }), 'ok');
  assert.equal(calls, 3);
});

test('retry: an error marked retryable=false, or refused by the predicate, ends it at once', async () => {
  let calls = 0;
  await assert.rejects(retry(async () => { calls++; throw Object.assign(new Error('bad key'), { retryable: false }); }, { attempts: 5, firstDelayMs: 1 }), /bad key/);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(retry(async () => { calls++; throw new Error('404 not found'); }, { attempts: 5, firstDelayMs: 1, retryable: (e) => /5\d\d/.test((e as Error).message) }), /404/);
  assert.equal(calls, 1);
});

test('Go durations', () => {
  assert.equal(parseDuration('4m'), 240_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('1.5h'), 5_400_000);
  assert.equal(parseDuration('250ms'), 250);
  for (const bad of ['4', '4 minutes', 'm', '', '-1s', '1d']) assert.equal(parseDuration(bad), undefined, bad);
  assert.equal(formatDuration(240_000), '4m');
  assert.equal(formatDuration(90_000), '90s');
  assert.equal(formatDuration(250), '250ms');
});
