/**
 * Everything `up` needs to know about a host, gathered by one command (one round trip): identity, OS, resources,
 * swap, CRI sockets, binaries and their versions, listening ports, kernel settings, service states.
 */
import { criSocketPath } from '../kube/cri-socket.js';
import { criSocketProbes } from '../kube/runtime.js';
import type { HostFacts } from '../pipeline/context.js';
import type { Host } from '../transport/host.js';
import { HostError } from '../util/errors.js';
import { versionIn, type VersionLike } from '../kube/version.js';
import { BINARY_VERSIONS_FUNCTIONS, VERSIONS_DIR } from '../kube/binary-versions.js';

/** Binaries whose presence (and version) preflight and the later phases look at. */
export const BINARIES = ['kubelet', 'crictl', 'docker', 'containerd', 'conntrack', 'systemctl', 'journalctl', 'ss', 'tar', 'sha256sum'];
const VERSIONED = ['kubelet', 'crictl', 'docker', 'containerd'];
const SYSCTLS = ['net/ipv4/ip_forward', 'net/bridge/bridge-nf-call-iptables', 'net/ipv6/conf/default/forwarding'];

/**
 * What the facts script prints about memory, swap, CPUs and listening ports, in one awk: ss's lines on standard
 * input, then the files named. CPUs as glibc's getconf _NPROCESSORS_ONLN counts them (the online ranges), getconf
 * itself where /sys does not say.
 */
const FACTS_AWK = `
FILENAME == "-" { print "listen=" $4 " " $6; next }
FILENAME ~ /online$/ { n = split($0, r, ","); for (i = 1; i <= n; i++) cpus += split(r[i], ab, "-") == 2 ? ab[2] - ab[1] + 1 : 1; next }
FILENAME == "/proc/meminfo" { if ($1 == "MemTotal:") print "memkb=" $2; next }
FNR > 1 { swaps++ }
END { if (!cpus) "getconf _NPROCESSORS_ONLN" | getline cpus; print "cpus=" cpus; print "swaps=" swaps + 0 }
`;

/**
 * POSIX sh; each line is key=value. Arguments: the versions folder, 1 when this run may write it, then pairs of
 * a CRI socket as kubeadm probes it and the file it dials. Starts as few processes as it can: files are read
 * with the shell's read, PATH is searched by the shell (as command -v does), one awk, one ss, one systemctl,
 * one stat, and the versioned binaries only when their cached answer no longer fits (kube/binary-versions.ts).
 */
const FACTS_SCRIPT = `${BINARY_VERSIONS_FUNCTIONS}
cache=$1 write=$2
shift 2
read -r v < /proc/sys/kernel/hostname; printf 'hostname=%s\\n' "$v"
if [ -r /etc/os-release ]; then . /etc/os-release; printf 'os=%s %s\\n' "$ID" "$VERSION_ID"; fi
if [ -r /proc/sys/kernel/arch ]; then read -r v < /proc/sys/kernel/arch; else v=$(uname -m); fi
read -r k < /proc/sys/kernel/osrelease
uid=; while read -r f a b r; do if [ "$f" = Uid: ]; then uid=$b; break; fi; done < /proc/self/status
printf 'arch=%s\\nkernel=%s\\nuid=%s\\n' "$v" "$k" "$uid"
while [ $# -gt 1 ]; do if [ -S "$2" ]; then printf 'socket=%s\\n' "$1"; fi; shift 2; done
set --
ss= systemctl=
for b in ${BINARIES.join(' ')}; do
  bv_which "$b" || continue
  printf 'bin.%s=%s\\n' "$b" "$bv_w"
  case $b in ${VERSIONED.join('|')}) set -- "$@" "$bv_w";; ss) ss=1;; systemctl) systemctl=1;; esac
done
for k in ${SYSCTLS.join(' ')}; do if [ -r "/proc/sys/$k" ]; then read -r v < "/proc/sys/$k"; printf 'sysctl.%s=%s\\n' "$k" "$v"; fi; done
if [ $# -gt 0 ]; then if [ "$write" = 1 ] && [ "$uid" = 0 ]; then binary_versions "$cache" 1 "$@"; else binary_versions "$cache" 0 "$@"; fi; fi
files=; for f in /sys/devices/system/cpu/online /proc/meminfo /proc/swaps; do if [ -r "$f" ]; then files="$files $f"; fi; done
if [ -n "$ss" ]; then ss -Hltnp 2>/dev/null; fi | awk '${FACTS_AWK}' - $files
if [ -n "$systemctl" ]; then
  v=$(systemctl is-active kubelet systemd-resolved 2>/dev/null)
  printf 'active.kubelet=%s\\n' "\${v%%"$nl"*}"
  case $v in *"$nl"*) v=\${v#*"$nl"};; *) v=;; esac
  printf 'active.systemd-resolved=%s\\n' "$v"
fi
`;

export class FactsError extends HostError {
  override name = 'FactsError';
}

export function parseFacts(output: string): HostFacts {
  const values = new Map<string, string>();
  const sockets: string[] = [];
  const listening = new Map<number, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1);
    if (key === 'socket') sockets.push(value);
    else if (key === 'listen') {
      // "127.0.0.1:10248 users:((\"kubelet\",pid=1,fd=3))" or "[::]:22 users:((\"sshd\",…))"
      const [address = '', users = ''] = value.split(' ');
      const port = Number(address.slice(address.lastIndexOf(':') + 1));
      const program = /\(\("([^"]+)"/.exec(users)?.[1] ?? '?';
      if (port && !listening.has(port)) listening.set(port, program);
    } else values.set(key, value);
  }
  const get = (k: string) => values.get(k);
  const binaries: Record<string, string | undefined> = {};
  for (const b of BINARIES) binaries[b] = get(`bin.${b}`);
  for (const b of VERSIONED) binaries[`${b}Version`] = versionIn(get(`version.${b}`));
  const sysctl: Record<string, string | undefined> = {};
  for (const k of SYSCTLS) sysctl[k] = get(`sysctl.${k}`);
  if (!get('hostname')) throw new FactsError(`could not read the host's facts:\n${output.slice(0, 500)}`);
  return {
    hostname: get('hostname') ?? '',
    os: get('os') ?? 'unknown',
    arch: get('arch') ?? 'unknown',
    kernel: get('kernel') ?? 'unknown',
    isRoot: get('uid') === '0',
    cpus: Number(get('cpus') ?? 0),
    memoryMiB: Math.floor(Number(get('memkb') ?? 0) / 1024),
    swapOn: Number(get('swaps') ?? 0) > 0,
    criSockets: sockets,
    binaries,
    listening,
    sysctl,
    systemdResolved: get('active.systemd-resolved') === 'active',
    kubeletActive: get('active.kubelet') === 'active',
  };
}

export interface FactsOptions {
  /**
   * The run may change the host (up, not a dry run): the versions asked of binaries are kept for next time
   * under VERSIONS_DIR. Otherwise the command only looks (readOnly): it reads what was kept and writes nothing.
   */
  keepVersions?: boolean;
}

export async function gatherFacts(host: Host, kubernetesVersion: VersionLike, options: FactsOptions = {}): Promise<HostFacts> {
  const probes = [...new Set(criSocketProbes(kubernetesVersion).map((p) => p.probe))];
  const pairs = probes.flatMap((probe) => {
    const path = criSocketPath(probe);
    return path === undefined ? [] : [probe, path];
  });
  const keep = options.keepVersions === true;
  const result = await host.exec(['sh', '-c', FACTS_SCRIPT, 'sh', VERSIONS_DIR, keep ? '1' : '0', ...pairs], { sudo: true, readOnly: !keep });
  if (result.code !== 0) throw new FactsError(`gathering facts failed (exit ${result.code}): ${result.stderr.trim()}`);
  return parseFacts(result.stdout);
}
