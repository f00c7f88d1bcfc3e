/**
 * Inventory-dependent and version-dependent behaviour of the control-plane manifests.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ManifestError,
  podToYaml,
  renderStaticPodFiles,
  renderStaticPods,
  type ControlPlaneComponent,
  type StaticPod,
} from '../../src/manifests/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { host, images, inventory } from './fixture.js';

function pods(inv: Inventory, etcdTag?: string, h = host(), options?: Parameters<typeof renderStaticPods>[3]) {
  return renderStaticPods(inv, h, images(inv, etcdTag), options);
}

function pod(inv: Inventory, component: ControlPlaneComponent, etcdTag?: string): StaticPod {
  const p = pods(inv, etcdTag).get(component);
  assert.ok(p, component);
  return p;
}

function command(inv: Inventory, component: ControlPlaneComponent, etcdTag?: string): string[] {
  return pod(inv, component, etcdTag).spec.containers[0]!.command;
}

function flag(cmd: string[], name: string): string | undefined {
  const hits = cmd.filter((arg) => arg.startsWith(`--${name}=`));
  assert.ok(hits.length <= 1, `--${name} appears ${hits.length} times`);
  return hits[0]?.slice(name.length + 3);
}

describe('extra arguments', () => {
  test('override defaults in place, add new flags in sorted position, and appear once', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.apiServer.extraArgs = { 'secure-port': '7443', 'audit-log-path': '/var/log/audit.log', 'enable-admission-plugins': 'NodeRestriction,PodSecurity' };
    const cmd = command(inv, 'kube-apiserver');
    assert.deepEqual(cmd.slice(0, 5), [
      'kube-apiserver',
      '--advertise-address=10.7.0.149',
      '--allow-privileged=true',
      '--audit-log-path=/var/log/audit.log',
      '--authorization-mode=Node,RBAC',
    ]);
    assert.equal(flag(cmd, 'secure-port'), '7443');
    assert.equal(flag(cmd, 'enable-admission-plugins'), 'NodeRestriction,PodSecurity');
    assert.deepEqual(cmd.slice(1), [...cmd.slice(1)].sort());
    // The probes keep the endpoint's bind port: kubeadm takes it from localAPIEndpoint, not from extraArgs.
    assert.equal(pod(inv, 'kube-apiserver').spec.containers[0]!.livenessProbe.httpGet.port, 6443);
  });

  test('an empty value is passed as "--name="', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.controllerManager.extraArgs = { 'cluster-signing-key-file': '' };
    assert.ok(command(inv, 'kube-controller-manager').includes('--cluster-signing-key-file='));
  });

  test('authorization-mode: unknown modes are dropped up to v1.30 and passed through from v1.31', () => {
    for (const [version, expected] of [['v1.30.14', 'Node,Webhook'], ['v1.31.0', 'Node,Bogus,Webhook']] as const) {
      const inv = inventory(version);
      inv.cluster.apiServer.extraArgs = { 'authorization-mode': 'Node,Bogus,Webhook' };
      assert.equal(flag(command(inv, 'kube-apiserver'), 'authorization-mode'), expected, version);
    }
  });

  test('authorization-config suppresses the default authorization-mode from v1.31 only', () => {
    for (const [version, expected] of [['v1.30.14', 'Node,RBAC'], ['v1.31.0', undefined]] as const) {
      const inv = inventory(version);
      inv.cluster.apiServer.extraArgs = { 'authorization-config': '/etc/kubernetes/authz.yaml' };
      const cmd = command(inv, 'kube-apiserver');
      assert.equal(flag(cmd, 'authorization-mode'), expected, version);
      assert.equal(flag(cmd, 'authorization-config'), '/etc/kubernetes/authz.yaml');
    }
  });

  test('a local etcd advertising other client URLs is what kube-apiserver connects to', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.etcd.local.extraArgs = { 'advertise-client-urls': 'https://10.7.0.149:2379' };
    assert.equal(flag(command(inv, 'kube-apiserver'), 'etcd-servers'), 'https://10.7.0.149:2379');
    assert.equal(flag(command(inv, 'etcd'), 'advertise-client-urls'), 'https://10.7.0.149:2379');
  });

  test('bind-address 0.0.0.0 leaves the probe host empty; another address is probed directly', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.scheduler.extraArgs = { 'bind-address': '0.0.0.0' };
    inv.cluster.controllerManager.extraArgs = { 'bind-address': '10.7.0.149' };
    const all = pods(inv);
    const sched = all.get('kube-scheduler')!.spec.containers[0]!;
    assert.deepEqual(sched.livenessProbe.httpGet, { path: '/healthz', port: 10259, scheme: 'HTTPS' });
    assert.equal(flag(sched.command, 'bind-address'), '0.0.0.0');
    assert.equal(all.get('kube-controller-manager')!.spec.containers[0]!.startupProbe.httpGet.host, '10.7.0.149');
  });

  test('flex-volume-plugin-dir moves the writable flexvolume mount', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.controllerManager.extraArgs = { 'flex-volume-plugin-dir': '/opt/flex' };
    const kcm = pod(inv, 'kube-controller-manager');
    assert.deepEqual(kcm.spec.volumes.find((v) => v.name === 'flexvolume-dir'), { hostPath: { path: '/opt/flex', type: 'DirectoryOrCreate' }, name: 'flexvolume-dir' });
    assert.deepEqual(kcm.spec.containers[0]!.volumeMounts.find((m) => m.name === 'flexvolume-dir'), { mountPath: '/opt/flex', name: 'flexvolume-dir' });
  });

  test('listen-metrics-urls moves the etcd probes (and the named port from v1.34)', () => {
    const inv = inventory('v1.34.2');
    inv.cluster.etcd.local.extraArgs = { 'listen-metrics-urls': 'https://10.7.0.149:2391,http://127.0.0.1:2381' };
    const etcd = pod(inv, 'etcd', '3.6.4-0').spec.containers[0]!;
    assert.deepEqual(etcd.livenessProbe.httpGet, { host: '10.7.0.149', path: '/livez', port: 'probe-port', scheme: 'HTTPS' });
    assert.deepEqual(etcd.ports, [{ containerPort: 2391, name: 'probe-port', protocol: 'TCP' }]);
  });
});

describe('inventory', () => {
  test('without podSubnet the controller-manager allocates no node CIDRs (and gets no service range)', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.networking.podSubnet = '';
    assert.deepEqual(command(inv, 'kube-controller-manager'), [
      'kube-controller-manager',
      '--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--bind-address=127.0.0.1',
      '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      '--cluster-name=kubernetes',
      '--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt',
      '--cluster-signing-key-file=/etc/kubernetes/pki/ca.key',
      '--controllers=*,bootstrapsigner,tokencleaner',
      '--kubeconfig=/etc/kubernetes/controller-manager.conf',
      '--leader-elect=true',
      '--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt',
      '--root-ca-file=/etc/kubernetes/pki/ca.crt',
      '--service-account-private-key-file=/etc/kubernetes/pki/sa.key',
      '--use-service-account-credentials=true',
    ]);
  });

  test('controlPlaneEndpoint does not appear in the static Pods (kubeadm uses it for kubeconfigs and certificates)', () => {
    const plain = inventory('v1.37.1');
    const withEndpoint = inventory('v1.37.1');
    withEndpoint.cluster.controlPlaneEndpoint = 'k8s-api.example.com:6443';
    const a = renderStaticPodFiles(plain, host(), images(plain));
    const b = renderStaticPodFiles(withEndpoint, host(), images(withEndpoint));
    assert.deepEqual(b, a);
    assert.ok(!b.some((f) => String(f.content).includes('k8s-api.example.com')));
  });

  test('a custom etcd data directory is the flag, the volume and the mount', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.etcd.local.dataDir = '/data/etcd';
    const etcd = pod(inv, 'etcd');
    assert.equal(flag(etcd.spec.containers[0]!.command, 'data-dir'), '/data/etcd');
    assert.deepEqual(etcd.spec.volumes, [
      { hostPath: { path: '/etc/kubernetes/pki/etcd', type: 'DirectoryOrCreate' }, name: 'etcd-certs' },
      { hostPath: { path: '/data/etcd', type: 'DirectoryOrCreate' }, name: 'etcd-data' },
    ]);
    assert.deepEqual(etcd.spec.containers[0]!.volumeMounts, [
      { mountPath: '/data/etcd', name: 'etcd-data' },
      { mountPath: '/etc/kubernetes/pki/etcd', name: 'etcd-certs' },
    ]);
  });

  test('a custom image repository shows only in the images given', () => {
    const inv = inventory('v1.28.15', 'registry.example.com/k8s');
    const files = renderStaticPodFiles(inv, host(), images(inv));
    const lines = files.map((f) => String(f.content).split('\n').find((l) => l.startsWith('    image: ')));
    assert.deepEqual(lines, [
      '    image: registry.example.com/k8s/etcd:3.5.15-0',
      '    image: registry.example.com/k8s/kube-apiserver:v1.28.15',
      '    image: registry.example.com/k8s/kube-controller-manager:v1.28.15',
      '    image: registry.example.com/k8s/kube-scheduler:v1.28.15',
    ]);
    const defaultRepo = inventory('v1.28.15');
    const expected = renderStaticPodFiles(defaultRepo, host(), images(defaultRepo)).map((f) => String(f.content).replaceAll('registry.k8s.io/', 'registry.example.com/k8s/'));
    assert.deepEqual(files.map((f) => f.content), expected);
  });

  test('custom certificatesDir and cluster name; certificate paths are joined and cleaned', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.certificatesDir = '/srv/pki/';
    inv.cluster.clusterName = 'prod';
    const api = command(inv, 'kube-apiserver');
    assert.equal(flag(api, 'client-ca-file'), '/srv/pki/ca.crt');
    assert.equal(flag(api, 'etcd-cafile'), '/srv/pki/etcd/ca.crt');
    assert.equal(flag(command(inv, 'kube-controller-manager'), 'cluster-name'), 'prod');
  });

  test('an IPv6 advertise address: loopback ::1, bracketed URLs, quoted annotation', () => {
    const inv = inventory('v1.28.15');
    inv.cluster.networking = { podSubnet: 'fd00:10:244::/56', serviceSubnet: 'fd00:10:96::/112', dnsDomain: 'cluster.local' };
    const h = host({ advertiseAddress: 'fd00::10', address: 'fd00::10' });
    const files = renderStaticPodFiles(inv, h, images(inv));
    const etcd = String(files[0]!.content);
    assert.ok(etcd.includes('    - --listen-client-urls=https://[::1]:2379,https://[fd00::10]:2379\n'));
    assert.ok(etcd.includes('    - --listen-metrics-urls=http://[::1]:2381\n'));
    assert.ok(etcd.includes('        host: ::1\n'));
    const api = String(files[1]!.content);
    // go-yaml cannot write a scalar starting with "[" plain and falls back to single quotes.
    assert.ok(api.includes("    kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: '[fd00::10]:6443'\n"));
    assert.ok(api.includes('    - --etcd-servers=https://[::1]:2379\n'));
    assert.ok(api.includes('        host: fd00::10\n'));
  });

  test('the CA directories that exist on the host are mounted; /etc/pki is split from v1.31', () => {
    const rhel = { existingHostDirectories: ['/etc/pki', '/etc/pki/ca-trust', '/etc/pki/tls/certs'] };
    const names = (version: string) =>
      pods(inventory(version), undefined, host(), rhel).get('kube-apiserver')!.spec.volumes.map((v) => v.name);
    assert.deepEqual(names('v1.30.14'), ['ca-certs', 'etc-pki', 'k8s-certs']);
    assert.deepEqual(names('v1.31.0'), ['ca-certs', 'etc-pki-ca-trust', 'etc-pki-tls-certs', 'k8s-certs']);
    const none = pods(inventory('v1.31.0'), undefined, host(), { existingHostDirectories: [] });
    assert.deepEqual(none.get('kube-controller-manager')!.spec.volumes.map((v) => v.name), ['ca-certs', 'flexvolume-dir', 'k8s-certs', 'kubeconfig']);
  });
});

describe('a control-plane node joining an existing etcd cluster', () => {
  test('lists every member in --initial-cluster and adds --initial-cluster-state=existing', () => {
    const inv = inventory('v1.28.15');
    const h = host({ name: 'cp2', address: '10.7.0.150', advertiseAddress: '10.7.0.150' });
    const members = [
      { name: 'cp1', peerURL: 'https://10.7.0.149:2380' },
      { name: 'cp2', peerURL: 'https://10.7.0.150:2380' },
    ];
    const cmd = renderStaticPods(inv, h, images(inv), { etcdMembers: members }).get('etcd')!.spec.containers[0]!.command;
    assert.equal(flag(cmd, 'initial-cluster'), 'cp1=https://10.7.0.149:2380,cp2=https://10.7.0.150:2380');
    assert.equal(flag(cmd, 'initial-cluster-state'), 'existing');
    assert.equal(flag(cmd, 'name'), 'cp2');
    const first = renderStaticPods(inv, h, images(inv)).get('etcd')!.spec.containers[0]!.command;
    assert.equal(flag(first, 'initial-cluster'), 'cp2=https://10.7.0.150:2380');
    assert.equal(flag(first, 'initial-cluster-state'), undefined);
  });
});

describe('version boundaries', () => {
  const has = (version: string, component: ControlPlaneComponent, name: string, etcdTag?: string) =>
    flag(command(inventory(version), component, etcdTag), name);

  test('kube-apiserver --insecure-port=0 ends with v1.22 (PR #102121)', () => {
    assert.equal(has('v1.21.14', 'kube-apiserver', 'insecure-port'), '0');
    assert.equal(has('v1.22.0', 'kube-apiserver', 'insecure-port'), undefined);
  });

  test('--port=0 for controller-manager and scheduler ends with v1.23 (PRs #104157, #105034)', () => {
    for (const c of ['kube-controller-manager', 'kube-scheduler'] as const) {
      assert.equal(has('v1.20.0', c, 'port'), '0');
      assert.equal(has('v1.22.17', c, 'port'), '0');
      assert.equal(has('v1.23.0', c, 'port'), undefined);
    }
  });

  test('etcd --experimental-initial-corrupt-check arrives in v1.22.10, v1.23.7 and v1.24.0', () => {
    assert.equal(has('v1.22.9', 'etcd', 'experimental-initial-corrupt-check'), undefined);
    assert.equal(has('v1.22.10', 'etcd', 'experimental-initial-corrupt-check'), 'true');
    assert.equal(has('v1.23.6', 'etcd', 'experimental-initial-corrupt-check'), undefined);
    assert.equal(has('v1.23.7', 'etcd', 'experimental-initial-corrupt-check'), 'true');
    assert.equal(has('v1.24.0', 'etcd', 'experimental-initial-corrupt-check'), 'true');
  });

  test('v1.34 and v1.35 pick the etcd flag spelling by the etcd image version; v1.36 always uses the 3.6 one', () => {
    assert.equal(has('v1.33.7', 'etcd', 'experimental-watch-progress-notify-interval', '3.6.4-0'), '5s');
    assert.equal(has('v1.34.2', 'etcd', 'experimental-watch-progress-notify-interval', '3.5.21-0'), '5s');
    assert.equal(has('v1.34.2', 'etcd', 'feature-gates', '3.5.21-0'), undefined);
    assert.equal(has('v1.34.2', 'etcd', 'feature-gates', '3.6.0-0'), undefined);
    assert.equal(has('v1.34.2', 'etcd', 'feature-gates', '3.6.4-0'), 'InitialCorruptCheck=true');
    assert.equal(has('v1.34.2', 'etcd', 'watch-progress-notify-interval', '3.6.4-0'), '5s');
    assert.equal(has('v1.34.2', 'etcd', 'experimental-initial-corrupt-check', '3.6.4-0'), undefined);
    assert.equal(has('v1.36.0', 'etcd', 'feature-gates', '3.5.21-0'), 'InitialCorruptCheck=true');
    assert.equal(has('v1.36.0', 'etcd', 'experimental-initial-corrupt-check', '3.5.21-0'), undefined);
  });

  test('explicit priority from v1.25.12, v1.26.7 and v1.27.0 (PR #114338 and its cherry-picks)', () => {
    const priority = (v: string) => pod(inventory(v), 'kube-apiserver').spec.priority;
    assert.equal(priority('v1.25.11'), undefined);
    assert.equal(priority('v1.25.12'), 2000001000);
    assert.equal(priority('v1.26.6'), undefined);
    assert.equal(priority('v1.26.7'), 2000001000);
    assert.equal(priority('v1.27.0'), 2000001000);
  });

  test('seccomp RuntimeDefault from v1.22; creationTimestamp: null until v1.33', () => {
    assert.equal(pod(inventory('v1.21.14'), 'etcd').spec.securityContext, undefined);
    assert.deepEqual(pod(inventory('v1.22.0'), 'etcd').spec.securityContext, { seccompProfile: { type: 'RuntimeDefault' } });
    assert.ok(podToYaml(pod(inventory('v1.33.7'), 'kube-scheduler')).includes('\n  creationTimestamp: null\n'));
    assert.ok(!podToYaml(pod(inventory('v1.34.0'), 'kube-scheduler')).includes('creationTimestamp'));
  });

  test('etcd ephemeral-storage request only before v1.20.8 and v1.21.2', () => {
    const requests = (v: string) => pod(inventory(v), 'etcd').spec.containers[0]!.resources.requests;
    assert.deepEqual(requests('v1.21.1'), { cpu: '100m', 'ephemeral-storage': '100Mi', memory: '100Mi' });
    assert.deepEqual(requests('v1.21.2'), { cpu: '100m', memory: '100Mi' });
    assert.deepEqual(requests('v1.20.7'), { cpu: '100m', 'ephemeral-storage': '100Mi', memory: '100Mi' });
    assert.deepEqual(requests('v1.20.8'), { cpu: '100m', memory: '100Mi' });
  });

  test('probe endpoints: etcd /health → serializable (v1.25) → /livez,/readyz (v1.31); scheduler /livez,/readyz from v1.32', () => {
    const etcdPaths = (v: string) => {
      const c = pod(inventory(v), 'etcd').spec.containers[0]!;
      return [c.livenessProbe.httpGet.path, c.readinessProbe?.httpGet.path, c.startupProbe.httpGet.path];
    };
    assert.deepEqual(etcdPaths('v1.24.17'), ['/health', undefined, '/health']);
    assert.deepEqual(etcdPaths('v1.25.0'), ['/health?exclude=NOSPACE&serializable=true', undefined, '/health?serializable=false']);
    assert.deepEqual(etcdPaths('v1.30.14'), ['/health?exclude=NOSPACE&serializable=true', undefined, '/health?serializable=false']);
    assert.deepEqual(etcdPaths('v1.31.0'), ['/livez', '/readyz', '/readyz']);
    const sched = (v: string) => pod(inventory(v), 'kube-scheduler').spec.containers[0]!;
    assert.equal(sched('v1.31.13').readinessProbe, undefined);
    assert.deepEqual(sched('v1.32.0').readinessProbe?.httpGet, { host: '127.0.0.1', path: '/readyz', port: 10259, scheme: 'HTTPS' });
  });

  test('named probe port from v1.34', () => {
    const api = (v: string) => pod(inventory(v), 'kube-apiserver').spec.containers[0]!;
    assert.equal(api('v1.33.7').livenessProbe.httpGet.port, 6443);
    assert.equal(api('v1.33.7').ports, undefined);
    assert.equal(api('v1.34.0').livenessProbe.httpGet.port, 'probe-port');
    assert.deepEqual(api('v1.34.0').ports, [{ containerPort: 6443, name: 'probe-port', protocol: 'TCP' }]);
  });
});

describe('errors', () => {
  test('a version outside v1.20–v1.37 is refused with a clear message', () => {
    for (const version of ['v1.19.16', 'v1.38.0']) {
      assert.throws(() => pods(inventory(version)), (err: unknown) => {
        assert.ok(err instanceof ManifestError);
        assert.equal(err.message, `kubernetesVersion ${version} is outside the versions whose control-plane manifests bootstrap knows (>=1.20.0 <1.38.0)`);
        assert.ok(!String(err.stack).includes('    at '));
        return true;
      });
    }
  });

  test('a missing image is refused', () => {
    const inv = inventory('v1.28.15');
    const imgs = { ...images(inv), 'kube-scheduler': '' };
    assert.throws(() => renderStaticPods(inv, host(), imgs), { name: 'ManifestError', message: 'no image given for kube-scheduler' });
  });
});

describe('renderStaticPodFiles', () => {
  test('runs the patch on each Pod before serialising, and writes mode 0600', () => {
    const inv = inventory('v1.28.15');
    const seen: string[] = [];
    const files = renderStaticPodFiles(inv, host(), images(inv), (component, p) => {
      seen.push(component);
      if (component !== 'kube-apiserver') return p;
      const pod = structuredClone(p) as StaticPod;
      (pod.spec.containers[0] as unknown as { env: unknown }).env = [{ name: 'GODEBUG', value: 'true' }];
      return pod;
    });
    assert.deepEqual(seen, ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
    assert.ok(String(files[1]!.content).includes('    env:\n    - name: GODEBUG\n      value: "true"\n    image: '));
    assert.deepEqual(files.map((f) => f.mode), [0o600, 0o600, 0o600, 0o600]);
  });
});
