/**
 * kubeadm's mark-control-plane phase, offline: the labels and taints a control-plane Node ends up with
 * (cmd/kubeadm/app/phases/markcontrolplane/markcontrolplane.go MarkControlPlane with the default
 * NodeRegistration.Taints). Workloads and addons select and tolerate these, so they must be exactly kubeadm's.
 */
import { lookup } from '../kube/table.js';
import type { VersionLike } from '../kube/version.js';
import type { Taint } from './objects.js';
import { CONTROL_PLANE_MARKS } from './versions.js';

/**
 * The labels (all with the empty value) and taints kubeadm of that version puts on a control-plane node: the
 * master → control-plane transition of KEP-2067 (see CONTROL_PLANE_MARKS). kubeadm merges the taints with those the
 * Node already has, keeping the existing ones; the caller does the same.
 */
export function markControlPlane(version: VersionLike): { labels: Record<string, string>; taints: Taint[] } {
  const marks = lookup(CONTROL_PLANE_MARKS, version);
  return { labels: { ...marks.labels }, taints: marks.taints.map((t) => ({ ...t })) };
}
