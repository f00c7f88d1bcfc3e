/**
 * kubeadm's kubelet-finalize phase (cmd/kubeadm/app/cmd/phases/init/kubeletfinalize.go) and the join command line
 * kubeadm init prints for the other nodes.
 */
import { parse } from 'yaml';
import { lookup } from '../kube/table.js';
import type { VersionLike } from '../kube/version.js';
import { toKubeYaml } from '../kubelet/yaml.js';
import { ClusterObjectError } from './errors.js';
import { KUBELET_FINALIZE, type KubeletFinalizeStep } from './versions.js';

/**
 * What kubelet-finalize does on the node `kubeadm init` ran on, once its kubelet has bootstrapped: if the kubelet
 * rotates its client certificate (/var/lib/kubelet/pki/kubelet-client-current.pem exists), kubelet.conf's user
 * system:node:<name> is rewritten to use that file as client-certificate and client-key instead of the embedded
 * certificate kubeadm signed (which would expire after a year), and the kubelet is restarted. Joined nodes need
 * nothing: their kubelet.conf comes from TLS bootstrap and already points at the rotated file. The sub-phase's name
 * changed in v1.31 (see KUBELET_FINALIZE); what it does did not.
 */
export function kubeletFinalize(version: VersionLike): KubeletFinalizeStep {
  return { ...lookup(KUBELET_FINALIZE, version) };
}

/**
 * The `kubeadm join` line for another node, as kubeadm init prints it (on one line instead of kubeadm's
 * backslash-continued lines): endpoint is host:port of the control plane, caHash "sha256:<hex>" (a bare hex digest
 * gets the prefix). controlPlane adds --control-plane (a control-plane join also needs the certificates, which
 * kubeadm passes with --certificate-key; bootstrap copies them itself).
 */
export function joinCommand(endpoint: string, token: string, caHash: string, controlPlane = false): string {
  const hash = caHash.startsWith('sha256:') ? caHash : `sha256:${caHash}`;
  return `kubeadm join ${endpoint} --token ${token} --discovery-token-ca-cert-hash ${hash}${controlPlane ? ' --control-plane' : ''}`;
}

/**
 * kubelet.conf after kubelet-finalize: the user system:node:<nodeName> loses client-certificate-data and
 * client-key-data and points client-certificate and client-key at the kubelet's rotating PEM instead; everything else
 * is kept. Written back as clientcmd.WriteToFile does (keys sorted, lists not indented), so a file kubeadm wrote
 * comes back byte for byte apart from the user. A file without that user is a ClusterObjectError, as kubeadm refuses it too.
 */
export function kubeletConfWithRotatingCert(kubeletConf: string, nodeName: string, version: VersionLike): string {
  const step = lookup(KUBELET_FINALIZE, version);
  const config = parse(kubeletConf) as { users?: { name: string; user?: Record<string, unknown> }[] } | null;
  const userName = `system:node:${nodeName}`;
  const entry = config?.users?.find((u) => u.name === userName);
  if (!config || !entry) throw new ClusterObjectError(`the file ${step.kubeconfig} does not contain authentication for user "${nodeName}"`);
  const { 'client-certificate-data': _cert, 'client-key-data': _key, ...rest } = entry.user ?? {};
  entry.user = { ...rest, 'client-certificate': step.clientCertificate, 'client-key': step.clientKey };
  return toKubeYaml(config);
}
