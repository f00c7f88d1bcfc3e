import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holds } from '../../src/api/apply.js';

describe('holds: does the live object already carry every field bootstrap would send', () => {
  const want = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' }, data: { a: '1' } };

  it('ignores what the server adds (resourceVersion, uid, defaults)', () => {
    const live = { ...want, metadata: { ...want.metadata, resourceVersion: '42', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z' }, immutable: false };
    assert.equal(holds(live, want), true);
  });

  it('sees a changed or missing value', () => {
    assert.equal(holds({ ...want, data: { a: '2' } }, want), false);
    assert.equal(holds({ ...want, data: {} }, want), false);
    assert.equal(holds({ ...want, data: undefined }, want), false);
  });

  it('compares lists item by item and by length: a taint or rule too many is a difference', () => {
    const rules = { rules: [{ verbs: ['get'], resources: ['nodes'] }] };
    assert.equal(holds({ rules: [{ verbs: ['get'], resources: ['nodes'], apiGroups: [''] }] }, rules), true);
    assert.equal(holds({ rules: [{ verbs: ['get'], resources: ['nodes'] }, { verbs: ['list'] }] }, rules), false);
    assert.equal(holds({ rules: [{ verbs: ['get', 'list'], resources: ['nodes'] }] }, rules), false);
  });

  it('tells numbers from strings, and objects from lists', () => {
    assert.equal(holds({ port: '53' }, { port: 53 }), false);
    assert.equal(holds({ x: [] }, { x: {} }), false);
    assert.equal(holds({ x: null }, { x: null }), true);
  });
});
