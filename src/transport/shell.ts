/**
 * The one place where commands become shell text. Every command is built as an argument array and quoted
 * here, once: a value can never be read as shell syntax, whatever it contains.
 */

/** Characters that need no quoting in a POSIX shell word. */
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function quote(arg: string): string {
  if (arg !== '' && SAFE.test(arg)) return arg;
  // Single quotes keep everything literal; a single quote itself is closed, escaped and reopened.
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map(quote).join(' ');
}

/** A shell variable reference as a whole argument: "$name". */
const VARIABLE = /^\$[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A command line for a constant script: like commandLine, except that an argument that is exactly a variable
 * reference ("$ep") is expanded by the shell, as one word ("$ep" in double quotes). Only for argument arrays
 * built from constants: a value from outside belongs in the script's arguments, never in its text.
 */
export function scriptLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('empty command');
  return argv.map((arg) => (VARIABLE.test(arg) ? `"${arg}"` : quote(arg))).join(' ');
}
