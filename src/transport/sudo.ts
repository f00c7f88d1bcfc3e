/**
 * Running commands as root for a non-root SSH user. Passwordless sudo (`sudo -n`) is used when the host
 * allows it; otherwise the password is asked once per host and fed to `sudo -S` on standard input, ahead of
 * the command's own input, so it never appears in argv (a remote `ps` would show it), logs or errors.
 */
import { HostError } from '../util/errors.js';

/** How a host runs commands as root, found once per connection. */
export type SudoMode =
  | { kind: 'root' }
  | { kind: 'nopasswd' }
  | { kind: 'password'; password: string };

/**
 * One round trip that says which mode applies. `sudo -n true` fails without prompting when a password is
 * needed; its message is kept to tell "needs a password" from "not allowed at all".
 */
export const SUDO_PROBE: readonly string[] = [
  'sh', '-c',
  'if [ "$(id -u)" = 0 ]; then echo root; elif ! command -v sudo >/dev/null 2>&1; then echo no-sudo; ' +
  'elif out=$(sudo -n true 2>&1); then echo nopasswd; else echo "password $out"; fi',
];

export type ProbeResult = { kind: 'root' | 'nopasswd' | 'no-sudo' } | { kind: 'password'; message: string };

export function parseSudoProbe(stdout: string): ProbeResult {
  const line = stdout.trim();
  if (line === 'root' || line === 'nopasswd' || line === 'no-sudo') return { kind: line };
  return { kind: 'password', message: line.replace(/^password\s*/, '') };
}

/**
 * The argv and stdin that run `argv` as root. With a password, `-k` makes sudo ignore cached credentials so
 * it always reads the password line first (a cached ticket would otherwise hand that line to the command),
 * and `-p ''` keeps the prompt out of stderr.
 */
export function sudoCommand(mode: SudoMode, argv: readonly string[], stdin?: string | Buffer): { argv: string[]; stdin?: string | Buffer } {
  switch (mode.kind) {
    case 'root':
      return { argv: [...argv], stdin };
    case 'nopasswd':
      return { argv: ['sudo', '-n', '--', ...argv], stdin };
    case 'password': {
      const line = Buffer.from(`${mode.password}\n`);
      const rest = stdin === undefined ? Buffer.alloc(0) : Buffer.from(stdin);
      return { argv: ['sudo', '-S', '-k', '-p', '', '--', ...argv], stdin: Buffer.concat([line, rest]) };
    }
  }
}

/** sudo is missing, refused, or the password was wrong: never retried. */
export class SudoError extends HostError {
  override name = 'SudoError';
}

/** Removes any occurrence of a secret from text that may reach a log or an error message. */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('********') : text;
}
