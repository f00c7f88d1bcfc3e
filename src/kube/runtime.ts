/**
 * Container-runtime rules kubeadm applies by version: which CRI sockets it looks for, what it falls back to,
 * which tool pulls images, and which kubelet versions its preflight accepts.
 *
 * Sources:
 *  - kubeadm v1.20–v1.23 cmd/kubeadm/app/util/runtime/runtime.go (detectCRISocketImpl, NewContainerRuntime,
 *    DockerRuntime.PullImage = "docker pull"), runtime_unix.go (dockerSocket, containerdSocket) and
 *    constants/constants_unix.go (DefaultDockerCRISocket = "/var/run/dockershim.sock").
 *  - kubeadm v1.24+ runtime.go (defaultKnownCRISockets, only CRIRuntime) and constants_unix.go
 *    (CRISocketContainerd, CRISocketCRIO, CRISocketDocker = cri-dockerd, DefaultCRISocket = containerd);
 *    URL schemes on sockets came with PR #107295 (v1.24), dockershim left kubeadm in v1.24.
 *  - Image pulls and crictl: kubeadm v1.31 switched from shelling out to crictl to the CRI client library
 *    (PR #124685; preflight only warns when crictl is missing), v1.32 dropped the crictl check (PR #126596).
 *  - Kubelet skew: constants.go MinimumKubeletVersion (v1.20: fixed v1.19.0, i.e. one minor back;
 *    later getSkewedKubernetesVersion(-1); getSkewedKubernetesVersion(-3) since v1.29, PR #120825) and
 *    preflight/checks.go KubeletVersionCheck (kubelet older than the minimum, or a kubelet minor newer than
 *    the control plane's, fails).
 */
import semver from 'semver';
import { defineTable, lookup } from './table.js';
import { kubeVersion, VersionError, type VersionLike } from './version.js';

/** One socket kubeadm checks: the path it dials, and the criSocket it then writes (they differ for dockershim). */
export interface CriSocketProbe {
  /** The socket whose presence kubeadm tests. */
  probe: string;
  /** The criSocket value kubeadm uses when that socket is present. */
  criSocket: string;
  /**
   * v1.20–v1.23 only: docker and containerd are one choice: containerd counts only when docker's socket is
   * absent (Docker 18.09+ ships containerd too), so both present is not "multiple CRIs".
   */
  onlyIfAbsent?: string;
}

interface RuntimeRules {
  probes: CriSocketProbe[];
  /** Written when no socket is found. */
  defaultCriSocket: string;
  /** The criSocket for which images are pulled with `docker pull` rather than `crictl pull`/CRI. */
  dockerPullSocket: string | null;
  /** kubeadm writes a bare socket path given as criSocket as a unix:// URL (PR #107295). */
  unixScheme: boolean;
}

const DOCKERSHIM = '/var/run/dockershim.sock';

const RUNTIME_RULES = defineTable<RuntimeRules>('the container runtime rules', [
  {
    range: '>=1.24.0',
    value: {
      probes: [
        { probe: 'unix:///var/run/containerd/containerd.sock', criSocket: 'unix:///var/run/containerd/containerd.sock' },
        { probe: 'unix:///var/run/crio/crio.sock', criSocket: 'unix:///var/run/crio/crio.sock' },
        { probe: 'unix:///var/run/cri-dockerd.sock', criSocket: 'unix:///var/run/cri-dockerd.sock' },
      ],
      defaultCriSocket: 'unix:///var/run/containerd/containerd.sock',
      dockerPullSocket: null,
      unixScheme: true,
    },
    source: 'cmd/kubeadm/app/util/runtime/runtime.go defaultKnownCRISockets, cmd/kubeadm/app/constants/constants_unix.go (kubeadm v1.24, PR #107295)',
  },
  {
    range: '>=1.20.0 <1.24.0',
    value: {
      probes: [
        { probe: '/var/run/docker.sock', criSocket: DOCKERSHIM },
        { probe: '/run/containerd/containerd.sock', criSocket: '/run/containerd/containerd.sock', onlyIfAbsent: '/var/run/docker.sock' },
        { probe: '/var/run/crio/crio.sock', criSocket: '/var/run/crio/crio.sock' },
      ],
      defaultCriSocket: DOCKERSHIM,
      dockerPullSocket: DOCKERSHIM,
      unixScheme: false,
    },
    source: 'cmd/kubeadm/app/util/runtime/runtime.go detectCRISocketImpl, runtime_unix.go, cmd/kubeadm/app/constants/constants_unix.go (kubeadm v1.20–v1.23)',
  },
]);

function rules(version: VersionLike): RuntimeRules {
  return lookup(RUNTIME_RULES, version);
}

/** Whether kubeadm turns a criSocket written as a bare path into a unix:// URL (v1.24+). */
export function addsUnixScheme(version: VersionLike): boolean {
  return rules(version).unixScheme;
}

/** The sockets kubeadm probes, in its order, with what each one becomes. */
export function criSocketProbes(version: VersionLike): CriSocketProbe[] {
  return rules(version).probes.map((p) => ({ ...p }));
}

/** The criSocket values kubeadm can detect, in the order it probes for them. */
export function knownCriSockets(version: VersionLike): string[] {
  return rules(version).probes.map((p) => p.criSocket);
}

/** What kubeadm writes when it detects no socket (constants.DefaultDockerCRISocket / DefaultCRISocket). */
export function defaultCriSocket(version: VersionLike): string {
  return rules(version).defaultCriSocket;
}

/**
 * kubeadm's detection given the sockets present on a host (as probe paths): the criSocket it picks, or an
 * error listing several, exactly as detectCRISocketImpl decides.
 */
export function detectCriSocket(version: VersionLike, present: Iterable<string>): { criSocket: string } | { multiple: string[] } {
  const have = new Set(present);
  const r = rules(version);
  const found = r.probes
    .filter((p) => have.has(p.probe) && !(p.onlyIfAbsent !== undefined && have.has(p.onlyIfAbsent)))
    .map((p) => p.criSocket);
  if (found.length === 0) return { criSocket: r.defaultCriSocket };
  if (found.length === 1) return { criSocket: found[0]! };
  return { multiple: found };
}

/**
 * True exactly where that kubeadm pulls images with `docker pull`: before v1.24, when the criSocket is the
 * dockershim socket (NewContainerRuntime compares the string with DefaultDockerCRISocket, so a
 * "unix://"-prefixed spelling already goes to crictl).
 */
export function pullsWithDocker(version: VersionLike, criSocket: string): boolean {
  const socket = rules(version).dockerPullSocket;
  return socket !== null && criSocket === socket;
}

/** How kubeadm pulls an image: `docker pull`, `crictl pull` against the socket, or CRI PullImage over gRPC. */
export type ImagePullTool = 'docker' | 'crictl' | 'cri-api';

const PULL_TOOL = defineTable<'crictl' | 'cri-api'>('the image pull tool', [
  { range: '>=1.31.0', value: 'cri-api', source: 'cmd/kubeadm/app/util/runtime/runtime.go uses k8s.io/cri-client (kubeadm v1.31, PR #124685)' },
  { range: '>=1.20.0 <1.31.0', value: 'crictl', source: 'cmd/kubeadm/app/util/runtime/runtime.go CRIRuntime.PullImage runs crictl (kubeadm v1.20–v1.30)' },
]);

/** The tool that kubeadm of that version uses to pull images through that criSocket. */
export function imagePullTool(version: VersionLike, criSocket: string): ImagePullTool {
  if (pullsWithDocker(version, criSocket)) return 'docker';
  return lookup(PULL_TOOL, version);
}

/** What kubeadm's preflight does when crictl is not on the PATH. */
export type CrictlCheck = 'error' | 'warning' | 'none';

const CRICTL_CHECK = defineTable<CrictlCheck>('the crictl preflight check', [
  { range: '>=1.32.0', value: 'none', source: 'cmd/kubeadm/app/preflight/checks.go no longer checks crictl (kubeadm v1.32, PR #126596)' },
  { range: '>=1.31.0 <1.32.0', value: 'warning', source: 'cmd/kubeadm/app/preflight/checks.go crictl optional, warning only (kubeadm v1.31, PR #124685)' },
  { range: '>=1.20.0 <1.31.0', value: 'error', source: 'cmd/kubeadm/app/preflight/checks.go InPathCheck crictl, mandatory (kubeadm v1.20–v1.30)' },
]);

/**
 * kubeadm's crictl preflight for a CRI socket. Before v1.24 the dockershim socket is served by the docker
 * CLI, so only CRI sockets need crictl.
 */
export function crictlCheck(version: VersionLike, criSocket: string): CrictlCheck {
  if (pullsWithDocker(version, criSocket)) return 'none';
  return lookup(CRICTL_CHECK, version);
}

/** How many minors older than kubeadm (= the target version) the kubelet may be. */
const KUBELET_SKEW = defineTable<number>('the kubelet version skew', [
  { range: '>=1.29.0', value: 3, source: 'cmd/kubeadm/app/constants/constants.go MinimumKubeletVersion = getSkewedKubernetesVersion(-3) (kubeadm v1.29, PR #120825)' },
  { range: '>=1.20.0 <1.29.0', value: 1, source: 'cmd/kubeadm/app/constants/constants.go MinimumKubeletVersion = v1.19.0 (kubeadm v1.20); getSkewedKubernetesVersion(-1) (kubeadm v1.21–v1.28)' },
]);

/** The number of minors the kubelet may lag behind the target version, per that kubeadm. */
export function kubeletMaxSkew(targetVersion: VersionLike): number {
  return lookup(KUBELET_SKEW, targetVersion);
}

/**
 * kubeadm's KubeletVersionCheck: the kubelet must be at least v1.(minor-N).0 for that kubeadm, and its minor
 * must not be newer than the target's. Patch versions never matter. The kubelet version is as
 * `kubelet --version` reports it ("Kubernetes v1.28.4", "v1.28.4" or "1.28.4"); pre-release kubelets compare
 * by their MAJOR.MINOR.PATCH.
 */
export function kubeletSkewOk(kubeletVersion: string, targetVersion: VersionLike): boolean {
  const target = kubeVersion(targetVersion);
  const text = kubeletVersion.trim().replace(/^Kubernetes\s+/, '');
  // A pre-release kubelet compares below its release, as in kubeadm's version.LessThan.
  const kubelet = semver.parse(text.replace(/^v/, '')) ?? semver.coerce(text);
  if (!kubelet) throw new VersionError(`kubelet version "${kubeletVersion}" is not a version`);
  const skew = kubeletMaxSkew(target);
  const minimum = `${target.major}.${target.minor - skew}.0`;
  if (semver.lt(kubelet, minimum)) return false;
  if (kubelet.major > target.major || kubelet.minor > target.minor) return false;
  return true;
}
