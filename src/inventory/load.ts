/** Loading an inventory: YAML with positions → structure (schema) → meaning and defaults → Inventory. */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseInventoryText, locate } from './document.js';
import { formatWarning, InventoryError, type LocatedProblem } from './errors.js';
import { Resolver } from './resolve.js';
import { checkStructure } from './structure.js';
import type { Inventory } from './types.js';

/** The name a user sees in messages: relative to the working directory when the file is below it. */
function displayName(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export function parseInventory(file: string, text: string): Inventory {
  const absolute = resolve(file);
  const parsed = parseInventoryText(displayName(absolute), text);
  if (parsed.syntaxProblems.length) throw new InventoryError(parsed.syntaxProblems);
  const data = parsed.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InventoryError([locate(parsed, { path: [], message: 'an inventory is a mapping with at least "cluster" and "hosts"' })]);
  }
  const structural = checkStructure(data);
  const resolver = new Resolver(absolute, dirname(absolute));
  const resolved = resolver.inventory(data as Record<string, unknown>);
  const problems: LocatedProblem[] = [...structural, ...resolver.problems].map((p) => locate(parsed, p));
  if (problems.length) {
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new InventoryError(problems);
  }
  const warnings = resolver.warnings.map((p) => formatWarning(locate(parsed, p)));
  return { file: absolute, ...resolved, ...(warnings.length ? { warnings } : {}) };
}

export async function loadInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new InventoryError([{ file, line: 1, col: 1, path: [], message: `cannot read the inventory: ${reason}` }]);
  }
  return parseInventory(file, text);
}
