import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeComponent, type RuntimeListing } from '../../src/health/check.js';
import type { ComponentSpec } from '../../src/health/endpoints.js';

const spec: ComponentSpec = { name: 'kube-controller-manager', namespace: 'kube-system', container: 'kube-controller-manager', image: 'x' };

function listing(sandboxId: string): RuntimeListing {
  return {
    tool: 'crictl',
    state: {
      sandboxes: [{ id: sandboxId, name: 'kube-controller-manager-cp1', namespace: 'kube-system', uid: 'u', attempt: 0, state: 'ready', createdAt: 1n }],
      containers: [{ id: 'c', podSandboxId: sandboxId, name: 'kube-controller-manager', attempt: 0, state: 'running', createdAt: 2n, image: 'x', podName: 'kube-controller-manager-cp1', podNamespace: 'kube-system' }],
    },
  };
}

test('a component whose manifest was replaced counts only once its Pod runs in another sandbox', () => {
  const old = judgeComponent(spec, 'cp1', listing('sandbox-1'), undefined, 'sandbox-1');
  assert.equal(old.healthy, false);
  assert.equal(old.detail, 'manifest changed; waiting for kubelet to replace the Pod');
  assert.equal(judgeComponent(spec, 'cp1', listing('sandbox-2'), undefined, 'sandbox-1').healthy, true);
  assert.equal(judgeComponent(spec, 'cp1', listing('sandbox-1'), undefined, undefined).healthy, true);
});
