/**
 * The `registries` section (issue 12): each registry's endpoints and TLS for the runtime, which registry
 * credentials reach kubelet on every node, and which namespaces get an image pull Secret. The credentials
 * themselves stay in images.credentials.configFile, read when `up` or `render` runs; here only names, URLs and
 * files are checked, with located problems.
 */
import type { FieldPath } from './errors.js';
import { existingFile, REGISTRY_NAME, URL_LIKE, type SectionResolver } from './prepare.js';
import type { RegistriesSettings, RegistrySettings } from './types.js';

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

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

function endpoint(r: SectionResolver, path: FieldPath, raw: Raw): RegistrySettings {
  const mirrors = Array.isArray(raw.mirrors) ? raw.mirrors.filter((m): m is string => typeof m === 'string') : [];
  mirrors.forEach((m, i) => {
    if (!URL_LIKE.test(m)) r.fail([...path, 'mirrors', i], `"${m}" is not a registry URL (e.g. https://mirror.example.com)`);
  });
  const server = str(raw.server);
  if (server !== undefined && !URL_LIKE.test(server)) r.fail([...path, 'server'], `"${server}" is not a registry URL (e.g. http://10.0.0.5:5000)`);
  const ca = str(raw.ca);
  return { ...(server === undefined ? {} : { server }), mirrors, ca: ca === undefined ? undefined : existingFile(r, [...path, 'ca'], ca), skipVerify: raw.skipVerify === true };
}

/** registries.endpoints: registry name → its endpoints and TLS settings. */
function endpoints(r: SectionResolver, raw: unknown): Record<string, RegistrySettings> {
  const out: Record<string, RegistrySettings> = {};
  for (const [name, value] of Object.entries(isObject(raw) ? raw : {})) {
    const path = ['registries', 'endpoints', name];
    if (!REGISTRY_NAME.test(name)) r.fail(path, `"${name}" is not a registry name: host[:port] as in image names (docker.io, registry.example.com:5000) or _default`);
    out[name] = endpoint(r, path, isObject(value) ? value : {});
  }
  return out;
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
  return { endpoints: endpoints(r, section.endpoints), nodeCredentials, ...(pullSecrets ? { pullSecrets } : {}) };
}
