import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPatches } from '../../src/manifests/patches.js';
import type { HostSpec, Inventory, KubeletSettings } from '../../src/inventory/types.js';
import {
  KubeletConfigError,
  KUBEADM_DROPIN_PATH,
  SYSTEMD_RESOLVED_RESOLV_CONF,
  UnsupportedKubeletVersionError,
  clusterDnsIp,
  renderKubeletFiles,
} from '../../src/kubelet/index.js';

const CONTAINERD = 'unix:///run/containerd/containerd.sock';
const PAUSE = 'registry.k8s.io/pause:3.9';

function inventory(version: string, kubelet: Partial<KubeletSettings> = {}, serviceSubnet = '10.96.0.0/12'): Inventory {
  return {
    file: '/inv/cluster.yaml',
    dir: '/inv',
    cluster: {
      kubernetesVersion: version,
      imageRepository: 'registry.k8s.io',
      imageRepositoryIsDefault: true,
      clusterName: 'kubernetes',
      controlPlaneEndpoint: '',
      certificatesDir: '/etc/kubernetes/pki',
      networking: { podSubnet: '', serviceSubnet, dnsDomain: 'cluster.local' },
      apiServer: { extraArgs: {}, certSANs: [] },
      controllerManager: { extraArgs: {} },
      scheduler: { extraArgs: {} },
      etcd: { local: { dataDir: '/var/lib/etcd', extraArgs: {}, serverCertSANs: [], peerCertSANs: [] } },
    },
    kubelet: { serializeImagePulls: true, registryPullQPS: 5, registryBurst: 10, cgroupDriver: 'systemd', ...kubelet },
    images: { pullPolicy: 'IfNotPresent', retries: 3, parallel: 2, timeoutMs: 1000, credentials: {} },
    wait: { timeoutMs: 1000 },
    ssh: sshSettings(),
    hosts: [],
    stateDir: '/inv/.state',
  };
}

function sshSettings(): Inventory['ssh'] {
  return { user: 'root', port: 22, agent: false, sudo: false, knownHostsFile: '/root/.ssh/known_hosts', bastion: null, connectTimeoutMs: 1000 };
}

const host: HostSpec = {
  name: 'cp1',
  address: '192.0.2.10',
  advertiseAddress: '192.0.2.10',
  bindPort: 6443,
  roles: ['control-plane'],
  ssh: sshSettings(),
  hostKeys: [],
};

function files(version: string, kubelet: Partial<KubeletSettings> = {}, extra: { resolvConf?: string; hostname?: string; criSocket?: string } = {}) {
  const rendered = renderKubeletFiles(inventory(version, kubelet), host, {
    criSocket: extra.criSocket ?? CONTAINERD,
    pauseImage: PAUSE,
    resolvConf: extra.resolvConf,
    hostname: extra.hostname,
  });
  return new Map(rendered.map((f) => [f.path, f]));
}

function text(version: string, path: string, kubelet: Partial<KubeletSettings> = {}, extra = {}): string {
  const f = files(version, kubelet, extra).get(path);
  assert.ok(f, `${path} rendered for ${version}`);
  return String(f.content);
}

const COMMON_HEAD = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
`;

describe('config.yaml per version', () => {
  it('v1.21: logging is an empty struct, no memorySwap, no containerRuntimeEndpoint', () => {
    assert.equal(
      text('v1.21.14', '/var/lib/kubelet/config.yaml', {}, { resolvConf: SYSTEMD_RESOLVED_RESOLV_CONF }),
      COMMON_HEAD +
        `cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
registryBurst: 10
registryPullQPS: 5
resolvConf: /run/systemd/resolve/resolv.conf
rotateCertificates: true
runtimeRequestTimeout: 0s
serializeImagePulls: true
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`,
    );
  });

  it('v1.24: logging carries flushFrequency/options.json/verbosity and memorySwap is {}', () => {
    assert.equal(
      text('v1.24.17', '/var/lib/kubelet/config.yaml'),
      COMMON_HEAD +
        `cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
registryBurst: 10
registryPullQPS: 5
rotateCertificates: true
runtimeRequestTimeout: 0s
serializeImagePulls: true
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`,
    );
  });

  it('v1.27 and v1.28: containerRuntimeEndpoint "" is written, maxParallelImagePulls allowed', () => {
    for (const version of ['v1.27.16', 'v1.28.15']) {
      const yaml = text(version, '/var/lib/kubelet/config.yaml', { serializeImagePulls: false, maxParallelImagePulls: 4 });
      assert.match(yaml, /^clusterDomain: cluster\.local\ncontainerRuntimeEndpoint: ""\ncpuManagerReconcilePeriod: 0s\n/m);
      assert.match(yaml, /\nkind: KubeletConfiguration\nlogging:\n  flushFrequency: 0\n  options:\n    json:\n      infoBufferSize: "0"\n  verbosity: 0\nmaxParallelImagePulls: 4\nmemorySwap: \{\}\n/);
      assert.match(yaml, /\nserializeImagePulls: false\n/);
      assert.doesNotMatch(yaml, /imageMaximumGCAge/);
    }
  });

  it('v1.36 (newest): text logging options, crashLoopBackOff, imageMaximumGCAge, endpoint from instance config', () => {
    assert.equal(
      text('v1.36.0', '/var/lib/kubelet/config.yaml'),
      COMMON_HEAD +
        `containerRuntimeEndpoint: unix:///run/containerd/containerd.sock
cpuManagerReconcilePeriod: 0s
crashLoopBackOff: {}
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
registryBurst: 10
registryPullQPS: 5
rotateCertificates: true
runtimeRequestTimeout: 0s
serializeImagePulls: true
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`,
    );
  });
});

describe('kubeadm-flags.env per version', () => {
  const env = (version: string, extra = {}) => text(version, '/var/lib/kubelet/kubeadm-flags.env', {}, extra);

  it('v1.20: --pod-infra-container-image only with dockershim', () => {
    assert.equal(env('v1.20.15'), `KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=${CONTAINERD}"\n`);
    assert.equal(
      env('v1.20.15', { criSocket: '/var/run/dockershim.sock' }),
      `KUBELET_KUBEADM_ARGS="--network-plugin=cni --pod-infra-container-image=${PAUSE}"\n`,
    );
  });

  it('v1.21 and v1.24: remote runtime flags plus the pause image', () => {
    const expected = `KUBELET_KUBEADM_ARGS="--container-runtime=remote --container-runtime-endpoint=${CONTAINERD} --pod-infra-container-image=${PAUSE}"\n`;
    assert.equal(env('v1.21.14'), expected);
    assert.equal(env('v1.24.17'), expected);
    assert.equal(
      env('v1.23.17', { criSocket: '/var/run/dockershim.sock' }),
      `KUBELET_KUBEADM_ARGS="--network-plugin=cni --pod-infra-container-image=${PAUSE}"\n`,
    );
  });

  it('v1.27 and v1.28: no --container-runtime', () => {
    const expected = `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=${CONTAINERD} --pod-infra-container-image=${PAUSE}"\n`;
    assert.equal(env('v1.27.16'), expected);
    assert.equal(env('v1.28.15'), expected);
  });

  it('v1.34: endpoint moves to instance-config.yaml; v1.35+: no pause image either', () => {
    assert.equal(env('v1.34.1'), `KUBELET_KUBEADM_ARGS="--pod-infra-container-image=${PAUSE}"\n`);
    assert.equal(env('v1.36.0'), 'KUBELET_KUBEADM_ARGS=""\n');
    assert.equal(
      text('v1.36.0', '/var/lib/kubelet/instance-config.yaml'),
      `containerRuntimeEndpoint: "${CONTAINERD}"\n`,
    );
    assert.equal(files('v1.33.0').has('/var/lib/kubelet/instance-config.yaml'), false);
  });

  it('--hostname-override only when the node name differs from the lowercased hostname', () => {
    assert.equal(env('v1.36.0', { hostname: 'CP1' }), 'KUBELET_KUBEADM_ARGS=""\n');
    assert.equal(env('v1.36.0', { hostname: 'ip-192-0-2-10' }), 'KUBELET_KUBEADM_ARGS="--hostname-override=cp1"\n');
    assert.equal(
      env('v1.28.0', { hostname: 'other' }),
      `KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=${CONTAINERD} --hostname-override=cp1 --pod-infra-container-image=${PAUSE}"\n`,
    );
  });

  it('dockershim after v1.23 is a clear error', () => {
    assert.throws(() => files('v1.24.0', {}, { criSocket: '/var/run/dockershim.sock' }), (e: unknown) => {
      assert.ok(e instanceof KubeletConfigError);
      assert.match(e.message, /dockershim/);
      return true;
    });
  });
});

describe('inventory settings and defaults', () => {
  it('registryBurst 0 is omitted (omitempty), registryPullQPS 0 is kept (pointer)', () => {
    const yaml = text('v1.30.0', '/var/lib/kubelet/config.yaml', { registryBurst: 0, registryPullQPS: 0, cgroupDriver: 'cgroupfs' });
    assert.doesNotMatch(yaml, /registryBurst/);
    assert.match(yaml, /\nregistryPullQPS: 0\n/);
    assert.match(yaml, /\ncgroupDriver: cgroupfs\n/);
  });

  it('maxParallelImagePulls is rejected before v1.27 and with serialized pulls', () => {
    assert.throws(() => files('v1.26.5', { serializeImagePulls: false, maxParallelImagePulls: 3 }), /v1\.27 or newer/);
    assert.throws(() => files('v1.28.0', { serializeImagePulls: true, maxParallelImagePulls: 3 }), /must be 1/);
    assert.match(text('v1.28.0', '/var/lib/kubelet/config.yaml', { serializeImagePulls: true, maxParallelImagePulls: 1 }), /\nmaxParallelImagePulls: 1\n/);
    assert.doesNotMatch(text('v1.28.0', '/var/lib/kubelet/config.yaml'), /maxParallelImagePulls/);
  });

  it('clusterDNS is the 10th address of the first service subnet', () => {
    assert.equal(clusterDnsIp('10.96.0.0/12'), '10.96.0.10');
    assert.equal(clusterDnsIp('10.100.5.0/24'), '10.100.5.10');
    assert.equal(clusterDnsIp('10.100.5.77/24'), '10.100.5.10');
    assert.equal(clusterDnsIp('fd00::/108'), 'fd00::a');
    assert.equal(clusterDnsIp('fd00:10:96::/112'), 'fd00:10:96::a');
    assert.equal(clusterDnsIp('2001:db8:0:0:1::/112'), '2001:db8::1:0:0:a');
    assert.equal(clusterDnsIp('fd00:1:2:3:4:5:6:0/112'), 'fd00:1:2:3:4:5:6:a');
    assert.equal(clusterDnsIp('10.96.0.0/16,fd00::/108'), '10.96.0.10');
    assert.equal(clusterDnsIp('fd00::/108,10.96.0.0/16'), 'fd00::a');
    // Too small or unparsable: kubeadm falls back to 10.96.0.10.
    assert.equal(clusterDnsIp('10.0.0.0/29'), '10.96.0.10');
    assert.equal(clusterDnsIp('nonsense'), '10.96.0.10');
    const yaml = String(renderKubeletFiles(inventory('v1.28.0', {}, 'fd00:10:96::/112'), host, { criSocket: CONTAINERD, pauseImage: PAUSE })[0]?.content);
    assert.match(yaml, /\nclusterDNS:\n- fd00:10:96::a\n/);
  });

  it('files, order and modes; output is byte-stable', () => {
    const a = renderKubeletFiles(inventory('v1.34.0'), host, { criSocket: CONTAINERD, pauseImage: PAUSE });
    const b = renderKubeletFiles(inventory('v1.34.0'), host, { criSocket: CONTAINERD, pauseImage: PAUSE });
    assert.deepEqual(
      a.map((f) => [f.path, f.mode]),
      [
        ['/var/lib/kubelet/config.yaml', 0o644],
        ['/var/lib/kubelet/kubeadm-flags.env', 0o644],
        ['/var/lib/kubelet/instance-config.yaml', 0o644],
        [KUBEADM_DROPIN_PATH, 0o644],
      ],
    );
    assert.deepEqual(a, b);
    assert.equal(KUBEADM_DROPIN_PATH, '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf');
    assert.match(String(a[3]?.content), /\nExecStart=\/usr\/bin\/kubelet \$KUBELET_KUBECONFIG_ARGS \$KUBELET_CONFIG_ARGS \$KUBELET_KUBEADM_ARGS \$KUBELET_EXTRA_ARGS\n$/);
  });

  it('versions outside v1.20–v1.37 are refused', () => {
    assert.throws(() => files('v1.19.16'), UnsupportedKubeletVersionError);
    assert.throws(() => files('v1.38.0'), /supported versions are v1\.20 to v1\.37/);
    assert.throws(() => files('latest'), /not a Kubernetes version/);
  });
});

describe('kubeletconfiguration patches', () => {
  it('apply from v1.25 on, before instance-config.yaml is merged in; older versions ignore them', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kubelet-patches-'));
    try {
      await writeFile(path.join(dir, 'kubeletconfiguration0+merge.yaml'), 'maxPods: 50\ncontainerRuntimeEndpoint: unix:///other.sock\n');
      await writeFile(path.join(dir, 'kubeletconfiguration1+json.json'), '[{"op": "replace", "path": "/clusterDNS", "value": ["169.254.20.10"]}]');
      const patches = await loadPatches(dir);
      const render = (version: string, log?: (line: string) => void) =>
        String(renderKubeletFiles(inventory(version), host, { criSocket: CONTAINERD, pauseImage: PAUSE, patches, log })[0]?.content);

      const log: string[] = [];
      const v128 = render('v1.28.0', (line) => log.push(line));
      assert.match(v128, /\nclusterDNS:\n- 169\.254\.20\.10\nclusterDomain: cluster\.local\ncontainerRuntimeEndpoint: unix:\/\/\/other\.sock\n/);
      assert.match(v128, /\nlogging:\n  flushFrequency: 0\n  options:\n    json:\n      infoBufferSize: "0"\n  verbosity: 0\nmaxPods: 50\nmemorySwap: \{\}\n/);
      assert.deepEqual(log, [
        '[patches] Applied patch of type "application/merge-patch+json" to target "kubeletconfiguration"',
        '[patches] Applied patch of type "application/json-patch+json" to target "kubeletconfiguration"',
      ]);
      // v1.34+: instance-config.yaml is merged last, so the detected socket wins.
      assert.match(render('v1.34.0'), /\ncontainerRuntimeEndpoint: unix:\/\/\/run\/containerd\/containerd\.sock\n/);
      const v124 = render('v1.24.0');
      assert.doesNotMatch(v124, /maxPods|169\.254\.20\.10|containerRuntimeEndpoint/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
