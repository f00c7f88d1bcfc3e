/**
 * Structural validation with Ajv against the inventory's JSON Schema: unknown fields (with "did you mean"),
 * missing required fields, wrong types, values outside an enum. Ajv is used because it reports every error at
 * once with a JSON pointer we can map back to a YAML position, and because the same schema serves editors.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { FieldPath, Problem } from './errors.js';
import { inventorySchema } from './schema.js';
import { closest } from './suggest.js';

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) compiled = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true }).compile(inventorySchema);
  return compiled;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  null: 'null',
};

function pathOf(pointer: string): FieldPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** The property names the schema allows at an error's location, for suggestions. */
function knownProperties(error: ErrorObject): string[] {
  const schema = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.properties ?? {});
}

function describe(error: ErrorObject): Problem | undefined {
  const path = pathOf(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = knownProperties(error);
      const guess = closest(name, known);
      const hint = guess ? ` (did you mean "${guess}"?)` : known.length ? ` (known fields: ${known.join(', ')})` : '';
      return { path: [...path, name], message: `unknown field "${name}"${hint}`, atKey: true };
    }
    case 'required':
      return { path, message: `missing required field "${String(params.missingProperty)}"` };
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'type': {
      const types = String(params.type).split(',');
      const expected = `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
      // YAML reads 1.28 as a number and yes/no-looking words stay strings: say how to write it.
      const scalar = typeof error.data === 'number' || typeof error.data === 'boolean';
      const hint = types.includes('string') && scalar ? ` (quote it: YAML reads ${String(error.data)} as a ${typeof error.data})` : '';
      return { path, message: expected + hint };
    }
    case 'minimum':
    case 'maximum':
      return { path, message: `must be ${String(params.comparison)} ${String(params.limit)}` };
    case 'minItems':
      return { path, message: params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} items` };
    default:
      return { path, message: error.message ?? 'is not valid' };
  }
}

export function checkStructure(data: unknown): Problem[] {
  const validate = validator();
  if (validate(data)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error);
    if (!problem) continue;
    const key = `${problem.path.join('\u0000')}|${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}
