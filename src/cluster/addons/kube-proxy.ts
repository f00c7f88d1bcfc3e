/**
 * kubeadm's kube-proxy addon (phase addon/kube-proxy) as the API objects it sends, computed offline.
 *
 * The ConfigMap and DaemonSet come from YAML templates (cmd/kubeadm/app/phases/addons/proxy/manifests.go) that
 * kubeadm fills, decodes into Go objects and creates; the ServiceAccount and RBAC objects are built in Go
 * (proxy.go). The objects below are their field values (a bool false that Go drops on encoding, such as the
 * xtables-lock mount's readOnly: false, is left out too), in the order kubeadm creates them: ConfigMap, DaemonSet,
 * ServiceAccount, ClusterRoleBinding, Role, RoleBinding.
 *
 * config.conf is the KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1). kubeadm defaults three fields
 * (componentconfigs/kubeproxy.go Default): bindAddress (0.0.0.0, or :: when the first control plane advertises an
 * IPv6 address), clientConnection.kubeconfig (/var/lib/kube-proxy/kubeconfig.conf) and clusterCIDR (the pod
 * subnet, when set). Those are the fields written here. kubeadm's own marshalling also prints every other field of
 * the v1alpha1 type at its zero value ("mode: \"\"", "masqueradeBit: null", "syncPeriod: 0s", ...), which
 * kube-proxy reads as "unset" and replaces with its own defaults; leaving them out gives kube-proxy the same
 * configuration, without depending on the exact field list of each kube-proxy release. The ConfigMap is signed
 * (annotation kubeadm.kubernetes.io/component-config.hash) over the data written here, so `kubeadm upgrade` sees
 * a kubeadm-generated config, as it would for its own.
 *
 * Not reproduced: the HTTP(S)_PROXY/NO_PROXY variables kubeadm copies from its own environment into the
 * container (util.GetProxyEnvVars): bootstrap runs no kubeadm process whose environment could leak in.
 */
import { configMapChecksum } from '../uploadconfig.js';
import { isIPv4 } from 'node:net';
import type { Inventory } from '../../inventory/types.js';
import { componentImage } from '../../kube/images.js';
import { lookup } from '../../kube/table.js';
import { kubeVersion, type VersionLike } from '../../kube/version.js';
import { firstControlPlane } from '../../pki/endpoints.js';
import type { KubeObject } from '../objects.js';
import { AddonError } from './errors.js';
import { KUBE_PROXY_CONFIG_SIGNED, KUBE_PROXY_TOLERATIONS } from './tables.js';

/** constants.KubeProxyConfigMap, the ServiceAccount, Role and RoleBinding share the name. */
export const KUBE_PROXY_NAME = 'kube-proxy';
/** constants.KubeProxyConfigMapKey. */
export const KUBE_PROXY_CONFIG_KEY = 'config.conf';
export const KUBE_PROXY_KUBECONFIG_KEY = 'kubeconfig.conf';
/** constants.KubeProxyClusterRoleBindingName → constants.KubeProxyClusterRoleName. */
export const KUBE_PROXY_CLUSTER_ROLE_BINDING = 'kubeadm:node-proxier';
export const KUBE_PROXY_CLUSTER_ROLE = 'system:node-proxier';
/** constants.NodeBootstrapTokenAuthGroup: joining nodes read the ConfigMap with their bootstrap token. */
export const NODE_BOOTSTRAP_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
/** constants.ComponentConfigHashAnnotationKey. */
export const COMPONENT_CONFIG_HASH_ANNOTATION = 'kubeadm.kubernetes.io/component-config.hash';

const NAMESPACE = 'kube-system';
const SELECTOR = { 'k8s-app': 'kube-proxy' };
/** componentconfigs/kubeproxy.go kubeproxyKubeConfigFileName. */
const KUBECONFIG_PATH = '/var/lib/kube-proxy/kubeconfig.conf';

/**
 * kubeProxyDefaultBindAddress: 0.0.0.0 when the init node's advertise address is IPv4 (net.ParseIP(...).To4() != nil),
 * else ::. The init node is the first control-plane host.
 */
export function kubeProxyBindAddress(inv: Inventory): string {
  const first = firstControlPlane(inv);
  if (!first) throw new AddonError('the inventory has no control-plane host, whose advertise address decides kube-proxy\'s bindAddress');
  return isIPv4(first.advertiseAddress) ? '0.0.0.0' : '::';
}

/**
 * A string as Go's YAML encoder (gopkg.in/yaml.v2, behind sigs.k8s.io/yaml) writes it for the values met here:
 * plain, unless a character makes a plain scalar ambiguous in block context (a leading indicator, ": " or a
 * final ":", " #"), then single-quoted: bindAddress "::" becomes '::'.
 */
export function goYamlString(value: string): string {
  const ambiguous =
    value === '' ||
    /^[#,[\]{}&*!|>'"%@`]/.test(value) ||
    /^[?:-](\s|$)/.test(value) ||
    /:(\s|$)/.test(value) ||
    /\s#/.test(value) ||
    /^\s|\s$/.test(value);
  return ambiguous ? `'${value.replaceAll("'", "''")}'` : value;
}

/** config.conf: the fields of the KubeProxyConfiguration kubeadm sets, in the (sorted) order kubeadm marshals keys. */
export function kubeProxyConfig(inv: Inventory): string {
  const lines = [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    `bindAddress: ${goYamlString(kubeProxyBindAddress(inv))}`,
    'clientConnection:',
    `  kubeconfig: ${KUBECONFIG_PATH}`,
  ];
  const podSubnet = inv.cluster.networking.podSubnet;
  if (podSubnet) lines.push(`clusterCIDR: ${goYamlString(podSubnet)}`);
  lines.push('kind: KubeProxyConfiguration');
  return lines.join('\n');
}

/** kubeconfig.conf exactly as kubeadm's KubeProxyConfigMap19 template holds it (a "|-" block: no final newline). */
export function kubeProxyKubeconfig(apiServerUrl: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    '    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    `    server: ${apiServerUrl}`,
    '  name: default',
    'contexts:',
    '- context:',
    '    cluster: default',
    '    namespace: default',
    '    user: default',
    '  name: default',
    'current-context: default',
    'users:',
    '- name: default',
    '  user:',
    '    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token',
  ].join('\n');
}

function configMap(inv: Inventory, version: VersionLike, apiServerUrl: string): KubeObject {
  const data = {
    [KUBE_PROXY_KUBECONFIG_KEY]: kubeProxyKubeconfig(apiServerUrl),
    [KUBE_PROXY_CONFIG_KEY]: kubeProxyConfig(inv),
  };
  const metadata: KubeObject['metadata'] = { name: KUBE_PROXY_NAME, namespace: NAMESPACE, labels: { app: 'kube-proxy' } };
  if (lookup(KUBE_PROXY_CONFIG_SIGNED, version)) metadata.annotations = { [COMPONENT_CONFIG_HASH_ANNOTATION]: configMapChecksum(data) };
  return { kind: 'ConfigMap', apiVersion: 'v1', metadata, data };
}

function daemonSet(inv: Inventory, version: VersionLike): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { labels: { ...SELECTOR }, name: KUBE_PROXY_NAME, namespace: NAMESPACE },
    spec: {
      selector: { matchLabels: { ...SELECTOR } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels: { ...SELECTOR } },
        spec: {
          priorityClassName: 'system-node-critical',
          containers: [
            {
              name: 'kube-proxy',
              image: componentImage(version, 'kube-proxy', inv.cluster.imageRepository),
              imagePullPolicy: 'IfNotPresent',
              command: ['/usr/local/bin/kube-proxy', `--config=/var/lib/kube-proxy/${KUBE_PROXY_CONFIG_KEY}`, '--hostname-override=$(NODE_NAME)'],
              securityContext: { privileged: true },
              volumeMounts: [
                { mountPath: '/var/lib/kube-proxy', name: 'kube-proxy' },
                { mountPath: '/run/xtables.lock', name: 'xtables-lock' },
                { mountPath: '/lib/modules', name: 'lib-modules', readOnly: true },
              ],
              env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            },
          ],
          hostNetwork: true,
          serviceAccountName: KUBE_PROXY_NAME,
          volumes: [
            { name: 'kube-proxy', configMap: { name: KUBE_PROXY_NAME } },
            { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } },
            { name: 'lib-modules', hostPath: { path: '/lib/modules' } },
          ],
          tolerations: structuredClone(lookup(KUBE_PROXY_TOLERATIONS, version)),
          nodeSelector: { 'kubernetes.io/os': 'linux' },
        },
      },
    },
  };
}

function rbac(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: KUBE_PROXY_NAME, namespace: NAMESPACE } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: KUBE_PROXY_CLUSTER_ROLE_BINDING },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KUBE_PROXY_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: KUBE_PROXY_NAME, namespace: NAMESPACE }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: KUBE_PROXY_NAME, namespace: NAMESPACE },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [KUBE_PROXY_NAME] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: KUBE_PROXY_NAME, namespace: NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: KUBE_PROXY_NAME },
      subjects: [{ kind: 'Group', name: NODE_BOOTSTRAP_TOKEN_GROUP }],
    },
  ];
}

/**
 * The objects of kubeadm's kube-proxy addon for that cluster and Kubernetes version: ConfigMap kube-proxy
 * (config.conf and kubeconfig.conf, whose server is apiServerUrl: kubeadm's control-plane endpoint, see
 * controlPlaneEndpoint in src/pki/endpoints.ts), DaemonSet kube-proxy, ServiceAccount kube-proxy,
 * ClusterRoleBinding kubeadm:node-proxier (→ system:node-proxier) and Role/RoleBinding kube-proxy that let
 * bootstrap tokens read the ConfigMap during join.
 */
export function kubeProxyObjects(inv: Inventory, version: VersionLike, apiServerUrl: string): KubeObject[] {
  const v = kubeVersion(version);
  return [configMap(inv, v, apiServerUrl), daemonSet(inv, v), ...rbac()];
}
