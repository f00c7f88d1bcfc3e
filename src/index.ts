/**
 * The library: what the CLI does, for programs and end-to-end suites that need a cluster.
 *
 *   import { up, loadInventory } from 'bootstrap';
 *   const report = await up('inventory.yaml', { acceptNewHostKeys: true });
 */
export { up, UpFailedError, type UpReport, type HostReport } from './commands/up.js';
export { removeHost, type RemoveOptions, type RemoveReport } from './commands/remove.js';
export type { UpOptions } from './pipeline/context.js';
export { HostsFailedError } from './pipeline/runner.js';
export { loadInventory, parseInventory, InventoryError, inventorySchema } from './inventory/index.js';
export type * from './inventory/types.js';
export { renderCluster, writeRenderTree } from './render/index.js';
export { catalogImages, defaultImageRepository } from './kube/images.js';
export { normalizeKubernetesVersion, VersionError, SUPPORTED_MINORS } from './kube/version.js';
export { BootstrapError, errorCategory, isRetryable, type ErrorCategory } from './util/errors.js';
