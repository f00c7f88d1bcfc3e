/** After the parse: ssh's defaults, expansions and refusals, giving the options ssh -G would print. */
import { resolve as resolvePath } from 'node:path';
import type { SshConfigSource, SshOptions, SshQuery } from '../ssh-options.js';
import { SshConfigError } from './errors.js';
import { CLIENT_TOKENS, connectionHash, expandEnv, expandTilde, expandTokens, localTokens, PROXY_COMMAND_TOKENS } from './expand.js';
import { jumpHopText, refuseJumpLoop } from './jump.js';
import type { State } from './state.js';
import { DEFAULT_PORT } from './values.js';

/** ssh's default identities, in its order (readconf.c fill_default_options). */
const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((f) => `~/.ssh/${f}`);

/** resolveSshOptions's answer with what ssh -G prints unexpanded, for comparing with ssh. */
export interface SshResolution {
  options: SshOptions;
  /** IdentityFile values as written (ssh -G prints these), defaults included. */
  identityFilesRaw: string[];
  /** ProxyCommand as written, undefined for none. */
  proxyCommandRaw?: string;
  /** ControlPath expanded as ssh expands it (ssh -G prints it so); undefined for none. */
  controlPath?: string;
  /** ProxyJump as ssh -G prints it ("proxyjump" line), undefined for none. */
  proxyJumpLine?: string;
}

export function isNone(value: string | undefined): boolean {
  return value === undefined || value.toLowerCase() === 'none';
}

/** Applies ssh's defaults and expansions (ssh.c after the parse, fill_default_options). */
export function finish(state: State, query: SshQuery, source: SshConfigSource, host: string, queryWhere: string): SshResolution {
  refuseUnsupported(state);
  const user = state.user ?? source.localUser;
  const port = state.port ?? DEFAULT_PORT;
  const hostKeyAlias = state.hostKeyAlias?.toLowerCase();
  const tokens: Record<string, string> = {
    ...localTokens(source),
    C: connectionHash(source.localHostname, host, String(port), user),
    k: hostKeyAlias ?? query.host,
    n: query.host,
    p: String(port),
    h: host,
    r: user,
  };
  const expandPathValue = (value: string, where: string) =>
    expandEnv(expandTokens(expandTilde(value, source.home, source.localUser, where), tokens, CLIENT_TOKENS, where), source.env, where);

  const jump = state.jump && !state.jump.none ? state.jump : undefined;
  if (jump) refuseJumpLoop(jump, host, port, user);
  const proxyCommandRaw = jump || isNone(state.proxyCommand?.value) ? undefined : state.proxyCommand?.value;
  const proxyCommand = proxyCommandRaw === undefined ? undefined
    : expandTokens(proxyCommandRaw, { h: host, k: hostKeyAlias ?? query.host, n: query.host, p: String(port), r: user }, PROXY_COMMAND_TOKENS, state.proxyCommand?.where ?? queryWhere);
  if (proxyCommand === '-') throw new SshConfigError(`${state.proxyCommand?.where}: ProxyCommand - (stdio forwarding) is not supported by bootstrap`);

  const defaultIdentities = state.identityFiles.length === 0;
  const identities = defaultIdentities ? DEFAULT_IDENTITIES.map((raw) => ({ raw, where: queryWhere })) : state.identityFiles;
  const identityFiles = identities
    .filter((e) => e.raw.toLowerCase() !== 'none')
    .map((e) => resolvePath(source.cwd ?? process.cwd(), expandPathValue(e.raw, e.where)));

  const userKnown = state.userKnownHostsFiles;
  const userKnownHostsFiles = userKnown === undefined ? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'].map((f) => expandPathValue(f, queryWhere))
    : userKnown.value[0]?.toLowerCase() === 'none' ? [] : userKnown.value.map((f) => expandPathValue(f, userKnown.where));
  const globalList = state.globalKnownHostsFiles ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
  const globalKnownHostsFiles = globalList[0]?.toLowerCase() === 'none' ? [] : globalList.map((f) => expandTilde(f, source.home, source.localUser, queryWhere));

  const agent = state.identityAgent;
  const controlPath = isNone(state.controlPath?.value) ? undefined : expandPathValue(state.controlPath?.value as string, state.controlPath?.where as string);
  const options: SshOptions = {
    host: query.host,
    hostname: host,
    user,
    port,
    identityFiles,
    defaultIdentities,
    identitiesOnly: state.identitiesOnly ?? false,
    ...(agent ? { identityAgent: agentPath(expandPathValue(agent.value, agent.where), source.env) } : {}),
    proxyJump: jump ? [...(jump.extra ? jump.extra.split(',') : []), jumpHopText(jump)] : [],
    ...(proxyCommand !== undefined ? { proxyCommand } : {}),
    ...(state.connectTimeout !== undefined ? { connectTimeoutS: state.connectTimeout } : {}),
    // Debian's ssh keeps a batch session's connection probed: ServerAliveInterval defaults to 300 with BatchMode.
    serverAliveInterval: state.serverAliveInterval ?? (state.batchMode ? 300 : 0),
    serverAliveCountMax: state.serverAliveCountMax ?? 3,
    userKnownHostsFiles,
    globalKnownHostsFiles,
    strictHostKeyChecking: state.strictHostKeyChecking ?? 'ask',
    ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}),
    checkHostIP: state.checkHostIP ?? false,
    hashKnownHosts: state.hashKnownHosts ?? false,
  };
  if (options.identityAgent === undefined) delete options.identityAgent;
  return {
    options,
    identityFilesRaw: identities.map((e) => e.raw),
    ...(proxyCommandRaw !== undefined ? { proxyCommandRaw } : {}),
    ...(controlPath !== undefined ? { controlPath } : {}),
    ...(jump ? { proxyJumpLine: options.proxyJump.join(',') } : {}),
  };
}

/** IdentityAgent after expansion: SSH_AUTH_SOCK (or $SSH_AUTH_SOCK) is ssh's default; $VAR names another variable. */
function agentPath(value: string, env: Record<string, string | undefined>): string | undefined {
  if (value === 'SSH_AUTH_SOCK' || value === '$SSH_AUTH_SOCK') return undefined;
  if (value.startsWith('$')) return env[value.slice(1)] ?? 'none';
  return value;
}

/** Settings that change where or how ssh connects and that bootstrap does not implement, when they apply. */
function refuseUnsupported(state: State): void {
  const refuse = (where: string, what: string) => {
    throw new SshConfigError(`${where}: ${what} is not supported by bootstrap; remove it for this host or connect without it`);
  };
  if (state.proxyUseFdpass?.value) refuse(state.proxyUseFdpass.where, 'ProxyUseFdpass yes');
  if (state.bindAddress) refuse(state.bindAddress.where, 'BindAddress');
  if (state.bindInterface) refuse(state.bindInterface.where, 'BindInterface');
  if (state.addressFamily && state.addressFamily.value !== 'any') refuse(state.addressFamily.where, `AddressFamily ${state.addressFamily.value}`);
}
