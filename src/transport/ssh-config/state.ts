/** The parse: ssh's Options, first obtained value wins; what one pass, one file and one line carry. */
import type { SshConfigSource, SshQuery, StrictHostKeyChecking } from '../ssh-options.js';

/** A value and the "file:line" it came from, for messages about it after the parse. */
export interface At<T> { value: T; where: string }

/** Where an IdentityFile came from: ssh drops a repeated file only when it repeats in the same place. */
export type IdentityOrigin = 'command line' | 'user config' | 'system config';

export interface IdentityEntry { raw: string; origin: IdentityOrigin; where: string }

/** What the configuration set so far; undefined is ssh's "unset" (-1 / NULL). */
export interface State {
  user?: string;
  hostname?: At<string>;
  port?: number;
  identityFiles: IdentityEntry[];
  identitiesOnly?: boolean;
  identityAgent?: At<string>;
  /** ProxyJump: "none", or the nearest-to-target hop plus the hops before it (ssh's jump_extra). */
  jump?: { none: true } | { none: false; user?: string; host: string; port?: number; extra?: string; where: string };
  proxyCommand?: At<string>;
  connectTimeout?: number;
  serverAliveInterval?: number;
  serverAliveCountMax?: number;
  userKnownHostsFiles?: At<string[]>;
  globalKnownHostsFiles?: string[];
  strictHostKeyChecking?: StrictHostKeyChecking;
  hostKeyAlias?: string;
  checkHostIP?: boolean;
  hashKnownHosts?: boolean;
  batchMode?: boolean;
  controlPath?: At<string>;
  ignoreUnknown?: string;
  canonicalizeHostname?: At<'yes' | 'no' | 'always'>;
  proxyUseFdpass?: At<boolean>;
  bindAddress?: At<string>;
  bindInterface?: At<string>;
  addressFamily?: At<'any' | 'inet' | 'inet6'>;
}

export interface FileFlags {
  /** A user configuration: ~ allowed in Include, relative Include from ~/.ssh, IdentityFile "user provided". */
  user: boolean;
  /** Inside an Include from a block that did not apply: nothing in it applies either. */
  neverMatch: boolean;
}

/** One pass over the configuration files (ssh's process_config_files). */
export interface Pass {
  /** The name Host lines match: the host as given (first pass) or the final host name (final pass). */
  host: string;
  final: boolean;
  /** Set when a `Match final` asks for a second pass. */
  wantFinal: boolean;
}

/** Keywords bootstrap reads; every other keyword ssh knows is accepted and ignored. */
export type Handler = (r: Reader, l: Line) => void;

export interface Line {
  keyword: string;
  /** The words after the keyword (argv_split). */
  args: string[];
  /** The rest of the line after the keyword, raw (ProxyCommand, ProxyJump and Match read it so). */
  rest: string;
  where: string;
  active: boolean;
  /** The file being read: its flags, Include depth and the Host/Match state it shares with its includer. */
  ctx: FileCtx;
}

export interface FileCtx {
  flags: FileFlags;
  depth: number;
  active: { on: boolean };
}

/** Reads configuration files into a State for one pass: what the keyword handlers see of the reader. */
export interface Reader {
  readonly state: State;
  readonly query: SshQuery;
  readonly source: SshConfigSource;
  readonly pass: Pass;
  /** ssh's read_config_file_depth; `active` is shared with the including file (and restored by it). */
  readFile(file: string, flags: FileFlags, depth: number, active: { on: boolean }, includedAt?: string, checkOwner?: boolean): void;
}

/** ssh's add_identity_file: a file already listed (same text, same origin) is not listed twice. */
export function addIdentity(state: State, entry: IdentityEntry): void {
  if (state.identityFiles.some((e) => e.raw === entry.raw && e.origin === entry.origin)) return;
  state.identityFiles.push(entry);
}
