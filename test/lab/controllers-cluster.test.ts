/**
 * The lab control plane joins a node: Debian's etcd, the kube-apiserver and kube-controller-manager stand-ins run
 * as local processes from kubeadm's own manifests (as e2e/lab-images.test.ts runs them), the objects kubeadm's
 * bootstrap-token phase creates are put in place, and the lab kubelet's TLS bootstrap, registration, status and
 * Lease run against them (with a stand-in runtime answer instead of CRI). It relies on the apiserver's
 * SubjectAccessReview and CertificateSigningRequest API.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, makeKubeadmPki, manifestCommand, rewriteCommand, start, waitFor, writeKubeconfig, type Running } from '../../e2e/lab/images/test-pki.js';
import { ensureDebianPackages } from '../../e2e/lab/packages.js';
import { defaultRepoRoot } from '../../e2e/lab/state.js';
import { httpsApi, isNotFound, type Api } from '../../e2e/lab/images/components/controller-api.js';
import { loadKeyPair } from '../../e2e/lab/images/components/pki.js';
import { computeDetachedSignature } from '../../e2e/lab/images/components/bootstrap-tokens.js';
import { connectToApiServer } from '../../e2e/lab/standins/kubelet.js';
import { kubeletSettings } from '../../e2e/lab/standins/kubelet/config.js';
import { parseKubeletFlags } from '../../e2e/lab/standins/kubelet/flags.js';
import { logger } from '../../e2e/lab/standins/kubelet/log.js';
import { NodeAgent, type MachineInfo } from '../../e2e/lab/standins/kubelet/node.js';

const VERSION = 'v1.28.15';
const repoRoot = defaultRepoRoot();
const goldenDir = join(repoRoot, 'test', 'golden', 'manifests', VERSION);
const componentsDir = join(repoRoot, 'dist', 'e2e', 'lab', 'images', 'components');
const entrypoint = join(repoRoot, 'e2e', 'lab', 'images', 'etcd', 'etcd-entrypoint.sh');
const CNI_MESSAGE = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';
const MACHINE: MachineInfo = {
  machineID: 'f00d', systemUUID: 'uuid-1', bootID: 'boot-1', kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64', cpu: 2, memoryBytes: 4 * 1024 ** 3, ephemeralStorageBytes: 20 * 1024 ** 3, address: '127.0.0.1',
};

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function tokenSecret(id: string, secret: string, extra: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token',
    metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
    data: Object.fromEntries(Object.entries({
      'token-id': id, 'token-secret': secret, 'usage-bootstrap-authentication': 'true', 'usage-bootstrap-signing': 'true',
      'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token', ...extra,
    }).map(([k, v]) => [k, b64(v)])),
  };
}

function binding(name: string, role: string, group: string): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
  };
}

describe(`a lab kubelet joins a lab control plane from kubeadm ${VERSION}'s manifests`, { timeout: 240_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'lab-join-'));
  const k8s = join(scratch, 'kubernetes');
  const processes: Running[] = [];
  const ports = { etcd: 0, peer: 0, metrics: 0, api: 0, cm: 0 };
  let admin: Api;
  let server: string;
  const env = {
    BOOTSTRAP_LAB_KUBERNETES_VERSION: VERSION, BOOTSTRAP_LAB_ETCD_BINARY: '/usr/bin/etcd',
    BOOTSTRAP_LAB_NODE: process.execPath, BOOTSTRAP_LAB_ETCD_PROBES: join(componentsDir, 'etcd-probes.js'),
  };
  const commandFor = (component: string, extra: string[] = []): string[] => [
    ...rewriteCommand(manifestCommand(join(goldenDir, `${component}.yaml`)), [
      ['/etc/kubernetes', k8s], ['/var/lib/etcd', join(scratch, 'etcd-data')], ['10.7.0.149', '127.0.0.1'],
      [':2379', `:${ports.etcd}`], [':2380', `:${ports.peer}`], [':2381', `:${ports.metrics}`], ['--secure-port=6443', `--secure-port=${ports.api}`],
    ]).slice(1),
    ...extra,
  ];
  const output = (): string => processes.map((p, i) => `--- process ${i}:\n${p.output().slice(-2500)}`).join('\n');

  before(async () => {
    await ensureDebianPackages(['etcd-server', 'openssl']);
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    server = `https://127.0.0.1:${ports.api}`;
    await makeKubeadmPki(k8s);
    for (const f of ['controller-manager.conf', 'admin.conf']) writeKubeconfig(k8s, f, server);
    const pki = join(k8s, 'pki');
    processes.push(start('sh', [entrypoint, ...commandFor('etcd')], env));
    processes.push(start(process.execPath, [join(componentsDir, 'kube-apiserver.js'), ...commandFor('kube-apiserver')], env));
    admin = httpsApi({
      server, ca: readFileSync(join(pki, 'ca.crt')),
      keyPair: loadKeyPair(join(pki, 'kubeconfig-admin.conf.crt'), join(pki, 'kubeconfig-admin.conf.key'), { cert: 'admin', key: 'admin' }),
    });
    await waitFor('kube-apiserver', async () => ((await admin.get('/api/v1/namespaces/kube-public')) ? true : undefined), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${output()}`);
    });
    // What kubeadm's bootstrap-token and cluster-info phases create.
    await admin.create('/api/v1/namespaces/kube-system/secrets', tokenSecret('abcdef', '0123456789abcdef'));
    await admin.create('/api/v1/namespaces/kube-system/secrets', tokenSecret('old000', '0123456789abcdef', { expiration: '2001-01-01T00:00:00Z' }));
    await admin.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', 'system:bootstrappers:kubeadm:default-node-token'));
    await admin.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', 'system:bootstrappers:kubeadm:default-node-token'));
    await admin.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', binding('kubeadm:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', 'system:nodes'));
    const clusterInfo = stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: '', cluster: { server, 'certificate-authority-data': readFileSync(join(pki, 'ca.crt')).toString('base64') } }] });
    await admin.create('/api/v1/namespaces/kube-public/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' }, data: { kubeconfig: clusterInfo } });
    processes.push(start(process.execPath, [join(componentsDir, 'kube-controller-manager.js'), ...commandFor('kube-controller-manager', [`--secure-port=${ports.cm}`])], env));
  });

  after(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('bootstrapsigner signs cluster-info with the token; tokencleaner removes the expired token', async () => {
    const cm = await waitFor('the cluster-info signature', async () => {
      const c = await admin.get<{ data: Record<string, string> }>('/api/v1/namespaces/kube-public/configmaps/cluster-info');
      return c.data['jws-kubeconfig-abcdef'] ? c : undefined;
    }, 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${output()}`);
    });
    assert.equal(cm.data['jws-kubeconfig-abcdef'], computeDetachedSignature(cm.data.kubeconfig!, 'abcdef', '0123456789abcdef'));
    assert.equal(cm.data['jws-kubeconfig-old000'], undefined);
    await waitFor('the expired token to go', async () => {
      try {
        await admin.get('/api/v1/namespaces/kube-system/secrets/bootstrap-token-old000');
        return undefined;
      } catch (e) {
        return isNotFound(e) ? true : undefined;
      }
    }, 30_000);
  });

  it('serviceaccount gives every namespace, new ones too, a default ServiceAccount that pods then get', async () => {
    await admin.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'team']) {
      await waitFor(`${ns}/default`, async () => ((await admin.get(`/api/v1/namespaces/${ns}/serviceaccounts/default`)) ? true : undefined), 30_000)
        .catch((e: Error) => { throw new Error(`${e.message}\n${output()}`); });
    }
    const pod = await admin.create<{ spec: { serviceAccountName: string } }>('/api/v1/namespaces/team/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    assert.equal(pod.spec.serviceAccountName, 'default');
  });

  it('the kubelet bootstraps with the token, registers its Node NotReady with the CNI message, and holds its Lease', async () => {
    const dir = join(scratch, 'w1');
    mkdirSync(dir, { recursive: true });
    const bootstrapPath = join(dir, 'bootstrap-kubelet.conf');
    writeFileSync(bootstrapPath, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'tls-bootstrap-token-user@kubernetes',
      clusters: [{ name: 'kubernetes', cluster: { server, 'certificate-authority-data': readFileSync(join(k8s, 'pki', 'ca.crt')).toString('base64') } }],
      contexts: [{ name: 'tls-bootstrap-token-user@kubernetes', context: { cluster: 'kubernetes', user: 'tls-bootstrap-token-user' } }],
      users: [{ name: 'tls-bootstrap-token-user', user: { token: 'abcdef.0123456789abcdef' } }],
    }));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, stringify({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', rotateCertificates: true }));
    const certDir = join(dir, 'pki');
    const settings = kubeletSettings(parseKubeletFlags([
      `--config=${config}`, `--bootstrap-kubeconfig=${bootstrapPath}`, `--kubeconfig=${join(dir, 'kubelet.conf')}`, `--cert-dir=${certDir}`,
      '--hostname-override=w1', `--root-dir=${dir}`,
    ], VERSION));
    const certLines: string[] = [];
    const connection = await connectToApiServer(settings, logger('certificate_manager.go', (t) => void certLines.push(t)));
    const nodeLines: string[] = [];
    const agent = new NodeAgent({
      client: connection!.client,
      settings: { nodeName: 'w1', hostname: 'w1', nodeLabels: {}, registerWithTaints: [], kubeletVersion: VERSION, maxPods: 110, kubeletPort: 10250, rootDir: dir },
      machine: MACHINE,
      runtime: async () => ({
        info: { runtimeName: 'containerd', runtimeVersion: '1.6.20' },
        status: { status: { conditions: [{ type: 'RuntimeReady', status: true }, { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' }] } },
      }),
      log: logger('kubelet_node_status.go', (t) => void nodeLines.push(t)),
      leaseLog: logger('controller.go', (t) => void nodeLines.push(t)),
      registerNode: true,
      statusUpdateFrequencyMs: 2_000,
      leaseDurationSeconds: 40,
      runtimeCheckMs: 500,
    });
    try {
      await waitFor('kubelet-client-current.pem', async () => (existsSync(join(certDir, 'kubelet-client-current.pem')) ? true : undefined), 60_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${certLines.join('')}\n${output()}`);
      });
      assert.match(new X509Certificate(readFileSync(join(certDir, 'kubelet-client-current.pem'))).subject, /CN=system:node:w1/);
      const csrs = await admin.list<any>('/apis/certificates.k8s.io/v1/certificatesigningrequests');
      const csr = csrs.find((c) => c.spec.username === 'system:bootstrap:abcdef');
      assert.ok(csr, 'the kubelet\'s request');
      assert.match(csr.metadata.name, /^csr-/);
      const approved = csr.status.conditions.find((c: any) => c.type === 'Approved');
      assert.equal(approved.reason, 'AutoApproved');
      assert.equal(approved.message, 'Auto approving kubelet client certificate after SubjectAccessReview.');
      assert.ok(csr.status.certificate);
      agent.start();
      // The first status may still say "container runtime status check may not have completed yet".
      const node = await waitFor('the Node with the runtime\'s NotReady reason', async () => {
        const n = await admin.get<any>('/api/v1/nodes/w1').catch(() => undefined);
        return n?.status?.conditions?.find((c: any) => c.type === 'Ready')?.message === CNI_MESSAGE ? n : undefined;
      }, 30_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${nodeLines.join('')}`);
      });
      const ready = node.status.conditions.find((c: any) => c.type === 'Ready');
      assert.equal(ready.status, 'False');
      assert.equal(ready.reason, 'KubeletNotReady');
      assert.equal(ready.message, CNI_MESSAGE);
      assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'w1');
      const lease = await waitFor('the node Lease', async () => admin.get<any>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/w1').catch(() => undefined), 30_000);
      assert.equal(lease.spec.holderIdentity, 'w1');
    } finally {
      await agent.stop();
      connection?.certificates?.stop();
    }
  });
});
