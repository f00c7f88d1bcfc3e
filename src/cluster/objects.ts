/**
 * The API objects kubeadm puts into a cluster after its control plane is up (upload-config, mark-control-plane,
 * bootstrap-token, kubelet-finalize, addons), computed offline as plain JSON, exactly as kubeadm of that version
 * would send them. Nothing here talks to an API server: src/api applies these objects, `render` can print them.
 */

/** metadata as sent on create; fields the server fills (uid, resourceVersion, creationTimestamp) are never set. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** One Kubernetes object, in the API version kubeadm of that release sends it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** A Node taint, as in core/v1. */
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** How an object is named in messages: "kube-system/ConfigMap/kubeadm-config". */
export function objectName(o: KubeObject): string {
  return `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.kind}/${o.metadata.name}`;
}
