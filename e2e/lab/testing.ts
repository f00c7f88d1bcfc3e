/**
 * For e2e tests that need a lab: use the one that is up, or bring one up and take it down again afterwards.
 * A lab that was up before the test is never taken down by it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { defaultUpOptions, down, status, up, type UpOptions } from './lab.js';
import { ensureDebianPackages } from './packages.js';
import { defaultRepoRoot, labExists, loadLab, type LabState } from './state.js';

export interface LabLease {
  lab: LabState;
  /** True when this lease brought the lab up (then `release` takes it down). */
  owned: boolean;
  release: () => Promise<void>;
}

/** Why the lab cannot be used here, or undefined when it can (for `describe(..., { skip })`). */
export function labUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the lab needs root';
  if (process.platform !== 'linux') return 'the lab needs Linux';
  return undefined;
}

/**
 * The running lab when there is one (whatever its options), otherwise a new one with `options`.
 * Call `release()` in an `after` hook.
 */
export async function leaseLab(options: Partial<UpOptions> = {}, repoRoot = defaultRepoRoot()): Promise<LabLease> {
  const quiet = () => undefined;
  if (labExists(repoRoot)) {
    if (await labAlive(repoRoot)) return { lab: loadLab(repoRoot), owned: false, release: async () => undefined };
    // A lab.json whose engine or containers are gone (an earlier run killed mid-way) names nodes that do not
    // exist: reusing it fails later with "No such container". Clean it up and make a fresh lab instead.
    process.stderr.write('lab: .lab/lab.json names a lab that is not running; taking it down and bringing up a new one\n');
    await down(repoRoot, { purge: false, log: quiet });
  }
  try {
    const lab = await up(repoRoot, defaultUpOptions({ log: quiet, ...options }));
    return { lab, owned: true, release: () => down(repoRoot, { purge: false, log: quiet }) };
  } catch (error) {
    await down(repoRoot, { purge: false, log: quiet }).catch(() => undefined);
    throw error;
  }
}

/** Whether the lab in lab.json is really there: its engine answers and every node's container runs. */
async function labAlive(repoRoot: string): Promise<boolean> {
  try {
    const lab = await status(repoRoot);
    return lab.engine && lab.nodes.every((n) => n.state === 'running');
  } catch {
    return false;
  }
}

/** The real kubectl, the outside judge of everything in the API: the machine's (google-cloud-cli's), else Debian's kubernetes-client. */
export async function kubectlBinary(): Promise<string> {
  for (const candidate of ['/usr/bin/kubectl', '/usr/local/bin/kubectl']) {
    try {
      await promisify(execFile)(candidate, ['version', '--client']);
      return candidate;
    } catch {
      // next
    }
  }
  await ensureDebianPackages(['kubernetes-client']);
  return 'kubectl';
}
