/**
 * For the lab's image tests: a kubeadm-shaped PKI and kubeconfigs made with the openssl command line, and
 * kubeadm's static Pod commands rewritten to run as local processes (paths under a scratch folder, addresses
 * on 127.0.0.1, free ports), so the stand-ins and the real etcd can be exercised without any container.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { runCommand } from '../docker.js';

export interface CertSpec {
  cn: string;
  o?: string[];
  /** SANs, e.g. ["IP:127.0.0.1", "DNS:localhost"]. */
  sans?: string[];
}

async function openssl(argv: string[]): Promise<void> {
  await runCommand('openssl', argv, { timeoutMs: 60_000 });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export async function makeCA(dir: string, name: string, cn: string): Promise<void> {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  await openssl(['req', '-x509', '-new', ...EC, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-subj', `/CN=${cn}`,
    '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
}

let serial = 1000;

export async function makeCert(dir: string, ca: string, name: string, spec: CertSpec): Promise<void> {
  mkdirSync(dirname(join(dir, name)), { recursive: true });
  const subject = [...(spec.o ?? []).map((o) => `/O=${o}`), `/CN=${spec.cn}`].join('');
  const csr = join(dir, `${name}.csr`);
  await openssl(['req', '-new', ...EC, '-keyout', join(dir, `${name}.key`), '-out', csr, '-subj', subject]);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth',
    ...(spec.sans?.length ? [`subjectAltName=${spec.sans.join(',')}`] : [])].join('\n') + '\n');
  await openssl(['x509', '-req', '-in', csr, '-CA', join(dir, `${ca}.crt`), '-CAkey', join(dir, `${ca}.key`), '-set_serial', String(serial++),
    '-days', '2', '-out', join(dir, `${name}.crt`), '-extfile', ext]);
}

/** The files kubeadm's certs phase writes under /etc/kubernetes/pki (with loopback SANs). */
export async function makeKubeadmPki(kubernetesDir: string): Promise<void> {
  const pki = join(kubernetesDir, 'pki');
  const local = ['IP:127.0.0.1', 'DNS:localhost'];
  await makeCA(pki, 'ca', 'kubernetes');
  await makeCA(pki, 'front-proxy-ca', 'front-proxy-ca');
  await makeCA(pki, 'etcd/ca', 'etcd-ca');
  await makeCert(pki, 'ca', 'apiserver', { cn: 'kube-apiserver', sans: [...local, 'DNS:kubernetes'] });
  await makeCert(pki, 'ca', 'apiserver-kubelet-client', { cn: 'kube-apiserver-kubelet-client', o: ['system:masters'] });
  await makeCert(pki, 'front-proxy-ca', 'front-proxy-client', { cn: 'front-proxy-client' });
  await makeCert(pki, 'etcd/ca', 'etcd/server', { cn: 'cp1', sans: local });
  await makeCert(pki, 'etcd/ca', 'etcd/peer', { cn: 'cp1', sans: local });
  await makeCert(pki, 'etcd/ca', 'apiserver-etcd-client', { cn: 'kube-apiserver-etcd-client' });
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(pki, 'sa.key')]);
  await openssl(['pkey', '-in', join(pki, 'sa.key'), '-pubout', '-out', join(pki, 'sa.pub')]);
  for (const [file, cn, o] of [
    ['controller-manager.conf', 'system:kube-controller-manager', []],
    ['scheduler.conf', 'system:kube-scheduler', []],
    ['admin.conf', 'kubernetes-admin', ['system:masters']],
  ] as const) {
    await makeCert(pki, 'ca', `kubeconfig-${file}`, { cn, o: [...o] });
  }
}

/** A kubeconfig with embedded data, as kubeadm writes them. */
export function writeKubeconfig(kubernetesDir: string, file: string, server: string, caFile = 'pki/ca.crt'): void {
  const b64 = (p: string) => readFileSync(join(kubernetesDir, p)).toString('base64');
  const user = file.replace('.conf', '');
  writeFileSync(join(kubernetesDir, file), [
    'apiVersion: v1', 'kind: Config', 'clusters:', '- cluster:', `    certificate-authority-data: ${b64(caFile)}`, `    server: ${server}`, '  name: kubernetes',
    'contexts:', '- context:', '    cluster: kubernetes', `    user: ${user}`, `  name: ${user}@kubernetes`, `current-context: ${user}@kubernetes`,
    'preferences: {}', 'users:', `- name: ${user}`, '  user:', `    client-certificate-data: ${b64(`pki/kubeconfig-${file}.crt`)}`,
    `    client-key-data: ${b64(`pki/kubeconfig-${file}.key`)}`, '',
  ].join('\n'), { mode: 0o600 });
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePromise(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The container command of a kubeadm static Pod manifest. */
export function manifestCommand(file: string): string[] {
  const pod = parse(readFileSync(file, 'utf8')) as { spec: { containers: { command: string[] }[] } };
  return pod.spec.containers[0]!.command;
}

/**
 * Rewrites a kubeadm command for local processes: textual replacements applied to every argument, then
 * duplicate URLs in comma lists dropped (two addresses that both became 127.0.0.1).
 */
export function rewriteCommand(command: string[], replacements: [string, string][]): string[] {
  return command.map((arg) => {
    const replaced = replacements.reduce((a, [from, to]) => a.split(from).join(to), arg);
    const eq = replaced.indexOf('=');
    if (eq < 0 || !replaced.slice(eq + 1).includes(',')) return replaced;
    return `${replaced.slice(0, eq + 1)}${[...new Set(replaced.slice(eq + 1).split(','))].join(',')}`;
  });
}

export interface Running {
  child: ChildProcess;
  output(): string;
  exited: Promise<number>;
}

export function start(program: string, argv: string[], env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(program, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => chunks.push(b));
  child.stderr!.on('data', (b: Buffer) => chunks.push(b));
  const exited = new Promise<number>((r) => child.on('close', (code, signal) => r(code ?? (signal ? 128 : 1))));
  return { child, output: () => Buffer.concat(chunks).toString(), exited };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
