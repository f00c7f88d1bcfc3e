/**
 * Golden files: test/golden/<path> holds what a renderer or script builder must produce, byte for byte.
 * `UPDATE_GOLDEN=1 npm run test:unit` (after `npm run build`) writes every golden file from the current output
 * instead of comparing; the diff is then reviewed like any other change. A missing golden file fails its test
 * with that command.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './helpers.js';

export const GOLDEN_DIR = join(repoRoot, 'test', 'golden');
export const UPDATE_COMMAND = 'npm run build && UPDATE_GOLDEN=1 npm run test:unit';

/** True when this run writes golden files instead of comparing with them. */
export function updatingGolden(): boolean {
  return process.env.UPDATE_GOLDEN === '1';
}

/** Compares `actual` with test/golden/<path>, or writes it there under UPDATE_GOLDEN=1. */
export function assertGolden(path: string, actual: string): void {
  const file = join(GOLDEN_DIR, path);
  if (updatingGolden()) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    assert.fail(`golden file test/golden/${path} is missing; create it with \`${UPDATE_COMMAND}\` and review it`);
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `differs from test/golden/${path} (if the change is intended: \`${UPDATE_COMMAND}\`, then review the diff)`);
}

/**
 * A command line as golden text: one argument per line, JSON-quoted so spaces, empty strings and newlines show.
 * An argument that is one of `scripts` (golden path → script text) is written as <script: path>, the script
 * having its own golden file, so a change to a script and a change to its arguments show apart.
 */
export function argvText(argv: readonly string[], scripts: Record<string, string> = {}): string {
  const byText = new Map(Object.entries(scripts).map(([path, text]) => [text, path]));
  return `${argv.map((arg) => (byText.has(arg) ? `<script: ${byText.get(arg)}>` : JSON.stringify(arg))).join('\n')}\n`;
}
