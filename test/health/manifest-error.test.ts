import assert from 'node:assert/strict';
import { test } from 'node:test';
import { componentFromManifest, ManifestError as ReadError } from '../../src/health/endpoints.js';
import { ManifestError } from '../../src/manifests/index.js';

test('one ManifestError for manifests that cannot be rendered and for manifests read back that cannot be used', () => {
  assert.equal(ReadError, ManifestError);
  assert.throws(() => componentFromManifest('metadata: {name: etcd}\n', '10.0.0.1', '/etc/kubernetes/manifests/etcd.yaml'), (e: unknown) => {
    assert.ok(e instanceof ManifestError);
    assert.equal(e.name, 'ManifestError');
    assert.equal(e.message, '/etc/kubernetes/manifests/etcd.yaml: not a Pod with a named container');
    return true;
  });
});
