import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { digestedName, generateNodeKey, makeCsrPem, nodeClientSubject, nodeClientUsages } from '../../e2e/lab/standins/kubelet/csr.js';
import { csrObject, FileStore, isClientConfigStillValid, kubeconfigFromBootstrapping, KUBELET_CLIENT_SIGNER, watchClientCertificate, type ClientCertManager } from '../../e2e/lab/standins/kubelet/certificate.js';
import { loadRestConfig } from '../../e2e/lab/standins/kubelet/apiclient.js';
import { initialNode, nodeConditions, nodeLease, osImage, parseTaints, runtimeErrors, NodeAgent, type MachineInfo, type NodeSettings } from '../../e2e/lab/standins/kubelet/node.js';
import { kubeletSettings } from '../../e2e/lab/standins/kubelet/config.js';
import { parseKubeletFlags } from '../../e2e/lab/standins/kubelet/flags.js';
import { logger } from '../../e2e/lab/standins/kubelet/log.js';
import { connectToApiServer } from '../../e2e/lab/standins/kubelet.js';
import { httpsApi } from '../../e2e/lab/images/components/controller-api.js';
import { syncOnce, type ControllerSet } from '../../e2e/lab/images/components/controllers.js';
import { loadSigningCA } from '../../e2e/lab/images/components/csr-signing.js';
import { loadKeyPair } from '../../e2e/lab/images/components/pki.js';
import { FakeApiServer } from './fake-apiserver.js';
import { issueClientCert, issueServingCert, makeCA, openssl, type TestCA } from './pki-helpers.js';

const NOT_READY_STATUS = {
  status: {
    conditions: [
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' },
    ],
  },
};
const READY_STATUS = { status: { conditions: [{ type: 'RuntimeReady', status: true }, { type: 'NetworkReady', status: true }] } };
const CNI_MESSAGE = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

const MACHINE: MachineInfo = {
  machineID: 'f00d', systemUUID: 'uuid-1', bootID: 'boot-1', kernelVersion: '6.1.0-13-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'amd64', cpu: 2, memoryBytes: 4 * 1024 ** 3, ephemeralStorageBytes: 20 * 1024 ** 3, address: '10.77.0.11',
};

const SETTINGS: NodeSettings = {
  nodeName: 'w1', hostname: 'w1', nodeLabels: { 'node-role.example/worker': '' }, registerWithTaints: [{ key: 'lab', value: 'yes', effect: 'NoSchedule' }],
  kubeletVersion: 'v1.28.4', maxPods: 110, kubeletPort: 10250, rootDir: '/var/lib/kubelet',
};

describe('lab kubelet: certificate requests', () => {
  it('builds the CSR the kubelet sends: O=system:nodes, CN=system:node:<node>, ECDSA P-256, verified by openssl', () => {
    const { key } = generateNodeKey();
    const pemText = makeCsrPem(key, nodeClientSubject('w1'));
    const out = openssl(['req', '-noout', '-verify', '-subject', '-text', '-nameopt', 'RFC2253'], pemText);
    assert.match(out, /subject=CN=system:node:w1,O=system:nodes/);
    assert.match(out, /ASN1 OID: prime256v1/);
    assert.match(out, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.deepEqual(nodeClientUsages(key), ['digital signature', 'client auth']);
  });

  it('posts certificates.k8s.io/v1 with generateName csr-, the kubelet client signer, no expirationSeconds', () => {
    const obj = csrObject({ usages: ['digital signature', 'client auth'], csrPem: 'PEM' }) as any;
    assert.deepEqual(obj, {
      apiVersion: 'certificates.k8s.io/v1',
      kind: 'CertificateSigningRequest',
      metadata: { generateName: 'csr-' },
      spec: { request: Buffer.from('PEM').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
    });
    assert.equal((csrObject({ name: 'node-csr-x', usages: [], csrPem: '' }) as any).metadata.name, 'node-csr-x');
  });

  it('names LoadClientCert requests node-csr-<sha512/256 digest>, stable for the same key', () => {
    const { key } = generateNodeKey();
    const usages = ['digital signature', 'key encipherment', 'client auth'];
    const a = digestedName(key, nodeClientSubject('w1'), usages);
    assert.match(a, /^node-csr-[A-Za-z0-9_-]{43}$/);
    assert.equal(digestedName(key, nodeClientSubject('w1'), usages), a);
    assert.notEqual(digestedName(key, nodeClientSubject('w2'), usages), a);
  });
});

describe('lab kubelet: without a client certificate for 5 minutes (transport.go)', () => {
  it('exits when the server answers, and only warns when it does not', async () => {
    const lines: string[] = [];
    const log = logger('transport.go', (t) => void lines.push(t));
    let exited = 0;
    const responsive = { current: () => undefined, serverHealthy: true } as unknown as ClientCertManager;
    const stop1 = watchClientCertificate(responsive, log, () => void exited++, 50, 10);
    const silent = { current: () => undefined, serverHealthy: false } as unknown as ClientCertManager;
    const stop2 = watchClientCertificate(silent, log, () => assert.fail('must not exit'), 50, 10);
    await new Promise((r) => setTimeout(r, 200));
    stop1();
    stop2();
    assert.equal(exited, 1);
    assert.match(lines.join(''), /"No valid client certificate is found and the server is responsive, exiting\." lastCertificateAvailabilityTime=".*" shutdownThreshold=/);
    assert.match(lines.join(''), /"No valid client certificate is found but the server is not responsive\. A restart may be necessary to retrieve new initial credentials\."/);
  });
});

describe('lab kubelet: kubeconfigs it cannot use', () => {
  it('runs its static pods without an API server when the kubeconfig names no cluster and there is nothing to bootstrap from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-kubelet-empty-'));
    try {
      writeFileSync(join(dir, 'kubelet.conf'), 'apiVersion: v1\nkind: Config\n');
      for (const rotate of [true, false]) {
        writeFileSync(join(dir, 'config.yaml'), stringify({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', rotateCertificates: rotate }));
        const settings = kubeletSettings(parseKubeletFlags([`--config=${join(dir, 'config.yaml')}`, `--kubeconfig=${join(dir, 'kubelet.conf')}`,
          `--bootstrap-kubeconfig=${join(dir, 'bootstrap-kubelet.conf')}`, `--root-dir=${dir}`], 'v1.28.4'));
        assert.equal(await connectToApiServer(settings), undefined);
      }
      rmSync(join(dir, 'kubelet.conf'));
      const settings = kubeletSettings(parseKubeletFlags([`--kubeconfig=${join(dir, 'kubelet.conf')}`, `--bootstrap-kubeconfig=${join(dir, 'bootstrap-kubelet.conf')}`], 'v1.28.4'));
      await assert.rejects(connectToApiServer(settings), /failed to run Kubelet: unable to load bootstrap kubeconfig: stat .*bootstrap-kubelet\.conf: no such file or directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lab kubelet: certificate store and kubeconfig', () => {
  let ca: TestCA;
  let dir: string;
  before(() => {
    ca = makeCA('rsa');
    dir = mkdtempSync(join(tmpdir(), 'lab-kubelet-pki-'));
  });
  after(() => {
    ca.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores kubelet-client-<timestamp>.pem (0600, certificate then key) behind kubelet-client-current.pem', () => {
    const pair = issueClientCert(ca, '/O=system:nodes/CN=system:node:w1');
    const store = new FileStore(join(dir, 'pki'));
    assert.equal(store.current(), undefined);
    store.update(pair.cert, pair.key);
    const current = join(dir, 'pki', 'kubelet-client-current.pem');
    assert.ok(lstatSync(current).isSymbolicLink());
    const target = readlinkSync(current);
    assert.match(basename(target), /^kubelet-client-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.pem$/);
    assert.equal(statSync(target).mode & 0o777, 0o600);
    const text = readFileSync(target, 'utf8');
    assert.ok(text.indexOf('BEGIN CERTIFICATE') < text.indexOf('PRIVATE KEY'));
    assert.match(store.current()!.leaf.subject, /CN=system:node:w1/);
  });

  it('writes the kubeconfig the real kubelet writes after bootstrap', () => {
    const text = kubeconfigFromBootstrapping({ host: 'https://10.77.0.10:6443', caData: Buffer.from('CA') }, '/var/lib/kubelet/pki/kubelet-client-current.pem');
    assert.equal(text, [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      `    certificate-authority-data: ${Buffer.from('CA').toString('base64')}`,
      '    server: https://10.77.0.10:6443',
      '  name: default-cluster',
      'contexts:',
      '- context:',
      '    cluster: default-cluster',
      '    namespace: default',
      '    user: default-auth',
      '  name: default-context',
      'current-context: default-context',
      'kind: Config',
      'preferences: {}',
      'users:',
      '- name: default-auth',
      '  user:',
      '    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem',
      '    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem',
      '',
    ].join('\n'));
  });

  it('treats a kubeconfig with an expired client certificate as invalid', () => {
    const quiet = logger('test', () => undefined);
    const valid = issueClientCert(ca, '/O=system:nodes/CN=system:node:w1', 30);
    const write = (name: string, pair: { cert: string; key: string }): string => {
      const p = join(dir, name);
      writeFileSync(p, stringify({
        apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
        clusters: [{ name: 'k', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } }],
        contexts: [{ name: 'c', context: { cluster: 'k', user: 'u' } }],
        users: [{ name: 'u', user: { 'client-certificate-data': Buffer.from(pair.cert).toString('base64'), 'client-key-data': Buffer.from(pair.key).toString('base64') } }],
      }));
      return p;
    };
    assert.equal(isClientConfigStillValid(write('valid.conf', valid), quiet), true);
    assert.equal(isClientConfigStillValid(join(dir, 'missing.conf'), quiet), false);
    const messages: string[] = [];
    const expired = issueClientCert(ca, '/O=system:nodes/CN=system:node:w1', -1);
    assert.equal(isClientConfigStillValid(write('expired.conf', expired), logger('test', (t) => void messages.push(t))), false);
    assert.match(messages.join(''), /part of the existing bootstrap client certificate in .*expired\.conf is expired/);
  });
});

describe('lab kubelet: Node object and status (nodestatus/setters.go)', () => {
  it('turns the runtime\'s NetworkReady=false into the real NotReady message', () => {
    assert.deepEqual(runtimeErrors(NOT_READY_STATUS), [CNI_MESSAGE]);
    assert.deepEqual(runtimeErrors(READY_STATUS), []);
    assert.deepEqual(runtimeErrors(undefined), ['container runtime status check may not have completed yet']);
    const now = new Date('2026-01-01T00:00:00Z');
    const notReady = nodeConditions([CNI_MESSAGE], [], now);
    assert.deepEqual(notReady.map((c) => [c.type, c.status, c.reason, c.message]), [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'False', 'KubeletNotReady', CNI_MESSAGE],
    ]);
    const later = new Date('2026-01-01T00:00:10Z');
    const ready = nodeConditions([], notReady, later);
    assert.deepEqual(ready[3], { type: 'Ready', status: 'True', lastHeartbeatTime: '2026-01-01T00:00:10Z', lastTransitionTime: '2026-01-01T00:00:10Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    assert.equal(ready[0]!.lastTransitionTime, '2026-01-01T00:00:00Z', 'unchanged conditions keep their transition time');
  });

  it('registers with the kubelet\'s labels, annotation, taints, addresses, nodeInfo and resources', () => {
    const node = initialNode({ ...SETTINGS, nodeIP: '10.77.0.99' }, MACHINE, { runtimeName: 'containerd', runtimeVersion: '1.6.20' }, [CNI_MESSAGE]) as any;
    assert.deepEqual(node.metadata, {
      name: 'w1',
      labels: {
        'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': 'w1', 'kubernetes.io/os': 'linux',
        'node-role.example/worker': '',
      },
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    });
    assert.deepEqual(node.spec, { taints: [{ key: 'lab', value: 'yes', effect: 'NoSchedule' }] });
    assert.deepEqual(node.status.addresses, [{ type: 'InternalIP', address: '10.77.0.99' }, { type: 'Hostname', address: 'w1' }]);
    assert.deepEqual(node.status.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'containerd://1.6.20');
    assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.28.4');
    assert.equal(node.status.nodeInfo.kubeProxyVersion, 'v1.28.4');
    assert.equal((initialNode({ ...SETTINGS, kubeletVersion: 'v1.31.0' }, MACHINE, { runtimeName: 'containerd', runtimeVersion: '1.6.20' }, []) as any).status.nodeInfo.kubeProxyVersion, '');
    assert.equal(node.status.nodeInfo.osImage, 'Debian GNU/Linux 12 (bookworm)');
    assert.deepEqual(node.status.capacity, { cpu: '2', 'ephemeral-storage': '20971520Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '4194304Ki', pods: '110' });
    assert.equal(node.status.allocatable.memory, '4091904Ki');
    assert.equal(osImage('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
    assert.deepEqual(parseTaints('a=b:NoSchedule,c:NoExecute'), [{ key: 'a', value: 'b', effect: 'NoSchedule' }, { key: 'c', effect: 'NoExecute' }]);
  });

  it('holds its Lease in kube-node-lease for 40 s, owned by its Node', () => {
    const lease = nodeLease('w1', 40, { name: 'w1', uid: 'node-uid' }, new Date('2026-01-01T00:00:00.123Z')) as any;
    assert.deepEqual(lease, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'w1', namespace: 'kube-node-lease', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'w1', uid: 'node-uid' }] },
      spec: { holderIdentity: 'w1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.123000Z' },
    });
  });
});

async function eventually<T>(what: string, timeoutMs: number, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('lab kubelet and controller-manager together, over the Kubernetes API', { timeout: 120_000 }, () => {
  let ca: TestCA;
  let api: FakeApiServer;
  let server: string;
  let work: string;
  let controllers: ControllerSet;
  let stopControllers = false;
  let controllerLoop: Promise<void> | undefined;

  before(async () => {
    ca = makeCA('rsa');
    api = new FakeApiServer(ca.certPem, issueServingCert(ca));
    server = await api.start();
    work = mkdtempSync(join(tmpdir(), 'lab-kubelet-join-'));
    const admin = issueClientCert(ca, '/O=system:masters/CN=kubernetes-admin');
    controllers = {
      api: httpsApi({ server, ca: Buffer.from(ca.certPem), keyPair: loadKeyPair(Buffer.from(admin.cert), Buffer.from(admin.key), { cert: 'admin', key: 'admin' }) }),
      enabled: ['csrapproving', 'csrsigning'],
      signers: [{ signerName: KUBELET_CLIENT_SIGNER, ca: await loadSigningCA(ca.certFile, ca.keyFile), ttlMs: 8760 * 3_600_000 }],
    };
    controllerLoop = (async () => {
      const reported = new Map<string, Set<string>>();
      while (!stopControllers) {
        await syncOnce(controllers, reported);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
  });

  after(async () => {
    stopControllers = true;
    await controllerLoop;
    await api.stop();
    ca.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const kubeletConfig = (dir: string): string => {
    const p = join(dir, 'config.yaml');
    writeFileSync(p, stringify({
      apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', rotateCertificates: true, nodeStatusUpdateFrequency: '1s',
      nodeLeaseDurationSeconds: 40, registerWithTaints: [{ key: 'lab', value: 'yes', effect: 'NoSchedule' }], clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local',
    }));
    return p;
  };

  it('a worker bootstraps with a token (retrying while it is rejected), registers NotReady, turns Ready, and keeps its Lease', async () => {
    const dir = join(work, 'w1');
    mkdirSync(dir, { recursive: true });
    const bootstrapPath = join(dir, 'bootstrap-kubelet.conf');
    writeFileSync(bootstrapPath, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'tls-bootstrap-token-user@kubernetes',
      clusters: [{ name: 'kubernetes', cluster: { server, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } }],
      contexts: [{ name: 'tls-bootstrap-token-user@kubernetes', context: { cluster: 'kubernetes', user: 'tls-bootstrap-token-user' } }],
      users: [{ name: 'tls-bootstrap-token-user', user: { token: 'abcdef.0123456789abcdef' } }],
    }));
    const kubeconfigPath = join(dir, 'kubelet.conf');
    const certDir = join(dir, 'pki');
    const settings = kubeletSettings(parseKubeletFlags([
      `--config=${kubeletConfig(dir)}`, `--bootstrap-kubeconfig=${bootstrapPath}`, `--kubeconfig=${kubeconfigPath}`, `--cert-dir=${certDir}`,
      '--hostname-override=W1', '--node-ip=10.77.0.11', '--node-labels=node-role.example/worker=', `--root-dir=${dir}`,
    ], 'v1.28.4'));
    assert.equal(settings.rotateCertificates, true);
    assert.deepEqual(settings.clusterDNS, ['10.96.0.10']);
    const certLines: string[] = [];
    const connection = await connectToApiServer(settings, logger('certificate_manager.go', (t) => void certLines.push(t)));
    assert.ok(connection?.certificates);
    try {
      // The kubeconfig points at the certificate to come, with the bootstrap kubeconfig's cluster.
      assert.equal(readFileSync(kubeconfigPath, 'utf8'), kubeconfigFromBootstrapping(loadRestConfig(bootstrapPath), join(certDir, 'kubelet-client-current.pem')));
      assert.equal(statSync(kubeconfigPath).mode & 0o777, 0o600);
      // The token is not known yet: 401, logged as the real kubelet logs it, and retried.
      await eventually('the Unauthorized log line', 10_000, () => certLines.some((l) => l.includes('Failed while requesting a signed certificate from the control plane: cannot create certificate signing request: Unauthorized')));
      api.tokens.add('abcdef.0123456789abcdef');
      await eventually('kubelet-client-current.pem', 30_000, () => existsSync(join(certDir, 'kubelet-client-current.pem')));
      const csr = [...api.objects.entries()].find(([k]) => k.startsWith('csr/'))![1];
      assert.match(csr.metadata.name, /^csr-/);
      assert.equal(csr.spec.username, 'system:bootstrap:abcdef');
      assert.equal(csr.spec.signerName, KUBELET_CLIENT_SIGNER);
      assert.deepEqual(csr.spec.usages, ['digital signature', 'client auth']);
      assert.equal(csr.spec.expirationSeconds, undefined);
      assert.deepEqual(csr.status.conditions[0], { type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' });
      const leaf = new X509Certificate(readFileSync(join(certDir, 'kubelet-client-current.pem')));
      assert.match(leaf.subject, /O=system:nodes\nCN=system:node:w1/);
      assert.ok(isClientConfigStillValid(kubeconfigPath, logger('test', () => undefined)));

      let status: unknown = NOT_READY_STATUS;
      const agent = new NodeAgent({
        client: connection.client,
        settings: { nodeName: settings.nodeName, hostname: settings.hostname, nodeIP: settings.nodeIP, nodeLabels: settings.nodeLabels, registerWithTaints: settings.registerWithTaints, kubeletVersion: 'v1.28.4', maxPods: 110, kubeletPort: 10250, rootDir: dir },
        machine: MACHINE,
        runtime: async () => ({ info: { runtimeName: 'containerd', runtimeVersion: '1.6.20' }, status: status as never }),
        log: logger('kubelet_node_status.go', () => undefined),
        leaseLog: logger('controller.go', () => undefined),
        registerNode: true,
        statusUpdateFrequencyMs: 5_000,
        leaseDurationSeconds: 40,
        runtimeCheckMs: 100,
      });
      agent.start();
      try {
        const node = await eventually('the Node', 20_000, () => api.objects.get('node/w1'));
        assert.equal(api.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/nodes')?.user, 'system:node:w1');
        assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'w1');
        assert.equal(node.metadata.labels['node-role.example/worker'], '');
        assert.deepEqual(node.spec.taints, [{ key: 'lab', value: 'yes', effect: 'NoSchedule' }]);
        const readyOf = (): any => api.objects.get('node/w1')?.status?.conditions?.find((c: any) => c.type === 'Ready');
        await eventually('Ready=False with the CNI message', 10_000, () => readyOf()?.message === CNI_MESSAGE && readyOf());
        assert.equal(readyOf().reason, 'KubeletNotReady');
        status = READY_STATUS;
        const t0 = Date.now();
        await eventually('Ready=True', 4_000, () => readyOf()?.status === 'True');
        assert.ok(Date.now() - t0 < 4_000, 'the change is posted before the next periodic update');
        assert.equal(readyOf().reason, 'KubeletReady');
        const lease = await eventually('the node Lease', 10_000, () => api.objects.get('lease/w1')?.metadata?.ownerReferences && api.objects.get('lease/w1'));
        assert.equal(lease.spec.holderIdentity, 'w1');
        assert.equal(lease.spec.leaseDurationSeconds, 40);
        assert.deepEqual(lease.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'w1', uid: api.objects.get('node/w1')!.metadata.uid }]);
      } finally {
        await agent.stop();
      }
    } finally {
      connection.certificates.stop();
    }

    // A restart: the kubeconfig is valid now, no new request; the Node exists, so registration reconciles it.
    const requestsBefore = api.requests.filter((r) => r.path.includes('certificatesigningrequests') && r.method === 'POST').length;
    const again = await connectToApiServer(settings, logger('certificate_manager.go', () => undefined));
    try {
      const lines: string[] = [];
      const agent = new NodeAgent({
        client: again!.client,
        settings: { ...SETTINGS, registerWithTaints: [] },
        machine: MACHINE,
        runtime: async () => ({ info: { runtimeName: 'containerd', runtimeVersion: '1.6.20' }, status: READY_STATUS }),
        log: logger('kubelet_node_status.go', (t) => void lines.push(t)),
        leaseLog: logger('controller.go', () => undefined),
        registerNode: true,
        statusUpdateFrequencyMs: 5_000,
        leaseDurationSeconds: 40,
      });
      await agent.register();
      await agent.stop();
      assert.match(lines.join(''), /"Node was previously registered" node="w1"/);
      assert.match(lines.join(''), /"Successfully registered node" node="w1"/);
      assert.equal(api.requests.filter((r) => r.path.includes('certificatesigningrequests') && r.method === 'POST').length, requestsBefore);
    } finally {
      again?.certificates?.stop();
    }
  });

  it('a control-plane node copies kubeadm\'s embedded certificate into the store and renews it as itself (selfnodeclient)', async () => {
    const dir = join(work, 'cp1');
    mkdirSync(dir, { recursive: true });
    const pair = issueClientCert(ca, '/O=system:nodes/CN=system:node:cp1');
    const kubeconfigPath = join(dir, 'kubelet.conf');
    writeFileSync(kubeconfigPath, stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'system:node:cp1@kubernetes',
      clusters: [{ name: 'kubernetes', cluster: { server, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } }],
      contexts: [{ name: 'system:node:cp1@kubernetes', context: { cluster: 'kubernetes', user: 'system:node:cp1' } }],
      users: [{ name: 'system:node:cp1', user: { 'client-certificate-data': Buffer.from(pair.cert).toString('base64'), 'client-key-data': Buffer.from(pair.key).toString('base64') } }],
    }));
    const certDir = join(dir, 'pki');
    const settings = kubeletSettings(parseKubeletFlags([
      `--config=${kubeletConfig(dir)}`, `--bootstrap-kubeconfig=${join(dir, 'bootstrap-kubelet.conf')}`, `--kubeconfig=${kubeconfigPath}`, `--cert-dir=${certDir}`,
      '--hostname-override=cp1', `--root-dir=${dir}`,
    ], 'v1.28.4'));
    const connection = await connectToApiServer(settings, logger('certificate_manager.go', () => undefined));
    try {
      const current = join(certDir, 'kubelet-client-current.pem');
      assert.ok(existsSync(current), 'the embedded pair is stored at once');
      const seeded = new X509Certificate(readFileSync(current)).serialNumber;
      await eventually('a renewed certificate', 30_000, () => new X509Certificate(readFileSync(current)).serialNumber !== seeded);
      const csr = [...api.objects.values()].find((o) => o.spec?.username === 'system:node:cp1')!;
      assert.equal(csr.status.conditions[0].message, 'Auto approving self kubelet client certificate after SubjectAccessReview.');
      // kubeadm's kubelet-finalize points kubelet.conf at the store; a restarted kubelet works from it.
      writeFileSync(kubeconfigPath, kubeconfigFromBootstrapping(loadRestConfig(kubeconfigPath), current));
      assert.ok(isClientConfigStillValid(kubeconfigPath, logger('test', () => undefined)));
    } finally {
      connection?.certificates?.stop();
    }
    const restarted = await connectToApiServer(settings, logger('certificate_manager.go', () => undefined));
    try {
      const node = await restarted!.client.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'cp1' } });
      assert.equal((node as any).metadata.name, 'cp1');
    } finally {
      restarted?.certificates?.stop();
    }
  });
});
