/**
 * The crictl and docker commands bootstrap runs against a host's container runtime, as argument arrays
 * (quoting is transport/shell.ts's). The same builders serve a command run on its own and a line of a batched
 * script, where an operand may be a shell variable reference such as "$ep".
 *
 * Sources: kubeadm v1.20–v1.30 cmd/kubeadm/app/util/runtime/runtime.go (`crictl -r SOCKET pull IMAGE`,
 * `crictl -r SOCKET pods -q`, `stopp`, `rmp`; dockershim: `docker pull`, `docker ps -a --filter name=k8s_ -q`,
 * `docker rm --force --volumes`); cri-tools cmd/crictl (--runtime-endpoint/-r, --image-endpoint, --timeout,
 * `-o json`).
 */
import semver from 'semver';
import type { CriTool } from './cri-socket.js';

/** crictl against a runtime endpoint (pods, containers, inspect, logs, info). */
export function crictlArgv(endpoint: string, ...args: string[]): string[] {
  return ['crictl', '--runtime-endpoint', endpoint, ...args];
}

/** crictl for image commands: the image service at the same endpoint as the runtime. */
export function crictlImageArgv(endpoint: string, ...args: string[]): string[] {
  return ['crictl', '--runtime-endpoint', endpoint, '--image-endpoint', endpoint, ...args];
}

/** `docker images` printing one "repository:tag" per line (cri-output.ts parseDockerImages reads it). */
export const DOCKER_IMAGES_FORMAT = '{{.Repository}}:{{.Tag}}';

/** `docker images` listing every tagged image (--no-trunc changes only IDs, which the format leaves out). */
export function dockerImagesArgv(options: { noTrunc?: boolean } = {}): string[] {
  return ['docker', 'images', ...(options.noTrunc ? ['--no-trunc'] : []), '--format', DOCKER_IMAGES_FORMAT];
}

/** `crictl images -o json`: every image with its tags and digests (cri-output.ts parseCrictlImages). */
export function crictlImagesArgv(endpoint: string): string[] {
  return crictlArgv(endpoint, 'images', '-o', 'json');
}

/** One call that lists every image the runtime has, asking the image service explicitly. */
export function listImagesArgv(tool: CriTool): string[] {
  return tool.kind === 'docker' ? dockerImagesArgv() : crictlImageArgv(tool.socket, 'images', '-o', 'json');
}

/** Pulls one image as that kubeadm would. */
export function pullImageArgv(tool: CriTool, image: string): string[] {
  return tool.kind === 'docker' ? ['docker', 'pull', image] : crictlImageArgv(tool.socket, 'pull', image);
}

/** `crictl pods -o json`: every Pod sandbox (cri-output.ts parseCrictlPods). */
export function crictlPodsArgv(endpoint: string): string[] {
  return crictlArgv(endpoint, 'pods', '-o', 'json');
}

/** `crictl ps -a -o json`: every container, exited ones too (cri-output.ts parseCrictlContainers). */
export function crictlContainersArgv(endpoint: string): string[] {
  return crictlArgv(endpoint, 'ps', '-a', '-o', 'json');
}

/** `docker ps -a` as one JSON object per line, IDs whole (cri-output.ts parseDockerPs). */
export const DOCKER_PS_ARGV: readonly string[] = ['docker', 'ps', '-a', '--no-trunc', '--format', '{{json .}}'];

/** One container's status (cri-output.ts parseCrictlInspect). */
export function crictlInspectArgv(endpoint: string, id: string): string[] {
  return crictlArgv(endpoint, 'inspect', id);
}

/** A container's last log lines through CRI. */
export function crictlLogsArgv(endpoint: string, id: string, tail: number): string[] {
  return crictlArgv(endpoint, 'logs', '--tail', String(tail), id);
}

/** A container's last log lines from docker (dockershim). */
export function dockerLogsArgv(id: string, tail: number): string[] {
  return ['docker', 'logs', '--tail', String(tail), id];
}

/** The runtime's status and configuration (`crictl info`), bounded by crictl's own timeout. */
export function crictlInfoArgv(endpoint: string, timeoutSeconds = 10): string[] {
  return crictlArgv(endpoint, '--timeout', `${timeoutSeconds}s`, 'info');
}

/** kubeadm reset's listing, stop and removal of Pod sandboxes through a CRI socket (`crictl -r SOCKET …`). */
export const crictlResetArgv = {
  list: (socket: string): string[] => ['crictl', '-r', socket, 'pods', '-q'],
  stop: (socket: string, id: string): string[] => ['crictl', '-r', socket, 'stopp', id],
  remove: (socket: string, id: string): string[] => ['crictl', '-r', socket, 'rmp', id],
};

/** kubeadm reset on dockershim: the kubelet's containers (named k8s_…) and their removal. */
export const dockerResetArgv = {
  list: (): string[] => ['docker', 'ps', '-a', '--filter', 'name=k8s_', '-q'],
  remove: (id: string): string[] => ['docker', 'rm', '--force', '--volumes', id],
};

/**
 * How crictl can be handed a registry's credentials without them on its command line (where every user of the
 * host sees them in ps), by cri-tools version, newest first. Older crictl takes them only as --creds/--auth.
 */
export type CrictlCredentialChannel = 'terminal' | 'environment';
export const CRICTL_CREDENTIAL_CHANNELS: readonly { range: string; channel: CrictlCredentialChannel; source: string }[] = [
  {
    range: '>=1.26.0',
    channel: 'terminal',
    source: 'cri-tools cmd/crictl/image.go getAuth: pull --username/-u, the password read with term.ReadPassword from the terminal (v1.26.0, kubernetes-sigs/cri-tools#997)',
  },
  {
    range: '>=1.24.0 <1.26.0',
    channel: 'environment',
    source: 'cri-tools cmd/crictl/image.go pull: --auth also from $CRICTL_AUTH (v1.24.0, kubernetes-sigs/cri-tools#904)',
  },
];

/**
 * The channel for this crictl (`crictl --version`'s version), or undefined when it has none. An unknown version
 * gets the environment, which every crictl of a supported Kubernetes release reads (v1.24+).
 */
export function crictlCredentialChannel(crictlVersion: string | undefined): CrictlCredentialChannel | undefined {
  const version = semver.coerce(crictlVersion ?? '');
  if (!version) return 'environment';
  return CRICTL_CREDENTIAL_CHANNELS.find((row) => semver.satisfies(version, row.range))?.channel;
}

/** `crictl pull --username USER IMAGE`: the password is then asked on the terminal (see CRICTL_CREDENTIAL_CHANNELS). */
export function crictlPullWithUsernameArgv(endpoint: string, username: string, image: string): string[] {
  return crictlImageArgv(endpoint, 'pull', '--username', username, image);
}
