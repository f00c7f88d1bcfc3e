/** What draining a Node evicts, and the Eviction's API version per Kubernetes version. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drainPlan, EVICTION_API_VERSION } from '../../src/cluster/drain.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { lookup } from '../../src/kube/table.js';

const pod = (name: string, metadata: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', ...metadata } });

test('static (mirror) and DaemonSet Pods stay; every other Pod is evicted, unmanaged and finished ones too', () => {
  const plan = drainPlan([
    pod('web-1', { ownerReferences: [{ kind: 'ReplicaSet', controller: true }] }),
    pod('proxy', { ownerReferences: [{ kind: 'DaemonSet', controller: true }] }),
    pod('etcd-cp1', { annotations: { 'kubernetes.io/config.mirror': 'x' } }),
    pod('bare'),
    // Owned by a DaemonSet but not as its controller: evicted, as kubectl does.
    pod('adopted', { ownerReferences: [{ kind: 'DaemonSet', controller: false }] }),
  ]);
  assert.deepEqual(plan.evict.map((p) => p.name), ['web-1', 'bare', 'adopted']);
  assert.deepEqual(plan.kept, ['ns/proxy (DaemonSet)', 'ns/etcd-cp1 (static Pod)']);
});

test('Evictions are policy/v1 from v1.22, policy/v1beta1 before', () => {
  assert.equal(lookup(EVICTION_API_VERSION, 'v1.21.14'), 'policy/v1beta1');
  assert.equal(lookup(EVICTION_API_VERSION, 'v1.22.0'), 'policy/v1');
  assert.equal(lookup(EVICTION_API_VERSION, 'v1.33.1'), 'policy/v1');
});
