/**
 * kubeadm's upload-config phase, offline: the kube-system/kubeadm-config ConfigMap (the ClusterConfiguration
 * that `kubeadm upgrade` and `kubeadm join` read back), the kubelet's ConfigMap, and the Roles and RoleBindings
 * that let joining nodes read both (cmd/kubeadm/app/phases/uploadconfig/uploadconfig.go UploadConfiguration,
 * cmd/kubeadm/app/phases/kubelet/config.go CreateConfigMap).
 */
import { createHash } from 'node:crypto';
import type { Inventory } from '../inventory/types.js';
import { lookup } from '../kube/table.js';
import { kubeVersion, type VersionLike } from '../kube/version.js';
import { toKubeYaml } from '../kubelet/yaml.js';
import { filteredAuthorizationModes } from '../manifests/args.js';
import { externalEtcdHostPaths } from '../inventory/etcd.js';
import type { KubeObject } from './objects.js';
import { GROUP_BOOTSTRAPPERS, GROUP_NODES, groupSubject, role, roleBinding } from './rbac.js';
import {
  AUTHORIZATION_MODE_UPLOADED,
  CLUSTER_CONFIGURATION_SHAPE,
  CLUSTER_STATUS_UPLOADED,
  KUBELET_CONFIGMAP_VERSIONED,
  type ClusterConfigurationShape,
} from './versions.js';

/** kubeadm's constants: the ConfigMap and its keys. */
export const KUBEADM_CONFIG_CONFIGMAP = 'kubeadm-config';
export const CLUSTER_CONFIGURATION_KEY = 'ClusterConfiguration';
export const CLUSTER_STATUS_KEY = 'ClusterStatus';
/** NodesKubeadmConfigClusterRoleName: the Role (despite the name) that lets nodes and bootstrap tokens read kubeadm-config. */
export const NODES_KUBEADM_CONFIG_ROLE = 'kubeadm:nodes-kubeadm-config';
/** KubeletBaseConfigurationConfigMapKey. */
export const KUBELET_CONFIG_KEY = 'kubelet';
/**
 * ComponentConfigHashAnnotationKey: set on a component ConfigMap kubeadm generated itself (componentconfigs
 * SignConfigMap, since v1.19, PR #86070; unchanged in every supported release).
 */
export const COMPONENT_CONFIG_HASH_ANNOTATION = 'kubeadm.kubernetes.io/component-config.hash';

/** v1beta4's defaults (constants.go CertificateValidityPeriod, CACertificateValidityPeriod, EncryptionAlgorithmRSA2048). */
const CERTIFICATE_VALIDITY_PERIOD = '8760h0m0s';
const CA_CERTIFICATE_VALIDITY_PERIOD = '87600h0m0s';
const ENCRYPTION_ALGORITHM = 'RSA-2048';
/** v1beta2/v1beta3 SetDefaults_APIServer: DefaultControlPlaneTimeout (4 minutes) as metav1.Duration prints it. */
const TIMEOUT_FOR_CONTROL_PLANE = '4m0s';

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * extraArgs as the API version spells them: a map (v1beta2, v1beta3) or v1beta4's list of {name, value}, which
 * kubeadm's v1beta3→v1beta4 conversion (convertToArgs) sorts by name, as the inventory's map is here.
 */
function extraArgs(args: Readonly<Record<string, string>>, shape: ClusterConfigurationShape): unknown {
  const names = Object.keys(args).sort(byteOrder);
  if (names.length === 0) return undefined;
  if (shape.extraArgs === 'map') return Object.fromEntries(names.map((n) => [n, args[n]]));
  return names.map((name) => ({ name, value: args[name] }));
}

/** A copy without the undefined fields and without empty lists, as Go's `omitempty` drops them. */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out;
}

/**
 * etcd.external as kubeadm stores it (ExternalEtcd in v1beta2–v1beta4: endpoints, caFile, certFile, keyFile, none
 * omitempty), with the paths where the files are on the control planes: what the API server's flags name, and
 * what a later `kubeadm join --control-plane` or `kubeadm upgrade` on the node reads.
 */
function externalEtcdObject(c: Inventory['cluster']): Record<string, unknown> {
  const external = c.etcd.external;
  if (!external) throw new Error('unreachable: no external etcd');
  const paths = externalEtcdHostPaths(c.certificatesDir);
  return { caFile: paths.caFile, certFile: paths.certFile, endpoints: [...external.endpoints], keyFile: paths.keyFile };
}

/**
 * The ClusterConfiguration object kubeadm of that version stores: the defaulted internal configuration converted to
 * the release's storage API version, with only what kubeadm sets for an inventory like ours (no external etcd, no
 * feature gates, no extra volumes, no image overrides).
 */
export function clusterConfigurationObject(inv: Inventory, version: VersionLike): Record<string, unknown> {
  const v = kubeVersion(version);
  const shape = lookup(CLUSTER_CONFIGURATION_SHAPE, v);
  const c = inv.cluster;
  let apiServerArgs: Record<string, string> = { ...c.apiServer.extraArgs };
  if (lookup(AUTHORIZATION_MODE_UPLOADED, v)) {
    // getAPIServerCommand wrote its choice back into cfg before upload-config marshalled it.
    apiServerArgs = { ...apiServerArgs, 'authorization-mode': filteredAuthorizationModes(apiServerArgs['authorization-mode']) };
  }
  const local = c.etcd.local;
  return compact({
    apiServer: compact({
      extraArgs: extraArgs(apiServerArgs, shape),
      certSANs: [...c.apiServer.certSANs],
      timeoutForControlPlane: shape.timeoutForControlPlane ? TIMEOUT_FOR_CONTROL_PLANE : undefined,
    }),
    apiVersion: shape.apiVersion,
    caCertificateValidityPeriod: shape.v1beta4Fields ? CA_CERTIFICATE_VALIDITY_PERIOD : undefined,
    certificateValidityPeriod: shape.v1beta4Fields ? CERTIFICATE_VALIDITY_PERIOD : undefined,
    certificatesDir: c.certificatesDir,
    clusterName: c.clusterName,
    controlPlaneEndpoint: c.controlPlaneEndpoint,
    controllerManager: compact({ extraArgs: extraArgs(c.controllerManager.extraArgs, shape) }),
    dns: shape.dnsType ? { type: 'CoreDNS' } : {},
    encryptionAlgorithm: shape.v1beta4Fields ? ENCRYPTION_ALGORITHM : undefined,
    etcd: c.etcd.external ? { external: externalEtcdObject(c) } : {
      // LocalEtcd.DataDir has no omitempty; the SAN lists and extraArgs do.
      local: {
        dataDir: local.dataDir,
        ...compact({
          extraArgs: extraArgs(local.extraArgs, shape),
          peerCertSANs: [...local.peerCertSANs],
          serverCertSANs: [...local.serverCertSANs],
        }),
      },
    },
    imageRepository: c.imageRepository,
    kind: 'ClusterConfiguration',
    kubernetesVersion: v.text,
    networking: compact({ dnsDomain: c.networking.dnsDomain, podSubnet: c.networking.podSubnet, serviceSubnet: c.networking.serviceSubnet }),
    proxy: shape.v1beta4Fields ? {} : undefined,
    scheduler: compact({ extraArgs: extraArgs(c.scheduler.extraArgs, shape) }),
  });
}

/**
 * The ClusterConfiguration text in kubeadm-config, as MarshalKubeadmConfigObject writes it: encoding/json then
 * sigs.k8s.io/yaml, so keys are sorted at every level and Go's omitempty decides what is left out. kubeadm
 * compares this text on upgrade; writing it the way kubeadm does keeps `kubeadm upgrade` working on our clusters.
 */
export function clusterConfigurationYaml(inv: Inventory, version: VersionLike): string {
  return toKubeYaml(clusterConfigurationObject(inv, version));
}

/**
 * v1beta2's ClusterStatus (v1.20, v1.21): every control-plane node's API endpoint, keyed by node name. kubeadm init
 * writes the first, each control-plane join adds its own (control-plane-join/update-status); this is the state once
 * every control-plane host of the inventory is up.
 */
export function clusterStatusYaml(inv: Inventory, version: VersionLike): string {
  const shape = lookup(CLUSTER_CONFIGURATION_SHAPE, version);
  const apiEndpoints: Record<string, unknown> = {};
  for (const host of inv.hosts.filter((h) => h.roles.includes('control-plane'))) {
    apiEndpoints[host.name] = { advertiseAddress: host.advertiseAddress, bindPort: host.bindPort };
  }
  return toKubeYaml({ apiEndpoints, apiVersion: shape.apiVersion, kind: 'ClusterStatus' });
}

/** kubelet-config-1.XX before v1.24, kubelet-config since (constants.go GetKubeletConfigMapName). */
export function kubeletConfigMapName(version: VersionLike): string {
  const v = kubeVersion(version);
  return lookup(KUBELET_CONFIGMAP_VERSIONED, v) ? `kubelet-config-${v.major}.${v.minor}` : 'kubelet-config';
}

/** kubeadm:kubelet-config-1.XX before v1.24, kubeadm:kubelet-config since (KubeletBaseConfigMapRole). */
export function kubeletConfigRoleName(version: VersionLike): string {
  return `kubeadm:${kubeletConfigMapName(version)}`;
}

/**
 * componentconfigs.ChecksumForConfigMap: sha256 over the values of data (then binaryData) in key order, written
 * "sha256:<hex>". kubeadm upgrade regenerates a signed ConfigMap instead of keeping it, so the hash says "kubeadm's own".
 */
export function configMapChecksum(data: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort(byteOrder)) hash.update(data[key]!, 'utf8');
  return `sha256:${hash.digest('hex')}`;
}

/** True when the inventory sets any KubeletConfiguration field: kubeadm's "user supplied" config, which it does not sign. */
function kubeletConfigUserSupplied(inv: Inventory): boolean {
  return Object.values(inv.kubelet).some((value) => value !== undefined);
}

function configMap(namespace: string, name: string, data: Record<string, string>, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    data,
  };
}

/**
 * Everything kubeadm's upload-config phase creates, in kubeadm's order: kubeadm-config with its Role and
 * RoleBinding (subjects: the bootstrap-token group, then system:nodes), then the kubelet's ConfigMap (key "kubelet",
 * holding kubeletConfigYaml, the cluster-wide KubeletConfiguration) with its Role and RoleBinding (subjects:
 * system:nodes, then the bootstrap-token group). The kubelet ConfigMap carries the component-config hash unless the
 * inventory supplies kubelet settings, as kubeadm signs only a configuration it generated.
 *
 * kubeletConfigYaml is the cluster-wide KubeletConfiguration as kubeadm marshals it for the ConfigMap, i.e. before
 * the node-specific changes kubeadm makes only to the file it writes on each node (the resolvConf of a
 * systemd-resolved host, NodeLocalCRISocket's instance configuration).
 */
export function uploadConfigObjects(inv: Inventory, version: VersionLike, kubeletConfigYaml: string): KubeObject[] {
  const v = kubeVersion(version);
  const kubeadmData: Record<string, string> = { [CLUSTER_CONFIGURATION_KEY]: clusterConfigurationYaml(inv, v) };
  if (lookup(CLUSTER_STATUS_UPLOADED, v)) kubeadmData[CLUSTER_STATUS_KEY] = clusterStatusYaml(inv, v);

  const kubeletName = kubeletConfigMapName(v);
  const kubeletData = { [KUBELET_CONFIG_KEY]: kubeletConfigYaml };
  const signed = kubeletConfigUserSupplied(inv) ? undefined : { [COMPONENT_CONFIG_HASH_ANNOTATION]: configMapChecksum(kubeletData) };
  const kubeletRole = kubeletConfigRoleName(v);

  return [
    configMap('kube-system', KUBEADM_CONFIG_CONFIGMAP, kubeadmData),
    role('kube-system', NODES_KUBEADM_CONFIG_ROLE, [
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [KUBEADM_CONFIG_CONFIGMAP] },
    ]),
    roleBinding('kube-system', NODES_KUBEADM_CONFIG_ROLE, NODES_KUBEADM_CONFIG_ROLE, [groupSubject(GROUP_BOOTSTRAPPERS), groupSubject(GROUP_NODES)]),
    configMap('kube-system', kubeletName, kubeletData, signed),
    role('kube-system', kubeletRole, [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [kubeletName] }]),
    roleBinding('kube-system', kubeletRole, kubeletRole, [groupSubject(GROUP_NODES), groupSubject(GROUP_BOOTSTRAPPERS)]),
  ];
}
