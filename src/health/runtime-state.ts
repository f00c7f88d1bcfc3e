/**
 * The container runtime's view of the static Pods: which sandbox and container are a component's, and what is
 * wrong with them. The listings are parsed by kube/cri-output.ts; the commands are in commands.ts.
 */
import { newest, type ContainerInfo, type RuntimeState, type SandboxInfo } from '../kube/cri-output.js';

export {
  parseCrictlContainers,
  parseCrictlPods,
  parseDockerPs,
  parseDockershimName,
  RuntimeOutputError,
  type ContainerInfo,
  type ContainerState,
  type RuntimeState,
  type SandboxInfo,
  type SandboxState,
} from '../kube/cri-output.js';

/** One static Pod as the runtime has it: its current sandbox and the newest instance of its container. */
export interface PodRuntime {
  sandbox?: SandboxInfo;
  container?: ContainerInfo;
}

/**
 * Finds the static Pod `podName` (kubelet names it <manifest name>-<node name>) in `namespace`: the ready
 * sandbox, else the newest; its newest `container` (a crash loop leaves exited attempts behind).
 */
export function findPod(state: RuntimeState, podName: string, namespace: string, container: string): PodRuntime {
  const mine = state.sandboxes.filter((s) => s.name === podName && s.namespace === namespace);
  const sandbox = newest(mine.filter((s) => s.state === 'ready')) ?? newest(mine);
  const candidates = state.containers.filter((c) => c.name === container);
  const inSandbox = sandbox ? candidates.filter((c) => c.podSandboxId === sandbox.id) : [];
  const ofPod = candidates.filter((c) => c.podName === podName && c.podNamespace === namespace);
  const found = newest(inSandbox.length ? inSandbox : ofPod);
  return { ...(sandbox ? { sandbox } : {}), ...(found ? { container: found } : {}) };
}

/** Why the runtime does not count the Pod as running, or undefined when sandbox and container run. */
export function runtimeProblem(pod: PodRuntime): string | undefined {
  if (!pod.sandbox) return 'pod not created';
  if (pod.sandbox.state !== 'ready') return 'pod sandbox not ready';
  const c = pod.container;
  if (!c) return 'container not created';
  if (c.state === 'running') return undefined;
  const exit = c.exitCode !== undefined ? ` with code ${c.exitCode}` : '';
  const restarts = c.attempt > 0 ? `, ${c.attempt} restart${c.attempt === 1 ? '' : 's'}` : '';
  if (c.state === 'exited') return `container exited${exit}${restarts}`;
  if (c.state === 'created') return `container created, not started${restarts}`;
  return `container state unknown${restarts}`;
}
