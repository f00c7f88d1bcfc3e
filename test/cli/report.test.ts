/** The human summary after `up`: what prepare changed is said per host, and counts as a change. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostReport, UpReport } from '../../src/commands/up.js';
import { formatUpReport } from '../../src/cli/report.js';

function host(overrides: Partial<HostReport>): HostReport {
  return {
    name: 'w1', address: '10.7.0.150', roles: ['worker'], ok: true, changed: [], actions: [], images: [], components: [],
    warnings: [], notes: [], kubeletRestarted: false, prepared: [], ...overrides,
  };
}

function report(hosts: HostReport[], dryRun = false): UpReport {
  return { ok: true, dryRun, kubernetesVersion: 'v1.28.4', changed: true, durationMs: 1234, hosts };
}

test('prepare\'s changes are listed under their host, and a dry run says they would happen', () => {
  const prepared = ['load kernel module br_netfilter', 'install kubelet=1.28.4-* cri-tools'];
  const text = formatUpReport(report([host({ prepared }), host({ name: 'w2' })]));
  assert.match(text, /^w1 \(worker\): prepare: 2 change\(s\)\n {2}prepare: load kernel module br_netfilter\n {2}prepare: install kubelet=1\.28\.4-\* cri-tools\nw2 \(worker\): nothing to do$/m);
  assert.match(formatUpReport(report([host({ prepared })], true)), /^ {2}prepare would: load kernel module br_netfilter$/m);
});

test('a joining control plane\'s etcd membership is said as such, not counted among API objects', () => {
  const changed = ['/etc/kubernetes/manifests/etcd.yaml', 'removed etcd member 8e9e05c52164694d (stale)', 'added etcd member cp3', 'joined Node/cp3 as a control plane'];
  const text = formatUpReport(report([host({ name: 'cp3', roles: ['control-plane'], changed })]));
  assert.match(text, /^cp3 \(control-plane\): 1 file\(s\) written; removed etcd member 8e9e05c52164694d \(stale\), added etcd member cp3; 1 API object\(s\) created or updated$/m);
});
