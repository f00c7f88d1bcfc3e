/**
 * Pods bound to the node through the API server. The lab API server has no watch, so the kubelet polls
 * `GET /api/v1/pods?fieldSelector=spec.nodeName=<node>` (the one list the Node authorizer grants a node from v1.32)
 * about once a second, runs each pod through a PodWorker as static pods are run, and reports each pod's status with
 * PATCH pods/<name>/status whenever it changes (pkg/kubelet/status/status_manager.go). A pod's imagePullSecrets are
 * read through the API as the node (pkg/kubelet/kubelet_pods.go: getPullSecretsForPod; a missing one is logged and
 * skipped). A pod that leaves the list is stopped and removed; one with a deletionTimestamp too, then deleted with
 * grace period 0 as the status manager does once its containers are gone. Terminal pods (Succeeded, Failed) are
 * not started again. A restarted kubelet adopts the sandboxes of pods still bound to it. No mirror pods.
 */
import { isNotFound, type ApiClient } from './apiclient.js';
import type { Logger } from './log.js';
import { apiPod, ManifestError, type Pod } from './pod.js';
import { pullSecretConfigs, type DockerConfig, type PullSecret } from './keyring.js';
import { podStatus } from './status.js';
import { adoptSandboxes, PodWorker, type WorkerDeps } from './worker.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ApiPodSettings {
  nodeName: string;
  hostIP: string;
  kubeletVersion: string;
  pollIntervalMs?: number;
}

export class ApiPodManager {
  private readonly workers = new Map<string, PodWorker>();
  /** The status last sent per pod uid, to send only changes. */
  private readonly sent = new Map<string, string>();
  private readonly refused = new Set<string>();
  private adopted = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private lastError = '';
  private readonly deps: WorkerDeps;

  constructor(
    private readonly client: ApiClient,
    private readonly settings: ApiPodSettings,
    deps: WorkerDeps,
    private readonly log: Logger,
  ) {
    this.deps = { ...deps, pullSecrets: (pod) => this.pullSecrets(pod) };
  }

  start(): void {
    const tick = (): void => {
      this.running = this.poll()
        .catch((e: Error) => {
          if (e.message !== this.lastError) this.log.error('Failed to list pods bound to the node', { node: this.settings.nodeName, err: e.message });
          this.lastError = e.message;
        })
        .finally(() => {
          if (!this.closed) this.timer = setTimeout(tick, this.settings.pollIntervalMs ?? 1000);
        });
    };
    tick();
  }

  private async poll(): Promise<void> {
    const path = `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${this.settings.nodeName}`)}`;
    const items = (await this.client.request<{ items?: Obj[] }>('GET', path)).items ?? [];
    this.lastError = '';
    if (this.closed) return;
    const listed = new Map(items.map((o) => [String(o.metadata?.uid), o]));
    const wanted = new Map<string, Pod>();
    for (const [uid, object] of listed) {
      if (object.metadata?.deletionTimestamp) continue;
      try {
        wanted.set(uid, apiPod(object));
      } catch (e) {
        if (!(e instanceof ManifestError)) throw e;
        if (!this.refused.has(uid)) this.log.error('Cannot run pod', { pod: `${object.metadata?.namespace}/${object.metadata?.name}`, err: e.message });
        this.refused.add(uid);
      }
    }
    if (!this.adopted) {
      for (const worker of await adoptSandboxes(this.deps, 'api', [...wanted.values()], this.log)) this.workers.set(worker.pod.uid, worker);
      this.adopted = true;
    }
    for (const [uid, worker] of this.workers) {
      if (wanted.has(uid)) continue;
      this.workers.delete(uid);
      this.sent.delete(uid);
      const object = listed.get(uid);
      await worker.terminate(object ? 'pod is being deleted' : 'pod deleted').catch((e: Error) => this.log.error('Failed to kill pod', { pod: worker.podRef, err: e.message }));
      if (object) await this.deleteTerminated(object);
    }
    for (const [uid, object] of listed) {
      if (object.metadata?.deletionTimestamp && !this.workers.has(uid)) await this.deleteTerminated(object);
    }
    for (const [uid, pod] of wanted) {
      if (this.workers.has(uid)) continue;
      const phase = listed.get(uid)?.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const worker = new PodWorker(pod, this.deps);
      this.workers.set(uid, worker);
      this.log.info('SyncLoop ADD', { source: 'api', pod: worker.podRef, podUID: uid });
      worker.start();
    }
    for (const [uid, worker] of this.workers) await this.report(worker, listed.get(uid)!);
  }

  /** The status manager's final delete of a pod whose containers are gone: grace period 0, the pod's uid as precondition. */
  private async deleteTerminated(object: Obj): Promise<void> {
    const { namespace, name, uid } = object.metadata;
    try {
      await this.client.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}`, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid } });
      this.log.info('Pod fully terminated and removed from etcd', { pod: `${namespace}/${name}` });
    } catch (e) {
      if (!isNotFound(e)) this.log.error('Failed to delete status for pod', { pod: `${namespace}/${name}`, err: (e as Error).message });
    }
  }

  private async report(worker: PodWorker, object: Obj): Promise<void> {
    const { namespace, name, uid } = object.metadata;
    try {
      const status = podStatus(worker.pod, object.spec ?? {}, await worker.observe(), {
        hostIP: this.settings.hostIP,
        version: this.settings.kubeletVersion,
        previous: object.status,
      });
      const text = JSON.stringify(status);
      if (this.sent.get(worker.pod.uid) === text) return;
      await this.client.request('PATCH', `/api/v1/namespaces/${namespace}/pods/${name}/status`, { metadata: { uid }, status }, 'application/strategic-merge-patch+json');
      this.sent.set(worker.pod.uid, text);
      this.log.info('Patch status for pod', { pod: worker.podRef, podUID: uid, phase: status.phase });
    } catch (e) {
      this.log.error('Failed to update status for pod', { pod: worker.podRef, err: (e as Error).message });
    }
  }

  /** getPullSecretsForPod: each named Secret read as the node; one that cannot be read is skipped. */
  private async pullSecrets(pod: Pod): Promise<DockerConfig[]> {
    const secrets: PullSecret[] = [];
    for (const name of pod.imagePullSecrets) {
      try {
        secrets.push(await this.client.request<PullSecret>('GET', `/api/v1/namespaces/${pod.namespace}/secrets/${name}`));
      } catch (e) {
        this.log.warn('Unable to retrieve pull secret, the image pull may not succeed.', { pod: `${pod.namespace}/${pod.name}`, secret: `${pod.namespace}/${name}`, err: (e as Error).message });
      }
    }
    return pullSecretConfigs(secrets);
  }

  /** Stops polling. Pods keep running (as when the real kubelet stops) unless killPods is set. */
  async close(killPods = false): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(workers.map((w) => (killPods ? w.terminate('kubelet stopped') : w.detach())));
  }
}
