/**
 * `bootstrap render` end to end, through the real CLI: exactly the files `up` writes, kubeadm's modes, PKI that
 * the real openssl verifies, manifests equal to the golden files, patches applied, and byte-identical re-renders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers.js';
import { assertGolden } from '../golden.js';

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

async function workspace(version: string, extra = ''): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-render-'));
  await writeFile(join(dir, 'inventory.yaml'), `cluster:
  kubernetesVersion: ${version}
  networking: { podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12 }
${extra}hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`);
  return dir;
}

async function render(dir: string) {
  return run(process.execPath, [cli, 'render', join(dir, 'inventory.yaml'), '--out', join(dir, 'out')]);
}

const EXPECTED_V128 = [
  '/etc/kubernetes/admin.conf 600',
  '/etc/kubernetes/controller-manager.conf 600',
  '/etc/kubernetes/kubelet.conf 600',
  '/etc/kubernetes/manifests/etcd.yaml 600',
  '/etc/kubernetes/manifests/kube-apiserver.yaml 600',
  '/etc/kubernetes/manifests/kube-controller-manager.yaml 600',
  '/etc/kubernetes/manifests/kube-scheduler.yaml 600',
  '/etc/kubernetes/pki/apiserver-etcd-client.crt 644',
  '/etc/kubernetes/pki/apiserver-etcd-client.key 600',
  '/etc/kubernetes/pki/apiserver-kubelet-client.crt 644',
  '/etc/kubernetes/pki/apiserver-kubelet-client.key 600',
  '/etc/kubernetes/pki/apiserver.crt 644',
  '/etc/kubernetes/pki/apiserver.key 600',
  '/etc/kubernetes/pki/ca.crt 644',
  '/etc/kubernetes/pki/ca.key 600',
  '/etc/kubernetes/pki/etcd/ca.crt 644',
  '/etc/kubernetes/pki/etcd/ca.key 600',
  '/etc/kubernetes/pki/etcd/healthcheck-client.crt 644',
  '/etc/kubernetes/pki/etcd/healthcheck-client.key 600',
  '/etc/kubernetes/pki/etcd/peer.crt 644',
  '/etc/kubernetes/pki/etcd/peer.key 600',
  '/etc/kubernetes/pki/etcd/server.crt 644',
  '/etc/kubernetes/pki/etcd/server.key 600',
  '/etc/kubernetes/pki/front-proxy-ca.crt 644',
  '/etc/kubernetes/pki/front-proxy-ca.key 600',
  '/etc/kubernetes/pki/front-proxy-client.crt 644',
  '/etc/kubernetes/pki/front-proxy-client.key 600',
  '/etc/kubernetes/pki/sa.key 600',
  '/etc/kubernetes/pki/sa.pub 600',
  '/etc/kubernetes/scheduler.conf 600',
  '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf 644',
  '/var/lib/kubelet/config.yaml 644',
  '/var/lib/kubelet/kubeadm-flags.env 644',
];

test('render writes exactly the files up writes, with kubeadm modes; workers get their kubelet files; the state dir is private', async () => {
  const dir = await workspace('v1.28.15');
  const { stdout } = await render(dir);
  assert.match(stdout, /^cp1: 33 files under .*\/out\/cp1$/m);
  assert.match(stdout, /^w1: 3 files under .*\/out\/w1$/m);
  assert.match(stdout, /bootstrap-kubelet\.conf \(the join token\) is written at join time/);
  const worker = join(dir, 'out', 'w1');
  assert.deepEqual((await walk(worker)).map((f) => `/${relative(worker, f)}`), [
    '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
    '/var/lib/kubelet/config.yaml',
    '/var/lib/kubelet/kubeadm-flags.env',
  ]);
  // A worker's config.yaml is the cluster's kubelet ConfigMap: what the first control plane has.
  assert.equal(await readFile(join(worker, 'var/lib/kubelet/config.yaml'), 'utf8'), await readFile(join(dir, 'out/cp1/var/lib/kubelet/config.yaml'), 'utf8'));
  assert.match(await readFile(join(worker, 'var/lib/kubelet/kubeadm-flags.env'), 'utf8'), /--hostname-override=w1|^KUBELET_KUBEADM_ARGS=/m);
  const root = join(dir, 'out', 'cp1');
  const files = await walk(root);
  const listed = await Promise.all(files.map(async (f) => `/${relative(root, f)} ${((await stat(f)).mode & 0o777).toString(8)}`));
  assert.deepEqual(listed, EXPECTED_V128);
  assert.deepEqual(await readdir(join(dir, 'out')), ['cp1', 'w1']);
  assert.equal((await stat(join(dir, '.bootstrap', 'inventory', 'pki'))).mode & 0o777, 0o700);
});

test('rendered manifests equal the golden files written from kubeadm v1.21, v1.24, v1.28 and v1.37', async () => {
  for (const version of ['v1.21.14', 'v1.24.17', 'v1.28.15', 'v1.37.1']) {
    const dir = await workspace(version);
    await render(dir);
    for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      const got = await readFile(join(dir, 'out/cp1/etc/kubernetes/manifests', `${component}.yaml`), 'utf8');
      assertGolden(`manifests/${version}/${component}.yaml`, got);
    }
  }
});

test('every rendered leaf verifies against its CA with the real openssl; apiserver SANs are kubeadm\'s', async () => {
  const dir = await workspace('v1.30.4', '');
  await render(dir);
  const pki = join(dir, 'out/cp1/etc/kubernetes/pki');
  const pairs: [string, string][] = [
    ['ca.crt', 'apiserver.crt'],
    ['ca.crt', 'apiserver-kubelet-client.crt'],
    ['etcd/ca.crt', 'apiserver-etcd-client.crt'],
    ['etcd/ca.crt', 'etcd/server.crt'],
    ['etcd/ca.crt', 'etcd/peer.crt'],
    ['etcd/ca.crt', 'etcd/healthcheck-client.crt'],
    ['front-proxy-ca.crt', 'front-proxy-client.crt'],
  ];
  for (const [ca, leaf] of pairs) {
    const { stdout } = await run('openssl', ['verify', '-CAfile', join(pki, ca), join(pki, leaf)]);
    assert.equal(stdout.trim(), `${join(pki, leaf)}: OK`);
  }
  const { stdout: text } = await run('openssl', ['x509', '-in', join(pki, 'apiserver.crt'), '-noout', '-ext', 'subjectAltName']);
  for (const san of ['DNS:cp1', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local', 'IP Address:10.96.0.1', 'IP Address:10.7.0.149']) {
    assert.ok(text.includes(san), `${san} missing from ${text}`);
  }
});

test('a second render is byte-identical; the CA is reused', async () => {
  const dir = await workspace('v1.29.6');
  await render(dir);
  const first = new Map(await Promise.all((await walk(join(dir, 'out'))).map(async (f) => [f, await readFile(f, 'base64')] as const)));
  await render(dir);
  const second = new Map(await Promise.all((await walk(join(dir, 'out'))).map(async (f) => [f, await readFile(f, 'base64')] as const)));
  assert.deepEqual(second, first);
  assert.ok([...first.keys()].some((f) => f.endsWith('/etc/kubernetes/super-admin.conf')), 'v1.29 writes super-admin.conf');
});

test('the patches directory applies to the static Pods and the kubelet configuration', async () => {
  const dir = await workspace('v1.28.15', 'patches: ./patches\n');
  await mkdir(join(dir, 'patches'));
  await writeFile(join(dir, 'patches', 'kube-apiserver+json.yaml'), '- op: add\n  path: /spec/containers/0/command/-\n  value: --audit-log-maxage=7\n');
  await writeFile(join(dir, 'patches', 'etcd.yaml'), 'metadata:\n  labels:\n    team: platform\n');
  await writeFile(join(dir, 'patches', 'kubeletconfiguration+merge.yaml'), 'maxPods: 42\n');
  await render(dir);
  const manifests = join(dir, 'out/cp1/etc/kubernetes/manifests');
  assert.match(await readFile(join(manifests, 'kube-apiserver.yaml'), 'utf8'), /\n {4}- --tls-private-key-file=\/etc\/kubernetes\/pki\/apiserver.key\n {4}- --audit-log-maxage=7\n/);
  assert.match(await readFile(join(manifests, 'etcd.yaml'), 'utf8'), /\n {4}team: platform\n/);
  assert.match(await readFile(join(dir, 'out/cp1/var/lib/kubelet/config.yaml'), 'utf8'), /\nmaxPods: 42\n/);
});

test('render without --out is a usage error (exit 2)', async () => {
  const dir = await workspace('v1.28.15');
  await assert.rejects(run(process.execPath, [cli, 'render', join(dir, 'inventory.yaml')]), (e: { code: number; stderr: string }) => e.code === 2 && /Usage: bootstrap render/.test(e.stderr));
});

test('a first render in a git checkout leaves git status clean of the state directory', async () => {
  const checkout = await mkdtemp(join(tmpdir(), 'bootstrap-checkout-'));
  const inventories = join(checkout, 'inventories');
  await mkdir(inventories);
  await writeFile(join(inventories, 'minimal.yaml'), await readFile(join(await workspace('v1.28.15'), 'inventory.yaml'), 'utf8'));
  await run('git', ['init', '--quiet'], { cwd: checkout });
  await run('git', ['add', 'inventories/minimal.yaml'], { cwd: checkout });
  const out = await mkdtemp(join(tmpdir(), 'bootstrap-render-out-'));
  await run(process.execPath, [cli, 'render', join(inventories, 'minimal.yaml'), '--out', out]);
  assert.equal(await readFile(join(inventories, '.bootstrap', 'minimal', 'pki', 'ca.crt'), 'utf8').then(() => 'made'), 'made');
  const { stdout } = await run('git', ['status', '--porcelain', '--untracked-files=all', '--ignored=no'], { cwd: checkout });
  assert.equal(stdout, 'A  inventories/minimal.yaml\n');
});

test('a loosened key in the state directory: render exits 2 with the path, the modes and the chmod, no stack trace', async () => {
  const dir = await workspace('v1.28.15');
  await render(dir);
  const key = join(dir, '.bootstrap', 'inventory', 'pki', 'etcd', 'ca.key');
  await chmod(key, 0o644);
  await assert.rejects(render(dir), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2, e.stderr);
    assert.match(e.stderr, new RegExp(`${key}: mode 0644, expected 0600`));
    assert.match(e.stderr, new RegExp(`chmod 600 '${key}'`));
    assert.doesNotMatch(e.stderr, /\n\s+at /, 'no stack trace');
    return true;
  });
  assert.equal((await stat(key)).mode & 0o777, 0o644);
});
