/**
 * The facts script run for real, with dash and with busybox sh, against a PATH of fake kubelet, crictl, docker
 * and containerd that count how often they are started, and a temporary folder standing in for the host's
 * /var/lib/bootstrap. What the script reads with the shell's own means (hostname, kernel, uid, CPUs, memory) is
 * compared with what the programs it no longer starts say on this machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseInventory } from '../../src/inventory/index.js';
import { connectPhase, upConnectPhase } from '../../src/phases/connect.js';
import { BINARIES, gatherFacts } from '../../src/phases/facts.js';
import { newHostRun, type HostFacts, type UpContext } from '../../src/pipeline/context.js';
import type { Phase } from '../../src/pipeline/phase.js';
import { ensureSystemTools } from '../system-tools.js';
import { each, fake, fixture, NOBODY, nextSecond, OUTPUT, SHELLS, starts, VERSION, type Fixture } from './fake-binaries.js';

ensureSystemTools();

function versionsOf(facts: HostFacts): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(OUTPUT).map((name) => [name, facts.binaries[`${name}Version`]]));
}

const EXPECTED = { kubelet: 'v1.28.15', crictl: 'v1.28.0', docker: '24.0.7', containerd: 'v1.7.13' };

/** Every file under the fixture but the fakes' counts, with its size and mtime: what a run wrote shows. */
function tree(f: Fixture): string[] {
  return readdirSync(f.root, { recursive: true, withFileTypes: true }).flatMap((e) => {
    const path = join(e.parentPath, e.name);
    if (path === f.counts || path.startsWith(`${f.counts}/`)) return [];
    const s = statSync(path);
    return [`${path} ${s.size} ${s.mtimeMs}`];
  }).sort();
}

for (const shell of Object.keys(SHELLS)) {
  test(`facts (${shell}): what the shell reads itself matches the programs it no longer starts`, async () => {
    const f = fixture();
    const facts = await gatherFacts(f.host(shell), VERSION);
    const run = (cmd: string, ...args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    assert.equal(facts.hostname, hostname());
    assert.equal(facts.kernel, release());
    assert.equal(facts.arch, run('uname', '-m'));
    assert.equal(facts.isRoot, process.getuid?.() === 0);
    assert.equal(facts.cpus, Number(run('getconf', '_NPROCESSORS_ONLN')));
    assert.equal(facts.memoryMiB, Math.floor(Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) / 1024));
    for (const name of Object.keys(OUTPUT)) assert.equal(facts.binaries[name], join(f.bin, name));
    for (const name of BINARIES) {
      const found = execFileSync('env', [`PATH=${f.path}`, 'dash', '-c', 'command -v "$1" || true', 'sh', name], { encoding: 'utf8' }).trim();
      assert.equal(facts.binaries[name], found || undefined, `${name}: as dash's command -v finds it`);
    }
    assert.deepEqual(versionsOf(facts), EXPECTED);
  });

  test(`facts (${shell}): the first run starts each versioned binary once and keeps its answer; the second starts none`, async () => {
    assert.equal(process.getuid?.(), 0, 'run as root: only root keeps the versions');
    const f = fixture();
    await nextSecond();
    const first = await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    assert.deepEqual(starts(f), each(1));
    assert.deepEqual(versionsOf(first), EXPECTED);
    const kept = statSync(join(f.versions, 'versions'));
    assert.equal(kept.uid, 0);
    assert.equal(kept.mode & 0o777, 0o644);
    assert.equal(statSync(f.versions).mode & 0o777, 0o755);
    assert.deepEqual(readdirSync(f.versions), ['versions'], 'no temporary file left behind');
    const second = await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    assert.deepEqual(starts(f), each(1));
    // The machine's listening sockets are this machine's, which other tests running alongside open and close.
    assert.deepEqual({ ...second, listening: undefined }, { ...first, listening: undefined });
    assert.deepEqual(f.sent.map((o) => o.readOnly), [false, false], 'a command that may write is not marked read-only');
  });

  test(`facts (${shell}): a binary replaced, rewritten in place or touched is asked again, the others are not`, async () => {
    const f = fixture();
    await nextSecond();
    await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    assert.deepEqual(starts(f), each(1));
    // kubelet: a new file renamed over it (new inode), as a package manager does.
    fake(f, 'kubelet', 'Kubernetes v1.29.2', join(f.root, 'kubelet.new'));
    renameSync(join(f.root, 'kubelet.new'), join(f.bin, 'kubelet'));
    // crictl: rewritten in place, same inode and size, its mtime set back: only its ctime tells.
    const crictl = join(f.bin, 'crictl');
    const before = statSync(crictl);
    writeFileSync(crictl, readFileSync(crictl, 'utf8').replace('v1.28.0', 'v1.28.9'));
    utimesSync(crictl, before.atime, before.mtime);
    assert.equal(statSync(crictl).ino, before.ino);
    assert.equal(statSync(crictl).size, before.size);
    // docker: the same content, a new mtime.
    utimesSync(join(f.bin, 'docker'), new Date(), new Date(Date.now() + 5000));
    const again = await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    assert.deepEqual(starts(f), { kubelet: 2, crictl: 2, docker: 2, containerd: 1 });
    assert.deepEqual(versionsOf(again), { ...EXPECTED, kubelet: 'v1.29.2', crictl: 'v1.28.9' });
  });

  test(`facts (${shell}): a script (#!) or a symlink is asked every time: what it runs may change while it does not`, async () => {
    const f = fixture();
    fake(f, 'kubelet', 'Kubernetes v1.28.15', join(f.bin, 'kubelet'), '', true);
    fake(f, 'crictl', 'crictl version v1.28.0', join(f.root, 'crictl-v1.28.0'));
    rmSync(join(f.bin, 'crictl'));
    symlinkSync(join(f.root, 'crictl-v1.28.0'), join(f.bin, 'crictl'));
    await nextSecond();
    await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    const again = await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    assert.deepEqual(starts(f), { ...each(1), kubelet: 2, crictl: 2 });
    assert.deepEqual(versionsOf(again), EXPECTED);
  });

  test(`facts (${shell}): a binary changed in place in the second it was looked at is not kept, so the change shows`, async () => {
    // The change keeps inode, size and mtime, and its ctime falls in the same second as the one looked at, so the
    // key is the same before and after: only not keeping a binary whose ctime is not older than the temporary
    // file (made before the look) tells the runs apart.
    let raced = false;
    for (let attempt = 0; attempt < 5 && !raced; attempt++) {
      const f = fixture();
      const kubelet = join(f.bin, 'kubelet');
      await sleep(1000 - (Date.now() % 1000) + 10);
      const then = 'cp "$0.next" "$0"; touch -r "$0.ref" "$0"\n';
      fake(f, 'kubelet', 'Kubernetes v1.28.16', `${kubelet}.next`, then);
      fake(f, 'kubelet', 'Kubernetes v1.28.15', kubelet, then);
      // An mtime from an hour ago (a package's, say): only the ctime says the file is as new as the look.
      utimesSync(kubelet, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
      execFileSync('touch', ['-r', kubelet, `${kubelet}.ref`]);
      const looked = statSync(kubelet);
      const first = await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
      assert.equal(first.binaries.kubeletVersion, 'v1.28.15');
      const changed = statSync(kubelet);
      assert.deepEqual([changed.ino, changed.size, changed.mtimeMs], [looked.ino, looked.size, looked.mtimeMs]);
      assert.notEqual(changed.ctimeMs, looked.ctimeMs, 'the fake changed itself');
      if (Math.floor(changed.ctimeMs / 1000) !== Math.floor(looked.ctimeMs / 1000)) continue;
      raced = true;
      const second = await gatherFacts(f.host(shell), VERSION);
      assert.equal(second.binaries.kubeletVersion, 'v1.28.16');
      assert.equal(starts(f).kubelet, 2);
    }
    assert.ok(raced, 'in 5 attempts the change never fell in the second of the look: is the machine that slow?');
  });

  test(`facts (${shell}): a look-only run (a dry run, status) reads what was kept and writes nothing`, async () => {
    const f = fixture();
    await nextSecond();
    const looked = tree(f);
    await gatherFacts(f.host(shell), VERSION);
    await gatherFacts(f.host(shell), VERSION);
    assert.deepEqual(starts(f), each(2), 'nothing kept: each look asks');
    assert.deepEqual(tree(f), looked);
    assert.deepEqual(f.sent.map((o) => o.readOnly), [true, true]);
    await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    const kept = tree(f);
    const facts = await gatherFacts(f.host(shell), VERSION);
    assert.deepEqual(starts(f), each(3), 'the look used what the run before kept');
    assert.deepEqual(versionsOf(facts), EXPECTED);
    assert.deepEqual(tree(f), kept);
  });

  test(`facts (${shell}): kept versions that another user could have written are not believed`, async () => {
    const f = fixture();
    await nextSecond();
    await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    const file = join(f.versions, 'versions');
    const forged = readFileSync(file, 'utf8').replace('v Kubernetes v1.28.15', 'v Kubernetes v1.99.0');
    assert.notEqual(forged, readFileSync(file, 'utf8'));
    const cases: [string, () => void][] = [
      ['file writable by all', () => chmodSync(file, 0o666)],
      ['file writable by its group', () => chmodSync(file, 0o664)],
      ['file owned by another user', () => chownSync(file, NOBODY, NOBODY)],
      ['folder writable by all', () => chmodSync(f.versions, 0o777)],
    ];
    let asked = 1;
    for (const [why, weaken] of cases) {
      writeFileSync(file, forged, { mode: 0o644 });
      chmodSync(file, 0o644);
      chownSync(file, 0, 0);
      chmodSync(f.versions, 0o755);
      weaken();
      const facts = await gatherFacts(f.host(shell), VERSION);
      assert.equal(facts.binaries.kubeletVersion, 'v1.28.15', why);
      assert.equal(starts(f).kubelet, ++asked, why);
    }
    chmodSync(f.versions, 0o755);
    chownSync(file, 0, 0);
    chmodSync(file, 0o644);
    const trusted = await gatherFacts(f.host(shell), VERSION);
    assert.equal(starts(f).kubelet, asked, 'the forged entry, trusted once its file is private again, shows what the check kept out');
    assert.equal(trusted.binaries.kubeletVersion, 'v1.99.0');
    rmSync(file);
    chmodSync(f.versions, 0o777);
    await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    assert.equal(existsSync(file), false, 'nothing is kept in a folder anyone can write');
  });

  test(`facts (${shell}): a user other than root reads what root kept and writes nothing`, async () => {
    const f = fixture();
    await nextSecond();
    await gatherFacts(f.host(shell, 'nobody'), VERSION, { keepVersions: true });
    assert.equal(existsSync(f.versions), false, 'nothing kept by a user other than root');
    assert.deepEqual(starts(f), each(1));
    await gatherFacts(f.host(shell), VERSION, { keepVersions: true });
    assert.deepEqual(starts(f), each(2));
    const facts = await gatherFacts(f.host(shell, 'nobody'), VERSION, { keepVersions: true });
    assert.deepEqual(starts(f), each(2));
    assert.deepEqual(versionsOf(facts), EXPECTED);
    assert.equal(facts.isRoot, false);
  });
}

test('connect: up keeps the versions outside a dry run; a dry run, status and reset only look', async () => {
  const inv = parseInventory('/tmp/inventory.yaml', `
cluster: { kubernetesVersion: ${VERSION} }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
`);
  const connect = async (phase: Phase, f: Fixture, dryRun: boolean) => {
    const h = newHostRun(inv.hosts[0]!);
    const ctx: UpContext = {
      inv,
      options: { renderer: 'silent', dryRun, connect: async () => f.host('dash') },
      hosts: [h],
      backupDir: '/var/lib/bootstrap/backups/t',
      startedAt: new Date(),
      shared: new Map(),
      cleanups: [],
    };
    await phase.run(ctx, h, { progress: () => undefined });
  };
  const cases: [string, Phase, boolean, boolean][] = [
    ['up', upConnectPhase, false, true],
    ['up --dry-run', upConnectPhase, true, false],
    ['status, reset, join-command', connectPhase, false, false],
    ['reset --dry-run', connectPhase, true, false],
  ];
  const fixtures = cases.map(() => fixture());
  await nextSecond();
  for (const [i, [what, phase, dryRun, keeps]] of cases.entries()) {
    const f = fixtures[i]!;
    await connect(phase, f, dryRun);
    assert.equal(existsSync(join(f.versions, 'versions')), keeps, what);
    assert.deepEqual(f.sent.map((o) => o.readOnly), [!keeps], what);
  }
});
