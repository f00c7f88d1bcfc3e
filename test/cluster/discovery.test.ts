/**
 * What token discovery checks: cluster-info's JWS (against k8s.io/cluster-bootstrap's own test vectors and an
 * HMAC computed by openssl) and the CA public-key pin (against openssl's SubjectPublicKeyInfo).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bootstrapKubeletConf,
  caCertHash,
  clusterInfoKubeconfig,
  joinCommand,
  jwsSignature,
  verifyJwsSignature,
} from '../../src/cluster/index.js';
import { ensureSystemTools } from '../system-tools.js';

const CONTENT = 'Hello from the other side. I must have called a thousand times.';

test('jwsSignature reproduces the test vectors of k8s.io/cluster-bootstrap/token/jws', () => {
  // jws_test.go TestComputeDetachedSignature (id "joshua"; the short secret of older releases, the long one of newer).
  assert.equal(jwsSignature(CONTENT, 'joshua', 'my voice is my passcode'), 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8');
  assert.equal(jwsSignature('', 'joshua', 'my voice is my passcode'), 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk');
  const long = 'my voice is my passcode. my voice is my passcode';
  assert.equal(jwsSignature(CONTENT, 'joshua', long), 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..SFoKn0-YxqnvpSExt4LuCZ_7pvIBdX3SoUO_NsTpkdg');
  assert.equal(jwsSignature('', 'joshua', long), 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..kzZha466Sbz_vFhUBjjYp2rl3F7yHgdDdUIBGxQg4js');
});

test("jwsSignature of a cluster-info kubeconfig equals openssl's HMAC-SHA256 over header.payload", () => {
  ensureSystemTools();
  const kubeconfig = clusterInfoKubeconfig('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 'https://10.7.0.149:6443');
  const sig = jwsSignature(kubeconfig, 'abcdef', '0123456789abcdef');
  const [header, empty, mac] = sig.split('.');
  assert.equal(empty, '');
  assert.deepEqual(JSON.parse(Buffer.from(header!, 'base64url').toString()), { alg: 'HS256', kid: 'abcdef' });
  const input = `${header}.${Buffer.from(kubeconfig).toString('base64url')}`;
  const hex = execFileSync('openssl', ['dgst', '-sha256', '-hmac', '0123456789abcdef', '-r'], { input }).toString().split(' ')[0]!;
  assert.equal(Buffer.from(mac!, 'base64url').toString('hex'), hex);
  assert.equal(verifyJwsSignature(kubeconfig, 'abcdef', '0123456789abcdef', sig), true);
  assert.equal(verifyJwsSignature(`${kubeconfig} `, 'abcdef', '0123456789abcdef', sig), false);
  assert.equal(verifyJwsSignature(kubeconfig, 'abcdef', '0123456789abcdeg', sig), false);
  assert.equal(verifyJwsSignature(kubeconfig, 'abcdef', '0123456789abcdef', `${sig}x`), false);
});

test("caCertHash equals openssl's sha256 of the DER public key, for RSA and ECDSA CAs", () => {
  ensureSystemTools();
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-cahash-'));
  try {
    for (const [name, keyArgs] of [['rsa', ['-newkey', 'rsa:2048']], ['ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']]] as const) {
      const crt = join(dir, `${name}.crt`);
      execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', join(dir, `${name}.key`), '-out', crt, '-subj', '/CN=kubernetes', '-days', '1'], { stdio: 'pipe' });
      const pub = execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', crt]);
      const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: pub });
      const hex = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: der }).toString().split(' ')[0]!;
      assert.equal(caCertHash(readFileSync(crt, 'utf8')), `sha256:${hex}`, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('joinCommand: one line, the sha256: prefix added when missing, --control-plane on request', () => {
  const hash = `sha256:${'a'.repeat(64)}`;
  assert.equal(joinCommand('10.7.0.149:6443', 'abcdef.0123456789abcdef', hash), `kubeadm join 10.7.0.149:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash ${hash}`);
  assert.equal(joinCommand('lb:6443', 'abcdef.0123456789abcdef', 'a'.repeat(64), true), `kubeadm join lb:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash ${hash} --control-plane`);
});

test('bootstrap-kubelet.conf takes a token object or its text, and a cluster name', () => {
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const a = bootstrapKubeletConf(pem, 'https://lb:6443', { id: 'abcdef', secret: '0123456789abcdef' });
  assert.equal(a, bootstrapKubeletConf(pem, 'https://lb:6443', 'abcdef.0123456789abcdef'));
  assert.match(a, /^current-context: tls-bootstrap-token-user@kubernetes$/m);
  assert.match(bootstrapKubeletConf(pem, 'https://lb:6443', 'abcdef.0123456789abcdef', 'lab'), /^  name: tls-bootstrap-token-user@lab$/m);
});
