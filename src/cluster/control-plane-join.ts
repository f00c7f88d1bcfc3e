/**
 * Joining further control-plane hosts with stacked etcd, as `kubeadm join --control-plane` does. What is here is
 * pure: the per-version rules the join follows. The files a joining host gets are rendered by
 * src/render/index.ts (renderControlPlaneHost); the phase is src/phases/control-plane-join.ts.
 *
 * kubeadm's join workflow, as that phase follows it (cmd/kubeadm/app/cmd/join.go and
 * cmd/kubeadm/app/cmd/phases/join/*.go). The first control-plane host in inventory order runs everything `up`
 * runs today (kubeadm init); then the others join ONE AT A TIME, in inventory order, each only after the one
 * before it is a healthy etcd voter:
 *
 *   1. preflight: kubeadm's JoinNodeChecks plus checkIfReadyForAdditionalControlPlane (controlPlaneEndpoint set;
 *      the shared certificates present: certs.SharedCertificateExists) and, before touching etcd,
 *      etcdphase.CheckLocalEtcdClusterStatus (phases/etcd/local.go): every current member answers.
 *   2. control-plane-prepare (controlplaneprepare.go): the shared CAs, sa.key/sa.pub and front-proxy-ca/etcd CA
 *      from the state directory (kubeadm's download-certs, here copied from this machine), the host's own leaves
 *      (certsphase.CreatePKIAssets), admin/controller-manager/scheduler.conf
 *      (kubeconfigphase.CreateJoinControlPlaneKubeConfigFiles), and the API server, controller-manager and
 *      scheduler manifests (controlplane.CreateStaticPodFiles) — all already rendered; NOT etcd.yaml yet.
 *   3. kubelet-start (join/kubelet.go runKubeletStartJoinPhase): bootstrap-kubelet.conf with the join token,
 *      pointing at joiningKubeletServer() below; config.yaml from the kubelet ConfigMap, kubeadm-flags.env; start
 *      kubelet. Without ControlPlaneKubeletLocalMode, wait here for the TLS bootstrap (kubelet.conf); with it
 *      (v1.33+ default), wait after etcd (kubelet-wait-bootstrap), since the local API server needs the local etcd.
 *   4. etcd (controlplanejoin.go runEtcdPhase → etcdphase.CreateStackedEtcdStaticPodManifestFile):
 *      a. create the data directory (etcdutil.CreateDataDirectory, 0700);
 *      b. announce the member through the RUNNING members' client API, never the new one (etcdutil.NewFromCluster
 *         finds them from the etcd Pods' kubeadm.kubernetes.io/etcd.advertise-client-urls annotation; client
 *         certificate etcd/healthcheck-client): MemberAddAsLearner where ETCD_MEMBER_ADD says "learner", else
 *         MemberAdd; the answer's member list (the new member named by us) is what --initial-cluster holds, with
 *         --initial-cluster-state=existing (manifests/context.ts stackedEtcdMembers renders it in inventory order);
 *      c. only then write etcd.yaml, so the gap between announcement and start is short (going from 1 to 2
 *         members, the cluster has no quorum until the second member connects);
 *      d. learner: GetMemberID(peer URL), then MemberPromote, retried until the learner has caught up (etcd
 *         refuses to promote a learner that is behind);
 *      e. WaitForClusterAvailable (8 tries, 5 s apart): every member healthy before the next host starts.
 *      A member already present (a re-run after a failure between b and c) is reused, not added twice.
 *   5. mark-control-plane (markcontrolplane.MarkControlPlane): the labels and taints `up` already sets.
 *   6. wait-control-plane: the components' health, as for the first host.
 * Removing a member (reset of one control-plane host) is etcdphase.RemoveStackedEtcdMemberFromCluster: MemberRemove
 * through the remaining members, skipped when it is the last one.
 */
import type { HostSpec, Inventory } from '../inventory/types.js';
import { defineTable, lookup } from '../kube/table.js';
import { clusterVersion } from '../kube/version.js';
import { controlPlaneEndpoint, localApiEndpoint } from '../pki/endpoints.js';
import { pkiProfileFor } from '../pki/index.js';

/** How a joining control-plane host's etcd member is added to the cluster. */
export type EtcdMemberAdd = 'voter' | 'learner';

/**
 * kubeadm's EtcdLearnerMode at its default. The etcd manifest is the same either way (local.go getEtcdCommand
 * only looks at the member list); what differs is the call (AddMember or AddMemberAsLearner) and the promotion.
 */
export const ETCD_MEMBER_ADD = defineTable<EtcdMemberAdd>('how a joining etcd member is added', [
  {
    range: '>=1.32.0',
    value: 'learner',
    source: 'cmd/kubeadm/app/features/features.go EtcdLearnerMode GA, locked on (kubeadm v1.32, kubernetes#126374, ' +
      'CHANGELOG-1.32.md v1.32.0-alpha.1); later phases/etcd/local.go CreateStackedEtcdStaticPodManifestFile calls ' +
      'AddMemberAsLearner and MemberPromote unconditionally',
  },
  {
    range: '>=1.29.0 <1.32.0',
    value: 'learner',
    source: 'cmd/kubeadm/app/features/features.go EtcdLearnerMode beta, on by default (kubeadm v1.29, kubernetes#120228, ' +
      'CHANGELOG-1.29.md): phases/etcd/local.go CreateStackedEtcdStaticPodManifestFile AddMemberAsLearner, then MemberPromote',
  },
  {
    range: '>=1.20.0 <1.29.0',
    value: 'voter',
    source: 'cmd/kubeadm/app/phases/etcd/local.go CreateStackedEtcdStaticPodManifestFile etcdClient.AddMember (kubeadm v1.20); ' +
      'EtcdLearnerMode alpha, off by default, in v1.27 and v1.28 (kubernetes#113318)',
  },
]);

export function etcdMemberAdd(inv: Inventory): EtcdMemberAdd {
  return lookup(ETCD_MEMBER_ADD, clusterVersion(inv));
}

/**
 * The API server a joining control-plane host's kubelet talks to: bootstrap-kubelet.conf is written with it, and
 * the kubelet.conf its TLS bootstrap makes keeps it. With ControlPlaneKubeletLocalMode (on by default from v1.33,
 * the PKI profile's controlPlaneKubeletUsesLocalApiEndpoint row) kubeadm rewrites the server to the node's own API
 * server (cmd/kubeadm/app/cmd/phases/join/kubelet.go runKubeletStartJoinPhase: GetLocalAPIEndpoint); before, it is
 * the discovery endpoint, controlPlaneEndpoint.
 */
export function joiningKubeletServer(inv: Inventory, host: HostSpec): string {
  const profile = pkiProfileFor(clusterVersion(inv));
  return profile.controlPlaneKubeletUsesLocalApiEndpoint ? localApiEndpoint(host) : controlPlaneEndpoint(inv, host);
}
