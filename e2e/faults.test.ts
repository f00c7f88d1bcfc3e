/**
 * The fault matrix: the faults users meet, each injected during `bootstrap up` (or `reset`) on one lab (one
 * control plane, two workers, images from the authenticated registry with credentials), every run through the real
 * CLI. For each fault: the run ends within its timeouts with a clear message for the host it hit, the other hosts
 * finish, no temporary or half-written file is left on any host or in the state directory, and an `up` after the
 * fault clears converges. All along, every node's process command lines and environments are sampled, and every
 * run's log and JSON output kept: none may hold a registry password, a bootstrap token or a private key.
 * The table (fault × outcome × time) is printed at the end.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { UpReport } from '../src/commands/up.js';
import { loadInventory } from '../src/inventory/index.js';
import { LAB_PREFLIGHT_IGNORES } from './ignores.js';
import { variant } from './runs.js';
import { ProcessWatch } from './process-watch.js';
import { DockerCli } from './lab/docker.js';
import { applyFault, clearFaults, type FaultSpec } from './lab/faults.js';
import { defaultUpOptions, down, up as labUp } from './lab/lab.js';
import { defaultRepoRoot, labExists, type LabState } from './lab/state.js';
import { kubectlBinary } from './lab/testing.js';

const run = promisify(execFile);
const repoRoot = defaultRepoRoot();
const cli = join(repoRoot, 'dist/src/cli/main.js');
const quiet = () => undefined;
/** No run may take longer than this: past it, the run hangs (and is killed). */
const RUN_LIMIT_MS = 5 * 60_000;
const VERSION = 'v1.28.4';

interface CliRun {
  code: number | null;
  out: string;
  seconds: number;
}

/** One row of the matrix's table. */
interface Row {
  fault: string;
  during: string;
  outcome: string;
  seconds: number;
  converged: number;
}

/**
 * The hosts that failed, with their whole message: up's closing " - w1 (images): …" list (continuation lines
 * indented), else the per-host "w1 (worker): FAILED: …" / reset's "w1: FAILED: …" lines.
 */
function failuresIn(out: string): Map<string, string> {
  const failed = new Map<string, string>();
  const summary = out.lastIndexOf('\nfailed on ');
  if (summary >= 0) {
    for (const m of out.slice(summary).matchAll(/^ - (\S+) \([^)]*\): (.*(?:\n {3}.*)*)/gm)) failed.set(m[1]!, m[2]!.replace(/\n {3}/g, '\n'));
  }
  for (const m of out.matchAll(/^(\S+)(?: \([^)]*\))?: FAILED: (.*)$/gm)) if (!failed.has(m[1]!)) failed.set(m[1]!, m[2]!);
  return failed;
}

describe('fault matrix on the lab (v1.28, containerd; one control plane, two workers)', { concurrency: 1 }, () => {
  let lab: LabState;
  let docker: DockerCli;
  let inventory: string;
  let stateDir: string;
  let sshConfig: string;
  let watch: ProcessWatch;
  const outputs: string[] = [];
  const rows: Row[] = [];
  const node = (name: string) => lab.nodes.find((n) => n.name === name)!.container;
  const onNode = (name: string, script: string) => docker.exec(node(name), ['sh', '-c', script]);
  const crictl = (name: string, ...args: string[]) => onNode(name, `crictl --runtime-endpoint unix:///var/run/containerd/containerd.sock ${args.join(' ')}`);
  const image = (name: string) => `${lab.authRegistry.address}/${name}`;

  /** Runs the CLI (text output, or -o json), applying `fault` once `when` shows in its output; killed past RUN_LIMIT_MS. */
  async function runCli(args: string[], inject?: { when: RegExp; fault: () => Promise<unknown> }): Promise<CliRun> {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let injected: Promise<unknown> | undefined;
    const seen = (b: Buffer) => {
      out += b.toString();
      if (inject && !injected && inject.when.test(out)) injected = inject.fault();
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    const killer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(killer);
    outputs.push(out);
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    assert.ok(seconds * 1000 < RUN_LIMIT_MS, `bootstrap ${args[0]} hung (killed after ${RUN_LIMIT_MS / 60_000} min):\n${out}`);
    if (inject) {
      assert.ok(injected, `the fault was never injected: ${inject.when} never showed in\n${out}`);
      await injected;
    }
    return { code, out, seconds };
  }

  const upArgs = (...extra: string[]) => ['up', inventory, '-F', sshConfig, `--ignore-preflight-errors=${LAB_PREFLIGHT_IGNORES.join(',')}`, '--wait-timeout', '2m', ...extra];

  /** `up -o json` after the fault cleared: every host healthy or joined. Returns its time. */
  async function converge(): Promise<number> {
    const result = await runCli(upArgs('-o', 'json'));
    const report = JSON.parse(result.out.slice(result.out.indexOf('{'))) as UpReport;
    assert.equal(report.ok, true, JSON.stringify(report.hosts.map((h) => ({ host: h.name, error: h.error })), null, 2));
    const cp1 = report.hosts.find((h) => h.name === 'cp1')!;
    assert.ok(cp1.components.length === 5 && cp1.components.every((c) => c.healthy), JSON.stringify(cp1.components));
    return result.seconds;
  }

  /** Temporary files of bootstrap's writes, on every node and in the state directory: none may be left. */
  async function assertNothingPartial(when: string): Promise<void> {
    for (const n of lab.nodes) {
      const { stdout } = await onNode(n.name, "find / -xdev \\( -name '*.bootstrap-tmp.*' -o -path '/tmp/bootstrap.*' \\) -print 2>/dev/null || true");
      assert.equal(stdout.trim(), '', `${when}: temporary files left on ${n.name}`);
    }
    const here = existsSync(stateDir) ? readdirSync(stateDir, { recursive: true, encoding: 'utf8' }).filter((p) => /\.tmp$/.test(p)) : [];
    assert.deepEqual(here, [], `${when}: temporary files left in the state directory`);
  }

  /**
   * One case: prepare the work the run must do, run it with the fault injected, check what each host got, clear the
   * fault, converge. `expect` maps a host to the pattern its failure must match (absent hosts must not fail; a
   * host mapped to `ok-or` may also finish).
   */
  async function matrixCase(c: {
    fault: string;
    during: 'up' | 'reset';
    spec: FaultSpec;
    durationMs: number;
    when?: RegExp;
    prepare?: () => Promise<void>;
    args?: string[];
    failing: Record<string, RegExp>;
    mayFinish?: boolean;
    check?: (result: CliRun) => Promise<void> | void;
  }): Promise<void> {
    await c.prepare?.();
    const apply = () => applyFault(repoRoot, c.spec, c.durationMs);
    if (!c.when) await apply();
    const result = await runCli(c.args ?? upArgs(), c.when ? { when: c.when, fault: apply } : undefined).finally(() => clearFaults(repoRoot));
    const failed = failuresIn(result.out);
    for (const [host, error] of failed) {
      const pattern = c.failing[host];
      assert.ok(pattern, `${c.fault}: ${host} failed, and only ${Object.keys(c.failing).join(', ') || 'no host'} may: ${error}\n${result.out}`);
      assert.match(error, pattern, `${c.fault}: ${host}`);
    }
    if (!c.mayFinish) {
      for (const host of Object.keys(c.failing)) assert.ok(failed.has(host), `${c.fault}: ${host} did not fail\n${result.out}`);
    }
    assert.equal(result.code, failed.size > 0 ? 1 : 0, `${c.fault}: exit code\n${result.out}`);
    await c.check?.(result);
    await assertNothingPartial(c.fault);
    const converged = await converge();
    await assertNothingPartial(`${c.fault}, after converging`);
    const outcome = failed.size === 0 ? 'every host finished' : [...failed].map(([host, error]) => `${host}: ${error.replace(new RegExp(`^${host}: `), '').replace(/\n\s*/g, ' ')}`).join('; ');
    rows.push({ fault: c.fault, during: c.during, outcome, seconds: result.seconds, converged });
  }

  before(async () => {
    if (labExists(repoRoot)) await down(repoRoot, { purge: false, log: quiet });
    lab = await labUp(repoRoot, defaultUpOptions({ hosts: 3, controlPlanes: 1, kubernetesVersion: VERSION, log: quiet }));
    docker = new DockerCli(lab.docker.host);
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-e2e-faults-'));
    const dockerConfig = join(dir, 'config.json');
    const auth = Buffer.from(`${lab.authRegistry.username}:${lab.authRegistry.password}`).toString('base64');
    await writeFile(dockerConfig, JSON.stringify({ auths: { [lab.authRegistry.address]: { auth } } }), { mode: 0o600 });
    inventory = await variant(lab.inventory, (doc) => {
      doc.setIn(['cluster', 'imageRepository'], lab.authRegistry.address);
      doc.setIn(['images', 'credentials', 'configFile'], dockerConfig);
      // Short enough for a stalled pull to be given up and tried again within the case.
      doc.setIn(['images', 'timeout'], '15s');
    }, 'faults');
    stateDir = (await loadInventory(inventory)).stateDir;
    // Keep-alives as ssh's ServerAliveInterval/CountMax, read as ssh reads them: a host that stops answering is
    // given up after about 2 × 2 s.
    sshConfig = join(dir, 'ssh_config');
    await writeFile(sshConfig, 'Host *\n  ServerAliveInterval 2\n  ServerAliveCountMax 2\n');
    watch = new ProcessWatch(docker, lab.nodes.map((n) => n.container));
    await converge();
  });

  after(async () => {
    await watch?.stop();
    await clearFaults(repoRoot).catch(() => undefined);
    if (rows.length > 0) {
      const table = [
        '| fault | during | outcome | run (s) | re-run converged (s) |',
        '| --- | --- | --- | --- | --- |',
        ...rows.map((r) => `| ${r.fault} | ${r.during} | ${r.outcome.replace(/\|/g, '\\|')} | ${r.seconds} | ${r.converged} |`),
      ];
      process.stdout.write(`fault matrix (${VERSION}, 3 lab nodes):\n${table.join('\n')}\n`);
    }
    if (!process.env.BOOTSTRAP_KEEP_LAB) await down(repoRoot, { purge: false, log: quiet });
  });

  it('20 % packet loss on a worker\'s link during up (the worker pulls an image): every host finishes or says what failed', async () => {
    await matrixCase({
      fault: '20 % packet loss on w1',
      during: 'up',
      spec: { kind: 'loss', node: 'w1', percent: 20 },
      durationMs: RUN_LIMIT_MS,
      when: /connect: SSH to every host/,
      prepare: () => crictl('w1', 'rmi', image(`kube-proxy:${VERSION}`)).then(() => undefined),
      failing: { w1: /w1.*(timed out|connection|lost|reset|keep-?alive)/is },
      mayFinish: true,
    });
  });

  it('300 ms latency to a worker during up: every host finishes', async () => {
    await matrixCase({
      fault: '300 ms latency to w1',
      during: 'up',
      spec: { kind: 'latency', node: 'w1', delayMs: 300 },
      durationMs: RUN_LIMIT_MS,
      prepare: () => crictl('w1', 'rmi', image('coredns:v1.10.1')).then(() => undefined),
      failing: {},
    });
  });

  it('a registry that stalls mid-blob: the pull is given up at its timeout and tried again once the registry answers', async () => {
    await matrixCase({
      fault: 'registry stalls mid-blob (20 s)',
      during: 'up',
      spec: { kind: 'registry-stall-blob', registry: 'auth-registry' },
      durationMs: 20_000,
      prepare: () => crictl('w1', 'rmi', image(`kube-proxy:${VERSION}`)).then(() => undefined),
      failing: {},
      check: (result) => {
        assert.match(result.out, /kube-proxy:v1\.28\.4\s+w1\s+pulled/);
      },
    });
  });

  it('a registry answering 500, then recovering: pulls are retried with back-off and succeed', async () => {
    await matrixCase({
      fault: 'registry answers 500 (6 s)',
      during: 'up',
      spec: { kind: 'registry-500', registry: 'auth-registry' },
      durationMs: 6_000,
      prepare: () => crictl('w2', 'rmi', image(`coredns:v1.10.1`)).then(() => undefined),
      failing: {},
      check: (result) => {
        assert.match(result.out, /coredns:v1\.10\.1\s+w2\s+pulled/);
      },
    });
  });

  it('the registry\'s credentials change mid-run: the host that pulls fails with 401, untried again; the others finish', async () => {
    await matrixCase({
      fault: 'registry password changed mid-run (401)',
      during: 'up',
      spec: { kind: 'registry-password' },
      durationMs: RUN_LIMIT_MS,
      when: /connect: SSH to every host/,
      prepare: () => crictl('w1', 'rmi', image(`pause:3.9`)).then(() => undefined),
      failing: { w1: /w1:\n.*pause:3\.9: .*(unauthorized|authentication required|401).*\(1 try\)/is },
    });
  });

  it('a worker paused (SIGSTOP) past the keep-alive window: it is given up with a clear message; the others finish', async () => {
    await matrixCase({
      fault: 'w2 paused (SIGSTOP) 60 s; keep-alive 2 s × 2',
      during: 'up',
      spec: { kind: 'node-pause', node: 'w2' },
      durationMs: 60_000,
      when: /✔ .*connect: SSH to every host/,
      failing: { w2: /^w2: the SSH connection to root@10\.77\.0\.12:22 was lost: no answer to 2 keep-alives sent every 2s$/ },
      check: (result) => {
        assert.ok(result.seconds < 60, `the run took ${result.seconds} s: it waited for the paused host to come back`);
      },
    });
  });

  it('a full disk on the control plane: the write fails with ENOSPC, nothing half-written, the workers finish', async () => {
    let before = '';
    const manifests = "cd /etc/kubernetes/manifests && sha256sum etcd.yaml kube-apiserver.yaml kube-controller-manager.yaml";
    await matrixCase({
      fault: 'disk full on cp1 (/etc/kubernetes)',
      during: 'up',
      spec: { kind: 'disk-full', node: 'cp1', path: '/etc/kubernetes' },
      durationMs: RUN_LIMIT_MS,
      prepare: async () => {
        await onNode('cp1', 'rm -f /etc/kubernetes/manifests/kube-scheduler.yaml');
        before = (await onNode('cp1', manifests)).stdout;
      },
      failing: { cp1: /^writing 1 file\(s\) failed: tar: \/etc\/kubernetes\/manifests\/kube-scheduler\.yaml: Cannot write: No space left on device$/ },
      check: async () => {
        assert.equal((await onNode('cp1', manifests)).stdout, before, 'a manifest changed under a full disk');
        assert.equal((await onNode('cp1', 'test -e /etc/kubernetes/manifests/kube-scheduler.yaml && echo there || echo absent')).stdout.trim(), 'absent');
      },
    });
  });

  it('the state directory read-only while a certificate must be made: a clear error, no host touched', async () => {
    await matrixCase({
      fault: 'state directory read-only',
      during: 'up',
      spec: { kind: 'local-readonly', path: stateDir },
      durationMs: RUN_LIMIT_MS,
      prepare: () => rm(join(stateDir, 'hosts/cp1/pki/apiserver.crt')),
      failing: { cp1: /^cannot write .*\/hosts\/cp1\/pki\/apiserver\.(key|crt) on this machine: the file system is read-only \(EROFS\)$/ },
      check: (result) => {
        assert.doesNotMatch(result.out, /cp1: .*wrote/);
      },
    });
  });

  it('reset of a worker with 20 % packet loss on its link: it finishes or says what failed; up rejoins it', async () => {
    await matrixCase({
      fault: '20 % packet loss on w2',
      during: 'reset',
      spec: { kind: 'loss', node: 'w2', percent: 20 },
      durationMs: RUN_LIMIT_MS,
      args: ['reset', inventory, '-F', sshConfig, '--hosts', 'w2', '--yes'],
      failing: { w2: /w2.*(timed out|connection|lost|reset|keep-?alive)/is },
      mayFinish: true,
    });
  });

  it('reset of a worker that is paused (SIGSTOP): connecting gives up at ConnectTimeout, tries included; up rejoins it', async () => {
    await matrixCase({
      fault: 'w1 paused (SIGSTOP) 90 s',
      during: 'reset',
      spec: { kind: 'node-pause', node: 'w1' },
      durationMs: 90_000,
      args: ['reset', inventory, '-F', sshConfig, '--hosts', 'w1', '--yes'],
      failing: { w1: /^w1: no SSH connection to root@10\.77\.0\.11 within 10s$/ },
      check: (result) => {
        assert.ok(result.seconds < 90, `the run took ${result.seconds} s: it waited for the paused host to come back`);
      },
    });
  });

  /** Every secret of the run, named: the registry's password and auth string, the bootstrap tokens, the private keys. */
  async function secretsOfTheRun(): Promise<[string, string][]> {
    const kubectl = await kubectlBinary();
    const admin = join(stateDir, 'admin.conf');
    const secrets = JSON.parse((await run(kubectl, ['--kubeconfig', admin, 'get', 'secrets', '-n', 'kube-system', '-o', 'json'])).stdout) as {
      items: { type: string; data?: Record<string, string> }[];
    };
    const decode = (b64?: string) => Buffer.from(b64 ?? '', 'base64').toString();
    const tokens = secrets.items.filter((s) => s.type === 'bootstrap.kubernetes.io/token').map((s) => [decode(s.data?.['token-id']), decode(s.data?.['token-secret'])] as const);
    assert.ok(tokens.length > 0, 'no bootstrap token in the cluster');
    const keyLines = readdirSync(stateDir, { recursive: true, encoding: 'utf8' })
      .filter((p) => p.endsWith('.key'))
      .map((p) => readFileSync(join(stateDir, p), 'utf8').split('\n')[1] ?? '')
      .filter((line) => line.length >= 40);
    assert.ok(keyLines.length >= 5, 'the private keys of the state directory were not found');
    return [
      ['the registry password', lab.authRegistry.password],
      ['the registry auth string', Buffer.from(`${lab.authRegistry.username}:${lab.authRegistry.password}`).toString('base64')],
      ...tokens.flatMap(([id, secret]) => [[`bootstrap token ${id}`, `${id}.${secret}`], [`bootstrap token ${id}'s secret`, secret]] as [string, string][]),
      ...keyLines.map((line, i) => [`private key #${i + 1}`, line] as [string, string]),
    ];
  }

  /** crictl's environment while it pulls: where bootstrap hands the auth string to crictl v1.24–v1.25 (CRICTL_AUTH). */
  const inCrictlAuth = (line: string) => line.startsWith('CRICTL_AUTH=');

  it('through every fault: no password, bootstrap token or private key in a log, the JSON output, or any process\'s command line or environment on a node', async () => {
    await watch.stop();
    assert.ok(watch.samples > 50, `only ${watch.samples} samples of the nodes' processes`);
    const leaks: string[] = [];
    for (const [what, secret] of await secretsOfTheRun()) {
      if (outputs.some((o) => o.includes(secret))) leaks.push(`${what} in bootstrap's output`);
      const line = [...watch.lines].find((l) => l.includes(secret));
      if (line) leaks.push(`${what} in a process on a node: ${line.replace(secret, '<secret>').slice(0, 120)}`);
    }
    if ([...watch.lines].some((l) => l.includes('PRIVATE KEY'))) leaks.push('a PEM private key in a process on a node');
    assert.deepEqual(leaks, []);
  });

  it('crictl v1.26+ (the lab\'s reports the cluster\'s version) was given the password on a terminal, never in CRICTL_AUTH', () => {
    // The sampled argv of a pull with credentials, one argument per line: crictl … pull --username lab IMAGE.
    assert.ok(watch.lines.has('--username'), 'no pull with --username was seen on a node');
    assert.deepEqual([...watch.lines].filter(inCrictlAuth), []);
  });
});
