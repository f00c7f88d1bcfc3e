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

/** Binaries whose presence (and version) preflight and the later phases look at. */
export const BINARIES = ['kubelet', 'crictl', 'docker', 'containerd', 'conntrack', 'systemctl', 'journalctl', 'ss', 'tar', 'sha256sum'];
const VERSIONED = ['kubelet', 'crictl', 'docker', 'containerd'];
const SYSCTLS = ['net/ipv4/ip_forward', 'net/bridge/bridge-nf-call-iptables', 'net/ipv6/conf/default/forwarding'];

/** POSIX sh; each line is key=value. Arguments: pairs of a CRI socket as kubeadm probes it and the file it dials. */
const FACTS_SCRIPT = `
printf 'hostname=%s\\n' "$(cat /proc/sys/kernel/hostname)"
if [ -r /etc/os-release ]; then . /etc/os-release; printf 'os=%s %s\\n' "$ID" "$VERSION_ID"; fi
printf 'arch=%s\\nkernel=%s\\nuid=%s\\n' "$(uname -m)" "$(uname -r)" "$(id -u)"
printf 'cpus=%s\\n' "$(getconf _NPROCESSORS_ONLN)"
awk '/^MemTotal:/ {print "memkb=" $2} END {}' /proc/meminfo
awk 'NR > 1 {n++} END {print "swaps=" n + 0}' /proc/swaps
while [ $# -gt 1 ]; do if [ -S "$2" ]; then printf 'socket=%s\\n' "$1"; fi; shift 2; done
for b in ${BINARIES.join(' ')}; do p=$(command -v "$b" 2>/dev/null) && printf 'bin.%s=%s\\n' "$b" "$p"; done
for b in ${VERSIONED.join(' ')}; do
  if command -v "$b" >/dev/null 2>&1; then printf 'version.%s=%s\\n' "$b" "$("$b" --version 2>/dev/null | head -n 1)"; fi
done
for k in ${SYSCTLS.join(' ')}; do if [ -r "/proc/sys/$k" ]; then printf 'sysctl.%s=%s\\n' "$k" "$(cat "/proc/sys/$k")"; fi; done
if command -v ss >/dev/null 2>&1; then ss -Hltnp 2>/dev/null | awk '{print "listen=" $4 " " $6}'; fi
if command -v systemctl >/dev/null 2>&1; then
  printf 'active.kubelet=%s\\n' "$(systemctl is-active kubelet 2>/dev/null)"
  printf 'active.systemd-resolved=%s\\n' "$(systemctl is-active systemd-resolved 2>/dev/null)"
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

export async function gatherFacts(host: Host, kubernetesVersion: VersionLike): Promise<HostFacts> {
  const probes = [...new Set(criSocketProbes(kubernetesVersion).map((p) => p.probe))];
  const pairs = probes.flatMap((probe) => {
    const path = criSocketPath(probe);
    return path === undefined ? [] : [probe, path];
  });
  const result = await host.exec(['sh', '-c', FACTS_SCRIPT, 'sh', ...pairs], { sudo: true, readOnly: true });
  if (result.code !== 0) throw new FactsError(`gathering facts failed (exit ${result.code}): ${result.stderr.trim()}`);
  return parseFacts(result.stdout);
}
