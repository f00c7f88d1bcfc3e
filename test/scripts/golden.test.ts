/**
 * Every command the tool sends to hosts, as golden files under test/golden/scripts/: each constant script once
 * (<name>.sh, exactly the text sent), and the argument lists the code builds for it per case (version, runtime,
 * role), one argument per line (<name>/<case>.argv). The commands are captured from the public functions that
 * send them, run against an in-memory host that records what it is asked, so the goldens are what a host gets.
 * Random values (the health scripts' section marker) are replaced by a fixed placeholder; secrets never reach
 * an argv (checked here) and so never a golden file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInventory } from '../../src/inventory/index.js';
import type { HostSpec, Inventory } from '../../src/inventory/types.js';
import { gatherFacts, parseFacts } from '../../src/phases/facts.js';
import { runResetScript, resetSteps, type ResetMode } from '../../src/phases/reset.js';
import { probeArgv, probePlan } from '../../src/phases/preflight.js';
import { listImagesArgv as listImagesCommand } from '../../src/kube/cri-commands.js';
import { criToolFor as pullToolFor } from '../../src/kube/cri-socket.js';
import { pullCommand } from '../../src/phases/images.js';
import { RegistryCredential } from '../../src/registries/credentials.js';
import { KUBELET_RESTART } from '../../src/phases/kubelet-start.js';
import { gatherDiagnosis, listRuntime, targetFor, type HealthTarget, type PollResult } from '../../src/health/check.js';
import type { HostRun } from '../../src/pipeline/context.js';
import { MemoryHost } from '../../src/transport/memory.js';
import type { ExecOptions, ExecResult } from '../../src/transport/host.js';
import { hashFilesWithShell, readFileWithShell, writeFilesWithShell } from '../../src/transport/files.js';
import { SUDO_PROBE, sudoCommand } from '../../src/transport/sudo.js';
import { STOPPABLE } from '../../src/transport/ssh.js';
import { argvText, assertGolden } from '../golden.js';

/** The runtimes per kubeadm generation: the CRI socket a host has, named for the golden file. */
const RUNTIMES: { version: string; runtime: string; socket: string }[] = [
  { version: 'v1.21.14', runtime: 'dockershim', socket: '/var/run/dockershim.sock' },
  { version: 'v1.21.14', runtime: 'containerd', socket: '/run/containerd/containerd.sock' },
  { version: 'v1.21.14', runtime: 'crio', socket: '/var/run/crio/crio.sock' },
  { version: 'v1.28.15', runtime: 'containerd', socket: 'unix:///var/run/containerd/containerd.sock' },
  { version: 'v1.28.15', runtime: 'crio', socket: 'unix:///var/run/crio/crio.sock' },
  { version: 'v1.28.15', runtime: 'cri-dockerd', socket: 'unix:///var/run/cri-dockerd.sock' },
];

function inventory(version: string): Inventory {
  return parseInventory('/work/cluster/inventory.yaml', `cluster:
  kubernetesVersion: ${version}
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`);
}

/** The one command a function sent to the host. */
function only(host: MemoryHost): readonly string[] {
  assert.equal(host.commands.length, 1, host.commands.map((c) => c.argv.join(' ')).join('\n'));
  return host.commands[0]!.argv;
}

/** The script of an `sh -c SCRIPT NAME ARGS…` command. */
function scriptOf(argv: readonly string[]): string {
  assert.deepEqual(argv.slice(0, 2), ['sh', '-c']);
  return argv[2]!;
}

const MARKER = /^@@bootstrap-[0-9a-f]{12}$/;
const withoutMarker = (argv: readonly string[]) => argv.map((a) => (MARKER.test(a) ? '@@bootstrap-RANDOM' : a));

async function settle(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch {
    // The in-memory host answers nothing useful: only the command sent matters here.
  }
}

test('reset: the script, and its arguments for a control plane and a worker per runtime', async () => {
  const golden = (name: string, argv: readonly string[]) => {
    const script = scriptOf(argv);
    assertGolden('scripts/reset.sh', script);
    assertGolden(`scripts/reset/${name}.argv`, argvText(argv, { 'scripts/reset.sh': script }));
  };
  const send = async (inv: Inventory, host: HostSpec, version: string, criSocket: string | undefined, mode: ResetMode) => {
    const memory = new MemoryHost(host.name).on(() => ({ stdout: '' }));
    await settle(runResetScript(memory, resetSteps(inv, host, { kubernetesVersion: version, criSocket }), mode));
    return only(memory);
  };
  for (const { version, runtime, socket } of RUNTIMES) {
    const inv = inventory(version);
    for (const host of inv.hosts) {
      const role = host.roles.includes('control-plane') ? 'control-plane' : 'worker';
      golden(`${version}-${runtime}-${role}`, await send(inv, host, version, socket, 'apply'));
    }
  }
  const inv = inventory('v1.28.15');
  golden('v1.28.15-containerd-control-plane-plan', await send(inv, inv.hosts[0]!, 'v1.28.15', RUNTIMES[3]!.socket, 'plan'));
  golden('v1.28.15-no-runtime-worker', await send(inv, inv.hosts[1]!, 'v1.28.15', undefined, 'apply'));
});

test('facts: the script, and the sockets it probes before and after v1.24', async () => {
  for (const version of ['v1.21.14', 'v1.28.15']) {
    const memory = new MemoryHost('cp1').on(() => ({ stdout: 'hostname=cp1\n' }));
    await gatherFacts(memory, version);
    const argv = only(memory);
    const script = scriptOf(argv);
    assertGolden('scripts/facts.sh', script);
    assertGolden(`scripts/facts/${version}.argv`, argvText(argv, { 'scripts/facts.sh': script }));
  }
});

test('preflight: the probe script, and its arguments for crictl, docker (dockershim) and no runtime', () => {
  const cases: { name: string; version: string; output: string; criSocket?: string }[] = [
    { name: 'v1.28.15-containerd', version: 'v1.28.15', output: 'socket=unix:///var/run/containerd/containerd.sock\nbin.crictl=/usr/bin/crictl\n', criSocket: 'unix:///var/run/containerd/containerd.sock' },
    { name: 'v1.21.14-containerd', version: 'v1.21.14', output: 'socket=/run/containerd/containerd.sock\nbin.crictl=/usr/bin/crictl\n', criSocket: '/run/containerd/containerd.sock' },
    { name: 'v1.21.14-dockershim', version: 'v1.21.14', output: 'socket=/var/run/docker.sock\nbin.docker=/usr/bin/docker\n', criSocket: '/var/run/dockershim.sock' },
    { name: 'v1.28.15-no-runtime', version: 'v1.28.15', output: '' },
  ];
  for (const c of cases) {
    const inv = inventory(c.version);
    const facts = { ...parseFacts(`hostname=cp1\n${c.output}`), ...(c.criSocket ? { criSocket: c.criSocket } : {}) };
    const argv = probeArgv(probePlan(c.version, { spec: inv.hosts[0]!, facts } as HostRun));
    const script = scriptOf(argv);
    assertGolden('scripts/preflight-probe.sh', script);
    assertGolden(`scripts/preflight-probe/${c.name}.argv`, argvText(argv, { 'scripts/preflight-probe.sh': script }));
  }
});

test('images: listing and pulling per runtime; with credentials the secret travels on stdin only', () => {
  const credential = new RegistryCredential('registry.example.com', 'puller', 's3cret-password');
  const image = 'registry.example.com/k8s/kube-apiserver:v1.28.15';
  for (const { version, runtime, socket } of RUNTIMES.filter((r) => r.runtime !== 'crio')) {
    const tool = pullToolFor(version, socket);
    assertGolden(`scripts/images/${version}-${runtime}-list.argv`, argvText(listImagesCommand(tool)));
    const plain = pullCommand(tool, image);
    assert.equal(plain.stdin, undefined);
    assertGolden(`scripts/images/${version}-${runtime}-pull.argv`, argvText(plain.argv));
    const secret = pullCommand(tool, image, credential);
    assert.ok(secret.stdin?.length);
    const text = argvText(secret.argv, { [`scripts/images/${tool.kind}-credentials.sh`]: scriptOf(secret.argv) });
    assert.doesNotMatch(text, /s3cret|cHVsbGVy/);
    assertGolden(`scripts/images/${tool.kind}-credentials.sh`, scriptOf(secret.argv));
    assertGolden(`scripts/images/${version}-${runtime}-pull-with-credentials.argv`, text);
  }
});

test('kubelet-start: the restart command', () => {
  assertGolden('scripts/kubelet-restart.argv', argvText(KUBELET_RESTART));
});

test('health: the runtime listing, diagnosis and file reading scripts, and their arguments per runtime', async () => {
  const scripts: Record<string, string> = {};
  const golden = (name: string, argv: readonly string[]) => {
    const script = scriptOf(argv);
    assertGolden(`scripts/health/${name}.sh`, script);
    scripts[`scripts/health/${name}.sh`] = script;
  };
  for (const { version, runtime, socket } of RUNTIMES) {
    const memory = new MemoryHost('cp1').on(() => ({ stdout: '' }));
    const target: HealthTarget = { host: memory, nodeName: 'cp1', version, criSocket: socket, components: [] };
    const listing = await listRuntime(target, 30_000);
    let argv = only(memory);
    golden('list', argv);
    assertGolden(`scripts/health/list/${version}-${runtime}.argv`, argvText(withoutMarker(argv), scripts));
    memory.commands.length = 0;
    // The diagnosis asks the tool the listing answered with: docker's CLI when dockershim did not answer.
    const tool = runtime === 'dockershim' ? 'docker' : listing.tool;
    const poll: PollResult = { kubelet: { ok: false, error: 'connection refused' }, listing: { ...listing, tool }, checks: [] };
    await gatherDiagnosis(target, poll);
    argv = only(memory);
    golden('diagnose', argv);
    assertGolden(`scripts/health/diagnose/${version}-${runtime}.argv`, argvText(withoutMarker(argv), scripts));
  }
  const inv = inventory('v1.28.15');
  const memory = new MemoryHost('cp1').on(() => ({ stdout: '' }));
  await targetFor({ spec: inv.hosts[0]!, host: memory }, inv);
  const argv = only(memory);
  golden('read-files', argv);
  assertGolden('scripts/health/read-files.argv', argvText(withoutMarker(argv), scripts));
});

test('transport: writing, hashing and reading files; sudo; the prefix that makes an SSH command stoppable', async () => {
  const sent: { argv: readonly string[]; options?: ExecOptions }[] = [];
  const exec = async (argv: readonly string[], options?: ExecOptions): Promise<ExecResult> => {
    sent.push({ argv, options });
    return { code: 0, stdout: '', stderr: '' };
  };
  const golden = async (name: string, call: () => Promise<unknown>) => {
    sent.length = 0;
    await call();
    assert.equal(sent.length, 1);
    // The write's token names its temporary folders, random per batch.
    const argv = sent[0]!.argv.map((a) => (/^\d{13}$/.test(a) ? 'TOKEN' : a));
    assertGolden(`scripts/transport/${name}.sh`, scriptOf(argv));
    assertGolden(`scripts/transport/${name}.argv`, argvText(argv, { [`scripts/transport/${name}.sh`]: scriptOf(argv) }));
  };
  await golden('write-files', () => writeFilesWithShell(exec, [
    { path: '/etc/kubernetes/admin.conf', content: 'kubeconfig', mode: 0o600 },
    { path: '/var/lib/kubelet/config.yaml', content: 'config', mode: 0o644 },
  ], { backupDir: '/var/lib/bootstrap/backups/20261122T153000Z' }));
  await golden('hash-files', () => hashFilesWithShell(exec, ['/etc/kubernetes/admin.conf', '/etc/kubernetes/manifests/etcd.yaml']));
  await golden('read-file', () => readFileWithShell(exec, '/etc/kubernetes/pki/ca.crt'));

  assertGolden('scripts/transport/sudo-probe.argv', argvText(SUDO_PROBE));
  const command = ['sh', '-c', 'true'];
  assertGolden('scripts/transport/sudo-nopasswd.argv', argvText(sudoCommand({ kind: 'nopasswd' }, command).argv));
  const withPassword = sudoCommand({ kind: 'password', password: 'sudo-s3cret' }, command);
  assert.doesNotMatch(withPassword.argv.join(' '), /sudo-s3cret/);
  assertGolden('scripts/transport/sudo-password.argv', argvText(withPassword.argv));
  assertGolden('scripts/transport/ssh-stoppable-prefix.argv', argvText(STOPPABLE));
});
