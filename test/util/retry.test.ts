import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retry } from '../../src/util/retry.js';
import { formatDuration, parseDuration } from '../../src/util/duration.js';
import { HostError, UsageError } from '../../src/util/errors.js';

/** A failure that a second try can get past, as a refused connection or a registry's 503. */
class Flaky extends HostError {
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

test('retry: tries again with doubling waits, bounded, then gives the last error', async () => {
  const waits: number[] = [];
  let calls = 0;
  await assert.rejects(
    retry(async () => { calls++; throw new Flaky(`fail ${calls}`); }, { attempts: 4, firstDelayMs: 1, maxDelayMs: 3, onRetry: (_e, _a, ms) => waits.push(ms) }),
    /fail 4/,
  );
  assert.equal(calls, 4);
  assert.deepEqual(waits, [1, 2, 3]);
});

test('retry: succeeds as soon as an attempt does', async () => {
  let calls = 0;
  assert.equal(await retry(async (attempt) => { calls++; if (attempt < 3) throw new Flaky('not yet'); return 'ok'; }, { attempts: 5, firstDelayMs: 1 }), 'ok');
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

test('retry: only errors marked retryable are tried again; a bug or any other error is tried once', async () => {
  const unexpected: [string, () => unknown][] = [
    ['TypeError', () => new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['plain Error', () => new Error('something unexpected')],
    ['not an Error', () => 'a string'],
    ['host error not marked retryable', () => new (class extends HostError {})('exited 1')],
    ['input error', () => new UsageError('bad flag')],
    ['retryable: true on a plain Error', () => Object.assign(new Error('duck'), { retryable: true })],
  ];
  for (const [what, make] of unexpected) {
    let calls = 0;
    const waits: number[] = [];
    await assert.rejects(retry(async () => { calls++; throw make(); }, { attempts: 5, firstDelayMs: 1, onRetry: (_e, _a, ms) => waits.push(ms) }));
    assert.equal(calls, 1, what);
    assert.deepEqual(waits, [], what);
  }
});

test('retry: a retryable error is tried up to the bound, with the same back-off, then thrown as is', async () => {
  const waits: number[] = [];
  let calls = 0;
  let last: Flaky | undefined;
  await assert.rejects(
    retry(async () => { calls++; throw (last = new Flaky(`refused ${calls}`)); }, { attempts: 3, firstDelayMs: 2, maxDelayMs: 100, onRetry: (_e, _a, ms) => waits.push(ms) }),
    (e: unknown) => e === last,
  );
  assert.equal(calls, 3);
  assert.deepEqual(waits, [2, 4]);
});

test('retry: a predicate decides for its caller, but never retries an error marked retryable=false', async () => {
  let calls = 0;
  await assert.rejects(retry(async () => { calls++; throw new Error('503 Service Unavailable'); }, { attempts: 3, firstDelayMs: 1, retryable: (e) => /5\d\d/.test((e as Error).message) }), /503/);
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(retry(async () => { calls++; throw Object.assign(new Error('503 but bad key'), { retryable: false }); }, { attempts: 3, firstDelayMs: 1, retryable: () => true }), /bad key/);
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
