/**
 * Registry credentials as the kubelet finds them (pkg/credentialprovider): Docker config files become a keyring
 * whose keys are schemeless URLs ("reg:5000", "quay.io/team"; a /v1/ or /v2/ path counts as the host alone), kept
 * in reverse-sorted order so that more specific keys match first (keyring.go: BasicDockerKeyring). An image's
 * normalised repository ("docker.io/library/busybox") matches a key when host parts match as globs, ports are equal
 * and the key's path is a prefix of the image's (URLsMatch); Docker Hub images also take credentials stored under
 * "index.docker.io". A pod's imagePullSecrets form one keyring tried before the node's own
 * (pkg/credentialprovider/secrets: MakeDockerKeyring, UnionDockerKeyring).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** CRI's AuthConfig as the kubelet fills it from a keyring entry. */
export interface AuthConfig {
  username: string;
  password: string;
}

/** A Docker config: location → entry (config.go: DockerConfig / DockerConfigEntry). */
export type DockerConfig = Record<string, { username?: string; password?: string; auth?: string; email?: string }>;

const DEFAULT_REGISTRY_HOST = 'index.docker.io';

/** DockerConfigEntry.UnmarshalJSON: "auth" (base64 "user:pass") wins over username/password. */
function entryAuth(entry: DockerConfig[string]): AuthConfig {
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i >= 0) return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
  }
  return { username: entry.username ?? '', password: entry.password ?? '' };
}

function parseSchemeless(location: string): URL | undefined {
  try {
    return new URL(/^https?:\/\//.test(location) ? location : `https://${location}`);
  } catch {
    return undefined;
  }
}

/** BasicDockerKeyring.Add's key: host plus a path other than "/" (with /v1/ and /v2/ taken as the host alone). */
function keyOf(location: string): string | undefined {
  const parsed = parseSchemeless(location);
  if (!parsed) return undefined;
  let path = decodeURIComponent(parsed.pathname);
  if (path.startsWith('/v2/') || path.startsWith('/v1/')) path = path.slice(3);
  return path.length > 0 && path !== '/' ? parsed.host + path : parsed.host;
}

/** Go's filepath.Match for one host part: '*' and '?' never cross a '/', '[...]' classes. */
function globMatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/\[!/g, '[^');
  try {
    return new RegExp(`^${re}$`).test(text);
  } catch {
    return false;
  }
}

/** URLsMatch: same port, as many host parts each matching as a glob, and the key's path a prefix of the image's. */
export function urlsMatch(key: string, image: string): boolean {
  const glob = parseSchemeless(key);
  const target = parseSchemeless(image);
  if (!glob || !target) return false;
  if (glob.port !== target.port) return false;
  const globParts = glob.hostname.split('.');
  const targetParts = target.hostname.split('.');
  if (globParts.length !== targetParts.length) return false;
  if (!globParts.every((part, i) => globMatch(part, targetParts[i]!))) return false;
  return decodeURIComponent(target.pathname).startsWith(decodeURIComponent(glob.pathname));
}

/** isDefaultRegistryMatch: whether an image name pulls from Docker Hub. */
function isDefaultRegistryMatch(image: string): boolean {
  const [first, rest] = [image.split('/')[0]!, image.includes('/')];
  if (first.length === 0) return false;
  if (!rest) return true;
  if (first === 'docker.io' || first === DEFAULT_REGISTRY_HOST) return true;
  return !/[.:]/.test(first);
}

export class DockerKeyring {
  private readonly creds = new Map<string, AuthConfig[]>();
  private index: string[] = [];

  add(config: DockerConfig): this {
    for (const [location, entry] of Object.entries(config)) {
      const key = keyOf(location);
      if (key === undefined) continue;
      this.creds.set(key, [...(this.creds.get(key) ?? []), entryAuth(entry)]);
    }
    // Reverse-sorted, so "quay.io/coreos" is tried before "quay.io".
    this.index = [...this.creds.keys()].sort().reverse();
    return this;
  }

  /** Every credential whose key matches the image's repository, most specific first. */
  lookup(repository: string): AuthConfig[] {
    const found = this.index.filter((k) => urlsMatch(k, repository)).flatMap((k) => this.creds.get(k)!);
    if (found.length > 0) return found;
    return isDefaultRegistryMatch(repository) ? this.creds.get(DEFAULT_REGISTRY_HOST) ?? [] : [];
  }
}

/**
 * parsers.ParseImageName's repository: the normalised name without tag or digest ("busybox:1" →
 * "docker.io/library/busybox"), which is what the keyring is asked about.
 */
export function repositoryOf(image: string): string {
  let name = image.split('@')[0]!;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  const first = name.split('/')[0]!;
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasDomain) return name;
  return `docker.io/${name.includes('/') ? name : `library/${name}`}`;
}

/** A Secret as read from the API. */
export interface PullSecret {
  type?: string;
  data?: Record<string, string>;
}

/**
 * The Docker configs a pod's pull secrets hold: kubernetes.io/dockerconfigjson's ".dockerconfigjson" ({"auths":
 * …}) and kubernetes.io/dockercfg's legacy ".dockercfg" (the map itself); other types add nothing. A secret whose
 * content is no JSON fails the pull, as MakeDockerKeyring's error does.
 */
export function pullSecretConfigs(secrets: PullSecret[]): DockerConfig[] {
  const configs: DockerConfig[] = [];
  for (const secret of secrets) {
    const json = secret.data?.['.dockerconfigjson'];
    const legacy = secret.data?.['.dockercfg'];
    if (secret.type === 'kubernetes.io/dockerconfigjson' && json) {
      configs.push(((JSON.parse(Buffer.from(json, 'base64').toString('utf8')) as { auths?: DockerConfig }).auths ?? {}));
    } else if (secret.type === 'kubernetes.io/dockercfg' && legacy) {
      configs.push(JSON.parse(Buffer.from(legacy, 'base64').toString('utf8')) as DockerConfig);
    }
  }
  return configs;
}

/**
 * The node's Docker config (ReadDockerConfigFile): the first readable config.json of <root-dir>, $HOME/.docker and
 * /.docker, else the first legacy .dockercfg of <root-dir>, $HOME and /.
 */
export function readNodeDockerConfig(rootDir: string, home = process.env.HOME ?? '/root'): DockerConfig {
  const read = (file: string, pick: (doc: Record<string, unknown>) => DockerConfig): DockerConfig | undefined => {
    if (!existsSync(file)) return undefined;
    try {
      return pick(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
    } catch {
      return undefined;
    }
  };
  for (const dir of [rootDir, join(home, '.docker'), '/.docker']) {
    const config = read(join(dir, 'config.json'), (doc) => (doc.auths ?? {}) as DockerConfig);
    if (config) return config;
  }
  for (const dir of [rootDir, home, '/']) {
    const config = read(join(dir, '.dockercfg'), (doc) => doc as DockerConfig);
    if (config) return config;
  }
  return {};
}

/** The credentials to try, in order, for an image: the pull secrets' keyring first, then the node's. */
export function credentialsFor(image: string, pullSecrets: DockerConfig[], node: DockerConfig): AuthConfig[] {
  const repository = repositoryOf(image);
  const secrets = pullSecrets.length > 0 ? new DockerKeyring() : undefined;
  for (const config of pullSecrets) secrets!.add(config);
  return [...(secrets?.lookup(repository) ?? []), ...new DockerKeyring().add(node).lookup(repository)];
}
