/**
 * The RBAC objects kubeadm creates for node bootstrap and administration, and small builders for the Role,
 * ClusterRole and bindings every cluster phase uses. Objects are written as kubeadm's typed clients send them
 * (rbac.authorization.k8s.io/v1; cluster-scoped objects without a namespace).
 */
import { lookup } from '../kube/table.js';
import type { VersionLike } from '../kube/version.js';
import type { KubeObject } from './objects.js';
import { CLUSTER_ADMINS_BINDING, NODE_BOOTSTRAP_RBAC } from './versions.js';

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** constants.go NodeBootstrapTokenAuthGroup: the extra group of kubeadm's default bootstrap tokens. */
export const GROUP_BOOTSTRAPPERS = 'system:bootstrappers:kubeadm:default-node-token';
/** constants.go NodesGroup. */
export const GROUP_NODES = 'system:nodes';
/** constants.go ClusterAdminsGroupAndClusterRoleBinding (v1.29+): admin.conf's group and its binding's name. */
export const GROUP_CLUSTER_ADMINS = 'kubeadm:cluster-admins';

/** One rule of a Role or ClusterRole, fields as rbac/v1 PolicyRule names them. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface Subject {
  kind: 'Group' | 'User' | 'ServiceAccount';
  name: string;
  apiGroup?: string;
  namespace?: string;
}

/** rbac.Subject{Kind: GroupKind, Name}: kubeadm leaves APIGroup empty; the API server defaults it. */
export function groupSubject(name: string): Subject {
  return { kind: 'Group', name };
}

/** rbac.Subject{Kind: UserKind, Name}. */
export function userSubject(name: string): Subject {
  return { kind: 'User', name };
}

export function role(namespace: string, name: string, rules: PolicyRule[]): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'Role', metadata: { name, namespace }, rules };
}

export function roleBinding(namespace: string, name: string, roleName: string, subjects: Subject[]): KubeObject {
  return {
    apiVersion: RBAC_V1,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: roleName },
    subjects,
  };
}

export function clusterRole(name: string, rules: PolicyRule[]): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name }, rules };
}

export function clusterRoleBinding(name: string, clusterRoleName: string, subjects: Subject[]): KubeObject {
  return {
    apiVersion: RBAC_V1,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: clusterRoleName },
    subjects,
  };
}

/**
 * The bootstrap-token phase's RBAC, in kubeadm's order (init.go runBootstrapToken): bootstrap tokens may post CSRs
 * (kubeadm:kubelet-bootstrap → system:node-bootstrapper), may get Nodes (kubeadm:get-nodes, which join's preflight
 * uses to refuse a name already taken), their CSRs are auto-approved (kubeadm:node-autoapprove-bootstrap →
 * …:nodeclient), and nodes' own renewal CSRs too (kubeadm:node-autoapprove-certificate-rotation → …:selfnodeclient
 * for system:nodes). Without them a joining kubelet never gets its client certificate.
 */
export function nodeBootstrapRbac(version: VersionLike): KubeObject[] {
  const rbac = lookup(NODE_BOOTSTRAP_RBAC, version);
  const objects: KubeObject[] = [clusterRoleBinding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [groupSubject(GROUP_BOOTSTRAPPERS)])];
  if (rbac.getNodes) {
    objects.push(
      clusterRole('kubeadm:get-nodes', [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }]),
      clusterRoleBinding('kubeadm:get-nodes', 'kubeadm:get-nodes', [groupSubject(GROUP_BOOTSTRAPPERS)]),
    );
  }
  objects.push(
    clusterRoleBinding('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      groupSubject(GROUP_BOOTSTRAPPERS),
    ]),
    clusterRoleBinding('kubeadm:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      groupSubject(GROUP_NODES),
    ]),
  );
  return objects.map((o) => ({ ...o, apiVersion: rbac.apiVersion }));
}

/**
 * From v1.29 admin.conf's certificate is in the group kubeadm:cluster-admins rather than system:masters, and kubeadm
 * binds that group to cluster-admin (EnsureAdminClusterRoleBinding); before v1.29 there is nothing to create.
 */
export function clusterAdminsObjects(version: VersionLike): KubeObject[] {
  if (!lookup(CLUSTER_ADMINS_BINDING, version)) return [];
  return [clusterRoleBinding(GROUP_CLUSTER_ADMINS, 'cluster-admin', [groupSubject(GROUP_CLUSTER_ADMINS)])];
}
