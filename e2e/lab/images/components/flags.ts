/**
 * Command-line parsing with the rules of the real components (spf13/pflag as used by cobra):
 * `--name=value`, `--name value`, bare `--name` for booleans, `-v` as the one shorthand, and an error for
 * anything unknown, with the same wording the real binaries print.
 */

export interface FlagSet {
  /** Flags that take a value. */
  values: readonly string[];
  /** Boolean flags (`--name`, `--name=true|false`). */
  bools: readonly string[];
}

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export interface ParsedFlags {
  /** Last value given for each flag, as pflag keeps it (repeated string flags overwrite). */
  values: Map<string, string>;
  /** True when --help/-h was given. */
  help: boolean;
  /** True when --version was given (the real binaries accept --version[=raw]). */
  version: boolean;
}

/** Go's strconv.ParseBool accepts exactly these spellings. */
const GO_BOOLS: Record<string, boolean> = {
  '1': true, t: true, T: true, TRUE: true, true: true, True: true,
  '0': false, f: false, F: false, FALSE: false, false: false, False: false,
};

export function parseFlags(argv: readonly string[], set: FlagSet, commandName: string): ParsedFlags {
  const values = new Set(set.values);
  const bools = new Set(set.bools);
  const parsed: ParsedFlags = { values: new Map(), help: false, version: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const body = arg.slice(long ? 2 : 1);
    const eq = body.indexOf('=');
    let name = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (!long) {
      // klog's -v is the only shorthand the components define besides -h.
      if (name === 'h') name = 'help';
      else if (name === 'v') name = 'v';
      else throw new FlagError(`unknown shorthand flag: '${name.charAt(0)}' in ${arg}`);
    }
    if (name === 'help') {
      parsed.help = true;
      continue;
    }
    if (name === 'version') {
      parsed.version = true;
      continue;
    }
    if (bools.has(name)) {
      const text = inline ?? 'true';
      const value = GO_BOOLS[text];
      if (value === undefined) {
        throw new FlagError(`invalid argument "${text}" for "--${name}" flag: strconv.ParseBool: parsing "${text}": invalid syntax`);
      }
      parsed.values.set(name, String(value));
      continue;
    }
    if (values.has(name) || name === 'v') {
      let value = inline;
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: --${name}`);
        value = argv[++i]!;
      }
      parsed.values.set(name, value);
      continue;
    }
    throw new FlagError(long ? `unknown flag: --${name}` : `unknown shorthand flag: '${name}' in ${arg}`);
  }
  if (positional.length > 0) {
    // cmd/kube-apiserver/app/server.go and friends reject positional arguments this way.
    throw new FlagError(`"${commandName}" does not take any arguments, got ${goQuoteList(positional)}`);
  }
  return parsed;
}

function goQuoteList(items: string[]): string {
  return `[${items.map((s) => JSON.stringify(s)).join(' ')}]`;
}

/** Typed access to parsed flags with the components' defaults. */
export class Flags {
  constructor(private readonly parsed: ParsedFlags) {}

  has(name: string): boolean {
    return this.parsed.values.has(name);
  }

  string(name: string, fallback = ''): string {
    return this.parsed.values.get(name) ?? fallback;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.parsed.values.get(name);
    return v === undefined ? fallback : v === 'true';
  }

  int(name: string, fallback: number): number {
    const v = this.parsed.values.get(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v)) throw new FlagError(`invalid argument "${v}" for "--${name}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
    return Number(v);
  }

  list(name: string): string[] {
    const v = this.parsed.values.get(name);
    return v ? v.split(',').filter((s) => s !== '') : [];
  }
}
