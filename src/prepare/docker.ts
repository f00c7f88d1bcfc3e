/**
 * registries.endpoints on a Docker host (the dockershim runtime, before v1.24): what Docker itself can express.
 *
 * - A registry's CA: /etc/docker/certs.d/<registry>/ca.crt, read by dockerd on every pull (no restart).
 * - Mirrors: Docker mirrors Docker Hub only (daemon.json `registry-mirrors`); mirrors of another registry and a
 *   server other than the registry's own name cannot be expressed, and are reported as notes.
 * - skipVerify, or a server that speaks plain HTTP: daemon.json `insecure-registries`.
 *
 * daemon.json is edited, not replaced: only `registry-mirrors` and `insecure-registries` change, and only when
 * the inventory names endpoints at all (then they are exactly the inventory's). Both are options dockerd reloads
 * on SIGHUP (Docker's "configuration reload behavior"), so `systemctl reload docker` applies them without stopping
 * a container.
 */
import type { RegistrySettings } from '../inventory/types.js';
import { contentHash, type FileWrite } from '../transport/host.js';
import { emptyPart, PrepareError, type PlanPart } from './plan.js';

export const DOCKER_DAEMON_JSON = '/etc/docker/daemon.json';
export const DOCKER_CERTS_D = '/etc/docker/certs.d';

/** A CRI socket that means Docker: dockershim (kubeadm before v1.24) or docker.sock itself. */
export function isDockerSocket(socket: string | undefined): boolean {
  return socket !== undefined && /dockershim|docker\.sock/.test(socket);
}

export interface DockerRegistriesInput {
  registries: Record<string, RegistrySettings>;
  /** daemon.json as found; undefined: none. */
  daemonJson?: string;
  /** SHA-256 of the files as found, by path. */
  hashOf: (path: string) => string | undefined;
  cas: ReadonlyMap<string, Buffer>;
}

type DaemonConfig = Record<string, unknown>;

function parseDaemonJson(text: string | undefined): DaemonConfig {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PrepareError(`${DOCKER_DAEMON_JSON} is not valid JSON: dockerd would not start with it either; fix it, then run again`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PrepareError(`${DOCKER_DAEMON_JSON} is not a JSON object`);
  return value as DaemonConfig;
}

const sameList = (a: unknown, b: string[]) => Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);

export function planDockerRegistries(input: DockerRegistriesInput): PlanPart {
  const part = emptyPart();
  const names = Object.keys(input.registries).sort();
  if (!names.length) return part;
  const mirrors: string[] = [];
  const insecure: string[] = [];
  for (const name of names) {
    const registry = input.registries[name] as RegistrySettings;
    if (name === '_default') {
      part.notes.push('registries.endpoints._default: Docker has no settings for every registry at once; left out on this Docker host');
      continue;
    }
    if (name === 'docker.io') mirrors.push(...registry.mirrors);
    else if (registry.mirrors.length) part.notes.push(`registries.endpoints.${name}.mirrors: Docker mirrors only Docker Hub; this Docker host pulls ${name} from the registry itself`);
    const plainHttp = registry.server?.startsWith('http://') ?? false;
    if (registry.server && !plainHttp && registry.server !== `https://${name}`) {
      part.notes.push(`registries.endpoints.${name}.server: Docker reaches a registry only at its own name; this Docker host pulls ${name} from https://${name}`);
    }
    if (registry.skipVerify || plainHttp) insecure.push(name);
    if (registry.ca) {
      const ca = input.cas.get(registry.ca);
      if (!ca) throw new Error(`the CA ${registry.ca} was not read`);
      const file: FileWrite = { path: `${DOCKER_CERTS_D}/${name}/ca.crt`, content: ca, mode: 0o644 };
      if (input.hashOf(file.path) !== contentHash(ca)) {
        part.files.push(file);
        part.changes.push(`write ${file.path}`);
      }
    }
  }
  const config = parseDaemonJson(input.daemonJson);
  const changed: string[] = [];
  for (const [key, want] of [['registry-mirrors', mirrors], ['insecure-registries', insecure]] as const) {
    if (sameList(config[key], want) || (config[key] === undefined && want.length === 0)) continue;
    if (want.length) config[key] = want;
    else delete config[key];
    changed.push(`${key} = [${want.join(', ')}]`);
  }
  if (changed.length) {
    part.files.push({ path: DOCKER_DAEMON_JSON, content: `${JSON.stringify(config, null, 2)}\n`, mode: 0o644 });
    part.changes.push(...changed.map((c) => `docker: ${c}`), 'reload docker (registry settings changed)');
    part.after.push(['systemctl', 'reload', 'docker']);
  }
  return part;
}
