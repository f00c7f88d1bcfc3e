/**
 * The lab's kube-apiserver stand-in against Debian's real etcd and the real kubectl, as local processes
 * (kubeadm's v1.28 manifests rewritten to 127.0.0.1 and free ports, a PKI made with openssl): discovery and
 * server-side printing as kubectl uses them, the default RBAC policy, impersonation and access reviews, the
 * Node authorizer and NodeRestriction, bootstrap-token authentication, CertificateSigningRequests, and the
 * generic registry's create/update/delete contract.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeCert, makeKubeadmPki, manifestCommand, rewriteCommand, freePort, start, waitFor, writeKubeconfig, type Running } from '../../e2e/lab/images/test-pki.js';
import { ensureDebianPackages } from '../../e2e/lab/packages.js';
import { defaultRepoRoot } from '../../e2e/lab/state.js';

const run = promisify(execFile);
const repoRoot = defaultRepoRoot();
const KUBECTL = '/usr/bin/kubectl';
const golden = join(repoRoot, 'test', 'golden', 'manifests', 'v1.28.15');
const apiserverJs = join(repoRoot, 'dist', 'e2e', 'lab', 'images', 'components', 'kube-apiserver.js');

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  contentType: string;
}

describe('lab kube-apiserver with the real kubectl', { timeout: 90_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'lab-apiserver-'));
  const k8s = join(scratch, 'kubernetes');
  const pki = join(k8s, 'pki');
  const processes: Running[] = [];
  const ports = { etcd: 0, peer: 0, metrics: 0, api: 0 };
  let server = '';
  const creds: Record<string, { cert: Buffer; key: Buffer }> = {};

  const kubectl = async (as: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> => {
    const argv = as.startsWith('token:')
      ? ['--server', server, '--certificate-authority', join(pki, 'ca.crt'), '--token', as.slice('token:'.length), ...args]
      : ['--kubeconfig', join(k8s, `${as}.conf`), ...args];
    const child = execFile(KUBECTL, argv, { timeout: 20_000, env: { ...process.env, HOME: scratch, KUBECACHEDIR: join(scratch, 'cache') } });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
    return { code, stdout, stderr };
  };
  const ok = async (as: string, args: string[], input?: string) => {
    const r = await kubectl(as, args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  const call = (method: string, path: string, options: { as?: string; token?: string; body?: unknown; contentType?: string; headers?: Record<string, string | string[]> } = {}) =>
    new Promise<Answer>((resolvePromise, reject) => {
      const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
      const tls = options.as ? creds[options.as]! : {};
      const req = request({
        host: '127.0.0.1', port: ports.api, path, method, ca: readFileSync(join(pki, 'ca.crt')), ...tls, agent: false, timeout: 10_000,
        headers: {
          Accept: 'application/json', ...(options.headers ?? {}),
          ...(payload ? { 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': payload.length } : {}),
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
        },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // plain text
          }
          resolvePromise({ status: res.statusCode ?? 0, body, contentType: String(res.headers['content-type'] ?? '') });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });

  before(async () => {
    // Debian's etcd, and Debian's kubernetes-client when no kubectl is there (the real client).
    await ensureDebianPackages(['etcd-server', 'openssl', ...(existsSync(KUBECTL) ? [] : ['kubernetes-client'])]);
    assert.ok(existsSync(KUBECTL), 'the real kubectl is needed at /usr/bin/kubectl');
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    server = `https://127.0.0.1:${ports.api}`;
    await makeKubeadmPki(k8s);
    await makeCert(pki, 'ca', 'kubeconfig-w1.conf', { cn: 'system:node:w1', o: ['system:nodes'] });
    await makeCert(pki, 'ca', 'kubeconfig-jane.conf', { cn: 'jane' });
    for (const name of ['admin', 'w1', 'jane']) {
      writeKubeconfig(k8s, `${name}.conf`, server);
      creds[name] = { cert: readFileSync(join(pki, `kubeconfig-${name}.conf.crt`)), key: readFileSync(join(pki, `kubeconfig-${name}.conf.key`)) };
    }
    const command = (component: string) => rewriteCommand(manifestCommand(join(golden, `${component}.yaml`)), [
      ['/etc/kubernetes', k8s], ['/var/lib/etcd', join(scratch, 'etcd-data')], ['10.7.0.149', '127.0.0.1'],
      [':2379', `:${ports.etcd}`], [':2380', `:${ports.peer}`], [':2381', `:${ports.metrics}`], ['--secure-port=6443', `--secure-port=${ports.api}`],
    ]).slice(1);
    processes.push(start('/usr/bin/etcd', command('etcd')));
    processes.push(start(process.execPath, [apiserverJs, ...command('kube-apiserver')], { BOOTSTRAP_LAB_KUBERNETES_VERSION: 'v1.32.2' }));
    await waitFor('the default policy', async () => ((await call('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:node-proxier', { as: 'admin' })).status === 200 ? true : undefined), 30_000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${processes.map((p) => p.output().slice(-1500)).join('\n')}`); });
  });
  after(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    rmSync(scratch, { recursive: true, force: true });
  });

  it('serves discovery: kubectl api-resources lists every group, aggregated discovery is answered when asked for', async () => {
    const table = await ok('admin', ['api-resources']);
    for (const row of [
      /^nodes\s+no\s+v1\s+false\s+Node$/m, /^certificatesigningrequests\s+csr\s+certificates\.k8s\.io\/v1\s+false\s+CertificateSigningRequest$/m,
      /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m, /^selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectAccessReview$/m,
      /^subjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SubjectAccessReview$/m, /^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/m,
      /^priorityclasses\s+pc\s+scheduling\.k8s\.io\/v1\s+false\s+PriorityClass$/m, /^daemonsets\s+ds\s+apps\/v1\s+true\s+DaemonSet$/m,
      /^poddisruptionbudgets\s+pdb\s+policy\/v1\s+true\s+PodDisruptionBudget$/m, /^clusterrolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRoleBinding$/m,
    ]) assert.match(table, row);
    const core = await call('GET', '/api/v1', { as: 'admin' });
    assert.equal(core.body.kind, 'APIResourceList');
    assert.deepEqual(core.body.resources.find((r: { name: string }) => r.name === 'nodes/status'), { name: 'nodes/status', singularName: '', namespaced: false, kind: 'Node', verbs: ['get', 'patch', 'update'] });
    const certs = await call('GET', '/apis/certificates.k8s.io/v1', { as: 'admin' });
    assert.deepEqual(certs.body.resources.map((r: { name: string }) => r.name), ['certificatesigningrequests', 'certificatesigningrequests/approval', 'certificatesigningrequests/status']);
    const aggregated = await call('GET', '/apis', { as: 'admin', headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' } });
    assert.equal(aggregated.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.ok(aggregated.body.items.some((g: { metadata: { name: string } }) => g.metadata.name === 'coordination.k8s.io'));
    assert.equal((await call('GET', '/apis', { as: 'admin' })).body.kind, 'APIGroupList');
    assert.equal((await call('GET', '/apis/example.com/v1', { as: 'admin' })).status, 404);
    assert.equal((await call('GET', '/api/v1/widgets', { as: 'admin' })).status, 404);
  });

  it('creates the default RBAC policy and namespaces, readable with kubectl', async () => {
    const binding = await ok('admin', ['get', 'clusterrolebinding', 'system:node-proxier', '-o', 'yaml']);
    assert.match(binding, /annotations:\n    rbac\.authorization\.kubernetes\.io\/autoupdate: "true"/);
    assert.match(binding, /labels:\n    kubernetes\.io\/bootstrapping: rbac-defaults/);
    assert.match(binding, /subjects:\n- apiGroup: rbac\.authorization\.k8s\.io\n  kind: User\n  name: system:kube-proxy/);
    const roles = await ok('admin', ['get', 'clusterroles', '-o', 'name']);
    for (const name of ['cluster-admin', 'admin', 'edit', 'view', 'system:node-bootstrapper', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
      'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', 'system:node-proxier', 'system:node', 'system:kube-controller-manager',
      'system:kube-scheduler', 'system:basic-user', 'system:discovery', 'system:public-info-viewer', 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver']) {
      assert.ok(roles.split('\n').includes(`clusterrole.rbac.authorization.k8s.io/${name}`), name);
    }
    const bindings = await ok('admin', ['get', 'clusterrolebindings', '-o', 'wide']);
    assert.match(bindings, /^cluster-admin\s+ClusterRole\/cluster-admin\s+\S+\s+system:masters/m);
    assert.match(bindings, /^system:public-info-viewer\s+ClusterRole\/system:public-info-viewer\s+\S+\s+system:authenticated, system:unauthenticated/m);
    assert.match(await ok('admin', ['get', 'ns']), /^NAME\s+STATUS\s+AGE\ndefault\s+Active\s+\S+\nkube-node-lease\s+Active\s+\S+\nkube-public\s+Active\s+\S+\nkube-system\s+Active\s+\S+\n$/);
    assert.match(await ok('admin', ['get', 'cm', '-n', 'kube-system']), /^NAME\s+DATA\s+AGE\nextension-apiserver-authentication\s+6\s+\S+\n$/);
    assert.match(await ok('admin', ['get', 'cm', '-n', 'kube-system', '-o', 'yaml']), /kind: List\n/);
    assert.match(await ok('admin', ['get', 'svc']), /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nkubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443\/TCP\s+\S+\n$/);
    assert.match(await ok('admin', ['get', 'endpoints', 'kubernetes']), new RegExp(`^NAME\\s+ENDPOINTS\\s+AGE\\nkubernetes\\s+127\\.0\\.0\\.1:${ports.api}\\s+\\S+\\n$`));
    // The policy is what authorizes: anonymous users read /version and /healthz (system:public-info-viewer) but not /api.
    assert.equal((await call('GET', '/version')).status, 200);
    assert.equal((await call('GET', '/api')).status, 403);
    assert.equal((await call('GET', '/api', { as: 'jane' })).status, 200);
  });

  it('registers nodes as kubelets do, prints them like a real cluster, and applies NodeRestriction', async () => {
    const node = (name: string, ip: string, labels: Record<string, string> = {}) => JSON.stringify({
      apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
        addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }],
        nodeInfo: { kubeletVersion: 'v1.32.2', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'containerd://1.6.20',
          architecture: 'amd64', operatingSystem: 'linux', machineID: '', systemUUID: '', bootID: '', kubeProxyVersion: '' },
      },
    });
    const refused = await kubectl('w1', ['create', '-f', '-'], node('w1', '10.77.0.12', { 'node-role.kubernetes.io/worker': '' }));
    assert.match(refused.stderr, /nodes "w1" is forbidden: node "w1" is not allowed to set the following labels: node-role\.kubernetes\.io\/worker/);
    assert.match(await ok('w1', ['create', '-f', '-'], node('w1', '10.77.0.12')), /^node\/w1 created\n$/);
    assert.match((await kubectl('w1', ['create', '-f', '-'], node('cp1', '10.77.0.11'))).stderr, /nodes "cp1" is forbidden: node "w1" is not allowed to modify node "cp1"/);
    await ok('admin', ['create', '-f', '-'], node('cp1', '10.77.0.11'));
    await ok('admin', ['label', 'node', 'cp1', 'node-role.kubernetes.io/control-plane=']);
    assert.match((await kubectl('w1', ['label', 'node', 'w1', 'node-role.kubernetes.io/worker='])).stderr, /nodes "w1" is forbidden: is not allowed to modify labels: node-role\.kubernetes\.io\/worker/);
    assert.match((await kubectl('w1', ['label', 'node', 'w1', 'node-restriction.kubernetes.io/pool=a'])).stderr, /is not allowed to modify labels: node-restriction\.kubernetes\.io\/pool/);
    await ok('w1', ['label', 'node', 'w1', 'node.kubernetes.io/exclude-from-external-load-balancers=true']);
    await ok('admin', ['cordon', 'w1']);
    const status = await call('PATCH', '/api/v1/nodes/w1/status', { as: 'w1', contentType: 'application/strategic-merge-patch+json',
      body: { status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] }, metadata: { labels: { sneaky: 'x' } } } });
    assert.equal(status.status, 200);
    assert.equal(status.body.metadata.labels.sneaky, undefined, 'the status subresource changes status only');
    // Strategic merge: conditions merge by type, directives are applied, not stored.
    const merged = await call('PATCH', '/api/v1/nodes/w1/status', { as: 'w1', contentType: 'application/strategic-merge-patch+json',
      body: { status: { '$setElementOrder/conditions': [{ type: 'MemoryPressure' }, { type: 'Ready' }], conditions: [{ type: 'MemoryPressure', status: 'False' }] } } });
    assert.deepEqual(merged.body.status.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'Ready=False']);
    assert.equal(JSON.stringify(merged.body).includes('$setElementOrder'), false);
    const wide = await ok('admin', ['get', 'nodes', '-o', 'wide']);
    assert.match(wide, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME\n/);
    assert.match(wide, /^cp1\s+Ready\s+control-plane\s+\d+s\s+v1\.32\.2\s+10\.77\.0\.11\s+<none>\s+Debian GNU\/Linux 12 \(bookworm\)\s+6\.1\.0-18-amd64\s+containerd:\/\/1\.6\.20$/m);
    assert.match(wide, /^w1\s+NotReady,SchedulingDisabled\s+<none>\s+\d+s\s+v1\.32\.2\s+10\.77\.0\.12\s+/m);
    // A node's Lease: its own name in kube-node-lease only.
    const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name, leaseDurationSeconds: 40 } });
    assert.equal((await call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { as: 'w1', body: lease('w1') })).status, 201);
    const other = await call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', { as: 'w1', body: lease('cp1') });
    assert.equal(other.status, 403);
    assert.equal(other.body.message, 'leases.coordination.k8s.io "cp1" is forbidden: can only access node lease with the same name as the requesting node');
    assert.match(await ok('admin', ['get', 'leases', '-n', 'kube-node-lease']), /^NAME\s+HOLDER\s+AGE\nw1\s+w1\s+\S+\n$/);
  });

  it('answers kubectl auth can-i through impersonation and SelfSubjectAccessReviews with the Node and RBAC authorizers', async () => {
    await ok('admin', ['create', 'clusterrolebinding', 'kubeadm:kubelet-bootstrap', '--clusterrole', 'system:node-bootstrapper', '--group', 'system:bootstrappers:kubeadm:default-node-token']);
    await ok('admin', ['create', 'clusterrolebinding', 'kubeadm:node-autoapprove-bootstrap', '--clusterrole',
      'system:certificates.k8s.io:certificatesigningrequests:nodeclient', '--group', 'system:bootstrappers:kubeadm:default-node-token']);
    const canI = async (args: string[]) => {
      const r = await kubectl('admin', ['auth', 'can-i', ...args]);
      return `${r.code} ${r.stdout.trim()}`;
    };
    const bootstrap = ['--as', 'system:bootstrap:abcdef', '--as-group', 'system:bootstrappers:kubeadm:default-node-token', '--as-group', 'system:authenticated'];
    const node = ['--as', 'system:node:w1', '--as-group', 'system:nodes'];
    assert.equal(await canI(['create', 'certificatesigningrequests', ...bootstrap]), '0 yes');
    // v1.32+: AuthorizeNodeWithSelectors, a node reads its own Node only.
    assert.equal(await canI(['get', 'nodes', ...node]), "1 no - node 'w1' cannot read all nodes, only its own Node object");
    assert.equal(await canI(['get', 'nodes/w1', ...node]), '0 yes');
    assert.equal(await canI(['update', 'leases/w1', '-n', 'kube-node-lease', ...node]), '0 yes');
    assert.equal(await canI(['get', 'secrets/bootstrap-token-abcdef', '-n', 'kube-system', ...node]), "1 no - no relationship found between node 'w1' and this object");
    // The same questions as SubjectAccessReviews (what kubectl auth can-i --as asks, without a kubectl per question).
    const review = async (user: string, groups: string[], resourceAttributes: Record<string, string>) => {
      const r = await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { as: 'admin', body: { spec: { user, groups, resourceAttributes } } });
      return `${r.body.status.allowed ? 'yes' : 'no'}${r.body.status.reason ? ` - ${r.body.status.reason}` : ''}`;
    };
    const boot = ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'];
    const w1 = (ra: Record<string, string>) => review('system:node:w1', ['system:nodes', 'system:authenticated'], ra);
    assert.equal(await review('system:bootstrap:abcdef', boot, { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', subresource: 'nodeclient', verb: 'create' }), 'yes - RBAC: allowed by ClusterRoleBinding "kubeadm:node-autoapprove-bootstrap" of ClusterRole "system:certificates.k8s.io:certificatesigningrequests:nodeclient" to Group "system:bootstrappers:kubeadm:default-node-token"');
    assert.equal(await review('system:bootstrap:abcdef', boot, { resource: 'nodes', verb: 'get' }), 'no');
    assert.equal(await w1({ resource: 'nodes', name: 'cp1', verb: 'get' }), "no - node 'w1' cannot read 'cp1', only its own Node object");
    assert.equal(await w1({ resource: 'pods', verb: 'list' }), 'no - can only list/watch pods with spec.nodeName field selector');
    assert.equal(await w1({ resource: 'nodes', subresource: 'status', name: 'w1', verb: 'patch' }), 'yes');
    assert.equal(await w1({ group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create' }), 'yes');
    assert.equal(await w1({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'cp1', verb: 'update' }), 'no - can only access node lease with the same name as the requesting node');
    assert.equal(await w1({ resource: 'endpoints', verb: 'list' }), 'no');
    assert.equal(await w1({ group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings', verb: 'create' }), 'no');
    assert.equal(await review('system:kube-controller-manager', ['system:authenticated'], { group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager', verb: 'get' }),
      'yes - RBAC: allowed by ClusterRoleBinding "system:kube-controller-manager" of ClusterRole "system:kube-controller-manager" to User "system:kube-controller-manager"');
    assert.equal(await review('system:kube-proxy', ['system:authenticated'], { resource: 'nodes', verb: 'list' }), 'yes - RBAC: allowed by ClusterRoleBinding "system:node-proxier" of ClusterRole "system:node-proxier" to User "system:kube-proxy"');
    assert.equal(await canI(['*', '*']), '0 yes');
    assert.equal((await kubectl('jane', ['auth', 'can-i', 'get', 'pods'])).stdout, 'no\n');
    const list = await ok('jane', ['auth', 'can-i', '--list']);
    assert.match(list, /^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);
    assert.match(list, /^\s+\[\/apis\/\*\]\s+\[\]\s+\[get\]$/m);
    assert.doesNotMatch(list, /configmaps/);
    assert.match((await kubectl('jane', ['get', 'pods', '--as', 'bob'])).stderr,
      /users "bob" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope/);
    assert.match(await ok('admin', ['auth', 'whoami', ...node]), /Username\s+system:node:w1\nGroups\s+\[system:nodes system:authenticated\]/);
    // What the csrapproving controller asks: a SubjectAccessReview for the CSR's requester.
    const sar = await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { as: 'admin', body: {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { user: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
        resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource: 'nodeclient' } } } });
    assert.equal(sar.status, 201);
    assert.deepEqual(sar.body.status, { allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "kubeadm:node-autoapprove-bootstrap" of ClusterRole "system:certificates.k8s.io:certificatesigningrequests:nodeclient" to Group "system:bootstrappers:kubeadm:default-node-token"' });
    const self = { ...sar.body.spec, resourceAttributes: { ...sar.body.spec.resourceAttributes, subresource: 'selfnodeclient' } };
    assert.deepEqual((await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { as: 'admin', body: { spec: self } })).body.status, { allowed: false });
    assert.equal((await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { as: 'jane', body: { spec: self } })).status, 403);
    assert.equal((await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { as: 'admin', body: { spec: { user: 'x' } } })).status, 422);
  });

  it('authenticates bootstrap tokens as the real authenticator does', async () => {
    const secret = (id: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token',
      metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
      stringData: { 'token-id': id, 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true',
        'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token', expiration: new Date(Date.now() + 3_600_000).toISOString(), ...data } });
    for (const [id, data] of [['abcdef', {}], ['expird', { expiration: '2020-01-01T00:00:00Z' }], ['nouse1', { 'usage-bootstrap-authentication': 'false' }],
      ['wrngid', { 'token-id': 'abcdef' }], ['badgrp', { 'auth-extra-groups': 'system:masters' }]] as const) {
      assert.equal((await call('POST', '/api/v1/namespaces/kube-system/secrets', { as: 'admin', body: secret(id, data) })).status, 201);
    }
    const stored = await call('GET', '/api/v1/namespaces/kube-system/secrets/bootstrap-token-abcdef', { as: 'admin' });
    assert.equal(stored.body.stringData, undefined, 'stringData is merged into data');
    assert.equal(Buffer.from(stored.body.data['token-secret'], 'base64').toString(), '0123456789abcdef');
    assert.match(await ok('token:abcdef.0123456789abcdef', ['auth', 'whoami']),
      /Username\s+system:bootstrap:abcdef\nGroups\s+\[system:bootstrappers system:bootstrappers:kubeadm:default-node-token system:authenticated\]/);
    for (const token of ['abcdef.0000000000000000', 'expird.0123456789abcdef', 'nouse1.0123456789abcdef', 'wrngid.0123456789abcdef', 'badgrp.0123456789abcdef', 'zzzzzz.0123456789abcdef']) {
      const r = await call('GET', '/api', { token });
      assert.equal(r.status, 401, token);
      assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
  });

  it('keeps the CertificateSigningRequest contract: requester identity, validation, approval and signing permissions', async () => {
    const csrPem = join(scratch, 'w2.csr');
    await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(scratch, 'w2.key'), '-out', csrPem,
      '-subj', '/O=system:nodes/CN=system:node:w2']);
    const csr = (extra: Record<string, unknown> = {}) => JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { generateName: 'csr-' },
      spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'], username: 'forged', groups: ['system:masters'],
        request: readFileSync(csrPem).toString('base64'), ...extra },
    });
    const created = await ok('token:abcdef.0123456789abcdef', ['create', '-f', '-', '-o', 'jsonpath={.metadata.name}'], csr());
    assert.match(created, /^csr-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    const read = (await call('GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${created}`, { as: 'admin' })).body;
    assert.equal(read.spec.username, 'system:bootstrap:abcdef');
    assert.deepEqual(read.spec.groups, ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated']);
    assert.deepEqual(read.status, {});
    assert.match(await ok('admin', ['get', 'csr']), new RegExp(`^NAME\\s+AGE\\s+SIGNERNAME\\s+REQUESTOR\\s+REQUESTEDDURATION\\s+CONDITION\\n${created}\\s+\\S+\\s+kubernetes.io/kube-apiserver-client-kubelet\\s+system:bootstrap:abcdef\\s+<none>\\s+Pending\\n$`));
    const invalid = await kubectl('token:abcdef.0123456789abcdef', ['create', '-f', '-'], csr({ request: Buffer.from('not a pem').toString('base64'), signerName: '' }));
    assert.match(invalid.stderr, /CertificateSigningRequest\.certificates\.k8s\.io "csr-\w+" is invalid: \[spec\.signerName: Required value, spec\.request: Invalid value: \[\]byte\{\.\.\.\}: PEM block type must be CERTIFICATE REQUEST\]/);
    // Approval needs "approve" on the signer: the requester may not approve itself, an admin may.
    assert.match((await kubectl('token:abcdef.0123456789abcdef', ['certificate', 'approve', created])).stderr,
      /User "system:bootstrap:abcdef" cannot update resource "certificatesigningrequests\/approval" in API group "certificates\.k8s\.io" at the cluster scope/);
    await ok('admin', ['create', 'clusterrolebinding', 'jane-approves', '--clusterrole', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', '--user', 'jane']);
    await ok('admin', ['create', 'clusterrole', 'csr-approval-writer', '--verb', 'update', '--resource', 'certificatesigningrequests/approval']);
    await ok('admin', ['create', 'clusterrolebinding', 'jane-writes-approval', '--clusterrole', 'csr-approval-writer', '--user', 'jane']);
    await ok('admin', ['create', 'clusterrolebinding', 'jane-reads-csrs', '--clusterrole', 'system:node-bootstrapper', '--user', 'jane']);
    assert.match((await kubectl('jane', ['certificate', 'approve', created])).stderr,
      new RegExp(`certificatesigningrequests.certificates.k8s.io "${created}" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client-kubelet"`));
    const early = await call('PUT', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${created}/status`, { as: 'admin', body: { ...read, status: { certificate: 'Zm9v' } } });
    assert.equal(early.status, 422);
    assert.match(early.body.message, /updates may not set certificate content unless the Approved condition is present/);
    assert.match(await ok('admin', ['certificate', 'approve', created]), /approved/);
    const approved = (await call('GET', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${created}`, { as: 'admin' })).body;
    assert.equal(approved.status.conditions[0].type, 'Approved');
    assert.match(approved.status.conditions[0].lastTransitionTime, /^20\d\d-/);
    const signed = await call('PUT', `/apis/certificates.k8s.io/v1/certificatesigningrequests/${created}/status`, { as: 'admin',
      body: { ...approved, status: { ...approved.status, conditions: [], certificate: 'Zm9v' } } });
    assert.equal(signed.status, 200);
    assert.equal(signed.body.status.conditions[0].type, 'Approved', 'approval conditions change only through /approval');
    assert.match(await ok('admin', ['get', 'csr', created]), /Approved,Issued\n$/);
  });

  it('answers health probes from anonymous users with the etcd check while etcd is unreachable, as the real one answers from its caches', async () => {
    const port = await freePort();
    const args = rewriteCommand(manifestCommand(join(golden, 'kube-apiserver.yaml')), [['/etc/kubernetes', k8s], ['10.7.0.149', '127.0.0.1'],
      [':2379', `:${await freePort()}`], ['--secure-port=6443', `--secure-port=${port}`]]).slice(1);
    const p = start(process.execPath, [apiserverJs, ...args], { BOOTSTRAP_LAB_KUBERNETES_VERSION: 'v1.32.2' });
    processes.push(p);
    const livez = await waitFor('livez', () => new Promise<Answer | undefined>((resolvePromise) => {
      const req = request({ host: '127.0.0.1', port, path: '/livez', ca: readFileSync(join(pki, 'ca.crt')), agent: false }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: text, contentType: '' }));
      });
      req.on('error', () => resolvePromise(undefined));
      req.end();
    }), 15_000);
    assert.deepEqual([livez.status, livez.body], [500, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]poststarthook/bootstrap-controller failed: reason withheld\nlivez check failed\n']);
    p.child.kill('SIGKILL');
  });

  it('keeps the generic registry contract: NotFound, AlreadyExists, Conflict, unconditional update, delete, server-set metadata', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    const missing = await call('GET', `${path}/nothing`, { as: 'admin' });
    assert.deepEqual(missing.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'configmaps "nothing" not found', reason: 'NotFound',
      details: { name: 'nothing', kind: 'configmaps' }, code: 404 });
    const created = await call('POST', path, { as: 'admin', body: { metadata: { name: 'c1', uid: 'mine', resourceVersion: '5', creationTimestamp: '2000-01-01T00:00:00Z' }, data: { a: '1' } } });
    assert.equal(created.status, 201);
    assert.equal(created.body.kind, 'ConfigMap');
    assert.notEqual(created.body.metadata.uid, 'mine');
    assert.notEqual(created.body.metadata.creationTimestamp, '2000-01-01T00:00:00Z');
    assert.match(created.body.metadata.resourceVersion, /^\d+$/);
    const again = await call('POST', path, { as: 'admin', body: { metadata: { name: 'c1' } } });
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'AlreadyExists');
    assert.equal(again.body.message, 'configmaps "c1" already exists');
    const stale = await call('PUT', `${path}/c1`, { as: 'admin', body: { metadata: { name: 'c1', resourceVersion: '1' }, data: { a: '2' } } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(stale.body.message, 'Operation cannot be fulfilled on configmaps "c1": the object has been modified; please apply your changes to the latest version and try again');
    const current = await call('PUT', `${path}/c1`, { as: 'admin', body: { metadata: { name: 'c1', resourceVersion: created.body.metadata.resourceVersion }, data: { a: '2' } } });
    assert.equal(current.status, 200);
    const unconditional = await call('PUT', `${path}/c1`, { as: 'admin', body: { metadata: { name: 'c1' }, data: { a: '3' } } });
    assert.equal(unconditional.status, 200);
    assert.equal(unconditional.body.metadata.uid, created.body.metadata.uid);
    assert.ok(Number(unconditional.body.metadata.resourceVersion) > Number(current.body.metadata.resourceVersion));
    // Two writers with the same resourceVersion: exactly one wins (compare-and-swap in etcd), as leader election needs.
    const rv = unconditional.body.metadata.resourceVersion;
    const racing = await Promise.all([1, 2, 3].map((n) => call('PUT', `${path}/c1`, { as: 'admin', body: { metadata: { name: 'c1', resourceVersion: rv }, data: { a: String(n) } } })));
    assert.deepEqual(racing.map((r) => r.status).sort(), [200, 409, 409]);
    const won = racing.find((r) => r.status === 200)!.body.data.a;
    await call('PUT', `${path}/c1`, { as: 'admin', body: { metadata: { name: 'c1' }, data: { a: '3' } } });
    assert.ok(['1', '2', '3'].includes(won));
    const list = await call('GET', path, { as: 'admin' });
    assert.equal(list.body.kind, 'ConfigMapList');
    assert.match(list.body.metadata.resourceVersion, /^\d+$/);
    const deleted = await call('DELETE', `${path}/c1`, { as: 'admin' });
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.data.a, '3');
    assert.equal((await call('GET', `${path}/c1`, { as: 'admin' })).status, 404);
    assert.equal((await call('DELETE', `${path}/c1`, { as: 'admin' })).status, 404);
    assert.equal((await call('PUT', `${path}/c1`, { as: 'admin', body: { metadata: { name: 'c1' } } })).status, 404);
    // generation follows spec changes on kinds that keep one; status belongs to the status subresource.
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1' }, spec: { replicas: 1 }, status: { replicas: 7 } };
    const d = await call('POST', '/apis/apps/v1/namespaces/default/deployments', { as: 'admin', body: deploy });
    assert.equal(d.body.metadata.generation, 1);
    assert.deepEqual(d.body.status, {}, 'a new Deployment starts with an empty status');
    const d2 = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/d1', { as: 'admin', body: { ...deploy, spec: { replicas: 2 }, status: { replicas: 9 } } });
    assert.equal(d2.body.metadata.generation, 2);
    assert.deepEqual(d2.body.status, {}, 'the main resource does not write status');
    const d3 = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/d1/status', { as: 'admin', body: { ...deploy, spec: { replicas: 5 }, status: { replicas: 2 } } });
    assert.equal(d3.body.metadata.generation, 2);
    assert.deepEqual([d3.body.spec, d3.body.status], [{ replicas: 2 }, { replicas: 2 }]);
    assert.match(await ok('admin', ['get', 'deploy']), /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nd1\s+0\/2\s+0\s+0\s+\S+\n$/);
    // Binding a pod, as the scheduler does: once.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'pause' }] } };
    // The ServiceAccount admission plugin: no pod before the namespace's default ServiceAccount exists (the
    // controller-manager creates it; none runs here), then it is named and lends its imagePullSecrets.
    const early = await call('POST', '/api/v1/namespaces/default/pods', { as: 'admin', body: pod });
    assert.deepEqual([early.status, early.body.message], [403, 'pods "p1" is forbidden: error looking up service account default/default: serviceaccount "default" not found']);
    await call('POST', '/api/v1/namespaces/default/serviceaccounts', { as: 'admin', body: { metadata: { name: 'default' }, imagePullSecrets: [{ name: 'regcred' }] } });
    const p1Created = (await call('POST', '/api/v1/namespaces/default/pods', { as: 'admin', body: pod })).body;
    assert.equal(p1Created.status.phase, 'Pending');
    assert.deepEqual([p1Created.spec.serviceAccountName, p1Created.spec.imagePullSecrets], ['default', [{ name: 'regcred' }]]);
    const bind = (node: string) => call('POST', '/api/v1/namespaces/default/pods/p1/binding', { as: 'admin',
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p1' }, target: { apiVersion: 'v1', kind: 'Node', name: node } } });
    assert.deepEqual((await bind('w1')).body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    const rebound = await bind('cp1');
    assert.equal(rebound.status, 409);
    assert.equal(rebound.body.message, 'Operation cannot be fulfilled on pods/binding "p1": pod p1 is already assigned to node "w1"');
    assert.match(await ok('admin', ['get', 'pods', '-o', 'wide']), /^p1\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+w1\s+/m);
    // What its kubelet then does as the node: list its pods, read their pull secrets (no others), report status.
    await call('POST', '/api/v1/namespaces/default/secrets', { as: 'admin', body: { metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'e30=' } } });
    await call('POST', '/api/v1/namespaces/default/secrets', { as: 'admin', body: { metadata: { name: 'unrelated' }, data: {} } });
    const mine = await call('GET', '/api/v1/pods?fieldSelector=spec.nodeName%3Dw1', { as: 'w1' });
    assert.deepEqual(mine.body.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['p1']);
    assert.equal((await call('GET', '/api/v1/namespaces/default/secrets/regcred', { as: 'w1' })).status, 200);
    assert.equal((await call('GET', '/api/v1/namespaces/default/secrets/unrelated', { as: 'w1' })).status, 403);
    const reported = await call('PUT', '/api/v1/namespaces/default/pods/p1/status', { as: 'w1', body: { ...p1Created, metadata: { name: 'p1' }, status: { phase: 'Running', hostIP: '127.0.0.1' } } });
    assert.deepEqual([reported.status, reported.body.status.phase], [200, 'Running']);
    // Events print with the real columns.
    await call('POST', '/api/v1/namespaces/default/events', { as: 'admin', body: { metadata: { name: 'p1.1' }, type: 'Normal', reason: 'Scheduled',
      involvedObject: { kind: 'Pod', name: 'p1', namespace: 'default' }, message: 'Successfully assigned default/p1 to w1', source: { component: 'default-scheduler' },
      firstTimestamp: new Date().toISOString(), lastTimestamp: new Date().toISOString(), count: 1 } });
    assert.match(await ok('admin', ['get', 'events']), /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n\d+s\s+Normal\s+Scheduled\s+pod\/p1\s+Successfully assigned default\/p1 to w1\n$/);
  });
});
