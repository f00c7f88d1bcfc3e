/**
 * A model of a host for the prepare tests: a HostState, and what carrying out a plan does to it (files land,
 * modules load, sysctls take the file's values, packages install at the pinned version, holds stick). Planning
 * again against the modelled result must give an empty plan: that is how idempotence is tested.
 */
import { DOCKER_DAEMON_JSON } from '../../src/prepare/docker.js';
import { contentHash, FileHashes } from '../../src/transport/host.js';
import type { HostState } from '../../src/prepare/state.js';
import type { PreparePlan } from '../../src/prepare/index.js';
import { CONTAINERD_CONFIG_PATH } from '../../src/prepare/containerd.js';
import { FSTAB_PATH } from '../../src/prepare/system.js';
import { APT_KEY_PATH, CA_BUNDLE_PATH } from '../../src/prepare/repository.js';

export const DEBIAN_FSTAB = `# /etc/fstab: static file system information.
UUID=1111-aaaa /               ext4    errors=remount-ro 0       1
UUID=2222-bbbb none            swap    sw              0       0
/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0
`;

function withCaBundle(): FileHashes {
  const hashes = new FileHashes();
  hashes.set(CA_BUNDLE_PATH, contentHash('-----BEGIN CERTIFICATE-----\n'));
  return hashes;
}

/** A fresh Debian 12 VM: apt, swap on, no kubelet/crictl/containerd, only the tools of a minimal install. */
export function bareDebian(overrides: Partial<HostState> = {}): HostState {
  return {
    packageManager: 'apt',
    arch: 'x86_64',
    modules: new Set(),
    sysctl: { 'net.ipv4.ip_forward': '0' },
    swaps: 1,
    executables: new Set(['apt-get', 'systemctl', 'ip', 'mount', 'nsenter', 'touch']),
    versions: {},
    packages: new Map(),
    held: new Set(),
    kubeletEnabled: false,
    fstab: DEBIAN_FSTAB,
    hashes: withCaBundle(),
    ...overrides,
  };
}

/** A fresh Rocky 9 VM: dnf, no swap, containerd.io from Docker's repository not yet installed. */
export function bareRocky(overrides: Partial<HostState> = {}): HostState {
  return bareDebian({ packageManager: 'dnf', executables: new Set(['dnf', 'systemctl', 'ip', 'mount', 'nsenter', 'touch']), swaps: 0, fstab: '/dev/mapper/rl-root / xfs defaults 0 0\n', ...overrides });
}

/** Which executables and packages a package spec brings (by name; versions from pinned specs). */
const PROVIDES: Record<string, { executables: string[]; versioned?: 'kubelet' | 'kubeadm' | 'crictl' | 'containerd' }> = {
  kubelet: { executables: ['kubelet'], versioned: 'kubelet' },
  kubeadm: { executables: ['kubeadm'], versioned: 'kubeadm' },
  'cri-tools': { executables: ['crictl'], versioned: 'crictl' },
  containerd: { executables: ['containerd'], versioned: 'containerd' },
  'containerd.io': { executables: ['containerd'], versioned: 'containerd' },
  conntrack: { executables: ['conntrack'] },
  iptables: { executables: ['iptables'] },
  ebtables: { executables: ['ebtables'] },
  ethtool: { executables: ['ethtool'] },
  socat: { executables: ['socat'] },
  iproute2: { executables: ['ip', 'tc'] },
};

function install(state: HostState, spec: string): void {
  if (spec.startsWith('/usr/') && !spec.endsWith('.deb') && !spec.endsWith('.rpm')) {
    state.executables.add(spec.slice(spec.lastIndexOf('/') + 1)); // dnf install /usr/sbin/conntrack
    return;
  }
  const file = /\/([a-z0-9-]+)_([^_]+)_[a-z0-9]+\.deb$/.exec(spec) ?? /\/(.+)-([^-]+-[^-]+)\.[a-z0-9_]+\.rpm$/.exec(spec);
  const [name, version] = file ? [file[1]!, file[2]!] : spec.split(/[=]|-(?=\d)/);
  const provides = PROVIDES[name!] ?? { executables: [] };
  const v = (version ?? '').replace(/-\*$/, '-1.1');
  state.packages.set(name!, v || '1.0-1');
  // apt and dpkg set an installed package's selection back to install: a hold does not survive it (seen on Debian 12).
  state.held.delete(name!);
  for (const e of provides.executables) state.executables.add(e);
  if (provides.versioned) {
    state.versions[provides.versioned] = provides.versioned === 'containerd' ? '1.6.20' : provides.versioned === 'crictl' ? 'v1.28.0' : `v${v.replace(/-.*$/, '')}`;
  }
}

/** The state after the plan was carried out on a host in `before`'s state. */
export function applyPlan(before: HostState, plan: PreparePlan): HostState {
  const state: HostState = {
    ...before,
    modules: new Set(before.modules),
    sysctl: { ...before.sysctl },
    executables: new Set(before.executables),
    versions: { ...before.versions },
    packages: new Map(before.packages),
    held: new Set(before.held),
    hashes: new FileHashes(before.hashes),
  };
  for (const f of plan.files) {
    state.hashes.set(f.path, contentHash(f.content));
    state.hashes.modes.set(f.path, f.mode);
    if (f.path === FSTAB_PATH) state.fstab = String(f.content);
    if (f.path === CONTAINERD_CONFIG_PATH) state.containerdConfig = String(f.content);
    if (f.path === DOCKER_DAEMON_JSON) state.dockerDaemonConfig = String(f.content);
    if (f.path.startsWith('/usr/bin/')) {
      const name = f.path.slice(9);
      state.executables.add(name);
      if (name === 'kubelet' || name === 'kubeadm') state.versions[name] = 'v1.28.4';
      if (name === 'crictl') state.versions.crictl = 'v1.28.0';
    }
  }
  const sysctlFile = plan.files.find((f) => f.path === '/etc/sysctl.d/99-kubernetes.conf');
  for (const argv of plan.commands) {
    const [cmd, ...args] = argv[0] === 'env' ? argv.slice(2) : argv;
    if (cmd === 'modprobe') for (const m of args.filter((a) => !a.startsWith('-'))) state.modules.add(m);
    else if (cmd === 'sysctl' && sysctlFile) {
      for (const m of String(sysctlFile.content).matchAll(/^([a-z0-9._-]+) = (\S+)$/gm)) state.sysctl[m[1]!] = m[2]!;
    } else if (cmd === 'swapoff') state.swaps = 0;
    else if (cmd === '/usr/lib/apt/apt-helper') state.hashes.set(APT_KEY_PATH, 'a-key');
    else if ((cmd === 'apt-get' || cmd === 'dnf' || cmd === 'yum') && args[0] === 'install') {
      for (const spec of args.slice(1).filter((a) => !a.startsWith('-') && !a.startsWith('Dpkg::'))) install(state, spec);
    } else if (cmd === 'apt-mark' && args[0] === 'hold') for (const p of args.slice(1)) state.held.add(p);
    else if (cmd === 'systemctl' && args[0] === 'enable' && args.includes('kubelet')) state.kubeletEnabled = true;
  }
  return state;
}
