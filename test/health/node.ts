/**
 * A simulated control-plane node for the wait tests: its runtime listing (crictl JSON as crictl prints it), its
 * diagnosis output and its health endpoints (real local HTTP servers reached through TunnelHost.connect).
 */
import type { Server } from 'node:http';
import type { ComponentSpec, HealthEndpoint } from '../../src/health/endpoints.js';
import { DIAGNOSE_SCRIPT, LIST_SCRIPT, READ_FILES_SCRIPT } from '../../src/health/commands.js';
import type { HealthTarget } from '../../src/health/check.js';
import { close, httpServer, httpsServer, makePki, TunnelHost, type TestPki } from './servers.js';

export type ContainerScenario =
  | { kind: 'running' }
  | { kind: 'exited'; attempt: number; exitCode: number; logs: string }
  | { kind: 'no-container' }
  | { kind: 'no-pod' };

export interface ComponentScenario {
  container: ContainerScenario;
  /** HTTP status the endpoint answers (0: it answers nothing, the connection is refused). */
  status: number;
  body?: string;
}

export const NAMES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type Name = (typeof NAMES)[number];
const PATHS: Record<Name, string> = { etcd: '/health?exclude=NOSPACE&serializable=true', 'kube-apiserver': '/livez', 'kube-controller-manager': '/healthz', 'kube-scheduler': '/livez' };

const id = (name: string, n: number) => `${Buffer.from(name).toString('hex').padEnd(56, '0').slice(0, 56)}${String(n).padStart(8, '0')}`;

export class FakeNode {
  readonly host = new TunnelHost('cp1');
  readonly scenario = new Map<Name, ComponentScenario>();
  kubeletStatus = 200;
  kubeletRequests = 0;
  /** Images present (crictl images). */
  images = new Set<string>();
  /** Called before each listing, to change the scenario as time goes on. */
  onList: (listing: number) => void = () => undefined;
  listings = 0;
  /** Kubelet requests seen when the first listing was made. */
  kubeletRequestsAtFirstListing = -1;
  diagnoseArgs: string[] = [];
  readonly endpoints = new Map<Name, HealthEndpoint>();
  kubeletHealthz!: HealthEndpoint;
  private servers: Server[] = [];
  pki!: TestPki;

  static async start(): Promise<FakeNode> {
    const node = new FakeNode();
    await node.init();
    return node;
  }

  private async init(): Promise<void> {
    this.pki = makePki();
    const kubelet = await httpServer((_req, res) => {
      this.kubeletRequests++;
      res.writeHead(this.kubeletStatus);
      res.end(this.kubeletStatus === 200 ? 'ok' : 'not yet');
    });
    this.servers.push(kubelet.server);
    this.kubeletHealthz = { scheme: 'http', host: '127.0.0.1', port: kubelet.port, path: '/healthz', timeoutMs: 1000 };
    for (const name of NAMES) {
      this.scenario.set(name, { container: { kind: 'running' }, status: 200 });
      this.images.add(this.image(name));
      const handler = (req: { url?: string; socket: unknown }, res: { writeHead(s: number): void; end(b: string): void; destroy?: () => void }) => {
        const s = this.scenario.get(name)!;
        // The API server of a cluster with anonymous-auth off: only the admin's client certificate gets in.
        if (name === 'kube-apiserver' && !(req.socket as { authorized?: boolean }).authorized) {
          res.writeHead(401);
          res.end('Unauthorized');
        } else if (req.url !== PATHS[name]) {
          res.writeHead(404);
          res.end('404 page not found');
        } else if (s.status === 0) {
          (res as unknown as { socket: { destroy(): void } }).socket.destroy();
        } else {
          res.writeHead(s.status);
          res.end(s.body ?? (s.status === 200 ? 'ok' : 'failed'));
        }
      };
      const tls = name === 'etcd' ? undefined : this.pki;
      const clientCa = name === 'kube-apiserver' ? this.pki.ca : undefined;
      const { port, server } = tls ? await httpsServer(tls, handler as never, clientCa) : await httpServer(handler as never);
      this.servers.push(server);
      this.endpoints.set(name, { scheme: tls ? 'https' : 'http', host: '127.0.0.1', port, path: PATHS[name], timeoutMs: 15000 });
    }
    this.host.on((argv) => this.answer(argv));
  }

  image(name: Name): string {
    return name === 'etcd' ? 'registry.k8s.io/etcd:3.5.9-0' : `registry.k8s.io/${name}:v1.28.4`;
  }

  specs(): ComponentSpec[] {
    return NAMES.map((name) => ({ name, namespace: 'kube-system', container: name, image: this.image(name), endpoint: this.endpoints.get(name)! }));
  }

  target(): HealthTarget {
    return {
      host: this.host,
      nodeName: 'cp1',
      version: 'v1.28.4',
      criSocket: 'unix:///var/run/containerd/containerd.sock',
      components: this.specs(),
      caCert: this.pki.ca,
      apiClient: { cert: this.pki.clientCert, key: this.pki.clientKey },
      kubeletHealthz: this.kubeletHealthz,
    };
  }

  /** The static Pod manifests of the scenario, as files under /etc/kubernetes/manifests. */
  manifest(name: Name): string {
    const e = this.endpoints.get(name)!;
    return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: kube-system
spec:
  containers:
  - name: ${name}
    image: ${this.image(name)}
    livenessProbe:
      httpGet:
        host: 127.0.0.1
        path: ${e.path}
        port: ${e.port}
        scheme: ${e.scheme.toUpperCase()}
      timeoutSeconds: 15
  hostNetwork: true
`;
  }

  /** What `up` renders for the node, as far as the health checks read it. */
  files(): Map<string, string> {
    const files = new Map<string, string>();
    for (const name of NAMES) files.set(`/etc/kubernetes/manifests/${name}.yaml`, this.manifest(name));
    files.set('/etc/kubernetes/pki/ca.crt', this.pki.ca);
    files.set('/etc/kubernetes/admin.conf', this.adminConf());
    files.set('/var/lib/kubelet/config.yaml', `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nhealthzBindAddress: 127.0.0.1\nhealthzPort: ${this.kubeletHealthz.port}\n`);
    return files;
  }

  adminConf(): string {
    const b64 = (pem: string) => Buffer.from(pem).toString('base64');
    return `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${b64(this.pki.ca)}
    server: https://127.0.0.1:${this.endpoints.get('kube-apiserver')!.port}
  name: kubernetes
contexts:
- context: {cluster: kubernetes, user: kubernetes-admin}
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
users:
- name: kubernetes-admin
  user:
    client-certificate-data: ${b64(this.pki.clientCert)}
    client-key-data: ${b64(this.pki.clientKey)}
`;
  }

  close(): Promise<void> {
    return close(...this.servers);
  }

  private pods(): string {
    const items = NAMES.filter((n) => this.scenario.get(n)!.container.kind !== 'no-pod').map((name, i) => ({
      id: id(`pod-${name}`, 0),
      metadata: { name: `${name}-cp1`, uid: `uid-${i}`, namespace: 'kube-system', attempt: 0 },
      state: 'SANDBOX_READY',
      createdAt: '1700640000000000000',
      labels: { component: name, 'io.kubernetes.pod.name': `${name}-cp1`, 'io.kubernetes.pod.namespace': 'kube-system', 'io.kubernetes.pod.uid': `uid-${i}`, tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.source': 'file' },
      runtimeHandler: '',
    }));
    return JSON.stringify({ items }, null, 2);
  }

  private containers(): string {
    const containers = [];
    for (const name of NAMES) {
      const c = this.scenario.get(name)!.container;
      if (c.kind === 'no-pod' || c.kind === 'no-container') continue;
      const attempt = c.kind === 'exited' ? c.attempt : 0;
      containers.push({
        id: this.containerId(name),
        podSandboxId: id(`pod-${name}`, 0),
        metadata: { name, attempt },
        image: { image: 'sha256:0123', annotations: {}, userSpecifiedImage: '', runtimeHandler: '' },
        imageRef: 'sha256:0123',
        state: c.kind === 'exited' ? 'CONTAINER_EXITED' : 'CONTAINER_RUNNING',
        createdAt: String(1700640001000000000n + BigInt(attempt)),
        labels: { 'io.kubernetes.container.name': name, 'io.kubernetes.pod.name': `${name}-cp1`, 'io.kubernetes.pod.namespace': 'kube-system' },
        annotations: { 'io.kubernetes.container.restartCount': String(attempt) },
        imageId: '',
      });
    }
    return JSON.stringify({ containers }, null, 2);
  }

  containerId(name: Name): string {
    const c = this.scenario.get(name)!.container;
    return id(name, c.kind === 'exited' ? c.attempt : 0);
  }

  /** Listings (by number) that time out, as a runtime too busy to answer does: only the start of the output. */
  listingTimesOut: (n: number) => boolean = () => false;

  private answer(argv: readonly string[]): { stdout: string; code?: number; timedOut?: boolean } | undefined {
    const m = argv[4]!;
    const section = (name: string, out: string, code = 0) => `${m} begin ${name}\n${out}\n\n${m} rc ${name} ${code}\n`;
    if (argv[2] === LIST_SCRIPT) {
      if (this.listings === 0) this.kubeletRequestsAtFirstListing = this.kubeletRequests;
      this.onList(++this.listings);
      if (this.listingTimesOut(this.listings)) return { stdout: `${m} begin pods\n`, code: -1, timedOut: true };
      return { stdout: section('pods', this.pods()) + section('containers', this.containers()) };
    }
    if (argv[2] === DIAGNOSE_SCRIPT) {
      this.diagnoseArgs = argv.slice(5) as string[];
      const ids = argv.slice(7);
      let out = section('images', JSON.stringify({ images: [...this.images].map((t) => ({ id: 'sha256:x', repoTags: [t], repoDigests: [], size: '1', username: '', pinned: false })) }, null, 2));
      for (const cid of ids) {
        const name = NAMES.find((n) => this.containerId(n) === cid)!;
        const c = this.scenario.get(name)!.container;
        const exited = c.kind === 'exited';
        out += section(`inspect:${cid}`, JSON.stringify({ status: { exitCode: exited ? c.exitCode : 0, finishedAt: '0001-01-01T00:00:00Z', reason: exited ? 'Error' : '', message: '', state: exited ? 'CONTAINER_EXITED' : 'CONTAINER_RUNNING' } }, null, 2));
        out += section(`logs:${cid}`, exited ? c.logs : `I1122 08:00:00.000000       1 serving.go:1] ${name} serving`);
      }
      out += section('kubelet-active', 'active');
      out += section('journal', 'Nov 22 08:00:00 cp1 kubelet[100]: I1122 08:00:00.000000     100 kubelet.go:1] Started kubelet');
      return { stdout: out };
    }
    if (argv[2] === READ_FILES_SCRIPT) {
      return { stdout: [...this.files()].map(([path, content]) => section(path, content)).join('') };
    }
    return undefined;
  }
}
