/**
 * The one interface every side effect on a machine goes through. Phases take a Host, so they run the same
 * against SSH, the local machine, or an in-memory host in unit tests. Commands are argument arrays, never
 * shell text: implementations quote them once, with shell.ts.
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { HostError } from '../util/errors.js';

export interface ExecOptions {
  /** Bytes for the command's standard input: the only way secrets reach a command (never argv). */
  stdin?: string | Buffer;
  signal?: AbortSignal;
  /** Kill the command after this long; the result then has timedOut set. */
  timeoutMs?: number;
  /** Run as root via sudo when the host's user is not root (default: the host's sudo setting). */
  sudo?: boolean;
  /**
   * The command only looks (facts, listings, probes, a reset's plan): it changes nothing on the host. The only
   * kind of command a read-only host (read-only.ts) runs; transports themselves ignore it.
   */
  readOnly?: boolean;
  /**
   * Runs the command on a pseudo-terminal with echo off, for a program that reads a secret only from a terminal
   * (`crictl pull --username`): stdin is typed into the terminal, never echoed, and the command's stderr comes on
   * stdout with it (a terminal has one output). Lines end in "\n" as usual. Not for a command that sudo runs
   * after asking its password: sudo turns echo off with TCSAFLUSH, which discards whatever was typed ahead.
   */
  terminal?: boolean;
}

export interface ExecResult {
  /** Exit code; -1 when the command was killed by a signal or timed out. */
  code: number;
  /** Standard output as text (UTF-8); binary content travels base64-encoded (see files.ts). */
  stdout: string;
  stderr: string;
  timedOut?: boolean;
}

/** One file to put on a host. */
export interface FileWrite {
  path: string;
  content: string | Buffer;
  mode: number;
}

export interface WriteOptions {
  /**
   * Keep a copy of each different file being replaced under this folder, at its own absolute path
   * (e.g. /var/lib/bootstrap/backups/20261122T153000Z/etc/kubernetes/admin.conf). A folder apart, not a
   * suffix: kubelet would read a backup left beside a static Pod manifest as one more Pod.
   */
  backupDir?: string;
}

/** The hash hashFiles() reports for a file: SHA-256 of its content, in hex. Compare rendered content with it. */
export function contentHash(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * What hashFiles() answers: path → SHA-256 (hex) of each regular file that exists, and, where the transport
 * learns them in the same round trip (shell hosts and the in-memory host do), each file's permission bits, so
 * `up` sees a key whose mode was widened without one more command.
 */
export class FileHashes extends Map<string, string> {
  /** path → permission bits (e.g. 0o600); empty when the transport reports none. */
  readonly modes = new Map<string, number>();
}

export interface Host {
  /** The inventory's host name, for messages. */
  readonly name: string;
  /** Runs a command; resolves with its exit code (non-zero is not an error here; see run()). */
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
  /** A file's content, or undefined when it does not exist. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** SHA-256 (hex) and mode of each regular file that exists, in one round trip: how `up` finds what differs. */
  hashFiles(paths: readonly string[]): Promise<FileHashes>;
  /**
   * Writes all files in one round trip, each atomically (a temporary file beside the target, then rename),
   * creating parent folders (0755) as needed, so no reader ever sees half a file.
   */
  writeFiles(files: readonly FileWrite[], options?: WriteOptions): Promise<void>;
  /** A connection to host:port as seen from the machine (e.g. 127.0.0.1:6443), tunnelled through the transport. */
  connect(port: number, host?: string): Promise<Duplex>;
  close(): Promise<void>;
}

/** A command that exited non-zero, with everything needed to say what went wrong and where. */
export class CommandError extends HostError {
  override name = 'CommandError';
  constructor(
    readonly host: string,
    readonly argv: readonly string[],
    readonly result: ExecResult,
  ) {
    const why = result.timedOut ? 'timed out' : `exited ${result.code}`;
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n');
    super(`${host}: ${argv[0]} ${why}${detail ? `: ${detail}` : ''}`);
  }
}

/** exec() that throws CommandError on a non-zero exit and returns standard output. */
export async function run(host: Host, argv: readonly string[], options?: ExecOptions): Promise<string> {
  const result = await host.exec(argv, options);
  if (result.code !== 0) throw new CommandError(host.name, argv, result);
  return result.stdout;
}
