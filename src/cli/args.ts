/** Command-line parsing on node:util's parseArgs: strict, so a misspelt flag is an error, not ignored. */
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export function parse(argv: string[], options: Options, usage: string): Parsed {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${usage}`);
  }
}

export function outputFormat(value: unknown): 'text' | 'json' {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new UsageError(`--output must be text or json, not "${String(value)}"`);
}

/** The options every command that works on hosts takes (up, reset, status). */
export const HOST_RUN_OPTIONS: Options = {
  'dry-run': { type: 'boolean' },
  concurrency: { type: 'string' },
  'accept-new-host-keys': { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  'ssh-config': { type: 'string', short: 'F' },
};

/** -F/--ssh-config, as an absolute path (the working directory may change before it is read). */
export function sshConfigOption(values: Parsed['values']): string | undefined {
  const value = values['ssh-config'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new UsageError('--ssh-config needs a file');
  return resolve(value);
}

export function hostRunOptions(values: Parsed['values']) {
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new UsageError('--concurrency must be a whole number of 1 or more');
  }
  return {
    dryRun: !!values['dry-run'],
    concurrency,
    acceptNewHostKeys: !!values['accept-new-host-keys'],
    format: outputFormat(values.output),
    /** ssh's -F: this file instead of ~/.ssh/config and /etc/ssh/ssh_config. */
    sshConfigFile: sshConfigOption(values),
  };
}
