import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minorOf, normalizeKubernetesVersion, SUPPORTED_MINORS, VersionError } from '../../src/kube/version.js';

test('normalizes with and without the leading v', () => {
  assert.equal(normalizeKubernetesVersion('v1.28.4'), 'v1.28.4');
  assert.equal(normalizeKubernetesVersion('1.28.4'), 'v1.28.4');
  assert.equal(normalizeKubernetesVersion(' 1.20.0 '), 'v1.20.0');
  assert.equal(normalizeKubernetesVersion('v1.37.1'), 'v1.37.1');
});

test('a later patch of the newest known minor is accepted', () => {
  assert.equal(normalizeKubernetesVersion('v1.37.40'), 'v1.37.40');
});

function rejects(input: string, message: string): void {
  assert.throws(
    () => normalizeKubernetesVersion(input),
    (err: unknown) => {
      assert.ok(err instanceof VersionError);
      assert.equal(err.message, message);
      assert.equal(err.name, 'VersionError');
      return true;
    },
  );
}

test('malformed versions are refused with a message that says what to write', () => {
  rejects('1.28', 'kubernetesVersion "1.28" is not valid: a patch number is required, e.g. "v1.28.0"');
  rejects('v1.28', 'kubernetesVersion "v1.28" is not valid: a patch number is required, e.g. "v1.28.0"');
  rejects('v1.28.x', 'kubernetesVersion "v1.28.x" is not valid: expected MAJOR.MINOR.PATCH such as "v1.28.4"');
  rejects('latest', 'kubernetesVersion "latest" is not valid: release labels are not resolved; write the exact version, e.g. "v1.28.4"');
  rejects('stable-1.28', 'kubernetesVersion "stable-1.28" is not valid: release labels are not resolved; write the exact version, e.g. "v1.28.4"');
  rejects(
    'v1.28.4-rc.1',
    'kubernetesVersion "v1.28.4-rc.1" is not valid: pre-releases and build metadata are not supported; use a released version',
  );
  rejects(
    'v1.28.4+k3s1',
    'kubernetesVersion "v1.28.4+k3s1" is not valid: pre-releases and build metadata are not supported; use a released version',
  );
  rejects('v01.28.4', 'kubernetesVersion "v01.28.4" is not valid: expected MAJOR.MINOR.PATCH such as "v1.28.4"');
  rejects('', 'kubernetesVersion "" is not valid: expected MAJOR.MINOR.PATCH such as "v1.28.4"');
});

test('versions outside v1.20 … v1.37 are refused', () => {
  const range = 'bootstrap supports v1.20.0 to v1.37.1 (and later patches of v1.37)';
  rejects('v1.19.3', `kubernetesVersion "v1.19.3" is not supported: ${range}`);
  rejects('1.19.16', `kubernetesVersion "v1.19.16" is not supported: ${range}`);
  rejects('v1.38.0', `kubernetesVersion "v1.38.0" is not supported: ${range}`);
  rejects('v2.0.0', `kubernetesVersion "v2.0.0" is not supported: ${range}`);
  rejects('v0.20.0', `kubernetesVersion "v0.20.0" is not supported: ${range}`);
});

test('SUPPORTED_MINORS lists every minor, oldest first', () => {
  assert.deepEqual(SUPPORTED_MINORS, [
    '1.20', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26',
    '1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34', '1.35', '1.36', '1.37',
  ]);
});

test('minorOf', () => {
  assert.equal(minorOf('v1.28.4'), '1.28');
  assert.equal(minorOf('1.20.0'), '1.20');
  assert.throws(() => minorOf('v1.19.0'), VersionError);
});

test('a VersionError carries no stack frames for the user to read', () => {
  try {
    normalizeKubernetesVersion('latest');
    assert.fail('expected a VersionError');
  } catch (err) {
    assert.ok(err instanceof Error);
    assert.equal(err.stack, `VersionError: ${err.message}`);
  }
});
