/**
 * The commands the health checks run on a host, each a constant POSIX sh script fed its values as arguments,
 * batching several tools into one round trip. Each tool's output comes back as a section:
 *   <marker> begin NAME / its standard output / <marker> rc NAME CODE / its standard error, lines prefixed
 *   "<marker> err ". The marker is random per call, so no output can forge a section.
 */
import { randomBytes } from 'node:crypto';
import {
  crictlContainersArgv,
  crictlImagesArgv,
  crictlInspectArgv,
  crictlLogsArgv,
  crictlPodsArgv,
  DOCKER_PS_ARGV,
  dockerImagesArgv,
  dockerLogsArgv,
} from '../kube/cri-commands.js';
import { criToolFor } from '../kube/cri-socket.js';
import type { Host } from '../transport/host.js';
import { CommandError } from '../transport/host.js';
import { scriptLine } from '../transport/shell.js';

export interface Section {
  stdout: string;
  stderr: string;
  code: number;
}

/** Shell functions shared by the scripts: `section NAME CMD…` keeps stderr apart, `merged NAME CMD…` does not. */
const SECTION_FUNCTIONS = `
m=$1; shift
exec 3>&1
section() {
  n=$1; shift
  printf '%s begin %s\\n' "$m" "$n"
  e=$("$@" 2>&1 >&3 3>&-)
  c=$?
  printf '\\n%s rc %s %s\\n' "$m" "$n" "$c"
  if [ -n "$e" ]; then printf '%s\\n' "$e" | sed "s/^/$m err /"; fi
}
merged() {
  n=$1; shift
  printf '%s begin %s\\n' "$m" "$n"
  "$@" 2>&1
  c=$?
  printf '\\n%s rc %s %s\\n' "$m" "$n" "$c"
}
`;

/**
 * Arguments: marker, mode (cri | dockershim), runtime endpoint. crictl lists sandboxes and containers; on a
 * dockershim host (before v1.24) docker's own listing comes too, since dockershim lives inside kubelet and
 * does not answer while kubelet is down.
 */
export const LIST_SCRIPT = `${SECTION_FUNCTIONS}
mode=$1; ep=$2
section pods ${scriptLine(crictlPodsArgv('$ep'))}
section containers ${scriptLine(crictlContainersArgv('$ep'))}
if [ "$mode" = dockershim ]; then section docker ${scriptLine(DOCKER_PS_ARGV)}; fi
`;

/** How many of a container's last log lines a diagnosis shows. */
const LOG_LINES = 20;

/**
 * Arguments: marker, tool (crictl | docker), runtime endpoint, container IDs. The images present, each
 * container's status and last 20 log lines, kubelet's state and journal tail: all a diagnosis needs, at once.
 */
export const DIAGNOSE_SCRIPT = `${SECTION_FUNCTIONS}
tool=$1; ep=$2; shift 2
if [ "$tool" = docker ]; then
  section images ${scriptLine(dockerImagesArgv({ noTrunc: true }))}
  for id do merged "logs:$id" ${scriptLine(dockerLogsArgv('$id', LOG_LINES))}; done
else
  section images ${scriptLine(crictlImagesArgv('$ep'))}
  for id do
    section "inspect:$id" ${scriptLine(crictlInspectArgv('$ep', '$id'))}
    merged "logs:$id" ${scriptLine(crictlLogsArgv('$ep', '$id', LOG_LINES))}
  done
fi
merged kubelet-active systemctl is-active kubelet
merged journal journalctl -u kubelet -n 30 --no-pager
`;

export function newMarker(): string {
  return `@@bootstrap-${randomBytes(6).toString('hex')}`;
}

export function parseSections(output: string, marker: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  const begin = `${marker} begin `;
  let at = output.indexOf(begin);
  while (at >= 0) {
    const nameEnd = output.indexOf('\n', at);
    if (nameEnd < 0) break;
    const name = output.slice(at + begin.length, nameEnd);
    // The script prints a newline before the rc line, so output without a final newline still ends cleanly.
    const rcLine = `\n${marker} rc ${name} `;
    const rcAt = output.indexOf(rcLine, nameEnd);
    if (rcAt < 0) break;
    const rcEnd = output.indexOf('\n', rcAt + rcLine.length);
    const code = Number(output.slice(rcAt + rcLine.length, rcEnd < 0 ? undefined : rcEnd));
    const stdout = output.slice(nameEnd + 1, rcAt).replace(/\n$/, '');
    const next = rcEnd < 0 ? -1 : output.indexOf(begin, rcEnd);
    const tail = rcEnd < 0 ? '' : output.slice(rcEnd + 1, next < 0 ? undefined : next);
    const err = `${marker} err `;
    const stderr = tail
      .split('\n')
      .filter((l) => l.startsWith(err))
      .map((l) => l.slice(err.length))
      .join('\n');
    sections.set(name, { stdout, stderr, code });
    at = next;
  }
  return sections;
}

/** How the runtime is listed: through CRI with crictl, or (dockershim, before v1.24) crictl with docker's CLI behind it. */
export type RuntimeMode = 'cri' | 'dockershim';

/** kubeadm before v1.24 writes the bare dockershim path; that same condition is where it talks to docker (kube/cri-socket.ts). */
export function runtimeMode(version: string, criSocket: string): RuntimeMode {
  return criToolFor(version, criSocket).kind === 'docker' ? 'dockershim' : 'cri';
}


/** Runs one of the scripts with sudo (the runtime's socket and kubelet's journal are root's). */
export async function runSections(host: Host, script: string, args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<Map<string, Section>> {
  const marker = newMarker();
  const argv = ['sh', '-c', script, 'sh', marker, ...args];
  const result = await host.exec(argv, { sudo: true, timeoutMs, signal, readOnly: true });
  if (result.timedOut) throw new CommandError(host.name, ['sh'], result);
  const sections = parseSections(result.stdout, marker);
  // Nothing ran at all (sudo refused, no sh): say why rather than report every tool as silent.
  if (sections.size === 0 && result.code !== 0) throw new CommandError(host.name, ['sh'], result);
  return sections;
}

/**
 * Arguments: marker, the static Pod folder, then paths. Prints each existing file and every manifest in the
 * folder as a section named by its path.
 */
export const READ_FILES_SCRIPT = `${SECTION_FUNCTIONS}
d=$1; shift
for f do if [ -f "$f" ]; then section "$f" cat "$f"; fi; done
for f in "$d"/*.yaml; do if [ -f "$f" ]; then section "$f" cat "$f"; fi; done
exit 0
`;
