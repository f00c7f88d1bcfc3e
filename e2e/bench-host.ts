/**
 * What the local benchmarks (bench:writes, bench:facts) measure of the commands bootstrap sends a host: the CPU
 * of the processes a command started, and how many processes and programs it started, under strace.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** CPU (ms) of the children this process has waited for: cutime + cstime of /proc/self/stat. */
export async function childrenCpuMs(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5), counted from the state (field 3) here.
  const ticks = Number(fields[13]) + Number(fields[14]);
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return (ticks * 1000) / hz;
}

export function hasStrace(): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v strace'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** argv under strace -f, writing the process calls to `trace`. */
export function traced(trace: string, argv: readonly string[]): string[] {
  return ['strace', '-f', '-qq', '-o', trace, '-e', 'trace=execve,clone,clone3,fork,vfork', '--', ...argv];
}

/** Processes started (forks, the traced command included) and programs run (execve) in a trace from traced(). */
export async function traceCounts(trace: string): Promise<string> {
  const lines = (await readFile(trace, 'utf8')).split('\n');
  // A call strace saw interrupted by another process's shows as "call( <unfinished ...>", then "<... call resumed>".
  const finished = (call: string, result: RegExp) => (l: string) =>
    (new RegExp(`\\b${call}\\(`).test(l) || new RegExp(`<\\.\\.\\. ${call} resumed>`).test(l)) && result.test(l);
  const forks = lines.filter((l) => !/CLONE_THREAD/.test(l) && finished('(clone3?|v?fork)', /= \d+$/)(l)).length;
  const execs = lines.filter(finished('execve', /= 0$/)).length;
  return `processes ${String(forks + 1).padStart(3)}   programs ${String(execs).padStart(3)}`;
}
