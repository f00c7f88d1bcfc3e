/** Host and Match: whether a block applies to the host, `Match exec` included. */
import { spawnSync } from 'node:child_process';
import { matchPattern, matchPatternList, patternListResult } from '../patterns.js';
import { SshConfigError } from './errors.js';
import { connectionHash, expandTokens, localTokens, MATCH_EXEC_TOKENS } from './expand.js';
import type { Line, Reader } from './state.js';
import { DEFAULT_PORT } from './values.js';
import { strdelim } from './words.js';

/** Host: applies when a pattern matches the host and no negated one does; each word is one pattern. */
export function hostLine(r: Reader, l: Line): void {
  const active = l.ctx.active;
  active.on = false;
  for (const arg of l.args) {
    if (arg === '') throw new SshConfigError(`${l.where}: keyword host empty argument`);
  }
  if (l.ctx.flags.neverMatch) return;
  for (const arg of l.args) {
    const negated = arg.startsWith('!');
    if (!matchPattern(r.pass.host, negated ? arg.slice(1) : arg)) continue;
    if (negated) { active.on = false; return; }
    active.on = true;
  }
}

/** Match: every criterion must hold (readconf.c match_cfg_line). */
export function matchLine(r: Reader, l: Line): void {
  const result = evaluateMatch(r, l.rest, l.where);
  l.ctx.active.on = l.ctx.flags.neverMatch ? false : result;
}

function evaluateMatch(r: Reader, condition: string, where: string): boolean {
  const s = r.state;
  const port = s.port ?? DEFAULT_PORT;
  const ruser = s.user ?? r.source.localUser;
  const host = r.pass.final ? (s.hostname?.value ?? r.pass.host) : s.hostname ? expandTokens(s.hostname.value, { h: r.pass.host }, 'h', s.hostname.where) : r.pass.host;
  const words = matchWords(condition, where);
  let result = true;
  let attributes = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const negate = word.startsWith('!');
    const attrib = (negate ? word.slice(1) : word).toLowerCase();
    if (attrib === 'all') {
      if (attributes > 1 || i + 1 < words.length) throw new SshConfigError(`${where}: '${word}' cannot be combined with other Match attributes`);
      if (result) result = !negate;
      return result;
    }
    attributes++;
    if (attrib === 'canonical' || attrib === 'final') {
      if (attrib === 'final') r.pass.wantFinal = true;
      if (r.pass.final === negate) result = false;
      continue;
    }
    const arg = words[++i];
    if (arg === undefined) throw new SshConfigError(`${where}: missing Match criteria for ${word.replace(/^!/, '')}`);
    let matched: boolean;
    switch (attrib) {
      case 'host': matched = patternListResult(host.toLowerCase(), arg.toLowerCase().split(',')) === 1; break;
      case 'originalhost': matched = patternListResult(r.query.host.toLowerCase(), arg.toLowerCase().split(',')) === 1; break;
      case 'user': matched = matchPatternList(ruser, arg.split(',')); break;
      case 'localuser': matched = matchPatternList(r.source.localUser, arg.split(',')); break;
      case 'exec': {
        const tokens = {
          ...localTokens(r.source),
          C: connectionHash(r.source.localHostname, host, String(port), ruser),
          h: host,
          k: s.hostKeyAlias ?? host,
          n: r.query.host,
          p: String(port),
          r: ruser,
        };
        const command = expandTokens(arg, tokens, MATCH_EXEC_TOKENS, where);
        // As ssh, a command is not run once an earlier criterion failed.
        if (!result) continue;
        matched = (r.source.exec ?? shellExec(r.source.env))(command);
        break;
      }
      default:
        throw new SshConfigError(`${where}: unsupported Match attribute ${word.replace(/^!/, '')}`);
    }
    if (matched === negate) result = false;
  }
  if (attributes === 0) throw new SshConfigError(`${where}: one or more attributes required for Match`);
  return result;
}

/** The words of a Match line as ssh reads them (strdelim), up to a word starting with #. */
function matchWords(condition: string, where: string): string[] {
  const words: string[] = [];
  let rest: string | undefined = condition;
  while (rest !== undefined && rest !== '') {
    const next = strdelim(rest);
    if (!next) throw new SshConfigError(`${where}: invalid quotes`);
    if (next.word === '' || next.word.startsWith('#')) break;
    words.push(next.word);
    rest = next.rest;
  }
  return words;
}

/** The default `Match exec` runner: `$SHELL -c command` (else /bin/sh), output discarded, as ssh does. */
export function shellExec(env: Record<string, string | undefined>): (command: string) => boolean {
  return (command) => {
    const shell = env.SHELL || '/bin/sh';
    const result = spawnSync(shell, ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'], env: env as NodeJS.ProcessEnv });
    return result.status === 0;
  };
}
