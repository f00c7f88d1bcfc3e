/** Expansion: %-tokens, ${VAR}, ~, and the tokens each keyword offers. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SshConfigError } from './errors.js';
import type { SshConfigSource } from '../ssh-options.js';

/** The tokens ssh's DEFAULT_CLIENT_PERCENT_EXPAND_ARGS offers (IdentityFile, UserKnownHostsFile, IdentityAgent, …). */
export const CLIENT_TOKENS = 'CLiklnpdhru';
/** The tokens of `Match exec` (readconf.c match_cfg_line). */
export const MATCH_EXEC_TOKENS = 'CLdhiklnpru';
/** ProxyCommand (sshconnect.c expand_proxy_command). */
export const PROXY_COMMAND_TOKENS = 'hknpr';

/**
 * ssh's percent_expand(): each %x in `value` whose letter is in `allowed` becomes tokens[x]; %% is a %. Any other
 * %x, or a % at the end, is an error as in ssh. `where` ("file:line") locates the message.
 */
export function expandTokens(value: string, tokens: Record<string, string>, allowed: string, where: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c !== '%') { out += c; continue; }
    const key = value[++i];
    if (key === '%') out += '%';
    else if (key === undefined) throw new SshConfigError(`${where}: invalid format in "${value}": % at the end`);
    else if (allowed.includes(key) && tokens[key] !== undefined) out += tokens[key];
    else throw new SshConfigError(`${where}: unknown key %${key} in "${value}"`);
  }
  return out;
}

/** ssh's dollar expansion: ${VAR} from `env`; an unset or unterminated variable is an error as in ssh. */
export function expandEnv(value: string, env: Record<string, string | undefined>, where: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$' || value[i + 1] !== '{') { out += value[i]; continue; }
    const end = value.indexOf('}', i + 2);
    if (end < 0) throw new SshConfigError(`${where}: environment variable in "${value}" is missing its closing '}'`);
    const name = value.slice(i + 2, end);
    if (!name) throw new SshConfigError(`${where}: zero-length environment variable in "${value}"`);
    const val = env[name];
    if (val === undefined) throw new SshConfigError(`${where}: environment variable \${${name}} has no value`);
    out += val;
    i = end;
  }
  return out;
}

/** Home directories of other users, for ~user (ssh asks getpwnam). */
function passwdHome(user: string): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields[0] === user && fields.length >= 7) return fields[5];
    }
  } catch {
    // No passwd file: no such user.
  }
  return undefined;
}

/**
 * ssh's tilde_expand(): "~", "~/path", "~user/path" become the home directory followed by "/" and the path (so
 * "~" alone gives "home/", as ssh prints it); other paths are unchanged.
 */
export function expandTilde(path: string, home: string, localUser: string, where: string): string {
  if (!path.startsWith('~')) return path;
  const body = path.slice(1);
  const slash = body.indexOf('/');
  const user = slash < 0 ? body : body.slice(0, slash);
  const rest = slash < 0 ? '' : body.slice(slash).replace(/^\/+/, '');
  const dir = user === '' || user === localUser ? home : passwdHome(user);
  if (dir === undefined) throw new SshConfigError(`${where}: no such user ${user} in "${path}"`);
  return `${dir}${dir.endsWith('/') ? '' : '/'}${rest}`;
}

/** %C: the SHA-1 of local host name, remote host, port and remote user (ssh 9.2 has no %j in it). */
export function connectionHash(localHostname: string, host: string, port: string, user: string): string {
  return createHash('sha1').update(localHostname + host + port + user).digest('hex');
}

/** The tokens that describe the local side (%d %u %i %l %L), the same in every keyword that takes tokens. */
export function localTokens(source: SshConfigSource): Record<string, string> {
  return {
    d: source.home,
    u: source.localUser,
    i: String(source.uid),
    l: source.localHostname,
    L: source.localHostname.split('.')[0] as string,
  };
}
