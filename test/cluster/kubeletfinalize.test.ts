/** kubelet-finalize's rewrite of kubelet.conf, on a kubelet.conf as bootstrap writes it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderKubeconfig } from '../../src/pki/kubeconfig.js';
import { toKubeYaml } from '../../src/kubelet/yaml.js';
import { parse } from 'yaml';
import { kubeletConfWithRotatingCert } from '../../src/cluster/index.js';
import { assertGolden } from '../golden.js';
import { FAKE_CA_PEM } from './fixtures.js';

const KUBELET_CONF = renderKubeconfig({
  clusterName: 'kubernetes',
  server: 'https://10.7.0.149:6443',
  userName: 'system:node:cp1',
  caCertPem: FAKE_CA_PEM,
  clientCertPem: '-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n',
  clientKeyPem: '-----BEGIN PRIVATE KEY-----\nMIIBkey\n-----END PRIVATE KEY-----\n',
});

test("a kubeconfig bootstrap writes reads back and re-serializes unchanged, as clientcmd's would", () => {
  assert.equal(toKubeYaml(parse(KUBELET_CONF)), KUBELET_CONF);
});

test('the node user points at the rotating PEM, nothing else changes', () => {
  const out = kubeletConfWithRotatingCert(KUBELET_CONF, 'cp1', 'v1.28.15');
  assertGolden('cluster/common/kubelet.conf-after-finalize', out);
  assert.doesNotMatch(out, /client-(certificate|key)-data/);
  assert.equal(out.split('users:')[0], KUBELET_CONF.split('users:')[0]);
});

test('a kubelet.conf without the node user is refused', () => {
  assert.throws(() => kubeletConfWithRotatingCert(KUBELET_CONF, 'cp2', 'v1.28.15'), /does not contain authentication for user "cp2"/);
});
