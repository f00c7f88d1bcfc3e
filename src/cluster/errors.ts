import { HostError } from '../util/errors.js';

/**
 * Something read back from a host or the cluster cannot be used as kubeadm would use it (e.g. a kubelet.conf
 * without the node's user, which kubelet-finalize rewrites): a host problem, reported with the message only.
 */
export class ClusterObjectError extends HostError {
  override name = 'ClusterObjectError';
}
