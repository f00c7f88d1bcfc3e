/**
 * An in-memory API server that keeps the Kubernetes API contract for what joining a node needs (CSRs with their
 * approval and status subresources, SubjectAccessReviews, Nodes and their status, Leases), with x509 and bootstrap
 * token authentication. It lets the lab kubelet and controller-manager talk to each other in a unit test.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface Who {
  user: string;
  groups: string[];
  uid: string;
}

type Obj = Record<string, any>;

export class FakeApiServer {
  readonly objects = new Map<string, Obj>();
  readonly requests: { method: string; path: string; user: string; body?: Obj }[] = [];
  private server: Server | undefined;
  port = 0;
  /** Bootstrap tokens the server accepts ("id.secret"). */
  tokens = new Set<string>();
  private rv = 1;

  constructor(
    private readonly ca: string,
    private readonly serving: { cert: string; key: string },
  ) {}

  async start(): Promise<string> {
    this.server = createServer({ cert: this.serving.cert, key: this.serving.key, ca: this.ca, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      void this.handle(req, res).catch((e: Error) => this.send(res, 500, { kind: 'Status', status: 'Failure', message: e.message, reason: 'InternalError', code: 500 }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server!.address() as { port: number }).port;
    return `https://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private authenticate(req: IncomingMessage): Who | 'unauthorized' {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const token = auth.slice(7);
      if (!this.tokens.has(token)) return 'unauthorized';
      const id = token.split('.')[0];
      return { user: `system:bootstrap:${id}`, groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'], uid: '' };
    }
    const peer = (req.socket as TLSSocket).getPeerX509Certificate?.();
    if (peer) {
      const ca = new X509Certificate(this.ca);
      if (!peer.checkIssued(ca) || !peer.verify(ca.publicKey) || Date.parse(peer.validTo) < Date.now()) return 'unauthorized';
      const lines = peer.subject.split('\n');
      return { user: lines.find((l) => l.startsWith('CN='))?.slice(3) ?? '', groups: [...lines.filter((l) => l.startsWith('O=')).map((l) => l.slice(2)), 'system:authenticated'], uid: '' };
    }
    return { user: 'system:anonymous', groups: ['system:unauthenticated'], uid: '' };
  }

  private send(res: ServerResponse, code: number, body: Obj): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(text);
  }

  private status(res: ServerResponse, code: number, reason: string, message: string): void {
    this.send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  }

  private async body(req: IncomingMessage): Promise<Obj | undefined> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    return text ? (JSON.parse(text) as Obj) : undefined;
  }

  private stamp(obj: Obj): Obj {
    obj.metadata.resourceVersion = String(++this.rv);
    return obj;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://x');
    const who = this.authenticate(req);
    const body = await this.body(req);
    this.requests.push({ method: req.method!, path: url.pathname, user: who === 'unauthorized' ? '' : who.user, body });
    if (who === 'unauthorized') return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    if (who.user === 'system:anonymous') {
      return this.status(res, 403, 'Forbidden', `forbidden: User "system:anonymous" cannot ${req.method!.toLowerCase()} path "${url.pathname}"`);
    }
    const m = req.method!;
    const path = url.pathname;
    const csrBase = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
    if (path === csrBase && m === 'GET') return this.send(res, 200, { kind: 'CertificateSigningRequestList', items: [...this.objects.entries()].filter(([k]) => k.startsWith('csr/')).map(([, v]) => v) });
    if (path === csrBase && m === 'POST') {
      const name = body!.metadata.name ?? `${body!.metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
      if (this.objects.has(`csr/${name}`)) return this.status(res, 409, 'AlreadyExists', `certificatesigningrequests.certificates.k8s.io "${name}" already exists`);
      const csr = this.stamp({ ...body, metadata: { ...body!.metadata, name, uid: randomUUID() }, spec: { ...body!.spec, username: who.user, groups: who.groups, uid: who.uid }, status: {} });
      delete csr.metadata.generateName;
      this.objects.set(`csr/${name}`, csr);
      return this.send(res, 201, csr);
    }
    const csrMatch = new RegExp(`^${csrBase}/([^/]+)(?:/(approval|status))?$`).exec(path);
    if (csrMatch) {
      const current = this.objects.get(`csr/${csrMatch[1]}`);
      if (!current) return this.status(res, 404, 'NotFound', `certificatesigningrequests.certificates.k8s.io "${csrMatch[1]}" not found`);
      if (m === 'GET') return this.send(res, 200, current);
      if (m === 'PUT' && csrMatch[2] === 'approval') {
        const updated = this.stamp({ ...current, status: { ...current.status, conditions: body!.status.conditions } });
        this.objects.set(`csr/${csrMatch[1]}`, updated);
        return this.send(res, 200, updated);
      }
      if (m === 'PUT' && csrMatch[2] === 'status') {
        const updated = this.stamp({ ...current, status: { ...current.status, ...body!.status } });
        this.objects.set(`csr/${csrMatch[1]}`, updated);
        return this.send(res, 200, updated);
      }
    }
    if (path === '/apis/authorization.k8s.io/v1/subjectaccessreviews' && m === 'POST') {
      const spec = body!.spec;
      const sub = spec.resourceAttributes?.subresource;
      const allowed = (sub === 'nodeclient' && spec.groups?.includes('system:bootstrappers')) || (sub === 'selfnodeclient' && spec.groups?.includes('system:nodes'));
      return this.send(res, 201, { ...body, status: { allowed } });
    }
    if (path === '/api/v1/nodes' && m === 'POST') {
      if (who.user !== `system:node:${body!.metadata.name}`) return this.status(res, 403, 'Forbidden', `nodes is forbidden: User "${who.user}" cannot create resource "nodes" in API group "" at the cluster scope`);
      if (this.objects.has(`node/${body!.metadata.name}`)) return this.status(res, 409, 'AlreadyExists', `nodes "${body!.metadata.name}" already exists`);
      const node = this.stamp({ ...body, metadata: { ...body!.metadata, uid: randomUUID(), creationTimestamp: new Date().toISOString() } });
      this.objects.set(`node/${body!.metadata.name}`, node);
      return this.send(res, 201, node);
    }
    const nodeMatch = /^\/api\/v1\/nodes\/([^/]+)(\/status)?$/.exec(path);
    if (nodeMatch) {
      const current = this.objects.get(`node/${nodeMatch[1]}`);
      if (!current) return this.status(res, 404, 'NotFound', `nodes "${nodeMatch[1]}" not found`);
      if (m === 'GET') return this.send(res, 200, current);
      if (m === 'PATCH' && nodeMatch[2]) {
        const updated = this.stamp({ ...current, metadata: { ...current.metadata, ...(body!.metadata ?? {}) }, status: { ...current.status, ...(body!.status ?? {}) } });
        this.objects.set(`node/${nodeMatch[1]}`, updated);
        return this.send(res, 200, updated);
      }
    }
    const leaseBase = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
    if (path === leaseBase && m === 'POST') {
      if (this.objects.has(`lease/${body!.metadata.name}`)) return this.status(res, 409, 'AlreadyExists', 'exists');
      const lease = this.stamp({ ...body, metadata: { ...body!.metadata, uid: randomUUID() } });
      this.objects.set(`lease/${body!.metadata.name}`, lease);
      return this.send(res, 201, lease);
    }
    const leaseMatch = new RegExp(`^${leaseBase}/([^/]+)$`).exec(path);
    if (leaseMatch) {
      const current = this.objects.get(`lease/${leaseMatch[1]}`);
      if (!current) return this.status(res, 404, 'NotFound', `leases.coordination.k8s.io "${leaseMatch[1]}" not found`);
      if (m === 'GET') return this.send(res, 200, current);
      if (m === 'PUT') {
        const updated = this.stamp(body!);
        this.objects.set(`lease/${leaseMatch[1]}`, updated);
        return this.send(res, 200, updated);
      }
    }
    return this.status(res, 404, 'NotFound', 'the server could not find the requested resource');
  }
}
