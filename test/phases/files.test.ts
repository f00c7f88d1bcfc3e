/**
 * The write phases against an in-memory host: only differing files are written, in one batch per phase,
 * dry runs change nothing, kubelet restarts only when needed, and failures are reported per host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInventory } from '../../src/inventory/index.js';
import { hostOf, newHostRun, type UpContext, type UpOptions } from '../../src/pipeline/context.js';
import type { Phase } from '../../src/pipeline/phase.js';
import { HostsFailedError, runOnHosts, runPhases } from '../../src/pipeline/runner.js';
import { connectPhase } from '../../src/phases/connect.js';
import { certsPhase, controlPlanePhase, etcdPhase, kubeconfigPhase, phaseOfPath } from '../../src/phases/files.js';
import { kubeletStartPhase } from '../../src/phases/kubelet-start.js';
import { CommandError } from '../../src/transport/host.js';
import { MemoryHost } from '../../src/transport/memory.js';
import { ChangeRefusedError } from '../../src/transport/read-only.js';
import { renderCluster } from '../../src/render/index.js';
import { StateDirError } from '../../src/pki/index.js';

const FACTS = `hostname=cp1
os=debian 12
arch=x86_64
kernel=6.1.0
uid=0
cpus=2
memkb=4000000
swaps=0
socket=unix:///var/run/containerd/containerd.sock
bin.kubelet=/usr/bin/kubelet
bin.crictl=/usr/bin/crictl
version.kubelet=Kubernetes v1.28.15
active.kubelet=inactive
`;

async function setup(options: UpOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-phases-'));
  const inv = parseInventory(join(dir, 'inventory.yaml'), `
cluster: { kubernetesVersion: v1.28.15 }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`);
  const hosts = new Map<string, MemoryHost>();
  for (const h of inv.hosts) {
    const host = new MemoryHost(h.name)
      .on((argv) => (argv[2]?.includes('/proc/sys/kernel/hostname') ? { stdout: FACTS.replace('cp1', h.name) } : undefined))
      .on((argv) => (argv[0] === 'sh' && argv[2]?.includes('systemctl restart kubelet') ? { stdout: '' } : undefined));
    hosts.set(h.name, host);
  }
  const ctx: UpContext = {
    inv,
    options: { renderer: 'silent', connect: async (spec) => hosts.get(spec.name)!, ...options },
    hosts: inv.hosts.map(newHostRun),
    backupDir: '/var/lib/bootstrap/backups/test',
    startedAt: new Date(),
    shared: new Map(),
    cleanups: [],
  };
  return { ctx, hosts, inv };
}

const PHASES = [connectPhase, certsPhase, kubeconfigPhase, etcdPhase, controlPlanePhase, kubeletStartPhase];

test('every rendered file belongs to exactly one write phase', async () => {
  const { inv } = await setup();
  const [cp] = await renderCluster(inv);
  const seen = new Map<string, number>();
  for (const f of cp!.files) seen.set(phaseOfPath(f.path), (seen.get(phaseOfPath(f.path)) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(seen), { certs: 22, kubeconfig: 4, etcd: 1, 'control-plane': 3, 'kubelet-start': 3 });
});

test('a first run writes everything (one batch per phase) and starts kubelet; workers get nothing', async () => {
  const { ctx, hosts } = await setup();
  await runPhases(ctx, PHASES);
  const cp1 = hosts.get('cp1')!;
  const [cp] = await renderCluster(ctx.inv);
  assert.deepEqual([...cp1.files.keys()].sort(), cp!.files.map((f) => f.path).sort());
  for (const f of cp!.files) assert.equal(cp1.files.get(f.path)?.mode, f.mode, f.path);
  // connect: facts (1); hashes (1); five write batches; one restart.
  assert.equal(cp1.roundTrips, 8);
  assert.ok(cp1.commands.some((c) => c.argv[2]?.includes('systemctl restart kubelet')));
  assert.equal(ctx.hosts[0]?.kubeletRestarted, true);
  assert.equal(hosts.get('w1')!.files.size, 0);
});

test('a second run on an unchanged host writes nothing and does not restart a running kubelet', async () => {
  const { ctx, hosts } = await setup();
  await runPhases(ctx, PHASES);
  const cp1 = hosts.get('cp1')!;
  const before = new Map(cp1.files);
  cp1.on(() => undefined);
  // Second run: same state dir (same certificates), kubelet now active.
  const second: UpContext = { ...ctx, hosts: ctx.inv.hosts.map(newHostRun), renderInputs: undefined };
  const fresh = new MemoryHost('cp1')
    .on((argv) => (argv[2]?.includes('/proc/sys/kernel/hostname') ? { stdout: FACTS.replace('inactive', 'active') } : undefined));
  for (const [path, file] of before) fresh.files.set(path, file);
  second.options = { ...ctx.options, connect: async (spec) => (spec.name === 'cp1' ? fresh : hosts.get(spec.name)!) };
  await runPhases(second, PHASES);
  assert.deepEqual(second.hosts[0]?.changed, []);
  assert.equal(second.hosts[0]?.kubeletRestarted, false);
  assert.equal(fresh.roundTrips, 2, 'facts and hashes only');
  assert.deepEqual(fresh.files, before);
});

test('a changed file is rewritten alone and the old one backed up', async () => {
  const { ctx, hosts } = await setup();
  await runPhases(ctx, PHASES);
  const cp1 = hosts.get('cp1')!;
  cp1.files.set('/etc/kubernetes/manifests/kube-scheduler.yaml', { content: Buffer.from('edited by hand\n'), mode: 0o600 });
  const second: UpContext = { ...ctx, hosts: ctx.inv.hosts.map(newHostRun), renderInputs: undefined };
  await runPhases(second, PHASES);
  assert.deepEqual(second.hosts[0]?.changed, ['/etc/kubernetes/manifests/kube-scheduler.yaml']);
  assert.equal(cp1.files.get('/var/lib/bootstrap/backups/test/etc/kubernetes/manifests/kube-scheduler.yaml')?.content.toString(), 'edited by hand\n');
});

test('a key or kubeconfig whose mode was widened on the host is rewritten with its mode, with a warning; no backup of the same content', async () => {
  const { ctx, hosts } = await setup();
  await runPhases(ctx, PHASES);
  const cp1 = hosts.get('cp1')!;
  const key = '/etc/kubernetes/pki/ca.key';
  const admin = '/etc/kubernetes/admin.conf';
  cp1.files.set(key, { ...cp1.files.get(key)!, mode: 0o644 });
  cp1.files.set(admin, { ...cp1.files.get(admin)!, mode: 0o640 });
  // Narrower than rendered is not widened: left alone.
  cp1.files.set('/var/lib/kubelet/config.yaml', { ...cp1.files.get('/var/lib/kubelet/config.yaml')!, mode: 0o600 });
  const second: UpContext = { ...ctx, hosts: ctx.inv.hosts.map(newHostRun), renderInputs: undefined };
  await runPhases(second, PHASES);
  assert.deepEqual(second.hosts[0]?.changed, [key, admin]);
  assert.equal(cp1.files.get(key)?.mode, 0o600);
  assert.equal(cp1.files.get(admin)?.mode, 0o600);
  assert.deepEqual(second.hosts[0]?.warnings.filter((w) => /was mode/.test(w)), [
    `${key} on cp1 was mode 0644, readable beyond its 0600: rewritten with 0600; check who could have read it`,
    `${admin} on cp1 was mode 0640, readable beyond its 0600: rewritten with 0600; check who could have read it`,
  ]);
  assert.equal([...cp1.files.keys()].some((p) => p.startsWith('/var/lib/bootstrap/backups/')), false);
});

test('a dry run writes nothing and says what it would do', async () => {
  const { ctx, hosts } = await setup({ dryRun: true });
  await runPhases(ctx, PHASES);
  const cp1 = hosts.get('cp1')!;
  assert.equal(cp1.files.size, 0);
  assert.equal(ctx.hosts[0]?.changed.length, 33);
  assert.ok(ctx.hosts[0]?.actions.every((a) => a.startsWith('would ')), ctx.hosts[0]?.actions.join('\n'));
  assert.ok(ctx.hosts[0]?.actions.some((a) => a.startsWith('would restart kubelet')));
  assert.ok(!cp1.commands.some((c) => c.argv[2]?.includes('systemctl restart')));
});

test('failures on several hosts are reported together, naming each host and phase', async () => {
  const { ctx } = await setup();
  ctx.options.connect = async (spec) => {
    throw Object.assign(new Error(`authentication failed for root@${spec.address}`), { retryable: false });
  };
  await assert.rejects(runPhases(ctx, PHASES), (error: unknown) => {
    assert.ok(error instanceof HostsFailedError);
    assert.equal(error.message, 'failed on 2 hosts:\n - cp1 (connect): authentication failed for root@10.7.0.149\n - w1 (connect): authentication failed for root@10.7.0.150');
    return true;
  });
});

test('a dry run over a new inventory leaves no state directory: its CAs and certificates live in a removed scratch folder', async () => {
  const { ctx, hosts, inv } = await setup({ dryRun: true });
  const failed = await runOnHosts(ctx, PHASES);
  assert.equal(failed, undefined);
  assert.equal(existsSync(inv.stateDir), false, `${inv.stateDir} was created by a dry run`);
  assert.notEqual(ctx.inv.stateDir, inv.stateDir, 'the dry run worked on a scratch copy');
  assert.equal(existsSync(ctx.inv.stateDir), false, 'the scratch copy is removed');
  assert.equal(hosts.get('cp1')!.files.size, 0);
  assert.equal(ctx.hosts[0]?.changed.length, 33);
});

test('a dry run reuses the existing CAs and leaves the state directory exactly as it was', async () => {
  const { ctx: first, inv } = await setup();
  assert.equal(await runOnHosts(first, PHASES), undefined);
  const before = snapshot(inv.stateDir);
  const written = first.hosts[0]!;
  const { ctx, hosts } = await setup({ dryRun: true });
  ctx.inv = { ...ctx.inv, stateDir: inv.stateDir };
  // The host already has what the real run wrote: a dry run that reused the CAs finds nothing to change.
  const cp1 = hosts.get('cp1')!;
  for (const f of written.files ?? []) cp1.files.set(f.path, { content: Buffer.from(f.content), mode: f.mode });
  assert.equal(await runOnHosts(ctx, PHASES), undefined);
  assert.deepEqual(ctx.hosts[0]?.changed, []);
  assert.deepEqual(snapshot(inv.stateDir), before);
});

test('outside wet() a phase sees the host read-only: a write or an unmarked command is refused, queries go through', async () => {
  const { ctx, hosts } = await setup();
  const attempts: string[] = [];
  const sneaky: Phase = {
    name: 'sneaky',
    title: 'sneaky',
    appliesTo: (h) => h.spec.name === 'cp1',
    async run(_ctx, h) {
      const host = hostOf(h);
      assert.ok(await host.hashFiles(['/etc/hostname']));
      assert.equal((await host.exec(['sh', '-c', 'cat /proc/sys/kernel/hostname'], { readOnly: true })).code, 0);
      await assert.rejects(host.writeFiles([{ path: '/etc/x', content: 'x', mode: 0o644 }]), (e: Error) => (attempts.push(e.message), e instanceof ChangeRefusedError));
      await assert.rejects(host.exec(['systemctl', 'restart', 'kubelet']), (e: Error) => (attempts.push(e.message), e instanceof ChangeRefusedError));
    },
  };
  assert.equal(await runOnHosts(ctx, [connectPhase, sneaky]), undefined);
  assert.equal(attempts.length, 2);
  assert.match(attempts[0]!, /^cp1: refused to write \/etc\/x outside wet\(\)/);
  assert.match(attempts[1]!, /^cp1: refused to run systemctl \(not marked read-only\) outside wet\(\)/);
  const cp1 = hosts.get('cp1')!;
  assert.equal(cp1.files.size, 0);
  assert.ok(!cp1.commands.some((c) => c.argv[0] === 'systemctl'));
});

/** Every file under a folder with its content, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    out[path] = readFileSync(path, 'base64');
  }
  return out;
}

test('a phase that fails with a bug (not an input or host error) is told apart from host failures', async () => {
  const { ctx } = await setup();
  const buggy: Phase = {
    name: 'buggy',
    title: 'buggy',
    appliesTo: () => true,
    async run(_ctx, h) {
      if (h.spec.name === 'cp1') throw new TypeError("Cannot read properties of undefined (reading 'x')");
      throw new ChangeRefusedError('w1: refused');
    },
  };
  const failed = await runOnHosts(ctx, [connectPhase, buggy]);
  assert.ok(failed instanceof HostsFailedError);
  assert.deepEqual(failed.bugs.map((e) => e.name), ['TypeError', 'ChangeRefusedError']);
  const { ctx: again } = await setup();
  again.options.connect = async (spec) => {
    throw new CommandError(spec.name, ['ssh'], { code: 255, stdout: '', stderr: 'Permission denied (publickey)' });
  };
  const hostFailures = await runOnHosts(again, PHASES);
  assert.ok(hostFailures instanceof HostsFailedError);
  assert.equal(hostFailures.failures.length, 2);
  assert.deepEqual(hostFailures.bugs, []);
});

test('a state directory someone loosened stops up, dry run or not, before any host is reached', async () => {
  const { ctx: first, inv } = await setup();
  assert.equal(await runOnHosts(first, PHASES), undefined);
  const key = join(inv.stateDir, 'pki', 'ca.key');
  chmodSync(key, 0o640);
  for (const dryRun of [false, true]) {
    const { ctx } = await setup({ dryRun });
    ctx.inv = { ...ctx.inv, stateDir: inv.stateDir };
    let connected = 0;
    ctx.options.connect = async () => {
      connected++;
      throw new Error('no host may be reached');
    };
    await assert.rejects(runOnHosts(ctx, PHASES), (error: unknown) => {
      assert.ok(error instanceof StateDirError);
      assert.match(error.message, new RegExp(`${key}: mode 0640, expected 0600[^]*chmod 600 '${key}'`));
      return true;
    });
    assert.equal(connected, 0);
  }
  assert.equal(statSync(key).mode & 0o777, 0o640, 'left as the user set it');
});
