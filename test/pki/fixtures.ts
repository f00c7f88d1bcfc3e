/** Inventories, a fast key pool and file helpers for the pki tests. */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HostSpec, Inventory, RenderedFile, SshSettings } from '../../src/inventory/types.js';
import { useKeyGenerator } from '../../src/pki/keys.js';

/**
 * RSA-2048 generation costs ~100 ms a key; a test file makes hundreds. Six real keys handed out in turn keep the
 * three CAs, sa and neighbouring leaves on different keys while the whole file runs in seconds.
 */
export function useKeyPool(size = 6): void {
  const pool: KeyObject[] = [];
  for (let i = 0; i < size; i++) pool.push(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  let next = 0;
  useKeyGenerator(async () => pool[next++ % size] as KeyObject);
}

function subjectOf(base64: string): string {
  const cert = new X509Certificate(Buffer.from(base64, 'base64'));
  return cert.subject.split('\n').join(', ');
}

/** A kubeconfig with its key material (new on every render) replaced by placeholders; the client certificate's names its subject. */
export function redactKubeconfig(text: string): string {
  return text
    .replace(/^( {4}certificate-authority-data: ).+$/m, '$1REDACTED-CA-CERTIFICATE')
    .replace(/^( {4}client-certificate-data: )(.+)$/m, (_, key: string, data: string) => `${key}"REDACTED-CERTIFICATE ${subjectOf(data)}"`)
    .replace(/^( {4}client-key-data: ).+$/m, '$1REDACTED-KEY');
}

export function tempDir(prefix = 'bootstrap-pki-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const ssh: SshSettings = {
  user: 'root',
  port: 22,
  agent: false,
  sudo: false,
  knownHostsFile: '/dev/null',
  bastion: null,
  connectTimeoutMs: 1000,
};

export function host(name: string, address: string, roles: HostSpec['roles'] = ['control-plane']): HostSpec {
  return { name, address, advertiseAddress: address, bindPort: 6443, roles, ssh, hostKeys: [] };
}

export interface InventoryOptions {
  version?: string;
  controlPlaneEndpoint?: string;
  certSANs?: string[];
  hosts?: HostSpec[];
  serviceSubnet?: string;
  dnsDomain?: string;
  clusterName?: string;
}

export function inventory(stateDir: string, o: InventoryOptions = {}): Inventory {
  return {
    file: '/inventories/lab.yaml',
    dir: '/inventories',
    stateDir,
    hosts: o.hosts ?? [host('cp1', '10.0.0.2')],
    patches: undefined,
    wait: { timeoutMs: 1000 },
    ssh,
    images: { pullPolicy: 'IfNotPresent', retries: 1, parallel: 1, timeoutMs: 1000, credentials: {} },
    kubelet: { serializeImagePulls: true, registryPullQPS: 5, registryBurst: 10, cgroupDriver: 'systemd' },
    cluster: {
      kubernetesVersion: o.version ?? 'v1.30.2',
      imageRepository: 'registry.k8s.io',
      imageRepositoryIsDefault: true,
      clusterName: o.clusterName ?? 'kubernetes',
      controlPlaneEndpoint: o.controlPlaneEndpoint ?? '',
      certificatesDir: '/etc/kubernetes/pki',
      networking: { podSubnet: '', serviceSubnet: o.serviceSubnet ?? '10.96.0.0/12', dnsDomain: o.dnsDomain ?? 'cluster.local' },
      apiServer: { extraArgs: {}, certSANs: o.certSANs ?? [] },
      controllerManager: { extraArgs: {} },
      scheduler: { extraArgs: {} },
      etcd: { local: { dataDir: '/var/lib/etcd', extraArgs: {}, serverCertSANs: [], peerCertSANs: [] } },
    },
  };
}

/** Writes rendered files under root (as `render` would) and returns root. */
export function writeRendered(files: RenderedFile[], root = tempDir('bootstrap-pki-out-')): string {
  for (const f of files) {
    const path = join(root, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content, { mode: f.mode });
    chmodSync(path, f.mode);
  }
  return root;
}

export function file(files: RenderedFile[], path: string): string {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no rendered file ${path}; have ${files.map((f) => f.path).join(', ')}`);
  return found.content.toString();
}

/** Runs the real openssl; returns stdout and throws with stderr on failure. */
export function openssl(args: string[], input?: string): string {
  return execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}
