/** Exit codes of the `bootstrap` command. */
export { UsageError } from '../util/errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
