/**
 * The renderer against manifests written by hand from kubeadm's source for one fixed inventory
 * (test/golden/manifests/<version>/<component>.yaml), byte for byte. A change to them under UPDATE_GOLDEN=1 is a
 * change to what kubeadm is said to write: check it against kubeadm's source before committing it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROL_PLANE_COMPONENTS, renderStaticPodFiles } from '../../src/manifests/index.js';
import { assertGolden } from '../golden.js';
import { GOLDEN_VERSIONS, host, images, inventory } from './fixture.js';

for (const version of GOLDEN_VERSIONS) {
  test(`kubeadm ${version}: every control-plane manifest matches the golden file byte for byte`, () => {
    const inv = inventory(version);
    const files = renderStaticPodFiles(inv, host(), images(inv));
    assert.deepEqual(
      files.map((f) => f.path),
      CONTROL_PLANE_COMPONENTS.map((c) => `/etc/kubernetes/manifests/${c}.yaml`),
    );
    for (const [i, component] of CONTROL_PLANE_COMPONENTS.entries()) {
      assertGolden(`manifests/${version}/${component}.yaml`, String(files[i]?.content ?? ''));
      assert.equal(files[i]?.mode, 0o600);
    }
  });
}
