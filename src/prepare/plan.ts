/**
 * What `prepare` would do to one host, computed offline: the files to write, the commands to run after them,
 * and in words what would change. Everything in src/prepare/ is a pure function from the inventory, the host's
 * state (probe.ts) and the Kubernetes version to pieces of such a plan; the phase (src/phases/prepare.ts)
 * only reads the state, writes the files in one batch and runs the commands in one script.
 *
 * A plan that is empty changes nothing: planning against the state a plan leaves behind must give an empty
 * plan (the unit tests check it), so a re-run of `up` touches nothing.
 */
import type { FileWrite } from '../transport/host.js';
import { InputError } from '../util/errors.js';

/** One command, as an argument array: shell quoting happens once, in src/transport/shell.ts. */
export type Command = readonly string[];

/**
 * A piece of a plan. The phase runs it as: every file written (one batch), then `commands`, then one package
 * installation of all `packages` (packages.ts makes it), then `after`: so a module loaded or a repository
 * configured comes before the installation that needs it, and a restart after it.
 */
export interface PlanPart {
  /** Files to write (whole), before any command runs. */
  files: FileWrite[];
  /** Commands to run, in order, after the files are written and before packages are installed. */
  commands: Command[];
  /** Packages to install in the one installation: names, name=version (apt), name-version (dnf), or local paths. */
  packages: string[];
  /** Commands to run after the installation (holds, restarts, enabling a unit). */
  after: Command[];
  /** The installation replaces a package held at another version (apt: --allow-change-held-packages). */
  changesHeld?: boolean;
  /** Some packages come from the Kubernetes repository, whose exclude= line holds them (dnf, yum: --disableexcludes). */
  kubernetesRepo?: boolean;
  /** What would change, one line each ("load kernel module br_netfilter"). */
  changes: string[];
  /** Things found and deliberately left alone, for the report (a kubelet at another version). */
  notes: string[];
}

/**
 * A kubelet already running keeps its old binary until restarted (as kubeadm's upgrade guide says: restart it after
 * the package); try-restart leaves a stopped one stopped.
 */
export function restartReplacedKubelet(part: PlanPart): void {
  part.after.push(['systemctl', 'try-restart', 'kubelet']);
  part.changes.push('restart kubelet if it is running (its binary was replaced)');
}

export function emptyPart(): PlanPart {
  return { files: [], commands: [], packages: [], after: [], changes: [], notes: [] };
}

/** Several parts as one, in order. */
export function joinParts(parts: readonly PlanPart[]): PlanPart {
  const out = emptyPart();
  for (const p of parts) {
    out.files.push(...p.files);
    out.commands.push(...p.commands);
    out.packages.push(...p.packages);
    out.after.push(...p.after);
    out.changesHeld ||= p.changesHeld;
    out.kubernetesRepo ||= p.kubernetesRepo;
    out.changes.push(...p.changes);
    out.notes.push(...p.notes);
  }
  return out;
}

export function isEmpty(part: PlanPart): boolean {
  return part.files.length === 0 && part.commands.length === 0 && part.packages.length === 0 && part.after.length === 0;
}

/** The inventory asks for something prepare cannot do on this host (no package manager known, a bad checksum…). */
export class PrepareError extends InputError {
  override name = 'PrepareError';
}
