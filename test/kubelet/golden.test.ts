/**
 * The kubelet's files against golden files: /var/lib/kubelet/config.yaml, kubeadm-flags.env and (v1.34+)
 * instance-config.yaml per release and runtime under test/golden/kubelet/<version>/<runtime>/, the systemd
 * drop-in (the same on every version) in test/golden/kubelet/10-kubeadm.conf.
 *
 * Releases: those of the manifest goldens plus the first release of every minor where a file changes; every other
 * supported minor must render exactly as the nearest older golden release (so a new difference fails here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import semver from 'semver';
import { KUBEADM_DROPIN_PATH, renderKubeletFiles } from '../../src/kubelet/index.js';
import { SUPPORTED_MINORS } from '../../src/kube/version.js';
import { defaultCriSocket } from '../../src/kube/runtime.js';
import { imageFor } from '../../src/render/index.js';
import type { RenderedFile } from '../../src/inventory/types.js';
import { assertGolden } from '../golden.js';
import { goldenInventory } from '../golden-inventory.js';

export const KUBELET_GOLDEN_RELEASES = [
  'v1.20.0', 'v1.21.14', 'v1.22.0', 'v1.23.0', 'v1.24.17', 'v1.25.0', 'v1.26.0', 'v1.27.0', 'v1.28.15',
  'v1.29.0', 'v1.30.0', 'v1.31.0', 'v1.32.0', 'v1.34.0', 'v1.35.0', 'v1.37.1',
];

/** The runtimes whose files differ: dockershim (kubeadm's default before v1.24) and containerd. */
function runtimes(version: string): Record<string, string> {
  if (semver.lt(version.slice(1), '1.24.0')) return { dockershim: '/var/run/dockershim.sock', containerd: '/run/containerd/containerd.sock' };
  return { containerd: defaultCriSocket(version) };
}

function render(version: string, criSocket: string): RenderedFile[] {
  const inv = goldenInventory(version);
  const host = inv.hosts[0]!;
  // As render does: no facts, so no --hostname-override and the default resolv.conf.
  return renderKubeletFiles(inv, host, { criSocket, pauseImage: imageFor(inv, 'pause') });
}

const fileName = (f: RenderedFile): string => f.path.slice(f.path.lastIndexOf('/') + 1);
const text = (f: RenderedFile): string => (typeof f.content === 'string' ? f.content : f.content.toString('utf8'));

for (const version of KUBELET_GOLDEN_RELEASES) {
  test(`kubelet files of ${version} equal the golden files, per runtime`, () => {
    for (const [runtime, socket] of Object.entries(runtimes(version))) {
      for (const file of render(version, socket)) {
        if (file.path === KUBEADM_DROPIN_PATH) assertGolden('kubelet/10-kubeadm.conf', text(file));
        else assertGolden(`kubelet/${version}/${runtime}/${fileName(file)}`, text(file));
      }
    }
  });
}

test('every supported minor without a golden release renders as the nearest older one', () => {
  const releaseOf = (minor: string) => KUBELET_GOLDEN_RELEASES.find((v) => v.startsWith(`v${minor}.`));
  const plain = (files: RenderedFile[]) => files.map((f) => [f.path, text(f)]);
  let previous: string | undefined;
  for (const minor of SUPPORTED_MINORS) {
    const own = releaseOf(minor);
    if (own) {
      previous = own;
      continue;
    }
    assert.ok(previous, `v${minor}: no older golden release`);
    for (const socket of Object.values(runtimes(`v${minor}.0`))) {
      assert.deepEqual(
        plain(render(`v${minor}.0`, socket)),
        plain(render(previous, socket)),
        `v${minor}.0 (${socket}) differs from ${previous}: add v${minor}.0 to KUBELET_GOLDEN_RELEASES and write its golden files`,
      );
    }
  }
});
