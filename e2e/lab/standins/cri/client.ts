/**
 * A small CRI v1 client over gRPC (unix socket), shared by the lab's crictl and kubelet stand-ins.
 *
 * Messages are plain objects in proto3 JSON spelling (lowerCamelCase fields, enums as names, 64-bit integers as
 * strings), which is also what crictl prints; unset sub-messages come back as null.
 */
import { createHash } from 'node:crypto';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { CRI_V1_PROTO } from './api-proto.js';

/** Any CRI message as a plain object. */
export type Msg = Record<string, any>;

/** A failed CRI call, rendered the way Go's gRPC status errors read ("rpc error: code = X desc = Y"). */
export class CriError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly details: string,
  ) {
    super(`rpc error: code = ${grpcCodeName(code)} desc = ${details}`);
    this.name = 'CriError';
  }
}

function grpcCodeName(code: number): string {
  // Go spells the codes in CamelCase (codes.Code.String()); grpc-js has them in SCREAMING_CASE.
  const name = grpc.status[code] ?? `Code(${code})`;
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')
    .replace(/^Ok$/, 'OK');
}

let cachedDefinition: protoLoader.PackageDefinition | undefined;
let cachedPackage: grpc.GrpcObject | undefined;

/** Loads the protocol once per process; proto-loader reads files only, so the text goes to a content-named temp file. */
export function criDefinition(): protoLoader.PackageDefinition {
  if (cachedDefinition) return cachedDefinition;
  const digest = createHash('sha256').update(CRI_V1_PROTO).digest('hex').slice(0, 16);
  const file = join(tmpdir(), `bootstrap-lab-cri-v1-${digest}.proto`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, CRI_V1_PROTO);
    renameSync(partial, file);
  }
  cachedDefinition = protoLoader.loadSync(file, {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    arrays: true,
    objects: true,
  });
  return cachedDefinition;
}

function criPackage(): grpc.GrpcObject {
  cachedPackage ??= grpc.loadPackageDefinition(criDefinition());
  return cachedPackage;
}

/** "unix:///run/containerd/containerd.sock" or a bare socket path → a grpc-js target. */
export function grpcTarget(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return endpoint;
  if (endpoint.startsWith('/')) return `unix://${endpoint}`;
  throw new Error(`unsupported CRI endpoint "${endpoint}" (only unix sockets are supported, e.g. unix:///run/containerd/containerd.sock)`);
}

type Unary = (request: Msg, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response: Msg) => void) => void;

export class CriClient {
  private readonly runtime: grpc.Client;
  private readonly image: grpc.Client;

  /**
   * @param runtimeEndpoint e.g. unix:///run/containerd/containerd.sock
   * @param imageEndpoint defaults to the runtime endpoint, as with crictl and the kubelet
   * @param timeoutMs deadline of every call that does not set its own
   */
  constructor(
    readonly runtimeEndpoint: string,
    readonly imageEndpoint: string = runtimeEndpoint,
    readonly timeoutMs = 2000,
  ) {
    const pkg = criPackage() as any;
    const v1 = pkg.runtime.v1;
    const credentials = grpc.credentials.createInsecure();
    const options = { 'grpc.max_receive_message_length': 16 * 1024 * 1024 };
    this.runtime = new v1.RuntimeService(grpcTarget(runtimeEndpoint), credentials, options);
    this.image = new v1.ImageService(grpcTarget(imageEndpoint), credentials, options);
  }

  close(): void {
    this.runtime.close();
    this.image.close();
  }

  private call(client: grpc.Client, method: string, request: Msg, timeoutMs = this.timeoutMs): Promise<Msg> {
    const fn = (client as unknown as Record<string, Unary>)[method];
    if (!fn) throw new Error(`CRI method ${method} is not in the protocol subset`);
    const deadline = timeoutMs > 0 ? new Date(Date.now() + timeoutMs) : Infinity;
    return new Promise((resolve, reject) => {
      fn.call(client, request, new grpc.Metadata(), { deadline }, (err, response) => {
        if (err) reject(new CriError(method, err.code, err.details || err.message));
        else resolve(response);
      });
    });
  }

  // RuntimeService
  version(): Promise<Msg> {
    return this.call(this.runtime, 'Version', { version: 'v1' });
  }
  status(verbose: boolean): Promise<Msg> {
    return this.call(this.runtime, 'Status', { verbose });
  }
  async runPodSandbox(config: Msg, timeoutMs?: number): Promise<string> {
    return (await this.call(this.runtime, 'RunPodSandbox', { config }, timeoutMs)).podSandboxId as string;
  }
  async stopPodSandbox(podSandboxId: string, timeoutMs?: number): Promise<void> {
    await this.call(this.runtime, 'StopPodSandbox', { podSandboxId }, timeoutMs);
  }
  async removePodSandbox(podSandboxId: string, timeoutMs?: number): Promise<void> {
    await this.call(this.runtime, 'RemovePodSandbox', { podSandboxId }, timeoutMs);
  }
  podSandboxStatus(podSandboxId: string, verbose = false): Promise<Msg> {
    return this.call(this.runtime, 'PodSandboxStatus', { podSandboxId, verbose });
  }
  async listPodSandbox(filter: Msg | null = null): Promise<Msg[]> {
    return (await this.call(this.runtime, 'ListPodSandbox', { filter })).items as Msg[];
  }
  async createContainer(podSandboxId: string, config: Msg, sandboxConfig: Msg, timeoutMs?: number): Promise<string> {
    return (await this.call(this.runtime, 'CreateContainer', { podSandboxId, config, sandboxConfig }, timeoutMs))
      .containerId as string;
  }
  async startContainer(containerId: string, timeoutMs?: number): Promise<void> {
    await this.call(this.runtime, 'StartContainer', { containerId }, timeoutMs);
  }
  /** @param timeoutSeconds grace period before the runtime kills the container */
  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await this.call(this.runtime, 'StopContainer', { containerId, timeout: String(timeoutSeconds) }, (timeoutSeconds + 10) * 1000);
  }
  async removeContainer(containerId: string, timeoutMs?: number): Promise<void> {
    await this.call(this.runtime, 'RemoveContainer', { containerId }, timeoutMs);
  }
  async listContainers(filter: Msg | null = null): Promise<Msg[]> {
    return (await this.call(this.runtime, 'ListContainers', { filter })).containers as Msg[];
  }
  containerStatus(containerId: string, verbose = false): Promise<Msg> {
    return this.call(this.runtime, 'ContainerStatus', { containerId, verbose });
  }

  // ImageService
  async listImages(image = ''): Promise<Msg[]> {
    return (await this.call(this.image, 'ListImages', { filter: image ? { image: { image } } : null })).images as Msg[];
  }
  /** The image's status, or image: null when the runtime does not have it. */
  imageStatus(image: string, verbose = false): Promise<Msg> {
    return this.call(this.image, 'ImageStatus', { image: { image }, verbose });
  }
  /** @param timeoutMs 0 = no deadline (pulls take as long as they take, as with crictl's default) */
  async pullImage(image: string, auth: Msg | null, timeoutMs = 0, annotations: Record<string, string> = {}): Promise<string> {
    return (await this.call(this.image, 'PullImage', { image: { image, annotations }, auth }, timeoutMs)).imageRef as string;
  }
  async removeImage(image: string): Promise<void> {
    await this.call(this.image, 'RemoveImage', { image: { image } });
  }
}
