/**
 * A node named by its IP address (kubespray inventories do this), through the real CLI. kubeadm validates node
 * names with IsDNS1123Subdomain only, so "10.7.0.149" is a node name like any other and is used verbatim:
 *  - etcd --name and --initial-cluster (phases/etcd/local.go getEtcdCommand: nodeName),
 *  - certificate SANs: GetAPIServerAltNames and getAltNames (GetEtcdAltNames / GetEtcdPeerAltNames) put
 *    NodeRegistration.Name into DNSNames as is; only the user's certSANs go through appendSANsToAltNames,
 *    which would move an IP to IPAddresses. So the certificates carry DNS:10.7.0.149, and IP Address:10.7.0.149
 *    only because it is also the advertise address,
 *  - the kubelet's client certificate and kubeconfig user system:node:10.7.0.149.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { repoRoot } from '../helpers.js';
import { assertGolden } from '../golden.js';
import { kubeletFlags } from '../../src/kubelet/index.js';

const run = promisify(execFile);
const cli = join(repoRoot, 'dist/src/cli/main.js');
const NODE = '10.7.0.149';

async function renderIpNode(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-ip-node-'));
  await writeFile(join(dir, 'inventory.yaml'), `cluster:
  kubernetesVersion: v1.21.14
  networking: { podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12 }
hosts:
  - name: ${NODE}
    address: ${NODE}
    roles: [control-plane]
`);
  await run(process.execPath, [cli, 'validate', join(dir, 'inventory.yaml')]);
  const { stdout } = await run(process.execPath, [cli, 'render', join(dir, 'inventory.yaml'), '--out', join(dir, 'out')]);
  assert.match(stdout, new RegExp(`^${NODE.replaceAll('.', '\\.')}: 33 files under `, 'm'));
  return join(dir, 'out', NODE);
}

const command = (manifest: string): string[] => (parse(manifest) as { spec: { containers: { command: string[] }[] } }).spec.containers[0]!.command;

test('a node named by its IP renders kubeadm v1.21\'s static Pods: etcd --name and --initial-cluster carry the name', async () => {
  const root = await renderIpNode();
  const manifests = join(root, 'etc/kubernetes/manifests');
  const etcd = await readFile(join(manifests, 'etcd.yaml'), 'utf8');
  assert.ok(command(etcd).includes(`--name=${NODE}`));
  assert.ok(command(etcd).includes(`--initial-cluster=${NODE}=https://${NODE}:2380`));
  assertGolden('ip-node/v1.21.14/etcd.yaml', etcd);
  // The other components do not use the node name: they are the usual v1.21 manifests.
  for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    const got = await readFile(join(manifests, `${component}.yaml`), 'utf8');
    const golden = await readFile(join(repoRoot, 'test/golden/manifests/v1.21.14', `${component}.yaml`), 'utf8');
    assert.deepEqual(command(got), command(golden), component);
    assert.equal(got, golden, component);
  }
});

test('a node named by its IP gets kubeadm\'s SANs: the name as a DNS SAN, the advertise address as an IP SAN', async () => {
  const root = await renderIpNode();
  const pki = join(root, 'etc/kubernetes/pki');
  const sans = async (cert: string) => {
    const { stdout } = await run('openssl', ['x509', '-in', join(pki, cert), '-noout', '-ext', 'subjectAltName']);
    return stdout.split('\n').slice(1).join('').trim();
  };
  const subject = async (cert: string) => (await run('openssl', ['x509', '-in', join(pki, cert), '-noout', '-subject', '-nameopt', 'RFC2253'])).stdout.trim();
  assert.equal(
    await sans('apiserver.crt'),
    `DNS:${NODE}, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:${NODE}`,
  );
  for (const cert of ['etcd/server.crt', 'etcd/peer.crt']) {
    assert.equal(await sans(cert), `DNS:${NODE}, DNS:localhost, IP Address:${NODE}, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1`, cert);
    assert.equal(await subject(cert), `subject=CN=${NODE}`, cert);
  }
  const kubelet = parse(await readFile(join(root, 'etc/kubernetes/kubelet.conf'), 'utf8')) as {
    contexts: { context: { user: string } }[];
    users: { name: string; user: { 'client-certificate-data': string } }[];
  };
  assert.equal(kubelet.contexts[0]?.context.user, `system:node:${NODE}`);
  assert.equal(kubelet.users[0]?.name, `system:node:${NODE}`);
  const certFile = join(root, 'kubelet-client.crt');
  await writeFile(certFile, Buffer.from(kubelet.users[0]!.user['client-certificate-data'], 'base64'));
  const { stdout } = await run('openssl', ['x509', '-in', certFile, '-noout', '-subject', '-nameopt', 'RFC2253']);
  assert.equal(stdout.trim(), `subject=CN=system:node:${NODE},O=system:nodes`);
  // No --hostname-override without the host's hostname (render has no facts), as for any other name.
  assert.equal(await readFile(join(root, 'var/lib/kubelet/kubeadm-flags.env'), 'utf8'), 'KUBELET_KUBEADM_ARGS="--network-plugin=cni --pod-infra-container-image=k8s.gcr.io/pause:3.4.1"\n');
});

test('up on a node named by its IP: the host\'s own hostname differs, so kubeadm\'s --hostname-override carries the IP name', () => {
  // flags.go: hostname-override is set when nodeRegistration.name differs from the (lowercased) hostname.
  const flags = kubeletFlags({ kubernetesVersion: 'v1.21.14', criSocket: '/var/run/dockershim.sock', pauseImage: 'k8s.gcr.io/pause:3.4.1', nodeName: NODE, hostname: 'Node-149' });
  assert.equal(flags.get('hostname-override'), NODE);
  const same = kubeletFlags({ kubernetesVersion: 'v1.21.14', criSocket: '/var/run/dockershim.sock', pauseImage: 'k8s.gcr.io/pause:3.4.1', nodeName: NODE, hostname: NODE });
  assert.equal(same.has('hostname-override'), false);
});
