/**
 * The kubeconfig files `up` writes on a control plane, as golden files under test/golden/kubeconfig/<version>/<case>/
 * (case: "default", no controlPlaneEndpoint; "control-plane-endpoint", k8s.example.com:6443, where the files show
 * which of them talk to the endpoint and which to the node's own API server):
 * the YAML exactly, with the certificate and key data (new on every render) replaced by fixed placeholders; the
 * client certificate's placeholder names its subject, so user names and groups are part of the golden too.
 *
 * Releases: those of the manifest goldens plus the first release of every minor where a file changes; every other
 * supported minor must render exactly as the nearest older golden release.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { SUPPORTED_MINORS } from '../../src/kube/version.js';
import { prepareRender, renderControlPlaneHost, type RenderInputs } from '../../src/render/index.js';
import { useKeyGenerator } from '../../src/pki/keys.js';
import { assertGolden } from '../golden.js';
import { goldenInventory } from '../golden-inventory.js';
import { redactKubeconfig, tempDir, useKeyPool } from './fixtures.js';

export const KUBECONFIG_GOLDEN_RELEASES = ['v1.20.0', 'v1.21.14', 'v1.24.17', 'v1.28.15', 'v1.29.0', 'v1.33.0', 'v1.37.1'];
const CASES: Record<string, string | undefined> = { default: undefined, 'control-plane-endpoint': 'k8s.example.com:6443' };

const stateDir = tempDir('bootstrap-kubeconfig-golden-');
let inputs: RenderInputs;
before(async () => {
  useKeyPool(3);
  inputs = await prepareRender(goldenInventory('v1.28.15', { stateDir }));
});
after(() => {
  useKeyGenerator();
  rmSync(stateDir, { recursive: true, force: true });
});

async function kubeconfigs(version: string, controlPlaneEndpoint: string | undefined): Promise<Map<string, string>> {
  const inv = goldenInventory(version, { stateDir, controlPlaneEndpoint });
  const { files } = await renderControlPlaneHost(inv, inv.hosts[0]!, inputs);
  const out = new Map<string, string>();
  for (const f of files) {
    const m = /^\/etc\/kubernetes\/([^/]+\.conf)$/.exec(f.path);
    if (m) out.set(m[1]!, redactKubeconfig(String(f.content)));
  }
  return out;
}

for (const version of KUBECONFIG_GOLDEN_RELEASES) {
  test(`kubeconfig files of ${version} equal the golden files (key material redacted)`, async () => {
    for (const [name, endpoint] of Object.entries(CASES)) {
      const files = await kubeconfigs(version, endpoint);
      assert.ok(files.has('admin.conf') && files.has('kubelet.conf'));
      for (const [file, text] of files) {
        assert.doesNotMatch(text, /LS0tLS1CRUdJTi/, `${file}: key material left`);
        assertGolden(`kubeconfig/${version}/${name}/${file}`, text);
      }
    }
  });
}

test('every supported minor without a golden release renders its kubeconfigs as the nearest older one', async () => {
  let previous: string | undefined;
  for (const minor of SUPPORTED_MINORS) {
    const own = KUBECONFIG_GOLDEN_RELEASES.find((v) => v.startsWith(`v${minor}.`));
    if (own) {
      previous = own;
      continue;
    }
    assert.ok(previous);
    for (const [name, endpoint] of Object.entries(CASES)) {
      assert.deepEqual(
        [...(await kubeconfigs(`v${minor}.0`, endpoint))],
        [...(await kubeconfigs(previous, endpoint))],
        `v${minor}.0 (${name}) differs from ${previous}: add v${minor}.0 to KUBECONFIG_GOLDEN_RELEASES and write its golden files`,
      );
    }
  }
});
