/**
 * The container runtime as prepare leaves it: containerd installed when missing (the distribution's package, or
 * the one prepare.containerd.package names), its config.toml agreeing with the cluster (containerd.ts), the
 * registries' hosts.toml files in place, and containerd restarted only when its configuration changed. A Docker
 * host (before v1.24) keeps its daemon and gets only the registry settings Docker has (docker.ts); another runtime
 * (CRI-O) keeps its configuration as it is.
 */
import type { PrepareSettings, RegistrySettings } from '../inventory/types.js';
import { contentHash } from '../transport/host.js';
import { containerdConfig, CONTAINERD_CONFIG_PATH } from './containerd.js';
import { isDockerSocket, planDockerRegistries } from './docker.js';
import { emptyPart, PrepareError, type PlanPart } from './plan.js';
import { registryFiles } from './registries.js';
import type { HostState } from './state.js';

export interface RuntimeInput {
  state: HostState;
  settings: PrepareSettings['containerd'];
  /** registries.endpoints: each registry's endpoints and TLS. */
  registries: Record<string, RegistrySettings>;
  /** The CRI socket the host uses or will use; undefined: none found yet (containerd is assumed, kubeadm's first probe). */
  criSocket?: string;
  pauseImage: string;
  cgroupDriver: 'systemd' | 'cgroupfs';
  /** Registry CA bundles read on the control machine, by their path there. */
  cas: ReadonlyMap<string, Buffer>;
}

export function planRuntime(input: RuntimeInput): PlanPart {
  const { state, settings } = input;
  const part = emptyPart();
  if (isDockerSocket(input.criSocket)) {
    // Docker keeps its daemon (kubeadm before v1.24 drives it through dockershim); only registry settings change.
    return planDockerRegistries({ registries: input.registries, daemonJson: state.dockerDaemonConfig, hashOf: (p) => state.hashes.get(p), cas: input.cas });
  }
  if (input.criSocket !== undefined && !input.criSocket.includes('containerd')) {
    part.notes.push(`the runtime is not containerd (${input.criSocket}): its configuration is left as it is`);
    return part;
  }
  const installed = state.executables.has('containerd');
  if (!installed) {
    const pkg = settings.package ?? (state.packageManager === 'apt' ? 'containerd' : undefined);
    if (!pkg) {
      throw new PrepareError(
        'containerd is not installed and this distribution has no containerd package of its own: name one in prepare.containerd.package (e.g. containerd.io, from a repository configured beforehand)',
      );
    }
    part.packages.push(pkg);
    part.after.push(['systemctl', 'enable', '--now', 'containerd']);
    part.changes.push(`install containerd (${pkg})`);
  }
  if (!settings.configure) return part;

  const config = containerdConfig({
    current: state.containerdConfig,
    containerdVersion: state.versions.containerd,
    pauseImage: input.pauseImage,
    cgroupDriver: input.cgroupDriver,
  });
  if (config.content !== state.containerdConfig) {
    part.files.push({ path: CONTAINERD_CONFIG_PATH, content: config.content, mode: 0o644 });
    part.changes.push(...(state.containerdConfig === undefined ? [`write ${CONTAINERD_CONFIG_PATH}`] : []), ...config.changes.map((c) => `containerd: ${c}`));
    // A containerd installed in this run starts with the file already in place; a running one reads it on restart.
    if (installed) {
      part.after.push(['systemctl', 'restart', 'containerd']);
      part.changes.push('restart containerd (its configuration changed)');
    }
  }
  // containerd reads hosts.toml on every pull: no restart for these.
  for (const file of registryFiles(input.registries, input.cas)) {
    if (state.hashes.get(file.path) === contentHash(file.content)) continue;
    part.files.push(file);
    part.changes.push(`write ${file.path}`);
  }
  return part;
}
