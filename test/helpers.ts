/** Shared test helpers. */
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/…, fixtures stay in the source tree). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
