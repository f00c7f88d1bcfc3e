/** The Kubernetes version a lab node pretends to have: written by the lab installer, read by the stand-ins. */
import { readFileSync } from 'node:fs';

/** Where the installer writes it; BOOTSTRAP_LAB_VERSION_FILE overrides (for running the stand-ins off a node). */
export const LAB_VERSION_FILE = '/etc/bootstrap-lab/version';

/**
 * e.g. "v1.28.4"; "v0.0.0-lab" when the file is missing, so that --version never fails. BOOTSTRAP_LAB_VERSION comes
 * first: the packaged stand-ins set it, since a package's version belongs to the package, not to the node.
 */
export function labKubernetesVersion(env: NodeJS.ProcessEnv = process.env): string {
  try {
    const text = (env.BOOTSTRAP_LAB_VERSION || readFileSync(env.BOOTSTRAP_LAB_VERSION_FILE || LAB_VERSION_FILE, 'utf8')).trim();
    return text.startsWith('v') ? text : `v${text}`;
  } catch {
    return 'v0.0.0-lab';
  }
}

/** cri-tools releases follow Kubernetes minors: v1.28.x of Kubernetes ships with crictl v1.28.0. */
export function labCrictlVersion(env: NodeJS.ProcessEnv = process.env): string {
  const m = /^v(\d+)\.(\d+)/.exec(labKubernetesVersion(env));
  return m ? `v${m[1]}.${m[2]}.0` : 'v0.0.0-lab';
}
