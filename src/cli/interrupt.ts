/**
 * Ctrl-C and SIGTERM during a command that works on hosts. The first stops the run cleanly: connecting gives up,
 * the commands running on hosts are stopped (their process groups signalled; the file-writing script removes its
 * temporary files as it exits), no further phase starts, connections are closed, and the report says where each
 * host was; the exit code is then 130 (SIGINT) or 143 (SIGTERM), as a shell reports a process those signals end.
 * A second signal exits at once: files are only ever renamed into place whole, so none is left half-written.
 */
import { INTERRUPT_EXIT, InterruptedError, type InterruptSignal } from '../util/errors.js';

export interface Interrupts {
  /** Aborted with an InterruptedError on the first signal. */
  signal: AbortSignal;
  /** The exit code: the signal's (130/143) when one arrived, else the command's own. */
  exitCode(code: number): number;
  /** Stops listening (the command is over). */
  dispose(): void;
}

export function listenForInterrupts(say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Interrupts {
  const controller = new AbortController();
  let received: InterruptSignal | undefined;
  const on = (name: InterruptSignal) => {
    if (received) process.exit(INTERRUPT_EXIT[name]);
    received = name;
    say(`\n${name}: stopping the commands running on hosts and closing the connections (${name === 'SIGINT' ? 'Ctrl-C' : name} again to exit at once)`);
    controller.abort(new InterruptedError(name));
  };
  const onInt = () => on('SIGINT');
  const onTerm = () => on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    exitCode: (code) => (received ? INTERRUPT_EXIT[received] : code),
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
