/**
 * The prepare plan of one host (issue 10): kernel and system settings, kubeadm's tools, the container runtime,
 * and kubelet/crictl/kubeadm from packages or files, assembled into files to write and commands to run in order.
 * Pure: the phase (src/phases/prepare.ts) gathers the inputs and carries the plan out.
 */
import type { InstallSettings, PrepareSettings, RegistrySettings } from '../inventory/types.js';
import { componentImage } from '../kube/images.js';
import type { KubeVersion } from '../kube/version.js';
import type { FileWrite } from '../transport/host.js';
import { planArtifacts, type VerifiedArtifact } from './artifacts.js';
import { emptyPart, joinParts, type Command, type PlanPart } from './plan.js';
import { planRepository } from './repository.js';
import { prepareRule } from './rules.js';
import { planRuntime } from './runtime.js';
import type { HostState, PackageManager } from './state.js';
import { planSystem } from './system.js';
import { planTools } from './tools.js';

export { PrepareError, type Command, type PlanPart } from './plan.js';
export { verifyArtifacts, type Artifact, type VerifiedArtifact } from './artifacts.js';
export { parseProbe, PROBE_SCRIPT, type HostState } from './state.js';

export interface PrepareInput {
  version: KubeVersion;
  imageRepository: string;
  /** The kubelet's cgroupDriver as `up` writes it (the inventory's, else kubeadm's default for the version). */
  cgroupDriver: 'systemd' | 'cgroupfs';
  ipv4: boolean;
  ipv6: boolean;
  /** The kubelet is configured to run with swap (failSwapOn: false): swap is left alone. */
  keepSwap: boolean;
  prepare: PrepareSettings;
  /** registries.endpoints. */
  registries: Record<string, RegistrySettings>;
  install: InstallSettings;
  criSocket?: string;
  state: HostState;
  cas: ReadonlyMap<string, Buffer>;
  /** install.source files: the files, verified (verifyArtifacts) before any plan is made. */
  artifacts: readonly VerifiedArtifact[];
}

export interface PreparePlan {
  files: FileWrite[];
  /** Every command, in the order they run, after the files are written. */
  commands: Command[];
  changes: string[];
  notes: string[];
}

/** The one package installation of a plan: refresh the index, then install everything at once. */
export function installCommands(part: PlanPart, manager: PackageManager | undefined): Command[] {
  const packages = [...new Set(part.packages)];
  if (!packages.length) return [];
  if (!manager) throw new Error('packages to install without a package manager');
  if (manager === 'apt') {
    return [
      ['apt-get', 'update'],
      [
        'env', 'DEBIAN_FRONTEND=noninteractive',
        'apt-get', 'install', '-y', '--no-install-recommends',
        // Keep a configuration file already there (ours, e.g. containerd's) instead of asking.
        '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold',
        ...(part.changesHeld ? ['--allow-change-held-packages'] : []),
        ...packages,
      ],
    ];
  }
  return [[manager, 'install', '-y', ...(part.kubernetesRepo ? ['--disableexcludes=kubernetes'] : []), ...packages]];
}

export function planPrepare(input: PrepareInput): PreparePlan {
  const rule = prepareRule(input.version);
  const { state } = input;
  const parts: PlanPart[] = [
    planSystem({ rule, state, ipv4: input.ipv4, ipv6: input.ipv6, keepSwap: input.keepSwap }),
    planTools(rule, state),
    planRuntime({
      state,
      settings: input.prepare.containerd,
      registries: input.registries,
      criSocket: input.criSocket,
      pauseImage: componentImage(input.version, 'pause', input.imageRepository),
      cgroupDriver: input.cgroupDriver,
      cas: input.cas,
    }),
    input.install.source === 'packages'
      ? planRepository({ rule, state, version: input.version, install: input.install })
      : input.install.source === 'files'
        ? planArtifacts({ artifacts: input.artifacts, state, version: input.version, allowVersionChange: input.install.allowVersionChange })
        : emptyPart(),
  ];
  const all = joinParts(parts);
  return {
    files: all.files,
    commands: [...all.commands, ...installCommands(all, state.packageManager), ...all.after],
    changes: all.changes,
    notes: all.notes,
  };
}
