import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadOrCreateClusterPki, renderHostPki, adminKubeconfig, hostPkiDir, PkiError } from '../../src/pki/index.js';
import { createLeafCertificate, describeCertificate } from '../../src/pki/certificate.js';
import { parsePrivateKey } from '../../src/pki/keys.js';
import type { RenderedFile } from '../../src/inventory/types.js';
import { useKeyPool, tempDir, inventory, host, writeRendered, file, openssl } from './fixtures.js';

before(() => useKeyPool());

const PKI = '/etc/kubernetes/pki';

function cert(files: RenderedFile[], path: string): X509Certificate {
  return new X509Certificate(file(files, path));
}

interface KubeconfigYaml {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

function kubeconfig(files: RenderedFile[], name: string): KubeconfigYaml {
  return parseYaml(file(files, `/etc/kubernetes/${name}`)) as KubeconfigYaml;
}

function clientCert(config: KubeconfigYaml): X509Certificate {
  return new X509Certificate(Buffer.from(config.users[0]?.user['client-certificate-data'] ?? '', 'base64'));
}

test('a control-plane node gets every file kubeadm writes, with kubeadm modes', async () => {
  const state = tempDir();
  const inv = inventory(state, { version: 'v1.30.2' });
  const files = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  assert.deepEqual(
    files.map((f) => `${f.path} ${f.mode.toString(8)}`),
    [
      `${PKI}/ca.crt 644`,
      `${PKI}/ca.key 600`,
      `${PKI}/apiserver.crt 644`,
      `${PKI}/apiserver.key 600`,
      `${PKI}/apiserver-kubelet-client.crt 644`,
      `${PKI}/apiserver-kubelet-client.key 600`,
      `${PKI}/front-proxy-ca.crt 644`,
      `${PKI}/front-proxy-ca.key 600`,
      `${PKI}/front-proxy-client.crt 644`,
      `${PKI}/front-proxy-client.key 600`,
      `${PKI}/etcd/ca.crt 644`,
      `${PKI}/etcd/ca.key 600`,
      `${PKI}/etcd/server.crt 644`,
      `${PKI}/etcd/server.key 600`,
      `${PKI}/etcd/peer.crt 644`,
      `${PKI}/etcd/peer.key 600`,
      `${PKI}/etcd/healthcheck-client.crt 644`,
      `${PKI}/etcd/healthcheck-client.key 600`,
      `${PKI}/apiserver-etcd-client.crt 644`,
      `${PKI}/apiserver-etcd-client.key 600`,
      `${PKI}/sa.key 600`,
      `${PKI}/sa.pub 600`,
      '/etc/kubernetes/admin.conf 600',
      '/etc/kubernetes/super-admin.conf 600',
      '/etc/kubernetes/kubelet.conf 600',
      '/etc/kubernetes/controller-manager.conf 600',
      '/etc/kubernetes/scheduler.conf 600',
    ],
  );
});

test('every leaf verifies against its own CA with the real openssl, and every key passes openssl rsa -check', async () => {
  const state = tempDir();
  const inv = inventory(state);
  const root = writeRendered(await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state)));
  const p = (name: string) => join(root, PKI, name);
  const byCa: Record<string, string[]> = {
    'ca.crt': ['apiserver.crt', 'apiserver-kubelet-client.crt'],
    'front-proxy-ca.crt': ['front-proxy-client.crt'],
    'etcd/ca.crt': ['etcd/server.crt', 'etcd/peer.crt', 'etcd/healthcheck-client.crt', 'apiserver-etcd-client.crt'],
  };
  for (const [ca, leaves] of Object.entries(byCa)) {
    for (const leaf of leaves) {
      assert.equal(openssl(['verify', '-CAfile', p(ca), p(leaf)]), `${p(leaf)}: OK\n`);
    }
  }
  // And not against another CA: the etcd CA does not vouch for the apiserver certificate.
  assert.throws(() => openssl(['verify', '-CAfile', p('etcd/ca.crt'), p('apiserver.crt')]));
  for (const key of ['ca', 'apiserver', 'apiserver-kubelet-client', 'front-proxy-ca', 'front-proxy-client', 'etcd/ca', 'etcd/server', 'etcd/peer', 'etcd/healthcheck-client', 'apiserver-etcd-client', 'sa']) {
    assert.equal(openssl(['rsa', '-check', '-noout', '-in', p(`${key}.key`)]), 'RSA key ok\n');
    assert.match(readFileSync(p(`${key}.key`), 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.equal(statSync(p(`${key}.key`)).mode & 0o777, 0o600);
  }
  assert.match(readFileSync(p('sa.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
  assert.equal(openssl(['rsa', '-pubin', '-in', p('sa.pub'), '-noout', '-modulus']), openssl(['rsa', '-in', p('sa.key'), '-noout', '-modulus']));
});

test('apiserver certificate: subject, usages and the SANs kubeadm gives it', async () => {
  const state = tempDir();
  const inv = inventory(state, { controlPlaneEndpoint: 'api.example.com:6443', certSANs: ['extra.example.com', '192.168.1.1', 'Not_Valid!', '10.0.0.2'], dnsDomain: 'corp.local' });
  const files = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  const apiserver = cert(files, `${PKI}/apiserver.crt`);
  assert.equal(apiserver.subject, 'CN=kube-apiserver');
  assert.equal(apiserver.issuer, 'CN=kubernetes');
  assert.equal(
    apiserver.subjectAltName,
    'DNS:api.example.com, DNS:cp1, DNS:extra.example.com, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, ' +
      'DNS:kubernetes.default.svc.corp.local, IP Address:10.96.0.1, IP Address:10.0.0.2, IP Address:192.168.1.1',
  );
  assert.deepEqual(apiserver.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.equal(apiserver.ca, false);
  const text = openssl(['x509', '-noout', '-text'], file(files, `${PKI}/apiserver.crt`));
  assert.match(text, /X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
  assert.match(text, /X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
  assert.match(text, /Public-Key: \(2048 bit\)/);
  assert.match(text, /Signature Algorithm: sha256WithRSAEncryption/);
});

test('an IP controlPlaneEndpoint becomes an IP SAN; IPv6 addresses are written canonically', async () => {
  const state = tempDir();
  const inv = inventory(state, { controlPlaneEndpoint: '10.0.0.100', hosts: [host('cp1', 'fd00::2')], serviceSubnet: 'fd00:10:96::/108' });
  const files = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  assert.equal(
    cert(files, `${PKI}/apiserver.crt`).subjectAltName,
    'DNS:cp1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, ' +
      'IP Address:FD00:10:96:0:0:0:0:1, IP Address:FD00:0:0:0:0:0:0:2, IP Address:10.0.0.100',
  );
  // The kubeconfigs use the endpoint with the host's bindPort, and the local address in brackets.
  assert.equal(kubeconfig(files, 'admin.conf').clusters[0]?.cluster.server, 'https://10.0.0.100:6443');
  assert.equal(kubeconfig(files, 'scheduler.conf').clusters[0]?.cluster.server, 'https://[fd00::2]:6443');
});

test('etcd certificates: CN is the node name, server and client auth, node/localhost/loopback SANs', async () => {
  const state = tempDir();
  const inv = inventory(state);
  inv.cluster.etcd.local.serverCertSANs = ['etcd.example.com', '10.9.9.9'];
  const files = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  const server = cert(files, `${PKI}/etcd/server.crt`);
  const peer = cert(files, `${PKI}/etcd/peer.crt`);
  assert.equal(server.subject, 'CN=cp1');
  assert.equal(server.issuer, 'CN=etcd-ca');
  assert.deepEqual(server.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
  assert.equal(
    server.subjectAltName,
    'DNS:cp1, DNS:etcd.example.com, DNS:localhost, IP Address:10.0.0.2, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.9.9.9',
  );
  assert.equal(peer.subject, 'CN=cp1');
  assert.equal(peer.subjectAltName, 'DNS:cp1, DNS:localhost, IP Address:10.0.0.2, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  assert.equal(cert(files, `${PKI}/front-proxy-client.crt`).subject, 'CN=front-proxy-client');
  assert.equal(cert(files, `${PKI}/front-proxy-client.crt`).issuer, 'CN=front-proxy-ca');
  assert.deepEqual(cert(files, `${PKI}/front-proxy-client.crt`).keyUsage, ['1.3.6.1.5.5.7.3.2']);
});

test('subjects follow the Kubernetes version: v1.28 uses system:masters and has no super-admin.conf', async () => {
  const state = tempDir();
  const inv = inventory(state, { version: 'v1.28.4' });
  const files = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  assert.equal(cert(files, `${PKI}/apiserver-kubelet-client.crt`).subject, 'O=system:masters\nCN=kube-apiserver-kubelet-client');
  assert.equal(cert(files, `${PKI}/etcd/healthcheck-client.crt`).subject, 'O=system:masters\nCN=kube-etcd-healthcheck-client');
  assert.equal(cert(files, `${PKI}/apiserver-etcd-client.crt`).subject, 'O=system:masters\nCN=kube-apiserver-etcd-client');
  assert.equal(clientCert(kubeconfig(files, 'admin.conf')).subject, 'O=system:masters\nCN=kubernetes-admin');
  assert.equal(files.some((f) => f.path === '/etc/kubernetes/super-admin.conf'), false);
});

test('v1.29+: kubeadm:cluster-admins for admin.conf and apiserver-kubelet-client, no O on etcd clients, super-admin.conf', async () => {
  const state = tempDir();
  const inv = inventory(state, { version: 'v1.29.0' });
  const files = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  assert.equal(cert(files, `${PKI}/apiserver-kubelet-client.crt`).subject, 'O=kubeadm:cluster-admins\nCN=kube-apiserver-kubelet-client');
  assert.equal(cert(files, `${PKI}/etcd/healthcheck-client.crt`).subject, 'CN=kube-etcd-healthcheck-client');
  assert.equal(cert(files, `${PKI}/apiserver-etcd-client.crt`).subject, 'CN=kube-apiserver-etcd-client');
  assert.equal(clientCert(kubeconfig(files, 'admin.conf')).subject, 'O=kubeadm:cluster-admins\nCN=kubernetes-admin');
  assert.equal(clientCert(kubeconfig(files, 'super-admin.conf')).subject, 'O=system:masters\nCN=kubernetes-super-admin');
  assert.equal(clientCert(kubeconfig(files, 'kubelet.conf')).subject, 'O=system:nodes\nCN=system:node:cp1');
  assert.equal(clientCert(kubeconfig(files, 'controller-manager.conf')).subject, 'CN=system:kube-controller-manager');
  assert.equal(clientCert(kubeconfig(files, 'scheduler.conf')).subject, 'CN=system:kube-scheduler');
});

test('kubeconfigs: clientcmd shape, names, servers, and client certificates that verify against the cluster CA', async () => {
  const state = tempDir();
  const hosts = [host('cp1', '10.0.0.2'), host('cp2', '10.0.0.3')];
  const inv = inventory(state, { controlPlaneEndpoint: 'api.example.com', hosts, clusterName: 'lab' });
  const pki = await loadOrCreateClusterPki(state);
  const files = await renderHostPki(inv, hosts[1]!, pki);
  const admin = file(files, '/etc/kubernetes/admin.conf');
  assert.equal(
    admin.replace(/(-data: )[A-Za-z0-9+/=]+/g, '$1…'),
    [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      '    certificate-authority-data: …',
      '    server: https://api.example.com:6443',
      '  name: lab',
      'contexts:',
      '- context:',
      '    cluster: lab',
      '    user: kubernetes-admin',
      '  name: kubernetes-admin@lab',
      'current-context: kubernetes-admin@lab',
      'kind: Config',
      'preferences: {}',
      'users:',
      '- name: kubernetes-admin',
      '  user:',
      '    client-certificate-data: …',
      '    client-key-data: …',
      '',
    ].join('\n'),
  );
  // super-admin.conf is written only on the first control-plane node (kubeadm init), not on cp2 (kubeadm join), and
  // neither is kubelet.conf: the kubelet's TLS bootstrap makes it at join time (CreateJoinControlPlaneKubeConfigFiles).
  assert.equal(files.some((f) => f.path === '/etc/kubernetes/super-admin.conf'), false);
  assert.equal(files.some((f) => f.path === '/etc/kubernetes/kubelet.conf'), false);
  const root = tempDir('bootstrap-pki-kc-');
  writeFileSync(join(root, 'ca.crt'), pki.ca.certPem);
  const servers: Record<string, string> = {
    'admin.conf': 'https://api.example.com:6443',
    'controller-manager.conf': 'https://10.0.0.3:6443',
    'scheduler.conf': 'https://10.0.0.3:6443',
  };
  for (const [name, server] of Object.entries(servers)) {
    const config = kubeconfig(files, name);
    const user = config.users[0]!;
    assert.equal(config.clusters[0]?.cluster.server, server, name);
    assert.equal(Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64').toString(), pki.ca.certPem);
    assert.equal(config['current-context'], `${user.name}@lab`);
    assert.deepEqual(config.contexts[0], { name: `${user.name}@lab`, context: { cluster: 'lab', user: user.name } });
    const certPath = join(root, `${name}.crt`);
    const keyPath = join(root, `${name}.key`);
    writeFileSync(certPath, Buffer.from(user.user['client-certificate-data'], 'base64'));
    writeFileSync(keyPath, Buffer.from(user.user['client-key-data'], 'base64'));
    assert.equal(openssl(['verify', '-CAfile', join(root, 'ca.crt'), certPath]), `${certPath}: OK\n`);
    assert.equal(openssl(['rsa', '-check', '-noout', '-in', keyPath]), 'RSA key ok\n');
    assert.equal(openssl(['x509', '-noout', '-modulus', '-in', certPath]), openssl(['rsa', '-noout', '-modulus', '-in', keyPath]));
    assert.deepEqual(clientCert(config).keyUsage, ['1.3.6.1.5.5.7.3.2']);
  }
  assert.equal(await adminKubeconfig(inv, hosts[1]!, pki), admin);
});

test('re-rendering with an unchanged state directory gives byte-identical files', async () => {
  const state = tempDir();
  const inv = inventory(state, { controlPlaneEndpoint: 'api.example.com:6443' });
  const first = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  const second = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  assert.deepEqual(second, first);
  assert.equal(await adminKubeconfig(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state)), file(first, '/etc/kubernetes/admin.conf'));
});

test('a new advertise address re-issues the certificates that name it and keeps the CA and the rest', async () => {
  const state = tempDir();
  const inv = inventory(state);
  const before = await renderHostPki(inv, inv.hosts[0]!, await loadOrCreateClusterPki(state));
  const moved = inventory(state, { hosts: [host('cp1', '10.0.0.42')] });
  const after = await renderHostPki(moved, moved.hosts[0]!, await loadOrCreateClusterPki(state));
  // Keys come from a small pool in these tests, so only certificates and kubeconfigs are compared.
  const changed = after
    .filter((f, i) => !f.path.endsWith('.key') && f.content !== before[i]?.content)
    .map((f) => f.path);
  assert.deepEqual(changed, [
    `${PKI}/apiserver.crt`,
    `${PKI}/etcd/server.crt`,
    `${PKI}/etcd/peer.crt`,
    // admin.conf, super-admin.conf and kubelet.conf keep their certificates but point at the new address.
    '/etc/kubernetes/admin.conf',
    '/etc/kubernetes/super-admin.conf',
    '/etc/kubernetes/kubelet.conf',
    '/etc/kubernetes/controller-manager.conf',
    '/etc/kubernetes/scheduler.conf',
  ]);
  assert.deepEqual(after.map((f) => f.path), before.map((f) => f.path));
  assert.match(cert(after, `${PKI}/apiserver.crt`).subjectAltName ?? '', /IP Address:10\.0\.0\.42/);
  assert.equal(
    clientCert(kubeconfig(after, 'admin.conf')).serialNumber,
    clientCert(kubeconfig(before, 'admin.conf')).serialNumber,
  );
});

test('a stored certificate signed by another CA is re-issued', async () => {
  const state = tempDir();
  const inv = inventory(state);
  const pki = await loadOrCreateClusterPki(state);
  const before = await renderHostPki(inv, inv.hosts[0]!, pki);
  // Replace the stored front-proxy-client with one from a foreign CA.
  const foreign = tempDir();
  const other = await renderHostPki(inventory(foreign), inventory(foreign).hosts[0]!, await loadOrCreateClusterPki(foreign));
  const dir = hostPkiDir(state, 'cp1');
  writeFileSync(join(dir, 'front-proxy-client.crt'), file(other, `${PKI}/front-proxy-client.crt`));
  writeFileSync(join(dir, 'front-proxy-client.key'), file(other, `${PKI}/front-proxy-client.key`));
  const after = await renderHostPki(inv, inv.hosts[0]!, pki);
  const fresh = file(after, `${PKI}/front-proxy-client.crt`);
  assert.notEqual(fresh, file(other, `${PKI}/front-proxy-client.crt`));
  assert.notEqual(fresh, file(before, `${PKI}/front-proxy-client.crt`));
  assert.equal(new X509Certificate(fresh).verify(pki.frontProxyCa.cert.publicKey), true);
  assert.equal(file(after, `${PKI}/apiserver.crt`), file(before, `${PKI}/apiserver.crt`));
});

test('a worker gets the cluster CA certificate and a kubelet.conf pointing at the first control-plane node', async () => {
  const state = tempDir();
  const hosts = [host('cp1', '10.0.0.2'), host('w1', '10.0.0.5', ['worker'])];
  const inv = inventory(state, { hosts });
  const pki = await loadOrCreateClusterPki(state);
  const files = await renderHostPki(inv, hosts[1]!, pki);
  assert.deepEqual(files.map((f) => f.path), [`${PKI}/ca.crt`, '/etc/kubernetes/kubelet.conf']);
  const kubelet = kubeconfig(files, 'kubelet.conf');
  assert.equal(kubelet.clusters[0]?.cluster.server, 'https://10.0.0.2:6443');
  assert.equal(clientCert(kubelet).subject, 'O=system:nodes\nCN=system:node:w1');
  await assert.rejects(adminKubeconfig(inv, hosts[1]!, pki), (err: Error) => err instanceof PkiError && /not a control-plane node/.test(err.message));
});

test('versions no row covers and bad inventory values are clear errors', async () => {
  const state = tempDir();
  const pki = await loadOrCreateClusterPki(state);
  const old = inventory(state, { version: 'v1.19.16' });
  await assert.rejects(renderHostPki(old, old.hosts[0]!, pki), (err: Error) =>
    err instanceof PkiError && err.message === 'Kubernetes v1.19.16 is not supported for certificates and kubeconfig files (supported: >=1.33.0-0, >=1.31.0-0 <1.33.0-0, >=1.29.0-0 <1.31.0-0, >=1.20.0-0 <1.29.0-0)');
  const badAddress = inventory(state, { hosts: [host('cp1', 'cp1.example.com')] });
  await assert.rejects(renderHostPki(badAddress, badAddress.hosts[0]!, pki), (err: Error) =>
    err instanceof PkiError && err.message === 'host cp1: advertise address "cp1.example.com" is not an IP address');
  const badSubnet = inventory(state, { serviceSubnet: '10.96.0.0' });
  await assert.rejects(renderHostPki(badSubnet, badSubnet.hosts[0]!, pki), (err: Error) =>
    err instanceof PkiError && /networking.serviceSubnet "10.96.0.0" is not a CIDR/.test(err.message));
});

test('leaf validity: v1.30 starts at the CA\'s notBefore, v1.31 is backdated 5 minutes; one year from now either way', async () => {
  const state = tempDir();
  const pki = await loadOrCreateClusterPki(state);
  const caStart = new Date(pki.ca.cert.validFrom).getTime();
  assert.equal(new Date(pki.ca.cert.validTo).getTime() - caStart, 3650 * 86400_000 + 5 * 60_000);
  const v130 = inventory(state, { version: 'v1.30.0' });
  const now = Date.now();
  const a = cert(await renderHostPki(v130, v130.hosts[0]!, pki), `${PKI}/apiserver.crt`);
  assert.equal(new Date(a.validFrom).getTime(), caStart);
  assert.ok(Math.abs(new Date(a.validTo).getTime() - (now + 365 * 86400_000)) < 5000);
  rmSync(join(state, 'hosts'), { recursive: true });
  const v131 = inventory(state, { version: 'v1.31.1' });
  const b = cert(await renderHostPki(v131, v131.hosts[0]!, pki), `${PKI}/apiserver.crt`);
  assert.ok(Math.abs(new Date(b.validFrom).getTime() - (now - 5 * 60_000)) < 5000);
  assert.equal(new Date(b.validTo).getTime() - new Date(b.validFrom).getTime(), 365 * 86400_000 + 5 * 60_000);
  assert.ok(Math.abs(new Date(b.validTo).getTime() - (now + 365 * 86400_000)) < 5000);
});

test('a stored certificate is kept while it has more than 30 days left and re-issued after that', async () => {
  const state = tempDir();
  const inv = inventory(state);
  const pki = await loadOrCreateClusterPki(state);
  const first = await renderHostPki(inv, inv.hosts[0]!, pki);
  const dir = hostPkiDir(state, 'cp1');
  const stored = new X509Certificate(file(first, `${PKI}/apiserver.crt`));
  const key = parsePrivateKey(file(first, `${PKI}/apiserver.key`));
  const day = 86400_000;
  const withRemaining = async (days: number) => {
    const pem = await createLeafCertificate(describeCertificate(stored), key, pki.ca, {
      notBefore: new Date(pki.ca.cert.validFrom),
      notAfter: new Date(Date.now() + days * day),
    });
    writeFileSync(join(dir, 'apiserver.crt'), pem);
    return pem;
  };
  const kept = await withRemaining(31);
  assert.equal(file(await renderHostPki(inv, inv.hosts[0]!, pki), `${PKI}/apiserver.crt`), kept);
  const expiring = await withRemaining(29);
  const renewed = file(await renderHostPki(inv, inv.hosts[0]!, pki), `${PKI}/apiserver.crt`);
  assert.notEqual(renewed, expiring);
  assert.ok(new Date(new X509Certificate(renewed).validTo).getTime() > Date.now() + 364 * day);
  assert.equal(readFileSync(join(dir, 'apiserver.crt'), 'utf8'), renewed);
});

test('v1.33+: kubelet.conf of a control-plane node uses its own API server; a worker still uses controlPlaneEndpoint', async () => {
  const state = tempDir();
  const hosts = [host('cp1', '10.0.0.2'), host('w1', '10.0.0.5', ['worker'])];
  const pki = await loadOrCreateClusterPki(state);
  const server = async (version: string, h: number, name: string) => {
    const inv = inventory(state, { version, hosts, controlPlaneEndpoint: 'api.example.com:6443' });
    return kubeconfig(await renderHostPki(inv, hosts[h]!, pki), name).clusters[0]?.cluster.server;
  };
  assert.equal(await server('v1.33.0', 0, 'kubelet.conf'), 'https://10.0.0.2:6443');
  assert.equal(await server('v1.33.0', 0, 'admin.conf'), 'https://api.example.com:6443');
  assert.equal(await server('v1.33.0', 1, 'kubelet.conf'), 'https://api.example.com:6443');
  assert.equal(await server('v1.32.4', 0, 'kubelet.conf'), 'https://api.example.com:6443');
});
