/**
 * The values the data file's placeholders stand for, taken from the inventory and the host, and the
 * substitution itself.
 */
import { isIPv6 } from 'node:net';
import { posix } from 'node:path';
import type { HostSpec, Inventory } from '../inventory/types.js';
import { ManifestError } from './errors.js';
import type { KubeVersion } from '../kube/version.js';

/** kubeadm's constants.KubernetesDir. */
export const KUBERNETES_DIR = '/etc/kubernetes';

export interface RenderContext {
  /** The Kubernetes version the manifests are for. */
  version: KubeVersion;
  ipv6: boolean;
  /** Loopback in the advertise address's family, as probes and etcd use it ("127.0.0.1" or "::1"). */
  loopback: string;
  placeholders: Record<string, string>;
}

/** A host for use inside a URL or host:port: IPv6 literals get brackets (Go's net.JoinHostPort). */
function urlHost(address: string): string {
  return isIPv6(address) ? `[${address}]` : address;
}

/** A member of an existing etcd cluster, as etcd's member list reports it. */
export interface EtcdMember {
  name: string;
  peerURL: string;
}

/** https://<advertise address>:2379, as kubeadm's etcdutil.GetClientURL: where a stacked member serves clients. */
export function etcdClientUrl(host: HostSpec): string {
  return `https://${urlHost(host.advertiseAddress)}:2379`;
}

/** https://<advertise address>:2380, as kubeadm's etcdutil.GetPeerURL. */
export function etcdPeerUrl(host: HostSpec): string {
  return `https://${urlHost(host.advertiseAddress)}:2380`;
}

/**
 * etcd's --initial-cluster: name=peerURL for each member, comma-separated, in the order given. kubeadm writes it
 * so for the first member alone and for a joining one from the list etcdutil.AddMember answered with
 * (cmd/kubeadm/app/phases/etcd/local.go getEtcdCommand); src/etcd builds that list from etcd's answer.
 */
export function initialCluster(members: readonly EtcdMember[]): string {
  return members.map((m) => `${m.name}=${m.peerURL}`).join(',');
}

/**
 * The etcd members a joining control-plane host lists in --initial-cluster: every control-plane host before it in
 * inventory order (they joined one at a time before it), then itself. kubeadm writes the list etcd's MemberAdd
 * answered with (CreateStackedEtcdStaticPodManifestFile), in etcd's member-ID order, which depends on IDs etcd
 * draws when the member is added; offline, inventory order stands in for it. Undefined for the first
 * control-plane host, whose etcd starts a new cluster.
 */
export function stackedEtcdMembers(inv: Inventory, host: HostSpec): EtcdMember[] | undefined {
  const controlPlanes = inv.hosts.filter((h) => h.roles.includes('control-plane'));
  const index = controlPlanes.findIndex((h) => h.name === host.name);
  if (index <= 0) return undefined;
  return controlPlanes.slice(0, index + 1).map((h) => ({ name: h.name, peerURL: etcdPeerUrl(h) }));
}

export function renderContext(inv: Inventory, host: HostSpec, version: KubeVersion, etcdMembers?: readonly EtcdMember[]): RenderContext {
  const cluster = inv.cluster;
  if (!host.advertiseAddress) {
    throw new ManifestError(`host "${host.name}" has no advertise address; the control-plane manifests need one`);
  }
  const ipv6 = isIPv6(host.advertiseAddress);
  const loopback = ipv6 ? '::1' : '127.0.0.1';
  return {
    version,
    ipv6,
    loopback,
    placeholders: {
      advertiseAddress: host.advertiseAddress,
      advertiseHost: urlHost(host.advertiseAddress),
      bindPort: String(host.bindPort),
      certificatesDir: cluster.certificatesDir,
      kubernetesDir: KUBERNETES_DIR,
      serviceSubnet: cluster.networking.serviceSubnet,
      podSubnet: cluster.networking.podSubnet,
      dnsDomain: cluster.networking.dnsDomain,
      clusterName: cluster.clusterName,
      nodeName: host.name,
      dataDir: cluster.etcd.local.dataDir,
      localhost: urlHost(loopback),
      initialCluster: initialCluster(
        etcdMembers && etcdMembers.length > 0 ? etcdMembers : [{ name: host.name, peerURL: etcdPeerUrl(host) }],
      ),
    },
  };
}

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;
/** Placeholders that name directories; "{dir}/file" is joined the way Go's filepath.Join does. */
const DIRECTORY_PLACEHOLDER = /^\{(certificatesDir|kubernetesDir|dataDir)\}\/(.*)$/;

/** Fills a template value. Unknown placeholders are a bug in the data file. */
export function fill(template: string, ctx: RenderContext): string {
  const dir = DIRECTORY_PLACEHOLDER.exec(template);
  if (dir) {
    // kubeadm builds these with filepath.Join(cfg.CertificatesDir, name), which cleans the result.
    return posix.join(substitute(`{${dir[1]}}`, ctx), substitute(dir[2] ?? '', ctx));
  }
  return substitute(template, ctx);
}

/** Fills placeholders without any path cleaning (kubeadm concatenates volume paths). */
export function substitute(template: string, ctx: RenderContext): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = ctx.placeholders[name];
    if (value === undefined) throw new Error(`static-pods.yaml: unknown placeholder {${name}}`);
    return value;
  });
}
