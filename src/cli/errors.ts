/** Exit codes of the `bootstrap` command, and how an error that ends it is reported. */
import { errorCategory, type ErrorCategory } from '../util/errors.js';

export { UsageError } from '../util/errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Bad input exits 2; a failure on a host, or a bug, exits 1. */
export const EXIT_FOR: Record<ErrorCategory, number> = { input: EXIT.usage, host: EXIT.failed, internal: EXIT.failed };

const BUG_HINT = 'this is a bug in bootstrap: run again with BOOTSTRAP_DEBUG=1 for its stack trace, and report it';

/**
 * Prints an error that ended a command and returns the exit code, by the error's category: input and host
 * errors as their message alone; anything else (a bug) as `error: <message>` and a hint, or its whole stack
 * trace when BOOTSTRAP_DEBUG is set.
 */
export function reportError(error: unknown, env: NodeJS.ProcessEnv = process.env, print: (text: string) => void = console.error): number {
  const category = errorCategory(error);
  if (category !== 'internal') {
    print((error as Error).message);
    return EXIT_FOR[category];
  }
  const debug = !!env.BOOTSTRAP_DEBUG && env.BOOTSTRAP_DEBUG !== '0';
  const stack = error instanceof Error ? error.stack : undefined;
  if (debug && stack) print(stack);
  else {
    print(`error: ${error instanceof Error ? error.message : String(error)}`);
    if (!debug) print(BUG_HINT);
  }
  return EXIT_FOR.internal;
}
