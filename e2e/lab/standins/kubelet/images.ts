/**
 * Image pulls as the kubelet does them (pkg/kubelet/images/image_manager.go, kuberuntime_image.go): the container's
 * imagePullPolicy decides, pulls go one at a time when serializeImagePulls is true, else at most
 * maxParallelImagePulls at once (unlimited when unset). Credentials come from the keyring (keyring.ts): the pod's
 * pull secrets, then the node's Docker config; each matching credential is tried in turn, and without any the pull
 * is anonymous. Failures carry the kubelet's reasons and messages.
 */
import type { CriClient, Msg } from '../cri/client.js';
import { credentialsFor, readNodeDockerConfig, type DockerConfig } from './keyring.js';
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

/** Why a container could not get its image: the waiting reason the kubelet reports and its message. */
export class ImageError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ErrImageNeverPull',
    readonly statusMessage: string,
  ) {
    super(`${reason}: ${statusMessage}`);
  }
}

export class ImagePuller {
  private readonly limiter: Limiter;

  constructor(
    private readonly cri: CriClient,
    private readonly log: Logger,
    maxParallel: number | undefined,
    private readonly rootDir: string,
  ) {
    this.limiter = new Limiter(maxParallel);
  }

  /**
   * Returns the image ID to run, pulling when the policy says so with the pull secrets' and the node's credentials;
   * throws ImageError with the kubelet's reasons.
   */
  async ensure(image: string, policy: 'Always' | 'IfNotPresent' | 'Never', pod: string, pullSecrets: DockerConfig[] = []): Promise<string> {
    const present = ((await this.cri.imageStatus(image)).image as Msg | null)?.id as string | undefined;
    if (policy === 'Never') {
      if (present) return present;
      throw new ImageError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
    }
    if (policy === 'IfNotPresent' && present) {
      this.log.info('Container image already present on machine', { pod, image });
      return present;
    }
    return this.limiter.run(async () => {
      this.log.info('Pulling image', { pod, image });
      const started = Date.now();
      // kuberuntime_image.go PullImage: anonymous without credentials, else each in turn until one works; the
      // errors of all attempts are aggregated ("[e1, e2]" for more than one).
      const credentials = credentialsFor(image, pullSecrets, readNodeDockerConfig(this.rootDir));
      const errors: string[] = [];
      for (const auth of credentials.length > 0 ? credentials : [null]) {
        try {
          const ref = await this.cri.pullImage(image, auth, 0);
          this.log.info('Successfully pulled image', { pod, image, duration: `${Date.now() - started}ms` });
          const id = ((await this.cri.imageStatus(image)).image as Msg | null)?.id as string | undefined;
          return id ?? ref;
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      const message = errors.length === 1 ? errors[0]! : `[${errors.join(', ')}]`;
      this.log.warn('Failed to pull image', { pod, image, err: message });
      throw new ImageError('ErrImagePull', `Failed to pull image "${image}": ${message}`);
    });
  }
}
