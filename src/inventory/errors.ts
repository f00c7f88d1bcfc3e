/**
 * Located inventory errors: `inventory.yaml:12:7: hosts[0].roles[0]: must be one of control-plane, worker`.
 * All problems of a file are collected and reported together; the CLI maps InventoryError to exit code 2.
 */
import { InputError } from '../util/errors.js';

export type FieldPath = (string | number)[];

export interface Problem {
  path: FieldPath;
  message: string;
  /** Point at the key of the field (unknown fields) rather than at its value. */
  atKey?: boolean;
}

export interface LocatedProblem extends Problem {
  file: string;
  line: number;
  col: number;
}

export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

export function formatProblem(p: LocatedProblem): string {
  const where = formatPath(p.path);
  return `${p.file}:${p.line}:${p.col}: ${where ? `${where}: ` : ''}${p.message}`;
}

/** `file:line:column: warning: field: message`, as compilers print warnings beside errors. */
export function formatWarning(p: LocatedProblem): string {
  const where = formatPath(p.path);
  return `${p.file}:${p.line}:${p.col}: warning: ${where ? `${where}: ` : ''}${p.message}`;
}

export class InventoryError extends InputError {
  readonly problems: LocatedProblem[];
  constructor(problems: LocatedProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InventoryError';
    this.problems = problems;
  }
}
