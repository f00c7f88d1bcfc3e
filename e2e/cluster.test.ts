/**
 * A whole cluster on the lab, judged by the real kubectl: `bootstrap up` with one control plane and two workers
 * ends with three Nodes carrying kubeadm's labels and taints, kubeadm's objects readable and equal to what
 * kubeadm of that version creates, a re-run that changes nothing, join-command's CA hash equal to openssl's,
 * a reset worker that rejoins, and the diagnosis of a join that cannot finish (token rejected, CSR not approved).
 * Once for v1.28 and once for v1.23, where labels, taints and ConfigMap names differ.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { upToDate } from '../src/api/apply.js';
import { clusterInfoObjects, corednsObjects, kubeProxyObjects, markControlPlane, nodeBootstrapRbac, uploadConfigObjects, clusterAdminsObjects } from '../src/cluster/index.js';
import { objectName, type KubeObject } from '../src/cluster/objects.js';
import { resetHosts } from '../src/commands/reset.js';
import { loadInventory } from '../src/inventory/index.js';
import { clusterVersion } from '../src/kube/version.js';
import { controlPlaneEndpoint } from '../src/pki/endpoints.js';
import { hostPkiDir } from '../src/pki/index.js';
import { failures, upReport, variant } from './runs.js';
import { DockerCli } from './lab/docker.js';
import { defaultUpOptions, down, up as labUp } from './lab/lab.js';
import { kubectlBinary } from './lab/testing.js';
import { defaultRepoRoot, labExists, type LabState } from './lab/state.js';

const run = promisify(execFile);
const repoRoot = defaultRepoRoot();
const cli = join(repoRoot, 'dist/src/cli/main.js');
const quiet = () => undefined;

function clusterSuite(version: string, expect: { kubeletConfigMap: string; controlPlaneLabels: string[]; controlPlaneTaints: string[] }) {
  describe(`a whole cluster on the lab (${version}: one control plane, two workers)`, { concurrency: 1 }, () => {
    let lab: LabState;
    let docker: DockerCli;
    let kubectlBin: string;
    let admin: string;
    const kubectl = async (...args: string[]) => (await run(kubectlBin, ['--kubeconfig', admin, ...args], { maxBuffer: 64 << 20 })).stdout;
    const getJson = async (...args: string[]) => JSON.parse(await kubectl('get', ...args, '-o', 'json')) as KubeObject & { items?: KubeObject[] };
    const node = (name: string) => lab.nodes.find((n) => n.name === name)!.container;

    before(async () => {
      kubectlBin = await kubectlBinary();
      if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
      lab = await labUp(repoRoot, defaultUpOptions({ hosts: 3, controlPlanes: 1, kubernetesVersion: version, log: quiet }));
      docker = new DockerCli(lab.docker.host);
    });

    after(async () => {
      if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
    });

    it('up ends with three Nodes, listed by kubectl with kubeadm\'s labels and taints', async () => {
      const report = await upReport(lab.inventory);
      assert.equal(report.ok, true, failures(report));
      assert.ok(report.adminKubeconfig);
      admin = report.adminKubeconfig;
      const wide = await kubectl('get', 'nodes', '-o', 'wide');
      for (const name of ['cp1', 'w1', 'w2']) assert.match(wide, new RegExp(`^${name}\\s`, 'm'), wide);
      const nodes = (await getJson('nodes')).items ?? [];
      assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['cp1', 'w1', 'w2']);
      const cp1 = nodes.find((n) => n.metadata.name === 'cp1')!;
      for (const label of expect.controlPlaneLabels) assert.ok(label in (cp1.metadata.labels ?? {}), `cp1 lacks ${label}: ${JSON.stringify(cp1.metadata.labels)}`);
      const taints = ((cp1.spec as { taints?: { key: string; effect: string }[] }).taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
      assert.deepEqual(taints, [...expect.controlPlaneTaints].sort());
      for (const w of ['w1', 'w2']) {
        const labels = nodes.find((n) => n.metadata.name === w)!.metadata.labels ?? {};
        assert.ok(!Object.keys(labels).some((l) => l.startsWith('node-role.kubernetes.io/')), `${w} has a role label`);
      }
      // No CNI on the lab: every Node NotReady with the kubelet's reason, and the report says so.
      for (const n of report.nodes ?? []) assert.equal(n.ready, false, JSON.stringify(n));
      assert.ok(report.hosts.find((h) => h.name === 'cp1')!.notes.some((l) => l.includes('CNI')), 'the report does not say how to add a CNI');
      const mark = markControlPlane(clusterVersion(await loadInventory(lab.inventory)));
      assert.deepEqual(Object.keys(mark.labels).sort(), [...expect.controlPlaneLabels].sort());
    });

    it('every object kubeadm creates is readable with kubectl and equal to kubeadm\'s', async () => {
      const inv = await loadInventory(lab.inventory);
      const v = clusterVersion(inv);
      const cp = inv.hosts.find((h) => h.name === 'cp1')!;
      const kubeletConfig = await docker.exec(node('cp1'), ['cat', '/var/lib/kubelet/config.yaml']);
      const ca = await readFile(join(inv.stateDir, 'pki', 'ca.crt'), 'utf8').catch(async () => (await docker.exec(node('cp1'), ['cat', '/etc/kubernetes/pki/ca.crt'])).stdout);
      const server = controlPlaneEndpoint(inv, cp);
      const expected = [
        ...clusterAdminsObjects(v),
        ...uploadConfigObjects(inv, v, kubeletConfig.stdout),
        ...nodeBootstrapRbac(v),
        ...clusterInfoObjects(ca, server),
        ...corednsObjects(inv, v),
        ...kubeProxyObjects(inv, v, server),
      ];
      assert.ok(expected.some((o) => o.kind === 'ConfigMap' && o.metadata.name === expect.kubeletConfigMap), `no ${expect.kubeletConfigMap} among ${expected.map(objectName).join(', ')}`);
      for (const o of expected) {
        const kind = o.apiVersion.includes('/') ? `${o.kind.toLowerCase()}.${o.apiVersion.split('/')[0]}` : o.kind.toLowerCase();
        const live = await getJson(kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : []));
        assert.ok(upToDate(live, o), `${objectName(o)} differs from kubeadm's:\nwant ${JSON.stringify(o)}\nhave ${JSON.stringify(live)}`);
      }
      await kubectl('get', 'cm', '-n', 'kube-system', 'kubeadm-config', '-o', 'yaml');
    });

    it('nodes and bootstrap tokens get exactly the rights kubeadm gives them (kubectl auth can-i)', async () => {
      const secrets = (await getJson('secrets', '-n', 'kube-system')).items ?? [];
      const token = secrets.find((s) => (s as { type?: string }).type === 'bootstrap.kubernetes.io/token');
      assert.ok(token, 'no bootstrap token Secret');
      const id = Buffer.from(((token as { data?: Record<string, string> }).data ?? {})['token-id'] ?? '', 'base64').toString();
      const canI = async (...args: string[]) => (await run(kubectlBin, ['--kubeconfig', admin, 'auth', 'can-i', ...args]).then((r) => r.stdout, (e: { stdout?: string }) => e.stdout ?? '')).trim();
      const asBootstrap = ['--as', `system:bootstrap:${id}`, '--as-group', 'system:bootstrappers:kubeadm:default-node-token', '--as-group', 'system:authenticated'];
      assert.equal(await canI('create', 'certificatesigningrequests', ...asBootstrap), 'yes');
      assert.equal(await canI('create', 'certificatesigningrequests/nodeclient', ...asBootstrap), 'yes');
      assert.equal(await canI('get', 'secrets', '-n', 'kube-system', ...asBootstrap), 'no');
      const asNode = ['--as', 'system:node:w1', '--as-group', 'system:nodes', '--as-group', 'system:authenticated'];
      assert.equal(await canI('get', 'nodes', ...asNode), 'yes');
      assert.equal(await canI('create', 'certificatesigningrequests/selfnodeclient', ...asNode), 'yes');
      assert.equal(await canI('delete', 'nodes', ...asNode), 'no');
    });

    it('a re-run changes nothing: no new token, no object updated, no file written', async () => {
      const tokens = async () => ((await getJson('secrets', '-n', 'kube-system')).items ?? []).filter((s) => (s as { type?: string }).type === 'bootstrap.kubernetes.io/token').map((s) => s.metadata.name).sort();
      const before = await tokens();
      const report = await upReport(lab.inventory);
      assert.equal(report.ok, true, failures(report));
      assert.deepEqual(report.hosts.flatMap((h) => h.changed), []);
      assert.equal(report.changed, false);
      assert.deepEqual(await tokens(), before);
    });

    it('status shows every Node with its readiness and roles, one the inventory lacks, and kubeadm\'s objects', async () => {
      const stray = join(await mkdtemp(join(tmpdir(), 'bootstrap-e2e-node-')), 'node.yaml');
      await writeFile(stray, 'apiVersion: v1\nkind: Node\nmetadata:\n  name: stray\n');
      // The lab API server publishes no OpenAPI schemas, so kubectl's client-side validation is off here.
      await kubectl('create', '--validate=false', '-f', stray);
      try {
        const { stdout } = await run(process.execPath, [cli, 'status', lab.inventory, '-o', 'json'], { cwd: repoRoot }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
        const status = JSON.parse(stdout) as { cluster?: { nodes: { name: string; ready: boolean; roles: string[]; inInventory: boolean; message?: string; kubeletVersion?: string }[]; objects: { object: string; present: boolean }[] } };
        assert.ok(status.cluster, stdout);
        assert.deepEqual(status.cluster.nodes.map((n) => [n.name, n.inInventory]), [['cp1', true], ['stray', false], ['w1', true], ['w2', true]]);
        const cp1 = status.cluster.nodes.find((n) => n.name === 'cp1')!;
        assert.ok(cp1.roles.includes('control-plane') || cp1.roles.includes('master'), JSON.stringify(cp1));
        assert.equal(cp1.kubeletVersion, version);
        assert.match(cp1.message ?? '', /network/i);
        assert.deepEqual(status.cluster.objects.filter((o) => !o.present), []);
        const text = (await run(process.execPath, [cli, 'status', lab.inventory], { cwd: repoRoot }).catch((e: { stdout: string }) => ({ stdout: e.stdout }))).stdout;
        assert.match(text, /^  stray NotReady .*not in the inventory/m);
      } finally {
        await kubectl('delete', 'node', 'stray');
      }
    });

    it('status lists the etcd members as etcdctl does: ID, name, peer URL, voter and leader, healthy', async () => {
      const { stdout } = await run(process.execPath, [cli, 'status', lab.inventory, '-o', 'json'], { cwd: repoRoot }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
      const status = JSON.parse(stdout) as { etcd?: { members: { id: string; name: string; peerURL: string; clientURL: string; learner: boolean; leader: boolean; healthy: boolean }[] } };
      assert.ok(status.etcd, stdout);
      // The outside judge: Debian's etcdctl, with the same client certificate, straight to the member.
      const stateDir = (await loadInventory(lab.inventory)).stateDir;
      const cp1 = lab.nodes.find((n) => n.name === 'cp1')!;
      const tls = ['--endpoints', `https://${cp1.address}:2379`, '--cacert', join(stateDir, 'pki', 'etcd', 'ca.crt'),
        '--cert', join(hostPkiDir(stateDir, 'cp1'), 'etcd', 'healthcheck-client.crt'), '--key', join(hostPkiDir(stateDir, 'cp1'), 'etcd', 'healthcheck-client.key')];
      const env = { ...process.env, ETCDCTL_API: '3' };
      // "<id>, started, <name>, <peer URLs>, <client URLs>, <is learner>"
      const members = (await run('etcdctl', [...tls, 'member', 'list', '-w', 'simple'], { env })).stdout.trim().split('\n').map((l) => l.split(', '));
      // "<endpoint>, <id>, <version>, <db size>, <is leader>, <is learner>, …"
      const endpoint = (await run('etcdctl', [...tls, 'endpoint', 'status', '-w', 'simple'], { env })).stdout.trim().split(', ');
      assert.deepEqual(status.etcd.members.map((m) => [m.id, m.name, m.peerURL, m.clientURL, String(m.learner)]), members.map((m) => [m[0], m[2], m[3], m[4], m[5]]));
      assert.deepEqual(status.etcd.members.map((m) => [m.id, m.leader, m.healthy]), [[endpoint[1], endpoint[4] === 'true', true]]);
      const text = (await run(process.execPath, [cli, 'status', lab.inventory], { cwd: repoRoot })).stdout;
      assert.match(text, new RegExp(`^etcd members:\\n  ${endpoint[1]} +cp1 +https://${cp1.address.replace(/\./g, '\\.')}:2380 +voter, leader +healthy$`, 'm'));
    });

    it('join-command prints kubeadm\'s line, its CA hash equal to openssl\'s', async () => {
      const { stdout } = await run(process.execPath, [cli, 'join-command', lab.inventory], { cwd: repoRoot });
      const match = /^kubeadm join (\S+) --token ([a-z0-9]{6}\.[a-z0-9]{16}) --discovery-token-ca-cert-hash sha256:([0-9a-f]{64})$/m.exec(stdout.trim());
      assert.ok(match, stdout);
      const ca = join(await mkdtemp(join(tmpdir(), 'bootstrap-e2e-ca-')), 'ca.crt');
      await writeFile(ca, (await docker.exec(node('cp1'), ['cat', '/etc/kubernetes/pki/ca.crt'])).stdout);
      const { stdout: openssl } = await run('sh', ['-c', 'openssl x509 -pubkey -noout -in "$1" | openssl pkey -pubin -outform der | sha256sum', 'sh', ca]);
      assert.equal(match[3], openssl.split(' ')[0]);
    });

    it('addons.manifests are applied after the built-in addons; with a CNI configured, wait.nodesReady sees every Node Ready', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'bootstrap-e2e-cni-'));
      await writeFile(join(dir, 'cni.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab-cni\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lab-cni-config\n  namespace: lab-cni\ndata:\n  plugin: bridge\n');
      const withCni = await variant(lab.inventory, (doc) => {
        doc.setIn(['addons', 'manifests'], [join(dir, 'cni.yaml')]);
        doc.setIn(['wait', 'nodesReady'], true);
      });
      // What a CNI's DaemonSet does on each node: a network configuration in /etc/cni/net.d, which the runtime reports.
      const conf = JSON.stringify({ cniVersion: '0.4.0', name: 'lab', plugins: [{ type: 'bridge', bridge: 'cni0', ipam: { type: 'host-local', subnet: '10.244.0.0/16' } }] });
      for (const name of ['cp1', 'w1', 'w2']) await docker.exec(node(name), ['sh', '-c', 'mkdir -p /etc/cni/net.d && printf %s "$1" > /etc/cni/net.d/10-lab.conflist', 'sh', conf]);
      try {
        const report = await upReport(withCni);
        assert.equal(report.ok, true, failures(report));
        assert.deepEqual((report.nodes ?? []).map((n) => [n.name, n.ready]), [['cp1', true], ['w1', true], ['w2', true]]);
        assert.equal(JSON.parse(await kubectl('get', 'cm', '-n', 'lab-cni', 'lab-cni-config', '-o', 'json')).data.plugin, 'bridge');
        assert.ok(report.hosts.find((h) => h.name === 'cp1')!.changed.includes('created lab-cni/ConfigMap/lab-cni-config'), JSON.stringify(report.hosts.find((h) => h.name === 'cp1')!.changed));
      } finally {
        for (const name of ['cp1', 'w1', 'w2']) await docker.exec(node(name), ['rm', '-f', '/etc/cni/net.d/10-lab.conflist']);
      }
    });

    it('a worker reset alone rejoins on the next up', async () => {
      const reset = await resetHosts(await loadInventory(lab.inventory), { yes: true, renderer: 'silent', hosts: ['w2'] });
      assert.equal(reset.ok, true, JSON.stringify(reset.hosts));
      assert.deepEqual(reset.hosts.map((h) => h.name), ['w2']);
      const report = await upReport(lab.inventory);
      assert.equal(report.ok, true, failures(report));
      assert.ok(report.hosts.find((h) => h.name === 'w2')!.changed.includes('joined Node/w2'));
      const certs = await docker.exec(node('w2'), ['sh', '-c', 'ls /var/lib/kubelet/pki; test ! -e /etc/kubernetes/bootstrap-kubelet.conf && echo no-bootstrap-conf']);
      assert.match(certs.stdout, /kubelet-client-current\.pem/);
      assert.match(certs.stdout, /no-bootstrap-conf/);
    });

    it('a join whose CSR nobody approves fails within the wait with that diagnosis', async () => {
      const noApprover = await variant(lab.inventory, (doc) => {
        doc.setIn(['cluster', 'controllerManager', 'extraArgs', 'controllers'], '*,bootstrapsigner,tokencleaner,-csrapproving');
      });
      await resetHosts(await loadInventory(lab.inventory), { yes: true, renderer: 'silent', hosts: ['w2'] });
      const report = await upReport(noApprover, { waitTimeoutMs: 45_000 });
      const w2 = report.hosts.find((h) => h.name === 'w2')!;
      assert.equal(w2.ok, false);
      assert.match(w2.error ?? '', /CSR \S+ from system:bootstrap:\w+ is not approved/);
      assert.doesNotMatch(JSON.stringify(report), /[a-z0-9]{6}\.[a-z0-9]{16}/, 'the report holds a join token');
    });

    it('a join with a token the API server rejects fails with that diagnosis, and a normal up then converges', async () => {
      const noTokens = await variant(lab.inventory, (doc) => {
        doc.setIn(['cluster', 'apiServer', 'extraArgs', 'enable-bootstrap-token-auth'], 'false');
      });
      await resetHosts(await loadInventory(lab.inventory), { yes: true, renderer: 'silent', hosts: ['w2'] });
      const report = await upReport(noTokens, { waitTimeoutMs: 45_000 });
      const w2 = report.hosts.find((h) => h.name === 'w2')!;
      assert.equal(w2.ok, false);
      assert.match(w2.error ?? '', /rejects join token \w+ \(401 Unauthorized\)/);
      const healed = await upReport(lab.inventory);
      assert.equal(healed.ok, true, failures(healed));
      assert.deepEqual((healed.nodes ?? []).map((n) => n.name), ['cp1', 'w1', 'w2']);
    });
  });
}

clusterSuite('v1.28.4', {
  kubeletConfigMap: 'kubelet-config',
  controlPlaneLabels: ['node-role.kubernetes.io/control-plane', 'node.kubernetes.io/exclude-from-external-load-balancers'],
  controlPlaneTaints: ['node-role.kubernetes.io/control-plane:NoSchedule'],
});

clusterSuite('v1.23.17', {
  kubeletConfigMap: 'kubelet-config-1.23',
  controlPlaneLabels: ['node-role.kubernetes.io/master', 'node-role.kubernetes.io/control-plane', 'node.kubernetes.io/exclude-from-external-load-balancers'],
  controlPlaneTaints: ['node-role.kubernetes.io/master:NoSchedule'],
});
