import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkiProfileFor } from '../../src/pki/index.js';
import { firstServiceIp, canonicalIp, ipBytes } from '../../src/pki/ip.js';
import { parseHostPort } from '../../src/pki/endpoints.js';
import { yamlScalar } from '../../src/pki/kubeconfig.js';

test('version table: first matching row wins, pre-releases count, unknown versions throw', () => {
  assert.equal(pkiProfileFor('v1.20.0').adminOrganization[0], 'system:masters');
  assert.equal(pkiProfileFor('v1.28.15').superAdminKubeconfig, false);
  assert.equal(pkiProfileFor('v1.29.0-rc.1').superAdminKubeconfig, true);
  assert.equal(pkiProfileFor('v1.30.14').leafValidity, 'ca-not-before');
  assert.equal(pkiProfileFor('v1.31.0').leafValidity, 'backdated-start');
  assert.equal(pkiProfileFor('v1.34.2').leafValidity, 'backdated-start');
  assert.deepEqual(pkiProfileFor('v1.33.1').etcdClientOrganization, []);
  assert.equal(pkiProfileFor('v1.32.9').controlPlaneKubeletUsesLocalApiEndpoint, false);
  assert.equal(pkiProfileFor('v1.33.0-beta.0').controlPlaneKubeletUsesLocalApiEndpoint, true);
  assert.throws(() => pkiProfileFor('v1.19.16'), /Kubernetes v1.19.16 is not supported/);
  assert.throws(() => pkiProfileFor('latest'), /kubernetesVersion "latest" is not a version like v1.28.4/);
});

test('first service IP of IPv4, IPv6 and dual-stack subnets', () => {
  assert.equal(firstServiceIp('10.96.0.0/12'), '10.96.0.1');
  assert.equal(firstServiceIp('10.96.5.7/12'), '10.96.0.1');
  assert.equal(firstServiceIp('172.30.0.0/16'), '172.30.0.1');
  assert.equal(firstServiceIp('fd00:10:96::/108'), 'fd00:10:96::1');
  assert.equal(firstServiceIp('10.96.0.0/12,fd00:10:96::/108'), '10.96.0.1');
  assert.throws(() => firstServiceIp('10.96.0.0'), /is not a CIDR/);
});

test('IP text and bytes', () => {
  assert.equal(canonicalIp('::1'), '::1');
  assert.equal(canonicalIp('FD00:0:0:0:0:0:0:2'), 'fd00::2');
  assert.equal(canonicalIp('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
  assert.equal(canonicalIp('::ffff:10.0.0.1'), '10.0.0.1');
  assert.deepEqual([...ipBytes('10.1.2.3')], [10, 1, 2, 3]);
  assert.equal(ipBytes('fe80::1').length, 16);
});

test('controlPlaneEndpoint parsing', () => {
  assert.deepEqual(parseHostPort('api.example.com'), { host: 'api.example.com' });
  assert.deepEqual(parseHostPort('api.example.com:8443'), { host: 'api.example.com', port: 8443 });
  assert.deepEqual(parseHostPort('[fd00::1]:6443'), { host: 'fd00::1', port: 6443 });
  assert.deepEqual(parseHostPort('fd00::1'), { host: 'fd00::1' });
  assert.throws(() => parseHostPort('api:port'), /is not host or host:port/);
});

test('YAML scalars are plain unless go-yaml would quote them', () => {
  assert.equal(yamlScalar('kubernetes-admin@kubernetes'), 'kubernetes-admin@kubernetes');
  assert.equal(yamlScalar('system:node:cp1'), 'system:node:cp1');
  assert.equal(yamlScalar('https://[fd00::2]:6443'), 'https://[fd00::2]:6443');
  assert.equal(yamlScalar('[lab]'), '"[lab]"');
  assert.equal(yamlScalar('a: b'), '"a: b"');
  assert.equal(yamlScalar('2024-01-01'), '"2024-01-01"');
  assert.equal(yamlScalar(''), '""');
  assert.equal(yamlScalar('https://10.0.0.2:6443'), 'https://10.0.0.2:6443');
  assert.equal(yamlScalar('true'), '"true"');
  assert.equal(yamlScalar('123'), '"123"');
});
