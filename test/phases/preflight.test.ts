/**
 * preflight: every check's pass, fail and ignore, with literal facts and literal crictl output (the JSON
 * shape of cri-tools' `crictl info`, the logrus lines crictl prints when it fails), kubeadm's version
 * boundaries, and the phase against an in-memory host (golden command line, one added round trip).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseInventory } from '../../src/inventory/index.js';
import { newHostRun, type HostFacts, type UpContext, type UpOptions } from '../../src/pipeline/context.js';
import { HostsFailedError, runPhases } from '../../src/pipeline/runner.js';
import { connectPhase } from '../../src/phases/connect.js';
import {
  applyIgnore,
  crictlCriMismatch,
  goArch,
  ignoreSet,
  initIpFamilies,
  joinIpFamilies,
  parseCrictlInfo,
  preflightFailure,
  preflightFindings,
  PreflightError,
  type Finding,
  type PreflightInput,
  type ProbeResult,
} from '../../src/phases/preflight-checks.js';
import { kubeletFailSwapOn, parseProbe, PROBE_SCRIPT, preflightPhase, probeArgv, probePlan, renderedFailSwapOn, runProbe } from '../../src/phases/preflight.js';
import { MemoryHost } from '../../src/transport/memory.js';

const CONTAINERD = 'unix:///var/run/containerd/containerd.sock';

/** `crictl info` against containerd 1.7 (cri-tools info.go: status, then the runtime's info map by key). */
const INFO = (sandboxImage: string | null, runtimeReady = true) => `{
  "cniconfig": {
    "Networks": [],
    "PluginConfDir": "/etc/cni/net.d",
    "PluginDirs": [
      "/opt/cni/bin"
    ],
    "PluginMaxConfNum": 1,
    "Prefix": "eth"
  },
  "config": {
    "containerd": {
      "defaultRuntimeName": "runc",
      "snapshotter": "overlayfs"
    },
    "enableSelinux": false,
${sandboxImage === null ? '' : `    "sandboxImage": "${sandboxImage}",\n`}    "maxConcurrentDownloads": 3
  },
  "golang": "go1.20.13",
  "lastCNILoadStatus": "cni config load failed: no network config found in /etc/cni/net.d: cni plugin not initialized: failed to load cni config",
  "status": {
    "conditions": [
      {
        "type": "RuntimeReady",
        "status": ${runtimeReady},
        "reason": "${runtimeReady ? '' : 'ContainerdNotReady'}",
        "message": "${runtimeReady ? '' : 'containerd is starting'}"
      },
      {
        "type": "NetworkReady",
        "status": false,
        "reason": "NetworkPluginNotReady",
        "message": "Network plugin returns error: cni plugin not initialized"
      }
    ]
  }
}`;

/** crictl v1.26+ against a containerd whose CRI plugin is disabled (logrus text format, not a terminal). */
const UNIMPLEMENTED =
  'time="2023-06-22T17:37:50+09:00" level=fatal msg="validate service connection: CRI v1 runtime API is not implemented for endpoint \\"unix:///var/run/containerd/containerd.sock\\": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService"';
const REFUSED =
  'time="2024-01-10T10:00:00Z" level=fatal msg="validate service connection: validate CRI v1 runtime API for endpoint \\"unix:///var/run/containerd/containerd.sock\\": rpc error: code = Unavailable desc = connection error: desc = \\"transport: Error while dialing: dial unix /var/run/containerd/containerd.sock: connect: connection refused\\""';

function facts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    hostname: 'cp1',
    os: 'debian 12',
    arch: 'x86_64',
    kernel: '6.1.0-18-amd64',
    isRoot: true,
    cpus: 2,
    memoryMiB: 3911,
    swapOn: false,
    criSockets: [CONTAINERD],
    criSocket: CONTAINERD,
    binaries: { kubelet: '/usr/bin/kubelet', kubeletVersion: 'v1.28.15', crictl: '/usr/bin/crictl', conntrack: '/usr/sbin/conntrack' },
    listening: new Map([[22, 'sshd']]),
    sysctl: { 'net/ipv4/ip_forward': '1', 'net/bridge/bridge-nf-call-iptables': '1', 'net/ipv6/conf/default/forwarding': '0' },
    systemdResolved: false,
    kubeletActive: false,
    ...over,
  };
}

function probe(over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    kernelName: 'Linux',
    binaries: { ip: '/usr/sbin/ip', iptables: '/usr/sbin/iptables', mount: '/usr/bin/mount', nsenter: '/usr/bin/nsenter', ebtables: '/usr/sbin/ebtables', ethtool: '/usr/sbin/ethtool', socat: '/usr/bin/socat', tc: '/usr/sbin/tc', touch: '/usr/bin/touch' },
    sysctl: { 'net/bridge/bridge-nf-call-ip6tables': '1' },
    services: { 'active.firewalld': 'inactive' },
    runtime: { tool: 'crictl', endpoint: CONTAINERD, code: 0, output: INFO('registry.k8s.io/pause:3.9') },
    ...over,
  };
}

function input(over: Partial<PreflightInput> = {}): PreflightInput {
  return {
    version: 'v1.28.15',
    role: 'control-plane',
    facts: facts(),
    probe: probe(),
    bindPort: 6443,
    ipv4: true,
    ipv6: false,
    pauseImage: 'registry.k8s.io/pause:3.9',
    kubeletFailSwapOn: true,
    criSocketFromInventory: false,
    ...over,
  };
}

const lines = (findings: Finding[]) => findings.map((f) => `${f.severity} ${f.name}: ${f.message}`);

test('a healthy fresh control plane and worker pass every check', () => {
  assert.deepEqual(preflightFindings(input()), []);
  assert.deepEqual(preflightFindings(input({ role: 'worker', kubeletFailSwapOn: undefined })), []);
});

test('IsPrivilegedUser: root passes, anyone else fails', () => {
  assert.deepEqual(lines(preflightFindings(input({ facts: facts({ isRoot: false }) }))), [
    'error IsPrivilegedUser: user is not running as root (connect as root, or set ssh.sudo: true for a user allowed to use sudo)',
  ]);
});

test('SystemVerification: Linux only, and the architectures Kubernetes ships for that version', () => {
  assert.deepEqual(lines(preflightFindings(input({ probe: probe({ kernelName: 'FreeBSD' }) }))), ['error SystemVerification: unsupported operating system: FreeBSD']);
  assert.deepEqual(preflightFindings(input({ facts: facts({ arch: 'aarch64' }) })), []);
  assert.deepEqual(preflightFindings(input({ version: 'v1.26.15', facts: facts({ arch: 'armv7l', binaries: { ...facts().binaries, kubeletVersion: 'v1.26.15' } }) })), []);
  assert.deepEqual(lines(preflightFindings(input({ version: 'v1.27.0', facts: facts({ arch: 'armv7l', binaries: { ...facts().binaries, kubeletVersion: 'v1.27.0' } }) }))), [
    'error SystemVerification: unsupported architecture: armv7l (arm); Kubernetes v1.27.0 ships server binaries and images for linux/amd64, linux/arm64, linux/ppc64le, linux/s390x',
  ]);
  assert.deepEqual([goArch('x86_64'), goArch('aarch64'), goArch('armv6l'), goArch('ppc64le'), goArch('riscv64')], ['amd64', 'arm64', 'arm', 'ppc64le', 'riscv64']);
});

test('NumCPU and Mem: control planes need 2 CPUs and 1700 MB; workers are not checked', () => {
  assert.deepEqual(lines(preflightFindings(input({ facts: facts({ cpus: 1, memoryMiB: 1699 }) }))), [
    'error NumCPU: the number of available CPUs 1 is less than the required 2',
    'error Mem: the system RAM (1699 MB) is less than the minimum 1700 MB',
  ]);
  assert.deepEqual(preflightFindings(input({ facts: facts({ memoryMiB: 1700 }) })), []);
  assert.deepEqual(preflightFindings(input({ role: 'worker', kubeletFailSwapOn: undefined, facts: facts({ cpus: 1, memoryMiB: 900 }) })), []);
});

test('Swap: an error up to v1.22, a warning from v1.23 (reworded in v1.29 and v1.31); the kubelet we start still refuses swap', () => {
  const swapOn = (version: string, over: Partial<PreflightInput> = {}) =>
    lines(preflightFindings(input({ version, facts: facts({ swapOn: true, binaries: { ...facts().binaries, kubeletVersion: version } }), ...over })));
  assert.deepEqual(swapOn('v1.22.17'), ['error Swap: running with swap on is not supported. Please disable swap']);
  const kubeletRefuses =
    'error Swap: swap is on and the kubelet refuses to start with swap on while failSwapOn is true (the default): disable swap (`swapoff -a`, and remove swap entries from /etc/fstab), or set failSwapOn: false with a kubeletconfiguration patch';
  assert.deepEqual(swapOn('v1.23.0'), [
    'warning Swap: swap is enabled; production deployments should disable swap unless testing the NodeSwap feature gate of the kubelet',
    kubeletRefuses,
  ]);
  assert.deepEqual(swapOn('v1.28.15', { kubeletFailSwapOn: false }), [
    'warning Swap: swap is enabled; production deployments should disable swap unless testing the NodeSwap feature gate of the kubelet',
  ]);
  assert.deepEqual(swapOn('v1.29.0', { kubeletFailSwapOn: false }), [
    'warning Swap: swap is supported for cgroup v2 only; the NodeSwap feature gate of the kubelet is beta but disabled by default',
  ]);
  assert.deepEqual(swapOn('v1.30.14', { kubeletFailSwapOn: false, role: 'control-plane' }).length, 1);
  assert.deepEqual(swapOn('v1.31.0', { role: 'worker', kubeletFailSwapOn: undefined }), [
    'warning Swap: swap is supported for cgroup v2 only. The kubelet must be properly configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory, or disable swap on the node',
  ]);
});

test('Ports: busy ports fail unless our own component holds them (a re-run); workers need only 10250', () => {
  const busy = new Map<number, string>([
    [6443, 'nginx'],
    [10250, 'kubelet'],
    [10257, 'kube-controller'],
    [10259, 'kube-scheduler'],
    [2379, 'etcd'],
    [2380, '?'],
  ]);
  assert.deepEqual(lines(preflightFindings(input({ facts: facts({ listening: busy }) }))), [
    'error Port-6443: Port 6443 is in use (by "nginx")',
    'error Port-2380: Port 2380 is in use (by an unknown process)',
  ]);
  const ours = new Map<number, string>([
    [6443, 'kube-apiserver'],
    [10250, 'kubelet'],
    [10257, 'kube-controller'],
    [10259, 'kube-scheduler'],
    [2379, 'etcd'],
    [2380, 'etcd'],
  ]);
  assert.deepEqual(preflightFindings(input({ facts: facts({ listening: ours }) })), []);
  assert.deepEqual(lines(preflightFindings(input({ bindPort: 8443, facts: facts({ listening: new Map([[8443, 'haproxy'], [6443, 'nginx']]) }) }))), [
    'error Port-8443: Port 8443 is in use (by "haproxy")',
  ]);
  assert.deepEqual(lines(preflightFindings(input({ role: 'worker', kubeletFailSwapOn: undefined, facts: facts({ listening: new Map([[6443, 'nginx'], [10250, 'node']]) }) }))), [
    'error Port-10250: Port 10250 is in use (by "node")',
  ]);
});

test('kernel settings: bridge-nf-call-iptables until v1.29, ip_forward always for IPv4, IPv4 checks on every host before v1.27', () => {
  const broken = { 'net/ipv4/ip_forward': '0', 'net/bridge/bridge-nf-call-iptables': undefined, 'net/ipv6/conf/default/forwarding': '0' };
  const at = (version: string, over: Partial<PreflightInput> = {}) =>
    lines(preflightFindings(input({ version, facts: facts({ sysctl: broken, binaries: { ...facts().binaries, kubeletVersion: version } }), ...over })));
  assert.deepEqual(at('v1.29.15'), [
    'error FileContent--proc-sys-net-bridge-bridge-nf-call-iptables: /proc/sys/net/bridge/bridge-nf-call-iptables does not exist',
    'error FileContent--proc-sys-net-ipv4-ip_forward: /proc/sys/net/ipv4/ip_forward contents are not set to 1',
  ]);
  assert.deepEqual(at('v1.30.0'), ['error FileContent--proc-sys-net-ipv4-ip_forward: /proc/sys/net/ipv4/ip_forward contents are not set to 1']);
  // IPv6-only: v1.26 still checks IPv4 (addCommonChecks); v1.27 checks only IPv6.
  const v6 = { ipv4: false, ipv6: true, probe: probe({ sysctl: { 'net/bridge/bridge-nf-call-ip6tables': '0' } }) };
  assert.deepEqual(at('v1.26.15', v6), [
    'error FileContent--proc-sys-net-bridge-bridge-nf-call-iptables: /proc/sys/net/bridge/bridge-nf-call-iptables does not exist',
    'error FileContent--proc-sys-net-ipv4-ip_forward: /proc/sys/net/ipv4/ip_forward contents are not set to 1',
    'error FileContent--proc-sys-net-bridge-bridge-nf-call-ip6tables: /proc/sys/net/bridge/bridge-nf-call-ip6tables contents are not set to 1',
    'error FileContent--proc-sys-net-ipv6-conf-default-forwarding: /proc/sys/net/ipv6/conf/default/forwarding contents are not set to 1',
  ]);
  assert.deepEqual(at('v1.27.0', v6), [
    'error FileContent--proc-sys-net-bridge-bridge-nf-call-ip6tables: /proc/sys/net/bridge/bridge-nf-call-ip6tables contents are not set to 1',
    'error FileContent--proc-sys-net-ipv6-conf-default-forwarding: /proc/sys/net/ipv6/conf/default/forwarding contents are not set to 1',
  ]);
  assert.deepEqual(at('v1.33.0', v6), ['error FileContent--proc-sys-net-ipv6-conf-default-forwarding: /proc/sys/net/ipv6/conf/default/forwarding contents are not set to 1']);
  // kubeadm reads only the first byte(s): "1\n" passes.
  assert.deepEqual(preflightFindings(input({ facts: facts({ sysctl: { 'net/ipv4/ip_forward': '1', 'net/bridge/bridge-nf-call-iptables': '1' } }) })), []);
});

test('IP families as kubeadm derives them', () => {
  assert.deepEqual(initIpFamilies('10.0.0.5', '10.96.0.0/12', ''), { ipv4: true, ipv6: false });
  assert.deepEqual(initIpFamilies('fd00::5', 'fd00:96::/112', 'fd00:244::/56'), { ipv4: false, ipv6: true });
  assert.deepEqual(initIpFamilies('fd00::5', '10.96.0.0/12,fd00:96::/112', ''), { ipv4: true, ipv6: true });
  assert.deepEqual(joinIpFamilies('10.0.0.5'), { ipv4: true, ipv6: false });
  assert.deepEqual(joinIpFamilies('10.0.0.5:6443'), { ipv4: true, ipv6: false });
  assert.deepEqual(joinIpFamilies('[fd00::5]:6443'), { ipv4: false, ipv6: true });
  assert.deepEqual(joinIpFamilies('fd00::5'), { ipv4: false, ipv6: true });
  assert.deepEqual(joinIpFamilies('api.example.com:6443'), { ipv4: false, ipv6: false });
});

test('binaries: crictl (kubeadm until v1.30, bootstrap always on CRI sockets), docker on the dockershim path, conntrack before v1.32, exec checks', () => {
  const without = (version: string, drop: string[], over: Partial<PreflightInput> = {}) => {
    const binaries: Record<string, string | undefined> = { ...facts().binaries, kubeletVersion: version };
    for (const b of drop) delete binaries[b];
    return lines(preflightFindings(input({ version, facts: facts({ binaries }), probe: probe({ runtime: undefined }), ...over })));
  };
  assert.deepEqual(without('v1.30.0', ['crictl']), ['error FileExisting-crictl: crictl not found in system path: kubeadm needs it to talk to the container runtime; install cri-tools']);
  assert.deepEqual(without('v1.31.0', ['crictl']), [
    'error FileExisting-crictl: crictl not found in system path: bootstrap pulls images and reads container state with crictl (kubeadm v1.31.0 itself talks CRI directly); install cri-tools',
  ]);
  assert.deepEqual(without('v1.31.14', ['conntrack']), ['error FileExisting-conntrack: conntrack not found in system path']);
  assert.deepEqual(without('v1.32.0', ['conntrack']), []);
  // v1.23 with Docker: dockershim, images come from `docker pull`, crictl is not needed.
  const dockershim = { criSockets: ['/var/run/docker.sock'], criSocket: '/var/run/dockershim.sock' };
  const v123 = (binaries: Record<string, string | undefined>) =>
    lines(preflightFindings(input({ version: 'v1.23.17', pauseImage: 'k8s.gcr.io/pause:3.6', facts: facts({ ...dockershim, binaries: { ...binaries, kubeletVersion: 'v1.23.17' } }), probe: probe({ runtime: undefined }) })));
  assert.deepEqual(v123({ kubelet: '/usr/bin/kubelet', conntrack: '/usr/sbin/conntrack', docker: '/usr/bin/docker' }), []);
  assert.deepEqual(v123({ kubelet: '/usr/bin/kubelet', conntrack: '/usr/sbin/conntrack' }), [
    'error FileExisting-docker: docker not found in system path (Kubernetes v1.23.17 with dockershim pulls images with `docker pull`)',
  ]);
  const bins = probe().binaries;
  assert.deepEqual(lines(preflightFindings(input({ probe: probe({ binaries: { ...bins, nsenter: undefined, socat: undefined } }) }))), [
    'error FileExisting-nsenter: nsenter not found in system path',
    'warning FileExisting-socat: socat not found in system path',
  ]);
});

test('KubeletVersion: within the skew of the target (one minor before v1.29, three from v1.29), never newer on a control plane', () => {
  const kubelet = (version: string, kubeletVersion: string | undefined, role: PreflightInput['role'] = 'control-plane') =>
    lines(preflightFindings(input({ version, role, kubeletFailSwapOn: role === 'worker' ? undefined : true, facts: facts({ binaries: { ...facts().binaries, kubeletVersion } }) })));
  assert.deepEqual(kubelet('v1.28.15', 'v1.27.0'), []);
  assert.deepEqual(kubelet('v1.28.15', 'v1.26.9'), ['error KubeletVersion: Kubelet version "1.26.9" is lower than kubeadm can support. Please upgrade kubelet (kubeadm v1.28.15 needs v1.27.0 or newer)']);
  assert.deepEqual(kubelet('v1.29.0', 'v1.26.0'), []);
  assert.deepEqual(kubelet('v1.29.0', 'v1.25.16'), ['error KubeletVersion: Kubelet version "1.25.16" is lower than kubeadm can support. Please upgrade kubelet (kubeadm v1.29.0 needs v1.26.0 or newer)']);
  assert.deepEqual(kubelet('v1.28.15', 'v1.29.0'), [
    'error KubeletVersion: the kubelet version is higher than the control plane version. This is not a supported version skew and may lead to a malfunctional cluster. Kubelet version: "1.29.0" Control plane version: "1.28.15"',
  ]);
  assert.deepEqual(kubelet('v1.28.15', 'v1.29.0', 'worker'), []);
  assert.deepEqual(kubelet('v1.28.15', undefined), ['error KubeletVersion: couldn\'t get kubelet version: `kubelet --version` printed no version']);
  const missing = lines(preflightFindings(input({ facts: facts({ binaries: { crictl: '/usr/bin/crictl', conntrack: '/usr/sbin/conntrack' } }) })));
  assert.deepEqual(missing, ['error KubeletVersion: couldn\'t get kubelet version: exec: "kubelet": executable file not found in $PATH (install kubelet v1.28.15)']);
});

test('CRI: several sockets, none, not running, not ready', () => {
  assert.deepEqual(lines(preflightFindings(input({ facts: facts({ criSocket: undefined, criSocketConflict: [CONTAINERD, 'unix:///var/run/crio/crio.sock'] }), probe: probe({ runtime: undefined }) }))), [
    'error CRI: found multiple CRI endpoints on the host: unix:///var/run/containerd/containerd.sock, unix:///var/run/crio/crio.sock. Set hosts[].criSocket in the inventory to the one to use',
  ]);
  assert.deepEqual(lines(preflightFindings(input({ facts: facts({ criSockets: [] }), probe: probe({ runtime: undefined }) }))), [
    'error CRI: no container runtime found: none of the sockets kubeadm v1.28.15 looks for exists; install and start a runtime (e.g. containerd), or set hosts[].criSocket',
  ]);
  // A socket named in the inventory is asked, even where detection found none.
  const refused = probe({ runtime: { tool: 'crictl', endpoint: CONTAINERD, code: 1, output: REFUSED } });
  assert.deepEqual(lines(preflightFindings(input({ criSocketFromInventory: true, facts: facts({ criSockets: [] }), probe: refused }))), [
    `error CRI: container runtime is not running: output: ${REFUSED}, error: exit status 1`,
  ]);
  assert.deepEqual(lines(preflightFindings(input({ probe: probe({ runtime: { tool: 'crictl', endpoint: CONTAINERD, code: 0, output: INFO('registry.k8s.io/pause:3.9', false) } }) }))), [
    'error CRI: container runtime condition "RuntimeReady" is not true. reason: ContainerdNotReady, message: containerd is starting',
  ]);
});

test('CRI: crictl and the runtime disagree on runtime.v1, with the fix for the version', () => {
  const mismatch = (version: string) =>
    lines(preflightFindings(input({ version, facts: facts({ binaries: { ...facts().binaries, kubeletVersion: version } }), probe: probe({ runtime: { tool: 'crictl', endpoint: CONTAINERD, code: 1, output: UNIMPLEMENTED } }) })));
  const said =
    'validate service connection: CRI v1 runtime API is not implemented for endpoint "unix:///var/run/containerd/containerd.sock": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService';
  const fix =
    'Fix: for containerd, enable its CRI plugin (remove "cri" from disabled_plugins in /etc/containerd/config.toml, or regenerate it with `containerd config default`) and use containerd 1.6 or newer, then `systemctl restart containerd`; ';
  assert.deepEqual(mismatch('v1.28.15'), [
    `error CRI: crictl and the container runtime at ${CONTAINERD} disagree on the CRI version: crictl speaks CRI v1 (runtime.v1), which the runtime does not serve (${said}). ${fix}kubelet v1.28.15 needs CRI v1 too, so the runtime must be fixed`,
  ]);
  assert.match(mismatch('v1.25.16')[0]!, /or use a crictl older than v1\.26, which falls back to CRI v1alpha2$/);
  assert.equal(crictlCriMismatch('FATA[0000] validate service connection: CRI v1 image API is not implemented for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unimplemented desc = unknown service runtime.v1.ImageService'),
    'validate service connection: CRI v1 image API is not implemented for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unimplemented desc = unknown service runtime.v1.ImageService');
  assert.equal(crictlCriMismatch(REFUSED), undefined);
});

test('sandbox image: a warning (kubeadm\'s severity) with the runtime\'s fix; equal or unreported (containerd 2) passes', () => {
  const sandbox = (image: string | null, endpoint = CONTAINERD) =>
    lines(preflightFindings(input({ probe: probe({ runtime: { tool: 'crictl', endpoint, code: 0, output: INFO(image) } }) })));
  assert.deepEqual(sandbox('registry.k8s.io/pause:3.6'), [
    'warning ImagePull: detected that the sandbox image "registry.k8s.io/pause:3.6" of the container runtime is inconsistent with that used by kubeadm. It is recommended to use "registry.k8s.io/pause:3.9" as the CRI sandbox image: set sandbox_image = "registry.k8s.io/pause:3.9" in the [plugins."io.containerd.grpc.v1.cri"] section of /etc/containerd/config.toml, then `systemctl restart containerd`',
  ]);
  assert.match(sandbox('registry.k8s.io/pause:3.6', 'unix:///var/run/crio/crio.sock')[0]!, /set pause_image = "registry\.k8s\.io\/pause:3\.9" in the \[crio\.image\] section of \/etc\/crio\/crio\.conf/);
  assert.deepEqual(sandbox('registry.k8s.io/pause:3.9'), []);
  assert.deepEqual(sandbox(null), []);
});

test('dockershim (before v1.24): `docker info` answers for the runtime, and the docker service must be active', () => {
  const dockershim = facts({ criSockets: ['/var/run/docker.sock'], criSocket: '/var/run/dockershim.sock', binaries: { kubelet: '/usr/bin/kubelet', kubeletVersion: 'v1.23.17', docker: '/usr/bin/docker', conntrack: '/usr/sbin/conntrack' } });
  const run = (runtime: ProbeResult['runtime'], active = 'active') =>
    lines(preflightFindings(input({ version: 'v1.23.17', pauseImage: 'k8s.gcr.io/pause:3.6', facts: dockershim, probe: probe({ runtime, services: { 'active.firewalld': 'inactive', 'active.docker': active } }) })));
  assert.deepEqual(run({ tool: 'docker', endpoint: '/var/run/dockershim.sock', code: 0, output: 'Server Version: 20.10.24' }), []);
  assert.deepEqual(run({ tool: 'docker', endpoint: '/var/run/dockershim.sock', code: 1, output: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' }, 'inactive'), [
    'error CRI: container runtime is not running: output: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?, error: exit status 1',
  ]);
  assert.deepEqual(run({ tool: 'docker', endpoint: '/var/run/dockershim.sock', code: 0, output: '' }, 'inactive'), [
    "error Service-Docker: docker service is not active, please run 'systemctl start docker.service'",
  ]);
});

test('Firewalld: a warning on control planes naming the API and kubelet ports', () => {
  assert.deepEqual(lines(preflightFindings(input({ bindPort: 8443, probe: probe({ services: { 'active.firewalld': 'active' } }) }))), [
    'warning Firewalld: firewalld is active, please ensure ports [8443 10250] are open or your cluster may not function correctly',
  ]);
  assert.deepEqual(preflightFindings(input({ role: 'worker', kubeletFailSwapOn: undefined, probe: probe({ services: { 'active.firewalld': 'active' } }) })), []);
});

test('--ignore-preflight-errors: names case-insensitive or "all"; warnings stay warnings; "all" with names is refused', () => {
  const findings: Finding[] = [
    { name: 'Swap', severity: 'error', message: 'running with swap on is not supported. Please disable swap' },
    { name: 'Port-6443', severity: 'error', message: 'Port 6443 is in use' },
    { name: 'FileExisting-socat', severity: 'warning', message: 'socat not found in system path' },
  ];
  assert.deepEqual(applyIgnore(findings, ignoreSet(['swap'])).map((f) => f.severity), ['warning', 'error', 'warning']);
  assert.deepEqual(applyIgnore(findings, ignoreSet(['PORT-6443', ' Swap '])).map((f) => f.severity), ['warning', 'warning', 'warning']);
  assert.deepEqual([...ignoreSet(['Swap,NumCPU', 'port-6443'])], ['swap', 'numcpu', 'port-6443']);
  assert.deepEqual(applyIgnore(findings, ignoreSet(['All'])).map((f) => f.severity), ['warning', 'warning', 'warning']);
  assert.deepEqual(applyIgnore(findings, ignoreSet(undefined)).map((f) => f.severity), ['error', 'error', 'warning']);
  assert.throws(() => ignoreSet(['all', 'Swap']), (e: unknown) => e instanceof PreflightError && e.message === "--ignore-preflight-errors: don't specify individual checks if 'all' is used (got all,swap)");
  assert.equal(
    preflightFailure(findings.slice(0, 2)),
    '[preflight] Some fatal errors occurred:\n' +
      '\t[ERROR Swap]: running with swap on is not supported. Please disable swap\n' +
      '\t[ERROR Port-6443]: Port 6443 is in use\n' +
      '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...` (here: --ignore-preflight-errors=Swap,Port-6443)',
  );
});

test('parseCrictlInfo skips crictl\'s debug and deprecation lines before the JSON', () => {
  const noisy = `time="2024-01-10T10:00:00Z" level=warning msg="runtime connect using default endpoints: [unix:///var/run/dockershim.sock]"\nDEBU[0000] get runtime connection\n${INFO('registry.k8s.io/pause:3.8')}\n`;
  assert.deepEqual(parseCrictlInfo(noisy), {
    conditions: [
      { type: 'RuntimeReady', status: true, reason: '', message: '' },
      { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' },
    ],
    sandboxImage: 'registry.k8s.io/pause:3.8',
  });
  assert.equal(parseCrictlInfo('FATA[0002] connect: connect endpoint'), undefined);
});

test('failSwapOn: the rendered KubeletConfiguration, or kubeletconfiguration patches when nothing is rendered yet', async () => {
  assert.equal(renderedFailSwapOn('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfailSwapOn: false\n'), false);
  assert.equal(renderedFailSwapOn('kind: KubeletConfiguration\ncgroupDriver: systemd\n'), true);
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-preflight-'));
  await writeFile(join(dir, 'kubeletconfiguration+merge.yaml'), 'failSwapOn: false\n');
  const { ctx } = await setup();
  const h = ctx.hosts[0]!;
  h.facts = facts({ swapOn: true });
  assert.equal(await kubeletFailSwapOn(ctx, h), true, 'no patches: kubelet\'s default');
  ctx.inv.patches = dir;
  assert.equal(await kubeletFailSwapOn(ctx, h), false);
  h.files = [{ path: '/var/lib/kubelet/config.yaml', content: 'kind: KubeletConfiguration\n', mode: 0o644 }];
  assert.equal(await kubeletFailSwapOn(ctx, h), true, 'what was rendered wins');
});

// ---------------------------------------------------------------------------------------------------------
// The probe script, run for real by /bin/sh with a stand-in crictl on the PATH.

test('the probe script reports binaries, sysctls and crictl\'s exit code and output verbatim', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-preflight-'));
  const crictl = join(dir, 'crictl');
  await writeFile(crictl, `#!/bin/sh\nprintf '%s\\n' "$*" > "${dir}/argv"\nprintf '%s\\n' '${UNIMPLEMENTED.replace(/'/g, `'\\''`)}' >&2\nexit 1\n`);
  await chmod(crictl, 0o755);
  const plan = { mode: 'crictl' as const, endpoint: CONTAINERD };
  const [, , script, ...args] = probeArgv(plan);
  const { stdout } = await promisify(execFile)('sh', ['-c', script!, ...args], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
  const result = parseProbe(stdout, plan);
  assert.equal(result.kernelName, 'Linux');
  assert.equal(result.binaries.touch !== undefined, true);
  assert.deepEqual(result.runtime, { tool: 'crictl', endpoint: CONTAINERD, code: 1, output: UNIMPLEMENTED });
  assert.equal(await readFile(join(dir, 'argv'), 'utf8'), `--runtime-endpoint ${CONTAINERD} --timeout 10s info\n`);
  const none = parseProbe((await promisify(execFile)('sh', ['-c', PROBE_SCRIPT, 'sh', 'none', ''])).stdout, { mode: 'none', endpoint: '' });
  assert.equal(none.runtime, undefined);
});

// ---------------------------------------------------------------------------------------------------------
// The phase against in-memory hosts.

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
bin.conntrack=/usr/sbin/conntrack
version.kubelet=Kubernetes v1.28.15
sysctl.net/ipv4/ip_forward=1
sysctl.net/bridge/bridge-nf-call-iptables=1
listen=0.0.0.0:22 users:(("sshd",pid=1,fd=3))
active.kubelet=inactive
`;

const PROBE_OUT = (info: string) => `uname=Linux
bin.ip=/usr/sbin/ip
bin.iptables=/usr/sbin/iptables
bin.mount=/usr/bin/mount
bin.nsenter=/usr/bin/nsenter
bin.ebtables=/usr/sbin/ebtables
bin.ethtool=/usr/sbin/ethtool
bin.tc=/usr/sbin/tc
bin.touch=/usr/bin/touch
active.firewalld=inactive
runtime.code=0
@@runtime-output@@
${info}
`;

async function setup(options: UpOptions = {}, factsText = FACTS, info = INFO('registry.k8s.io/pause:3.9')) {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-preflight-'));
  const inv = parseInventory(join(dir, 'inventory.yaml'), `
cluster: { kubernetesVersion: v1.28.15 }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`);
  const hosts = new Map<string, MemoryHost>();
  for (const h of inv.hosts) {
    const host = new MemoryHost(h.name)
      .on((argv) => (argv[2]?.includes('/proc/sys/kernel/hostname') ? { stdout: factsText.replace('cp1', h.name) } : undefined))
      .on((argv) => (argv[2] === PROBE_SCRIPT ? { stdout: PROBE_OUT(info) } : undefined));
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
  return { ctx, hosts };
}

test('phase: one added round trip with the golden command line; optional misses become warnings', async () => {
  const { ctx, hosts } = await setup();
  await runPhases(ctx, [connectPhase, preflightPhase]);
  const cp1 = hosts.get('cp1')!;
  assert.equal(cp1.roundTrips, 2, 'facts, then the preflight probe');
  assert.deepEqual(cp1.commands[1]?.argv, ['sh', '-c', PROBE_SCRIPT, 'sh', 'crictl', CONTAINERD]);
  assert.deepEqual(ctx.hosts[0]?.warnings, ['[WARNING FileExisting-socat]: socat not found in system path']);
  assert.deepEqual(ctx.hosts[1]?.warnings, ['[WARNING FileExisting-socat]: socat not found in system path']);
  assert.equal(ctx.hosts[0]?.error, undefined);
});

test('phase: errors fail the host with every failed check and the hint; --ignore-preflight-errors lets it pass', async () => {
  const broken = FACTS.replace('swaps=0', 'swaps=1').replace('cpus=2', 'cpus=1').replace('sysctl.net/ipv4/ip_forward=1', 'sysctl.net/ipv4/ip_forward=0');
  const { ctx } = await setup({}, broken, INFO('registry.k8s.io/pause:3.6'));
  await assert.rejects(runPhases(ctx, [connectPhase, preflightPhase]), HostsFailedError);
  assert.equal(
    ctx.hosts[0]?.error?.message,
    '[preflight] Some fatal errors occurred:\n' +
      '\t[ERROR NumCPU]: the number of available CPUs 1 is less than the required 2\n' +
      '\t[ERROR Swap]: swap is on and the kubelet refuses to start with swap on while failSwapOn is true (the default): disable swap (`swapoff -a`, and remove swap entries from /etc/fstab), or set failSwapOn: false with a kubeletconfiguration patch\n' +
      '\t[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1\n' +
      '[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...` (here: --ignore-preflight-errors=NumCPU,Swap,FileContent--proc-sys-net-ipv4-ip_forward)',
  );
  // The worker: no CPU check; kubeadm's swap warning only (bootstrap starts no kubelet there).
  assert.equal(ctx.hosts[1]?.error?.message.includes('[ERROR FileContent--proc-sys-net-ipv4-ip_forward]'), true);
  assert.equal(ctx.hosts[1]?.error?.message.includes('NumCPU'), false);
  assert.equal(ctx.hosts[1]?.error?.message.includes('Swap'), false);

  const ignored = await setup({ ignorePreflightErrors: ['numcpu', 'SWAP', 'FileContent--proc-sys-net-ipv4-ip_forward'] }, broken, INFO('registry.k8s.io/pause:3.6'));
  await runPhases(ignored.ctx, [connectPhase, preflightPhase]);
  assert.deepEqual(ignored.ctx.hosts[0]?.warnings, [
    '[WARNING NumCPU]: the number of available CPUs 1 is less than the required 2',
    '[WARNING ImagePull]: detected that the sandbox image "registry.k8s.io/pause:3.6" of the container runtime is inconsistent with that used by kubeadm. It is recommended to use "registry.k8s.io/pause:3.9" as the CRI sandbox image: set sandbox_image = "registry.k8s.io/pause:3.9" in the [plugins."io.containerd.grpc.v1.cri"] section of /etc/containerd/config.toml, then `systemctl restart containerd`',
    '[WARNING Swap]: swap is enabled; production deployments should disable swap unless testing the NodeSwap feature gate of the kubelet',
    '[WARNING Swap]: swap is on and the kubelet refuses to start with swap on while failSwapOn is true (the default): disable swap (`swapoff -a`, and remove swap entries from /etc/fstab), or set failSwapOn: false with a kubeletconfiguration patch',
    '[WARNING FileExisting-socat]: socat not found in system path',
    '[WARNING FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1',
  ]);
});

test('phase: a malformed --ignore-preflight-errors is refused before any command', async () => {
  const { ctx, hosts } = await setup({ ignorePreflightErrors: ['all', 'Swap'] });
  await assert.rejects(runPhases(ctx, [connectPhase, preflightPhase]), HostsFailedError);
  assert.equal(hosts.get('cp1')!.roundTrips, 1, 'facts only');
  assert.equal(ctx.hosts[0]?.error?.name, 'PreflightError');
});

test('probePlan: crictl on CRI sockets, docker on dockershim (before v1.24), nothing to ask without a runtime or its tool', () => {
  const run = (over: Partial<HostFacts>, criSocket?: string) => {
    const h = newHostRun({ name: 'cp1', criSocket } as never);
    h.facts = facts(over);
    return h;
  };
  assert.deepEqual(probePlan('v1.28.15', run({})), { mode: 'crictl', endpoint: CONTAINERD });
  assert.deepEqual(probePlan('v1.23.17', run({ criSockets: ['/run/containerd/containerd.sock'], criSocket: '/run/containerd/containerd.sock' })), {
    mode: 'crictl',
    endpoint: 'unix:///run/containerd/containerd.sock',
  });
  const dockershim = { criSockets: ['/var/run/docker.sock'], criSocket: '/var/run/dockershim.sock' };
  assert.deepEqual(probePlan('v1.23.17', run({ ...dockershim, binaries: { docker: '/usr/bin/docker' } })), { mode: 'docker', endpoint: '/var/run/dockershim.sock' });
  assert.deepEqual(probePlan('v1.23.17', run({ ...dockershim, binaries: {} })), { mode: 'none', endpoint: '' });
  assert.deepEqual(probePlan('v1.28.15', run({ binaries: { kubelet: '/usr/bin/kubelet' } })), { mode: 'none', endpoint: '' });
  assert.deepEqual(probePlan('v1.28.15', run({ criSockets: [] })), { mode: 'none', endpoint: '' }, 'detection found nothing: the default socket is not asked');
  assert.deepEqual(probePlan('v1.28.15', run({ criSockets: [], criSocket: 'unix:///run/k3s/containerd/containerd.sock' }, 'unix:///run/k3s/containerd/containerd.sock')), {
    mode: 'crictl',
    endpoint: 'unix:///run/k3s/containerd/containerd.sock',
  });
  assert.deepEqual(probePlan('v1.28.15', run({ criSocket: undefined, criSocketConflict: [CONTAINERD, 'unix:///var/run/crio/crio.sock'] })), { mode: 'none', endpoint: '' });
});

test('runProbe: one sudo command with a timeout; a failing or hanging probe is a clear error', async () => {
  const plan = { mode: 'crictl' as const, endpoint: CONTAINERD };
  const ok = new MemoryHost('cp1').on(() => ({ stdout: PROBE_OUT(INFO('registry.k8s.io/pause:3.9')) }));
  const seen: unknown[] = [];
  ok.on(() => undefined);
  const wrapped = Object.assign(Object.create(ok) as MemoryHost, {
    exec: (argv: readonly string[], options: object) => (seen.push(options), ok.exec(argv, options)),
  });
  const result = await runProbe(wrapped, plan);
  assert.deepEqual(seen, [{ sudo: true, timeoutMs: 30000, readOnly: true }]);
  assert.equal(result.runtime?.code, 0);
  assert.equal(parseCrictlInfo(result.runtime!.output)?.sandboxImage, 'registry.k8s.io/pause:3.9');
  assert.deepEqual(result.binaries.socat, undefined);
  const broken = new MemoryHost('cp1').on(() => ({ code: 2, stderr: 'sh: 1: Syntax error' }));
  await assert.rejects(runProbe(broken, plan), { name: 'PreflightError', message: 'cp1: the preflight probe failed (exit 2): sh: 1: Syntax error' });
  const hung = new MemoryHost('cp1').on(() => ({ code: -1, timedOut: true }));
  await assert.rejects(runProbe(hung, plan), { name: 'PreflightError', message: 'cp1: the preflight probe timed out after 30 s' });
});

test('phase: a worker checks the IP family of the endpoint it would join', async () => {
  const v6 = FACTS.replace('sysctl.net/ipv4/ip_forward=1', 'sysctl.net/ipv4/ip_forward=0');
  const { ctx } = await setup({}, v6);
  ctx.inv.cluster.controlPlaneEndpoint = '[fd00::10]:6443';
  await assert.rejects(runPhases(ctx, [connectPhase, preflightPhase]), HostsFailedError);
  // The control plane (IPv4 advertise address) fails on ip_forward; the worker joins over IPv6 and v1.28 checks
  // only that family there (bridge-nf-call-ip6tables too, until v1.30).
  assert.match(ctx.hosts[0]!.error!.message, /\[ERROR FileContent--proc-sys-net-ipv4-ip_forward\]/);
  assert.equal(
    ctx.hosts[1]!.error!.message.split('\n').slice(1, -1).join('\n'),
    '\t[ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-ip6tables]: /proc/sys/net/bridge/bridge-nf-call-ip6tables does not exist\n' +
      '\t[ERROR FileContent--proc-sys-net-ipv6-conf-default-forwarding]: /proc/sys/net/ipv6/conf/default/forwarding does not exist',
  );
});
