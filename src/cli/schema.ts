import { inventorySchema } from '../inventory/index.js';
import { parse } from './args.js';

export const usage = `Usage: bootstrap schema

Prints the inventory's JSON Schema. Point yaml-language-server at it for completion and
unknown-field errors while editing:  # yaml-language-server: $schema=./inventory.schema.json`;

export async function schema(argv: string[]): Promise<number> {
  const { values } = parse(argv, {}, usage);
  if (values.help) return console.log(usage), 0;
  console.log(JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', title: 'bootstrap inventory', ...inventorySchema }, null, 2));
  return 0;
}
