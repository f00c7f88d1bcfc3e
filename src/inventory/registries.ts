/**
 * The `registries` section (issue 12): which registry credentials reach kubelet on every node and which
 * namespaces get an image pull Secret. The credentials themselves stay in images.credentials.configFile, read
 * when `up` or `render` runs; here only names are checked, with located problems.
 */
import type { FieldPath } from './errors.js';
import type { SectionResolver } from './prepare.js';
import type { RegistriesSettings } from './types.js';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A registry host as image names and docker config.json keys name it: host[:port]. */
const REGISTRY_HOST = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:\d{1,5})?$/;
/** A namespace or Secret name: an RFC 1123 label (validation.IsDNS1123Label), as the API server requires. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A Secret's name: an RFC 1123 subdomain (validation.IsDNS1123Subdomain). */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The pull Secret's name when the inventory gives none. */
export const DEFAULT_PULL_SECRET = 'registry-credentials';

function registryList(r: SectionResolver, path: FieldPath, raw: unknown): string[] {
  const names = Array.isArray(raw) ? raw.filter((n): n is string => typeof n === 'string') : [];
  names.forEach((name, i) => {
    if (!REGISTRY_HOST.test(name)) r.fail([...path, i], `"${name}" is not a registry: host[:port] as in image names (registry.example.com, 10.0.0.5:5000)`);
  });
  return [...new Set(names)];
}

/**
 * `registries`: absent → nothing. Anything it asks for needs images.credentials.configFile (`credentialsFile`),
 * the one file on this machine that holds registry passwords.
 */
export function resolveRegistries(r: SectionResolver, raw: unknown, credentialsFile: string | undefined): RegistriesSettings {
  const section = isObject(raw) ? raw : {};
  const node = section.nodeCredentials;
  const nodeCredentials: RegistriesSettings['nodeCredentials'] =
    node === true ? 'all' : Array.isArray(node) ? registryList(r, ['registries', 'nodeCredentials'], node) : false;
  let pullSecrets: RegistriesSettings['pullSecrets'];
  if (isObject(section.pullSecrets)) {
    const p = section.pullSecrets;
    const name = typeof p.name === 'string' ? p.name : DEFAULT_PULL_SECRET;
    if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) {
      r.fail(['registries', 'pullSecrets', 'name'], `"${name}" is not a Secret name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit`);
    }
    const namespaces = Array.isArray(p.namespaces) ? [...new Set(p.namespaces.filter((n): n is string => typeof n === 'string'))] : [];
    namespaces.forEach((ns, i) => {
      if (!DNS1123_LABEL.test(ns) || ns.length > 63) {
        r.fail(['registries', 'pullSecrets', 'namespaces', i], `"${ns}" is not a namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit`);
      }
    });
    const registries = p.registries === undefined ? 'all' : registryList(r, ['registries', 'pullSecrets', 'registries'], p.registries);
    pullSecrets = { name, namespaces, registries };
  }
  if ((nodeCredentials !== false || pullSecrets) && credentialsFile === undefined) {
    r.fail(['registries', nodeCredentials !== false ? 'nodeCredentials' : 'pullSecrets'],
      'needs images.credentials.configFile: the docker config.json on this machine that holds the registries\' credentials');
  }
  return { nodeCredentials, ...(pullSecrets ? { pullSecrets } : {}) };
}
