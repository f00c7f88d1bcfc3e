/** Include: glob(3) over the patterns, each file read where the Include stands. */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { SshConfigError } from './errors.js';
import { expandTilde } from './expand.js';
import type { Line, Reader } from './state.js';

/** Include: globbed paths in order, read with this block's state; the block's state is restored afterwards. */
export function includeLine(r: Reader, l: Line): void {
  const { flags, depth, active } = l.ctx;
  for (const arg of l.args) {
    if (arg === '') throw new SshConfigError(`${l.where}: keyword include empty argument`);
    if (arg.startsWith('~') && !flags.user) throw new SshConfigError(`${l.where}: bad include path ${arg}`);
    const pattern = isAbsolute(arg) || arg.startsWith('~') ? arg : `${flags.user ? '~/.ssh' : '/etc/ssh'}/${arg}`;
    // glob(3)'s GLOB_TILDE takes ~ from $HOME before the password database.
    const globHome = r.source.env.HOME ?? r.source.home;
    const wasActive = active.on;
    // A file included where the block does not apply is read (and checked) but nothing in it applies.
    const included = { user: flags.user, neverMatch: flags.neverMatch || !wasActive };
    for (const file of includeGlob(expandTilde(pattern, globHome, r.source.localUser, l.where))) {
      r.readFile(file, included, depth + 1, active, l.where);
      // Host and Match lines in the included file do not change the includer's block.
      active.on = wasActive;
    }
  }
}

function hasMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

/** A glob(3) component: * ? [set] [!set]; a leading "." must be matched literally. */
function componentRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      let set = pattern.slice(i + 1, close);
      const negate = set.startsWith('!');
      if (negate) set = set.slice(1);
      re += `[${negate ? '^' : ''}${set.replace(/[\\^\]]/g, '\\$&')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < pattern.length) re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Files matching a glob pattern, sorted byte-wise as glob(3) in the C locale; a literal path if it exists. */
function includeGlob(pattern: string): string[] {
  const parts = pattern.split('/');
  let paths = [parts[0] as string];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const base of paths) {
      if (part === '') { next.push(`${base}/`); continue; }
      if (!hasMagic(part)) { next.push(`${base}/${part}`); continue; }
      let names: string[];
      try {
        names = readdirSync(base === '' ? '/' : base);
      } catch {
        continue;
      }
      const re = componentRegExp(part);
      for (const name of names.sort(byteCompare)) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (re.test(name)) next.push(`${base}/${name}`);
      }
    }
    paths = next;
  }
  return paths.filter((p) => exists(p)).sort(byteCompare);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function byteCompare(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}
