/**
 * CRI sockets as kubeadm writes them and as crictl dials them, and which tool talks to the runtime behind one.
 *
 * Sources:
 *  - kubernetes pkg/kubelet/util/util_unix.go (GetAddressAndDialer, parseEndpointWithFallbackProtocol), which
 *    crictl and kubelet both use: an endpoint is a URL; one without a scheme (as Go's url.Parse sees it) is
 *    taken as a unix socket path, "unix://" being put in front with a deprecation warning. For "unix" the
 *    socket is the URL's path, so "unix:///run/x.sock" and "unix:/run/x.sock" both dial /run/x.sock.
 *  - kubeadm before v1.24 wrote bare paths (/var/run/dockershim.sock, /run/containerd/containerd.sock);
 *    from v1.24 it writes unix:// URLs (PR #107295).
 *  - runtime.ts pullsWithDocker: where that kubeadm talks to the runtime with the docker CLI (dockershim).
 */
import { pullsWithDocker } from './runtime.js';

/** A URL scheme as Go's url.Parse finds one: a letter, then letters, digits, "+", "-" or ".", then ":". */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** The endpoint crictl is given: a bare socket path gets the "unix://" scheme crictl would otherwise add itself. */
export function criEndpoint(socket: string): string {
  return SCHEME.test(socket) ? socket : `unix://${socket}`;
}

/**
 * The file a CRI socket or endpoint dials: the path of a unix endpoint (or of a bare path), undefined for
 * other schemes (tcp, npipe).
 */
export function criSocketPath(socket: string): string | undefined {
  const scheme = SCHEME.exec(socket)?.[1];
  if (scheme === undefined) return socket;
  if (scheme.toLowerCase() !== 'unix') return undefined;
  let rest = socket.slice(scheme.length + 1);
  // "//authority/path": url.Parse puts what precedes the next "/" in the host, and the dialer uses the path.
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  return rest || undefined;
}

/** How a host's runtime is reached: crictl against the socket, or (dockershim, before v1.24) the docker CLI. */
/** How a host's images are listed and pulled; for crictl, its version where the host said it (`crictl --version`). */
export type CriTool = { kind: 'crictl'; socket: string; version?: string } | { kind: 'docker' };

/**
 * The tool that kubeadm of that version uses for that criSocket: docker where pullsWithDocker says so, crictl
 * otherwise. The socket is kept as written, as kubeadm passes it to `crictl -r`.
 */
export function criToolFor(kubernetesVersion: string, criSocket: string): CriTool {
  return pullsWithDocker(kubernetesVersion, criSocket) ? { kind: 'docker' } : { kind: 'crictl', socket: criSocket };
}
