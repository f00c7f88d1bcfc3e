/**
 * The leaf certificates kubeadm's certs phase writes on a control-plane node and the client certificates its
 * kubeconfig phase embeds, with their subjects and SANs (kubeadm phases/certs/certlist.go, util/pkiutil/pki_helpers.go
 * GetAPIServerAltNames / getAltNames, phases/kubeconfig/kubeconfig.go getKubeConfigSpecsBase).
 */
import type { HostSpec, Inventory } from '../inventory/types.js';
import type { CertificateSubject } from './certificate.js';
import { canonicalIp, firstServiceIp, isIp } from './ip.js';
import { parseHostPort } from './endpoints.js';
import type { PkiProfile } from './profiles.js';
import { PkiError } from './errors.js';

export type CaName = 'ca' | 'front-proxy-ca' | 'etcd-ca';

export interface LeafCertificate {
  /** kubeadm's name for it (kubeadm certs renew <name>). */
  name: string;
  /** Path under certificatesDir without extension. */
  baseName: string;
  ca: CaName;
  subject: CertificateSubject;
}

// RFC 1123 subdomain (validation.IsDNS1123Subdomain) and its wildcard form (IsWildcardDNS1123Subdomain).
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const WILDCARD_SUBDOMAIN = new RegExp(`^\\*\\.${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);

function isValidDnsName(name: string): boolean {
  return name.length <= 253 && (DNS1123_SUBDOMAIN.test(name) || WILDCARD_SUBDOMAIN.test(name));
}

interface AltNames {
  dnsNames: string[];
  ips: string[];
}

/**
 * appendSANsToAltNames: IPs go to IP SANs, RFC 1123 (or wildcard) names to DNS SANs; anything else is left out,
 * as kubeadm does (it only prints a warning).
 */
function appendSans(alt: AltNames, sans: string[]): void {
  for (const san of sans) {
    if (isIp(san)) alt.ips.push(san);
    else if (isValidDnsName(san)) alt.dnsNames.push(san);
  }
}

/** pkiutil.RemoveDuplicateAltNames (kubeadm v1.20+): DNS names de-duplicated and sorted, IPs de-duplicated in order. */
function removeDuplicates(alt: AltNames): AltNames {
  const dnsNames = [...new Set(alt.dnsNames)].sort();
  const ips = [...new Set(alt.ips.map(canonicalIp))];
  return { dnsNames, ips };
}

function apiServerAltNames(inv: Inventory, host: HostSpec): AltNames {
  const { cluster } = inv;
  const alt: AltNames = {
    dnsNames: [host.name, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${cluster.networking.dnsDomain}`],
    ips: [firstServiceIp(cluster.networking.serviceSubnet), host.advertiseAddress],
  };
  if (cluster.controlPlaneEndpoint) {
    const { host: endpointHost } = parseHostPort(cluster.controlPlaneEndpoint);
    if (isIp(endpointHost)) alt.ips.push(endpointHost);
    else alt.dnsNames.push(endpointHost);
  }
  appendSans(alt, cluster.apiServer.certSANs);
  return removeDuplicates(alt);
}

function etcdAltNames(host: HostSpec, extraSans: string[]): AltNames {
  const alt: AltNames = { dnsNames: [host.name, 'localhost'], ips: [host.advertiseAddress, '127.0.0.1', '::1'] };
  appendSans(alt, extraSans);
  return removeDuplicates(alt);
}

function assertAdvertiseAddress(host: HostSpec): void {
  if (!isIp(host.advertiseAddress)) {
    throw new PkiError(`host ${host.name}: advertise address "${host.advertiseAddress}" is not an IP address`);
  }
}

/**
 * Every leaf of a control-plane node, in kubeadm's order (certlist.go GetDefaultCertList). With an external etcd,
 * none signed by etcd-ca: kubeadm's certs phase skips them ("External etcd mode: Skipping %s certificate
 * generation", cmd/phases/init/certs.go runCertPhase), apiserver-etcd-client included.
 */
export function controlPlaneLeaves(inv: Inventory, host: HostSpec, profile: PkiProfile): LeafCertificate[] {
  assertAdvertiseAddress(host);
  const etcd = inv.cluster.etcd.local;
  const client = (commonName: string, organization: string[]): CertificateSubject => ({
    commonName,
    organization,
    usages: ['clientAuth'],
    dnsNames: [],
    ips: [],
  });
  const leaves: LeafCertificate[] = [
    {
      name: 'apiserver',
      baseName: 'apiserver',
      ca: 'ca',
      subject: { commonName: 'kube-apiserver', organization: [], usages: ['serverAuth'], ...apiServerAltNames(inv, host) },
    },
    {
      name: 'apiserver-kubelet-client',
      baseName: 'apiserver-kubelet-client',
      ca: 'ca',
      subject: client('kube-apiserver-kubelet-client', profile.apiserverKubeletClientOrganization),
    },
    { name: 'front-proxy-client', baseName: 'front-proxy-client', ca: 'front-proxy-ca', subject: client('front-proxy-client', []) },
    {
      name: 'etcd-server',
      baseName: 'etcd/server',
      ca: 'etcd-ca',
      // ServerAuth and ClientAuth: etcd requires ClientAuth on its serving certificate (certlist.go comment).
      subject: { commonName: host.name, organization: [], usages: ['serverAuth', 'clientAuth'], ...etcdAltNames(host, etcd.serverCertSANs) },
    },
    {
      name: 'etcd-peer',
      baseName: 'etcd/peer',
      ca: 'etcd-ca',
      subject: { commonName: host.name, organization: [], usages: ['serverAuth', 'clientAuth'], ...etcdAltNames(host, etcd.peerCertSANs) },
    },
    {
      name: 'etcd-healthcheck-client',
      baseName: 'etcd/healthcheck-client',
      ca: 'etcd-ca',
      subject: client('kube-etcd-healthcheck-client', profile.etcdClientOrganization),
    },
    {
      name: 'apiserver-etcd-client',
      baseName: 'apiserver-etcd-client',
      ca: 'etcd-ca',
      subject: client('kube-apiserver-etcd-client', profile.etcdClientOrganization),
    },
  ];
  return inv.cluster.etcd.external ? leaves.filter((l) => l.ca !== 'etcd-ca') : leaves;
}

export type KubeconfigFile = 'admin.conf' | 'super-admin.conf' | 'kubelet.conf' | 'controller-manager.conf' | 'scheduler.conf';

export interface KubeconfigSpec {
  file: KubeconfigFile;
  /** The user (and client certificate CN). */
  userName: string;
  organization: string[];
  /** Which API server URL: controlPlaneEndpoint or the node's own. */
  endpoint: 'control-plane' | 'local';
}

/**
 * The kubeconfig files of a node. The first control-plane node gets what kubeadm init writes; a joining one what
 * kubeadm join --control-plane writes (phases/kubeconfig/kubeconfig.go CreateJoinControlPlaneKubeConfigFiles, every
 * supported release: admin.conf, controller-manager.conf, scheduler.conf; no super-admin.conf, and no kubelet.conf,
 * which the kubelet's TLS bootstrap makes at join time); a worker only kubelet.conf.
 */
export function kubeconfigSpecs(inv: Inventory, host: HostSpec, profile: PkiProfile, isFirstControlPlane: boolean): KubeconfigSpec[] {
  const controlPlane = host.roles.includes('control-plane');
  const kubelet: KubeconfigSpec = {
    file: 'kubelet.conf',
    userName: `system:node:${host.name}`,
    organization: ['system:nodes'],
    endpoint: controlPlane && profile.controlPlaneKubeletUsesLocalApiEndpoint ? 'local' : 'control-plane',
  };
  if (!controlPlane) return [kubelet];
  const componentsEndpoint = profile.componentsUseLocalApiEndpoint ? 'local' : 'control-plane';
  const specs: KubeconfigSpec[] = [
    { file: 'admin.conf', userName: 'kubernetes-admin', organization: profile.adminOrganization, endpoint: 'control-plane' },
  ];
  if (profile.superAdminKubeconfig && isFirstControlPlane) {
    specs.push({ file: 'super-admin.conf', userName: 'kubernetes-super-admin', organization: ['system:masters'], endpoint: 'control-plane' });
  }
  if (isFirstControlPlane) specs.push(kubelet);
  specs.push(
    { file: 'controller-manager.conf', userName: 'system:kube-controller-manager', organization: [], endpoint: componentsEndpoint },
    { file: 'scheduler.conf', userName: 'system:kube-scheduler', organization: [], endpoint: componentsEndpoint },
  );
  return specs;
}
