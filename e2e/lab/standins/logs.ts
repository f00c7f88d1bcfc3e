/**
 * Reading the CRI container log format that containerd writes:
 * "<RFC3339Nano time> <stdout|stderr> <F|P> <text>" per line; P marks a partial line continued by the next entry.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface LogEntry {
  time: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** Whole log lines (partials joined), in order. */
export function parseCriLog(content: string): LogEntry[] {
  const entries: LogEntry[] = [];
  let pending: LogEntry | undefined;
  for (const line of content.split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/.exec(line);
    if (!m) continue;
    const [, time, stream, tag, text] = m as unknown as [string, string, 'stdout' | 'stderr', string, string];
    if (pending) pending.text += text;
    else pending = { time, stream, text };
    if (tag === 'F') {
      entries.push(pending);
      pending = undefined;
    }
  }
  if (pending) entries.push(pending);
  return entries;
}

export interface ReadLogOptions {
  /** Lines from the end; -1 = all (crictl's default). */
  tail: number;
  timestamps: boolean;
  /** When set, keep reading while it answers true (the container still runs). */
  follow?: () => Promise<boolean>;
}

/** Prints the log the way `crictl logs` does: stdout entries to stdout, stderr entries to stderr. */
export async function readCriLog(path: string, options: ReadLogOptions): Promise<void> {
  const read = (): string => (existsSync(path) ? readFileSync(path, 'utf8') : '');
  const print = (entries: LogEntry[]): void => {
    for (const e of entries) {
      const line = `${options.timestamps ? `${e.time} ` : ''}${e.text}\n`;
      (e.stream === 'stderr' ? process.stderr : process.stdout).write(line);
    }
  };
  let content = read();
  let entries = parseCriLog(content);
  print(options.tail >= 0 ? entries.slice(Math.max(0, entries.length - options.tail)) : entries);
  if (!options.follow) return;
  let printed = entries.length;
  for (;;) {
    const running = await options.follow();
    content = read();
    entries = parseCriLog(content);
    print(entries.slice(printed));
    printed = entries.length;
    if (!running) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}
