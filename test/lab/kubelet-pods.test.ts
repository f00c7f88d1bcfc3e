/**
 * The lab kubelet's API pods: the credential keyring (pkg/credentialprovider), the pod status it reports
 * (kubelet_pods.go, status/generate.go), and the pod manager against a runtime and an API server kept in memory:
 * pull secrets before the node's config.json, ErrImagePull then ImagePullBackOff, status patches, deletion, adoption.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../e2e/lab/images/test-pki.js';
import { ApiError, type ApiClient } from '../../e2e/lab/standins/kubelet/apiclient.js';
import { ApiPodManager } from '../../e2e/lab/standins/kubelet/apipods.js';
import { ImagePuller } from '../../e2e/lab/standins/kubelet/images.js';
import { credentialsFor, DockerKeyring, pullSecretConfigs, readNodeDockerConfig, repositoryOf, urlsMatch } from '../../e2e/lab/standins/kubelet/keyring.js';
import type { Logger } from '../../e2e/lab/standins/kubelet/log.js';
import { apiPod } from '../../e2e/lab/standins/kubelet/pod.js';
import { containerStatus, podPhase, podStatus, qosClass } from '../../e2e/lab/standins/kubelet/status.js';
import { findResource } from '../../e2e/lab/images/components/discovery.js';
import { toTable } from '../../e2e/lab/images/components/tables.js';
import { goSeconds, type WorkerDeps } from '../../e2e/lab/standins/kubelet/worker.js';
import type { CriClient, Msg } from '../../e2e/lab/standins/cri/client.js';

type Obj = Record<string, any>;
const b64 = (s: string) => Buffer.from(s).toString('base64');
const auth = (user: string, pass: string) => ({ auth: b64(`${user}:${pass}`) });
const dockerconfigjson = (auths: Obj): Obj => ({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) } });

describe('lab kubelet: registry credentials (pkg/credentialprovider)', () => {
  it('normalises image names to the repository the keyring is asked about', () => {
    assert.equal(repositoryOf('busybox'), 'docker.io/library/busybox');
    assert.equal(repositoryOf('team/app:1'), 'docker.io/team/app');
    assert.equal(repositoryOf('10.77.0.1:5001/app:1.2@sha256:abc'), '10.77.0.1:5001/app');
    assert.equal(repositoryOf('localhost/app'), 'localhost/app');
  });

  it('matches keys as URLsMatch does: globbed host parts, equal ports, path prefixes', () => {
    assert.equal(urlsMatch('10.77.0.1:5001', '10.77.0.1:5001/app'), true);
    assert.equal(urlsMatch('10.77.0.1:5001', '10.77.0.1:5000/app'), false);
    assert.equal(urlsMatch('10.77.0.1', '10.77.0.1:5001/app'), false, 'a key without port does not match a port');
    assert.equal(urlsMatch('*.example.com', 'reg.example.com/app'), true);
    assert.equal(urlsMatch('*.example.com', 'a.reg.example.com/app'), false);
    assert.equal(urlsMatch('quay.io/team', 'quay.io/team/app'), true);
    assert.equal(urlsMatch('quay.io/team', 'quay.io/other/app'), false);
  });

  it('orders credentials most specific first, takes /v1/ and schemes as the host, and Docker Hub\'s index key for Hub images', () => {
    const keyring = new DockerKeyring().add({ 'quay.io': auth('broad', 'p'), 'https://quay.io/team': auth('narrow', 'p'), 'https://index.docker.io/v1/': auth('hub', 'p') });
    assert.deepEqual(keyring.lookup('quay.io/team/app').map((c) => c.username), ['narrow', 'broad']);
    assert.deepEqual(keyring.lookup('docker.io/library/busybox').map((c) => c.username), ['hub']);
    assert.deepEqual(keyring.lookup('ghcr.io/x/y'), []);
    assert.deepEqual(credentialsFor('r/x', [], { r: { username: 'u', password: 'p' } }), [], 'no dot, no port: r is a Docker Hub user, not a registry');
    assert.deepEqual(new DockerKeyring().add({ 'r:1': { username: 'u', password: 'p', auth: b64('a:b:c') } }).lookup('r:1/x'), [{ username: 'a', password: 'b:c' }], 'auth wins, split at the first colon');
  });

  it('reads dockerconfigjson and legacy dockercfg Secrets of the right type only, and tries them before the node\'s config', () => {
    const secrets = pullSecretConfigs([
      dockerconfigjson({ 'reg:5001': auth('from-secret', 's') }),
      { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ 'reg:5001': auth('legacy', 'l') })) } },
      { type: 'Opaque', data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'reg:5001': auth('opaque', 'o') } })) } },
    ]);
    assert.equal(secrets.length, 2);
    const node = { 'reg:5001': auth('node', 'n') };
    assert.deepEqual(credentialsFor('reg:5001/app:1', secrets, node).map((c) => c.username), ['from-secret', 'legacy', 'node']);
    assert.deepEqual(credentialsFor('reg:5000/app:1', secrets, node), []);
    assert.throws(() => pullSecretConfigs([{ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{nope') } }]), SyntaxError);
  });

  it('reads the node\'s first config.json (root dir before $HOME), else a legacy .dockercfg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-keyring-'));
    try {
      const root = join(dir, 'root');
      const home = join(dir, 'home');
      assert.deepEqual(readNodeDockerConfig(root, home), {});
      for (const d of [root, join(home, '.docker')]) mkdirSync(d, { recursive: true });
      writeFileSync(join(home, '.dockercfg'), JSON.stringify({ 'reg:1': auth('legacy', 'x') }));
      assert.deepEqual(Object.keys(readNodeDockerConfig(root, home)), ['reg:1']);
      writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'reg:2': auth('home', 'x') } }));
      assert.deepEqual(Object.keys(readNodeDockerConfig(root, home)), ['reg:2']);
      writeFileSync(join(root, 'config.json'), JSON.stringify({ auths: { 'reg:3': auth('root', 'x') } }));
      assert.deepEqual(Object.keys(readNodeDockerConfig(root, home)), ['reg:3']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const SECOND = 1_000_000_000n;
const NOW = new Date('2026-01-02T03:04:05Z');
const t = (s: number): string => String(BigInt(Date.parse('2026-01-02T03:00:00Z') / 1000 + s) * SECOND);

describe('lab kubelet: pod status (kubelet_pods.go, status/generate.go)', () => {
  const pod = apiPod({ metadata: { name: 'web', namespace: 'team', uid: 'u1' }, spec: { containers: [{ name: 'b', image: 'reg:5001/app:1' }, { name: 'a', image: 'reg:5001/side:1' }] } });
  const running = (id: string, attempt = 0): Msg => ({
    id, metadata: { name: 'x', attempt }, state: 'CONTAINER_RUNNING', startedAt: t(10), image: { image: 'reg:5001/app:1' }, imageRef: 'reg:5001/app@sha256:feed',
  });
  const exited = (id: string, exitCode: number, attempt = 0): Msg => ({ id, metadata: { name: 'x', attempt }, state: 'CONTAINER_EXITED', exitCode, reason: exitCode ? 'Error' : 'Completed', startedAt: t(1), finishedAt: t(2), image: { image: 'reg:5001/app:1' }, imageRef: 'reg:5001/app@sha256:feed' });

  it('reports a running pod: Running, all conditions True, IPs, container IDs and images from the runtime', () => {
    const status = podStatus(pod, {}, { sandbox: { id: 's', ready: true, ips: ['10.244.1.5'] }, containers: [{ name: 'b', latest: running('c1') }, { name: 'a', latest: running('c2') }] },
      { hostIP: '10.77.0.11', version: 'v1.28.4', now: NOW });
    assert.equal(status.phase, 'Running');
    assert.deepEqual(status.conditions.map((c: Obj) => [c.type, c.status]), [['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True']]);
    assert.deepEqual([status.hostIP, status.podIP, status.podIPs, status.hostIPs], ['10.77.0.11', '10.244.1.5', [{ ip: '10.244.1.5' }], undefined]);
    assert.equal(status.startTime, '2026-01-02T03:04:05Z');
    assert.equal(status.qosClass, 'BestEffort');
    assert.deepEqual(status.containerStatuses.map((c: Obj) => c.name), ['a', 'b'], 'sorted by name');
    assert.deepEqual(status.containerStatuses[1], {
      name: 'b', state: { running: { startedAt: '2026-01-02T03:00:10Z' } }, lastState: {}, ready: true, restartCount: 0,
      image: 'reg:5001/app:1', imageID: 'reg:5001/app@sha256:feed', containerID: 'containerd://c1', started: true,
    });
  });

  it('adds PodReadyToStartContainers and hostIPs from v1.29, and keeps transition times of unchanged conditions', () => {
    const previous = { startTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Initialized', status: 'True', lastTransitionTime: '2026-01-01T00:00:01Z' }, { type: 'Ready', status: 'False', lastTransitionTime: '2026-01-01T00:00:01Z' }] };
    const status = podStatus(pod, {}, { sandbox: { id: 's', ready: true, ips: ['10.244.1.5'] }, containers: [{ name: 'b', latest: running('c1') }, { name: 'a', latest: running('c2') }] },
      { hostIP: '10.77.0.11', version: 'v1.30.0', now: NOW, previous });
    assert.deepEqual(status.conditions.map((c: Obj) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    assert.deepEqual(status.hostIPs, [{ ip: '10.77.0.11' }]);
    assert.equal(status.startTime, '2026-01-01T00:00:00Z');
    assert.equal(status.conditions[1].lastTransitionTime, '2026-01-01T00:00:01Z');
    assert.equal(status.conditions[2].lastTransitionTime, '2026-01-02T03:04:05Z', 'Ready changed');
    assert.equal(status.conditions[2].lastProbeTime, null);
  });

  it('reports a pull failure as a waiting container with the kubelet\'s reason and message: Pending, not ready', () => {
    const message = 'Failed to pull image "reg:5001/app:1": rpc error: code = Unknown desc = failed to pull and unpack image: 401 Unauthorized';
    const status = podStatus(pod, {}, { sandbox: { id: 's', ready: true, ips: ['10.244.1.5'] }, containers: [{ name: 'a', latest: running('c2') }, { name: 'b', waiting: { reason: 'ErrImagePull', message, since: 0 } }] },
      { hostIP: '10.77.0.11', version: 'v1.28.4', now: NOW });
    assert.equal(status.phase, 'Pending');
    assert.deepEqual(status.containerStatuses[1], { name: 'b', state: { waiting: { reason: 'ErrImagePull', message } }, lastState: {}, ready: false, restartCount: 0, image: 'reg:5001/app:1', imageID: '', started: false });
    const ready = status.conditions.find((c: Obj) => c.type === 'Ready');
    assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'ContainersNotReady', 'containers with unready status: [b]']);
    const creating = containerStatus('img', { name: 'x' });
    assert.deepEqual(creating.state, { waiting: { reason: 'ContainerCreating' } });
  });

  it('shows a crash-looping container waiting with its last exit, and derives the phase as getPhase', () => {
    const looping = containerStatus('img', { name: 'x', latest: exited('c3', 1, 2), waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=x pod=web_team(u1)', since: 0 } });
    assert.deepEqual(looping.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=x pod=web_team(u1)' } });
    assert.deepEqual(looping.lastState.terminated, { exitCode: 1, reason: 'Error', startedAt: '2026-01-02T03:00:01Z', finishedAt: '2026-01-02T03:00:02Z', containerID: 'containerd://c3' });
    assert.equal(looping.restartCount, 2);
    const restarted = containerStatus('img', { name: 'x', latest: running('c4', 3), previous: exited('c3', 1, 2) });
    assert.equal(restarted.lastState.terminated.exitCode, 1);
    assert.equal(podPhase('Always', [looping], 1), 'Running');
    const done = containerStatus('img', { name: 'x', latest: exited('c5', 0) });
    const failed = containerStatus('img', { name: 'x', latest: exited('c6', 2) });
    assert.equal(podPhase('Never', [done], 1), 'Succeeded');
    assert.equal(podPhase('Never', [done, failed], 2), 'Failed');
    assert.equal(podPhase('OnFailure', [failed], 1), 'Running');
    assert.equal(podPhase('Always', [done], 2), 'Pending', 'a container without status');
    assert.equal(goSeconds(80_000), '1m20s');
    assert.equal(goSeconds(300_000), '5m0s');
  });

  it('reports a host-network pod on the node\'s IP and classifies QoS', () => {
    const host = apiPod({ metadata: { name: 'h', namespace: 'team', uid: 'u2' }, spec: { hostNetwork: true, containers: [{ name: 'a', image: 'i' }] } });
    const status = podStatus(host, {}, { sandbox: { id: 's', ready: true, ips: [] }, containers: [] }, { hostIP: '10.77.0.11', version: 'v1.28.4', now: NOW });
    assert.deepEqual([status.podIP, status.podIPs], ['10.77.0.11', [{ ip: '10.77.0.11' }]]);
    assert.equal(qosClass({ containers: [{ resources: { requests: { cpu: '100m' } } }] }), 'Burstable');
    assert.equal(qosClass({ containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }] }), 'Guaranteed');
  });
});

describe('lab kube-apiserver: kubectl get pods columns for these statuses (printers.go printPod)', () => {
  const row = (pod: Obj): unknown[] => toTable(findResource('', 'v1', 'pods')!, [{ metadata: { name: 'web', creationTimestamp: new Date().toISOString() }, spec: { containers: [{}, {}] }, ...pod }], 'v1', {}, null).rows[0].cells.slice(1, 4);
  const running = { ready: true, restartCount: 0, state: { running: { startedAt: 'x' } } };
  it('shows the last container\'s waiting or terminated reason over the phase, ready counts and restarts with their age', () => {
    assert.deepEqual(row({ status: { phase: 'Pending' } }), ['0/2', 'Pending', '0']);
    assert.deepEqual(row({ status: { phase: 'Running', containerStatuses: [running, running] } }), ['2/2', 'Running', '0']);
    assert.deepEqual(row({ status: { phase: 'Pending', containerStatuses: [running, { ready: false, restartCount: 0, state: { waiting: { reason: 'ImagePullBackOff' } } }] } }), ['1/2', 'ImagePullBackOff', '0']);
    const crashed = { ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: new Date(Date.now() - 75_000).toISOString() } } };
    assert.deepEqual(row({ status: { phase: 'Running', containerStatuses: [running, crashed] } }), ['1/2', 'CrashLoopBackOff', '3 (75s ago)']);
    assert.deepEqual(row({ status: { phase: 'Failed', containerStatuses: [{ restartCount: 0, state: { terminated: { exitCode: 2 } } }] } }), ['0/2', 'ExitCode:2', '0']);
    assert.deepEqual(row({ metadata: { name: 'web', deletionTimestamp: 'x' }, status: { phase: 'Running', containerStatuses: [running, running] } }), ['2/2', 'Terminating', '0']);
  });
});

/** A runtime kept in memory with CRI's answers; the registry "reg:5001" wants user "lab", password "s3cret". */
class MemoryRuntime {
  readonly sandboxes = new Map<string, Msg>();
  readonly containers = new Map<string, Msg>();
  readonly images = new Set<string>();
  readonly pulls: { image: string; username?: string }[] = [];
  sandboxesRun = 0;
  private n = 0;
  private readonly nanos = () => String(BigInt(Date.now()) * 1_000_000n);

  async listPodSandbox(): Promise<Msg[]> {
    return [...this.sandboxes.values()].map((s) => ({ ...s }));
  }
  async podSandboxStatus(id: string): Promise<Msg> {
    const s = this.sandboxes.get(id);
    if (!s) throw new Error(`rpc error: code = NotFound desc = an error occurred when try to find sandbox "${id}": not found`);
    return { status: { ...s, network: { ip: `10.244.1.${s.ip}`, additionalIps: [] } } };
  }
  async runPodSandbox(config: Msg): Promise<string> {
    const id = `sb${++this.n}`;
    this.sandboxesRun++;
    this.sandboxes.set(id, { id, ip: this.n, metadata: config.metadata, labels: config.labels, annotations: config.annotations, state: 'SANDBOX_READY' });
    return id;
  }
  async stopPodSandbox(id: string): Promise<void> {
    const s = this.sandboxes.get(id);
    if (s) s.state = 'SANDBOX_NOTREADY';
    for (const c of this.containers.values()) if (c.podSandboxId === id) c.state = 'CONTAINER_EXITED';
  }
  async removePodSandbox(id: string): Promise<void> {
    this.sandboxes.delete(id);
    for (const [cid, c] of this.containers) if (c.podSandboxId === id) this.containers.delete(cid);
  }
  async listContainers(filter: Msg | null): Promise<Msg[]> {
    return [...this.containers.values()].filter((c) => !filter?.podSandboxId || c.podSandboxId === filter.podSandboxId).map((c) => ({ ...c }));
  }
  async containerStatus(id: string): Promise<Msg> {
    return { status: { ...this.containers.get(id)! } };
  }
  async createContainer(podSandboxId: string, config: Msg): Promise<string> {
    const id = `c${++this.n}`;
    this.containers.set(id, { id, podSandboxId, metadata: config.metadata, state: 'CONTAINER_CREATED', image: { image: config.image.userSpecifiedImage }, imageRef: `${config.image.userSpecifiedImage.split(':')[0]}@sha256:feed`, createdAt: this.nanos() });
    return id;
  }
  async startContainer(id: string): Promise<void> {
    Object.assign(this.containers.get(id)!, { state: 'CONTAINER_RUNNING', startedAt: this.nanos() });
  }
  async stopContainer(id: string): Promise<void> {
    Object.assign(this.containers.get(id)!, { state: 'CONTAINER_EXITED', exitCode: 137, finishedAt: this.nanos() });
  }
  async removeContainer(id: string): Promise<void> {
    this.containers.delete(id);
  }
  async imageStatus(image: string): Promise<Msg> {
    return { image: this.images.has(image) ? { id: `sha256:${Buffer.from(image).toString('hex').slice(0, 12)}` } : null };
  }
  async pullImage(image: string, auth: Msg | null): Promise<string> {
    this.pulls.push({ image, username: auth?.username });
    if (image.startsWith('reg:5001/') && !(auth?.username === 'lab' && auth?.password === 's3cret')) {
      throw new Error(`rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": pulling from host reg:5001 failed with status code [manifests 1]: 401 Unauthorized`);
    }
    this.images.add(image);
    return `sha256:${image}`;
  }
}

/** The API as a node sees it: its pods (fieldSelector spec.nodeName=w1 only), Secrets, pod status patches, deletes. */
class MemoryApi {
  readonly pods = new Map<string, Obj>();
  readonly secrets = new Map<string, Obj>();
  readonly patches: Obj[] = [];
  async request(method: string, path: string, body?: Obj): Promise<Obj> {
    const url = new URL(path, 'https://api');
    if (method === 'GET' && url.pathname === '/api/v1/pods') {
      if (url.searchParams.get('fieldSelector') !== 'spec.nodeName=w1') throw new ApiError(403, 'Forbidden', 'can only list/watch pods with spec.nodeName field selector');
      return { items: [...this.pods.values()].map((p) => structuredClone(p)) };
    }
    let m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url.pathname);
    if (method === 'GET' && m) {
      const secret = this.secrets.get(`${m[1]}/${m[2]}`);
      if (!secret) throw new ApiError(403, 'Forbidden', `secrets "${m[2]}" is forbidden: no relationship found between node 'w1' and this object`);
      return secret;
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)(\/status)?$/.exec(url.pathname);
    const pod = m ? this.pods.get(`${m[1]}/${m[2]}`) : undefined;
    if (!m || !pod) throw new ApiError(404, 'NotFound', 'not found');
    if (method === 'PATCH' && m[3]) {
      assert.equal(body!.metadata.uid, pod.metadata.uid, 'the uid precondition');
      this.patches.push(body!);
      pod.status = { ...pod.status, ...body!.status };
      return pod;
    }
    if (method === 'DELETE' && !m[3]) {
      this.pods.delete(`${m[1]}/${m[2]}`);
      return pod;
    }
    throw new ApiError(405, 'MethodNotAllowed', method);
  }
  add(name: string, spec: Obj): Obj {
    const pod = { metadata: { name, namespace: 'team', uid: `uid-${name}` }, spec: { nodeName: 'w1', ...spec }, status: { phase: 'Pending' } };
    this.pods.set(`team/${name}`, pod);
    return pod;
  }
}

describe('lab kubelet: pods bound to the node through the API', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-apipods-'));
  const rootDir = join(dir, 'kubelet');
  const runtime = new MemoryRuntime();
  const api = new MemoryApi();
  const lines: string[] = [];
  const log: Logger = { info: (m, f) => lines.push(`I ${m} ${JSON.stringify(f ?? {})}`), warn: (m, f) => lines.push(`W ${m} ${JSON.stringify(f ?? {})}`), error: (m, f) => lines.push(`E ${m} ${JSON.stringify(f ?? {})}`) };
  const cri = runtime as unknown as CriClient;
  const deps: WorkerDeps = {
    cri, log, rootDir, podLogsDir: join(dir, 'pods-logs'), runtimeRequestTimeoutMs: 1000,
    puller: new ImagePuller(cri, log, undefined, rootDir),
    backoff: { initialMs: 300, maxMs: 2400 },
  };
  const manager = (): ApiPodManager => new ApiPodManager(api as unknown as ApiClient, { nodeName: 'w1', hostIP: '10.77.0.11', kubeletVersion: 'v1.28.4', pollIntervalMs: 50 }, deps, log);
  let current: ApiPodManager | undefined;
  const status = (name: string): Obj => api.pods.get(`team/${name}`)?.status ?? {};
  const waiting = (name: string): Obj | undefined => status(name).containerStatuses?.[0]?.state?.waiting;
  after(async () => {
    await current?.close(true);
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls with the pod\'s imagePullSecrets and reports the pod Running', async () => {
    api.secrets.set('team/regcred', dockerconfigjson({ 'reg:5001': auth('lab', 's3cret') }));
    api.secrets.set('team/wrong', dockerconfigjson({ 'reg:5001': auth('lab', 'wrong') }));
    api.add('web', { imagePullSecrets: [{ name: 'absent' }, { name: 'wrong' }, { name: 'regcred' }], containers: [{ name: 'app', image: 'reg:5001/app:1' }] });
    current = manager();
    current.start();
    const s = await waitFor('web Running', async () => (status('web').phase === 'Running' ? status('web') : undefined), 10_000);
    assert.equal(s.podIP.startsWith('10.244.1.'), true);
    assert.match(s.containerStatuses[0].containerID, /^containerd:\/\/c\d+$/);
    assert.deepEqual(s.containerStatuses[0].state.running !== undefined, true);
    assert.deepEqual(runtime.pulls.filter((p) => p.image === 'reg:5001/app:1').map((p) => p.username), ['lab', 'lab'], 'the wrong secret first, in the pod\'s order, then the right one');
    assert.ok(lines.some((l) => l.startsWith('W Unable to retrieve pull secret, the image pull may not succeed.') && l.includes('team/absent')));
    const sandbox = [...runtime.sandboxes.values()].find((sb) => sb.metadata.uid === 'uid-web')!;
    assert.equal(sandbox.annotations['kubernetes.io/config.source'], 'api');
    assert.equal(sandbox.annotations['kubernetes.io/config.hash'], undefined);
    const patches = api.patches.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(api.patches.length, patches, 'an unchanged status is not sent again');
  });

  it('without credentials reports ErrImagePull with the runtime\'s error, then ImagePullBackOff; the node\'s config.json then gets it running', async () => {
    api.add('nocreds', { containers: [{ name: 'app', image: 'reg:5001/app:2' }] });
    const first = await waitFor('ErrImagePull', async () => (waiting('nocreds')?.reason === 'ErrImagePull' ? waiting('nocreds') : undefined), 10_000);
    assert.equal(first.message, 'Failed to pull image "reg:5001/app:2": rpc error: code = Unknown desc = failed to pull and unpack image "reg:5001/app:2": failed to resolve reference "reg:5001/app:2": pulling from host reg:5001 failed with status code [manifests 1]: 401 Unauthorized');
    assert.equal(status('nocreds').phase, 'Pending');
    const backoff = await waitFor('ImagePullBackOff', async () => (waiting('nocreds')?.reason === 'ImagePullBackOff' ? waiting('nocreds') : undefined), 15_000);
    assert.equal(backoff.message, 'Back-off pulling image "reg:5001/app:2"');
    mkdirSync(rootDir, { recursive: true });
    writeFileSync(join(rootDir, 'config.json'), JSON.stringify({ auths: { 'reg:5001': auth('lab', 's3cret') } }));
    await waitFor('nocreds Running', async () => (status('nocreds').phase === 'Running') || undefined, 15_000);
  });

  it('stops and removes a pod deleted from the API, and one being deleted, which it then deletes with grace period 0', async () => {
    api.pods.delete('team/nocreds');
    await waitFor('sandbox removed', async () => (![...runtime.sandboxes.values()].some((sb) => sb.metadata.uid === 'uid-nocreds')) || undefined, 10_000);
    assert.ok([...runtime.sandboxes.values()].some((sb) => sb.metadata.uid === 'uid-web'));
    api.add('graceful', { containers: [{ name: 'app', image: 'reg:5001/app:1' }] });
    await waitFor('graceful Running', async () => (status('graceful').phase === 'Running') || undefined, 10_000);
    api.pods.get('team/graceful')!.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
    await waitFor('graceful gone from the API', async () => (!api.pods.has('team/graceful')) || undefined, 10_000);
    assert.ok(![...runtime.sandboxes.values()].some((sb) => sb.metadata.uid === 'uid-graceful'));
  });

  it('adopts its running pods after a restart instead of creating them again', async () => {
    await current!.close(false);
    const before = runtime.sandboxesRun;
    lines.length = 0;
    current = manager();
    current.start();
    await waitFor('adoption', async () => (lines.some((l) => l.startsWith('I Adopted running pod') && l.includes('team/web'))) || undefined, 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(runtime.sandboxesRun, before);
    assert.equal(status('web').phase, 'Running');
  });
});
