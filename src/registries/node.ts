/**
 * Node-level registry credentials: a docker config.json in kubelet's root directory, the first place kubelet's
 * keyring looks (pkg/credentialprovider ReadDockerConfigFile: the kubelet root dir, then its working directory,
 * then ~/.docker and /.docker). Every Pod on the node can then pull from those registries, whatever namespace
 * and ServiceAccount it has. The file is the same on every host, so one digest tells a host whose copy differs.
 */
import type { Inventory, RenderedFile } from '../inventory/types.js';
import { loadRegistryCredentials } from './credentials.js';

/** kubelet's --root-dir default (/var/lib/kubelet) joined with config.json. */
export const KUBELET_DOCKER_CONFIG = '/var/lib/kubelet/config.json';

/**
 * The files every node gets for registries.nodeCredentials: none when it is off, else kubelet's config.json
 * (0600: it holds passwords) with the named registries' credentials from images.credentials.configFile.
 */
export async function nodeCredentialFiles(inv: Inventory): Promise<RenderedFile[]> {
  const wanted = inv.registries?.nodeCredentials ?? false;
  const file = inv.images.credentials.configFile;
  if (wanted === false || file === undefined) return [];
  const credentials = await loadRegistryCredentials(file);
  return [{ path: KUBELET_DOCKER_CONFIG, content: credentials.dockerConfigFor(wanted, 'registries.nodeCredentials'), mode: 0o600 }];
}
