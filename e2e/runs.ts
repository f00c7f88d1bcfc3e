/** What the e2e suites share to run `bootstrap up` against the lab: options, a report whatever happens, inventory variants. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { up, UpFailedError, type UpReport } from '../src/commands/up.js';
import { loadInventory } from '../src/inventory/index.js';
import type { Inventory } from '../src/inventory/types.js';
import type { UpOptions } from '../src/pipeline/context.js';
import { LAB_PREFLIGHT_IGNORES } from './ignores.js';

/** Options every run uses: quiet, the lab's documented preflight ignores, a short wait. */
export function labRunOptions(extra: UpOptions = {}): UpOptions {
  return { renderer: 'silent', ignorePreflightErrors: LAB_PREFLIGHT_IGNORES, waitTimeoutMs: 120_000, ...extra };
}

/** Runs up and returns its report whether it succeeded or not. */
export async function upReport(inv: Inventory | string, extra: UpOptions = {}): Promise<UpReport> {
  try {
    return await up(inv, labRunOptions(extra));
  } catch (error) {
    if (error instanceof UpFailedError) return error.report;
    throw error;
  }
}

/** The hosts that failed and why, for an assertion's message. */
export function failures(report: UpReport): string {
  return JSON.stringify(report.hosts.filter((h) => !h.ok).map((h) => ({ host: h.name, error: h.error })), null, 2);
}

/** A copy of an inventory with some fields changed, in a folder of its own, sharing the original's state (the same cluster). */
export async function variant(base: string, edit: (doc: ReturnType<typeof parseDocument>) => void, name = 'variant'): Promise<string> {
  const doc = parseDocument(await readFile(base, 'utf8'));
  doc.set('stateDir', (await loadInventory(base)).stateDir);
  edit(doc);
  const dir = await mkdtemp(join(tmpdir(), `bootstrap-e2e-${name}-`));
  const file = join(dir, 'inventory.yaml');
  await writeFile(file, doc.toString());
  return file;
}
