export { loadInventory, parseInventory } from './load.js';
export { InventoryError, formatProblem, type LocatedProblem } from './errors.js';
export { inventorySchema } from './schema.js';
export type * from './types.js';
