/**
 * The annotation kubeadm puts on a Node for itself (cmd/kubeadm/app/phases/patchnode/patchnode.go): the CRI socket
 * the node's kubelet uses, which `kubeadm upgrade` reads back to reach the runtime.
 */
import { criEndpoint } from '../kube/cri-socket.js';
import { lookup } from '../kube/table.js';
import type { VersionLike } from '../kube/version.js';
import { CRI_SOCKET_ANNOTATION } from './versions.js';

/** constants.go AnnotationKubeadmCRISocket. */
export const CRI_SOCKET_ANNOTATION_KEY = 'kubeadm.alpha.kubernetes.io/cri-socket';

/**
 * The annotations kubeadm of that version sets on a node whose kubelet uses criSocket: the CRI socket annotation
 * before v1.34, nothing since (NodeLocalCRISocket). From v1.24 kubeadm writes sockets as unix:// URLs and puts the
 * scheme in front of a bare path (PR #107295); before, the socket is kept as given.
 */
export function nodeAnnotations(version: VersionLike, criSocket: string): Record<string, string> {
  const how = lookup(CRI_SOCKET_ANNOTATION, version);
  if (how === 'none') return {};
  return { [CRI_SOCKET_ANNOTATION_KEY]: how === 'unix-url' ? criEndpoint(criSocket) : criSocket };
}
