/**
 * Whole plans for bare hosts with install.source: packages, for apt and dnf at two versions: the repository of
 * the cluster's minor, kubelet/kubeadm pinned to the exact version and held, kubeadm's tools, containerd; then
 * nothing on a re-run. Also: no repository before v1.24, a kubelet of another version reported and left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InstallSettings, PrepareSettings } from '../../src/inventory/types.js';
import { planPrepare, type PrepareInput } from '../../src/prepare/index.js';
import { PrepareError } from '../../src/prepare/plan.js';
import { aptSource, yumRepo } from '../../src/prepare/repository.js';
import type { HostState } from '../../src/prepare/state.js';
import { kubeVersion } from '../../src/kube/version.js';
import { applyPlan, bareDebian, bareRocky } from './host-model.js';

const PACKAGES: InstallSettings = { source: 'packages', kubeadm: true, allowVersionChange: false, files: [] };
const PREPARE: PrepareSettings = { enabled: true, containerd: { configure: true } };

function input(version: string, state: HostState, install: Partial<InstallSettings> = {}, prepare: PrepareSettings = PREPARE): PrepareInput {
  return {
    version: kubeVersion(version),
    imageRepository: 'registry.k8s.io',
    registries: {},
    cgroupDriver: 'systemd',
    ipv4: true,
    ipv6: false,
    keepSwap: false,
    prepare,
    install: { ...PACKAGES, ...install },
    state,
    cas: new Map(),
    artifacts: [],
  };
}

const APT_INSTALL = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '--no-install-recommends', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];

for (const [version, minor, sysctls] of [['v1.28.4', 'v1.28', 2], ['v1.31.2', 'v1.31', 1]] as const) {
  test(`apt, ${version}: repository and key for ${minor}, one installation, pinned and held; nothing on a re-run`, () => {
    const state = bareDebian();
    const plan = planPrepare(input(version, state));
    const repo = plan.files.find((f) => f.path === '/etc/apt/sources.list.d/kubernetes.list');
    assert.equal(repo?.content, `deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.asc] https://pkgs.k8s.io/core:/stable:/${minor}/deb/ /\n`);
    const sysctl = String(plan.files.find((f) => f.path === '/etc/sysctl.d/99-kubernetes.conf')?.content);
    assert.equal(sysctl.split('\n').filter((l) => l.includes(' = ')).length, sysctls);
    const release = version.slice(1);
    assert.deepEqual(plan.commands, [
      ['modprobe', '-a', 'overlay', 'br_netfilter'],
      ['sysctl', '-p', '/etc/sysctl.d/99-kubernetes.conf'],
      ['swapoff', '-a'],
      ['install', '-d', '-m', '0755', '/etc/apt/keyrings'],
      ['/usr/lib/apt/apt-helper', 'download-file', `https://pkgs.k8s.io/core:/stable:/${minor}/deb/Release.key`, '/etc/apt/keyrings/kubernetes-apt-keyring.asc'],
      ['apt-get', 'update'],
      [...APT_INSTALL, 'conntrack', 'iptables', 'ebtables', 'ethtool', 'socat', 'iproute2', 'containerd', `kubelet=${release}-*`, `kubeadm=${release}-*`, 'cri-tools'],
      ['systemctl', 'enable', '--now', 'containerd'],
      ['apt-mark', 'hold', 'kubelet', 'kubeadm', 'cri-tools'],
    ]);
    assert.deepEqual(planPrepare(input(version, applyPlan(state, plan))), { files: [], commands: [], changes: [], notes: [] });
  });

  test(`dnf, ${version}: the repository's exclude= holds, --disableexcludes installs, tools by the files they provide`, () => {
    const state = bareRocky();
    const prepare = { enabled: true, containerd: { configure: true, package: 'containerd.io' } };
    const plan = planPrepare(input(version, state, {}, prepare));
    assert.equal(plan.files.find((f) => f.path === '/etc/yum.repos.d/kubernetes.repo')?.content, yumRepo(`https://pkgs.k8s.io/core:/stable:/${minor}`));
    assert.match(yumRepo('https://x'), /^\[kubernetes\]\nname=Kubernetes\nbaseurl=https:\/\/x\/rpm\/\nenabled=1\ngpgcheck=1\ngpgkey=https:\/\/x\/rpm\/repodata\/repomd\.xml\.key\nexclude=kubelet kubeadm kubectl cri-tools kubernetes-cni\n$/);
    const release = version.slice(1);
    assert.deepEqual(plan.commands.slice(2), [
      ['dnf', 'install', '-y', '--disableexcludes=kubernetes', '/usr/sbin/conntrack', '/usr/sbin/iptables', '/usr/sbin/ebtables', '/usr/sbin/ethtool', '/usr/bin/socat', '/usr/sbin/tc', 'containerd.io', `kubelet-${release}-*`, `kubeadm-${release}-*`, 'cri-tools'],
      ['systemctl', 'enable', '--now', 'containerd'],
    ]);
    assert.deepEqual(planPrepare(input(version, applyPlan(state, plan), {}, prepare)), { files: [], commands: [], changes: [], notes: [] });
  });
}

test('from v1.32 conntrack is no longer among kubeadm\'s tools; an exact revision pins 1.32.0-1.1', () => {
  const plan = planPrepare(input('v1.32.0', bareDebian(), { revision: '1.1', kubeadm: false }));
  const install = plan.commands.find((c) => c.includes('install') && c.includes('-y'))!;
  assert.ok(!install.includes('conntrack'));
  assert.deepEqual(install.slice(-3), ['containerd', 'kubelet=1.32.0-1.1', 'cri-tools']);
  assert.equal(aptSource('http://mirror.local/k8s/v1.32'), 'deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.asc] http://mirror.local/k8s/v1.32/deb/ /\n');
});

test('before v1.24 there is no community repository: refused unless install.repository names a mirror', () => {
  assert.throws(() => planPrepare(input('v1.23.17', bareDebian())), (e: unknown) => e instanceof PrepareError && /no packages for Kubernetes v1\.23\.17.*install\.repository/.test(e.message));
  const plan = planPrepare(input('v1.23.17', bareDebian(), { repository: 'https://mirror.example.com/k8s/v1.23' }));
  assert.equal(plan.files.find((f) => f.path.endsWith('kubernetes.list'))?.content, aptSource('https://mirror.example.com/k8s/v1.23'));
});

test('apt over https without the CA bundle is refused before anything, naming the way out', () => {
  const state = bareDebian();
  state.hashes.clear();
  assert.throws(() => planPrepare(input('v1.28.4', state)), /install ca-certificates on the host first/);
});

test('a held kubelet at another version is reported and left alone; allowVersionChange replaces it, keeping the hold', () => {
  const state = bareDebian({
    executables: new Set(['apt-get', 'systemctl', 'conntrack', 'ip', 'iptables', 'mount', 'nsenter', 'ebtables', 'ethtool', 'socat', 'tc', 'touch', 'kubelet', 'crictl', 'containerd']),
    versions: { kubelet: 'v1.27.3', crictl: 'v1.27.0', containerd: '1.6.20' },
    packages: new Map([['kubelet', '1.27.3-1.1'], ['cri-tools', '1.27.0-1.1']]),
    held: new Set(['kubelet', 'cri-tools']),
  });
  const left = planPrepare(input('v1.28.4', state, { kubeadm: false }));
  assert.deepEqual(left.notes, ['kubelet v1.27.3 is installed and the cluster is v1.28.4: left alone (install.allowVersionChange: true replaces it)']);
  assert.ok(!left.commands.some((c) => c.some((a) => a.startsWith('kubelet'))));

  const changed = planPrepare(input('v1.28.4', state, { kubeadm: false, allowVersionChange: true }));
  const install = changed.commands.find((c) => c[2] === 'apt-get' && c[3] === 'install')!;
  assert.ok(install.includes('--allow-change-held-packages') && install.includes('kubelet=1.28.4-*'));
  assert.ok(changed.changes.includes('replace kubelet v1.27.3 with v1.28.4 (install.allowVersionChange)'));
  // apt sets a replaced held package back to "install": held again (cri-tools, not replaced, still is).
  assert.deepEqual(changed.commands.filter((c) => c[0] === 'apt-mark'), [['apt-mark', 'hold', 'kubelet']]);
  // The running kubelet keeps the old binary until it restarts: restarted after the installation, if it runs.
  assert.deepEqual(changed.commands.at(-2), ['systemctl', 'try-restart', 'kubelet']);
  assert.ok(changed.commands.indexOf(install) < changed.commands.length - 1);
  assert.ok(!left.commands.some((c) => c.includes('try-restart')), 'nothing replaced, nothing restarted');
  assert.deepEqual(planPrepare(input('v1.28.4', applyPlan(state, changed), { kubeadm: false, allowVersionChange: true })).commands, []);
});
