/**
 * Real etcd members on 127.0.0.1 for the client tests: Debian's /usr/bin/etcd with the TLS files kubeadm's certs
 * phase gives a control-plane host (made by src/pki for hosts whose advertise address is 127.0.0.1), in a temporary
 * directory, on free ports. etcdctl, the outside judge, is run with the same client certificate.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HostSpec } from '../../src/inventory/types.js';
import { loadOrCreateClusterPki, renderHostPki } from '../../src/pki/index.js';
import type { EtcdTls } from '../../src/etcd/index.js';
import { file, host, inventory, tempDir, useKeyPool } from '../pki/fixtures.js';
import { freePort } from '../health/servers.js';
import { ensureSystemTools } from '../system-tools.js';

export const ETCD = '/usr/bin/etcd';
export const ETCDCTL = '/usr/bin/etcdctl';

export interface MemberFiles {
  name: string;
  dir: string;
  clientURL: string;
  peerURL: string;
  tls: EtcdTls;
}

export interface TestPki {
  root: string;
  /** The state directory the PKI is in, as `up` leaves it (pki/etcd/ca.crt, hosts/<name>/pki/etcd/…). */
  stateDir: string;
  members: MemberFiles[];
}

const PKI = '/etc/kubernetes/pki';

/**
 * A cluster PKI in a fresh state directory and the etcd files of each named host. The members listen on 127.0.0.1
 * whatever their advertise address (kubeadm's etcd server and peer certificates name 127.0.0.1 too), so a test may
 * give hosts the addresses of an inventory and map their client URLs to the local ports.
 */
export async function makeEtcdPki(names: string[], addresses: string[] = []): Promise<TestPki> {
  ensureSystemTools(); // etcd and etcdctl: installed when missing and possible, else a failure naming them
  useKeyPool();
  const root = tempDir('bootstrap-etcd-');
  const hosts: HostSpec[] = names.map((n, i) => host(n, addresses[i] ?? '127.0.0.1'));
  const inv = inventory(join(root, 'state'), { hosts });
  const pki = await loadOrCreateClusterPki(inv.stateDir);
  const members: MemberFiles[] = [];
  for (const h of hosts) {
    const files = await renderHostPki(inv, h, pki);
    const dir = join(root, h.name);
    mkdirSync(dir, { recursive: true });
    for (const base of ['etcd/ca.crt', 'etcd/server.crt', 'etcd/server.key', 'etcd/peer.crt', 'etcd/peer.key', 'etcd/healthcheck-client.crt', 'etcd/healthcheck-client.key']) {
      writeFileSync(join(dir, base.replace('/', '-')), file(files, `${PKI}/${base}`), { mode: 0o600 });
    }
    const [client, peer] = [await freePort(), await freePort()];
    members.push({
      name: h.name,
      dir,
      clientURL: `https://127.0.0.1:${client}`,
      peerURL: `https://127.0.0.1:${peer}`,
      tls: {
        caPem: file(files, `${PKI}/etcd/ca.crt`),
        certPem: file(files, `${PKI}/etcd/healthcheck-client.crt`),
        keyPem: file(files, `${PKI}/etcd/healthcheck-client.key`),
      },
    });
  }
  return { root, stateDir: inv.stateDir, members };
}

/** Starts etcd for the member; its log goes to <dir>/etcd.log. The caller kills it. */
export function startEtcd(m: MemberFiles, initialCluster: string, state: 'new' | 'existing'): ChildProcess {
  const f = (name: string) => join(m.dir, name);
  const args = [
    `--name=${m.name}`,
    `--data-dir=${f('data')}`,
    `--listen-client-urls=${m.clientURL}`,
    `--advertise-client-urls=${m.clientURL}`,
    `--listen-peer-urls=${m.peerURL}`,
    `--initial-advertise-peer-urls=${m.peerURL}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-state=${state}`,
    // kubeadm's etcd flags (local.go getEtcdCommand): mutual TLS on both ports, with the etcd CA.
    `--cert-file=${f('etcd-server.crt')}`,
    `--key-file=${f('etcd-server.key')}`,
    `--trusted-ca-file=${f('etcd-ca.crt')}`,
    '--client-cert-auth=true',
    `--peer-cert-file=${f('etcd-peer.crt')}`,
    `--peer-key-file=${f('etcd-peer.key')}`,
    `--peer-trusted-ca-file=${f('etcd-ca.crt')}`,
    '--peer-client-cert-auth=true',
    '--snapshot-count=10000',
  ];
  const log = openSync(f('etcd.log'), 'a');
  return spawn(ETCD, args, { stdio: ['ignore', log, log], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
}

export function etcdLog(m: MemberFiles): string {
  try {
    return readFileSync(join(m.dir, 'etcd.log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

/** Stops a process this test started, and waits for it to be gone. */
export async function stopEtcd(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/** etcdctl member list -w json, IDs kept exact (JSON numbers past 2^53 would not be) and in decimal. */
export async function etcdctlMembers(m: MemberFiles): Promise<{ ID: string; name?: string; peerURLs: string[]; clientURLs?: string[]; isLearner?: boolean }[]> {
  const f = (name: string) => join(m.dir, name);
  const { stdout } = await promisify(execFile)(
    ETCDCTL,
    [`--endpoints=${m.clientURL}`, `--cacert=${f('etcd-ca.crt')}`, `--cert=${f('etcd-healthcheck-client.crt')}`, `--key=${f('etcd-healthcheck-client.key')}`, '--command-timeout=5s', 'member', 'list', '-w', 'json'],
    { env: { ETCDCTL_API: '3', PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: 15_000 },
  );
  const exact = stdout.replace(/"(ID|cluster_id|member_id)":(\d+)/g, '"$1":"$2"');
  return (JSON.parse(exact) as { members: { ID: string; name?: string; peerURLs: string[]; isLearner?: boolean }[] }).members;
}

/** Polls `check` until it returns without throwing, or throws its last error after `ms` (at once if marked fatal). */
export async function until<T>(what: string, ms: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if ((error as { fatal?: boolean }).fatal) throw error;
      if (Date.now() > deadline) throw new Error(`${what}: still failing after ${ms} ms: ${(error as Error).message}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
