/** Errors the CLI turns into a message and an exit code instead of a stack trace. */

/** Wrong command line or a request that cannot be carried out as asked: exit code 2, like an invalid inventory. */
export class UsageError extends Error {
  override name = 'UsageError';
}
