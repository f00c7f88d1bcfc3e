import { execFileSync, spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from '../../src/util/errors.js';
import { ensureSystemTools } from '../system-tools.js';
import { SSHD } from '../transport/ssh-server.js';
import { parseInventory } from '../../src/inventory/index.js';
import type { HostSpec, Inventory } from '../../src/inventory/types.js';
import { repinHostKeysInText, trustHost } from '../../src/commands/hosts-trust.js';
import { confirmReset, resetHosts } from '../../src/commands/reset.js';
import {
  assertSafeToClean, describeStep, nothingThere, parseResetOutput, RESET_SCRIPT, resetArgv, ResetError, resetSteps, runResetScript, type ResetStep,
} from '../../src/phases/reset.js';
import type { ExecOptions, ExecResult, FileWrite, Host, WriteOptions } from '../../src/transport/host.js';
import { fingerprint, publicKeyLine } from '../../src/transport/known-hosts.js';
import { LocalHost } from '../../src/transport/local.js';
import { MemoryHost } from '../../src/transport/memory.js';

const INVENTORY = `# The lab: one control plane, one worker.
cluster:
  kubernetesVersion: v1.28.4   # the version under test
hosts:
  - name: cp1
    address: 10.7.0.10
    roles: [control-plane]
    criSocket: unix:///run/containerd/containerd.sock
  - name: w1
    address: 10.7.0.11
    roles: [worker]
    criSocket: unix:///run/containerd/containerd.sock
`;

function inventory(text = INVENTORY, file = '/srv/lab/inventory.yaml'): Inventory {
  return parseInventory(file, text);
}

const CP_STEPS: ResetStep[] = [
  { op: 'dir', path: '/etc/kubernetes/manifests' },
  { op: 'kubelet' },
  { op: 'crictl', socket: 'unix:///run/containerd/containerd.sock' },
  { op: 'dir', path: '/var/lib/etcd' },
  { op: 'dir', path: '/etc/kubernetes/pki' },
  { op: 'file', path: '/etc/kubernetes/admin.conf' },
  { op: 'file', path: '/etc/kubernetes/super-admin.conf' },
  { op: 'file', path: '/etc/kubernetes/kubelet.conf' },
  { op: 'file', path: '/etc/kubernetes/bootstrap-kubelet.conf' },
  { op: 'file', path: '/etc/kubernetes/controller-manager.conf' },
  { op: 'file', path: '/etc/kubernetes/scheduler.conf' },
  { op: 'file', path: '/var/lib/kubelet/config.yaml' },
  { op: 'file', path: '/var/lib/kubelet/kubeadm-flags.env' },
  { op: 'file', path: '/var/lib/kubelet/instance-config.yaml' },
  { op: 'dir', path: '/var/lib/kubelet/pki' },
  { op: 'file', path: '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf' },
  { op: 'dir', path: '/etc/cni/net.d' },
  { op: 'dir', path: '/var/lib/bootstrap/backups' },
  { op: 'daemon-reload' },
];

// ------------------------------------------------------------------------------------------ pure logic

test('a control plane: manifests first, kubelet, its runtime pods, etcd data, certs, kubeconfigs, kubelet files, drop-in, CNI, daemon-reload', () => {
  const inv = inventory();
  assert.deepEqual(resetSteps(inv, inv.hosts[0]!, { kubernetesVersion: 'v1.28.4', criSocket: 'unix:///run/containerd/containerd.sock' }), CP_STEPS);
});

test('a worker keeps no etcd data to remove; a dockershim host (< v1.24) removes containers with docker', () => {
  const inv = inventory(INVENTORY.replace('v1.28.4', 'v1.23.17'));
  const steps = resetSteps(inv, inv.hosts[1]!, { kubernetesVersion: 'v1.23.17', criSocket: '/var/run/dockershim.sock' });
  assert.deepEqual(steps.slice(0, 4), [{ op: 'dir', path: '/etc/kubernetes/manifests' }, { op: 'kubelet' }, { op: 'docker' }, { op: 'dir', path: '/etc/kubernetes/pki' }]);
  assert.equal(steps.some((s) => s.op === 'dir' && s.path === '/var/lib/etcd'), false);
  // v1.23 with containerd: crictl, with the socket spelled as that kubeadm writes it.
  const cri = resetSteps(inv, inv.hosts[1]!, { kubernetesVersion: 'v1.23.17', criSocket: '/run/containerd/containerd.sock' });
  assert.deepEqual(cri[2], { op: 'crictl', socket: '/run/containerd/containerd.sock' });
  // No socket decided: no runtime step at all.
  assert.deepEqual(resetSteps(inv, inv.hosts[1]!, { kubernetesVersion: 'v1.23.17' }).slice(0, 3).map((s) => s.op), ['dir', 'kubelet', 'dir']);
});

test('a dataDir that is a system folder is refused before anything runs', () => {
  for (const bad of ['/', '/var/lib', '/var/lib/', '/etc', '/var/lib/kubelet', 'var/lib/etcd', '/var/lib/../lib']) {
    assert.throws(() => assertSafeToClean(bad, 'the etcd data directory'), ResetError, bad);
  }
  assert.doesNotThrow(() => assertSafeToClean('/var/lib/etcd', 'x'));
  assert.doesNotThrow(() => assertSafeToClean('/data/etcd', 'x'));
  const inv = inventory(INVENTORY.replace('kubernetesVersion: v1.28.4   # the version under test', 'kubernetesVersion: v1.28.4\n  etcd: { local: { dataDir: /var/lib } }'));
  assert.equal(inv.cluster.etcd.local.dataDir, '/var/lib');
  assert.throws(() => resetSteps(inv, inv.hosts[0]!, { kubernetesVersion: 'v1.28.4' }),
    { message: 'refusing to empty the etcd data directory "/var/lib": it must be a dedicated absolute folder at least two levels deep' });
});

test('the script output is parsed step by step and described for people', () => {
  const steps: ResetStep[] = [{ op: 'dir', path: '/etc/kubernetes/manifests' }, { op: 'kubelet' }, { op: 'crictl', socket: 'unix:///s' }, { op: 'file', path: '/a' }, { op: 'daemon-reload' }];
  const out = 'dir\t/etc/kubernetes/manifests\tremoved\t4\nkubelet\tkubelet\tremoved\twas active\ncrictl\tunix:///s\tremoved\t1\nfile\t/a\tabsent\t\ndaemon-reload\tsystemd\tdone\t\n';
  const results = parseResetOutput(out, steps);
  assert.deepEqual(results.map(describeStep), [
    'emptied /etc/kubernetes/manifests (4 entries)', 'stopped kubelet (was active)', 'removed 1 pod through unix:///s', '/a: nothing there', 'systemctl daemon-reload',
  ]);
  assert.equal(nothingThere(results), false);
  assert.throws(() => parseResetOutput(out.split('\n').slice(0, 3).join('\n'), steps), /reported 3 of 5 steps/);
  assert.throws(() => parseResetOutput('sudo: a password is required\n', steps.slice(0, 1)), /unexpected output/);
});

// ------------------------------------------------------------------------- the phase, against MemoryHost

const FACTS = 'hostname=cp1\nos=debian 12\narch=x86_64\nuid=0\ncpus=2\nmemkb=4000000\nswaps=0\nactive.kubelet=active\n';

function memoryHost(name: string, resetOutput: (argv: readonly string[]) => string): MemoryHost {
  return new MemoryHost(name).on((argv) => {
    if (argv[0] === 'sh' && argv[3] === 'sh') return { stdout: FACTS };
    if (argv[2] === RESET_SCRIPT) return { stdout: resetOutput(argv) };
    return undefined;
  });
}

/** What the script prints when every step finds its thing (or nothing), for the steps in argv. */
function cannedOutput(argv: readonly string[], outcome: 'removed' | 'absent' | 'present'): string {
  const lines: string[] = [];
  const args = argv.slice(6);
  for (let i = 0; i < args.length; i++) {
    const op = args[i]!;
    const target = op === 'dir' || op === 'file' || op === 'crictl' ? args[++i]! : op === 'daemon-reload' ? 'systemd' : op;
    const o = op === 'daemon-reload' ? (outcome === 'present' ? 'present' : 'done') : outcome;
    lines.push(`${op}\t${target}\t${o}\t${op === 'dir' || op === 'crictl' ? (outcome === 'absent' ? '' : '2') : ''}`);
  }
  return lines.join('\n') + '\n';
}

test('resetHosts: every host in parallel, one command each after the facts, with the exact argv', async () => {
  const inv = inventory();
  const hosts = new Map([['cp1', memoryHost('cp1', (a) => cannedOutput(a, 'removed'))], ['w1', memoryHost('w1', (a) => cannedOutput(a, 'removed'))]]);
  const report = await resetHosts(inv, { yes: true, renderer: 'silent', connect: async (spec) => hosts.get(spec.name)! });
  assert.equal(report.ok, true);
  assert.equal(report.dryRun, false);
  const cp = hosts.get('cp1')!;
  assert.equal(cp.roundTrips, 2);
  assert.deepEqual(cp.commands[1]!.argv, [
    'sh', '-c', RESET_SCRIPT, 'bootstrap-reset', '', 'apply',
    'dir', '/etc/kubernetes/manifests', 'kubelet', 'crictl', 'unix:///run/containerd/containerd.sock', 'dir', '/var/lib/etcd',
    'dir', '/etc/kubernetes/pki', 'file', '/etc/kubernetes/admin.conf', 'file', '/etc/kubernetes/super-admin.conf',
    'file', '/etc/kubernetes/kubelet.conf', 'file', '/etc/kubernetes/bootstrap-kubelet.conf', 'file', '/etc/kubernetes/controller-manager.conf',
    'file', '/etc/kubernetes/scheduler.conf', 'file', '/var/lib/kubelet/config.yaml', 'file', '/var/lib/kubelet/kubeadm-flags.env',
    'file', '/var/lib/kubelet/instance-config.yaml', 'dir', '/var/lib/kubelet/pki', 'file', '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
    'dir', '/etc/cni/net.d', 'dir', '/var/lib/bootstrap/backups', 'daemon-reload',
  ]);
  // The worker's command is the same without the etcd data.
  assert.deepEqual(hosts.get('w1')!.commands[1]!.argv.slice(6, 12), ['dir', '/etc/kubernetes/manifests', 'kubelet', 'crictl', 'unix:///run/containerd/containerd.sock', 'dir']);
  assert.equal(hosts.get('w1')!.commands[1]!.argv[12], '/etc/kubernetes/pki');
  const [cpReport] = report.hosts;
  assert.equal(cpReport!.nothingThere, false);
  assert.equal(cpReport!.steps.length, 19);
  assert.deepEqual(cpReport!.removed.slice(0, 3), ['/etc/kubernetes/manifests', '/var/lib/etcd', '/etc/kubernetes/pki']);
});

test('resetHosts: a host that reports a failed step fails with that step named; the others still reset', async () => {
  const inv = inventory();
  const failing = (argv: readonly string[]) => cannedOutput(argv, 'absent').replace('file\t/etc/kubernetes/admin.conf\tabsent\t', 'file\t/etc/kubernetes/admin.conf\tfailed\tOperation not permitted');
  const hosts = new Map([['cp1', memoryHost('cp1', failing)], ['w1', memoryHost('w1', (a) => cannedOutput(a, 'absent'))]]);
  const report = await resetHosts(inv, { renderer: 'silent', connect: async (spec) => hosts.get(spec.name)! });
  assert.equal(report.ok, false);
  assert.equal(report.hosts[0]!.error, 'cp1: reset incomplete:\nFAILED file /etc/kubernetes/admin.conf: Operation not permitted');
  assert.equal(report.hosts[1]!.ok, true);
  assert.equal(report.hosts[1]!.nothingThere, true);
});

test('resetHosts --dry-run only looks (plan mode) and lists what it would do', async () => {
  const inv = inventory();
  const host = memoryHost('cp1', (a) => cannedOutput(a, a[5] === 'plan' ? 'present' : 'removed'));
  const report = await resetHosts({ ...inv, hosts: [inv.hosts[0]!] }, { dryRun: true, renderer: 'silent', connect: async () => host });
  assert.equal(host.commands.length, 2);
  assert.equal(host.commands[1]!.argv[5], 'plan');
  const actions = report.hosts[0]!.actions;
  assert.equal(actions[0], 'would reset cp1 (19 steps)');
  assert.deepEqual(actions.slice(1, 4), ['would empty /etc/kubernetes/manifests (2 entries)', 'would stop kubelet ()', 'would remove 2 pods through unix:///run/containerd/containerd.sock']);
  assert.deepEqual(report.hosts[0]!.removed, []);
});

test('resetHosts refuses a host where several runtimes answer and none is named', async () => {
  const inv = inventory(INVENTORY.replace(/\n    criSocket: .*/g, ''));
  const host = new MemoryHost('cp1').on((argv) => (argv[0] === 'sh' && argv[3] === 'sh'
    ? { stdout: `${FACTS}socket=unix:///var/run/containerd/containerd.sock\nsocket=unix:///var/run/crio/crio.sock\n` } : undefined));
  const report = await resetHosts({ ...inv, hosts: [inv.hosts[0]!] }, { renderer: 'silent', connect: async () => host });
  assert.equal(report.ok, false);
  assert.equal(report.hosts[0]!.error,
    "cp1: several container runtimes answer (unix:///var/run/containerd/containerd.sock, unix:///var/run/crio/crio.sock); name the one kubelet uses as the host's criSocket in the inventory");
  assert.equal(host.commands.length, 1);
});

// ---------------------------------------------------------------------------------------- confirmation

test('without --yes and without a terminal, reset refuses and names the hosts', async () => {
  const inv = inventory();
  await assert.rejects(confirmReset(inv, {}), (err: Error) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.message, 'refusing to reset 2 host(s) without confirmation: cp1 (10.7.0.10, control-plane), w1 (10.7.0.11, worker). ' +
      'Run it on a terminal to be asked, or pass --yes (try --dry-run first to see what would be removed).');
    return true;
  });
  assert.equal(await confirmReset(inv, { yes: true }), true);
  assert.equal(await confirmReset(inv, { dryRun: true }), true);
});

test('the question names the hosts and what is removed; only "yes" goes on', async () => {
  const inv = inventory();
  const asked: string[] = [];
  const prompt = (answer: string) => async (q: string) => {
    asked.push(q);
    return answer;
  };
  assert.equal(await confirmReset(inv, { prompt: prompt('yes\n') }), true);
  assert.equal(await confirmReset(inv, { prompt: prompt('') }), false);
  assert.equal(await confirmReset(inv, { prompt: prompt('no') }), false);
  assert.equal(asked[0], 'This resets 2 host(s): cp1 (10.7.0.10, control-plane), w1 (10.7.0.11, worker).\nOn each it will:\n' +
    '  - stop kubelet\n' +
    "  - remove the static Pod manifests (/etc/kubernetes/manifests/*) and every Pod's containers and sandboxes in the container runtime\n" +
    '  - delete /etc/kubernetes/pki/*, /etc/kubernetes/admin.conf, /etc/kubernetes/super-admin.conf, /etc/kubernetes/kubelet.conf, ' +
    '/etc/kubernetes/bootstrap-kubelet.conf, /etc/kubernetes/controller-manager.conf, /etc/kubernetes/scheduler.conf\n' +
    '  - delete /var/lib/kubelet/config.yaml, /var/lib/kubelet/kubeadm-flags.env, /var/lib/kubelet/instance-config.yaml, /var/lib/kubelet/pki/* ' +
    'and the kubelet drop-in /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf\n' +
    '  - delete the etcd data /var/lib/etcd/* (control-plane hosts)\n' +
    '  - delete the CNI configuration /etc/cni/net.d/*\n' +
    '  - delete the copies of replaced files that up kept in /var/lib/bootstrap/backups/*\n' +
    'Continue? Type "yes": ');
});

// ------------------------------------------------------------------- the script, for real, in a scratch root

/** The local machine with stand-ins for systemctl, crictl and docker first on the PATH. */
class StandInHost implements Host {
  readonly name = 'local';
  private readonly local = new LocalHost('local');
  constructor(private readonly bin: string) {}
  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.local.exec(['env', `PATH=${this.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...argv], { ...options, sudo: false });
  }
  readFile(path: string) { return this.local.readFile(path); }
  hashFiles(paths: readonly string[]) { return this.local.hashFiles(paths); }
  writeFiles(files: readonly FileWrite[], options?: WriteOptions) { return this.local.writeFiles(files, options); }
  connect(port: number) { return this.local.connect(port); }
  async close() {}
}

interface Scratch {
  root: string;
  state: string;
  host: StandInHost;
  socket: Server;
  calls(): string[];
  cleanup(): Promise<void>;
}

const STANDINS: Record<string, string> = {
  systemctl: `case "$1" in
is-active) s=$(cat "$STATE/kubelet"); echo "$s"; [ "$s" = active ] ;;
stop) echo "systemctl $*" >> "$STATE/calls"; echo inactive > "$STATE/kubelet" ;;
daemon-reload) echo "systemctl $*" >> "$STATE/calls" ;;
*) exit 1 ;;
esac`,
  crictl: `[ "$1" = -r ] || exit 9; sock=$2; shift 2
case "$1" in
pods) cat "$STATE/pods" ;;
stopp) echo "crictl -r $sock stopp $2" >> "$STATE/calls" ;;
rmp) echo "crictl -r $sock rmp $2" >> "$STATE/calls"; grep -v "^$2\\$" "$STATE/pods" > "$STATE/pods.new"; mv "$STATE/pods.new" "$STATE/pods" ;;
*) exit 1 ;;
esac`,
  docker: `case "$1" in
ps) [ "$*" = 'ps -a --filter name=k8s_ -q' ] && cat "$STATE/containers" ;;
rm) echo "docker $*" >> "$STATE/calls" ;;
*) exit 1 ;;
esac`,
};

function put(root: string, path: string, content = 'x\n'): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

async function scratch(): Promise<Scratch> {
  const base = mkdtempSync(join(tmpdir(), 'reset-'));
  const root = join(base, 'root');
  const state = join(base, 'state');
  const bin = join(base, 'bin');
  mkdirSync(state, { recursive: true });
  mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(STANDINS)) {
    writeFileSync(join(bin, name), `#!/bin/sh\nSTATE='${state}'\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(state, 'kubelet'), 'active\n');
  writeFileSync(join(state, 'pods'), 'aaa111\nbbb222\n');
  writeFileSync(join(state, 'calls'), '');
  writeFileSync(join(state, 'containers'), 'c0ffee\n');
  // What up leaves on a control plane…
  for (const f of ['etcd.yaml', 'kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml']) put(root, `/etc/kubernetes/manifests/${f}`);
  for (const f of ['ca.crt', 'ca.key', 'etcd/ca.crt', '.hidden']) put(root, `/etc/kubernetes/pki/${f}`);
  for (const f of ['admin.conf', 'super-admin.conf', 'kubelet.conf', 'controller-manager.conf', 'scheduler.conf']) put(root, `/etc/kubernetes/${f}`);
  for (const f of ['config.yaml', 'kubeadm-flags.env', 'pki/kubelet.crt', 'pki/kubelet-client-current.pem']) put(root, `/var/lib/kubelet/${f}`);
  put(root, '/var/lib/etcd/member/snap/db');
  put(root, '/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf');
  put(root, '/etc/cni/net.d/10-bridge.conflist');
  // …and what is not ours and must stay.
  put(root, '/etc/kubernetes/audit-policy.yaml');
  put(root, '/var/lib/kubelet/pods/uid/volumes/x');
  put(root, '/usr/lib/systemd/system/kubelet.service.d/20-site.conf');
  put(root, '/usr/lib/systemd/system/kubelet.service');
  put(root, '/etc/cni/other/keep');
  put(root, '/var/lib/etcd-backup/db');
  mkdirSync(join(root, 'run/containerd'), { recursive: true });
  const socket = createServer();
  await new Promise<void>((resolve) => socket.listen(join(root, 'run/containerd/containerd.sock'), resolve));
  return {
    root, state, host: new StandInHost(bin), socket,
    calls: () => readFileSync(join(state, 'calls'), 'utf8').split('\n').filter(Boolean),
    cleanup: async () => {
      await new Promise((resolve) => socket.close(resolve));
      rmSync(base, { recursive: true, force: true });
    },
  };
}

function tree(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      const below = tree(root, path);
      out.push(...(below.length ? below : [`${path}/`]));
    } else out.push(path);
  }
  return out.sort();
}

test('the script, for real: removes exactly its list, reports each step, and a second run finds nothing', async () => {
  const s = await scratch();
  try {
    const inv = inventory();
    const steps = resetSteps(inv, inv.hosts[0]!, { kubernetesVersion: 'v1.28.4', criSocket: 'unix:///run/containerd/containerd.sock' });

    const plan = await runResetScript(s.host, steps, 'plan', { root: s.root });
    assert.deepEqual(plan.slice(0, 4).map(describeStep), [
      'empty /etc/kubernetes/manifests (4 entries)', 'stop kubelet (active)', 'remove 2 pods through unix:///run/containerd/containerd.sock', 'empty /var/lib/etcd (1 entry)',
    ]);
    assert.deepEqual(s.calls(), [], 'plan mode changes nothing');
    assert.ok(existsSync(join(s.root, 'etc/kubernetes/manifests/etcd.yaml')));

    const first = await runResetScript(s.host, steps, 'apply', { root: s.root });
    assert.deepEqual(first.map(describeStep), [
      'emptied /etc/kubernetes/manifests (4 entries)',
      'stopped kubelet (was active)',
      'removed 2 pods through unix:///run/containerd/containerd.sock',
      'emptied /var/lib/etcd (1 entry)',
      'emptied /etc/kubernetes/pki (4 entries)',
      'removed /etc/kubernetes/admin.conf',
      'removed /etc/kubernetes/super-admin.conf',
      'removed /etc/kubernetes/kubelet.conf',
      '/etc/kubernetes/bootstrap-kubelet.conf: nothing there',
      'removed /etc/kubernetes/controller-manager.conf',
      'removed /etc/kubernetes/scheduler.conf',
      'removed /var/lib/kubelet/config.yaml',
      'removed /var/lib/kubelet/kubeadm-flags.env',
      '/var/lib/kubelet/instance-config.yaml: nothing there',
      'emptied /var/lib/kubelet/pki (2 entries)',
      'removed /usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf',
      'emptied /etc/cni/net.d (1 entry)',
      '/var/lib/bootstrap/backups: nothing there',
      'systemctl daemon-reload',
    ]);
    assert.deepEqual(s.calls(), [
      'systemctl stop kubelet',
      'crictl -r unix:///run/containerd/containerd.sock stopp aaa111', 'crictl -r unix:///run/containerd/containerd.sock rmp aaa111',
      'crictl -r unix:///run/containerd/containerd.sock stopp bbb222', 'crictl -r unix:///run/containerd/containerd.sock rmp bbb222',
      'systemctl daemon-reload',
    ]);
    assert.deepEqual(tree(s.root), [
      '/etc/cni/net.d/', '/etc/cni/other/keep',
      '/etc/kubernetes/audit-policy.yaml', '/etc/kubernetes/manifests/', '/etc/kubernetes/pki/',
      '/run/containerd/containerd.sock',
      '/usr/lib/systemd/system/kubelet.service', '/usr/lib/systemd/system/kubelet.service.d/20-site.conf',
      '/var/lib/etcd-backup/db', '/var/lib/etcd/', '/var/lib/kubelet/pki/', '/var/lib/kubelet/pods/uid/volumes/x',
    ]);

    const second = await runResetScript(s.host, steps, 'apply', { root: s.root });
    assert.equal(nothingThere(second), true);
    assert.deepEqual(second.slice(0, 5).map(describeStep), [
      '/etc/kubernetes/manifests: nothing there (empty)', 'kubelet not running (inactive)', 'no pods in unix:///run/containerd/containerd.sock',
      '/var/lib/etcd: nothing there (empty)', '/etc/kubernetes/pki: nothing there (empty)',
    ]);
    assert.equal(s.calls().length, 7, 'only daemon-reload ran again');
  } finally {
    await s.cleanup();
  }
});

test('reset removes the backups up made of keys and kubeconfigs, with their private folders', async () => {
  const s = await scratch();
  try {
    // Two runs of up's write script, the second replacing a key and a kubeconfig: their old copies are backed up.
    const writer = new LocalHost();
    const secrets = ['/etc/kubernetes/pki/ca.key', '/etc/kubernetes/admin.conf'].map((p) => join(s.root, p));
    await writer.writeFiles(secrets.map((path) => ({ path, content: 'first\n', mode: 0o600 })));
    const backups = join(s.root, 'var/lib/bootstrap/backups');
    await writer.writeFiles(secrets.map((path) => ({ path, content: 'second\n', mode: 0o600 })), { backupDir: join(backups, '20261202T150000Z') });
    for (const path of secrets) assert.equal(readFileSync(join(backups, '20261202T150000Z', path), 'utf8'), 'first\n');

    const inv = inventory();
    const steps = resetSteps(inv, inv.hosts[0]!, { kubernetesVersion: 'v1.28.4', criSocket: 'unix:///run/containerd/containerd.sock' });
    const results = await runResetScript(s.host, steps, 'apply', { root: s.root });
    assert.ok(results.map(describeStep).includes('emptied /var/lib/bootstrap/backups (1 entry)'));
    assert.deepEqual(readdirSync(backups), []);
  } finally {
    await s.cleanup();
  }
});

test('the script goes on after a step fails and reports it; a file that is a folder is left alone', async () => {
  const s = await scratch();
  try {
    rmSync(join(s.root, 'etc/kubernetes/admin.conf'));
    mkdirSync(join(s.root, 'etc/kubernetes/admin.conf/inside'), { recursive: true });
    rmSync(join(s.root, 'run/containerd/containerd.sock'));
    const steps: ResetStep[] = [
      { op: 'file', path: '/etc/kubernetes/admin.conf/' }, { op: 'crictl', socket: 'unix:///run/containerd/containerd.sock' },
      { op: 'docker' }, { op: 'dir', path: '/etc/kubernetes/kubelet.conf' }, { op: 'file', path: '/etc/kubernetes/scheduler.conf' },
    ];
    const results = await runResetScript(s.host, steps, 'apply', { root: s.root });
    assert.deepEqual(results.map((r) => [r.outcome, r.detail]), [
      ['failed', 'a directory, left alone'], ['absent', 'no socket'],
      ['removed', '1'], ['failed', 'not a directory, left alone'], ['removed', ''],
    ]);
    assert.deepEqual(s.calls(), ['docker rm --force --volumes c0ffee']);
    assert.ok(existsSync(join(s.root, 'etc/kubernetes/admin.conf/inside')));
    assert.ok(existsSync(join(s.root, 'etc/kubernetes/kubelet.conf')));
  } finally {
    await s.cleanup();
  }
});

test('resetHosts end to end on the local machine (scratch root): first run resets, second says nothing was there', async () => {
  const s = await scratch();
  try {
    const inv = inventory();
    const one = { ...inv, hosts: [inv.hosts[0]!] };
    const options = { yes: true, renderer: 'silent' as const, connect: async () => s.host };
    const first = await resetHosts(one, options, { root: s.root });
    assert.equal(first.ok, true, first.hosts[0]!.error);
    assert.equal(first.hosts[0]!.nothingThere, false);
    // 5 folders emptied, 7 kubeconfig and kubelet files, the drop-in.
    assert.equal(first.hosts[0]!.removed.length, 13);
    const second = await resetHosts(one, options, { root: s.root });
    assert.equal(second.ok, true);
    assert.equal(second.hosts[0]!.nothingThere, true);
    assert.deepEqual(second.hosts[0]!.removed, []);
  } finally {
    await s.cleanup();
  }
});

// ------------------------------------------------------------------------------------------ hosts trust

/** A syntactically real ed25519 public key blob from a seed byte. */
function keyLine(seed: number): string {
  const type = Buffer.from('ssh-ed25519');
  const blob = Buffer.concat([Buffer.from([0, 0, 0, type.length]), type, Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, seed)]);
  return publicKeyLine(blob);
}
const fp = (line: string) => fingerprint(Buffer.from(line.split(' ')[1]!, 'base64'));

const OLD = keyLine(1);
const OLD_RSA = keyLine(3);
const NEW = keyLine(2);

const PINNED = `# Lab inventory (kept by hand)
cluster:
  kubernetesVersion: v1.28.4

hosts:
  # the control plane
  - name: cp1
    address: 10.7.0.10
    roles: [control-plane]
    hostKeys:
      - ${OLD}   # ed25519, from the console
  - name: w1    # the worker
    address: 10.7.0.11
    roles: [worker]
    hostKeys: ["${OLD}"]
`;

test('re-pinning in the inventory changes only the key, keeping comments, quoting and blank lines', () => {
  assert.equal(repinHostKeysInText('/x/inv.yaml', PINNED, 'cp1', NEW), PINNED.replace(`      - ${OLD}   # ed25519`, `      - ${NEW}   # ed25519`));
  assert.equal(repinHostKeysInText('/x/inv.yaml', PINNED, 'w1', NEW), PINNED.replace(`hostKeys: ["${OLD}"]`, `hostKeys: ["${NEW}"]`));
});

test('re-pinning replaces several old keys with the one presented (block and flow lists)', () => {
  const block = PINNED.replace(`      - ${OLD}   # ed25519, from the console\n`, `      - ${OLD}   # ed25519, from the console\n      - '${OLD_RSA}'  # rsa\n      # trailing note\n`);
  assert.equal(repinHostKeysInText('/x/inv.yaml', block, 'cp1', NEW), PINNED.replace(`      - ${OLD}   # ed25519, from the console\n`, `      - ${NEW}   # ed25519, from the console\n      # trailing note\n`));
  const flow = PINNED.replace(`hostKeys: ["${OLD}"]`, `hostKeys: ["${OLD}", ${OLD_RSA}]  # both`);
  assert.equal(repinHostKeysInText('/x/inv.yaml', flow, 'w1', NEW), PINNED.replace(`hostKeys: ["${OLD}"]`, `hostKeys: ["${NEW}"]  # both`));
  assert.throws(() => repinHostKeysInText('/x/inv.yaml', PINNED, 'w9', NEW), { message: '/x/inv.yaml: no host named "w9"' });
});

test('trustHost re-pins in the inventory file after showing both fingerprints', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-'));
  try {
    const file = join(dir, 'inventory.yaml');
    writeFileSync(file, PINNED, { mode: 0o640 });
    const inv = parseInventory(file, PINNED);
    const log: string[] = [];
    const fetchKey = async (host: HostSpec) => {
      assert.equal(host.name, 'cp1');
      return { fingerprint: fp(NEW), key: NEW };
    };
    await assert.rejects(trustHost(inv, 'cp1', { fetchKey }), (err: Error) => err instanceof UsageError &&
      err.message === `not pinning cp1's key ${fp(NEW)} without confirmation: check the fingerprint out of band, then run on a terminal to be asked, or pass --yes`);
    assert.equal(readFileSync(file, 'utf8'), PINNED);
    const declined = await trustHost(inv, 'cp1', { fetchKey, prompt: async () => 'n' });
    assert.equal(declined.outcome, 'declined');
    assert.equal(readFileSync(file, 'utf8'), PINNED);

    const result = await trustHost(inv, 'cp1', { fetchKey, yes: true, log: (l) => log.push(l) });
    assert.deepEqual(result, { host: 'cp1', file, pinnedIn: 'inventory', previous: [fp(OLD)], presented: { fingerprint: fp(NEW), key: NEW }, outcome: 'pinned' });
    assert.deepEqual(log, [
      `cp1: trusted in ${file}: ${fp(OLD)}`, `cp1: presents now: ssh-ed25519 ${fp(NEW)}`, `cp1: pinned ${fp(NEW)} in ${file}`,
    ]);
    assert.equal(readFileSync(file, 'utf8'), PINNED.replace(`      - ${OLD}   #`, `      - ${NEW}   #`));
    assert.deepEqual(readdirSync(dir), ['inventory.yaml']);

    const again = await trustHost(parseInventory(file, readFileSync(file, 'utf8')), 'cp1', { fetchKey, yes: true });
    assert.equal(again.outcome, 'unchanged');
    await assert.rejects(trustHost(inv, 'nope', { fetchKey }), { message: `${file}: no host named "nope" (hosts: cp1, w1)` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('trustHost without pinned keys replaces the host\'s known_hosts lines and keeps the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trust-'));
  try {
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `# mine\nother.example ${OLD_RSA}\n10.7.0.10 ${OLD}\n[10.7.0.10]:2222 ${OLD}\n`);
    const text = `cluster: { kubernetesVersion: v1.28.4 }\nssh: { knownHostsFile: ${knownHosts} }\nhosts:\n  - { name: cp1, address: 10.7.0.10, roles: [control-plane] }\n`;
    const inv = parseInventory(join(dir, 'inventory.yaml'), text);
    const result = await trustHost(inv, 'cp1', { yes: true, ssh: { sshConfigFile: null, homeDir: dir }, fetchKey: async () => ({ fingerprint: fp(NEW), key: NEW }) });
    assert.equal(result.outcome, 'pinned');
    assert.equal(result.pinnedIn, 'known_hosts');
    assert.deepEqual(result.previous, [fp(OLD)]);
    assert.equal(readFileSync(knownHosts, 'utf8'), `# mine\nother.example ${OLD_RSA}\n[10.7.0.10]:2222 ${OLD}\n10.7.0.10 ${NEW}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('resetArgv never puts a step inside the shell text', () => {
  const argv = resetArgv([{ op: 'dir', path: '/x; rm -rf /' }], 'apply');
  assert.deepEqual(argv.slice(3), ['bootstrap-reset', '', 'apply', 'dir', '/x; rm -rf /']);
  assert.equal(argv[2], RESET_SCRIPT);
});

// ---------------------------------------------------------------- hosts trust against a real sshd

/** Debian's sshd as a child process on 127.0.0.1 with a fresh host key: all trustHost needs is its key exchange. */
async function startSshd(dir: string): Promise<{ port: number; pub: string; fingerprint: string; stop: () => void }> {
  const key = join(dir, 'ssh_host_ed25519_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', key]);
  const pub = readFileSync(`${key}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${key}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  const log = join(dir, 'sshd.log');
  const config = join(dir, 'sshd_config');
  writeFileSync(config, `Port ${port}\nListenAddress 127.0.0.1\nHostKey ${key}\nPidFile ${join(dir, 'sshd.pid')}\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n`);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn(SSHD, ['-D', '-f', config, '-E', log], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(existsSync(log) && readFileSync(log, 'utf8').includes('Server listening'))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sshd did not start: ${existsSync(log) ? readFileSync(log, 'utf8') : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, pub, fingerprint, stop: () => child.kill('SIGTERM') };
}

test('trustHost fetches the key a real sshd presents and pins it in the inventory', async () => {
  ensureSystemTools();
  const dir = mkdtempSync(join(tmpdir(), 'trust-sshd-'));
  const sshd = await startSshd(dir);
  try {
    const file = join(dir, 'inventory.yaml');
    const text = `cluster:\n  kubernetesVersion: v1.28.4\nssh:\n  port: ${sshd.port}\n  agent: false\n  knownHostsFile: ${join(dir, 'known_hosts')}\n` +
      `hosts:\n  - name: cp1\n    address: 127.0.0.1\n    roles: [control-plane]\n    hostKeys:\n      - ${OLD}  # before the reinstall\n`;
    writeFileSync(file, text);
    const result = await trustHost(parseInventory(file, text), 'cp1', { yes: true, ssh: { sshConfigFile: null, homeDir: dir } });
    assert.equal(result.presented.fingerprint, sshd.fingerprint);
    assert.equal(result.presented.key, sshd.pub);
    assert.equal(readFileSync(file, 'utf8'), text.replace(OLD, sshd.pub));
  } finally {
    sshd.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
