/**
 * `bootstrap reset`: undo `up` on every host, as `kubeadm reset` does (its cleanup-node phase, plus the
 * etcd data its remove-etcd-member phase clears; with a single control plane there is no member to remove),
 * and also what kubeadm reset is known to leave behind: the kubelet drop-in and the CNI configuration.
 *
 * Everything a host needs happens in one command (one round trip): a constant script that takes its steps as
 * arguments and prints one line per step, so each outcome is reported and a second reset on a clean host
 * succeeds saying that nothing was there. The script only ever touches the paths listed by resetSteps().
 *
 * Also `bootstrap hosts trust`: re-pin a reprovisioned host's SSH key in the inventory (or known_hosts).
 *
 * Sources (kubeadm, cmd/kubeadm/app/cmd/phases/reset/):
 *  - cleanupnode.go runCleanupNode: stop kubelet, remove the Kubernetes-managed containers through the runtime,
 *    delete the contents of /etc/kubernetes/manifests, of /var/lib/kubelet and of the certificates dir, then
 *    the kubeconfig files admin.conf, super-admin.conf (v1.29+), kubelet.conf, bootstrap-kubelet.conf,
 *    controller-manager.conf and scheduler.conf.
 *  - removeetcdmember.go: delete the contents of the local etcd data dir (the ClusterConfiguration's).
 *  - util/runtime/runtime.go (v1.20–v1.30): CRI: `crictl -r <socket> pods -q`, then per pod `crictl -r <socket>
 *    stopp <id>` and `crictl -r <socket> rmp <id>`; dockershim (< v1.24): `docker ps -a --filter name=k8s_ -q`
 *    and `docker rm --force --volumes <id>`. From v1.31 kubeadm makes the same CRI calls (ListPodSandbox,
 *    StopPodSandbox, RemovePodSandbox) through the CRI client library; crictl makes them here.
 */
import { isAbsolute, normalize } from 'node:path';
import type { HostSpec, Inventory } from '../inventory/types.js';
import { KUBEADM_DROPIN_PATH, KUBELET_CONFIG_PATH, KUBELET_FLAGS_ENV_PATH, KUBELET_INSTANCE_CONFIG_PATH } from '../kubelet/index.js';
import { crictlResetArgv, dockerResetArgv } from '../kube/cri-commands.js';
import { criToolFor } from '../kube/cri-socket.js';
import { BACKUP_ROOT, factsOf, type HostRun, type UpContext } from '../pipeline/context.js';
import { wet, type Phase } from '../pipeline/phase.js';
import { CommandError, type Host } from '../transport/host.js';
import { scriptLine } from '../transport/shell.js';
import { HostError } from '../util/errors.js';

// ------------------------------------------------------------------------------------------- the steps

/** One thing reset does on a host, in the order given. */
export type ResetStep =
  /** Delete everything inside a folder, not the folder itself (kubeadm's CleanDir). */
  | { op: 'dir'; path: string }
  /** Delete one file (never a folder). */
  | { op: 'file'; path: string }
  | { op: 'kubelet' }
  /** Stop and remove every Pod sandbox (with its containers) through a CRI socket. */
  | { op: 'crictl'; socket: string }
  /** Remove every container kubelet's dockershim made (named k8s_…). */
  | { op: 'docker' }
  | { op: 'daemon-reload' };

export type ResetOutcome = 'removed' | 'present' | 'absent' | 'skipped' | 'failed' | 'done';

export interface ResetStepResult {
  op: ResetStep['op'];
  /** The path, socket, or unit the step is about. */
  target: string;
  /** removed: done now; present: would be done (dry run); absent: nothing there; done: ran (daemon-reload). */
  outcome: ResetOutcome;
  /** A count of entries or pods, or why a step was skipped or failed. */
  detail: string;
}

/** kubeadm's KubernetesDir and ManifestsSubDirName (constants.go). */
const KUBERNETES_DIR = '/etc/kubernetes';
const MANIFESTS_DIR = `${KUBERNETES_DIR}/manifests`;
/**
 * cleanupnode.go resetConfigDir filesToClean. super-admin.conf joined the list with v1.29's KEP-4214; older
 * kubeadm never writes it, so removing it on every version only removes a file a newer kubeadm left.
 */
const KUBECONFIG_FILES = ['admin.conf', 'super-admin.conf', 'kubelet.conf', 'bootstrap-kubelet.conf', 'controller-manager.conf', 'scheduler.conf'];
/** kubelet's serving and client certificates (kubelet --cert-dir default, under constants.KubeletRunDirectory). */
const KUBELET_PKI_DIR = '/var/lib/kubelet/pki';
/** Where CNI plugins look for their configuration: kubeadm reset tells users to empty it themselves. */
const CNI_CONFIG_DIR = '/etc/cni/net.d';

/**
 * Folders a misconfigured path must never make us empty: the inventory's etcd dataDir is the user's to set,
 * and a typo like "/var/lib" would otherwise wipe the machine.
 */
const NEVER_CLEAN = new Set(['/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc', '/root', '/run', '/sbin',
  '/srv', '/sys', '/tmp', '/usr', '/var', '/usr/lib', '/usr/local', '/usr/bin', '/usr/sbin', '/usr/share', '/var/lib', '/var/log',
  '/var/run', '/var/tmp', '/var/cache', '/etc/systemd', '/etc/ssh', '/etc/kubernetes', '/var/lib/kubelet']);

export class ResetError extends HostError {
  override name = 'ResetError';
  /** A reset that failed on a host, else (category input) a request that cannot be carried out as asked. */
  constructor(message: string, override readonly category: 'input' | 'host' = 'host') {
    super(message);
  }
}

/** Refuses a folder whose contents must not be deleted wholesale. */
export function assertSafeToClean(path: string, what: string): void {
  const normal = normalize(path).replace(/\/+$/, '') || '/';
  if (!isAbsolute(path) || normal !== path.replace(/\/+$/, '') || NEVER_CLEAN.has(normal) || normal.split('/').length < 3) {
    throw new ResetError(`refusing to empty ${what} "${path}": it must be a dedicated absolute folder at least two levels deep`, 'input');
  }
}

/** Where the kubelet's runtime is reached, as the connect phase decided it. */
export interface ResetRuntime {
  kubernetesVersion: string;
  /** The host's CRI socket (inventory or detected); undefined when none was decided. */
  criSocket?: string;
}

/**
 * The steps for one host, in order: static Pod manifests first (so kubelet stops running them and cannot
 * restart them), then kubelet, then the Pods left in the runtime, then the files, then systemd's view.
 */
export function resetSteps(inv: Inventory, host: HostSpec, runtime: ResetRuntime): ResetStep[] {
  const steps: ResetStep[] = [{ op: 'dir', path: MANIFESTS_DIR }, { op: 'kubelet' }];
  if (runtime.criSocket) {
    const tool = criToolFor(runtime.kubernetesVersion, runtime.criSocket);
    steps.push(tool.kind === 'docker' ? { op: 'docker' } : { op: 'crictl', socket: tool.socket });
  }
  // An external etcd's data is on its own machines: kubeadm reset's remove-etcd-member phase finds no etcd.yaml and
  // leaves it alone ("[reset] No etcd config found. Assuming external etcd", removeetcdmember.go).
  if (host.roles.includes('control-plane') && !inv.cluster.etcd.external) {
    const dataDir = inv.cluster.etcd.local.dataDir;
    assertSafeToClean(dataDir, 'the etcd data directory');
    steps.push({ op: 'dir', path: dataDir });
  }
  const certs = inv.cluster.certificatesDir;
  assertSafeToClean(certs, 'the certificates directory');
  steps.push({ op: 'dir', path: certs });
  for (const file of KUBECONFIG_FILES) steps.push({ op: 'file', path: `${KUBERNETES_DIR}/${file}` });
  for (const path of [KUBELET_CONFIG_PATH, KUBELET_FLAGS_ENV_PATH, KUBELET_INSTANCE_CONFIG_PATH]) steps.push({ op: 'file', path });
  steps.push({ op: 'dir', path: KUBELET_PKI_DIR });
  steps.push({ op: 'file', path: KUBEADM_DROPIN_PATH });
  steps.push({ op: 'dir', path: CNI_CONFIG_DIR });
  // up's backups hold replaced keys and kubeconfigs: they go with the rest.
  steps.push({ op: 'dir', path: BACKUP_ROOT });
  steps.push({ op: 'daemon-reload' });
  return steps;
}

// ------------------------------------------------------------------------------------------ the script

/**
 * POSIX sh. Arguments: ROOT MODE STEP…, where ROOT prefixes every path and socket (empty on real hosts; a
 * scratch folder in tests), MODE is "apply" or "plan" (report what is there, change nothing), and each STEP is
 * an op followed by its operands. Prints "op<TAB>target<TAB>outcome<TAB>detail" per step and goes on after a
 * failed step, as kubeadm reset does, so one stuck file does not leave everything else behind.
 */
export const RESET_SCRIPT = `
root=$1; mode=$2; shift 2
say() { printf '%s\\t%s\\t%s\\t%s\\n' "$1" "$2" "$3" "$(printf '%s' "$4" | tr '\\t\\n' '  ')"; }
has() { command -v "$1" >/dev/null 2>&1; }
while [ $# -gt 0 ]; do
  op=$1; shift
  case $op in
  dir)
    t=$1; shift; d=$root$t
    if [ ! -e "$d" ]; then say dir "$t" absent ''; continue; fi
    if [ ! -d "$d" ]; then say dir "$t" failed 'not a directory, left alone'; continue; fi
    n=0; bad=''
    for e in "$d"/* "$d"/.[!.]* "$d"/..?*; do
      if [ -e "$e" ] || [ -L "$e" ]; then
        n=$((n + 1))
        if [ "$mode" = apply ] && ! err=$(rm -rf -- "$e" 2>&1); then bad="$bad $err"; fi
      fi
    done
    if [ -n "$bad" ]; then say dir "$t" failed "$bad"
    elif [ $n -eq 0 ]; then say dir "$t" absent empty
    elif [ "$mode" = apply ]; then say dir "$t" removed $n
    else say dir "$t" present $n; fi ;;
  file)
    t=$1; shift; f=$root$t
    if [ ! -e "$f" ] && [ ! -L "$f" ]; then say file "$t" absent ''
    elif [ -d "$f" ] && [ ! -L "$f" ]; then say file "$t" failed 'a directory, left alone'
    elif [ "$mode" != apply ]; then say file "$t" present ''
    elif err=$(rm -f -- "$f" 2>&1); then say file "$t" removed ''
    else say file "$t" failed "$err"; fi ;;
  kubelet)
    if ! has systemctl; then say kubelet kubelet skipped 'systemctl not found'; continue; fi
    state=$(systemctl is-active kubelet 2>/dev/null)
    case $state in
    active|activating|reloading|deactivating)
      if [ "$mode" != apply ]; then say kubelet kubelet present "$state"
      elif err=$(systemctl stop kubelet 2>&1); then say kubelet kubelet removed "was $state"
      else say kubelet kubelet failed "$err"; fi ;;
    *) say kubelet kubelet absent "\${state:-unknown}" ;;
    esac ;;
  crictl|docker)
    if [ "$op" = crictl ]; then s=$1; shift; else s=docker; fi
    if ! has "$op"; then say "$op" "$s" skipped "$op not found"; continue; fi
    if [ "$op" = crictl ]; then
      p=\${s#unix://}
      if [ ! -S "$root$p" ]; then say crictl "$s" absent 'no socket'; continue; fi
      list() { ${scriptLine(crictlResetArgv.list('$s'))}; }
    else
      list() { ${scriptLine(dockerResetArgv.list())}; }
    fi
    if ! ids=$(list 2>/dev/null); then say "$op" "$s" failed "$(list 2>&1 >/dev/null)"; continue; fi
    n=0; bad=''
    for id in $ids; do
      n=$((n + 1))
      [ "$mode" = apply ] || continue
      if [ "$op" = crictl ]; then
        err=$(${scriptLine(crictlResetArgv.stop('$s', '$id'))} 2>&1 && ${scriptLine(crictlResetArgv.remove('$s', '$id'))} 2>&1) || bad="$bad $id: $err;"
      else
        err=$(${scriptLine(dockerResetArgv.remove('$id'))} 2>&1) || bad="$bad $id: $err;"
      fi
    done
    if [ -n "$bad" ]; then say "$op" "$s" failed "$bad"
    elif [ $n -eq 0 ]; then say "$op" "$s" absent 'no pods'
    elif [ "$mode" = apply ]; then say "$op" "$s" removed $n
    else say "$op" "$s" present $n; fi ;;
  daemon-reload)
    if ! has systemctl; then say daemon-reload systemd skipped 'systemctl not found'
    elif [ "$mode" != apply ]; then say daemon-reload systemd present ''
    elif err=$(systemctl daemon-reload 2>&1); then say daemon-reload systemd done ''
    else say daemon-reload systemd failed "$err"; fi ;;
  *) say "$op" '' failed 'unknown step'; exit 2 ;;
  esac
done
`;

export type ResetMode = 'apply' | 'plan';

/** The command for a host: the constant script, then its arguments. Nothing is interpolated into shell text. */
export function resetArgv(steps: readonly ResetStep[], mode: ResetMode, root = ''): string[] {
  const args: string[] = [];
  for (const step of steps) {
    args.push(step.op);
    if (step.op === 'dir' || step.op === 'file') args.push(step.path);
    else if (step.op === 'crictl') args.push(step.socket);
  }
  return ['sh', '-c', RESET_SCRIPT, 'bootstrap-reset', root, mode, ...args];
}

const OUTCOMES = new Set<string>(['removed', 'present', 'absent', 'skipped', 'failed', 'done']);

/** The script's lines, checked against the steps asked for: a missing or mangled line is an error. */
export function parseResetOutput(output: string, steps: readonly ResetStep[]): ResetStepResult[] {
  const lines = output.split('\n').filter((l) => l.length > 0);
  const results = lines.map((line) => {
    const [op = '', target = '', outcome = '', detail = ''] = line.split('\t');
    if (!OUTCOMES.has(outcome)) throw new ResetError(`unexpected output from the reset script: ${JSON.stringify(line)}`);
    return { op: op as ResetStep['op'], target, outcome: outcome as ResetOutcome, detail: detail.trim() };
  });
  if (results.length !== steps.length || results.some((r, i) => r.op !== steps[i]?.op)) {
    throw new ResetError(`the reset script reported ${results.length} of ${steps.length} steps:\n${output.slice(0, 2000)}`);
  }
  return results;
}

/** One line per step for people: what was done, what would be, or that nothing was there. */
export function describeStep(r: ResetStepResult): string {
  const n = Number(r.detail);
  const count = (one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  switch (r.outcome) {
    case 'failed':
      return `FAILED ${r.op} ${r.target}: ${r.detail}`;
    case 'skipped':
      return `${r.op} ${r.target}: skipped (${r.detail})`;
    case 'done':
      return 'systemctl daemon-reload';
    case 'absent':
      if (r.op === 'kubelet') return `kubelet not running (${r.detail})`;
      if (r.op === 'crictl' || r.op === 'docker') return `no pods in ${r.target}${r.detail === 'no socket' ? ' (no socket)' : ''}`;
      return `${r.target}: nothing there${r.detail === 'empty' ? ' (empty)' : ''}`;
    case 'removed':
    case 'present': {
      const verb = r.outcome === 'removed';
      if (r.op === 'kubelet') return verb ? `stopped kubelet (${r.detail})` : `stop kubelet (${r.detail})`;
      if (r.op === 'crictl' || r.op === 'docker') {
        const what = r.op === 'crictl' ? count('pod', 'pods') : count('container', 'containers');
        return `${verb ? 'removed' : 'remove'} ${what} through ${r.target}`;
      }
      if (r.op === 'dir') return `${verb ? 'emptied' : 'empty'} ${r.target} (${count('entry', 'entries')})`;
      if (r.op === 'daemon-reload') return 'systemctl daemon-reload';
      return `${verb ? 'removed' : 'remove'} ${r.target}`;
    }
  }
}

/** True when a reset found nothing to do: every step found nothing (daemon-reload and skips do not count). */
export function nothingThere(results: readonly ResetStepResult[]): boolean {
  return results.every((r) => r.outcome === 'absent' || r.outcome === 'done' || r.outcome === 'skipped');
}

/** Runs the script on a host (as root) and returns each step's outcome. */
export async function runResetScript(host: Host, steps: readonly ResetStep[], mode: ResetMode, options: { root?: string; timeoutMs?: number } = {}): Promise<ResetStepResult[]> {
  const argv = resetArgv(steps, mode, options.root);
  const result = await host.exec(argv, { sudo: true, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, readOnly: mode === 'plan' });
  if (result.code !== 0) throw new CommandError(host.name, ['bootstrap-reset'], result);
  return parseResetOutput(result.stdout, steps);
}

/** Stopping Pods waits for their containers to exit; a host that takes longer than this is reported as failed. */
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

// ------------------------------------------------------------------------------------------- the phase

export interface ResetPhaseSettings {
  /** Prefix for every path on the host: "" (the default) on real hosts, a scratch folder in tests. */
  root?: string;
  timeoutMs?: number;
}

export interface HostResetResult {
  steps: ResetStepResult[];
  nothingThere: boolean;
}

declare module '../pipeline/context.js' {
  interface PhaseResults {
    reset: HostResetResult;
  }
}

/** The runtime socket the kubelet used, or a clear error when several runtimes answer and none is named. */
function runtimeOf(ctx: UpContext, h: HostRun): ResetRuntime {
  const facts = factsOf(h);
  if (facts.criSocketConflict?.length) {
    throw new ResetError(`${h.spec.name}: several container runtimes answer (${facts.criSocketConflict.join(', ')}); ` +
      'name the one kubelet uses as the host\'s criSocket in the inventory');
  }
  return { kubernetesVersion: ctx.inv.cluster.kubernetesVersion, criSocket: facts.criSocket };
}

export function makeResetPhase(settings: ResetPhaseSettings = {}): Phase {
  return {
    name: 'reset',
    title: 'reset: stop kubelet, remove static Pods, their containers and the files up wrote',
    appliesTo: () => true,
    async run(ctx, h, task) {
      const steps = resetSteps(ctx.inv, h.spec, runtimeOf(ctx, h));
      const options = { root: settings.root, timeoutMs: settings.timeoutMs };
      task.progress(ctx.options.dryRun ? 'looking' : 'resetting');
      // One script, one path: it removes in a real run and, in a dry run, only looks (read-only) so that it
      // can say what a real run would remove.
      const found = (await wet(
        ctx,
        h,
        `reset ${h.spec.name} (${steps.length} steps)`,
        (host) => runResetScript(host, steps, 'apply', options),
        (host) => runResetScript(host, steps, 'plan', options),
      ))!;
      const empty = nothingThere(found);
      h.results.reset = { steps: found, nothingThere: empty };
      for (const r of found) {
        const line = describeStep(r);
        if (r.outcome === 'present') h.actions.push(`would ${line}`);
        else h.notes.push(line);
        if (r.outcome === 'removed' && (r.op === 'dir' || r.op === 'file')) h.changed.push(r.target);
        if (r.outcome === 'skipped') h.warnings.push(line);
      }
      const failed = found.filter((r) => r.outcome === 'failed');
      if (failed.length) throw new ResetError(`${h.spec.name}: reset incomplete:\n${failed.map(describeStep).join('\n')}`);
      const acted = found.filter((r) => r.outcome === 'removed' || r.outcome === 'present').length;
      task.progress(empty ? 'nothing was there' : `${ctx.options.dryRun ? 'would do' : 'did'} ${acted} of ${found.length} steps`);
    },
  };
}


/** What a reset removes, in words, for the confirmation question and the CLI's help. */
export function resetSummary(inv: Inventory): string[] {
  return [
    'stop kubelet',
    `remove the static Pod manifests (${MANIFESTS_DIR}/*) and every Pod's containers and sandboxes in the container runtime`,
    `delete ${inv.cluster.certificatesDir}/*, ${KUBECONFIG_FILES.map((f) => `${KUBERNETES_DIR}/${f}`).join(', ')}`,
    `delete ${KUBELET_CONFIG_PATH}, ${KUBELET_FLAGS_ENV_PATH}, ${KUBELET_INSTANCE_CONFIG_PATH}, ${KUBELET_PKI_DIR}/* and the kubelet drop-in ${KUBEADM_DROPIN_PATH}`,
    inv.cluster.etcd.external
      ? 'leave the external etcd and its data alone (as kubeadm reset: reset it by hand to reuse it for a new cluster)'
      : `delete the etcd data ${inv.cluster.etcd.local.dataDir}/* (control-plane hosts)`,
    `delete the CNI configuration ${CNI_CONFIG_DIR}/*`,
    `delete the copies of replaced files that up kept in ${BACKUP_ROOT}/*`,
  ];
}
