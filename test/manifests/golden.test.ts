/**
 * The renderer against manifests written by hand from kubeadm's source for one fixed inventory
 * (test/golden/manifests/<version>/<component>.yaml), byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONTROL_PLANE_COMPONENTS, renderStaticPodFiles } from '../../src/manifests/index.js';
import { GOLDEN_VERSIONS, host, images, inventory } from './fixture.js';

const goldenDir = fileURLToPath(new URL('../../../test/golden/manifests/', import.meta.url));

for (const version of GOLDEN_VERSIONS) {
  test(`kubeadm ${version}: every control-plane manifest matches the golden file byte for byte`, () => {
    const inv = inventory(version);
    const files = renderStaticPodFiles(inv, host(), images(inv));
    assert.deepEqual(
      files.map((f) => f.path),
      CONTROL_PLANE_COMPONENTS.map((c) => `/etc/kubernetes/manifests/${c}.yaml`),
    );
    for (const [i, component] of CONTROL_PLANE_COMPONENTS.entries()) {
      const expected = readFileSync(`${goldenDir}${version}/${component}.yaml`, 'utf8');
      assert.equal(files[i]?.content, expected, `${version}/${component}.yaml`);
      assert.equal(files[i]?.mode, 0o600);
    }
  });
}
