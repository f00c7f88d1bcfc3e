/**
 * kubeadm's CoreDNS addon (phase addon/coredns) as the API objects it sends, computed offline.
 *
 * kubeadm fills YAML templates (cmd/kubeadm/app/phases/addons/dns/manifests.go), decodes them into typed Go
 * objects and creates those; what reaches the API server is therefore the templates' fields, minus values Go
 * drops when encoding (a plain bool false with omitempty). The objects below are those field values, in the order
 * kubeadm creates them (dns.go createCoreDNSAddon): ConfigMap, ClusterRole, ClusterRoleBinding, ServiceAccount,
 * Deployment, Service.
 *
 * A fresh cluster is assumed, as on `kubeadm init`: the replica count is kubeadm's 2 (on upgrade kubeadm keeps the
 * count of a running Deployment) and the Corefile is the default one (kubeadm migrates a customized one instead).
 * What changes by release is in tables.ts.
 */
import type { Inventory } from '../../inventory/types.js';
import { componentImage } from '../../kube/images.js';
import { lookup } from '../../kube/table.js';
import { kubeVersion, type VersionLike } from '../../kube/version.js';
import type { KubeObject, ObjectMeta } from '../objects.js';
import { dnsServiceIp } from './dns-ip.js';
import {
  COREDNS_CACHE_DISABLES_CLUSTER_DOMAIN,
  COREDNS_CLUSTER_ROLE_RULES,
  COREDNS_CONTROL_PLANE_TOLERATIONS,
  COREDNS_DROP_CAPABILITY,
  COREDNS_NAMED_PROBE_PORTS,
  COREDNS_POD_ANTI_AFFINITY,
  DNS_SERVICE_NAME_LABEL,
} from './tables.js';

/** kubeadm's constants: the Deployment, ConfigMap and ServiceAccount names, and the Service's. */
export const COREDNS_NAME = 'coredns';
export const KUBE_DNS_SERVICE_NAME = 'kube-dns';
export const COREDNS_CLUSTER_ROLE = 'system:coredns';
/** dns.go coreDNSReplicas. */
export const COREDNS_REPLICAS = 2;

const NAMESPACE = 'kube-system';
const SELECTOR = { 'k8s-app': 'kube-dns' };

/**
 * The kube-dns Service's metadata carries resourceVersion "0" in every kubeadm release (the template says why:
 * an update of the Service between versions would otherwise be refused); the API server accepts it on create.
 */
interface ServiceMeta extends ObjectMeta {
  resourceVersion: string;
}

/**
 * The Corefile of kubeadm's CoreDNSConfigMap for that cluster domain, as the ConfigMap holds it (the template's
 * "|" block: indentation removed, one final newline). The same in every supported release but for the cache block
 * (COREDNS_CACHE_DISABLES_CLUSTER_DOMAIN): "max_concurrent 1000" dates from v1.19 (PR #92651, CoreDNS 1.7.0), and
 * v1.20's template placeholders for kube-dns migration (Federation, StubDomain, UpstreamNameserver) render to
 * nothing and /etc/resolv.conf on a new cluster.
 */
export function corefile(dnsDomain: string, version: VersionLike): string {
  const cacheSkipsClusterDomain = lookup(COREDNS_CACHE_DISABLES_CLUSTER_DOMAIN, version) && dnsDomain !== '';
  const cache = cacheSkipsClusterDomain
    ? ['    cache 30 {', `       disable success ${dnsDomain}`, `       disable denial ${dnsDomain}`, '    }']
    : ['    cache 30'];
  return [
    '.:53 {',
    '    errors',
    '    health {',
    '       lameduck 5s',
    '    }',
    '    ready',
    `    kubernetes ${dnsDomain} in-addr.arpa ip6.arpa {`,
    '       pods insecure',
    '       fallthrough in-addr.arpa ip6.arpa',
    '       ttl 30',
    '    }',
    '    prometheus :9153',
    '    forward . /etc/resolv.conf {',
    '       max_concurrent 1000',
    '    }',
    ...cache,
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

function configMap(inv: Inventory, version: VersionLike): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: COREDNS_NAME, namespace: NAMESPACE },
    data: { Corefile: corefile(inv.cluster.networking.dnsDomain, version) },
  };
}

function clusterRole(version: VersionLike): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: COREDNS_CLUSTER_ROLE },
    rules: structuredClone(lookup(COREDNS_CLUSTER_ROLE_RULES, version)),
  };
}

function clusterRoleBinding(): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: COREDNS_CLUSTER_ROLE },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: COREDNS_CLUSTER_ROLE },
    subjects: [{ kind: 'ServiceAccount', name: COREDNS_NAME, namespace: NAMESPACE }],
  };
}

function serviceAccount(): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: COREDNS_NAME, namespace: NAMESPACE } };
}

function deployment(inv: Inventory, version: VersionLike): KubeObject {
  const named = lookup(COREDNS_NAMED_PROBE_PORTS, version);
  const ports: Array<Record<string, unknown>> = [
    { containerPort: 53, name: 'dns', protocol: 'UDP' },
    { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
    { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
  ];
  if (named) {
    ports.push({ containerPort: 8080, name: 'liveness-probe', protocol: 'TCP' }, { containerPort: 8181, name: 'readiness-probe', protocol: 'TCP' });
  }
  const podSpec: Record<string, unknown> = {
    priorityClassName: 'system-cluster-critical',
    serviceAccountName: COREDNS_NAME,
  };
  if (lookup(COREDNS_POD_ANTI_AFFINITY, version)) {
    podSpec.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchExpressions: [{ key: 'k8s-app', operator: 'In', values: ['kube-dns'] }] },
              topologyKey: 'kubernetes.io/hostname',
            },
          },
        ],
      },
    };
  }
  podSpec.tolerations = [
    { key: 'CriticalAddonsOnly', operator: 'Exists' },
    ...lookup(COREDNS_CONTROL_PLANE_TOLERATIONS, version).map((key) => ({ key, effect: 'NoSchedule' })),
  ];
  podSpec.nodeSelector = { 'kubernetes.io/os': 'linux' };
  podSpec.containers = [
    {
      name: 'coredns',
      image: componentImage(version, 'coredns', inv.cluster.imageRepository),
      imagePullPolicy: 'IfNotPresent',
      resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
      args: ['-conf', '/etc/coredns/Corefile'],
      volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
      ports,
      livenessProbe: {
        httpGet: { path: '/health', port: named ? 'liveness-probe' : 8080, scheme: 'HTTP' },
        initialDelaySeconds: 60,
        timeoutSeconds: 5,
        successThreshold: 1,
        failureThreshold: 5,
      },
      readinessProbe: { httpGet: { path: '/ready', port: named ? 'readiness-probe' : 8181, scheme: 'HTTP' } },
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { add: ['NET_BIND_SERVICE'], drop: [lookup(COREDNS_DROP_CAPABILITY, version)] },
        readOnlyRootFilesystem: true,
      },
    },
  ];
  podSpec.dnsPolicy = 'Default';
  podSpec.volumes = [{ name: 'config-volume', configMap: { name: COREDNS_NAME, items: [{ key: 'Corefile', path: 'Corefile' }] } }];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: COREDNS_NAME, namespace: NAMESPACE, labels: { ...SELECTOR } },
    spec: {
      replicas: COREDNS_REPLICAS,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      selector: { matchLabels: { ...SELECTOR } },
      template: { metadata: { labels: { ...SELECTOR } }, spec: podSpec },
    },
  };
}

function service(inv: Inventory, version: VersionLike): KubeObject {
  const metadata: ServiceMeta = {
    labels: { ...SELECTOR, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': lookup(DNS_SERVICE_NAME_LABEL, version) },
    name: KUBE_DNS_SERVICE_NAME,
    namespace: NAMESPACE,
    annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    resourceVersion: '0',
  };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      clusterIP: dnsServiceIp(inv.cluster.networking.serviceSubnet),
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
      selector: { ...SELECTOR },
    },
  };
}

/**
 * The objects of kubeadm's CoreDNS addon for that cluster and Kubernetes version, in the order kubeadm creates
 * them: ConfigMap coredns, ClusterRole and ClusterRoleBinding system:coredns, ServiceAccount coredns, Deployment
 * coredns and Service kube-dns (clusterIP: the tenth address of the service subnet).
 */
export function corednsObjects(inv: Inventory, version: VersionLike): KubeObject[] {
  const v = kubeVersion(version);
  return [configMap(inv, v), clusterRole(v), clusterRoleBinding(), serviceAccount(), deployment(inv, v), service(inv, v)];
}
