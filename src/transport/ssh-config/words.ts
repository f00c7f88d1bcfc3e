/** Splitting lines as ssh does: strdelim() for keywords and Match, argv_split() for arguments. */

const WHITESPACE = ' \t\r\n';

/**
 * ssh's strdelim(): the next word of `s`, ended by whitespace, a double quote or one "=" (with whitespace around
 * it); a word in double quotes keeps its spaces. Returns the word and the rest (undefined once the line is used
 * up), or null for an unterminated quote.
 */
export function strdelim(s: string): { word: string; rest: string | undefined } | null {
  const stop = s.search(/[ \t\r\n"=]/);
  if (stop < 0) return { word: s, rest: undefined };
  if (s[stop] === '"') {
    const close = s.indexOf('"', stop + 1);
    if (close < 0) return null;
    return { word: s.slice(0, stop) + s.slice(stop + 1, close), rest: skipWhitespace(s.slice(close + 1)) };
  }
  let rest = skipWhitespace(s.slice(stop + 1));
  // One "=" may stand between words, with or without whitespace around it.
  if (s[stop] !== '=' && rest.startsWith('=')) rest = skipWhitespace(rest.slice(1));
  return { word: s.slice(0, stop), rest };
}

export function skipWhitespace(s: string): string {
  let i = 0;
  while (i < s.length && WHITESPACE.includes(s[i] as string)) i++;
  return s.slice(i);
}

/**
 * ssh 9.x's argv_split(): words separated by blanks, '…' and "…" quoting (also inside a word), \ escaping a
 * quote, a backslash or (outside quotes) a blank, and a word starting with # ending the line. null for an
 * unterminated quote.
 */
export function splitArgs(s: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '#') break;
    let arg = '';
    let quote = '';
    for (; i < s.length; i++) {
      const ch = s[i] as string;
      const next = s[i + 1];
      if (ch === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (!quote && next === ' ')) { arg += next; i++; } else arg += ch;
      } else if (!quote && (ch === ' ' || ch === '\t')) break;
      else if (!quote && (ch === '"' || ch === "'")) quote = ch;
      else if (quote && ch === quote) quote = '';
      else arg += ch;
    }
    if (quote) return null;
    args.push(arg);
  }
  return args;
}
