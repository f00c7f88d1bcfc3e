/**
 * `bootstrap up` against the lab: real SSH, systemd, containerd, registries, the lab kubelet running the static
 * Pods. One lab (one control plane, two workers) goes through a sequence of states, each test starting from the
 * state the previous one left: a private registry without and with credentials, a re-run, a half-provisioned host,
 * a component that never gets healthy, a changed host key, sshd lost mid-run, reset, pullPolicy Never. Then a lab
 * of a version before v1.24, where a Docker node pulls with `docker pull` as that kubeadm would.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { loadInventory } from '../src/inventory/index.js';
import type { UpReport } from '../src/commands/up.js';
import { SshHost } from '../src/transport/ssh.js';
import type { Host } from '../src/transport/host.js';
import { LAB_PREFLIGHT_IGNORES } from './ignores.js';
import { upReport, variant } from './runs.js';
import { DockerCli } from './lab/docker.js';
import { applyFault, clearFaults } from './lab/faults.js';
import { defaultUpOptions, down, up as labUp } from './lab/lab.js';
import { defaultRepoRoot, labExists, type LabState } from './lab/state.js';

const run = promisify(execFile);
const repoRoot = defaultRepoRoot();
const cli = join(repoRoot, 'dist/src/cli/main.js');
const quiet = () => undefined;

function hostOf(report: UpReport, name: string) {
  const h = report.hosts.find((x) => x.name === name);
  assert.ok(h, `no host ${name} in the report`);
  return h;
}

function assertHealthy(report: UpReport): void {
  assert.equal(report.ok, true, JSON.stringify(report.hosts.map((h) => ({ host: h.name, error: h.error })), null, 2));
  const cp = hostOf(report, 'cp1');
  assert.deepEqual(cp.components.map((c) => [c.name, c.healthy]).sort(), [
    ['etcd', true], ['kube-apiserver', true], ['kube-controller-manager', true], ['kube-scheduler', true], ['kubelet', true],
  ]);
}

describe('bootstrap up on the lab (v1.28, containerd; one control plane, two workers)', { concurrency: 1 }, () => {
  let lab: LabState;
  let docker: DockerCli;
  const node = (name: string) => lab.nodes.find((n) => n.name === name)!.container;
  const onNode = (name: string, script: string) => docker.exec(node(name), ['sh', '-c', script]);

  before(async () => {
    if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
    lab = await labUp(repoRoot, defaultUpOptions({ hosts: 3, controlPlanes: 1, kubernetesVersion: 'v1.28.4', log: quiet }));
    docker = new DockerCli(lab.docker.host);
  });

  after(async () => {
    await clearFaults(repoRoot).catch(() => undefined);
    if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
  });

  let authInventory: string;
  let dockerConfig: string;

  it('up --dry-run on a fresh inventory says what it would do, changes no host and leaves no state directory', async () => {
    // A copy of the lab's inventory in a folder of its own, with no stateDir: the default one beside it is new.
    const doc = parseDocument(await readFile(lab.inventory, 'utf8'));
    doc.delete('stateDir');
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-e2e-dry-'));
    const fresh = join(dir, 'inventory.yaml');
    await writeFile(fresh, doc.toString());
    const stateDir = (await loadInventory(fresh)).stateDir;
    const listing = "find /etc/kubernetes /var/lib/kubelet /etc/systemd/system/kubelet.service.d -exec stat -c '%n %s %Y' {} + 2>/dev/null | sort";
    const before = (await onNode('cp1', listing)).stdout;
    const result = await run(process.execPath, [cli, 'up', fresh, '--dry-run', '-o', 'json', `--ignore-preflight-errors=${LAB_PREFLIGHT_IGNORES.join(',')}`], { cwd: repoRoot, maxBuffer: 64 << 20 });
    const report = JSON.parse(result.stdout) as UpReport;
    assert.equal(report.ok, true, result.stdout);
    assert.equal(report.dryRun, true);
    const cp = hostOf(report, 'cp1');
    assert.ok(cp.actions.length > 0 && cp.actions.every((a) => a.startsWith('would ')), cp.actions.join('\n'));
    assert.ok(cp.actions.some((a) => a.startsWith('would write ') && a.includes('/etc/kubernetes/pki/ca.crt')));
    assert.equal(existsSync(stateDir), false, `${stateDir} was created by a dry run`);
    assert.deepEqual(readdirSync(dir), ['inventory.yaml']);
    assert.equal((await onNode('cp1', listing)).stdout, before, 'a dry run changed files on cp1');
  });

  it('a private registry without credentials fails at the images phase, unretried, and writes nothing after prepare', async () => {
    authInventory = await variant(lab.inventory, (doc) => {
      doc.setIn(['cluster', 'imageRepository'], lab.authRegistry.address);
    }, 'auth');
    const report = await upReport(authInventory);
    assert.equal(report.ok, false);
    for (const h of report.hosts) {
      assert.equal(h.ok, false, h.name);
      assert.match(h.error ?? '', /unauthorized|authentication required|401/i, h.name);
      // prepare, before the images, points containerd's sandbox image at the new imageRepository (kubeadm's pause
      // there); nothing else is written once the images phase has failed.
      assert.ok(h.prepared.includes('containerd: sandbox_image = "10.77.0.1:5001/pause:3.9" (was "10.77.0.1:5000/pause:3.9")'), `${h.name}: ${h.prepared.join('; ')}`);
      const prepareFiles = ['/etc/modules-load.d/k8s.conf', '/etc/sysctl.d/99-kubernetes.conf', '/etc/containerd/config.toml'];
      assert.deepEqual(h.changed.filter((path) => !prepareFiles.includes(path)), [], `${h.name} wrote files after prepare`);
      assert.ok(h.images.every((i) => i.attempts <= 1), `${h.name} retried an authorization failure`);
    }
    const { stdout } = await onNode('cp1', 'ls /etc/kubernetes/pki 2>/dev/null | wc -l');
    assert.equal(stdout.trim(), '0');
  });

  it('with credentials, the control plane gets healthy and the workers pre-pull; no secret in argv, logs or JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-e2e-creds-'));
    dockerConfig = join(dir, 'config.json');
    const auth = Buffer.from(`${lab.authRegistry.username}:${lab.authRegistry.password}`).toString('base64');
    await writeFile(dockerConfig, JSON.stringify({ auths: { [lab.authRegistry.address]: { auth } } }), { mode: 0o600 });
    const doc = parseDocument(await readFile(authInventory, 'utf8'));
    doc.setIn(['images', 'credentials', 'configFile'], dockerConfig);
    await writeFile(authInventory, doc.toString());

    // Watch every node's process list while images are pulled.
    const seen: string[] = [];
    let watching = true;
    const watchers = lab.nodes.map(async (n) => {
      while (watching) {
        const { stdout } = await docker.exec(n.container, ['sh', '-c', 'cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\0" " "; echo; cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n" | grep -c CRICTL_AUTH || true']).catch(() => ({ stdout: '' }));
        seen.push(stdout);
      }
    });
    const result = await run(process.execPath, [cli, 'up', authInventory, '-o', 'json', `--ignore-preflight-errors=${LAB_PREFLIGHT_IGNORES.join(',')}`, '--wait-timeout', '2m'], { cwd: repoRoot, maxBuffer: 64 << 20 })
      .catch((e: { stdout: string; stderr: string; code: number }) => e);
    watching = false;
    await Promise.all(watchers);

    const report = JSON.parse(result.stdout) as UpReport;
    assertHealthy(report);
    for (const w of ['w1', 'w2']) {
      const images = hostOf(report, w).images.map((i) => i.image.split('/').pop()!.replace(/:.*/, '')).sort();
      assert.deepEqual(images, ['coredns', 'kube-proxy', 'pause']);
    }
    assert.equal(hostOf(report, 'cp1').images.length, 7);
    const secrets = [lab.authRegistry.password, auth];
    for (const secret of secrets) {
      assert.ok(!result.stdout.includes(secret), 'secret in the JSON output');
      assert.ok(!result.stderr.includes(secret), 'secret in the log');
      assert.ok(!seen.some((s) => s.includes(secret)), 'secret in a process command line on a host');
    }
    assert.ok(seen.length > 3, 'the process lists were sampled');
    assert.ok(report.adminKubeconfig, 'admin kubeconfig written');
    const kubeconfig = await readFile(report.adminKubeconfig, 'utf8');
    assert.match(kubeconfig, /server: https:\/\/10\.77\.0\.10:6443/);
  });

  it('a second up on a healthy cluster changes nothing and says so', async () => {
    const { stdout, stderr } = await run(process.execPath, [cli, 'up', authInventory, `--ignore-preflight-errors=${LAB_PREFLIGHT_IGNORES.join(',')}`], { cwd: repoRoot });
    assert.match(stdout, /^Nothing changed: every host already matched the inventory\.$/m, stdout + stderr);
    const report = await upReport(authInventory);
    assertHealthy(report);
    assert.equal(report.changed, false);
    for (const h of report.hosts) {
      assert.deepEqual(h.changed, [], h.name);
      assert.equal(h.kubeletRestarted, false, h.name);
      assert.ok(h.images.every((i) => i.outcome === 'present'), h.name);
    }
  });

  it('a half-provisioned host converges: a certificate gone, kubelet stopped, an image removed', async () => {
    await onNode('cp1', 'rm -f /etc/kubernetes/pki/apiserver.crt /etc/kubernetes/manifests/kube-scheduler.yaml && systemctl stop kubelet');
    await onNode('w1', `crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock rmi ${lab.authRegistry.address}/kube-proxy:v1.28.4`);
    const report = await upReport(authInventory);
    assertHealthy(report);
    const cp = hostOf(report, 'cp1');
    assert.deepEqual([...cp.changed].sort(), ['/etc/kubernetes/manifests/kube-scheduler.yaml', '/etc/kubernetes/pki/apiserver.crt']);
    assert.equal(cp.kubeletRestarted, true);
    const pulled = hostOf(report, 'w1').images.filter((i) => i.outcome === 'pulled').map((i) => i.image);
    assert.deepEqual(pulled, [`${lab.authRegistry.address}/kube-proxy:v1.28.4`]);
  });

  it('a component that never gets healthy fails after the timeout with a diagnosis; a re-run without it converges', async () => {
    const patches = await mkdtemp(join(tmpdir(), 'bootstrap-e2e-patches-'));
    await writeFile(join(patches, 'kube-scheduler.yaml'), `spec:\n  containers:\n  - name: kube-scheduler\n    image: ${lab.authRegistry.address}/kube-scheduler:v1.28.4-lab-unhealthy\n`);
    const broken = await variant(authInventory, (doc) => {
      doc.set('patches', patches);
    }, 'unhealthy');
    const started = Date.now();
    const report = await upReport(broken, { waitTimeoutMs: 25_000 });
    assert.equal(report.ok, false);
    const cp = hostOf(report, 'cp1');
    assert.match(cp.error ?? '', /kube-scheduler/);
    assert.match(cp.error ?? '', /probe|health|timed out|restart/i);
    assert.ok(Date.now() - started < 120_000, 'waited far longer than the timeout');
    const scheduler = cp.components.find((c) => c.name === 'kube-scheduler');
    assert.equal(scheduler?.healthy, false);
    assert.ok((scheduler?.diagnosis ?? []).length > 0, 'no diagnosis for the scheduler');
    assertHealthy(await upReport(authInventory));
  });

  it('a changed host key is refused with both fingerprints; hosts trust re-pins it and up goes on', async () => {
    await onNode('w2', 'rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && systemctl restart ssh');
    const report = await upReport(authInventory);
    const w2 = hostOf(report, 'w2');
    assert.equal(w2.ok, false);
    assert.match(w2.error ?? '', /w2/);
    assert.equal((w2.error ?? '').match(/SHA256:[A-Za-z0-9+/]{43}/g)?.length, 2, w2.error);
    assert.match(w2.error ?? '', /bootstrap hosts trust/);
    assert.equal(hostOf(report, 'cp1').ok, true, 'the other hosts go on');
    const trusted = await run(process.execPath, [cli, 'hosts', 'trust', authInventory, 'w2', '--yes'], { cwd: repoRoot });
    assert.match(trusted.stdout, /w2: pinned SHA256:/);
    assertHealthy(await upReport(authInventory));
  });

  it('sshd lost mid-run fails that host with a clear message; a re-run converges', async () => {
    let hit = false;
    const report = await upReport(authInventory, {
      connect: async (spec) => {
        const host: Host = await SshHost.connect(spec);
        if (spec.name === 'w1' && !hit) {
          hit = true;
          // Stop sshd and drop every session to it, right after the connection was made. "[s]shd" so that the
          // pattern does not match the command line of the shell running pkill (which would kill it too).
          await applyFault(repoRoot, { kind: 'sshd-stop', node: 'w1' }, 60_000);
          await onNode('w1', 'pkill -KILL -f "[s]shd: " || true');
        }
        return host;
      },
    });
    await clearFaults(repoRoot);
    const w1 = hostOf(report, 'w1');
    assert.equal(w1.ok, false);
    assert.match(w1.error ?? '', /^w1: /);
    assert.match(w1.error ?? '', /10\.77\.0\.11/);
    assert.match(w1.error ?? '', /connect|closed|lost|reset|refused/i);
    assert.equal(hostOf(report, 'cp1').ok, true);
    assertHealthy(await upReport(authInventory));
  });

  it('SIGINT at ten moments of up: exit 130, each host reported where it was, no partial or temporary file anywhere; the next up converges', async () => {
    // From nothing on the hosts, so that the interrupts land in certificates, files, pulls, kubelet starts and waits.
    await run(process.execPath, [cli, 'reset', authInventory, '--yes'], { cwd: repoRoot });
    const stateDir = (await loadInventory(authInventory)).stateDir;
    const leftoversOnHosts = async () => {
      const found: string[] = [];
      for (const n of lab.nodes) {
        // The write script stages files in a temporary folder (.bootstrap-tmp.N) beside their targets; none may stay, nor in /tmp.
        const { stdout } = await onNode(n.name, "find / -xdev \\( -name '*.bootstrap-tmp.*' -o -path '/tmp/bootstrap.*' \\) -print 2>/dev/null || true");
        found.push(...stdout.split('\n').filter(Boolean).map((p) => `${n.name}:${p}`));
      }
      return found;
    };
    const leftoversHere = (dir: string): string[] =>
      existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => /\.tmp$|\.bootstrap-tmp\./.test(p)) : [];
    const moments = [300, 700, 1200, 2000, 3000, 4500, 6500, 9000, 12_000, 16_000];
    const seen = new Set<string>();
    for (const ms of moments) {
      const child = spawn(process.execPath, [cli, 'up', authInventory, `--ignore-preflight-errors=${LAB_PREFLIGHT_IGNORES.join(',')}`, '--wait-timeout', '2m'], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (out += b.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      // Moments are counted from the start of the run (its first phase on screen), not from the process start.
      while (!out.includes('connect: SSH to every host') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, ms));
      const sent = Date.now();
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exited;
      const stopMs = Date.now() - sent;
      if (code === 0) continue; // the run was over before the signal: nothing to look at
      assert.equal(code, 130, `after ${ms} ms: ${out}`);
      assert.ok(stopMs < 30_000, `after ${ms} ms: stopping took ${stopMs} ms`);
      // The report: one line per host, "cp1 (control-plane): FAILED: cp1: interrupted by SIGINT during images".
      const reported = [...out.matchAll(/^(\S+) \([^)]*\): FAILED: (.*)$/gm)];
      assert.deepEqual(reported.map((m) => m[1]).sort(), lab.nodes.map((n) => n.name).sort(), `after ${ms} ms: ${out}`);
      for (const [, name, error] of reported) {
        assert.match(error!, new RegExp(`^${name}: interrupted by SIGINT (during [a-z-]+|after [a-z-]+|before its first phase)$`), `after ${ms} ms`);
        seen.add(error!.replace(/^\S+ /, ''));
      }
      assert.deepEqual(await leftoversOnHosts(), [], `after ${ms} ms`);
      assert.deepEqual(leftoversHere(stateDir), [], `after ${ms} ms`);
    }
    assert.ok(seen.size >= 3, `the interrupts found the hosts in only ${[...seen].join(', ')}`);
    assertHealthy(await upReport(authInventory));
  });

  it('reset removes what up wrote; then pullPolicy Never with a missing image fails before writing anything', async () => {
    const reset = await run(process.execPath, [cli, 'reset', authInventory, '--yes'], { cwd: repoRoot });
    assert.match(reset.stdout, /^cp1: removed \d+ item/m);
    const { stdout: left } = await onNode('cp1', 'ls /etc/kubernetes/manifests /etc/kubernetes/pki 2>/dev/null | grep -v : | grep -c . || true');
    assert.equal(left.trim(), '0');
    await onNode('w2', `crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock rmi ${lab.authRegistry.address}/pause:3.9`);
    // From authInventory: it carries w2's re-pinned host key.
    const never = await variant(authInventory, (doc) => {
      doc.setIn(['images', 'pullPolicy'], 'Never');
    }, 'never');
    const report = await upReport(never);
    assert.equal(report.ok, false);
    assert.match(hostOf(report, 'w2').error ?? '', /pause:3\.9/);
    for (const h of report.hosts) assert.deepEqual(h.changed, [], `${h.name} wrote files`);
    const { stdout: written } = await onNode('cp1', 'ls /etc/kubernetes/pki 2>/dev/null | wc -l');
    assert.equal(written.trim(), '0', 'files were written on the control plane');
  });
});

describe('before v1.24: kubeadm v1.23 pulls with crictl on containerd and with docker pull on a Docker node', { concurrency: 1 }, () => {
  let lab: LabState;
  let docker: DockerCli;

  before(async () => {
    if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
    lab = await labUp(repoRoot, defaultUpOptions({ hosts: 2, controlPlanes: 1, kubernetesVersion: 'v1.23.17', log: quiet }));
    docker = new DockerCli(lab.docker.host);
    // w1 runs Debian's dockerd as well: kubeadm v1.23 then picks the dockershim socket, and docker pull.
    const w1 = lab.nodes.find((n) => n.name === 'w1')!.container;
    await docker.exec(w1, ['sh', '-c', 'mkdir -p /etc/docker && printf \'{"insecure-registries":["%s"]}\\n\' "$1" > /etc/docker/daemon.json && systemctl start docker', 'sh', lab.registry.address]);
  });

  after(async () => {
    if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
  });

  it('the control plane gets healthy; the Docker worker pre-pulls with docker pull', async () => {
    const report = await upReport(lab.inventory);
    assertHealthy(report);
    const w1 = lab.nodes.find((n) => n.name === 'w1')!.container;
    const { stdout } = await docker.exec(w1, ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}']);
    const images = stdout.trim().split('\n').sort();
    for (const i of hostOf(report, 'w1').images) assert.ok(images.includes(i.image), `${i.image} not in docker images: ${images.join(', ')}`);
    assert.equal(hostOf(report, 'w1').images.length, 3);
  });

  it('registries.endpoints on the Docker worker: daemon.json gets Docker Hub\'s mirrors and the plain-HTTP registries (its other keys kept), applied by a reload that stops no container; a re-run changes nothing', async () => {
    const w1 = lab.nodes.find((n) => n.name === 'w1')!.container;
    const containers = async () => (await docker.exec(w1, ['docker', 'ps', '-q', '--no-trunc'])).stdout.trim().split('\n').sort();
    const pid = async () => (await docker.exec(w1, ['systemctl', 'show', '-p', 'MainPID', '--value', 'docker'])).stdout.trim();
    await docker.exec(w1, ['sh', '-c', 'printf \'{"insecure-registries":["%s"],"log-level":"warn"}\\n\' "$1" > /etc/docker/daemon.json', 'sh', lab.registry.address]);
    const running = await containers();
    const dockerd = await pid();
    const inventory = await variant(lab.inventory, (doc) => {
      doc.setIn(['registries', 'endpoints'], doc.createNode({
        'docker.io': { mirrors: ['https://mirror.lab.invalid'] },
        [lab.registry.address]: { server: `http://${lab.registry.address}` },
        [lab.authRegistry.address]: { server: `http://${lab.authRegistry.address}` },
      }));
    }, 'docker-endpoints');
    const report = await upReport(inventory);
    assertHealthy(report);
    const w1Report = hostOf(report, 'w1');
    assert.ok(w1Report.prepared.includes('reload docker (registry settings changed)'), w1Report.prepared.join('\n'));
    const daemon = JSON.parse((await docker.exec(w1, ['cat', '/etc/docker/daemon.json'])).stdout) as Record<string, unknown>;
    assert.deepEqual(daemon, {
      'insecure-registries': [lab.registry.address, lab.authRegistry.address].sort(),
      'log-level': 'warn',
      'registry-mirrors': ['https://mirror.lab.invalid'],
    });
    // dockerd itself says what it uses now: the reload took effect, by the same process, with every container still running.
    const config = JSON.parse((await docker.exec(w1, ['docker', 'info', '--format', '{{json .RegistryConfig}}'])).stdout) as { Mirrors: string[]; InsecureRegistryCIDRs: string[]; IndexConfigs: Record<string, { Secure: boolean }> };
    assert.deepEqual(config.Mirrors, ['https://mirror.lab.invalid/']);
    assert.equal(config.IndexConfigs[lab.authRegistry.address]?.Secure, false);
    assert.equal(await pid(), dockerd);
    for (const id of running) assert.ok((await containers()).includes(id), `container ${id} stopped`);
    // The control plane's containerd host has no Docker: it gets the endpoints as hosts.toml.
    const cp1 = lab.nodes.find((n) => n.name === 'cp1')!.container;
    assert.match((await docker.exec(cp1, ['cat', `/etc/containerd/certs.d/${lab.authRegistry.address}/hosts.toml`])).stdout, new RegExp(`server = "http://${lab.authRegistry.address.replace(/\./g, '\\.')}"`));
    const again = await upReport(inventory);
    assertHealthy(again);
    assert.deepEqual(hostOf(again, 'w1').prepared, []);
    assert.equal(again.changed, false);
  });
});
