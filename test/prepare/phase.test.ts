/**
 * The prepare phase against in-memory hosts: one look (probe, two reads and one hash, sent together), one batch
 * of writes, one script of commands, all through wet(); a dry run changes nothing; a re-run on the prepared host
 * does nothing; a wrong checksum stops every host before prepare touches any of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { newHostRun, type UpContext, type UpOptions } from '../../src/pipeline/context.js';
import { HostsFailedError, runPhases } from '../../src/pipeline/runner.js';
import { connectPhase } from '../../src/phases/connect.js';
import { commandsScript, preparePhase } from '../../src/phases/prepare.js';
import { planPrepare, PROBE_SCRIPT, type HostState } from '../../src/prepare/index.js';
import { kubeVersion } from '../../src/kube/version.js';
import { MemoryHost } from '../../src/transport/memory.js';
import { APT_KEY_PATH } from '../../src/prepare/repository.js';
import { applyPlan, bareDebian, DEBIAN_FSTAB } from './host-model.js';

const FACTS = `hostname=cp1
os=debian 12
arch=x86_64
kernel=6.1.0
uid=0
cpus=2
memkb=4000000
swaps=1
`;

/** What the probe script prints on a host in that state (the inverse of parseProbe). */
function probeOutput(state: HostState): string {
  const lines = [`arch=${state.arch}`, ...[...state.modules].map((m) => `module=${m}`)];
  for (const [k, v] of Object.entries(state.sysctl)) lines.push(`sysctl.${k.replaceAll('.', '/')}=${v}`);
  lines.push(`swaps=${state.swaps}`, ...[...state.executables].map((b) => `bin=${b}`));
  const v = state.versions;
  if (v.kubelet) lines.push(`version.kubelet=Kubernetes ${v.kubelet}`);
  if (v.crictl) lines.push(`version.crictl=crictl version ${v.crictl}`);
  if (v.containerd) lines.push(`version.containerd=containerd github.com/containerd/containerd ${v.containerd}~ds1 ${v.containerd}~ds1-1+b1`);
  if (v.kubeadm) lines.push(`version.kubeadm=${v.kubeadm}`);
  for (const [name, version] of state.packages) lines.push(`pkg=${state.held.has(name) ? 'hi' : 'ii'}  ${name} ${version}`);
  lines.push(`enabled.kubelet=${state.kubeletEnabled ? 'enabled' : 'disabled'}`);
  return `${lines.join('\n')}\n`;
}

async function setup(extra: string, options: UpOptions = {}, version = 'v1.28.4') {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-prepare-'));
  await writeFile(join(dir, 'kubelet'), 'kubelet binary');
  const inv: Inventory = parseInventory(join(dir, 'inventory.yaml'), `
cluster: { kubernetesVersion: ${version} }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
${extra}`);
  const model = { state: bareDebian() };
  const host = new MemoryHost('cp1')
    .on((argv) => (argv[2]?.includes('/proc/sys/kernel/hostname') ? { stdout: FACTS } : undefined))
    .on((argv) => (argv[2] === PROBE_SCRIPT ? { stdout: probeOutput(model.state) } : undefined))
    .on((argv) => {
      if (!argv[2]?.startsWith('set -e\n')) return undefined;
      // What the commands leave as files: apt-helper fetches the repository's key.
      if (argv[2].includes('/usr/lib/apt/apt-helper download-file')) host.files.set(APT_KEY_PATH, { content: Buffer.from('KEY'), mode: 0o644 });
      return { stdout: '' };
    });
  host.files.set('/etc/fstab', { content: Buffer.from(DEBIAN_FSTAB), mode: 0o644 });
  host.files.set('/etc/ssl/certs/ca-certificates.crt', { content: Buffer.from('-----BEGIN CERTIFICATE-----\n'), mode: 0o644 });
  const ctx: UpContext = {
    inv,
    options: { renderer: 'silent', connect: async () => host, ...options },
    hosts: inv.hosts.map(newHostRun),
    backupDir: '/var/lib/bootstrap/backups/test',
    startedAt: new Date(),
    shared: new Map(),
    cleanups: [],
  };
  return { ctx, host, model, dir };
}

/** The plan the phase should carry out on the model's host. */
function expectedPlan(ctx: UpContext, state: HostState) {
  return planPrepare({
    version: kubeVersion('v1.28.4'),
    imageRepository: 'registry.k8s.io',
    registries: {},
    cgroupDriver: 'systemd',
    ipv4: true,
    ipv6: false,
    keepSwap: false,
    prepare: ctx.inv.prepare!,
    install: ctx.inv.install!,
    criSocket: undefined,
    state,
    cas: new Map(),
    artifacts: [],
  });
}

test('a bare host: one look, one batch of writes (backed up), one script; the re-run finds nothing to do', async () => {
  const { ctx, host, model } = await setup('install: { source: packages }');
  await runPhases(ctx, [connectPhase]);
  const before = host.roundTrips;
  await runPhases(ctx, [preparePhase]);
  // The probe, fstab, config.toml and the hashes (sent together), the write batch, the command script, then the
  // facts read again for preflight.
  assert.equal(host.roundTrips - before, 7);
  assert.equal(host.commands.filter((c) => c.argv[2]?.includes('/proc/sys/kernel/hostname')).length, 2, 'facts at connect and after the change');
  const state = { ...model.state, fstab: DEBIAN_FSTAB, hashes: model.state.hashes };
  const plan = expectedPlan(ctx, state);
  for (const f of plan.files) assert.deepEqual(host.files.get(f.path)?.content, Buffer.from(f.content), f.path);
  assert.equal(String(host.files.get('/var/lib/bootstrap/backups/test/etc/fstab')?.content), DEBIAN_FSTAB, 'the replaced fstab is backed up');
  const scripts = host.commands.filter((c) => c.argv[2]?.startsWith('set -e\n'));
  assert.deepEqual(scripts.map((c) => c.argv), [commandsScript(plan.commands)]);
  assert.match(scripts[0]!.argv[2]!, /\napt-get update\nenv DEBIAN_FRONTEND=noninteractive apt-get install .* 'kubelet=1\.28\.4-\*' .*\n/);
  const h = ctx.hosts[0]!;
  assert.deepEqual(h.results.prepare?.changes, plan.changes);
  assert.ok(h.changed.includes('/etc/containerd/config.toml'));

  model.state = applyPlan(state, plan);
  const commandsBefore = host.commands.length;
  const writesBefore = host.roundTrips;
  await runPhases(ctx, [preparePhase]);
  assert.equal(host.roundTrips - writesBefore, 4, 'only the look');
  assert.deepEqual(host.commands.slice(commandsBefore).map((c) => c.argv[2] === PROBE_SCRIPT), [true]);
  assert.deepEqual(ctx.hosts[0]!.results.prepare, { changes: [], notes: [] });
});

test('a dry run writes nothing and runs only the look, and says what it would do', async () => {
  const { ctx, host } = await setup('install: { source: packages }', { dryRun: true });
  await runPhases(ctx, [connectPhase, preparePhase]);
  assert.equal(host.files.size, 2, 'only the files the test put there');
  assert.ok(!host.commands.some((c) => c.argv[2]?.startsWith('set -e\n')));
  const actions = ctx.hosts[0]!.actions;
  assert.equal(actions.length, 2);
  assert.match(actions[0]!, /^would write \/etc\/modules-load\.d\/k8s\.conf, /);
  assert.match(actions[1]!, /^would run modprobe -a overlay br_netfilter; sysctl -p /);
});

test('a wrong checksum stops the host before prepare reads or writes anything on it', async () => {
  const { ctx, host } = await setup(`install:\n  source: files\n  files: [{ path: kubelet, sha256: "${'0'.repeat(64)}" }]`);
  await runPhases(ctx, [connectPhase]);
  const before = host.roundTrips;
  await assert.rejects(runPhases(ctx, [preparePhase]), (e: unknown) => e instanceof HostsFailedError && /refusing to install unverified files:\n\s+\S+\/kubelet: SHA-256 is [0-9a-f]{64}, expected 0{64}/.test(e.message));
  assert.equal(host.roundTrips, before);
});

test('v1.23 on a bare host: kubeadm would default to dockershim, prepare installs and configures containerd', async () => {
  const { ctx } = await setup('', {}, 'v1.23.17');
  await runPhases(ctx, [connectPhase, preparePhase]);
  assert.equal(ctx.hosts[0]!.facts!.criSocket, '/var/run/dockershim.sock');
  const changes = ctx.hosts[0]!.results.prepare!.changes;
  assert.ok(changes.includes('install containerd (containerd)'), changes.join('\n'));
  assert.ok(changes.includes('containerd: sandbox_image = "registry.k8s.io/pause:3.6"'), changes.join('\n'));
});

test('prepare: false turns the phase off', async () => {
  const { ctx, host } = await setup('prepare: false');
  await runPhases(ctx, [connectPhase]);
  const before = host.roundTrips;
  await runPhases(ctx, [preparePhase]);
  assert.equal(host.roundTrips, before);
  assert.equal(ctx.hosts[0]!.results.prepare, undefined);
});
