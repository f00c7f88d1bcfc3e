/**
 * The test reporter of `npm test` (`node --test --test-reporter=./dist/test/reporter.js`).
 *
 * On a terminal: node's spec output, then one summary of the stage (BOOTSTRAP_TEST_STAGE, "unit" or "e2e")
 * with its pass/fail/skip counts, the failed tests by file and name with their error on one line, the skipped
 * tests with their reason, and the notes (stderr lines starting "lab: ", a lab step tried again). Elsewhere (CI,
 * logs): node's TAP output, where the notes and the failed tests with their error come again as `#` comments just
 * before the runner's own `# tests N`, `# pass N`, `# fail N` … lines, which still end the output for CI parsers:
 * a log cut to its tail still says what failed and why (a failed before hook's error is otherwise only in its
 * suite's block, far up).
 * BOOTSTRAP_TEST_OUTPUT=spec|tap chooses either way explicitly. The exit code is node's in both cases.
 */
import { Readable } from 'node:stream';
import { relative } from 'node:path';
import { spec, tap } from 'node:test/reporters';
import type { TestEvent } from 'node:test/reporters';

interface Entry {
  file: string;
  /** Suite names and the test name, outermost first. */
  path: string[];
  /** Nesting level of path[0]: a suite finishing one level above adopts it. */
  top: number;
  /** The error on one line for a failure, the reason for a skip. */
  note: string;
}

const COUNTS = ['tests', 'suites', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms'] as const;
type Count = (typeof COUNTS)[number];

/** Collects what the summary needs from the runner's events. */
export class StageSummary {
  readonly failed: Entry[] = [];
  readonly skipped: Entry[] = [];
  readonly counts: Partial<Record<Count, number>> = {};
  /** Lines a test file wrote to stderr starting with "lab: " (a lab step that failed once and was tried again). */
  readonly notes: string[] = [];

  constructor(readonly stage: string, private readonly cwd = process.cwd()) {}

  add(event: TestEvent): void {
    if (event.type === 'test:stderr') {
      for (const line of event.data.message.split('\n')) {
        if (line.startsWith('lab: ') && this.notes.length < 20) this.notes.push(`${this.file(event.data.file)}: ${line.length > 1500 ? `${line.slice(0, 1499)}…` : line}`);
      }
      return;
    }
    if (event.type === 'test:diagnostic') {
      // The runner's closing counts are diagnostics without a file ("tests 12", "pass 11", …).
      const match = /^(\w+) ([\d.]+)$/.exec(event.data.message);
      if (!event.data.file && match && (COUNTS as readonly string[]).includes(match[1]!)) this.counts[match[1] as Count] = Number(match[2]);
      return;
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') return;
    const { name, nesting, file } = event.data;
    const where = this.file(file);
    if (event.data.details.type === 'suite') {
      // Children finish before their suite: give the suite's name to those still waiting for a parent.
      for (const entry of [...this.failed, ...this.skipped]) {
        if (entry.file === where && entry.top === nesting + 1) {
          entry.path.unshift(name);
          entry.top = nesting;
        }
      }
      if (event.type === 'test:pass' || (event.data.details.error as Error & { failureType?: string }).failureType === 'subtestsFailed') return;
    }
    if (event.type === 'test:fail') {
      this.failed.push({ file: where, path: [name], top: nesting, note: reason(event.data.details.error) });
    } else if (event.data.skip !== undefined) {
      this.skipped.push({ file: where, path: [name], top: nesting, note: typeof event.data.skip === 'string' ? event.data.skip : '' });
    }
  }

  /** The summary printed at the end of the stage; `color` for a terminal that shows ANSI colors. */
  format(color = false): string {
    const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[39m` : text);
    const c = this.counts;
    const seconds = c.duration_ms === undefined ? '' : ` in ${(c.duration_ms / 1000).toFixed(1)} s`;
    const parts = [`${c.pass ?? 0} passed`, `${c.fail ?? 0} failed`, `${c.skipped ?? 0} skipped`];
    if (c.cancelled) parts.push(`${c.cancelled} cancelled`);
    if (c.todo) parts.push(`${c.todo} todo`);
    const ok = (c.fail ?? 0) === 0 && (c.cancelled ?? 0) === 0 && this.failed.length === 0;
    const lines = ['', paint(ok ? 32 : 31, `${ok ? '✔' : '✖'} ${this.stage}: ${c.tests ?? 0} tests, ${parts.join(', ')}${seconds}`)];
    const list = (title: string, entries: Entry[]) => {
      if (entries.length === 0) return;
      lines.push(paint(title === 'failed' ? 31 : 33, `  ${title}:`));
      // Tests that failed (or were skipped) for one same reason, a failed before hook say, share its line.
      entries.forEach((e, i) => {
        lines.push(`    ${e.file} › ${e.path.join(' › ')}`);
        if (e.note && entries[i + 1]?.note !== e.note) lines.push(`      ${e.note}`);
      });
    };
    list('failed', this.failed);
    list('skipped', this.skipped);
    if (this.notes.length > 0) lines.push(paint(33, '  notes:'), ...this.notes.map((n) => `    ${n}`));
    return `${lines.join('\n')}\n`;
  }

  /** The notes, then the failed tests with their error on one line each, for a log read from its tail. */
  tailLines(): string[] {
    const notes = this.notes.length === 0 ? [] : [`${this.stage}: notes:`, ...this.notes.map((n) => `  ${n}`)];
    if (this.failed.length === 0) return notes;
    return [...notes, `${this.stage}: ${this.failed.length} failed:`, ...this.failed.map((e) => `  ${e.file} › ${e.path.join(' › ')}${e.note ? `: ${e.note}` : ''}`)];
  }

  /** dist/test/x.test.js is shown as its source, test/x.test.ts. */
  private file(file: string | undefined): string {
    if (!file) return '(runner)';
    const path = relative(this.cwd, file);
    return path.startsWith('dist/') ? path.slice('dist/'.length).replace(/\.js$/, '.ts') : path;
  }
}

/**
 * What a test threw, on one line (a failed hook's own error rather than the runner's wrapper). Every line is kept,
 * joined by " · ": a failed hook often says "failed for 3 of 3:" first and why on the lines after it, and a CI log
 * cut to its tail keeps only this summary.
 */
function reason(error: Error & { cause?: unknown }): string {
  const inner = error.cause instanceof Error ? error.cause : error;
  const text = String(inner.message ?? inner).split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' · ');
  return text.length > 1500 ? `${text.slice(0, 1499)}…` : text;
}

/** The events as they come, with the failures repeated as diagnostics just before the runner's closing counts. */
async function* withFailuresBeforeCounts(source: AsyncGenerator<TestEvent, void>, summary: StageSummary): AsyncGenerator<TestEvent, void> {
  let repeated = false;
  for await (const event of source) {
    summary.add(event);
    if (!repeated && event.type === 'test:diagnostic' && !event.data.file && /^tests \d+$/.test(event.data.message)) {
      repeated = true;
      for (const message of summary.tailLines()) yield { type: 'test:diagnostic', data: { nesting: 0, message } } as TestEvent;
    }
    yield event;
  }
}

export function outputMode(env: NodeJS.ProcessEnv = process.env, tty = Boolean(process.stdout.isTTY)): 'spec' | 'tap' {
  if (env.BOOTSTRAP_TEST_OUTPUT === 'spec' || env.BOOTSTRAP_TEST_OUTPUT === 'tap') return env.BOOTSTRAP_TEST_OUTPUT;
  return tty ? 'spec' : 'tap';
}

export default async function* reporter(source: AsyncGenerator<TestEvent, void>): AsyncGenerator<string, void> {
  const summary = new StageSummary(process.env.BOOTSTRAP_TEST_STAGE || 'tests');
  if (outputMode() === 'tap') {
    yield* tap(withFailuresBeforeCounts(source, summary));
    return;
  }
  async function* observed(): AsyncGenerator<TestEvent, void> {
    for await (const event of source) {
      summary.add(event);
      yield event;
    }
  }
  const output = Readable.from(observed()).pipe(new spec());
  for await (const chunk of output) yield String(chunk);
  yield summary.format(Boolean(process.stdout.isTTY && process.stdout.hasColors?.()));
}
