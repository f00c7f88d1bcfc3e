/** kubeadm's addons (phase addon/coredns and addon/kube-proxy) as API objects, per Kubernetes version. */
export { corednsObjects, corefile, COREDNS_NAME, COREDNS_REPLICAS, KUBE_DNS_SERVICE_NAME } from './coredns.js';
export {
  kubeProxyObjects,
  kubeProxyBindAddress,
  kubeProxyConfig,
  kubeProxyKubeconfig,
  COMPONENT_CONFIG_HASH_ANNOTATION,
  KUBE_PROXY_NAME,
} from './kube-proxy.js';
export { dnsServiceIp } from './dns-ip.js';
export { AddonError } from './errors.js';
