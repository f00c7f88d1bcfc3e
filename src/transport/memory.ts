/**
 * An in-memory Host for unit tests: files live in a map, every command is recorded, and a test decides
 * what each command answers. Phases run against it exactly as against SSH.
 */
import { PassThrough, type Duplex } from 'node:stream';
import { contentHash, FileHashes, type ExecOptions, type ExecResult, type FileWrite, type Host, type WriteOptions } from './host.js';

export type CommandHandler = (argv: readonly string[], options: ExecOptions) => Partial<ExecResult> | undefined;

export interface MemoryFile {
  content: Buffer;
  mode: number;
}

export class MemoryHost implements Host {
  readonly files = new Map<string, MemoryFile>();
  readonly commands: { argv: readonly string[]; stdin?: string | Buffer }[] = [];
  /** Round trips so far: each exec, read, hash or write batch counts one. */
  roundTrips = 0;
  private readonly handlers: CommandHandler[] = [];

  constructor(readonly name = 'memory') {}

  /** Adds an answer for commands; the first handler that returns a result wins; unhandled commands exit 127. */
  on(handler: CommandHandler): this {
    this.handlers.push(handler);
    return this;
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.roundTrips++;
    this.commands.push({ argv: [...argv], stdin: options.stdin });
    for (const handler of this.handlers) {
      const answer = handler(argv, options);
      if (answer) {
        const stdout = answer.stdout ?? '';
        return { code: answer.code ?? 0, stdout, stderr: answer.stderr ?? '', timedOut: answer.timedOut };
      }
    }
    return { code: 127, stdout: '', stderr: `${argv[0]}: command not found` };
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    this.roundTrips++;
    return this.files.get(path)?.content;
  }

  async hashFiles(paths: readonly string[]): Promise<FileHashes> {
    this.roundTrips++;
    const out = new FileHashes();
    for (const path of paths) {
      const file = this.files.get(path);
      if (file) {
        out.set(path, contentHash(file.content));
        out.modes.set(path, file.mode);
      }
    }
    return out;
  }

  async writeFiles(files: readonly FileWrite[], options: WriteOptions = {}): Promise<void> {
    this.roundTrips++;
    // As on a real host: a path given twice is written once, with its last content, which a backup is compared with.
    for (const f of new Map(files.map((f) => [f.path, f])).values()) {
      const content = Buffer.from(f.content);
      const old = this.files.get(f.path);
      if (old && options.backupDir && !old.content.equals(content)) this.files.set(options.backupDir + f.path, old);
      this.files.set(f.path, { content, mode: f.mode });
    }
  }

  async connect(port: number): Promise<Duplex> {
    throw new Error(`${this.name}: no connections to port ${port} in memory`);
  }

  async close(): Promise<void> {}
}
