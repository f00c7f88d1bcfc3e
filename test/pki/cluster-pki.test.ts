import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateClusterPki, PkiError } from '../../src/pki/index.js';
import { useKeyPool, tempDir, openssl } from './fixtures.js';

before(() => useKeyPool());

const CA_FILES = ['ca.crt', 'ca.key', 'front-proxy-ca.crt', 'front-proxy-ca.key', 'etcd/ca.crt', 'etcd/ca.key', 'sa.key', 'sa.pub'];

test('the CAs are created once in <stateDir>/pki with private modes and loaded unchanged afterwards', async () => {
  const state = tempDir();
  const created = await loadOrCreateClusterPki(state);
  const dir = join(state, 'pki');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'etcd')).mode & 0o777, 0o700);
  for (const name of CA_FILES) {
    const expected = name.endsWith('.crt') ? 0o644 : 0o600;
    assert.equal(statSync(join(dir, name)).mode & 0o777, expected, name);
  }
  assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), created.ca.certPem);
  const loaded = await loadOrCreateClusterPki(state);
  assert.equal(loaded.ca.certPem, created.ca.certPem);
  assert.equal(loaded.ca.keyPem, created.ca.keyPem);
  assert.ok(created.etcdCa, "the etcd CA is made by default");
  assert.equal(loaded.etcdCa?.certPem, created.etcdCa?.certPem);
  assert.equal(loaded.frontProxyCa.certPem, created.frontProxyCa.certPem);
  assert.deepEqual(loaded.serviceAccount, created.serviceAccount);
});

test('CA certificates: kubeadm names, CA:TRUE, certificate signing, a DNS SAN equal to the CN, ten years', async () => {
  const state = tempDir();
  const pki = await loadOrCreateClusterPki(state);
  const expected: [string, string][] = [
    ['ca.crt', 'kubernetes'],
    ['front-proxy-ca.crt', 'front-proxy-ca'],
    ['etcd/ca.crt', 'etcd-ca'],
  ];
  for (const [name, cn] of expected) {
    const text = openssl(['x509', '-noout', '-text', '-in', join(state, 'pki', name)]);
    assert.match(text, new RegExp(`Issuer: CN = ${cn}\\n`));
    assert.match(text, new RegExp(`Subject: CN = ${cn}\\n`));
    assert.match(text, /X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment, Certificate Sign\n/);
    assert.match(text, /X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
    assert.match(text, /X509v3 Subject Key Identifier: \n\s+[0-9A-F:]{59}\n/);
    assert.match(text, new RegExp(`X509v3 Subject Alternative Name: \\n\\s+DNS:${cn}\\n`));
    assert.doesNotMatch(text, /Authority Key Identifier/);
  }
  assert.equal(new Date(pki.ca.cert.validTo).getTime() - new Date(pki.ca.cert.validFrom).getTime(), 3650 * 86400_000 + 5 * 60_000);
  assert.ok(Math.abs(new Date(pki.ca.cert.validFrom).getTime() - (Date.now() - 5 * 60_000)) < 5000);
  assert.notEqual(pki.ca.cert.serialNumber, pki.etcdCa?.cert.serialNumber);
});

test('a corrupt CA certificate is a clear error naming the files, not a new CA', async () => {
  const state = tempDir();
  await loadOrCreateClusterPki(state);
  const dir = join(state, 'pki');
  writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
  await assert.rejects(loadOrCreateClusterPki(state), (err: Error) => {
    assert.ok(err instanceof PkiError);
    assert.equal(
      err.message,
      `The certificate authority "ca" in ${dir} is unusable: ca.crt is not a PEM certificate. Restore ${dir}/ca.crt and ` +
        `${dir}/ca.key from a backup; or, to start a new cluster identity, remove both files and run again ` +
        '(every certificate issued so far then stops being trusted).',
    );
    return true;
  });
});

test('a CA key that belongs to another CA, a missing key, a non-CA certificate and a mismatched sa.pub are refused', async () => {
  const state = tempDir();
  await loadOrCreateClusterPki(state);
  const dir = join(state, 'pki');
  const reason = async () => {
    try {
      await loadOrCreateClusterPki(state);
    } catch (err) {
      assert.ok(err instanceof PkiError);
      return /unusable: (.*)\. Restore/.exec(err.message)?.[1];
    }
    return 'no error';
  };
  const etcdKey = readFileSync(join(dir, 'etcd/ca.key'), 'utf8');
  const caKey = readFileSync(join(dir, 'ca.key'), 'utf8');
  writeFileSync(join(dir, 'etcd/ca.key'), caKey);
  assert.equal(await reason(), 'etcd/ca.key does not belong to etcd/ca.crt');
  writeFileSync(join(dir, 'etcd/ca.key'), etcdKey);

  unlinkSync(join(dir, 'front-proxy-ca.key'));
  assert.equal(await reason(), 'front-proxy-ca.key is missing');
  writeFileSync(join(dir, 'front-proxy-ca.key'), 'garbage', { mode: 0o600 });
  assert.equal(await reason(), 'front-proxy-ca.key is not a PEM-encoded private key');
  unlinkSync(join(dir, 'front-proxy-ca.key'));
  unlinkSync(join(dir, 'front-proxy-ca.crt'));
  assert.equal(await reason(), 'no error'); // both gone: a new front-proxy CA, the others untouched

  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' });
  writeFileSync(join(dir, 'sa.pub'), stranger);
  assert.equal(await reason(), 'sa.pub is not the public half of sa.key');
});
