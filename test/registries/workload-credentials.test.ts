/**
 * Registry credentials for the cluster's workloads (registries.nodeCredentials and registries.pullSecrets): the
 * docker config.json built from the control machine's file, kubelet's copy on every node in `render`, and the
 * pull Secrets and default ServiceAccounts brought to the inventory's list through an in-memory API server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '../../src/api/client.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import { PULL_SECRET_LABELS } from '../../src/cluster/pull-secrets.js';
import { parseInventory } from '../../src/inventory/index.js';
import { syncPullSecrets, type PullSecretApi } from '../../src/phases/registry-secrets.js';
import { CredentialsError, parseDockerConfig } from '../../src/registries/credentials.js';
import { KUBELET_DOCKER_CONFIG } from '../../src/registries/node.js';
import { renderCluster, writeRenderTree } from '../../src/render/index.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const CONFIG = {
  auths: {
    '10.77.0.1:5001': { auth: b64('lab:first-password') },
    'https://index.docker.io/v1/': { username: 'hub', password: 'hub-password' },
    'reg.example.com': { auth: b64('robot:robot-password') },
  },
};

test('the docker config.json for kubelet or a Secret holds exactly the named registries, Docker Hub under its v1 key', () => {
  const creds = parseDockerConfig(JSON.stringify(CONFIG), '/home/u/.docker/config.json');
  const all = JSON.parse(creds.dockerConfigFor('all', 'registries.nodeCredentials')) as { auths: Record<string, { auth: string }> };
  assert.deepEqual(Object.keys(all.auths), ['10.77.0.1:5001', 'https://index.docker.io/v1/', 'reg.example.com']);
  assert.equal(all.auths['https://index.docker.io/v1/']?.auth, b64('hub:hub-password'));
  const some = creds.dockerConfigFor(['reg.example.com', 'index.docker.io'], 'registries.nodeCredentials');
  assert.deepEqual(Object.keys((JSON.parse(some) as { auths: object }).auths), ['https://index.docker.io/v1/', 'reg.example.com']);
  assert.equal(creds.dockerConfigFor([], 'x'), '{\n  "auths": {}\n}\n');
  // Equal credentials, equal bytes: the digest kubelet's copy is compared by does not depend on the file's order.
  const reordered = parseDockerConfig(JSON.stringify({ auths: Object.fromEntries(Object.entries(CONFIG.auths).reverse()) }), 'f');
  assert.equal(reordered.dockerConfigFor('all', 'x'), creds.dockerConfigFor('all', 'x'));
});

test('a named registry the credentials file lacks is a clear error that quotes no secret', () => {
  const creds = parseDockerConfig(JSON.stringify(CONFIG), '/home/u/.docker/config.json');
  assert.throws(() => creds.dockerConfigFor(['10.77.0.1:5002'], 'registries.pullSecrets.registries'), (e: Error) => {
    assert.ok(e instanceof CredentialsError);
    assert.equal(e.message, 'registries.pullSecrets.registries names 10.77.0.1:5002, for which /home/u/.docker/config.json holds no credentials (it has: 10.77.0.1:5001, docker.io, reg.example.com)');
    return true;
  });
});

async function inventoryWith(registries: string): Promise<{ file: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-registries-'));
  await writeFile(join(dir, 'docker.json'), JSON.stringify(CONFIG), { mode: 0o600 });
  await chmod(join(dir, 'docker.json'), 0o600);
  const file = join(dir, 'inventory.yaml');
  await writeFile(file, `cluster:
  kubernetesVersion: v1.28.4
images:
  credentials: { configFile: ./docker.json }
${registries}
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
  - { name: w2, address: 10.7.0.151, roles: [worker] }
`);
  return { file, dir };
}

test('render gives every node, control plane and worker alike, the same kubelet config.json, 0600; without nodeCredentials none', async () => {
  const { file, dir } = await inventoryWith('registries:\n  nodeCredentials: [10.77.0.1:5001]');
  const inv = parseInventory(file, await readFile(file, 'utf8'));
  const renders = await renderCluster(inv);
  const copies = renders.map((r) => r.files.find((f) => f.path === KUBELET_DOCKER_CONFIG));
  assert.deepEqual(copies.map((c) => c?.mode), [0o600, 0o600, 0o600]);
  assert.deepEqual(new Set(copies.map((c) => c?.content.toString())).size, 1);
  assert.deepEqual(JSON.parse(copies[0]!.content.toString()), { auths: { '10.77.0.1:5001': { auth: b64('lab:first-password') } } });
  await writeRenderTree(join(dir, 'out'), renders);
  assert.equal((await stat(join(dir, 'out', 'w2', KUBELET_DOCKER_CONFIG))).mode & 0o777, 0o600);

  const { file: off } = await inventoryWith('registries:\n  nodeCredentials: false');
  const none = await renderCluster(parseInventory(off, await readFile(off, 'utf8')));
  assert.ok(none.every((r) => !r.files.some((f) => f.path === KUBELET_DOCKER_CONFIG)));
});

/** An API server in memory: objects by kind/namespace/name, resourceVersions, 409 on a stale replace. */
class MemoryApi implements PullSecretApi {
  readonly objects = new Map<string, KubeObject>();
  private version = 1;
  writes: string[] = [];
  /** Writes another client makes just before the next replace of this key, once. */
  interfere = new Map<string, (o: KubeObject) => KubeObject>();

  private key(ref: { kind: string; namespace?: string; name: string }) {
    return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  }

  put(o: KubeObject): KubeObject {
    const stored = structuredClone({ ...o, metadata: { ...o.metadata, resourceVersion: String(this.version++) } });
    this.objects.set(this.key({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }), stored);
    return stored;
  }

  async get(ref: { kind: string; namespace?: string; name: string }) {
    const o = this.objects.get(this.key(ref));
    return o ? structuredClone(o) : undefined;
  }

  async create(o: KubeObject) {
    if (this.objects.has(this.key({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name }))) {
      throw new ApiError(409, 'AlreadyExists', `${o.kind} "${o.metadata.name}" already exists`);
    }
    this.writes.push(`create ${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    return this.put(o);
  }

  async replace(o: KubeObject) {
    const key = this.key({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name });
    const other = this.interfere.get(key);
    if (other) {
      this.interfere.delete(key);
      this.put(other(structuredClone(this.objects.get(key)!)));
    }
    const live = this.objects.get(key);
    const sent = (o.metadata as { resourceVersion?: string }).resourceVersion;
    if (!live) throw new ApiError(404, 'NotFound', `${o.kind} "${o.metadata.name}" not found`);
    if (sent && sent !== (live.metadata as { resourceVersion?: string }).resourceVersion) throw new ApiError(409, 'Conflict', 'the object has been modified');
    this.writes.push(`replace ${key}`);
    return this.put(o);
  }

  async delete(ref: { kind: string; namespace?: string; name: string }) {
    this.writes.push(`delete ${this.key(ref)}`);
    return this.objects.delete(this.key(ref));
  }

  async list(_apiVersion: string, kind: string, namespace?: string, labelSelector?: string) {
    const wanted = (labelSelector ?? '').split(',').filter(Boolean).map((t) => t.split('='));
    return [...this.objects.values()].filter((o) =>
      o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace) &&
      wanted.every(([k, v]) => o.metadata.labels?.[k as string] === v));
  }
}

const serviceAccount = (ns: string, secrets: string[]): KubeObject =>
  ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns }, imagePullSecrets: secrets.map((name) => ({ name })) });
const pullSecretsOf = async (api: MemoryApi, ns: string) =>
  (((await api.get({ kind: 'ServiceAccount', namespace: ns, name: 'default' }))?.imagePullSecrets ?? []) as { name: string }[]).map((r) => r.name);
const secretConfig = async (api: MemoryApi, ns: string, name = 'registry-credentials') => {
  const s = await api.get({ kind: 'Secret', namespace: ns, name });
  const data = (s?.data as Record<string, string> | undefined)?.['.dockerconfigjson'];
  return s && { type: s.type, config: data === undefined ? undefined : Buffer.from(data, 'base64').toString() };
};

test('pull Secrets: created with their namespaces and named by the default ServiceAccounts; a re-run writes nothing', async () => {
  const api = new MemoryApi();
  api.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  api.put(serviceAccount('default', ['theirs']));
  const wanted = { name: 'registry-credentials', namespaces: ['default', 'apps'], dockerConfigJson: '{"auths":{"r":{"auth":"YTpi"}}}\n' };
  const changes = await syncPullSecrets(api, wanted);
  assert.deepEqual(changes, [
    'created default/Secret/registry-credentials',
    'updated default/ServiceAccount/default',
    'created Namespace/apps',
    'created apps/Secret/registry-credentials',
    'created apps/ServiceAccount/default',
  ]);
  assert.deepEqual(await pullSecretsOf(api, 'default'), ['theirs', 'registry-credentials']);
  assert.deepEqual(await pullSecretsOf(api, 'apps'), ['registry-credentials']);
  assert.deepEqual(await secretConfig(api, 'apps'), { type: 'kubernetes.io/dockerconfigjson', config: wanted.dockerConfigJson });
  assert.deepEqual((await api.get({ kind: 'Secret', namespace: 'apps', name: 'registry-credentials' }))?.metadata.labels, PULL_SECRET_LABELS);

  api.writes = [];
  assert.deepEqual(await syncPullSecrets(api, wanted), []);
  assert.deepEqual(api.writes, []);
});

test('pull Secrets: a new password updates every Secret and nothing else; a namespace dropped loses its Secret and only its reference', async () => {
  const api = new MemoryApi();
  const first = { name: 'registry-credentials', namespaces: ['default', 'apps'], dockerConfigJson: '{"auths":{"r":{"auth":"YTpi"}}}\n' };
  await syncPullSecrets(api, first);
  api.put(serviceAccount('apps', ['registry-credentials', 'theirs']));
  api.writes = [];
  const rotated = { ...first, dockerConfigJson: '{"auths":{"r":{"auth":"YTpj"}}}\n' };
  assert.deepEqual(await syncPullSecrets(api, rotated), ['updated default/Secret/registry-credentials', 'updated apps/Secret/registry-credentials']);
  assert.deepEqual(api.writes, ['replace Secret/default/registry-credentials', 'replace Secret/apps/registry-credentials']);
  assert.equal((await secretConfig(api, 'default'))?.config, rotated.dockerConfigJson);

  assert.deepEqual(await syncPullSecrets(api, { ...rotated, namespaces: ['default'] }), [
    'updated apps/ServiceAccount/default',
    'deleted apps/Secret/registry-credentials',
  ]);
  assert.deepEqual(await pullSecretsOf(api, 'apps'), ['theirs']);
  assert.equal(await secretConfig(api, 'apps'), undefined);
  // A Secret of the same name that bootstrap did not make (no labels) is never touched.
  api.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'registry-credentials', namespace: 'apps' }, type: 'Opaque' });
  assert.deepEqual(await syncPullSecrets(api, undefined), ['updated default/ServiceAccount/default', 'deleted default/Secret/registry-credentials']);
  assert.equal((await secretConfig(api, 'apps'))?.type, 'Opaque');
});

test('pull Secrets: a ServiceAccount someone else changes meanwhile is read again, and their change is kept', async () => {
  const api = new MemoryApi();
  api.put(serviceAccount('default', []));
  api.interfere.set('ServiceAccount/default/default', (sa) => ({ ...sa, imagePullSecrets: [{ name: 'added-meanwhile' }] }));
  await syncPullSecrets(api, { name: 'registry-credentials', namespaces: ['default'], dockerConfigJson: '{}' });
  assert.deepEqual(await pullSecretsOf(api, 'default'), ['added-meanwhile', 'registry-credentials']);
});
