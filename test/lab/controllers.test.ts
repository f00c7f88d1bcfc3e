import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateNodeKey, makeCsrPem, nodeClientSubject, nodeClientUsages } from '../../e2e/lab/standins/kubelet/csr.js';
import { parseCSR, validateKubeletClientCSR, validateKubeletServingCSR, type CertificateSigningRequest } from '../../e2e/lab/images/components/csr.js';
import { decide, subjectAccessReview } from '../../e2e/lab/images/components/csr-approving.js';
import { certDuration, loadSigningCA, signOne, validity, type Signer } from '../../e2e/lab/images/components/csr-signing.js';
import { computeDetachedSignature, signingToken, type Secret } from '../../e2e/lab/images/components/bootstrap-tokens.js';
import { signConfigMap } from '../../e2e/lab/images/components/bootstrap-signer.js';
import { expiredTokens } from '../../e2e/lab/images/components/token-cleaner.js';
import { isControllerEnabled, loggedName, parseDuration } from '../../e2e/lab/images/components/controllers.js';
import { makeCA, openssl, opensslCsr, writeTemp, type TestCA } from './pki-helpers.js';

const HOUR = 3_600_000;

function kubeletCsr(nodeName: string, username: string, groups: string[], usages?: string[]): CertificateSigningRequest {
  const { key } = generateNodeKey();
  return {
    metadata: { name: 'csr-abcde', uid: 'u-1' },
    spec: {
      request: Buffer.from(makeCsrPem(key, nodeClientSubject(nodeName))).toString('base64'),
      signerName: 'kubernetes.io/kube-apiserver-client-kubelet',
      usages: usages ?? nodeClientUsages(key),
      username,
      uid: 'user-uid',
      groups,
      extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=abc'] },
    },
  };
}

describe('lab controller-manager: recognising kubelet client requests (helpers.go)', () => {
  it('accepts the kubelet\'s own request, with or without key encipherment', async () => {
    const csr = kubeletCsr('w1', 'system:bootstrap:abcdef', ['system:bootstrappers', 'system:authenticated']);
    const req = await parseCSR(csr.spec.request);
    assert.equal(req.commonName, 'system:node:w1');
    assert.deepEqual(req.organization, ['system:nodes']);
    assert.equal(validateKubeletClientCSR(req, ['digital signature', 'client auth']), undefined);
    assert.equal(validateKubeletClientCSR(req, ['client auth', 'key encipherment', 'digital signature']), undefined);
    assert.equal(validateKubeletClientCSR(req, ['client auth']), 'usages did not match [client auth digital signature key encipherment]');
    assert.equal(validateKubeletClientCSR(req, ['digital signature', 'client auth', 'server auth']), 'usages did not match [client auth digital signature key encipherment]');
  });

  it('refuses other subjects and any SAN, with the real reasons', async () => {
    const ca = makeCA('ec');
    try {
      const wrongOrg = await parseCSR(opensslCsr(ca.dir, '/O=system:masters/CN=system:node:w1'));
      assert.equal(validateKubeletClientCSR(wrongOrg, ['digital signature', 'client auth']), 'subject organization is not system:nodes');
      const wrongCN = await parseCSR(opensslCsr(ca.dir, '/O=system:nodes/CN=w1'));
      assert.equal(validateKubeletClientCSR(wrongCN, ['digital signature', 'client auth']), 'subject common name does not begin with system:node:');
      const dns = await parseCSR(opensslCsr(ca.dir, '/O=system:nodes/CN=system:node:w1', ['subjectAltName=DNS:w1']));
      assert.equal(validateKubeletClientCSR(dns, ['digital signature', 'client auth']), 'DNS subjectAltNames are not allowed');
      const ip = await parseCSR(opensslCsr(ca.dir, '/O=system:nodes/CN=system:node:w1', ['subjectAltName=IP:10.77.0.11']));
      assert.equal(validateKubeletClientCSR(ip, ['digital signature', 'client auth']), 'IP subjectAltNames are not allowed');
      assert.equal(validateKubeletServingCSR(ip, ['digital signature', 'server auth']), undefined);
      const email = await parseCSR(opensslCsr(ca.dir, '/O=system:nodes/CN=system:node:w1', ['subjectAltName=email:a@b.c']));
      assert.equal(validateKubeletClientCSR(email, ['digital signature', 'client auth']), 'Email subjectAltNames are not allowed');
    } finally {
      ca.cleanup();
    }
  });

  it('refuses a PEM block that is no certificate request', async () => {
    await assert.rejects(parseCSR(Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64')), /PEM block type must be CERTIFICATE REQUEST/);
  });
});

describe('lab controller-manager: csrapproving (sarapprove.go)', () => {
  it('asks nodeclient for a bootstrap token\'s request and approves with the real condition', async () => {
    const csr = kubeletCsr('w1', 'system:bootstrap:abcdef', ['system:bootstrappers', 'system:authenticated']);
    const asked: Record<string, any>[] = [];
    const d = await decide(csr, async (sar) => {
      asked.push(sar);
      return true;
    });
    assert.equal(asked.length, 1);
    assert.deepEqual(asked[0], {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: 'system:bootstrap:abcdef',
        uid: 'user-uid',
        groups: ['system:bootstrappers', 'system:authenticated'],
        extra: { 'authentication.kubernetes.io/credential-id': ['X509SHA256=abc'] },
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource: 'nodeclient' },
      },
    });
    assert.equal(d.action, 'approve');
    if (d.action !== 'approve') return;
    assert.equal(d.subresource, 'nodeclient');
    assert.deepEqual(d.csr.status?.conditions, [
      { type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
    ]);
  });

  it('asks selfnodeclient first when the node renews its own certificate, then nodeclient', async () => {
    const csr = kubeletCsr('cp1', 'system:node:cp1', ['system:nodes', 'system:authenticated']);
    const subresources: string[] = [];
    const d = await decide(csr, async (sar: any) => {
      subresources.push(sar.spec.resourceAttributes.subresource);
      return sar.spec.resourceAttributes.subresource === 'selfnodeclient';
    });
    assert.deepEqual(subresources, ['selfnodeclient']);
    assert.equal(d.action, 'approve');
    if (d.action === 'approve') assert.equal(d.csr.status?.conditions?.[0]?.message, 'Auto approving self kubelet client certificate after SubjectAccessReview.');
    const denied = await decide(csr, async () => false);
    assert.deepEqual(denied, { action: 'not-approved', tried: ['selfnodeclient', 'nodeclient'] });
  });

  it('leaves decided, issued, foreign-signer and unrecognised requests alone', async () => {
    const never = async (): Promise<boolean> => assert.fail('no SubjectAccessReview expected');
    const base = kubeletCsr('w1', 'system:bootstrap:abcdef', ['system:bootstrappers']);
    assert.deepEqual(await decide({ ...base, status: { conditions: [{ type: 'Denied', status: 'True' }] } }, never), { action: 'skip' });
    assert.deepEqual(await decide({ ...base, status: { conditions: [{ type: 'Approved', status: 'True' }] } }, never), { action: 'skip' });
    assert.deepEqual(await decide({ ...base, status: { certificate: 'AAAA' } }, never), { action: 'skip' });
    assert.deepEqual(await decide({ ...base, spec: { ...base.spec, signerName: 'kubernetes.io/kube-apiserver-client' } }, never), { action: 'skip' });
    assert.deepEqual(await decide({ ...base, spec: { ...base.spec, usages: ['client auth'] } }, never), { action: 'skip' });
  });

  it('builds the SubjectAccessReview with empty extra when the request has none', () => {
    const csr = kubeletCsr('w1', 'u', ['g']);
    delete csr.spec.extra;
    assert.deepEqual((subjectAccessReview(csr, 'nodeclient') as any).spec.extra, {});
  });
});

describe('lab controller-manager: csrsigning (signer.go, authority.go)', () => {
  let ca: TestCA;
  let signer: Signer;
  before(async () => {
    ca = makeCA('rsa');
    signer = { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', ca: await loadSigningCA(ca.certFile, ca.keyFile), ttlMs: 8760 * HOUR };
  });
  after(() => ca.cleanup());

  it('lifetime: requested seconds clamped to [10m, --cluster-signing-duration]', () => {
    assert.equal(certDuration(undefined, 8760 * HOUR), 8760 * HOUR);
    assert.equal(certDuration(3600, 8760 * HOUR), HOUR);
    assert.equal(certDuration(60, 8760 * HOUR), 10 * 60_000);
    assert.equal(certDuration(10 * 8760 * 3600, 8760 * HOUR), 8760 * HOUR);
    assert.equal(parseDuration('8760h0m0s'), 8760 * HOUR);
  });

  it('backdates 5 minutes; short certificates end 5 minutes early; never beyond the CA', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const long = validity(now, 8760 * HOUR, now + 10 * 8760 * HOUR);
    assert.equal(long.notBefore.toISOString(), '2025-12-31T23:55:00.000Z');
    assert.equal(long.notAfter.getTime(), now + 8760 * HOUR);
    const short = validity(now, HOUR, now + 8760 * HOUR);
    assert.equal(short.notAfter.getTime(), now + HOUR - 5 * 60_000);
    assert.equal(validity(now, 8760 * HOUR, now + HOUR).notAfter.getTime(), now + HOUR);
    assert.throws(() => validity(now, HOUR, now - 10 * 60_000), /the signer has expired/);
  });

  it('signs an approved kubelet request: openssl verifies it against the CA and sees the requested usages', async () => {
    const csr = kubeletCsr('w1', 'system:bootstrap:abcdef', ['system:bootstrappers']);
    csr.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'x' }] };
    const signed = await signOne(signer, csr);
    assert.ok(signed?.status?.certificate, 'a certificate');
    const pem = Buffer.from(signed!.status!.certificate!, 'base64').toString();
    const certFile = writeTemp(ca.dir, 'w1.crt', pem);
    assert.match(openssl(['verify', '-CAfile', ca.certFile, certFile]), /: OK/);
    const text = openssl(['x509', '-in', certFile, '-noout', '-text', '-nameopt', 'RFC2253']);
    assert.match(text, /Subject: CN=system:node:w1,O=system:nodes/);
    assert.match(text, /Issuer: CN=kubernetes/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature\n/);
    assert.match(text, /X509v3 Extended Key Usage: \s+TLS Web Client Authentication\n/);
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text, /X509v3 Authority Key Identifier:/);
    assert.doesNotMatch(text, /Subject Alternative Name/);
    const dates = openssl(['x509', '-in', certFile, '-noout', '-startdate', '-enddate']);
    const notBefore = Date.parse(/notBefore=(.*)/.exec(dates)![1]!);
    const notAfter = Date.parse(/notAfter=(.*)/.exec(dates)![1]!);
    assert.ok(Math.abs(Date.now() - 5 * 60_000 - notBefore) < 60_000, 'backdated by 5 minutes');
    assert.ok(Math.abs(notAfter - notBefore - 5 * 60_000 - 8760 * HOUR) < 60_000, 'one year from now');
  });

  it('honours spec.expirationSeconds and an ECDSA CA', async () => {
    const ec = makeCA('ec');
    try {
      const ecSigner: Signer = { ...signer, ca: await loadSigningCA(ec.certFile, ec.keyFile) };
      const csr = { ...kubeletCsr('w2', 'system:node:w2', ['system:nodes']), status: { conditions: [{ type: 'Approved', status: 'True' }] } };
      csr.spec.expirationSeconds = 7200;
      const signed = await signOne(ecSigner, csr);
      const certFile = writeTemp(ec.dir, 'w2.crt', Buffer.from(signed!.status!.certificate!, 'base64').toString());
      assert.match(openssl(['verify', '-CAfile', ec.certFile, certFile]), /: OK/);
      const dates = openssl(['x509', '-in', certFile, '-noout', '-startdate', '-enddate']);
      const span = Date.parse(/notAfter=(.*)/.exec(dates)![1]!) - Date.parse(/notBefore=(.*)/.exec(dates)![1]!);
      assert.equal(span, 2 * HOUR, 'short certificates are not extended by the backdate');
    } finally {
      ec.cleanup();
    }
  });

  it('does not sign unapproved, denied or foreign requests; marks invalid ones Failed (SignerValidationFailure)', async () => {
    const pending = kubeletCsr('w1', 'u', ['g']);
    assert.equal(await signOne(signer, pending), undefined);
    assert.equal(await signOne(signer, { ...pending, status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] } }), undefined);
    const other = { ...pending, spec: { ...pending.spec, signerName: 'example.com/x' }, status: { conditions: [{ type: 'Approved', status: 'True' }] } };
    assert.equal(await signOne(signer, other), undefined);
    const bad = { ...pending, spec: { ...pending.spec, usages: ['server auth'] }, status: { conditions: [{ type: 'Approved', status: 'True' }] } };
    const failed = await signOne(signer, bad);
    assert.equal(failed?.status?.certificate, undefined);
    const cond = failed?.status?.conditions?.at(-1);
    assert.equal(cond?.type, 'Failed');
    assert.equal(cond?.reason, 'SignerValidationFailure');
    assert.equal(cond?.message, 'usages did not match [client auth digital signature key encipherment]');
  });
});

function tokenSecret(id: string, secret: string, extra: Record<string, string> = {}): Secret {
  const data: Record<string, string> = { 'token-id': id, 'token-secret': secret, 'usage-bootstrap-signing': 'true', 'usage-bootstrap-authentication': 'true', ...extra };
  return {
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system', uid: `uid-${id}` },
    type: 'bootstrap.kubernetes.io/token',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

describe('lab controller-manager: bootstrapsigner and tokencleaner', () => {
  const kubeconfig = 'apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: AAAA\n    server: https://10.77.0.10:6443\n  name: ""\ncontexts: null\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: null\n';

  it('computes the detached JWS as go-jose does (checked with openssl HMAC)', () => {
    const sig = computeDetachedSignature(kubeconfig, 'abcdef', '0123456789abcdef');
    const [header, empty, signature] = sig.split('.');
    assert.equal(empty, '');
    assert.equal(Buffer.from(header!, 'base64url').toString(), '{"alg":"HS256","kid":"abcdef"}');
    const key = Buffer.concat([Buffer.from('0123456789abcdef'), Buffer.alloc(16)]).toString('hex');
    const input = `${header}.${Buffer.from(kubeconfig).toString('base64url')}`;
    const hex = openssl(['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${key}`, '-hex'], input).trim().split(' ').pop()!;
    assert.equal(Buffer.from(signature!, 'base64url').toString('hex'), hex);
  });

  it('signs cluster-info with each signing token, drops signatures of tokens that are gone, and changes nothing when current', () => {
    const cm = { metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig, 'jws-kubeconfig-gone00': 'stale' } };
    const secrets = [
      tokenSecret('abcdef', '0123456789abcdef'),
      tokenSecret('expire', '0123456789abcdef', { expiration: '2000-01-01T00:00:00Z' }),
      tokenSecret('nosign', '0123456789abcdef', { 'usage-bootstrap-signing': 'false' }),
      { ...tokenSecret('othert', '0123456789abcdef'), type: 'Opaque' },
    ];
    const signed = signConfigMap(cm, secrets);
    assert.deepEqual(Object.keys(signed!.data!).sort(), ['jws-kubeconfig-abcdef', 'kubeconfig']);
    assert.equal(signed!.data!['jws-kubeconfig-abcdef'], computeDetachedSignature(kubeconfig, 'abcdef', '0123456789abcdef'));
    assert.equal(signConfigMap(signed!, secrets), undefined);
    assert.equal(signConfigMap({ metadata: { name: 'cluster-info' }, data: {} }, secrets), undefined);
  });

  it('reads a token only when its name, token-id and expiration agree', () => {
    assert.deepEqual(signingToken(tokenSecret('abcdef', 's')), ['abcdef', 's']);
    assert.equal(signingToken({ ...tokenSecret('abcdef', 's'), metadata: { name: 'bootstrap-token-zzzzzz' } }), undefined);
    assert.equal(signingToken(tokenSecret('abcdef', 's', { expiration: 'not-a-date' })), undefined);
    assert.deepEqual(signingToken(tokenSecret('abcdef', 's', { expiration: new Date(Date.now() + HOUR).toISOString() })), ['abcdef', 's']);
  });

  it('tokencleaner picks exactly the expired bootstrap token Secrets', () => {
    const secrets = [
      tokenSecret('aaaaaa', 's', { expiration: '2000-01-01T00:00:00Z' }),
      tokenSecret('bbbbbb', 's', { expiration: new Date(Date.now() + HOUR).toISOString() }),
      tokenSecret('cccccc', 's'),
      { ...tokenSecret('dddddd', 's', { expiration: '2000-01-01T00:00:00Z' }), type: 'Opaque' },
    ];
    assert.deepEqual(expiredTokens(secrets).map((s) => s.metadata.name), ['bootstrap-token-aaaaaa']);
  });
});

describe('lab controller-manager: --controllers', () => {
  it('follows IsControllerEnabled: * is the default-on set, names add, -names remove', () => {
    const kubeadm = ['*', 'bootstrapsigner', 'tokencleaner'];
    for (const c of ['csrapproving', 'csrsigning', 'bootstrapsigner', 'tokencleaner']) assert.equal(isControllerEnabled(c, kubeadm), true, c);
    assert.equal(isControllerEnabled('bootstrapsigner', ['*']), false);
    assert.equal(isControllerEnabled('csrsigning', ['*']), true);
    assert.equal(isControllerEnabled('csrsigning', ['-csrsigning', '*']), false);
    assert.equal(isControllerEnabled('csrapproving', ['tokencleaner']), false);
    assert.equal(loggedName('csrapproving', 'v1.27.9'), 'csrapproving');
    assert.equal(loggedName('csrapproving', 'v1.28.4'), 'certificatesigningrequest-approving-controller');
    assert.equal(loggedName('tokencleaner', 'v1.37.1'), 'token-cleaner-controller');
  });
});

