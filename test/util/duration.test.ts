import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/util/duration.js';

test('durations for messages: milliseconds below a second, exact minutes, else rounded seconds', () => {
  assert.equal(formatDuration(240_000), '4m');
  assert.equal(formatDuration(1000), '1s');
  assert.equal(formatDuration(400), '400ms');
  assert.equal(formatDuration(0), '0ms');
  // Where the two former copies differed: one printed "1200ms" here, the other "1m30s" below.
  assert.equal(formatDuration(1200), '1s');
  assert.equal(formatDuration(90_000), '90s');
  assert.equal(formatDuration(1500), '2s');
  for (const ms of [400, 1000, 90_000, 240_000, 3_600_000]) assert.equal(parseDuration(formatDuration(ms)), ms);
});
