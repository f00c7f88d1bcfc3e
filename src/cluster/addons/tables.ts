/**
 * What kubeadm's CoreDNS and kube-proxy addons change from one release to the next, one table per choice.
 * Everything else in the objects (names, labels, image paths, probe timings, volumes, the RBAC of kube-proxy) is
 * the same in every release from v1.20 on; coredns.ts and kube-proxy.ts write it once.
 *
 * Sources: cmd/kubeadm/app/phases/addons/dns/{dns.go,manifests.go} and proxy/{proxy.go,manifests.go} of each
 * release; the pull request that made a change, where known, dates it to the first release that has it.
 */
import { defineTable } from '../../kube/table.js';

const DNS_MANIFESTS = 'cmd/kubeadm/app/phases/addons/dns/manifests.go';
const DNS_GO = 'cmd/kubeadm/app/phases/addons/dns/dns.go';
const PROXY_MANIFESTS = 'cmd/kubeadm/app/phases/addons/proxy/manifests.go';
const PROXY_GO = 'cmd/kubeadm/app/phases/addons/proxy/proxy.go';

/**
 * The kubernetes.io/name label of the kube-dns Service. Up to v1.20 kubeadm still carried kube-dns and gave the
 * CoreDNS addon kube-dns's own Service template (KubeDNSService, "KubeDNS"); v1.21 removed kube-dns and renamed
 * the template CoreDNSService, labelled "CoreDNS".
 */
export const DNS_SERVICE_NAME_LABEL = defineTable<string>('the kubernetes.io/name label of the kube-dns Service', [
  { range: '>=1.21.0', value: 'CoreDNS', source: `${DNS_MANIFESTS} CoreDNSService (v1.21.0, kube-dns removed, kubernetes/kubeadm#1943)` },
  { range: '>=1.20.0 <1.21.0', value: 'KubeDNS', source: `${DNS_GO} coreDNSAddon parses KubeDNSService (v1.20.0)` },
]);

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const CORE_LIST_WATCH: PolicyRule = { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] };

const NODES_GET: PolicyRule = { apiGroups: [''], resources: ['nodes'], verbs: ['get'] };
const ENDPOINTSLICES_LIST_WATCH: PolicyRule = { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] };

/**
 * The rules of ClusterRole system:coredns. CoreDNS 1.8.1+ watches EndpointSlices: kubeadm v1.22 (CoreDNS 1.8.4)
 * granted them (v1.21 shipped CoreDNS 1.8.0 with the old role). The "get nodes" rule, left over from CoreDNS's
 * removed federation plugin, went away in v1.28.
 */
export const COREDNS_CLUSTER_ROLE_RULES = defineTable<PolicyRule[]>('the rules of ClusterRole system:coredns', [
  {
    range: '>=1.28.0',
    value: [CORE_LIST_WATCH, ENDPOINTSLICES_LIST_WATCH],
    source: `${DNS_MANIFESTS} CoreDNSClusterRole (v1.28.0, PR #117521 removes nodes)`,
  },
  {
    range: '>=1.22.0 <1.28.0',
    value: [CORE_LIST_WATCH, NODES_GET, ENDPOINTSLICES_LIST_WATCH],
    source: `${DNS_MANIFESTS} CoreDNSClusterRole (v1.22.0, PR #102466 adds endpointslices for CoreDNS 1.8.4)`,
  },
  {
    range: '>=1.20.0 <1.22.0',
    value: [CORE_LIST_WATCH, NODES_GET],
    source: `${DNS_MANIFESTS} CoreDNSClusterRole (v1.20.0)`,
  },
]);

/** The taint keys of control-plane nodes the CoreDNS Deployment tolerates (effect NoSchedule), in template order. */
export const COREDNS_CONTROL_PLANE_TOLERATIONS = defineTable<string[]>('the control-plane taints the CoreDNS Deployment tolerates', [
  {
    range: '>=1.26.0',
    value: ['node-role.kubernetes.io/control-plane'],
    source: `${DNS_MANIFESTS} CoreDNSDeployment tolerations (v1.26.0, PR #112008 drops node-role.kubernetes.io/master)`,
  },
  {
    range: '>=1.20.0 <1.26.0',
    value: ['node-role.kubernetes.io/master', 'node-role.kubernetes.io/control-plane'],
    source: `${DNS_GO} coreDNSAddon OldControlPlaneTaintKey, ControlPlaneTaintKey (v1.20.0, PR #95382, KEP 2067)`,
  },
]);

/** Whether the CoreDNS Pods prefer distinct nodes (podAntiAffinity on k8s-app=kube-dns, weight 100). */
export const COREDNS_POD_ANTI_AFFINITY = defineTable<boolean>('whether the CoreDNS Deployment has a preferred pod anti-affinity', [
  { range: '>=1.25.0', value: true, source: `${DNS_MANIFESTS} CoreDNSDeployment affinity (v1.25.0, PR #110593)` },
  { range: '>=1.20.0 <1.25.0', value: false, source: `${DNS_MANIFESTS} CoreDNSDeployment, no affinity (v1.20.0)` },
]);

/** The capability the CoreDNS container drops: "all" until "ALL" (the same to runtimes, not to policy checkers). */
export const COREDNS_DROP_CAPABILITY = defineTable<string>('the capability the CoreDNS container drops', [
  { range: '>=1.29.0', value: 'ALL', source: `${DNS_MANIFESTS} CoreDNSDeployment securityContext (v1.29.0, PR #121384)` },
  { range: '>=1.20.0 <1.29.0', value: 'all', source: `${DNS_MANIFESTS} CoreDNSDeployment securityContext (v1.20.0)` },
]);

/**
 * Whether the CoreDNS container declares its probe ports (8080 liveness-probe, 8181 readiness-probe) and the
 * probes name them; before, the probes gave the numbers and the container listed only 53/udp, 53/tcp and 9153.
 */
export const COREDNS_NAMED_PROBE_PORTS = defineTable<boolean>('whether the CoreDNS probes use named container ports', [
  { range: '>=1.34.0', value: true, source: `${DNS_MANIFESTS} CoreDNSDeployment ports liveness-probe, readiness-probe (v1.34.0, PR #131587)` },
  { range: '>=1.20.0 <1.34.0', value: false, source: `${DNS_MANIFESTS} CoreDNSDeployment probes on ports 8080 and 8181 (v1.20.0)` },
]);

/**
 * Whether the Corefile's cache stops caching the cluster domain ("cache 30 { disable success D; disable denial D }"),
 * so that answers of the kubernetes plugin, which keeps its own watch-fed cache, are never stale.
 */
export const COREDNS_CACHE_DISABLES_CLUSTER_DOMAIN = defineTable<boolean>('whether the Corefile cache skips the cluster domain', [
  { range: '>=1.32.0', value: true, source: `${DNS_MANIFESTS} CoreDNSConfigMap cache disable success/denial (v1.32.0, PR #128359)` },
  { range: '>=1.20.0 <1.32.0', value: false, source: `${DNS_MANIFESTS} CoreDNSConfigMap "cache 30" (v1.20.0)` },
]);

/** The tolerations of the kube-proxy DaemonSet: everything, plus (until v1.22) a redundant CriticalAddonsOnly. */
export const KUBE_PROXY_TOLERATIONS = defineTable<Array<{ key?: string; operator: 'Exists' }>>('the tolerations of the kube-proxy DaemonSet', [
  { range: '>=1.22.0', value: [{ operator: 'Exists' }], source: `${PROXY_MANIFESTS} KubeProxyDaemonSet19 tolerations (v1.22.0, PR #101966)` },
  {
    range: '>=1.20.0 <1.22.0',
    value: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { operator: 'Exists' }],
    source: `${PROXY_MANIFESTS} KubeProxyDaemonSet19 tolerations (v1.20.0)`,
  },
]);

/**
 * Whether kubeadm signs the kube-proxy ConfigMap it generated (annotation kubeadm.kubernetes.io/component-config.hash,
 * componentconfigs.SignConfigMap), so that `kubeadm upgrade` can tell its own config from a user's.
 */
export const KUBE_PROXY_CONFIG_SIGNED = defineTable<boolean>('whether the kube-proxy ConfigMap carries the component-config hash', [
  { range: '>=1.20.0', value: true, source: `${PROXY_GO} createKubeProxyConfigMap componentconfigs.SignConfigMap (v1.19.0, PR #86070)` },
]);
