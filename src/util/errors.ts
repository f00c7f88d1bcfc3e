/**
 * The one base of every error bootstrap throws on purpose. Its category says whose problem it is, and so how the
 * CLI reports it; `retryable` says whether trying the same thing again can succeed.
 *
 *   input     bad input: inventory, flags, version, a request that cannot be carried out as asked.
 *             Exit code 2, the message only.
 *   host      a failure on or reaching a host, a registry, a timeout. Exit code 1, the message only.
 *   internal  anything else: a bug. Exit code 1, `error: <message>` and a hint (the stack trace with
 *             BOOTSTRAP_DEBUG=1). The one exception is an error of a system call on this machine (ENOSPC,
 *             EACCES, …, as Node reports them, with `syscall` and `code`): that is the machine failing, a host error.
 *
 * `retryable` is false unless set, per instance, where a second try can succeed (connection refused, reset or
 * timed out before authentication, a registry's 5xx, …); never for authentication, host keys, bad input or bugs.
 * Retry loops retry nothing else (util/retry.ts).
 */

export type ErrorCategory = 'input' | 'host' | 'internal';

export interface BootstrapErrorOptions {
  cause?: unknown;
  /** Whether trying again can succeed. Default false. */
  retryable?: boolean;
}

export abstract class BootstrapError extends Error {
  abstract readonly category: ErrorCategory;
  readonly retryable: boolean;
  constructor(message?: string, options: BootstrapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
  }
}

/** Bad input, or a request that cannot be carried out as asked (exit code 2). */
export abstract class InputError extends BootstrapError {
  readonly category: 'input' | 'host' = 'input';
}

/** A failure on or reaching a host, a registry, or a timeout (exit code 1). */
export abstract class HostError extends BootstrapError {
  readonly category: 'input' | 'host' = 'host';
}

/**
 * A defect in bootstrap itself, thrown on purpose where an invariant breaks (e.g. a phase writing outside wet()):
 * reported as a bug, like any error that is not a BootstrapError.
 */
export abstract class InternalError extends BootstrapError {
  readonly category: ErrorCategory = 'internal';
}

/** The category of anything thrown: a BootstrapError's own, host for a failed system call, else internal (a bug). */
export function errorCategory(error: unknown): ErrorCategory {
  if (error instanceof BootstrapError) return error.category;
  return isSystemError(error) ? 'host' : 'internal';
}

/** An error Node made of a failed system call (errno): a full disk, a path that cannot be written, … */
function isSystemError(error: unknown): boolean {
  const e = error as { code?: unknown; syscall?: unknown };
  return error instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/** Whether a retry loop may try again after this error: only a BootstrapError marked retryable. */
export function isRetryable(error: unknown): boolean {
  return error instanceof BootstrapError && error.retryable;
}

/** Wrong command line or a request that cannot be carried out as asked: exit code 2, like an invalid inventory. */
export class UsageError extends InputError {
  override name = 'UsageError';
}

/** The signals that interrupt a run, and the exit codes a shell gives a process they end (128 + the number). */
export const INTERRUPT_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;
export type InterruptSignal = keyof typeof INTERRUPT_EXIT;

/** The run was interrupted (Ctrl-C, SIGTERM): what was running was stopped; nothing is retried. */
export class InterruptedError extends HostError {
  override name = 'InterruptedError';
  constructor(readonly signalName: InterruptSignal, message = `interrupted by ${signalName}`) {
    super(message);
  }
}

/** The InterruptedError an aborted signal carries as its reason, if it does. */
export function interruption(signal: AbortSignal | undefined): InterruptedError | undefined {
  return signal?.aborted && signal.reason instanceof InterruptedError ? signal.reason : undefined;
}
