/**
 * CPU time by cgroup (v1 cpuacct), for bench:compare: the lab's nodes are containers, each with a cgroup of its
 * own, so what a tool costs the hosts is the growth of their cpuacct.usage; and each tool's processes on this
 * machine run in a cgroup the benchmark makes, so that what they leave running (Ansible's ControlPersist
 * masters detach from ansible-playbook and are never waited for, so no rusage of children counts them) is
 * counted too.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerCli } from './lab/docker.js';

const CPUACCT = '/sys/fs/cgroup/cpuacct';

/** Nanoseconds of CPU the cgroup's processes have used, live and exited. */
export function usageNs(cgroupDir: string): bigint {
  return BigInt(readFileSync(join(cgroupDir, 'cpuacct.usage'), 'utf8').trim());
}

/** The cpuacct cgroup folder of a process, from /proc/PID/cgroup (this machine's view: its root is CPUACCT's). */
export function cpuacctOfPid(pid: number): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  // cgroup v1 lines are "ID:controllers:path"; cpuacct is mounted alone here, or with cpu as "cpu,cpuacct".
  const line = lines.find((l) => l.split(':')[1]?.split(',').includes('cpuacct'));
  if (!line) throw new Error(`process ${pid} has no cpuacct cgroup (this benchmark needs cgroup v1)`);
  const dir = join(CPUACCT, line.split(':').slice(2).join(':'));
  if (!existsSync(join(dir, 'cpuacct.usage'))) throw new Error(`no cpuacct.usage in ${dir}`);
  return dir;
}

/** Each container's cpuacct folder, found through its init process's cgroup. */
export async function containerCgroups(docker: DockerCli, containers: readonly string[]): Promise<string[]> {
  const inspect = await docker.run(['inspect', '--format', '{{.State.Pid}}', ...containers], { timeoutMs: 60_000 });
  const pids = inspect.stdout.trim().split('\n').map(Number);
  if (pids.length !== containers.length || pids.some((p) => !(p > 0))) throw new Error(`not every container runs: ${inspect.stdout.trim()}`);
  return pids.map(cpuacctOfPid);
}

/** Total CPU (ns) of a set of cgroups. */
export function totalUsageNs(dirs: readonly string[]): bigint {
  return dirs.reduce((sum, dir) => sum + usageNs(dir), 0n);
}

/**
 * A cgroup of this machine's for one tool's processes. `wrap` makes an argv that enters it before it runs
 * anything (a shell writes its own pid, then execs), so every descendant is counted, detached ones too.
 */
export class ToolCgroup {
  readonly dir: string;

  constructor(name: string) {
    this.dir = join(CPUACCT, `bootstrap-bench-${process.pid}-${name}`);
    mkdirSync(this.dir);
  }

  wrap(argv: readonly string[]): string[] {
    return ['sh', '-c', 'echo $$ > "$0" && exec "$@"', join(this.dir, 'cgroup.procs'), ...argv];
  }

  usageMs(): number {
    return Number(usageNs(this.dir)) / 1e6;
  }

  /** The processes still in it (a ControlPersist master, say). */
  pids(): number[] {
    return readFileSync(join(this.dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  }

  /** Ends what the tool left running (only processes this benchmark started are ever in it) and waits for them. */
  async stop(timeoutMs = 10_000): Promise<void> {
    for (const pid of this.pids()) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + timeoutMs;
    while (this.pids().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  /** Removes the cgroup once stop() has emptied it. */
  remove(): void {
    rmdirSync(this.dir);
  }
}
