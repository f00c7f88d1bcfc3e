/**
 * runKubelet as the kubelet binary runs it (flags, KubeletConfiguration, CRI, API), against a CRI runtime that
 * answers Version and Status like containerd without CNI configuration, and an API server that keeps the Kubernetes
 * API contract; the lab controller-manager's approver and signer issue its certificate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { criDefinition } from '../../e2e/lab/standins/cri/client.js';
import { runKubelet } from '../../e2e/lab/standins/kubelet.js';
import { KUBELET_CLIENT_SIGNER } from '../../e2e/lab/standins/kubelet/certificate.js';
import { httpsApi } from '../../e2e/lab/images/components/controller-api.js';
import { syncOnce, type ControllerSet } from '../../e2e/lab/images/components/controllers.js';
import { loadSigningCA } from '../../e2e/lab/images/components/csr-signing.js';
import { loadKeyPair } from '../../e2e/lab/images/components/pki.js';
import { FakeApiServer } from './fake-apiserver.js';
import { issueClientCert, issueServingCert, makeCA, type TestCA } from './pki-helpers.js';

type Callback = (err: grpc.ServiceError | null, value?: unknown) => void;

/** A CRI runtime whose network readiness the test switches. */
function fakeRuntime(socket: string, network: { ready: boolean }): Promise<grpc.Server> {
  const pkg = grpc.loadPackageDefinition(criDefinition()) as any;
  const server = new grpc.Server();
  const unimplemented = (_: unknown, cb: Callback): void => cb({ code: grpc.status.UNIMPLEMENTED, details: 'not in this fake', name: 'UNIMPLEMENTED', message: 'UNIMPLEMENTED', metadata: new grpc.Metadata() } as grpc.ServiceError);
  const runtime: Record<string, unknown> = {};
  for (const method of Object.keys(pkg.runtime.v1.RuntimeService.service)) runtime[method] = unimplemented;
  Object.assign(runtime, {
    Version: (_: unknown, cb: Callback) => cb(null, { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' }),
    Status: (_: unknown, cb: Callback) => cb(null, {
      status: {
        conditions: [
          { type: 'RuntimeReady', status: true, reason: '', message: '' },
          network.ready
            ? { type: 'NetworkReady', status: true, reason: '', message: '' }
            : { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' },
        ],
      },
      info: {},
    }),
    ListPodSandbox: (_: unknown, cb: Callback) => cb(null, { items: [] }),
    ListContainers: (_: unknown, cb: Callback) => cb(null, { containers: [] }),
  });
  const images: Record<string, unknown> = {};
  for (const method of Object.keys(pkg.runtime.v1.ImageService.service)) images[method] = unimplemented;
  server.addService(pkg.runtime.v1.RuntimeService.service, runtime as grpc.UntypedServiceImplementation);
  server.addService(pkg.runtime.v1.ImageService.service, images as grpc.UntypedServiceImplementation);
  return new Promise((resolve, reject) => server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve(server))));
}

async function eventually<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the lab kubelet process joins the cluster through its flags and config', { timeout: 120_000 }, () => {
  let ca: TestCA;
  let api: FakeApiServer;
  let work: string;
  let runtime: grpc.Server;
  const network = { ready: false };
  let stopControllers = false;
  let loop: Promise<void> | undefined;

  before(async () => {
    ca = makeCA('rsa');
    api = new FakeApiServer(ca.certPem, issueServingCert(ca));
    const server = await api.start();
    api.tokens.add('abcdef.0123456789abcdef');
    work = mkdtempSync(join(tmpdir(), 'lab-kubelet-process-'));
    runtime = await fakeRuntime(join(work, 'containerd.sock'), network);
    const admin = issueClientCert(ca, '/O=system:masters/CN=kubernetes-admin');
    const controllers: ControllerSet = {
      api: httpsApi({ server, ca: Buffer.from(ca.certPem), keyPair: loadKeyPair(Buffer.from(admin.cert), Buffer.from(admin.key), { cert: 'a', key: 'a' }) }),
      enabled: ['csrapproving', 'csrsigning'],
      signers: [{ signerName: KUBELET_CLIENT_SIGNER, ca: await loadSigningCA(ca.certFile, ca.keyFile), ttlMs: 8760 * 3_600_000 }],
    };
    loop = (async () => {
      const reported = new Map<string, Set<string>>();
      while (!stopControllers) {
        await syncOnce(controllers, reported);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    writeFileSync(join(work, 'bootstrap-kubelet.conf'), stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'tls-bootstrap-token-user@kubernetes',
      clusters: [{ name: 'kubernetes', cluster: { server, 'certificate-authority-data': Buffer.from(ca.certPem).toString('base64') } }],
      contexts: [{ name: 'tls-bootstrap-token-user@kubernetes', context: { cluster: 'kubernetes', user: 'tls-bootstrap-token-user' } }],
      users: [{ name: 'tls-bootstrap-token-user', user: { token: 'abcdef.0123456789abcdef' } }],
    }));
    // What kubeadm writes to /var/lib/kubelet/config.yaml (the fields the lab kubelet reads).
    writeFileSync(join(work, 'config.yaml'), stringify({
      apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', cgroupDriver: 'cgroupfs', clusterDNS: ['10.96.0.10'],
      clusterDomain: 'cluster.local', healthzPort: 0, rotateCertificates: true, staticPodPath: join(work, 'manifests'), nodeStatusUpdateFrequency: '10s',
    }));
    writeFileSync(join(work, 'version'), 'v1.28.4\n');
  });

  after(async () => {
    stopControllers = true;
    await loop;
    runtime.forceShutdown();
    await api.stop();
    ca.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('registers NotReady with containerd\'s CNI message, turns Ready when the runtime\'s network is, and holds its Lease', async () => {
    const previous = process.env.BOOTSTRAP_LAB_VERSION_FILE;
    process.env.BOOTSTRAP_LAB_VERSION_FILE = join(work, 'version');
    const kubelet = await runKubelet([
      `--bootstrap-kubeconfig=${join(work, 'bootstrap-kubelet.conf')}`, `--kubeconfig=${join(work, 'kubelet.conf')}`, `--config=${join(work, 'config.yaml')}`,
      `--container-runtime-endpoint=unix://${join(work, 'containerd.sock')}`, `--root-dir=${join(work, 'kubelet')}`, '--hostname-override=w9', '--node-ip=10.77.0.19',
      '--node-labels=lab.example/pool=a', '--register-with-taints=lab.example/new=true:NoSchedule',
    ]);
    try {
      const readyOf = (): any => api.objects.get('node/w9')?.status?.conditions?.find((c: any) => c.type === 'Ready');
      await eventually('Ready=False with the CNI message', 40_000, () => readyOf()?.message?.startsWith('container runtime network not ready') && readyOf());
      const node = api.objects.get('node/w9')!;
      assert.equal(readyOf().message, 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized');
      assert.equal(node.metadata.labels['lab.example/pool'], 'a');
      assert.deepEqual(node.spec.taints, [{ key: 'lab.example/new', value: 'true', effect: 'NoSchedule' }]);
      assert.deepEqual(node.status.addresses[0], { type: 'InternalIP', address: '10.77.0.19' });
      assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'containerd://1.6.20');
      assert.equal(node.status.nodeInfo.kubeletVersion, 'v1.28.4');
      network.ready = true;
      await eventually('Ready=True', 15_000, () => readyOf()?.status === 'True');
      const lease = await eventually('the Lease', 15_000, () => api.objects.get('lease/w9'));
      assert.equal(lease.spec.leaseDurationSeconds, 40);
      assert.equal(api.requests.find((r) => r.path === '/api/v1/nodes' && r.method === 'POST' && r.user === 'system:node:w9')?.method, 'POST');
    } finally {
      await kubelet.stop(false);
      if (previous === undefined) delete process.env.BOOTSTRAP_LAB_VERSION_FILE;
      else process.env.BOOTSTRAP_LAB_VERSION_FILE = previous;
    }
  });
});
