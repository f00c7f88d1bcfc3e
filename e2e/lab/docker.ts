/**
 * The lab's only way to run docker: argument arrays (never shell strings), always against the lab's engine
 * (DOCKER_HOST from the lab state), with a time bound on every call.
 */
import { spawn } from 'node:child_process';

export interface DockerResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface DockerRunOptions {
  /** Written to the command's stdin, then stdin is closed. */
  input?: string | Buffer;
  /** Kill the command after this long (default 120 s). */
  timeoutMs?: number;
  /** Do not throw on a non-zero exit code. */
  allowFailure?: boolean;
}

/** A command (docker or another program) that exited non-zero; carries its argv and output. */
export class CommandError extends Error {
  constructor(
    readonly program: string,
    readonly argv: string[],
    readonly result: DockerResult,
  ) {
    super(`${program} ${argv.join(' ')} exited ${result.code}: ${(result.stderr.trim() || result.stdout.trim()).slice(-2000)}`);
    this.name = 'CommandError';
  }
}

/** Runs a program with an argument array; resolves with its output, throws on failure unless allowed. */
export function runCommand(
  program: string,
  argv: string[],
  options: DockerRunOptions & { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<DockerResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(program, argv, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timeoutMs = options.timeoutMs ?? 120_000;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${program}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result: DockerResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (timedOut ? `\n(killed after ${timeoutMs} ms)` : ''),
        code: code ?? (signal ? 128 : 1),
      };
      if (result.code !== 0 && !options.allowFailure) {
        reject(new CommandError(program, argv, result));
      } else {
        resolvePromise(result);
      }
    });
    child.stdin.on('error', () => undefined);
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  });
}

export class DockerCli {
  /** @param host DOCKER_HOST, e.g. unix:///work/main/.lab/docker.sock */
  constructor(readonly host: string) {}

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, DOCKER_HOST: this.host };
  }

  /** `docker ARGV...` */
  run(argv: string[], options: DockerRunOptions = {}): Promise<DockerResult> {
    return runCommand('docker', argv, { ...options, env: this.env });
  }

  /** `docker exec [-i] CONTAINER ARGV...`; stdin is attached when `input` is given. */
  exec(container: string, argv: string[], options: DockerRunOptions = {}): Promise<DockerResult> {
    const interactive = options.input !== undefined ? ['-i'] : [];
    return this.run(['exec', ...interactive, container, ...argv], options);
  }

  /** `docker cp SRC CONTAINER:DEST` (a local file or directory into the container). */
  async copyInto(container: string, source: string, destination: string, options: DockerRunOptions = {}): Promise<void> {
    await this.run(['cp', source, `${container}:${destination}`], options);
  }

  /** Writes `content` to `path` inside the container with the given mode (octal, e.g. 0o644). */
  async writeFile(container: string, path: string, content: string | Buffer, mode = 0o644): Promise<void> {
    // The path and mode travel as positional arguments of sh, never inside the script text.
    const script = 'umask 077 && mkdir -p "$(dirname "$1")" && cat > "$1.tmp" && chmod "$2" "$1.tmp" && mv "$1.tmp" "$1"';
    await this.exec(container, ['sh', '-c', script, 'sh', path, mode.toString(8)], { input: content });
  }
}
