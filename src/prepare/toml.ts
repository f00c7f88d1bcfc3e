/**
 * Just enough TOML to change a few keys of containerd's config.toml in place and keep every other byte: a
 * line scanner that knows table headers, key/value lines, comments, and values that span lines (arrays,
 * multi-line strings), so a "[" inside them is never taken for a header. It reads and writes single keys of
 * explicit tables ([a."b.c".d]); keys spelt as dotted keys of a parent table or inline tables ({ … }) are
 * reported as unsupported rather than guessed at.
 */
import { PrepareError } from './plan.js';

/** A TOML scalar as prepare writes it. */
export type TomlValue = string | boolean | number;

interface Line {
  text: string;
  /** Table header path ([plugins."x".y] → ['plugins', 'x', 'y']), for header lines. */
  header?: string[];
  /** The key of a key/value line that starts a value (not a continuation line). */
  key?: string;
  /** The raw value text after "=", comment removed, for single-line values. */
  value?: string;
}

/** Splits a dotted key or header into segments, unquoting "…" and '…' parts. */
export function splitDotted(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    const q = text[i];
    if (q === '"' || q === "'") {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== q) {
        if (q === '"' && text[j] === '\\') j++;
        s += text[j++];
      }
      out.push(s);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && text[j] !== '.') j++;
      out.push(text.slice(i, j).trim());
      i = j;
    }
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '.') i++;
  }
  return out;
}

/** The text before an unquoted "#". */
function stripComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return text.slice(0, i);
  }
  return text;
}

/** Net count of unquoted [ and { minus ] and }: how far a value line leaves brackets open. */
function openBrackets(text: string): number {
  let depth = 0;
  for (const c of stripComment(text).replace(/"(\\.|[^"\\])*"|'[^']*'/g, '')) {
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth;
}

function scan(text: string): Line[] {
  const lines: Line[] = [];
  let depth = 0;
  let multiline: string | undefined;
  for (const raw of text.split('\n')) {
    const line: Line = { text: raw };
    lines.push(line);
    if (multiline) {
      if (raw.split(multiline).length % 2 === 0) multiline = undefined;
      continue;
    }
    if (depth > 0) {
      depth += openBrackets(raw);
      continue;
    }
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (t.startsWith('[')) {
      const body = stripComment(t).trim();
      const inner = body.startsWith('[[') ? body.slice(2, -2) : body.slice(1, -1);
      line.header = splitDotted(inner);
      continue;
    }
    const eq = t.indexOf('=');
    if (eq < 0) continue;
    line.key = splitDotted(t.slice(0, eq)).join('.');
    const rest = t.slice(eq + 1);
    const triple = /^\s*("""|''')/.exec(rest);
    if (triple && rest.split(triple[1] as string).length === 2) multiline = triple[1];
    else {
      depth = openBrackets(rest);
      line.value = stripComment(rest).trim();
    }
  }
  return lines;
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/** The lines of a table: from its header (or the file's start for the root) to the next header. */
function tableRange(lines: Line[], table: readonly string[]): { start: number; end: number } | undefined {
  let start = table.length === 0 ? 0 : -1;
  if (start < 0) {
    start = lines.findIndex((l) => l.header && same(l.header, table));
    if (start < 0) return undefined;
    start++;
  }
  let end = start;
  while (end < lines.length && !lines[end]!.header) end++;
  return { start, end };
}

/** A TOML literal's value: a string (basic or literal), a boolean, a number; undefined for anything else. */
export function parseScalar(literal: string): TomlValue | undefined {
  if (literal === 'true' || literal === 'false') return literal === 'true';
  if (/^'[^']*'$/.test(literal)) return literal.slice(1, -1);
  if (/^"(\\.|[^"\\])*"$/.test(literal)) {
    try {
      return JSON.parse(literal) as string;
    } catch {
      return undefined;
    }
  }
  if (/^[+-]?\d+$/.test(literal)) return Number(literal);
  return undefined;
}

export function formatScalar(value: TomlValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** The value of key in table, or undefined when the table or key is absent (or not a plain scalar). */
export function getKey(text: string, table: readonly string[], key: string): TomlValue | undefined {
  const lines = scan(text);
  const range = tableRange(lines, table);
  if (!range) return undefined;
  for (let i = range.start; i < range.end; i++) {
    const l = lines[i]!;
    if (l.key === key && l.value !== undefined) return parseScalar(l.value);
  }
  return undefined;
}

/** The raw single-line literal of key in table (e.g. '["cri"]'), or undefined. */
export function getLiteral(text: string, table: readonly string[], key: string): string | undefined {
  const lines = scan(text);
  const range = tableRange(lines, table);
  if (!range) return undefined;
  for (let i = range.start; i < range.end; i++) {
    const l = lines[i]!;
    if (l.key === key) return l.value;
  }
  return undefined;
}

/** Every table header of the text, as paths. */
export function tableHeaders(text: string): string[][] {
  return scan(text).flatMap((l) => (l.header ? [l.header] : []));
}

/** Whether the table is spelt in a way this editor does not change: as an inline table or dotted keys of a parent. */
function definedElsewhere(lines: Line[], table: readonly string[]): boolean {
  for (let n = 0; n < table.length; n++) {
    const parent = table.slice(0, n);
    const rest = table.slice(n).join('.');
    const range = tableRange(lines, parent);
    if (!range) continue;
    for (let i = range.start; i < range.end; i++) {
      const key = lines[i]!.key;
      if (key !== undefined && (key === rest || rest.startsWith(`${key}.`) || key.startsWith(`${rest}.`))) return true;
    }
  }
  return false;
}

/**
 * Text with key set to value in table. An equal value (whatever its spelling) leaves the text as it is; a
 * different one replaces only the value on its line (the comment after it stays); a missing key is added at the
 * end of its table, and a missing table at the end of the file, with `header` as its header line.
 */
export function setKey(text: string, table: readonly string[], header: string, key: string, value: TomlValue | { literal: string }): string {
  const lines = scan(text);
  const range = tableRange(lines, table);
  const literal = typeof value === 'object' ? value.literal : formatScalar(value);
  if (!range && definedElsewhere(lines, table)) {
    throw new PrepareError(`containerd's config.toml spells ${header} as dotted keys or an inline table; set ${key} = ${literal} there by hand`);
  }
  const equal = (found: string) => (typeof value === 'object' ? found === value.literal : parseScalar(found) === value);
  if (range) {
    let lastKey = -1;
    for (let i = range.start; i < range.end; i++) {
      const l = lines[i]!;
      if (l.key === undefined) continue;
      lastKey = i;
      if (l.key !== key) continue;
      if (l.value === undefined) throw new PrepareError(`containerd's config.toml: ${header} ${key} spans several lines; set it to ${literal} by hand`);
      if (equal(l.value)) return text;
      const eq = l.text.indexOf('=');
      const after = l.text.slice(eq + 1);
      const lead = /^\s*/.exec(after)![0];
      l.text = l.text.slice(0, eq + 1) + lead + literal + after.slice(lead.length + l.value.length);
      return lines.map((x) => x.text).join('\n');
    }
    const at = lastKey >= 0 ? lastKey + 1 : range.start;
    const indent = lastKey >= 0 ? /^\s*/.exec(lines[lastKey]!.text)![0] : `${/^\s*/.exec(lines[range.start - 1]?.text ?? '')![0]}  `;
    lines.splice(at, 0, { text: `${indent}${key} = ${literal}` });
    return lines.map((x) => x.text).join('\n');
  }
  const body = text.length === 0 || text.endsWith('\n') ? text : `${text}\n`;
  return `${body}${body.length ? '\n' : ''}${header}\n  ${key} = ${literal}\n`;
}
