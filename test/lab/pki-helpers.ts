/** openssl-made test PKI for the lab stand-in tests (an independent implementation to check ours against). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface TestCA {
  dir: string;
  certFile: string;
  keyFile: string;
  certPem: string;
  keyPem: string;
  cleanup(): void;
}

/** A CA like kubeadm's: RSA 2048 (or ECDSA P-256), CN=kubernetes, with a subject key identifier. */
export function makeCA(kind: 'rsa' | 'ec' = 'rsa', days = 3650): TestCA {
  const dir = mkdtempSync(join(tmpdir(), 'lab-test-ca-'));
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'ca.key');
  const keyArgs = kind === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  openssl(['req', '-x509', ...keyArgs, '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=kubernetes', '-days', String(days),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign']);
  return { dir, certFile, keyFile, certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A client certificate signed by `ca` (openssl), e.g. an expired one with days < 0 via -not_after is not portable: use `validDays`. */
export function issueClientCert(ca: TestCA, subject: string, validDays = 365): { cert: string; key: string } {
  const key = join(ca.dir, `client-${Math.random().toString(16).slice(2)}.key`);
  const csr = `${key}.csr`;
  const crt = `${key}.crt`;
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject]);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(Date.now()), '-days', String(validDays), '-out', crt]);
  return { cert: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** A CSR made by openssl with extra request extensions (SANs), base64 as in spec.request. */
export function opensslCsr(dir: string, subject: string, addext: string[] = []): string {
  const key = join(dir, `req-${Math.random().toString(16).slice(2)}.key`);
  const out = `${key}.csr`;
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', out, '-subj', subject, ...addext.flatMap((e) => ['-addext', e])]);
  return Buffer.from(readFileSync(out)).toString('base64');
}

export function writeTemp(dir: string, name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** A serving certificate for 127.0.0.1 signed by `ca`. */
export function issueServingCert(ca: TestCA): { cert: string; key: string } {
  const key = join(ca.dir, 'serving.key');
  const csr = join(ca.dir, 'serving.csr');
  const crt = join(ca.dir, 'serving.crt');
  const ext = writeTemp(ca.dir, 'serving.ext', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=kube-apiserver']);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', '7', '-days', '30', '-extfile', ext, '-out', crt]);
  return { cert: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
}
