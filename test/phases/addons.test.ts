import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AddonManifestError, manifestObjects } from '../../src/phases/addons.js';

async function file(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'bootstrap-addons-')), 'cni.yaml');
  await writeFile(path, text);
  return path;
}

describe('addons.manifests: the objects of a manifest file', () => {
  it('reads every document, skips empty ones and unwraps a List', async () => {
    const path = await file(`---
apiVersion: v1
kind: Namespace
metadata: {name: cni}
---
# only a comment
---
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: a, namespace: cni}}
- {apiVersion: v1, kind: ConfigMap, metadata: {name: b, namespace: cni}}
`);
    const objects = await manifestObjects(path);
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), ['Namespace/cni', 'ConfigMap/a', 'ConfigMap/b']);
  });

  it('locates a YAML error as file:line:column', async () => {
    const path = await file('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n');
    await assert.rejects(manifestObjects(path), (e: Error) => e instanceof AddonManifestError && new RegExp(`^${path}:\\d+:\\d+: `).test(e.message));
  });

  it('refuses a document that is not a Kubernetes object, naming its line', async () => {
    const path = await file('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nfoo: bar\n');
    await assert.rejects(manifestObjects(path), (e: Error) => e instanceof AddonManifestError && e.message === `${path}:5:1: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
  });
});
