/**
 * Private-registry credentials for the cluster's own workloads, on the lab: a Pod whose image is only in the
 * lab's htpasswd registry runs on every node through kubelet's node-level credentials (the node's real
 * containerd pulls it through the CRI), and through the namespace's default ServiceAccount's pull Secret when
 * the nodes have none; without either it fails with ErrImagePull. Changing the registry's password and
 * re-running up keeps both working and changes nothing else; a namespace dropped from the list loses the Secret.
 * No password appears in bootstrap's output, its JSON, or any process on a node. Judged by the real kubectl.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { UpReport } from '../src/commands/up.js';
import { catalogImages } from '../src/kube/images.js';
import { KUBELET_DOCKER_CONFIG } from '../src/registries/node.js';
import { LAB_PREFLIGHT_IGNORES } from './ignores.js';
import { failures, upReport, variant } from './runs.js';
import { ProcessWatch } from './process-watch.js';
import { DockerCli, runCommand } from './lab/docker.js';
import { setRegistryPassword } from './lab/faults.js';
import { defaultUpOptions, down, up as labUp } from './lab/lab.js';
import { kubectlBinary } from './lab/testing.js';
import { defaultRepoRoot, labExists, type LabState } from './lab/state.js';

const run = promisify(execFile);
const repoRoot = defaultRepoRoot();
const quiet = () => undefined;
const cli = join(repoRoot, 'dist/src/cli/main.js');
const VERSION = 'v1.28.4';
const NODES = ['cp1', 'w1', 'w2'];
/** How long a Pod may take to run, or to show its pull failure: pulls of a small image over the lab network. */
const POD_WAIT_MS = 90_000;

interface PodStatus {
  metadata: { name: string };
  spec: { nodeName?: string; imagePullSecrets?: { name: string }[] };
  status?: { phase?: string; containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[] };
}

describe(`registry credentials for workloads on the lab (${VERSION}: one control plane, two workers)`, { concurrency: 1 }, () => {
  let lab: LabState;
  let docker: DockerCli;
  let kubectlBin: string;
  let admin: string;
  let dockerConfig: string;
  let password: string;
  let image: string;
  let watch: ProcessWatch;
  const reports: UpReport[] = [];
  const kubectl = async (...args: string[]) => (await run(kubectlBin, ['--kubeconfig', admin, ...args], { maxBuffer: 64 << 20 })).stdout;
  const node = (name: string) => lab.nodes.find((n) => n.name === name)!.container;
  const auth = () => Buffer.from(`${lab.authRegistry.username}:${password}`).toString('base64');

  async function writeDockerConfig(): Promise<void> {
    await writeFile(dockerConfig, JSON.stringify({ auths: { [lab.authRegistry.address]: { auth: auth() } } }), { mode: 0o600 });
  }

  /** The lab inventory plus these registries settings. */
  async function inventoryWith(registries: Record<string, unknown>): Promise<string> {
    return variant(lab.inventory, (doc) => {
      doc.setIn(['images', 'credentials', 'configFile'], dockerConfig);
      doc.set('registries', doc.createNode(registries));
    }, 'registries');
  }

  /** up with the lab inventory plus these registries settings; the report must say ok. */
  async function upWith(registries: Record<string, unknown>): Promise<UpReport> {
    const report = await upReport(await inventoryWith(registries));
    reports.push(report);
    assert.equal(report.ok, true, failures(report));
    admin = report.adminKubeconfig ?? admin;
    return report;
  }

  /** One Pod per node (bound to it, host network: the lab has no CNI), pulling the image anew (Always). */
  async function podsOnEveryNode(namespace: string): Promise<void> {
    const pods = NODES.map((name) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `app-${name}`, namespace },
      spec: {
        nodeName: name,
        hostNetwork: true,
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'app', image, imagePullPolicy: 'Always' }],
      },
    }));
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-e2e-pods-'));
    await writeFile(join(dir, 'pods.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }));
    // The lab's API server serves no OpenAPI document for kubectl's client-side validation.
    await kubectl('create', '--validate=false', '-f', join(dir, 'pods.json'));
  }

  async function podsIn(namespace: string): Promise<PodStatus[]> {
    return (JSON.parse(await kubectl('get', 'pods', '-n', namespace, '-o', 'json')) as { items: PodStatus[] }).items;
  }

  /** Waits until every Pod of the namespace satisfies `done`; returns them, or fails with their last statuses. */
  async function waitForPods(namespace: string, done: (p: PodStatus) => boolean, what: string): Promise<PodStatus[]> {
    const deadline = Date.now() + POD_WAIT_MS;
    for (;;) {
      const pods = await podsIn(namespace);
      if (pods.length === NODES.length && pods.every(done)) return pods;
      if (Date.now() > deadline) assert.fail(`the Pods of ${namespace} were not ${what} within ${POD_WAIT_MS / 1000} s: ${JSON.stringify(pods.map((p) => [p.metadata.name, p.status]))}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  const running = (p: PodStatus) => p.status?.phase === 'Running';
  const pullFailed = (p: PodStatus) =>
    ['ErrImagePull', 'ImagePullBackOff'].includes(p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '');

  async function deletePods(namespace: string): Promise<void> {
    await kubectl('delete', 'pods', '--all', '-n', namespace, '--grace-period=0', '--force', '--wait=false');
    const deadline = Date.now() + POD_WAIT_MS;
    while ((await podsIn(namespace)).length > 0) {
      if (Date.now() > deadline) assert.fail(`the Pods of ${namespace} were not deleted`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** kubelet's config.json on every node: its SHA-256 and mode/owner, or "missing". */
  async function nodeCopies(): Promise<string[]> {
    return Promise.all(NODES.map(async (name) => {
      const { stdout } = await docker.exec(node(name), ['sh', '-c', `[ -f ${KUBELET_DOCKER_CONFIG} ] || { echo missing; exit 0; }; stat -c '%a %U' ${KUBELET_DOCKER_CONFIG}; sha256sum < ${KUBELET_DOCKER_CONFIG}`]);
      return stdout.trim().replace(/\s+-$/, '');
    }));
  }

  before(async () => {
    kubectlBin = await kubectlBinary();
    if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
    lab = await labUp(repoRoot, defaultUpOptions({ hosts: 3, controlPlanes: 1, kubernetesVersion: VERSION, log: quiet }));
    docker = new DockerCli(lab.docker.host);
    password = lab.authRegistry.password;
    dockerConfig = join(await mkdtemp(join(tmpdir(), 'bootstrap-e2e-registries-')), 'config.json');
    await writeDockerConfig();
    // The workload's image exists in the authenticated registry only (the pause image under another name: it runs
    // until stopped).
    const pause = catalogImages(VERSION, lab.registry.address).find((i) => i.component === 'pause')!.image;
    image = `${lab.authRegistry.address}/workloads/app:1`;
    const authFile = join(tmpdir(), `bootstrap-e2e-skopeo-${randomBytes(4).toString('hex')}.json`);
    await writeFile(authFile, JSON.stringify({ auths: { [lab.authRegistry.address]: { auth: auth() } } }), { mode: 0o600 });
    await runCommand('skopeo', ['--insecure-policy', 'copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', '--dest-authfile', authFile, `docker://${pause}`, `docker://${image}`]);
    watch = new ProcessWatch(docker, lab.nodes.map((n) => n.container));
  });

  after(async () => {
    await watch?.stop();
    if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
  });

  it('node-level credentials: every node gets the same kubelet config.json (0600 root), and a Pod from the authenticated registry runs on every node', async () => {
    const report = await upWith({ nodeCredentials: [lab.authRegistry.address] });
    for (const name of NODES) assert.ok(report.hosts.find((h) => h.name === name)!.changed.includes(KUBELET_DOCKER_CONFIG), `${name} did not get ${KUBELET_DOCKER_CONFIG}`);
    const copies = await nodeCopies();
    assert.equal(new Set(copies).size, 1, copies.join('\n'));
    assert.match(copies[0]!, /^600 root\n[0-9a-f]{64}$/);
    await podsOnEveryNode('default');
    await waitForPods('default', running, 'Running');
    await deletePods('default');
  });

  it('without node credentials a Pod fails with ErrImagePull; with the namespace\'s pull Secret, named by its default ServiceAccount, it runs on every node', async () => {
    const report = await upWith({ nodeCredentials: [], pullSecrets: { namespaces: ['workloads'] } });
    const cp1 = report.hosts.find((h) => h.name === 'cp1')!;
    for (const change of ['created Namespace/workloads', 'created workloads/Secret/registry-credentials']) assert.ok(cp1.changed.includes(change), `${change} missing: ${cp1.changed.join(', ')}`);
    assert.match(JSON.parse(await kubectl('get', 'serviceaccount', 'default', '-n', 'workloads', '-o', 'json')).imagePullSecrets?.[0]?.name ?? '', /^registry-credentials$/);
    assert.equal(JSON.parse(await kubectl('get', 'secret', 'registry-credentials', '-n', 'workloads', '-o', 'json')).type, 'kubernetes.io/dockerconfigjson');

    await kubectl('create', 'namespace', 'plain');
    // As on any cluster, a new namespace's default ServiceAccount comes from the controller-manager a moment later,
    // and the API server's ServiceAccount admission refuses Pods until it is there.
    const deadline = Date.now() + POD_WAIT_MS;
    while (!(await kubectl('get', 'serviceaccounts', '-n', 'plain', '-o', 'name')).includes('serviceaccount/default')) {
      if (Date.now() > deadline) assert.fail('the default ServiceAccount of namespace plain never appeared');
      await new Promise((r) => setTimeout(r, 500));
    }
    await podsOnEveryNode('plain');
    const failed = await waitForPods('plain', pullFailed, 'failing to pull');
    assert.ok(failed.every((p) => !running(p)));
    await deletePods('plain');

    await podsOnEveryNode('workloads');
    const pods = await waitForPods('workloads', running, 'Running');
    // The ServiceAccount admission plugin put the Secret into Pods that named none.
    for (const p of pods) assert.deepEqual(p.spec.imagePullSecrets, [{ name: 'registry-credentials' }]);
    await deletePods('workloads');
  });

  it('a new registry password, re-run: every node\'s file and every Secret change and nothing else, and both ways pull again', async () => {
    const before = await nodeCopies();
    password = `rotated-${randomBytes(6).toString('hex')}`;
    await setRegistryPassword(repoRoot, lab, password);
    await writeDockerConfig();
    const report = await upWith({ nodeCredentials: [lab.authRegistry.address], pullSecrets: { namespaces: ['workloads'] } });
    const changed = Object.fromEntries(report.hosts.map((h) => [h.name, h.changed]));
    assert.deepEqual(changed, {
      cp1: [KUBELET_DOCKER_CONFIG, 'updated workloads/Secret/registry-credentials'],
      w1: [KUBELET_DOCKER_CONFIG],
      w2: [KUBELET_DOCKER_CONFIG],
    });
    const after = await nodeCopies();
    assert.equal(new Set(after).size, 1);
    assert.notEqual(after[0], before[0]);
    const secret = JSON.parse(await kubectl('get', 'secret', 'registry-credentials', '-n', 'workloads', '-o', 'json')) as { data: Record<string, string> };
    const held = JSON.parse(Buffer.from(secret.data['.dockerconfigjson']!, 'base64').toString()) as { auths: Record<string, { auth: string }> };
    assert.equal(held.auths[lab.authRegistry.address]?.auth, auth());

    await podsOnEveryNode('plain');
    await waitForPods('plain', running, 'Running with the nodes\' new credentials');
    await deletePods('plain');
    await podsOnEveryNode('workloads');
    await waitForPods('workloads', running, 'Running with the Secret\'s new credentials');
    await deletePods('workloads');
  });

  it('a re-run changes nothing; a namespace dropped from the list loses its Secret and its ServiceAccount\'s reference', async () => {
    const again = await upWith({ nodeCredentials: [lab.authRegistry.address], pullSecrets: { namespaces: ['workloads'] } });
    for (const h of again.hosts) assert.deepEqual([...h.changed, ...h.prepared], [], `${h.name} changed`);
    assert.equal(again.changed, false);
    const dropped = await upWith({ nodeCredentials: [lab.authRegistry.address], pullSecrets: { namespaces: [] } });
    assert.deepEqual(dropped.hosts.find((h) => h.name === 'cp1')!.changed, ['updated workloads/ServiceAccount/default', 'deleted workloads/Secret/registry-credentials']);
    const sa = JSON.parse(await kubectl('get', 'serviceaccount', 'default', '-n', 'workloads', '-o', 'json')) as { imagePullSecrets?: unknown[] };
    assert.deepEqual(sa.imagePullSecrets ?? [], []);
    await assert.rejects(kubectl('get', 'secret', 'registry-credentials', '-n', 'workloads'), /NotFound|not found/);
  });

  it('no password or auth string in bootstrap\'s reports, its text and JSON output, nor in any process\'s command line or environment on a node', async () => {
    // The command as a user runs it, its text output and its JSON, on an inventory that uses both ways.
    const inventory = await inventoryWith({ nodeCredentials: true, pullSecrets: { namespaces: ['workloads', 'apps'] } });
    const outputs: string[] = [];
    for (const format of [[], ['-o', 'json']]) {
      const result = await run(process.execPath, [cli, 'up', inventory, `--ignore-preflight-errors=${LAB_PREFLIGHT_IGNORES.join(',')}`, ...format], { cwd: repoRoot, maxBuffer: 64 << 20 });
      outputs.push(result.stdout + result.stderr);
    }
    assert.match(outputs[0]!, /created apps\/Secret\/registry-credentials/);
    await watch.stop();
    assert.ok(watch.samples > 20, `only ${watch.samples} samples of the nodes' processes`);
    const first = lab.authRegistry.password;
    const secrets = [first, Buffer.from(`${lab.authRegistry.username}:${first}`).toString('base64'), password, auth()];
    const leaks: string[] = [];
    const texts = [...reports.map((r) => JSON.stringify(r)), ...outputs];
    for (const secret of secrets) {
      if (texts.some((t) => t.includes(secret))) leaks.push(`secret #${secrets.indexOf(secret)} in a report or bootstrap's output`);
      const line = [...watch.lines].find((l) => l.includes(secret));
      if (line) leaks.push(`secret #${secrets.indexOf(secret)} in a process on a node: ${line.replace(secret, '<secret>').slice(0, 120)}`);
    }
    assert.deepEqual(leaks, []);
    // The file on the nodes is the only copy a node holds; its digest is that of the credentials file's entry.
    const expected = createHash('sha256').update(`${JSON.stringify({ auths: { [lab.authRegistry.address]: { auth: auth() } } }, null, 2)}\n`).digest('hex');
    assert.ok((await nodeCopies()).every((c) => c.endsWith(expected)));
  });
});
