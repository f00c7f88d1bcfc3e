/** Errors the CLI turns into a message and an exit code instead of a stack trace. */

/** Wrong command line: exit code 2, like an invalid inventory. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
