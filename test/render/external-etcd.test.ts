/**
 * cluster.etcd.external through the real CLI and the pure helpers: `render` writes no etcd.yaml and none of the
 * etcd CA's files, copies the user's CA, client certificate and key (0600) to the paths the API server's flags
 * name, makes no etcd CA in the state directory; `images list` leaves etcd out; a key others can read and a key
 * that is not the certificate's are refused (exit 2, the message alone, no key material); kubeadm-config stores
 * etcd.external; reset leaves etcd data alone; preflight does not need the etcd ports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';
import { makeExternalEtcdPki } from '../../e2e/lab/external-etcd.js';
import { loadInventory } from '../../src/inventory/index.js';
import { clusterConfigurationYaml } from '../../src/cluster/index.js';
import { resetSteps, resetSummary } from '../../src/phases/reset.js';
import { requiredPorts } from '../../src/phases/preflight-checks.js';
import { imagesForHost } from '../../src/phases/images.js';

const run = promisify(execFile);
const cli = join(repoRoot, 'dist/src/cli/main.js');

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out.sort();
}

/** An inventory beside openssl-made etcd files, named relative to it as a user would. */
async function workspace(version = 'v1.28.4') {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-external-etcd-render-'));
  const files = await makeExternalEtcdPki(['10.7.0.20'], await mkdtemp(join(dir, 'etcd-')));
  const rel = (p: string) => relative(dir, p);
  const inventory = join(dir, 'inventory.yaml');
  await writeFile(inventory, `cluster:
  kubernetesVersion: ${version}
  etcd:
    external:
      endpoints: [https://10.7.0.20:2379, https://10.7.0.21:2379]
      caFile: ${rel(files.caFile)}
      certFile: ${rel(files.certFile)}
      keyFile: ${rel(files.keyFile)}
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`);
  return { dir, files, inventory };
}

test('render with an external etcd: no etcd.yaml, no etcd CA files, the user\'s files at the flags\' paths (key 0600), no etcd CA made', async () => {
  const { dir, files, inventory } = await workspace();
  await run(process.execPath, [cli, 'render', inventory, '--out', join(dir, 'out')]);
  const root = join(dir, 'out', 'cp1');
  const rendered = (await walk(root)).map((p) => `/${relative(root, p)}`);
  assert.ok(!rendered.includes('/etc/kubernetes/manifests/etcd.yaml'), rendered.join('\n'));
  for (const gone of ['etcd/ca.key', 'etcd/server.crt', 'etcd/server.key', 'etcd/peer.crt', 'etcd/peer.key', 'etcd/healthcheck-client.crt', 'etcd/healthcheck-client.key']) {
    assert.ok(!rendered.includes(`/etc/kubernetes/pki/${gone}`), `${gone} rendered`);
  }
  const copied: [string, string, number][] = [
    ['/etc/kubernetes/pki/etcd/ca.crt', files.caFile, 0o644],
    ['/etc/kubernetes/pki/apiserver-etcd-client.crt', files.certFile, 0o644],
    ['/etc/kubernetes/pki/apiserver-etcd-client.key', files.keyFile, 0o600],
  ];
  for (const [path, source, mode] of copied) {
    assert.equal(await readFile(join(root, path), 'utf8'), await readFile(source, 'utf8'), path);
    assert.equal((await stat(join(root, path))).mode & 0o777, mode, path);
  }
  const pod = parse(await readFile(join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8')) as { spec: { containers: { command: string[] }[] } };
  const command = pod.spec.containers[0]?.command ?? [];
  assert.deepEqual(command.filter((a) => a.startsWith('--etcd-')), [
    '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
    '--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt',
    '--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key',
    '--etcd-servers=https://10.7.0.20:2379,https://10.7.0.21:2379',
  ]);
  const inv = await loadInventory(inventory);
  assert.ok(!existsSync(join(inv.stateDir, 'pki', 'etcd')), 'an etcd CA was made in the state directory');
  // A worker gets none of it.
  const worker = join(dir, 'out', 'w1');
  assert.ok(!(await walk(worker)).some((p) => relative(worker, p).includes('etcd')));
  // A second render writes the same bytes.
  await run(process.execPath, [cli, 'render', inventory, '--out', join(dir, 'again')]);
  for (const [path] of copied) assert.equal(await readFile(join(dir, 'again', 'cp1', path), 'utf8'), await readFile(join(root, path), 'utf8'));
});

test('images list and the images phase leave etcd out with an external etcd, as kubeadm config images list does', async () => {
  const { inventory } = await workspace();
  const { stdout } = await run(process.execPath, [cli, 'images', 'list', inventory]);
  assert.doesNotMatch(stdout, /etcd/);
  assert.match(stdout, /kube-apiserver:v1\.28\.4/);
  const inv = await loadInventory(inventory);
  assert.ok(!imagesForHost(inv, inv.hosts[0]!).some((i) => i.includes('/etcd:')));
});

test('a client key others can read, or one that is not the certificate\'s, is refused: exit 2, the message alone, no key material', async () => {
  const { dir, files, inventory } = await workspace();
  const key = await readFile(files.keyFile, 'utf8');
  await chmod(files.keyFile, 0o640);
  const shared = await run(process.execPath, [cli, 'render', inventory, '--out', join(dir, 'out')]).then(() => assert.fail('render accepted a group-readable key'), (e: { code: number; stderr: string }) => e);
  assert.equal(shared.code, 2);
  assert.equal(shared.stderr.trim(), `cluster.etcd.external.keyFile ${files.keyFile} is readable by its group (mode 0640) and is the etcd client's private key: check who could have read it, then run chmod 600 '${files.keyFile}'`);
  await chmod(files.keyFile, 0o600);
  await copyFile(join(files.dir, 'server.key'), files.keyFile);
  const foreign = await run(process.execPath, [cli, 'render', inventory, '--out', join(dir, 'out')]).then(() => assert.fail('render accepted a foreign key'), (e: { code: number; stderr: string }) => e);
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /is not the private key of certFile/);
  assert.doesNotMatch(foreign.stderr + shared.stderr, /PRIVATE KEY|^\s+at /m);
  assert.ok(!foreign.stderr.includes(key.split('\n')[1] ?? '\0'));
});

test('kubeadm-config stores etcd.external with the paths on the hosts, for v1beta3 and v1beta4', async () => {
  const { inventory } = await workspace();
  const inv = await loadInventory(inventory);
  for (const version of ['v1.28.4', 'v1.31.0']) {
    const config = parse(clusterConfigurationYaml(inv, version)) as { etcd: Record<string, unknown> };
    assert.deepEqual(config.etcd, {
      external: {
        caFile: '/etc/kubernetes/pki/etcd/ca.crt',
        certFile: '/etc/kubernetes/pki/apiserver-etcd-client.crt',
        endpoints: ['https://10.7.0.20:2379', 'https://10.7.0.21:2379'],
        keyFile: '/etc/kubernetes/pki/apiserver-etcd-client.key',
      },
    });
  }
});

test('reset leaves an external etcd\'s data alone; preflight needs no etcd port free', async () => {
  const { inventory } = await workspace();
  const inv = await loadInventory(inventory);
  const steps = resetSteps(inv, inv.hosts[0]!, { kubernetesVersion: 'v1.28.4' });
  assert.ok(!steps.some((s) => 'path' in s && s.path === '/var/lib/etcd'), JSON.stringify(steps));
  assert.ok(resetSummary(inv).some((l) => l.includes('external etcd')));
  assert.ok(!resetSummary(inv).some((l) => l.includes('/var/lib/etcd')));
  assert.deepEqual(requiredPorts('control-plane', 6443, true).map((p) => p.port), [6443, 10259, 10257, 10250]);
  assert.deepEqual(requiredPorts('control-plane', 6443).map((p) => p.port), [6443, 10259, 10257, 10250, 2379, 2380]);
});

test('several control planes with an external etcd: each gets the user\'s files and no etcd.yaml, no etcd member is added, no quorum warning', async () => {
  const { dir, inventory } = await workspace();
  const text = (await readFile(inventory, 'utf8'))
    .replace('  kubernetesVersion: v1.28.4\n', '  kubernetesVersion: v1.28.4\n  controlPlaneEndpoint: lb.example.com:6443\n')
    .replace('  - { name: w1,', '  - { name: cp2, address: 10.7.0.151, roles: [control-plane] }\n  - { name: w1,');
  await writeFile(inventory, text);
  const inv = await loadInventory(inventory);
  assert.deepEqual(inv.warnings ?? [], []);
  const { stdout } = await run(process.execPath, [cli, 'render', inventory, '--out', join(dir, 'out')]);
  assert.match(stdout, /etcd is external, so no member is added/);
  for (const name of ['cp1', 'cp2']) {
    const root = join(dir, 'out', name);
    const rendered = (await walk(root)).map((p) => `/${relative(root, p)}`);
    assert.ok(!rendered.includes('/etc/kubernetes/manifests/etcd.yaml'), name);
    assert.ok(rendered.includes('/etc/kubernetes/pki/apiserver-etcd-client.key'), name);
    assert.ok(!rendered.some((p) => /etcd\/(server|peer|healthcheck-client|ca\.key)/.test(p)), name);
  }
});
