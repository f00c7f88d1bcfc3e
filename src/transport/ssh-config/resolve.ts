/** Resolution: the command line, both passes over the files, then the defaults; and the files ssh itself reads. */
import { hostname as osHostname, userInfo } from 'node:os';
import { join } from 'node:path';
import type { SshConfigSource, SshOptions, SshQuery } from '../ssh-options.js';
import { finish, isNone, type SshResolution } from './defaults.js';
import { SshConfigError } from './errors.js';
import { expandTokens } from './expand.js';
import { setJump } from './jump.js';
import { shellExec } from './match.js';
import { ConfigFileReader } from './reader.js';
import { addIdentity, type Pass, type State } from './state.js';
import { normaliseHostName } from './values.js';

function readAll(state: State, query: SshQuery, source: SshConfigSource, pass: Pass): void {
  const reader = new ConfigFileReader(state, query, source, pass);
  // ssh checks the owner of ~/.ssh/config (not of a file given with -F) as it does of included files.
  const isDefaultUserFile = source.userFile === join(source.home, '.ssh', 'config');
  if (source.userFile !== null) reader.readFile(source.userFile, { user: true, neverMatch: false }, 0, { on: true }, undefined, isDefaultUserFile);
  if (source.systemFile !== null) reader.readFile(source.systemFile, { user: false, neverMatch: false }, 0, { on: true });
}

/** The command-line options (-l -p -i -J) are set before the files are read, so they win and Match sees them. */
function initialState(query: SshQuery, where: string): State {
  const state: State = { identityFiles: [] };
  // Debian's ssh 9.2 (the fix for CVE-2023-51385) refuses shell metacharacters in the command line's host and user.
  if (query.host.startsWith('-') || /['`"$\\;&<>|(){}\s\p{Cc}]/u.test(query.host)) throw new SshConfigError(`${where}: hostname contains invalid characters`);
  if (query.user !== undefined && (query.user.startsWith('-') || /['`";&<>|(){}]|\s-|\\$/.test(query.user))) {
    throw new SshConfigError(`${where}: remote username contains invalid characters`);
  }
  if (query.user !== undefined) state.user = query.user;
  if (query.port !== undefined) {
    if (!Number.isInteger(query.port) || query.port <= 0 || query.port > 65535) throw new SshConfigError(`${where}: bad port ${query.port}`);
    state.port = query.port;
  }
  for (const file of query.identityFiles ?? []) addIdentity(state, { raw: file, origin: 'command line', where });
  if (query.proxyJump !== undefined) {
    setJump(state, query.proxyJump, true, where);
    state.proxyCommand = { value: 'none', where };
  }
  return state;
}

/** Resolves one host's options as `ssh -G` does, with the raw values ssh -G prints. */
export function resolveSshConfig(query: SshQuery, source: SshConfigSource): SshResolution {
  const queryWhere = `ssh options for ${query.host}`;
  const state = initialState(query, queryWhere);
  const pass: Pass = { host: query.host, final: false, wantFinal: false };
  readAll(state, query, source, pass);

  let host = query.host;
  if (state.hostname) {
    host = expandTokens(state.hostname.value, { h: host }, 'h', state.hostname.where);
    state.hostname = { value: host, where: state.hostname.where };
  }
  host = normaliseHostName(host);

  const canonicalize = state.canonicalizeHostname;
  const direct = isNone(state.proxyCommand?.value) && (state.jump === undefined || state.jump.none);
  if (canonicalize && (canonicalize.value === 'always' || (canonicalize.value === 'yes' && direct))) {
    throw new SshConfigError(`${canonicalize.where}: CanonicalizeHostname ${canonicalize.value} is not supported by bootstrap (it resolves host names through DNS search domains); use HostName`);
  }
  // ssh re-reads the configuration, matching the final host name, when asked to by `Match final` or canonicalisation.
  if (pass.wantFinal || (canonicalize && canonicalize.value !== 'no')) {
    state.hostname = { value: host, where: state.hostname?.where ?? queryWhere };
    readAll(state, query, source, { host, final: true, wantFinal: false });
  }
  return finish(state, query, source, host, queryWhere);
}

/** What `ssh -G [-l user] [-p port] [-i file] [-J jumps] host` answers for the keywords bootstrap uses. */
export function resolveSshOptions(query: SshQuery, source: SshConfigSource): SshOptions {
  return resolveSshConfig(query, source).options;
}

/** The files and local facts ssh itself would use: ~/.ssh/config, /etc/ssh/ssh_config, the passwd entry. */
export function defaultConfigSource(): SshConfigSource {
  const me = userInfo();
  const env = { ...process.env };
  return {
    userFile: join(me.homedir, '.ssh', 'config'),
    systemFile: '/etc/ssh/ssh_config',
    home: me.homedir,
    localUser: me.username,
    uid: me.uid,
    localHostname: osHostname(),
    env,
    exec: shellExec(env),
  };
}
