/**
 * A Host reached over SSH (ssh2): one connection per host, reused for every command, file transfer and
 * tunnelled connection; keep-alives; host keys verified before any credential is sent; authentication tried
 * in a fixed order that stays within the server's MaxAuthTries; a ProxyCommand and any number of jump hosts
 * in front, each with its own user, keys and host key; sudo for non-root users. The only module that uses ssh2.
 *
 * Where settings come from: the inventory as ssh's command-line options, over the OpenSSH client configuration
 * resolved as `ssh -G` does (ssh-route.ts, ssh-config/).
 *
 * Authentication order: the identity files (the inventory's, then the configuration's IdentityFile lines),
 * then ssh-agent when enabled (only the identity files' keys with IdentitiesOnly), then ssh's default key
 * files when no identity file is configured, then a password when a prompt is available. Passwords are
 * never read from the inventory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthenticationType, ClientChannel, ConnectConfig, ExecOptions as ExecChannelOptions, NextAuthHandler, ParsedKey, Prompt } from 'ssh2';
import type { HostSpec } from '../inventory/types.js';
import { hashFilesWithShell, readFileWithShell, writeFilesWithShell } from './files.js';
import type { ExecOptions, ExecResult, FileHashes, FileWrite, Host, WriteOptions } from './host.js';
import { blobType, fingerprint, hostToken, HostKeyError, publicKeyLine, recordHostKey, trustedKeys, verifyHostKeyDetailed } from './known-hosts.js';
import type { HostKeyCheck } from './known-hosts.js';
import { commandLine } from './shell.js';
import { SshConfigError } from './ssh-config/index.js';
import { resolveRoute } from './ssh-route.js';
import type { RouteOptions, SshEndpoint, SshRoute } from './ssh-route.js';
import { parseSudoProbe, redact, SUDO_PROBE, sudoCommand, SudoError } from './sudo.js';
import type { SudoMode } from './sudo.js';
import { HostError, interruption } from '../util/errors.js';

export { HostKeyError } from './known-hosts.js';
export { SudoError } from './sudo.js';
export { SshConfigError } from './ssh-config/index.js';
export { resolveRoute } from './ssh-route.js';
export type { RouteOptions, SshEndpoint, SshRoute } from './ssh-route.js';

const { Client, utils, BaseAgent, OpenSSHAgent } = ssh2;
type SshClient = InstanceType<typeof Client>;

export type Prompter = (question: string, secret: boolean) => Promise<string>;

export interface SshConnectOptions extends RouteOptions {
  /** Record the key of a host that has none in known_hosts (and none pinned) instead of refusing it. */
  acceptNewHostKeys?: boolean;
  /** Asks the user (passphrases, passwords); without it nothing is ever asked. */
  prompt?: Prompter;
  log?: (line: string) => void;
  /** ssh-agent socket when the configuration names none (IdentityAgent). Default: $SSH_AUTH_SOCK. */
  agentSocket?: string;
  /** Write new known_hosts entries hashed, as `HashKnownHosts yes` does. Default: the configuration's HashKnownHosts. */
  hashKnownHosts?: boolean;
  /** SSH keep-alive period when the configuration sets no ServerAliveInterval. Default 15 s, 3 unanswered end it. */
  keepaliveIntervalMs?: number;
  /** Commands running at once on the connection; sshd refuses more than MaxSessions (10 by default). */
  maxSessions?: number;
  /**
   * Stops the run (Ctrl-C): connecting gives up at once, and every command started without a signal of its own
   * is stopped on the host (its process group signalled), as an explicit ExecOptions.signal is.
   */
  signal?: AbortSignal;
}

/** ssh2's host key algorithms, in its own order of preference. */
const HOST_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

// ---------------------------------------------------------------------------------------------- errors

export type ConnectProblem = 'timeout' | 'refused' | 'unreachable' | 'closed' | 'failed';

/**
 * The machine could not be reached, or the connection dropped. Retryable when a second try can succeed: refused,
 * reset, unreachable or timed out before authentication; not a lost connection, a DNS name that does not
 * resolve, or a failed handshake.
 */
export class ConnectError extends HostError {
  override name = 'ConnectError';
  constructor(readonly kind: ConnectProblem, readonly host: string, message: string, retryable = false) {
    super(message, { retryable });
  }
}

/** No credential was accepted: never retried (each attempt counts against the server's limits). */
export class AuthenticationError extends HostError {
  override name = 'AuthenticationError';
  constructor(readonly host: string, readonly user: string, readonly tried: readonly string[], message: string) {
    super(message);
  }
}

// -------------------------------------------------------------------------------------- connecting

/** A timer that can be paused while the user answers a prompt: waiting for a person is not a slow host. */
class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private remaining: number;
  private started = 0;
  constructor(ms: number, private readonly onExpire: () => void) {
    this.remaining = ms;
    this.resume();
  }
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining -= Date.now() - this.started;
  }
  resume(): void {
    if (this.timer || this.remaining === Infinity) return;
    this.started = Date.now();
    this.timer = setTimeout(this.onExpire, Math.max(0, this.remaining));
  }
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining = Infinity;
  }
}

/** Host key algorithms with the types already trusted for this host first, as OpenSSH orders them. */
function hostKeyAlgorithms(check: HostKeyCheck): string[] {
  let known: string[] = [];
  try {
    known = [...new Set(trustedKeys(check).keys.map((k) => k.type))];
  } catch {
    /* an unreadable known_hosts is reported by the verifier */
  }
  const algorithmsOf = (type: string) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]);
  const first = known.flatMap(algorithmsOf).filter((a) => HOST_KEY_ALGORITHMS.includes(a));
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

function isEncryptedKeyError(err: Error): boolean {
  return /encrypted|passphrase/i.test(err.message);
}

/** The public key blob of a key file: its .pub beside it, else the key itself when it is not encrypted. */
function publicBlobOf(file: string): Buffer | undefined {
  for (const [path, isPublic] of [[`${file}.pub`, true], [file, false]] as const) {
    try {
      const key = utils.parseKey(readFileSync(path));
      const parsed = (Array.isArray(key) ? key[0] : key) as ParsedKey | Error;
      if (!(parsed instanceof Error)) return parsed.getPublicSSH();
    } catch {
      if (isPublic) continue;
    }
  }
  return undefined;
}

/**
 * ssh-agent as IdentitiesOnly uses it: only the agent's keys that are also one of the identity files' keys are
 * offered (a passphrase-protected key held by the agent is used without asking).
 */
class IdentitiesOnlyAgent extends BaseAgent {
  private readonly inner: InstanceType<typeof OpenSSHAgent>;
  private readonly allowed: Buffer[];
  constructor(socket: string, files: readonly string[]) {
    super();
    this.inner = new OpenSSHAgent(socket);
    this.allowed = files.map(publicBlobOf).filter((b): b is Buffer => b !== undefined);
  }
  override getIdentities(cb: (err: Error | undefined, keys?: ParsedKey[]) => void): void {
    this.inner.getIdentities((err, keys) => {
      if (err) return cb(err);
      cb(undefined, (keys ?? []).filter((k) => this.allowed.some((b) => b.equals((k as ParsedKey).getPublicSSH()))) as ParsedKey[]);
    });
  }
  override sign(...args: unknown[]): void {
    (this.inner.sign as (...a: unknown[]) => void)(...args);
  }
}

interface AuthState {
  tried: string[];
  serverMethods?: AuthenticationType[];
  /** The password asked for this endpoint, kept so it is asked at most once. */
  password?: string;
}

/**
 * The auth handler: one method per call, skipping what the server does not offer. Starts with "none", which
 * OpenSSH does not count against MaxAuthTries, to learn the offered methods.
 */
function authHandler(ep: SshEndpoint, opts: SshConnectOptions, deadline: Deadline, state: AuthState) {
  const log = opts.log ?? (() => {});
  const ask = async (question: string, secret: boolean): Promise<string | undefined> => {
    if (!opts.prompt) return undefined;
    deadline.pause();
    try {
      return await opts.prompt(question, secret);
    } finally {
      deadline.resume();
    }
  };

  const keyAttempt = (file: string, explicit: boolean) => async (): Promise<AnyAuthMethod | undefined> => {
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      if (explicit) {
        state.tried.push(`key ${file} (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message})`);
      }
      return undefined;
    }
    let key = utils.parseKey(data);
    if (key instanceof Error && isEncryptedKeyError(key)) {
      const passphrase = await ask(`Enter passphrase for key '${file}': `, true);
      if (passphrase === undefined) {
        log(`${ep.label}: skipping encrypted key ${file} (no terminal to ask for its passphrase)`);
        state.tried.push(`key ${file} (encrypted, no prompt)`);
        return undefined;
      }
      if (passphrase === '') return undefined;
      key = utils.parseKey(data, passphrase);
      if (key instanceof Error) {
        state.tried.push(`key ${file} (wrong passphrase)`);
        return undefined;
      }
    }
    if (key instanceof Error) {
      state.tried.push(`key ${file} (unreadable: ${key.message})`);
      return undefined;
    }
    const parsed = (Array.isArray(key) ? key[0] : key) as ParsedKey;
    state.tried.push(`key ${file} (${parsed.type} ${fingerprint(parsed.getPublicSSH())})`);
    return { type: 'publickey', username: ep.user, key: parsed };
  };

  const attempts: { method: AuthenticationType; make: () => Promise<AnyAuthMethod | undefined> }[] = [];
  // Keys named in the inventory or the configuration first; ssh's default key files after the agent, and
  // quietly skipped when missing.
  const files = ep.identityFiles.map((file) => ({ method: 'publickey' as const, make: keyAttempt(file, !ep.defaultIdentities) }));
  if (!ep.defaultIdentities) attempts.push(...files);
  const agentSocket = ep.agentSocket ?? opts.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (ep.agent && agentSocket && existsSync(agentSocket)) {
    attempts.push({
      method: 'publickey',
      make: async () => {
        state.tried.push(ep.identitiesOnly ? 'ssh-agent (the identity files\' keys only)' : 'ssh-agent');
        return { type: 'agent', username: ep.user, agent: ep.identitiesOnly ? new IdentitiesOnlyAgent(agentSocket, ep.identityFiles) : agentSocket };
      },
    });
  }
  if (ep.defaultIdentities) attempts.push(...files);
  const askPassword = async () => (state.password ??= await ask(`${ep.user}@${ep.address}'s password: `, true));
  attempts.push({
    method: 'password',
    make: async () => {
      const password = await askPassword();
      if (password === undefined) return undefined;
      state.tried.push('password');
      return { type: 'password', username: ep.user, password };
    },
  });
  attempts.push({
    method: 'keyboard-interactive',
    make: async () => {
      const password = await askPassword();
      if (password === undefined) return undefined;
      state.tried.push('keyboard-interactive');
      return {
        type: 'keyboard-interactive',
        username: ep.user,
        prompt: (_name: string, _instructions: string, _lang: string, prompts: Prompt[], finish: (answers: string[]) => void) => {
          // Hidden prompts get the password; anything else is put to the user as asked.
          void Promise.all(prompts.map(async (p) => (p.echo ? (await ask(p.prompt, false)) ?? '' : password))).then(finish);
        },
      };
    },
  });

  let first = true;
  return (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: NextAuthHandler): void => {
    if (first) {
      first = false;
      next({ type: 'none', username: ep.user });
      return;
    }
    if (methodsLeft) state.serverMethods = methodsLeft;
    void (async () => {
      while (attempts.length) {
        const attempt = attempts.shift()!;
        if (methodsLeft && !methodsLeft.includes(attempt.method)) continue;
        const method = await attempt.make();
        if (method) return next(method);
      }
      next(false as unknown as AnyAuthMethod);
    })().catch(() => next(false as unknown as AnyAuthMethod));
  };
}

function connectProblem(err: NodeJS.ErrnoException): ConnectProblem {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'closed';
    default:
      return 'failed';
  }
}

/** Socket errors after which a new connection can succeed (a host booting, a network hiccup). */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE']);

/** Whether a connection that failed before authentication with ssh2's error can succeed on a new try. */
function canReconnect(err: Error & { code?: unknown }): boolean {
  if (typeof err.code === 'string') return RETRYABLE_CODES.has(err.code);
  // sshd dropped the connection before its banner: starting up, or over MaxStartups.
  return err.message === 'Connection lost before handshake';
}

/** SSH_OPEN_CONNECT_FAILED (RFC 4254): the jump host could not reach the target, which may be booting. */
const TUNNEL_CONNECT_FAILED = 2;

interface OpenOptions {
  opts: SshConnectOptions;
  timeoutMs: number;
  /** A stream to the server (through a jump host or a ProxyCommand) instead of a new TCP connection. */
  sock?: Duplex;
  /** How sock reaches the server, for the log ("through jump host …", "through ProxyCommand"). */
  via?: string;
  /** Only fetch the host key: report it, never authenticate. */
  onHostKey?: (blob: Buffer) => void;
}

/** Opens one authenticated ssh2 connection, or fails with a typed error. */
function openClient(ep: SshEndpoint, o: OpenOptions): Promise<SshClient> {
  const { opts } = o;
  const log = opts.log ?? (() => {});
  const client = new Client();
  const where = `${ep.user}@${hostToken(ep.address, ep.port)}`;
  return new Promise((resolve, reject) => {
    let settled = false;
    let hostKeyError: HostKeyError | undefined;
    const state: AuthState = { tried: [] };
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      opts.signal?.removeEventListener('abort', onAbort);
      client.end();
      o.sock?.destroy();
      reject(err);
    };
    const deadline = new Deadline(o.timeoutMs, () => {
      // destroy() first: after end() ssh2 no longer destroys a socket, which a silent server would keep open.
      client.destroy();
      fail(new ConnectError('timeout', ep.label, `${ep.label}: no SSH connection to ${where} within ${o.timeoutMs / 1000}s`, true));
    });
    // An interrupted run does not wait for a slow handshake (or the user at a passphrase prompt).
    const onAbort = () => {
      client.destroy();
      fail(interruption(opts.signal) ?? new ConnectError('closed', ep.label, `${ep.label}: connecting to ${where} was stopped`));
    };
    if (opts.signal?.aborted) queueMicrotask(onAbort);
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
      if (o.onHostKey) {
        o.onHostKey(key);
        return verify(false);
      }
      try {
        // StrictHostKeyChecking accept-new and no record a new key; a changed key is refused whatever it says.
        const acceptNew = opts.acceptNewHostKeys === true || ep.strictHostKeyChecking === 'accept-new' || ep.strictHostKeyChecking === 'no';
        // CheckHostIP looks at the address connected to, which ssh only knows for a direct connection.
        const connectedIp = o.sock ? undefined : (client as unknown as { _sock?: { remoteAddress?: string } })._sock?.remoteAddress;
        const strict = ep.strictHostKeyChecking === 'no' ? 'no' : acceptNew ? 'accept-new' : 'yes';
        const decision = verifyHostKeyDetailed(ep.hostKeyCheck, key, acceptNew, connectedIp, strict);
        for (const warning of decision.warnings) log(`${ep.label}: warning: ${warning}`);
        const names = recordHostKey(ep.hostKeyCheck, decision, key, { hashed: opts.hashKnownHosts ?? ep.hashKnownHosts });
        if (names.length) {
          log(`${ep.label}: added ${blobType(key)} ${fingerprint(key)} for ${names.join(', ')} to ${ep.hostKeyCheck.knownHostsFiles[0]}`);
        }
        verify(true);
      } catch (err) {
        hostKeyError = err instanceof HostKeyError ? err : undefined;
        if (!hostKeyError) fail(new ConnectError('failed', ep.label, `${ep.label}: cannot check the host key: ${(err as Error).message}`));
        verify(false);
      }
    };
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      deadline.cancel();
      opts.signal?.removeEventListener('abort', onAbort);
      const how = state.tried.at(-1) ?? 'none';
      log(`${ep.label}: connected to ${where}${o.via ? ` ${o.via}` : ''} (${how})`);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (hostKeyError) return fail(hostKeyError);
      if (o.onHostKey && err.level === 'handshake') return fail(new ConnectError('closed', ep.label, 'host key fetched'));
      if (err.level === 'client-authentication') {
        const offered = state.serverMethods ? `; the server accepts: ${state.serverMethods.join(', ')}` : '';
        const tried = state.tried.length ? state.tried.join('; ') : 'no usable credential (no key file, agent or prompt)';
        return fail(new AuthenticationError(ep.label, ep.user, state.tried,
          `${ep.label}: authentication as ${ep.user} failed at ${hostToken(ep.address, ep.port)} (tried: ${tried}${offered})`));
      }
      const kind = err.code !== undefined ? connectProblem(err as NodeJS.ErrnoException) : 'failed';
      const text = redact(err.message, state.password);
      fail(new ConnectError(kind, ep.label, `${ep.label}: cannot connect to ${hostToken(ep.address, ep.port)}: ${text}`, canReconnect(err)));
    });
    client.on('close', () => {
      if (hostKeyError) return fail(hostKeyError);
      fail(new ConnectError('closed', ep.label, `${ep.label}: ${hostToken(ep.address, ep.port)} closed the connection during the SSH handshake`, true));
    });
    const keepalive = keepaliveOf(ep, opts);
    const config: ConnectConfig = {
      username: ep.user,
      readyTimeout: 0, // the Deadline above, which pauses while prompting, replaces ssh2's own
      keepaliveInterval: keepalive.intervalMs,
      keepaliveCountMax: keepalive.countMax,
      hostVerifier,
      algorithms: { serverHostKey: hostKeyAlgorithms(ep.hostKeyCheck) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] },
      authHandler: authHandler(ep, opts, deadline, state) as unknown as ConnectConfig['authHandler'],
    };
    if (o.sock) config.sock = o.sock;
    else Object.assign(config, { host: ep.address, port: ep.port });
    client.connect(config);
  });
}

/** A direct-tcpip channel from an open connection to address:port as the server sees it. */
function forward(client: SshClient, label: string, address: string, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, address, port, (err, channel) => {
      if (err) reject(new ConnectError('unreachable', label, `${label}: cannot open a tunnel to ${hostToken(address, port)}: ${err.message}`, (err as { reason?: unknown }).reason === TUNNEL_CONNECT_FAILED));
      else resolve(channel);
    });
  });
}

// ---------------------------------------------------------------------------------- the way there

/** A ProxyCommand run as ssh runs it, `$SHELL -c "exec command"`: its stdin and stdout carry the connection. */
interface ProxyProcess {
  child: ChildProcess;
  stream: Duplex;
  /** The end of what it wrote to stderr, for the error when the connection fails. */
  stderr(): string;
  /** Settles when the command has exited and all it wrote has been read. */
  closed: Promise<void>;
}

function startProxyCommand(command: string, label: string, log: (line: string) => void): ProxyProcess {
  const child = spawn(process.env.SHELL || '/bin/sh', ['-c', `exec ${command}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
    for (const line of chunk.split('\n')) if (line.trim()) log(`${label}: ProxyCommand: ${line.trim()}`);
  });
  const stream = Duplex.from({ readable: child.stdout!, writable: child.stdin! });
  // A command that cannot be started ends the stream; ssh2 then reports the closed connection.
  child.on('error', (err) => stream.destroy(err));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, stream, stderr: () => stderr.trim(), closed };
}

/** The keep-alive a connection uses: the route's (ServerAliveInterval/CountMax, or the default), unless the caller tunes the interval and ssh's configuration did not set one. */
function keepaliveOf(ep: SshEndpoint, opts: SshConnectOptions): { intervalMs: number; countMax: number } {
  const intervalMs = ep.options.serverAliveInterval > 0 ? ep.keepalive.intervalMs : opts.keepaliveIntervalMs ?? ep.keepalive.intervalMs;
  return { intervalMs, countMax: ep.keepalive.countMax };
}

/** What stands between the control machine and a host: a ProxyCommand's process and the jump hosts' connections. */
class Path {
  readonly jumps: { client: SshClient; label: string }[] = [];
  proxy: ProxyProcess | undefined;

  /** Ends every connection of the path, nearest the host first, then stops the ProxyCommand. */
  async close(): Promise<void> {
    for (const { client } of [...this.jumps].reverse()) await endClient(client);
    this.proxy?.child.kill();
  }

  abandon(): void {
    for (const { client } of this.jumps) client.end();
    this.proxy?.child.kill();
  }
}

/**
 * A connection through a ProxyCommand that failed: what the command said is the likeliest reason. The
 * connection often fails (EPIPE) before the command's stderr is read, so its end is awaited, briefly.
 */
async function withProxyOutput(err: Error, proxy: ProxyProcess | undefined): Promise<Error> {
  if (proxy) {
    // 'close', not exit: a command that has exited may still have stderr in the pipe.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([proxy.closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
  }
  const said = proxy?.stderr();
  if (!said || !(err instanceof ConnectError)) return err;
  const last = said.split('\n').at(-1);
  return new ConnectError(err.kind, err.host, `${err.message} (its ProxyCommand said: ${last})`, err.retryable);
}

/**
 * Opens the connection to endpoint `upTo` of the route (its jump hosts, then its target) and the path in front
 * of it: the ProxyCommand, then each jump host through the one before. Only that endpoint may be a host-key
 * fetch (onHostKey): the jump hosts before it are verified and logged into.
 */
async function openThrough(route: SshRoute, upTo: number, name: string, o: { opts: SshConnectOptions; timeoutMs: number; onHostKey?: (blob: Buffer) => void }): Promise<{ client: SshClient; path: Path }> {
  const endpoints = [...route.jumps, route.target];
  const path = new Path();
  let sock: Duplex | undefined;
  let via: string | undefined;
  try {
    if (route.proxyCommand) {
      path.proxy = startProxyCommand(route.proxyCommand, endpoints[0]!.label, o.opts.log ?? (() => {}));
      sock = path.proxy.stream;
      via = 'through its ProxyCommand';
    }
    for (let i = 0; ; i++) {
      const open = { opts: o.opts, timeoutMs: o.timeoutMs, sock, via, ...(i === upTo ? { onHostKey: o.onHostKey } : {}) };
      const client = await openClient(endpoints[i]!, open).catch(async (err: Error) => {
        throw i === 0 ? await withProxyOutput(err, path.proxy) : err;
      });
      if (i === upTo) return { client, path };
      path.jumps.push({ client, label: endpoints[i]!.label });
      sock = await forward(client, name, endpoints[i + 1]!.address, endpoints[i + 1]!.port);
      via = `through ${endpoints[i]!.label}`;
    }
  } catch (err) {
    path.abandon();
    throw err;
  }
}

function endClient(client: SshClient): Promise<void> {
  return new Promise((resolve) => {
    const done = setTimeout(resolve, 2000);
    client.once('close', () => {
      clearTimeout(done);
      resolve();
    });
    client.end();
  });
}

const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');

/**
 * A prefix for commands that may have to be stopped (timeout or abort). sshd only delivers signal requests
 * in sessions with post-authentication privilege separation, which root logins do not get, so a stopped
 * command is signalled with kill(1) from a second session instead. For that the prefix reports the command's
 * process group (field 5 of /proc/<pid>/stat) as the first line of stderr, then execs the command, which
 * keeps that group; sudo without a terminal keeps it too.
 */
const GROUP_MARK = 'bootstrap-pgid:';
export const STOPPABLE: readonly string[] = ['sh', '-c', `read -r _ _ _ _ pgid _ < /proc/$$/stat && printf '${GROUP_MARK}%s\\n' "$pgid" >&2; exec "$@"`, 'sh'];

/**
 * The process group the STOPPABLE prefix reported, from the stream it writes to (stderr, or a terminal's output).
 * Its line need not come first: sshd may write before the command starts (e.g. "Could not chdir to home
 * directory"), on the same stream.
 */
function groupOf(chunks: Buffer[]): number | undefined {
  const m = new RegExp(`^${GROUP_MARK}(\\d+)\\r?\\n`, 'm').exec(text(chunks));
  return m ? Number(m[1]) : undefined;
}

function withoutGroupLine(output: string, stoppable: unknown): string {
  return stoppable ? output.replace(new RegExp(`^${GROUP_MARK}\\d+\\n`, 'm'), '') : output;
}

/**
 * The pseudo-terminal of a `terminal` command: echo off from the start (the modes of the pty request), so that
 * what stdin types, a password, is never written back, even before the program turns echo off itself.
 */
const TERMINAL: ExecChannelOptions['pty'] = { term: 'dumb', cols: 200, rows: 24, modes: { ECHO: 0 } };

/** A terminal's output with its line ends as a pipe's ("\r\n" → "\n"). */
const fromTerminal = (output: string) => output.replace(/\r\n/g, '\n');

/**
 * Sends a signal to a session's command. ssh2's channel.signal() is silently dropped once our side of the
 * channel has ended (stdin sent), which is always the case here, so the request goes to the protocol directly
 * while the channel is open. sshd (OpenSSH ≥ 8.1) delivers it to the command's process group.
 */
function signalChannel(channel: ClientChannel, name: 'TERM' | 'KILL'): void {
  const inner = channel as unknown as { outgoing?: { id?: number; state?: string }; _client?: { _protocol?: { signal(id: number, name: string): void } } };
  try {
    const state = inner.outgoing?.state;
    if ((state === 'open' || state === 'eof') && inner.outgoing?.id !== undefined) inner._client?._protocol?.signal(inner.outgoing.id, name);
  } catch {
    /* the connection is gone: nothing left to stop */
  }
}

/** Limits how many session channels are open at once on one connection. */
class Slots {
  private busy = 0;
  private waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async acquire(): Promise<void> {
    if (this.busy < this.size) {
      this.busy++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy--;
  }
}

// -------------------------------------------------------------------------------------------- host

export class SshHost implements Host {
  readonly name: string;
  private sudoMode: Promise<SudoMode> | undefined;
  private lost: ConnectError | undefined;
  private readonly slots: Slots;

  private constructor(
    private readonly spec: HostSpec,
    private readonly route: SshRoute,
    private readonly client: SshClient,
    private readonly path: Path,
    private readonly opts: SshConnectOptions,
  ) {
    this.name = spec.name;
    this.slots = new Slots(opts.maxSessions ?? 8);
    // Where the connection went, so that a lost one names the address and port as a refused one does.
    const { user, address, port } = route.target;
    const to = ` to ${user}@${address.includes(':') ? `[${address}]` : address}:${port}`;
    const onLost = (which: string, why = '') => () => {
      this.lost ??= new ConnectError('closed', this.name, `${this.name}: the SSH connection${to}${which} was lost${why}`);
    };
    client.on('close', onLost(''));
    // After the handshake, errors end the connection and 'close' records it; a host that stopped answering
    // (ssh2's keep-alive timeout) is said as such, with the keep-alive that found it.
    client.on('error', (err: Error & { level?: string }) => {
      if (err.level === 'client-timeout') {
        const { intervalMs, countMax } = keepaliveOf(route.target, opts);
        onLost('', `: no answer to ${countMax} keep-alives sent every ${intervalMs / 1000}s`)();
      }
      opts.log?.(`${this.name}: ${err.message}`);
    });
    for (const jump of path.jumps) {
      jump.client.on('close', onLost(` through ${jump.label}`));
      jump.client.on('error', (err) => opts.log?.(`${this.name}: ${jump.label}: ${err.message}`));
    }
    path.proxy?.child.on('exit', onLost(' through its ProxyCommand'));
  }

  /** Opens the host's one connection (through its ProxyCommand and jump hosts, if any), verifying host keys first. */
  static async connect(host: HostSpec, opts: SshConnectOptions = {}): Promise<SshHost> {
    const route = resolveRoute(host, opts);
    const { client, path } = await openThrough(route, route.jumps.length, host.name, { opts, timeoutMs: route.connectTimeoutMs });
    return new SshHost(host, route, client, path, opts);
  }

  /** The user commands run as over SSH (after ~/.ssh/config). */
  get user(): string {
    return this.route.target.user;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    let command = [...argv];
    let stdin = options.stdin;
    let secret: string | undefined;
    const sudo = options.sudo ?? this.spec.ssh.sudo;
    if (sudo) {
      const mode = await this.findSudoMode();
      ({ argv: command, stdin } = sudoCommand(mode, argv, stdin));
      if (mode.kind === 'password') secret = mode.password;
    }
    if (!options.signal && this.opts.signal) options = { ...options, signal: this.opts.signal };
    const stoppable = options.timeoutMs !== undefined || options.signal !== undefined;
    if (stoppable) command = [...STOPPABLE, ...command];
    const result = await this.run(commandLine(command), stdin, options, stoppable ? (sig, pgid) => this.killGroup(sig, pgid, sudo) : undefined);
    return secret ? { ...result, stdout: redact(result.stdout, secret), stderr: redact(result.stderr, secret) } : result;
  }

  /** Signals a stopped command's process group from a second session (see STOPPABLE), as root when it ran as root. */
  private killGroup(signal: 'TERM' | 'KILL', pgid: number, sudo: boolean): void {
    const argv = ['kill', `-${signal}`, '--', `-${pgid}`];
    const unwrapped = Promise.resolve<SudoMode>({ kind: 'root' });
    // The sudo mode is already known: the command being stopped was wrapped with it.
    void (sudo && this.sudoMode ? this.sudoMode : unwrapped)
      .then((mode) => {
        const wrapped = sudoCommand(mode, argv);
        return this.run(commandLine(wrapped.argv), wrapped.stdin, {}, undefined, true);
      })
      .catch(() => {
        /* the connection is gone, and the command with it */
      });
  }

  readFile(path: string): Promise<Buffer | undefined> {
    return readFileWithShell(this.exec.bind(this), path);
  }

  hashFiles(paths: readonly string[]): Promise<FileHashes> {
    return hashFilesWithShell(this.exec.bind(this), paths);
  }

  writeFiles(files: readonly FileWrite[], options?: WriteOptions): Promise<void> {
    return writeFilesWithShell(this.exec.bind(this), files, options);
  }

  async connect(port: number, host = '127.0.0.1'): Promise<Duplex> {
    if (this.lost) throw this.lost;
    return forward(this.client, this.name, host, port);
  }

  async close(): Promise<void> {
    this.lost ??= new ConnectError('closed', this.name, `${this.name}: the SSH connection was closed`);
    await endClient(this.client);
    await this.path.close();
  }

  /** Runs one command line on a session channel of the shared connection. */
  private async run(
    line: string,
    stdin: string | Buffer | undefined,
    options: ExecOptions,
    killGroup?: (signal: 'TERM' | 'KILL', pgid: number) => void,
    unlimited = false,
  ): Promise<ExecResult> {
    if (this.lost) throw this.lost;
    if (options.signal?.aborted) return { code: -1, stdout: '', stderr: '' };
    // Kill commands skip the queue: they must run even when every slot holds a command being stopped.
    const release = unlimited ? () => {} : () => this.slots.release();
    if (!unlimited) await this.slots.acquire();
    return new Promise<ExecResult>((resolve, reject) => {
      this.client.exec(line, options.terminal ? { pty: TERMINAL } : {}, (err, channel) => {
        if (err) {
          release();
          reject(this.lost ?? new ConnectError('failed', this.name, `${this.name}: cannot start a command: ${err.message}`));
          return;
        }
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        // On a terminal, stderr comes on stdout: so does the STOPPABLE prefix's process group line.
        const groupStream = options.terminal ? stdout : stderr;
        const output = (): { stdout: string; stderr: string } => {
          const out = options.terminal ? fromTerminal(text(stdout)) : text(stdout);
          return options.terminal
            ? { stdout: withoutGroupLine(out, killGroup), stderr: text(stderr) }
            : { stdout: out, stderr: withoutGroupLine(text(stderr), killGroup) };
        };
        let code: number | undefined;
        let stopped = false;
        let kill: NodeJS.Timeout | undefined;
        const finish = (result: ExecResult) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', abort);
          resolve(result);
        };
        // A signal waiting for the command's process group to be known (it may not have started yet).
        let pending: 'TERM' | 'KILL' | undefined;
        const signalGroup = (signal: 'TERM' | 'KILL'): boolean => {
          const pgid = groupOf(groupStream);
          if (pgid === undefined || !killGroup) {
            pending = signal;
            return false;
          }
          pending = undefined;
          killGroup(signal, pgid);
          return true;
        };
        const stop = (timedOut: boolean) => {
          if (stopped) return;
          stopped = true;
          // TERM to the command's process group (sudo relays it), KILL if it is still there 2 s later. The
          // caller gets its answer now; the session slot is freed when sshd reports the channel closed.
          signalChannel(channel, 'TERM');
          signalGroup('TERM');
          kill = setTimeout(() => {
            signalChannel(channel, 'KILL');
            // Closing before the group is known would leave a command that starts late running unseen.
            if (signalGroup('KILL') || !killGroup) channel.close();
          }, 2000);
          const result: ExecResult = { code: -1, ...output() };
          if (timedOut) result.timedOut = true;
          finish(result);
        };
        const abort = () => stop(false);
        const timer = options.timeoutMs !== undefined ? setTimeout(() => stop(true), options.timeoutMs) : undefined;
        options.signal?.addEventListener('abort', abort, { once: true });
        const signalPending = () => {
          const waiting = pending;
          if (waiting && signalGroup(waiting) && waiting === 'KILL') channel.close();
        };
        channel.on('data', (d: Buffer) => {
          stdout.push(d);
          if (options.terminal) signalPending();
        });
        channel.stderr.on('data', (d: Buffer) => {
          stderr.push(d);
          signalPending();
        });
        channel.on('exit', (exitCode: number | null) => {
          code = typeof exitCode === 'number' ? exitCode : -1;
        });
        channel.on('close', () => {
          clearTimeout(kill);
          release();
          if (stopped) return;
          if (code === undefined && this.lost) {
            clearTimeout(timer);
            options.signal?.removeEventListener('abort', abort);
            return reject(this.lost);
          }
          finish({ code: code ?? -1, ...output() });
        });
        channel.on('error', () => {
          /* reported through 'close' */
        });
        if (stdin !== undefined) channel.end(stdin);
        else channel.end();
      });
    });
  }

  /** Whether and how sudo is used, found once per host; a password is asked at most once. */
  private findSudoMode(): Promise<SudoMode> {
    this.sudoMode ??= (async (): Promise<SudoMode> => {
      if (this.user === 'root') return { kind: 'root' };
      const probe = parseSudoProbe((await this.run(commandLine(SUDO_PROBE), undefined, {})).stdout);
      if (probe.kind === 'root' || probe.kind === 'nopasswd') return { kind: probe.kind };
      if (probe.kind === 'no-sudo') throw new SudoError(`${this.name}: ${this.user} is not root and sudo is not installed`);
      if (probe.kind !== 'password') throw new SudoError(`${this.name}: unexpected answer from the sudo check`);
      if (!this.opts.prompt) {
        throw new SudoError(`${this.name}: sudo needs a password for ${this.user} (${probe.message || 'no passwordless sudo'}); ` +
          'allow it without one (NOPASSWD) or run interactively to be asked once');
      }
      const password = await this.opts.prompt(`[sudo] password for ${this.user} on ${this.name}: `, true);
      const mode: SudoMode = { kind: 'password', password };
      const check = sudoCommand(mode, ['true']);
      const result = await this.run(commandLine(check.argv), check.stdin, {});
      if (result.code !== 0) {
        const why = redact(result.stderr, password).trim().split('\n').filter((l) => l.trim()).at(-1) ?? `exit ${result.code}`;
        throw new SudoError(`${this.name}: sudo refused ${this.user}'s password (${why})`);
      }
      this.opts.log?.(`${this.name}: sudo with a password for ${this.user}`);
      return mode;
    })();
    return this.sudoMode;
  }
}

/**
 * The key a host presents now, for `bootstrap hosts trust`: nothing is verified about the host itself and no
 * credential is sent to it (a jump host in between is verified and logged into as usual). With `bastion`,
 * the jump host's own key instead.
 */
export async function trustHostKey(host: HostSpec, opts: SshConnectOptions & { bastion?: boolean } = {}): Promise<{ fingerprint: string; key: string }> {
  const route = resolveRoute(host, opts);
  let presented: Buffer | undefined;
  const onHostKey = (blob: Buffer) => {
    presented = blob;
  };
  // With `bastion`, the jump host nearest the target (the inventory's bastion, or ProxyJump's last hop).
  if (opts.bastion && !route.jumps.length) throw new SshConfigError(`${host.name} has no jump host`);
  const upTo = opts.bastion ? route.jumps.length - 1 : route.jumps.length;
  let path: Path | undefined;
  try {
    const opened = await openThrough(route, upTo, host.name, { opts, timeoutMs: route.connectTimeoutMs, onHostKey });
    path = opened.path;
    opened.client.end();
  } catch (err) {
    if (!presented) throw err;
  } finally {
    path?.abandon();
  }
  if (!presented) throw new ConnectError('failed', host.name, `${host.name}: the host presented no key`);
  return { fingerprint: fingerprint(presented), key: publicKeyLine(presented) };
}
