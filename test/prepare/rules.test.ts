/**
 * prepare's table says what to set so that kubeadm's preflight passes; preflight-checks.ts judges the same
 * facts from its own tables. Both must agree on every supported minor: a kubeadm change added to one table
 * and not the other fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_RELEASES } from '../../src/kube/releases.data.js';
import { lookup } from '../../src/kube/table.js';
import { CONNTRACK_REQUIRED, EXEC_CHECKS, NETFILTER_RULES } from '../../src/phases/preflight-checks.js';
import { prepareRule } from '../../src/prepare/rules.js';
import { toolPackage } from '../../src/prepare/tools.js';

const RELEASES = KNOWN_RELEASES.flatMap((newest) => [`${newest.replace(/\.\d+$/, '')}.0`, newest]);

test('prepare sets what preflight checks, on every supported minor (first and newest known patch)', () => {
  for (const release of RELEASES) {
    const rule = prepareRule(release);
    assert.equal(rule.bridgeNetfilter, lookup(NETFILTER_RULES, release).bridge, release);
    const checked = [...(lookup(CONNTRACK_REQUIRED, release) ? ['conntrack'] : []), ...EXEC_CHECKS.map((c) => c.executable)];
    assert.deepEqual([...rule.executables].sort(), checked.sort(), release);
  }
});

test('every executable kubeadm looks for has a package on apt and on dnf/yum', () => {
  for (const release of RELEASES) {
    for (const e of prepareRule(release).executables) {
      assert.ok(toolPackage('apt', e));
      assert.match(toolPackage('dnf', e), /^\/usr\/s?bin\//);
    }
  }
  assert.equal(prepareRule('v1.23.17').communityPackages, false);
  assert.equal(prepareRule('v1.24.0').communityPackages, true);
});
