/**
 * prepare on bare lab nodes (e2e/lab: `--bare`): systemd, sshd and Debian's containerd with the package's own
 * configuration, no kubelet or crictl, conntrack and socat missing, apt pointed at the lab's Debian mirror. One
 * `bootstrap up` must end in a healthy control plane and a joined worker, through each install source:
 *
 * - packages: the lab's signed pkgs.k8s.io-style repository, judged by the nodes' real apt and dpkg;
 * - files: the stand-ins as single-file binaries with a SHA256SUMS file, uploaded from this machine.
 *
 * Also: a wrong checksum is refused before anything changes on any host; containerd's sandbox image is fixed with
 * one restart; a re-run changes nothing; a held kubelet at another version is reported and left alone.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { failures, upReport, variant } from './runs.js';
import { DockerCli } from './lab/docker.js';
import { defaultUpOptions, down, up as labUp } from './lab/lab.js';
import { buildStandinPackages } from './lab/package-repo.js';
import { readIpForward } from './lab/dockerd.js';
import { kubectlBinary, labUnavailable } from './lab/testing.js';
import { defaultRepoRoot, labDir, labExists, type LabState } from './lab/state.js';

const run = promisify(execFile);
const repoRoot = defaultRepoRoot();
const cli = join(repoRoot, 'dist/src/cli/main.js');
const quiet = () => undefined;
const NODES = ['cp1', 'w1'];
const PAUSE = '10.77.0.1:5000/pause:3.9';

/** The bare lab's nodes as the tests look at them: with docker exec, never through bootstrap's own SSH. */
function bareLab(lab: () => LabState) {
  const docker = () => new DockerCli(lab().docker.host);
  const container = (name: string) => lab().nodes.find((n) => n.name === name)!.container;
  const sh = async (name: string, script: string) => (await docker().exec(container(name), ['sh', '-c', script], { allowFailure: true })).stdout.trim();
  return {
    docker,
    container,
    sh,
    /** How often systemd has started containerd since the node booted. */
    containerdStarts: async (name: string) => Number(await sh(name, "journalctl -u containerd.service -o cat | grep -c '^Started containerd'")),
    /** Package name → "<status> <version>" as dpkg knows it, for the packages asked about. */
    packages: async (name: string, ...pkgs: string[]) => {
      const out = await sh(name, `dpkg-query -W -f='\${Package} \${db:Status-Abbrev}\${Version}\\n' ${pkgs.join(' ')} 2>/dev/null`);
      return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1).replace(/\s+/g, ' ')]));
    },
    /** containerd's effective sandbox image, as containerd itself reads its configuration. */
    sandboxImage: async (name: string) => /sandbox_image = "([^"]*)"/.exec(await sh(name, 'containerd config dump'))?.[1],
  };
}

/** Facts every bare node starts with, checked before the first up so that the later checks mean something. */
async function assertBare(nodes: ReturnType<typeof bareLab>): Promise<void> {
  for (const name of NODES) {
    assert.equal(await nodes.sh(name, 'for b in kubelet crictl conntrack socat; do command -v "$b"; done; true'), '', `${name} is not bare`);
    assert.equal(await nodes.sandboxImage(name), 'registry.k8s.io/pause:3.6', `${name}: containerd keeps Debian's default sandbox image`);
    assert.equal(await nodes.sh(name, 'ls /etc/containerd/certs.d 2>/dev/null | wc -l'), '0');
  }
}

/** What every host looks like after a good up: the tools, containerd for the cluster, kubelet running, a Node. */
async function assertPrepared(nodes: ReturnType<typeof bareLab>, admin: string): Promise<void> {
  for (const name of NODES) {
    assert.equal(await nodes.sandboxImage(name), PAUSE, `${name}: sandbox image`);
    assert.match(await nodes.sh(name, 'cat /etc/containerd/certs.d/10.77.0.1:5000/hosts.toml'), /^server = "http:\/\/10\.77\.0\.1:5000"$/m);
    assert.equal(await nodes.containerdStarts(name), 2, `${name}: containerd restarted exactly once (boot + prepare)`);
    assert.equal(await nodes.sh(name, 'for b in conntrack socat kubelet crictl; do command -v "$b"; done | tr "\\n" " "'), '/usr/sbin/conntrack /usr/bin/socat /usr/bin/kubelet /usr/bin/crictl');
    assert.equal(await nodes.sh(name, 'systemctl is-active kubelet'), 'active', `${name}: kubelet`);
    assert.equal(await nodes.sh(name, 'sysctl -n net.ipv4.ip_forward'), '1', `${name}: forwarding in the node's own network namespace`);
    assert.match(await nodes.sh(name, 'cat /etc/modules-load.d/k8s.conf'), /^overlay\nbr_netfilter$/m);
  }
  const kubectl = await kubectlBinary();
  const { stdout } = await run(kubectl, ['--kubeconfig', admin, 'get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.nodeInfo.kubeletVersion}{"\\n"}{end}']);
  assert.deepEqual(stdout.trim().split('\n').sort(), ['cp1 v1.28.4', 'w1 v1.28.4']);
  assert.equal(readIpForward(), '0', "this machine's IP forwarding stays off");
}

/** up again: nothing written, no command run but the looks, containerd not restarted. */
async function assertRerunChangesNothing(nodes: ReturnType<typeof bareLab>, inventory: string): Promise<void> {
  const starts = await Promise.all(NODES.map((n) => nodes.containerdStarts(n)));
  const report = await upReport(inventory);
  assert.ok(report.ok, failures(report));
  assert.equal(report.changed, false);
  for (const h of report.hosts) {
    assert.deepEqual(h.changed, [], `${h.name} wrote files`);
    assert.ok(!h.actions.some((a) => /^(write|run) /.test(a)), `${h.name}: ${h.actions.join('; ')}`);
  }
  assert.deepEqual(await Promise.all(NODES.map((n) => nodes.containerdStarts(n))), starts);
}

describe('prepare from bare lab nodes, kubelet and crictl from the package repository (v1.28.4)', { skip: labUnavailable(), concurrency: 1 }, () => {
  let lab: LabState;
  const nodes = bareLab(() => lab);
  let admin: string;

  before(async () => {
    if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
    lab = await labUp(repoRoot, defaultUpOptions({ hosts: 2, bare: true, log: quiet }));
    admin = join(labDir(repoRoot), '.bootstrap', 'inventory', 'admin.conf');
  });

  after(async () => {
    if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
  });

  it('a wrong checksum in install.files is refused before anything is read or written on any host', async () => {
    await assertBare(nodes);
    const files = lab.packages!.files;
    const wrong = await variant(lab.inventory, (doc) => {
      doc.set('install', { source: 'files', files: [{ path: files.kubeletDeb, sha256: '0'.repeat(64) }, { path: files.criToolsDeb }], checksums: files.sha256sums });
    }, 'wrong-checksum');
    const result = await run(process.execPath, [cli, 'up', wrong], { env: { ...process.env, NO_COLOR: '1' } }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    assert.notEqual((result as { code?: number }).code ?? 0, 0, 'up must fail');
    const output = `${result.stdout}${result.stderr}`;
    assert.match(output, new RegExp(`refusing to install unverified files:\\s+${files.kubeletDeb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: SHA-256 is [0-9a-f]{64}, expected 0{64}`));
    assert.doesNotMatch(output, /\n\s+at .*\.js:\d+/, 'no stack trace');
    // Nothing of prepare's (nor of any later phase) on either host.
    for (const name of NODES) {
      assert.equal(await nodes.sh(name, 'ls /etc/sysctl.d/99-kubernetes.conf /etc/modules-load.d/k8s.conf /var/lib/bootstrap /etc/kubernetes 2>/dev/null | wc -l'), '0', name);
    }
    await assertBare(nodes);
  });

  it('up from bare nodes ends with a healthy control plane and a joined worker; apt installed the pinned packages and held them', async () => {
    const report = await upReport(lab.inventory);
    assert.ok(report.ok, failures(report));
    for (const h of report.hosts) {
      assert.ok(h.actions.some((a) => /^run .*apt-get install .*kubelet=1\.28\.4-\*/.test(a)), `${h.name}: ${h.actions.join('; ')}`);
    }
    for (const name of NODES) {
      const installed = await nodes.packages(name, 'kubelet', 'cri-tools', 'conntrack', 'socat');
      assert.equal(installed.kubelet, 'hi 1.28.4-1.1', `${name}: kubelet pinned and held`);
      assert.equal(installed['cri-tools'], 'hi 1.28.0-1.1', `${name}: cri-tools held`);
      assert.match(installed.conntrack ?? '', /^ii /, `${name}: conntrack from the Debian mirror`);
      assert.match(installed.socat ?? '', /^ii /, `${name}: socat from the Debian mirror`);
      assert.match(await nodes.sh(name, 'cat /etc/apt/sources.list.d/kubernetes.list'), /^deb \[signed-by=\/etc\/apt\/keyrings\/kubernetes-apt-keyring\.asc\] http:\/\/10\.77\.0\.1:8080\/core:\/stable:\/v1\.28\/deb\/ \/$/m);
    }
    await assertPrepared(nodes, admin);
  });

  it('a re-run changes nothing: no file written, no package touched, containerd not restarted', async () => {
    await assertRerunChangesNothing(nodes, lab.inventory);
  });

  it('a held kubelet at another version is reported and left alone, and replaced only when the inventory allows it', async () => {
    const other = await buildStandinPackages(repoRoot, 'v1.28.3', join(labDir(repoRoot), 'package-repo', 'files-v1.28.3'));
    const deb = '/tmp/kubelet_1.28.3-1.1_amd64.deb';
    await nodes.docker().run(['cp', other.kubeletDeb, `${nodes.container('w1')}:${deb}`]);
    await nodes.sh('w1', `apt-mark unhold kubelet && dpkg -i ${deb} && apt-mark hold kubelet && rm ${deb} && systemctl restart kubelet`);
    assert.equal((await nodes.packages('w1', 'kubelet')).kubelet, 'hi 1.28.3-1.1');

    const report = await upReport(lab.inventory);
    assert.ok(report.ok, failures(report));
    const w1 = report.hosts.find((h) => h.name === 'w1')!;
    assert.ok(w1.notes.includes('kubelet v1.28.3 is installed and the cluster is v1.28.4: left alone (install.allowVersionChange: true replaces it)'), w1.notes.join('\n'));
    assert.ok(!w1.actions.some((a) => /apt-get install/.test(a)), w1.actions.join('; '));
    assert.equal((await nodes.packages('w1', 'kubelet')).kubelet, 'hi 1.28.3-1.1');

    const allowed = await variant(lab.inventory, (doc) => doc.setIn(['install', 'allowVersionChange'], true), 'allow-version-change');
    const replaced = await upReport(allowed);
    assert.ok(replaced.ok, failures(replaced));
    const w1Replaced = replaced.hosts.find((h) => h.name === 'w1')!;
    assert.ok(w1Replaced.actions.some((a) => /apt-get install .*--allow-change-held-packages.*kubelet=1\.28\.4-\*/.test(a)), w1Replaced.actions.join('; '));
    assert.equal((await nodes.packages('w1', 'kubelet')).kubelet, 'hi 1.28.4-1.1');
    assert.deepEqual(replaced.hosts.find((h) => h.name === 'cp1')!.changed, [], 'cp1 untouched');
    // The running kubelet was restarted onto the new binary: its Node says so.
    const kubectl = await kubectlBinary();
    let version = '';
    for (const until = Date.now() + 60_000; Date.now() < until && version !== 'v1.28.4';) {
      version = (await run(kubectl, ['--kubeconfig', admin, 'get', 'node', 'w1', '-o', 'jsonpath={.status.nodeInfo.kubeletVersion}'])).stdout;
      if (version !== 'v1.28.4') await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(version, 'v1.28.4');
  });
});

describe('prepare from bare lab nodes, kubelet and cri-tools as .deb files with SHA256SUMS (air-gapped, v1.28.4)', { skip: labUnavailable(), concurrency: 1 }, () => {
  let lab: LabState;
  const nodes = bareLab(() => lab);
  let inventory: string;
  let admin: string;

  before(async () => {
    if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
    lab = await labUp(repoRoot, defaultUpOptions({ hosts: 2, bare: true, log: quiet }));
    admin = join(labDir(repoRoot), '.bootstrap', 'inventory', 'admin.conf');
    const files = lab.packages!.files;
    inventory = await variant(lab.inventory, (doc) => {
      // The lab's single-file kubelet is a script, not the ELF binary prepare checks a kubelet binary to be: the
      // air-gapped path is proven with the packages (binaries are covered by test/prepare/artifacts.test.ts).
      doc.set('install', { source: 'files', files: [{ path: files.kubeletDeb }, { path: files.criToolsDeb }], checksums: files.sha256sums });
    }, 'files');
  });

  after(async () => {
    if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
  });

  it('up from bare nodes with the uploaded packages: verified, installed by apt with their dependencies, a healthy cluster', async () => {
    await assertBare(nodes);
    const report = await upReport(inventory);
    assert.ok(report.ok, failures(report));
    const files = lab.packages!.files;
    const sums = await readFile(files.sha256sums, 'utf8');
    for (const name of NODES) {
      const installed = await nodes.packages(name, 'kubelet', 'cri-tools');
      assert.match(installed.kubelet ?? '', /^.i 1\.28\.4-1\.1$/, `${name}: kubelet`);
      assert.match(installed['cri-tools'] ?? '', /^.i 1\.28\.0-1\.1$/, `${name}: cri-tools`);
      // What was uploaded is byte for byte what SHA256SUMS lists.
      const uploaded = await nodes.sh(name, 'cd /var/lib/bootstrap/packages && sha256sum *.deb');
      for (const line of uploaded.split('\n')) assert.ok(sums.includes(line), `${name}: ${line} not in SHA256SUMS`);
      assert.equal(uploaded.split('\n').length, 2, uploaded);
      assert.equal(await nodes.sh(name, 'systemctl is-enabled kubelet'), 'enabled');
    }
    await assertPrepared(nodes, admin);
  });

  it('a re-run changes nothing: no upload, no file written, containerd not restarted', async () => {
    await assertRerunChangesNothing(nodes, inventory);
  });
});
