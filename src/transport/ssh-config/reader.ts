/** Reading configuration files: each line split, its keyword checked and handed to its handler. */
import { readFileSync, statSync } from 'node:fs';
import { patternListResult } from '../patterns.js';
import type { SshConfigSource, SshQuery } from '../ssh-options.js';
import { SshConfigError } from './errors.js';
import { checkIgnoredValue, IGNORED_KEYWORDS, IGNORED_VALUE_CHECKS } from './ignored-keywords.js';
import { HANDLERS } from './keywords.js';
import type { FileFlags, Line, Pass, Reader, State } from './state.js';
import { skipWhitespace, splitArgs, strdelim } from './words.js';

/** ssh's READCONF_MAX_DEPTH: the top file is depth 0, each Include one deeper. */
const MAX_INCLUDE_DEPTH = 16;

/** Reads configuration files into a State for one pass. */
export class ConfigFileReader implements Reader {
  constructor(
    readonly state: State,
    readonly query: SshQuery,
    readonly source: SshConfigSource,
    readonly pass: Pass,
  ) {}

  /** ssh's read_config_file_depth; `active` is shared with the including file (and restored by it). */
  readFile(file: string, flags: FileFlags, depth: number, active: { on: boolean }, includedAt?: string, checkOwner = includedAt !== undefined): void {
    if (depth > MAX_INCLUDE_DEPTH) throw new SshConfigError(`${includedAt ?? file}: too many recursive configuration includes`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      if (checkOwner) this.checkOwnership(file, includedAt ?? file);
    } catch (err) {
      if (err instanceof SshConfigError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // A missing file is no configuration (ssh: fopen fails with ENOENT); a directory reads as empty.
      if (code === 'ENOENT' || code === 'EISDIR') return;
      throw new SshConfigError(`${includedAt ?? file}: cannot read ${file}: ${(err as Error).message}`);
    }
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((raw, index) => this.line(raw, `${file}:${index + 1}`, flags, depth, active));
  }

  /** ssh refuses an included file another user owns or others can write. */
  private checkOwnership(file: string, where: string): void {
    const st = statSync(file);
    const uid = process.getuid?.() ?? st.uid;
    if ((st.uid !== 0 && st.uid !== uid) || (st.mode & 0o022) !== 0) {
      throw new SshConfigError(`${where}: bad owner or permissions on ${file}`);
    }
  }

  /** ssh's process_config_line_depth. */
  private line(raw: string, where: string, flags: FileFlags, depth: number, active: { on: boolean }): void {
    // ssh strips trailing whitespace (and form feeds), but never the first character.
    const text = raw.replace(/(?<=.)[ \t\r\n\f]+$/s, '');
    let first = strdelim(text);
    if (first && first.word === '' && first.rest !== undefined) first = strdelim(first.rest);
    if (!first || first.word === '' || first.word.startsWith('#') || first.word === '\n') return;
    const keyword = first.word.toLowerCase();
    const rest = first.rest === undefined ? '' : skipWhitespace(first.rest);
    if (rest === '') throw new SshConfigError(`${where}: no argument after keyword "${keyword}"`);
    const handler = HANDLERS[keyword];
    const known = handler !== undefined || IGNORED_KEYWORDS.has(keyword);
    const ignored = this.state.ignoreUnknown !== undefined && patternListResult(keyword, this.state.ignoreUnknown.split(','), true) === 1;
    if (!known && !ignored) throw new SshConfigError(`${where}: Bad configuration option: ${keyword}`);
    const args = splitArgs(rest);
    if (args === null) throw new SshConfigError(`${where}: invalid quotes`);
    const line: Line = { keyword, args, rest, where, active: active.on, ctx: { flags, depth, active } };
    const check = IGNORED_VALUE_CHECKS[keyword];
    if (check) checkIgnoredValue(line, check);
    if (!handler) return;
    handler(this, line);
  }
}
