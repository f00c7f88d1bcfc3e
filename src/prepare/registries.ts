/**
 * Registry mirrors and TLS settings as containerd reads them: one certs.d/<registry>/hosts.toml per registry
 * (containerd's docs/hosts.md), found through config_path = "/etc/containerd/certs.d" (containerd.ts). A CA
 * given in the inventory is copied beside it as ca.crt. Registry credentials are not written here: bootstrap
 * passes them to crictl per pull (images.credentials), so they never sit in a file on the host.
 */
import type { RegistrySettings } from '../inventory/types.js';
import type { FileWrite } from '../transport/host.js';
import { formatScalar } from './toml.js';

export const CERTS_D = '/etc/containerd/certs.d';

/**
 * The registry's own endpoint: the inventory's server, else https://<name> (Docker Hub's is registry-1.docker.io);
 * _default has none (it applies to every registry).
 */
export function registryServer(name: string, settings?: RegistrySettings): string | undefined {
  if (settings?.server) return settings.server;
  if (name === '_default') return undefined;
  return name === 'docker.io' ? 'https://registry-1.docker.io' : `https://${name}`;
}

function tlsLines(caPath: string | undefined, skipVerify: boolean, indent: string): string {
  return (caPath ? `${indent}ca = ${formatScalar(caPath)}\n` : '') + (skipVerify ? `${indent}skip_verify = true\n` : '');
}

/** hosts.toml for one registry: mirrors first (pull and resolve only), then the registry itself as the fallback. */
export function hostsToml(name: string, registry: RegistrySettings): string {
  const caPath = registry.ca ? `${CERTS_D}/${name}/ca.crt` : undefined;
  const server = registryServer(name, registry);
  let out = '# Written by bootstrap prepare from the inventory (registries.endpoints).\n';
  if (server) out += `server = ${formatScalar(server)}\n`;
  out += tlsLines(caPath, registry.skipVerify, '');
  for (const mirror of registry.mirrors) {
    out += `\n[host.${formatScalar(mirror)}]\n  capabilities = ["pull", "resolve"]\n${tlsLines(caPath, registry.skipVerify, '  ')}`;
  }
  // containerd 1.6 still speaks HTTPS to a server given alone, whatever its scheme; as a host entry (the last, after
  // the mirrors) it is used as written, e.g. plain HTTP.
  if (registry.server) {
    out += `\n[host.${formatScalar(registry.server)}]\n  capabilities = ["pull", "resolve"]\n${tlsLines(caPath, registry.skipVerify, '  ')}`;
  }
  return out;
}

/** Every file of the registries' settings; cas holds each CA's bytes, read from the control machine by the phase. */
export function registryFiles(registries: Record<string, RegistrySettings>, cas: ReadonlyMap<string, Buffer>): FileWrite[] {
  return Object.entries(registries)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([name, registry]) => {
      const files: FileWrite[] = [{ path: `${CERTS_D}/${name}/hosts.toml`, content: hostsToml(name, registry), mode: 0o644 }];
      const ca = registry.ca ? cas.get(registry.ca) : undefined;
      if (registry.ca && !ca) throw new Error(`the CA ${registry.ca} was not read`);
      if (ca) files.push({ path: `${CERTS_D}/${name}/ca.crt`, content: ca, mode: 0o644 });
      return files;
    });
}
