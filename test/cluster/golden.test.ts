/**
 * The cluster phases' API objects against golden files, per release where kubeadm's output changes:
 * test/golden/cluster/<version>/ holds upload-config.yaml (kubeadm-config, the kubelet ConfigMap, their RBAC),
 * bootstrap-rbac.yaml (node bootstrap RBAC and the v1.29+ cluster-admins binding), mark-control-plane.yaml,
 * node-annotations.yaml (for a node on containerd's socket) and kubelet-finalize.yaml;
 * <version>/custom/upload-config.yaml is the same with an inventory that sets every ClusterConfiguration field
 * bootstrap supports. test/golden/cluster/common/ holds what does not depend on the version.
 *
 * Every supported minor without a golden release must render as the nearest older one (apart from the
 * kubernetesVersion it names), so a new difference fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SUPPORTED_MINORS } from '../../src/kube/version.js';
import { toKubeYaml } from '../../src/kubelet/yaml.js';
import {
  bootstrapKubeletConf,
  bootstrapTokenSecret,
  clusterAdminsObjects,
  clusterInfoObjects,
  kubeletFinalize,
  markControlPlane,
  nodeAnnotations,
  nodeBootstrapRbac,
  uploadConfigObjects,
  type KubeObject,
} from '../../src/cluster/index.js';
import { assertGolden } from '../golden.js';
import { goldenInventory } from '../golden-inventory.js';
import { customInventory, FAKE_CA_PEM, KUBELET_CONFIG } from './fixtures.js';

export const CLUSTER_GOLDEN_RELEASES = [
  'v1.20.0', 'v1.21.14', 'v1.22.0', 'v1.23.17', 'v1.24.17', 'v1.25.0', 'v1.28.15', 'v1.29.0', 'v1.30.0',
  'v1.31.0', 'v1.32.0', 'v1.34.0', 'v1.37.1',
];

/** The releases whose custom-inventory kubeadm-config is kept: one per ClusterConfiguration API version and authorization-mode rule. */
const CUSTOM_RELEASES = ['v1.21.14', 'v1.28.15', 'v1.30.0', 'v1.31.0'];

function docs(objects: unknown[]): string {
  return objects.map((o) => toKubeYaml(o)).join('---\n');
}

function render(version: string): Record<string, string> {
  const inv = goldenInventory(version);
  const objects: KubeObject[] = uploadConfigObjects(inv, version, KUBELET_CONFIG);
  return {
    'upload-config.yaml': docs(objects),
    'bootstrap-rbac.yaml': docs([...nodeBootstrapRbac(version), ...clusterAdminsObjects(version)]),
    'mark-control-plane.yaml': toKubeYaml(markControlPlane(version)),
    'node-annotations.yaml': toKubeYaml(nodeAnnotations(version, '/run/containerd/containerd.sock')),
    'kubelet-finalize.yaml': toKubeYaml(kubeletFinalize(version)),
  };
}

for (const version of CLUSTER_GOLDEN_RELEASES) {
  test(`cluster objects of ${version} equal the golden files`, () => {
    for (const [name, text] of Object.entries(render(version))) assertGolden(`cluster/${version}/${name}`, text);
    if (CUSTOM_RELEASES.includes(version)) {
      assertGolden(`cluster/${version}/custom/upload-config.yaml`, docs(uploadConfigObjects(customInventory(version), version, KUBELET_CONFIG)));
    }
  });
}

test('cluster-info, a bootstrap token Secret and bootstrap-kubelet.conf equal the golden files', () => {
  const token = { id: 'abcdef', secret: '0123456789abcdef' };
  assertGolden('cluster/common/cluster-info.yaml', docs(clusterInfoObjects(FAKE_CA_PEM, 'https://10.7.0.149:6443')));
  const now = Date.UTC(2026, 11, 2, 11, 30, 15, 789);
  assertGolden(
    'cluster/common/bootstrap-token-secret.yaml',
    docs([
      bootstrapTokenSecret(token, { ttlMs: 24 * 3600 * 1000, now }),
      bootstrapTokenSecret(token, { ttlMs: 0, now, description: 'bootstrap join token', usages: ['authentication'], groups: [] }),
    ]),
  );
  assertGolden('cluster/common/bootstrap-kubelet.conf', bootstrapKubeletConf(FAKE_CA_PEM, 'https://10.7.0.149:6443', token));
});

test('every supported minor without a golden release renders as the nearest older one', () => {
  const releaseOf = (minor: string) => CLUSTER_GOLDEN_RELEASES.find((v) => v.startsWith(`v${minor}.`));
  const plain = (version: string) =>
    Object.entries(render(version)).map(([name, text]) => [name, text.replaceAll(`kubernetesVersion: ${version}`, 'kubernetesVersion: VERSION')]);
  let previous: string | undefined;
  for (const minor of SUPPORTED_MINORS) {
    const own = releaseOf(minor);
    if (own) {
      previous = own;
      continue;
    }
    assert.ok(previous, `v${minor}: no older golden release`);
    assert.deepEqual(plain(`v${minor}.0`), plain(previous), `v${minor}.0 differs from ${previous}: add v${minor}.0 to CLUSTER_GOLDEN_RELEASES and write its golden files`);
  }
});
