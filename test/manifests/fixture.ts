/** The inventory and host the golden manifests were written for, and the images kubeadm would use. */
import type { HostSpec, Inventory, SshSettings } from '../../src/inventory/types.js';
import type { ControlPlaneComponent } from '../../src/manifests/index.js';

const ssh: SshSettings = {
  user: 'root',
  port: 22,
  agent: false,
  sudo: false,
  knownHostsFile: '/home/user/.ssh/known_hosts',
  bastion: null,
  connectTimeoutMs: 10_000,
};

export function host(overrides: Partial<HostSpec> = {}): HostSpec {
  return {
    name: 'cp1',
    address: '10.7.0.149',
    advertiseAddress: '10.7.0.149',
    bindPort: 6443,
    roles: ['control-plane'],
    ssh,
    hostKeys: [],
    ...overrides,
  };
}

export function inventory(kubernetesVersion: string, imageRepository = defaultRepository(kubernetesVersion)): Inventory {
  return {
    file: '/work/cluster/inventory.yaml',
    dir: '/work/cluster',
    cluster: {
      kubernetesVersion,
      imageRepository,
      imageRepositoryIsDefault: true,
      clusterName: 'kubernetes',
      controlPlaneEndpoint: '',
      certificatesDir: '/etc/kubernetes/pki',
      networking: { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' },
      apiServer: { extraArgs: {}, certSANs: [] },
      controllerManager: { extraArgs: {} },
      scheduler: { extraArgs: {} },
      etcd: { local: { dataDir: '/var/lib/etcd', extraArgs: {}, serverCertSANs: [], peerCertSANs: [] } },
    },
    kubelet: { serializeImagePulls: true, registryPullQPS: 5, registryBurst: 10, cgroupDriver: 'systemd' },
    images: { pullPolicy: 'IfNotPresent', retries: 3, parallel: 2, timeoutMs: 600_000, credentials: {} },
    wait: { timeoutMs: 300_000 },
    ssh,
    hosts: [host()],
    stateDir: '/work/cluster/.bootstrap',
  };
}

/** kubeadm's default repository: k8s.gcr.io before v1.25 (v1.24.9+ backported registry.k8s.io). */
function defaultRepository(version: string): string {
  const [, minor, patch] = version.replace(/^v/, '').split('.').map(Number);
  return (minor ?? 0) >= 25 || ((minor ?? 0) === 24 && (patch ?? 0) >= 9) ? 'registry.k8s.io' : 'k8s.gcr.io';
}

/** The etcd tags kubeadm's image catalog names for the golden versions (constants.go SupportedEtcdVersion). */
const GOLDEN_ETCD_TAGS: Record<string, string> = {
  'v1.21.14': '3.4.13-0',
  'v1.24.17': '3.5.6-0',
  'v1.28.15': '3.5.15-0',
  'v1.37.1': '3.7.0-0',
};

export function images(inv: Inventory, etcdTag = GOLDEN_ETCD_TAGS[inv.cluster.kubernetesVersion] ?? '3.5.6-0'): Record<ControlPlaneComponent, string> {
  const repo = inv.cluster.imageRepository;
  const v = inv.cluster.kubernetesVersion;
  return {
    etcd: `${repo}/etcd:${etcdTag}`,
    'kube-apiserver': `${repo}/kube-apiserver:${v}`,
    'kube-controller-manager': `${repo}/kube-controller-manager:${v}`,
    'kube-scheduler': `${repo}/kube-scheduler:${v}`,
  };
}

export const GOLDEN_VERSIONS = Object.keys(GOLDEN_ETCD_TAGS);
