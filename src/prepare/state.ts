/**
 * What `prepare` needs to know about a host, and the one read-only command that finds it out: the package
 * manager, the kernel modules and settings, swap, which executables are in PATH, the versions of kubelet,
 * crictl, kubeadm and containerd, the Kubernetes packages installed and held, and whether kubelet is enabled.
 * The files prepare edits or replaces are read beside it with the Host's own readFile/hashFiles (see the phase).
 */
import { BINARY_VERSIONS_FUNCTIONS } from '../kube/binary-versions.js';
import { versionIn } from '../kube/version.js';
import type { FileHashes } from '../transport/host.js';

export type PackageManager = 'apt' | 'dnf' | 'yum';

export interface HostState {
  packageManager?: PackageManager;
  /** uname -m: x86_64, aarch64, … */
  arch: string;
  /**
   * Kernel modules present (loaded or built in) among those prepare loads. A built-in module without parameters
   * has no /sys/module entry, so what it provides counts too: overlay in /proc/filesystems, br_netfilter's
   * /proc/sys/net/bridge.
   */
  modules: Set<string>;
  /** Dotted sysctl name → current value. */
  sysctl: Record<string, string>;
  /** Active swap areas (/proc/swaps). */
  swaps: number;
  /** Executables found in PATH. */
  executables: Set<string>;
  /** "v1.28.4"-style versions of what is installed (kubelet, kubeadm, crictl; containerd as "1.6.20"). */
  versions: { kubelet?: string; kubeadm?: string; crictl?: string; containerd?: string };
  /** Installed packages among those asked about: name → version as the package manager writes it. */
  packages: Map<string, string>;
  /** Packages held against upgrades (apt-mark hold). */
  held: Set<string>;
  kubeletEnabled: boolean;
  /** /etc/fstab and /etc/containerd/config.toml as found (undefined: absent). */
  fstab?: string;
  containerdConfig?: string;
  /** /etc/docker/daemon.json as found (read on Docker hosts only). */
  dockerDaemonConfig?: string;
  /** SHA-256 and mode of the whole files prepare may write, as found. */
  hashes: FileHashes;
}

export const MODULES = ['overlay', 'br_netfilter'];
export const SYSCTL_PATHS = [
  'net/ipv4/ip_forward',
  'net/ipv6/conf/default/forwarding',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
];
/** Executables whose presence decides something: package managers, kubeadm's exec checks, the Kubernetes tools. */
export const PROBED_EXECUTABLES = [
  'apt-get', 'dnf', 'yum', 'curl', 'systemctl',
  'conntrack', 'ip', 'iptables', 'mount', 'nsenter', 'ebtables', 'ethtool', 'socat', 'tc', 'touch',
  'kubelet', 'kubeadm', 'crictl', 'containerd',
];

/**
 * POSIX sh; prints key=value lines. Its arguments are the folder of the versions kept by up's facts (read, never
 * written here: the probe only looks), then the package names to ask the package database about. kubelet, crictl
 * and containerd are asked --version only when what facts kept no longer fits them (kube/binary-versions.ts).
 * dpkg-query's status abbreviation is the wanted state then the current one: "ii" installed, "hi" installed and
 * held (apt-mark hold). rpm lists only installed packages (dnf holds through the repository's exclude=).
 */
export const PROBE_SCRIPT = `${BINARY_VERSIONS_FUNCTIONS}
probe_versions() { dir=$1; set --; for b in kubelet crictl containerd; do bv_which "$b" && set -- "$@" "$bv_w"; done; if [ $# -gt 0 ]; then binary_versions "$dir" 0 "$@"; fi; }
probe_versions "$1"
if [ $# -gt 0 ]; then shift; fi
printf 'arch=%s\\n' "$(uname -m)"
for m in ${MODULES.join(' ')}; do if [ -d "/sys/module/$m" ]; then printf 'module=%s\\n' "$m"; fi; done
grep -qw overlay /proc/filesystems 2>/dev/null && printf 'module=overlay\\n'
[ -d /proc/sys/net/bridge ] && printf 'module=br_netfilter\\n'
for k in ${SYSCTL_PATHS.join(' ')}; do if [ -r "/proc/sys/$k" ]; then printf 'sysctl.%s=%s\\n' "$k" "$(cat "/proc/sys/$k")"; fi; done
awk 'NR > 1 {n++} END {print "swaps=" n + 0}' /proc/swaps
for b in ${PROBED_EXECUTABLES.join(' ')}; do if command -v "$b" >/dev/null 2>&1; then printf 'bin=%s\\n' "$b"; fi; done
if command -v kubeadm >/dev/null 2>&1; then printf 'version.kubeadm=%s\\n' "$(kubeadm version -o short 2>/dev/null)"; fi
if [ "$#" -gt 0 ] && command -v dpkg-query >/dev/null 2>&1; then
  dpkg-query -W -f='pkg=\${db:Status-Abbrev} \${Package} \${Version}\\n' "$@" 2>/dev/null
elif [ "$#" -gt 0 ] && command -v rpm >/dev/null 2>&1; then
  rpm -q --qf 'pkg=ii %{NAME} %{VERSION}-%{RELEASE}\\n' "$@" 2>/dev/null | grep '^pkg='
fi
if command -v systemctl >/dev/null 2>&1; then printf 'enabled.kubelet=%s\\n' "$(systemctl is-enabled kubelet 2>/dev/null)"; fi
exit 0
`;

/** The probe's output, plus the files read beside it, as a HostState. */
export function parseProbe(output: string, files: { fstab?: string; containerdConfig?: string; dockerDaemonConfig?: string; hashes: FileHashes }): HostState {
  const state: HostState = {
    arch: '',
    modules: new Set(),
    sysctl: {},
    swaps: 0,
    executables: new Set(),
    versions: {},
    packages: new Map(),
    held: new Set(),
    kubeletEnabled: false,
    ...files,
  };
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'arch') state.arch = value;
    else if (key === 'module') state.modules.add(value);
    else if (key.startsWith('sysctl.')) state.sysctl[key.slice(7).replaceAll('/', '.')] = value;
    else if (key === 'swaps') state.swaps = Number(value) || 0;
    else if (key === 'bin') state.executables.add(value);
    else if (key.startsWith('version.')) {
      const v = versionIn(value);
      const name = key.slice(8) as keyof HostState['versions'];
      if (v) state.versions[name] = name === 'containerd' ? v.replace(/^v/, '') : v.startsWith('v') ? v : `v${v}`;
    } else if (key === 'pkg') {
      const [status = '', name, version] = value.split(/\s+/);
      if (status[1] === 'i' && name && version) state.packages.set(name, version);
      if (status[0] === 'h' && name) state.held.add(name);
    }
    else if (key === 'enabled.kubelet') state.kubeletEnabled = value === 'enabled';
  }
  const x = state.executables;
  state.packageManager = x.has('apt-get') ? 'apt' : x.has('dnf') ? 'dnf' : x.has('yum') ? 'yum' : undefined;
  return state;
}
