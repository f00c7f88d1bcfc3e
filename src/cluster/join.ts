/**
 * What a node joining with a bootstrap token needs: the CA pin (`--discovery-token-ca-cert-hash`) and the
 * /etc/kubernetes/bootstrap-kubelet.conf kubeadm join writes for the kubelet's TLS bootstrap
 * (cmd/kubeadm/app/util/pubkeypin/pubkeypin.go Hash; cmd/kubeadm/app/discovery/discovery.go For with
 * util/kubeconfig CreateWithToken).
 */
import { X509Certificate, createHash } from 'node:crypto';
import { renderKubeconfig } from '../pki/kubeconfig.js';
import { tokenString, type BootstrapToken } from './tokens.js';

/** discovery.go TokenUser. */
export const TLS_BOOTSTRAP_TOKEN_USER = 'tls-bootstrap-token-user';
/** kubeadm's DefaultClusterName, which join uses for bootstrap-kubelet.conf whatever the cluster is called. */
export const DEFAULT_CLUSTER_NAME = 'kubernetes';
/** constants.go KubeletBootstrapKubeConfigFileName under KubernetesDir. */
export const BOOTSTRAP_KUBELET_CONF = '/etc/kubernetes/bootstrap-kubelet.conf';

/**
 * pubkeypin.Hash: "sha256:" and the hex SHA-256 of the CA certificate's DER SubjectPublicKeyInfo. Pinning the key
 * (not the certificate) is what join verifies cluster-info's CA against.
 */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/**
 * bootstrap-kubelet.conf: the cluster from cluster-info (CA data, server) named clusterName (kubeadm join uses
 * "kubernetes"), context tls-bootstrap-token-user@<clusterName>, and the user tls-bootstrap-token-user with the
 * token, serialized as clientcmd writes it (keys sorted, `preferences: {}`). The kubelet uses it once to obtain its
 * client certificate, then writes kubelet.conf.
 */
export function bootstrapKubeletConf(caPem: string, serverUrl: string, token: BootstrapToken | string, clusterName = DEFAULT_CLUSTER_NAME): string {
  return renderKubeconfig({
    clusterName,
    server: serverUrl,
    userName: TLS_BOOTSTRAP_TOKEN_USER,
    caCertPem: caPem,
    token: typeof token === 'string' ? token : tokenString(token),
  });
}
