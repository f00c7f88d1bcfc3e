/**
 * prepare sets up what kubeadm's preflight checks, from the same rows (src/kube/preflight-rules.ts): every
 * executable it looks for must be installable on both package families, on every supported minor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_RELEASES } from '../../src/kube/releases.data.js';
import { prepareRule } from '../../src/prepare/rules.js';
import { toolPackage } from '../../src/prepare/tools.js';

const RELEASES = KNOWN_RELEASES.flatMap((newest) => [`${newest.replace(/\.\d+$/, '')}.0`, newest]);

test('every executable kubeadm looks for has a package on apt and on dnf/yum', () => {
  for (const release of RELEASES) {
    for (const e of prepareRule(release).executables) {
      assert.ok(toolPackage('apt', e));
      assert.match(toolPackage('dnf', e), /^\/usr\/s?bin\//);
    }
  }
  assert.equal(prepareRule('v1.23.17').communityPackages, false);
  assert.equal(prepareRule('v1.24.0').communityPackages, true);
  assert.deepEqual(prepareRule('v1.31.0').executables.slice(0, 2), ['conntrack', 'ip']);
  assert.equal(prepareRule('v1.32.0').executables.includes('conntrack'), false);
  assert.deepEqual([prepareRule('v1.29.0').bridgeNetfilter, prepareRule('v1.30.0').bridgeNetfilter], [true, false]);
});
