/**
 * A read-only view of a host: it reads files, hashes them, opens tunnels and runs commands that declare
 * themselves read-only, and refuses everything else. Phases see hosts through it; only the pipeline's wet()
 * hands out the host itself, and never in a dry run, so a dry run cannot change a host even by mistake.
 */
import type { Duplex } from 'node:stream';
import { InternalError } from '../util/errors.js';
import type { ExecOptions, ExecResult, FileHashes, FileWrite, Host } from './host.js';

/** A change was attempted through a read-only view: a defect in the caller, never the user's doing. */
export class ChangeRefusedError extends InternalError {
  override name = 'ChangeRefusedError';
}

export class ReadOnlyHost implements Host {
  constructor(
    private readonly inner: Host,
    /** Why changes are refused, for the message (e.g. "outside wet()"). */
    private readonly why: string,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (!options.readOnly) throw new ChangeRefusedError(`${this.inner.name}: refused to run ${argv[0] ?? 'a command'} (not marked read-only) ${this.why}`);
    return this.inner.exec(argv, options);
  }

  readFile(path: string): Promise<Buffer | undefined> {
    return this.inner.readFile(path);
  }

  hashFiles(paths: readonly string[]): Promise<FileHashes> {
    return this.inner.hashFiles(paths);
  }

  async writeFiles(files: readonly FileWrite[]): Promise<void> {
    throw new ChangeRefusedError(`${this.inner.name}: refused to write ${files.map((f) => f.path).join(', ')} ${this.why}`);
  }

  connect(port: number, host?: string): Promise<Duplex> {
    return this.inner.connect(port, host);
  }

  /** Closing belongs to whoever opened the connection (the pipeline), not to a view of it. */
  async close(): Promise<void> {}
}
