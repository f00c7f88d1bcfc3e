/**
 * Private-registry credentials for image pulls, read from a docker `config.json` on the control machine
 * (images.credentials.configFile) and matched to an image by its registry host.
 *
 * Only credentials written into the file are used: `auths[registry].auth` (base64 "user:password", what
 * `docker login` writes when no credential store is configured) or `auths[registry].username`/`password`.
 * Credential stores and helpers (`credsStore`, `credHelpers`) would mean running a helper program on the control
 * machine; they are refused with a message that says how to write a file that works.
 *
 * A credential never reaches argv, logs, error messages or JSON: RegistryCredential keeps the secret in a
 * private field, serializes and inspects to its registry and user name only, and hands the secret out only
 * to build a command's standard input.
 */
import { open } from 'node:fs/promises';
import { inspect } from 'node:util';
import { InputError } from '../util/errors.js';
import { credentialRegistry, DOCKER_HUB, DOCKER_HUB_AUTH_KEY, registryOf } from '../kube/image-ref.js';

/** A problem with the credentials file that the user has to fix: never retried, no stack trace. */
export class CredentialsError extends InputError {
  override name = 'CredentialsError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

export { DOCKER_HUB_AUTH_KEY, normalizeImage, parseImageReference, registryOf, type ImageReference } from '../kube/image-ref.js';

/**
 * A key of `auths` as a registry host, as docker's ConvertToHostname does: "https://reg:5001/v1/" → "reg:5001";
 * Docker Hub's spellings → "docker.io".
 */
export function registryOfAuthKey(key: string): string {
  return credentialRegistry(key.replace(/^https?:\/\//, '').split('/')[0] ?? '');
}

/** The credentials for one registry. The secret stays in a private field. */
export class RegistryCredential {
  readonly #auth: string;
  readonly #password: string;

  constructor(
    readonly registry: string,
    readonly username: string,
    password: string,
  ) {
    this.#password = password;
    this.#auth = Buffer.from(`${username}:${password}`).toString('base64');
  }

  /** base64("user:password"): what crictl's CRICTL_AUTH and a docker config.json's `auth` take. */
  authForStdin(): string {
    return this.#auth;
  }

  /** The password alone, typed on a terminal for `crictl pull --username`. */
  passwordForStdin(): string {
    return this.#password;
  }

  /** A docker config.json holding only this credential, for a temporary DOCKER_CONFIG directory. */
  dockerConfigForStdin(): string {
    const key = this.registry === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : this.registry;
    return JSON.stringify({ auths: { [key]: { auth: this.#auth } } });
  }

  /** Removes the secret (in any form a tool could echo) from text bound for a message or log. */
  redact(text: string): string {
    let out = text;
    for (const secret of [this.#auth, this.#password]) if (secret) out = out.split(secret).join('********');
    return out;
  }

  toJSON(): { registry: string; username: string } {
    return { registry: this.registry, username: this.username };
  }

  toString(): string {
    return `credentials for ${this.username}@${this.registry}`;
  }

  [inspect.custom](): string {
    return `RegistryCredential { registry: '${this.registry}', username: '${this.username}' }`;
  }
}

/** Every credential of one config file, by registry host. */
export class RegistryCredentials {
  constructor(
    /** Where they were read from, for messages. */
    readonly file: string,
    private readonly byRegistry: ReadonlyMap<string, RegistryCredential>,
  ) {}

  /** The credential for the image's registry, or undefined (the registry is then pulled from anonymously). */
  forImage(image: string): RegistryCredential | undefined {
    return this.byRegistry.get(registryOf(image));
  }

  registries(): string[] {
    return [...this.byRegistry.keys()];
  }

  /**
   * A docker config.json holding the credentials of `registries` ('all': every registry of the file) and
   * nothing else, for kubelet's keyring or an image pull Secret: `auths` keyed by registry host (Docker Hub as
   * https://index.docker.io/v1/, the key kubelet and docker look up), each with its base64 `auth`, keys sorted so
   * that equal credentials give equal bytes. `field` names the inventory field for a registry the file lacks.
   */
  dockerConfigFor(registries: 'all' | readonly string[], field: string): string {
    const names = registries === 'all' ? this.registries() : registries.map((r) => credentialRegistry(r));
    const missing = names.filter((name) => !this.byRegistry.has(name));
    if (missing.length) {
      throw new CredentialsError(`${field} names ${missing.join(', ')}, for which ${this.file} holds no credentials (it has: ${this.registries().join(', ') || 'none'})`);
    }
    const auths: Record<string, { auth: string }> = {};
    for (const name of [...new Set(names)].sort()) {
      const credential = this.byRegistry.get(name) as RegistryCredential;
      auths[name === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : name] = { auth: credential.authForStdin() };
    }
    return `${JSON.stringify({ auths }, null, 2)}\n`;
  }

  toJSON(): { file: string; registries: string[] } {
    return { file: this.file, registries: this.registries() };
  }
}

const HOW_TO_WRITE =
  'write a config file with the credentials inline instead, e.g. ' +
  '`DOCKER_CONFIG=$(mktemp -d) docker login REGISTRY` on a machine without a credential helper writes ' +
  '$DOCKER_CONFIG/config.json with "auths", and point images.credentials.configFile at it';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The user and password of one `auths` entry, or undefined for an empty entry; throws for what cannot be used. */
function entryCredentials(file: string, key: string, entry: unknown): { username: string; password: string } | undefined {
  const where = `${file}: auths["${key}"]`;
  if (!isObject(entry)) throw new CredentialsError(`${where} is not an object`);
  const { auth, username, password, identitytoken, registrytoken } = entry;
  if (typeof auth === 'string' && auth !== '') {
    // Decoded, never quoted back: a malformed value may still be a real password.
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || Buffer.from(decoded).toString('base64').replace(/=+$/, '') !== auth.replace(/=+$/, '')) {
      throw new CredentialsError(`${where}.auth is not base64 of "user:password"`);
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof username === 'string' && username !== '') {
    if (typeof password !== 'string') throw new CredentialsError(`${where} has a username but no password`);
    return { username, password };
  }
  if (identitytoken !== undefined || registrytoken !== undefined) {
    throw new CredentialsError(`${where} holds a token (identitytoken/registrytoken), which image pulls through crictl cannot use; ${HOW_TO_WRITE}`);
  }
  return undefined;
}

/** Parses the text of a docker config.json; `file` only names it in messages. */
export function parseDockerConfig(text: string, file: string): RegistryCredentials {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the text around a syntax error; the text may hold a secret, so only the kind is kept.
    const why = error instanceof SyntaxError ? 'it is not valid JSON' : 'it could not be read';
    throw new CredentialsError(`${file}: ${why}`);
  }
  if (!isObject(data)) throw new CredentialsError(`${file}: expected a JSON object with "auths"`);
  if (typeof data.credsStore === 'string' && data.credsStore !== '') {
    throw new CredentialsError(
      `${file}: "credsStore": "${data.credsStore}" keeps the credentials in a helper program (docker-credential-${data.credsStore}), ` +
        `which bootstrap does not run; ${HOW_TO_WRITE}`,
    );
  }
  if (isObject(data.credHelpers) && Object.keys(data.credHelpers).length) {
    throw new CredentialsError(
      `${file}: "credHelpers" (${Object.keys(data.credHelpers).join(', ')}) keep credentials in helper programs, ` +
        `which bootstrap does not run; ${HOW_TO_WRITE}`,
    );
  }
  const auths = data.auths ?? {};
  if (!isObject(auths)) throw new CredentialsError(`${file}: "auths" is not an object`);
  const byRegistry = new Map<string, RegistryCredential>();
  for (const [key, entry] of Object.entries(auths)) {
    const found = entryCredentials(file, key, entry);
    if (!found) continue;
    const registry = registryOfAuthKey(key);
    if (!registry) throw new CredentialsError(`${file}: auths key "${key}" names no registry`);
    byRegistry.set(registry, new RegistryCredential(registry, found.username, found.password));
  }
  return new RegistryCredentials(file, byRegistry);
}

/** Group and world read bits: either one lets another account on this machine read the passwords. */
const SHARED_READ = 0o044;

/** Refuses a credentials file other users can read: it holds registry passwords, like ~/.docker/config.json (0600). */
function assertPrivate(file: string, mode: number): void {
  if (!(mode & SHARED_READ)) return;
  const who = mode & 0o004 ? 'every user' : 'its group';
  throw new CredentialsError(
    `images.credentials.configFile ${file} is readable by ${who} (mode ${(mode & 0o7777).toString(8).padStart(4, '0')}) ` +
      `and holds registry passwords: check who could have read it, then run chmod 600 '${file.replace(/'/g, `'\\''`)}'`,
  );
}

/** Reads the docker config.json named by images.credentials.configFile, refusing it when others can read it. */
export async function loadRegistryCredentials(file: string): Promise<RegistryCredentials> {
  let text: string;
  try {
    // The mode is taken from the open file itself, so what is checked is what is read.
    const handle = await open(file, 'r');
    try {
      assertPrivate(file, (await handle.stat()).mode);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof CredentialsError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new CredentialsError(`images.credentials.configFile ${file}: ${why}`);
  }
  return parseDockerConfig(text, file);
}
