/**
 * The control machine itself as a Host: the lab harness and tests use it, and so can a user who runs
 * `bootstrap` on the node it provisions. The only module that runs local commands through zx; quoting is
 * shell.ts's, so there is still one place that turns arguments into shell words.
 */
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { $ } from 'zx';
import { hashFilesWithShell, readFileWithShell, writeFilesWithShell } from './files.js';
import type { ExecOptions, ExecResult, FileHashes, FileWrite, Host, WriteOptions } from './host.js';
import { quote } from './shell.js';

export class LocalHost implements Host {
  constructor(readonly name = 'localhost') {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const needSudo = options.sudo && process.getuid?.() !== 0;
    const command = needSudo ? ['sudo', '-n', '--', ...argv] : [...argv];
    const out = await $({
      input: options.stdin,
      signal: options.signal,
      timeout: options.timeoutMs,
      nothrow: true,
      quiet: true,
      quote,
      shell: '/bin/sh',
      prefix: '',
      postfix: '',
    })`${command}`;
    const timedOut = options.timeoutMs !== undefined && out.exitCode === null;
    return { code: out.exitCode ?? -1, stdout: out.stdout, stderr: out.stderr, timedOut };
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

  connect(port: number, host = '127.0.0.1'): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host }, () => resolve(socket));
      socket.once('error', reject);
    });
  }

  async close(): Promise<void> {}
}
