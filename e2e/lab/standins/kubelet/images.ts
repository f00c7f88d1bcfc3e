/**
 * Image pulls as the kubelet does them: the container's imagePullPolicy decides, pulls go one at a time when
 * serializeImagePulls is true, else at most maxParallelImagePulls at once (unlimited when unset). Credentials come
 * from the Docker config files the kubelet's credential keyring reads (pkg/credentialprovider: <root-dir>/config.json,
 * $HOME/.docker/config.json, /.docker/config.json), since static Pods cannot name imagePullSecrets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CriClient, Msg } from '../cri/client.js';
import type { Logger } from './log.js';

/** A counting semaphore; limit undefined = no limit. */
class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number | undefined) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.limit !== undefined && this.running >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** "registry:5000/kube-apiserver:v1.28.4" → "registry:5000"; Docker Hub names → "docker.io". */
export function registryHost(image: string): string {
  const first = image.split('/')[0]!;
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

export function dockerConfigAuth(image: string, files: string[]): Msg | null {
  const host = registryHost(image);
  for (const file of files) {
    if (!existsSync(file)) continue;
    let auths: Record<string, { auth?: string; username?: string; password?: string }>;
    try {
      auths = (JSON.parse(readFileSync(file, 'utf8')) as { auths?: typeof auths }).auths ?? {};
    } catch {
      continue;
    }
    for (const [key, entry] of Object.entries(auths)) {
      const keyHost = key.replace(/^https?:\/\//, '').split('/')[0];
      if (keyHost !== host) continue;
      if (entry.username !== undefined) return { username: entry.username, password: entry.password ?? '' };
      if (entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const i = decoded.indexOf(':');
        return { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
      }
    }
  }
  return null;
}

export class ImagePuller {
  private readonly limiter: Limiter;
  private readonly keyringFiles: string[];

  constructor(
    private readonly cri: CriClient,
    private readonly log: Logger,
    maxParallel: number | undefined,
    rootDir: string,
  ) {
    this.limiter = new Limiter(maxParallel);
    this.keyringFiles = [join(rootDir, 'config.json'), join(process.env.HOME ?? '/root', '.docker', 'config.json'), '/.docker/config.json'];
  }

  /** Returns the image ID to run, pulling when the policy says so; throws with the kubelet's reasons. */
  async ensure(image: string, policy: 'Always' | 'IfNotPresent' | 'Never', pod: string): Promise<string> {
    const present = ((await this.cri.imageStatus(image)).image as Msg | null)?.id as string | undefined;
    if (policy === 'Never') {
      if (present) return present;
      throw new Error(`ErrImageNeverPull: Container image "${image}" is not present with pull policy of Never`);
    }
    if (policy === 'IfNotPresent' && present) {
      this.log.info('Container image already present on machine', { pod, image });
      return present;
    }
    return this.limiter.run(async () => {
      this.log.info('Pulling image', { pod, image });
      const started = Date.now();
      const auth = dockerConfigAuth(image, this.keyringFiles);
      try {
        const ref = await this.cri.pullImage(image, auth, 0);
        this.log.info('Successfully pulled image', { pod, image, duration: `${Date.now() - started}ms` });
        const id = ((await this.cri.imageStatus(image)).image as Msg | null)?.id as string | undefined;
        return id ?? ref;
      } catch (e) {
        throw new Error(`ErrImagePull: failed to pull image "${image}": ${(e as Error).message}`);
      }
    });
  }
}
