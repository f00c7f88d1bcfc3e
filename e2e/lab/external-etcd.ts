/**
 * An external etcd for the lab (cluster.etcd.external): Debian's /usr/bin/etcd on the lab bridge's own address
 * (10.77.0.1, which every lab node reaches), serving clients over TLS with client-certificate authentication, with
 * certificates made here by openssl (a CA, the server's, and the client pair the API server is given). Its data
 * directory and files live in a temporary folder; stop() kills it and removes them, and so does this process's exit.
 * etcdctl with the same client pair is the outside judge.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ETCD = '/usr/bin/etcd';
export const ETCDCTL = '/usr/bin/etcdctl';
/** A client port nothing else on the lab uses (the lab's registries are on 5000–5001, nodes' etcd on 2379). */
export const EXTERNAL_ETCD_CLIENT_PORT = 12379;
const PEER_PORT = 12380;

export interface ExternalEtcdFiles {
  dir: string;
  caFile: string;
  /** The client pair the inventory names (the API server's). */
  certFile: string;
  keyFile: string;
}

/** Only fixed words and the folder reach openssl's command line; the keys go to files it writes itself (0600). */
async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
}

/**
 * A CA, a serving certificate for `ips` (serverAuth, clientAuth: etcd uses it both ways) and a client pair
 * (clientAuth, CN kube-apiserver-etcd-client as kubeadm names the API server's), P-256 keys, valid two days.
 */
export async function makeExternalEtcdPki(ips: readonly string[], dir = mkdtempSync(join(tmpdir(), 'bootstrap-external-etcd-'))): Promise<ExternalEtcdFiles & { serverCert: string; serverKey: string }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=external-etcd-ca']);
  const leaf = async (name: string, cn: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    await openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
  };
  await leaf('server', 'external-etcd', `subjectAltName=${ips.map((ip) => `IP:${ip}`).join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  await leaf('client', 'kube-apiserver-etcd-client', 'extendedKeyUsage=clientAuth\n');
  for (const key of ['ca.key', 'server.key', 'client.key']) chmodSync(join(dir, key), 0o600);
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'client.crt'),
    keyFile: join(dir, 'client.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}

export interface ExternalEtcd extends ExternalEtcdFiles {
  /** https://<address>:12379 */
  endpoint: string;
  /** etcdctl (API v3) with the client pair against the endpoint; its stdout. */
  etcdctl(...args: string[]): Promise<string>;
  /** Kills etcd and waits for it to be gone; its files stay (an inventory still names them). */
  halt(): Promise<void>;
  /** halt(), then the folder with the certificates, keys and data is removed. */
  stop(): Promise<void>;
}

/** Starts etcd on `address` and waits until etcdctl finds it healthy (polling, up to `readyMs`). */
export async function startExternalEtcd(address: string, readyMs = 30_000): Promise<ExternalEtcd> {
  const files = await makeExternalEtcdPki([address, '127.0.0.1']);
  const endpoint = `https://${address}:${EXTERNAL_ETCD_CLIENT_PORT}`;
  const peer = `http://127.0.0.1:${PEER_PORT}`;
  const log = openSync(join(files.dir, 'etcd.log'), 'a');
  const child: ChildProcess = spawn(ETCD, [
    '--name=external',
    `--data-dir=${join(files.dir, 'data')}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    // One member: its peer port only has to exist, on loopback.
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=external=${peer}`,
    `--cert-file=${files.serverCert}`,
    `--key-file=${files.serverKey}`,
    `--trusted-ca-file=${files.caFile}`,
    '--client-cert-auth=true',
  ], { stdio: ['ignore', log, log], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const etcdctl = async (...args: string[]) => (await run(ETCDCTL, [
    `--endpoints=${endpoint}`, `--cacert=${files.caFile}`, `--cert=${files.certFile}`, `--key=${files.keyFile}`, '--command-timeout=5s', ...args,
  ], { env: { ETCDCTL_API: '3', PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 15_000, maxBuffer: 64 << 20 })).stdout;
  const halt = async () => {
    process.off('exit', kill);
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      kill();
      await gone;
    }
  };
  const stop = async () => {
    await halt();
    rmSync(files.dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null) {
      const tail = readFileSync(join(files.dir, 'etcd.log'), 'utf8').split('\n').slice(-10).join('\n');
      await stop();
      throw new Error(`the external etcd exited (${child.exitCode}):\n${tail}`);
    }
    try {
      await etcdctl('endpoint', 'health');
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`the external etcd at ${endpoint} was not healthy within ${readyMs} ms: ${(error as Error).message}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { ...files, endpoint, etcdctl, halt, stop };
}
