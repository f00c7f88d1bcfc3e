/**
 * Command-line parsing with the two conventions the stand-ins imitate:
 * - crictl (urfave/cli on Go's flag package): flags come before the positional arguments and parsing stops at the
 *   first one; `-x value`, `--xx value`, `--xx=value`; short boolean flags may be combined (`-aq`).
 * - kubelet (spf13/pflag): flags anywhere, `--flag=value` or `--flag value`, booleans as `--flag` or `--flag=false`.
 * Unknown flags are errors worded as the real programs word them.
 */

export interface FlagSpec {
  /** Long name without dashes, e.g. "runtime-endpoint". */
  name: string;
  /** Other names, e.g. ["r"] (one letter = short flag). */
  aliases?: string[];
  kind: 'bool' | 'string' | 'int' | 'list';
  /** Environment variable consulted when the flag is absent (urfave/cli's EnvVars). */
  env?: string;
}

export type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function lookup(specs: FlagSpec[], name: string): FlagSpec | undefined {
  return specs.find((s) => s.name === name || (s.aliases ?? []).includes(name));
}

function store(values: FlagValues, spec: FlagSpec, raw: string): void {
  if (spec.kind === 'list') {
    const list = (values[spec.name] as string[] | undefined) ?? [];
    list.push(raw);
    values[spec.name] = list;
  } else if (spec.kind === 'int') {
    if (!/^-?\d+$/.test(raw)) throw new UsageError(`invalid value "${raw}" for flag -${spec.name}: parse error`);
    values[spec.name] = Number(raw);
  } else if (spec.kind === 'bool') {
    if (raw !== 'true' && raw !== 'false') throw new UsageError(`invalid boolean value "${raw}" for -${spec.name}: parse error`);
    values[spec.name] = raw === 'true';
  } else {
    values[spec.name] = raw;
  }
}

/** crictl style: returns the flag values and the remaining positional arguments. */
export function parseUrfave(argv: string[], specs: FlagSpec[], env: NodeJS.ProcessEnv = process.env): { values: FlagValues; args: string[] } {
  const values: FlagValues = {};
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let spec = lookup(specs, name);
    if (!spec && !arg.startsWith('--') && eq < 0 && name.length > 1) {
      // Combined short booleans, e.g. -aq.
      const letters = [...name].map((l) => lookup(specs, l));
      if (letters.every((s) => s?.kind === 'bool')) {
        for (const s of letters) values[s!.name] = true;
        continue;
      }
    }
    if (!spec) throw new UsageError(`flag provided but not defined: -${name}`);
    if (spec.kind === 'bool') {
      values[spec.name] = eq >= 0 ? body.slice(eq + 1) === 'true' : true;
      continue;
    }
    if (eq >= 0) {
      store(values, spec, body.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`flag needs an argument: -${name}`);
      store(values, spec, next);
      i++;
    }
  }
  for (const spec of specs) {
    if (values[spec.name] === undefined && spec.env && env[spec.env] !== undefined && env[spec.env] !== '') {
      store(values, spec, env[spec.env]!);
    }
  }
  return { values, args: argv.slice(i) };
}

/** kubelet style: flags anywhere; returns values, positional arguments, and the flags in the order given. */
export function parsePflag(argv: string[], specs: FlagSpec[]): { values: FlagValues; args: string[] } {
  const values: FlagValues = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      args.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const body = arg.slice(long ? 2 : 1);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const spec = lookup(specs, name);
    if (!spec) throw new UsageError(long ? `unknown flag: --${name}` : `unknown shorthand flag: '${name.charAt(0)}' in -${name}`);
    if (spec.kind === 'bool') {
      store(values, spec, eq >= 0 ? body.slice(eq + 1) : 'true');
      continue;
    }
    if (eq >= 0) {
      store(values, spec, body.slice(eq + 1));
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`flag needs an argument: --${name}`);
      store(values, spec, next);
      i++;
    }
  }
  return { values, args };
}

/** Go's time.ParseDuration for the forms used on command lines ("2s", "1m30s", "500ms", "0"). */
export function parseGoDuration(text: string): number {
  if (text === '0') return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) throw new UsageError(`time: invalid duration "${text}"`);
  return total;
}
