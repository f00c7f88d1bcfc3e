/** Inputs shared by the cluster object tests. */
import type { Inventory } from '../../src/inventory/types.js';
import { goldenInventory } from '../golden-inventory.js';

/** A KubeletConfiguration as the kubelet phase would pass it (its own goldens check its content). */
export const KUBELET_CONFIG = 'apiVersion: kubelet.config.k8s.io/v1beta1\ncgroupDriver: systemd\nkind: KubeletConfiguration\n';

/** A PEM-shaped CA: only embedded (base64) in these objects, never parsed. */
export const FAKE_CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfakeCAfakeCAfakeCA\n-----END CERTIFICATE-----\n';

/** The golden inventory with every ClusterConfiguration field bootstrap passes on set, and a second control plane. */
export function customInventory(version: string): Inventory {
  const inv = goldenInventory(version, { controlPlaneEndpoint: 'k8s.example.internal:6443' });
  const cp2 = { ...inv.hosts[0]!, name: 'cp2', address: '10.7.0.151', advertiseAddress: '10.7.0.151' };
  return {
    ...inv,
    hosts: [inv.hosts[0]!, cp2, ...inv.hosts.slice(1)],
    cluster: {
      ...inv.cluster,
      clusterName: 'lab',
      apiServer: { extraArgs: { 'audit-log-maxage': '7', 'authorization-mode': 'Node,Foo,RBAC' }, certSANs: ['k8s.example.internal', '10.7.0.100'] },
      controllerManager: { extraArgs: { 'bind-address': '0.0.0.0' } },
      scheduler: { extraArgs: { 'bind-address': '0.0.0.0' } },
      etcd: { local: { ...inv.cluster.etcd.local, extraArgs: { 'quota-backend-bytes': '8589934592' }, serverCertSANs: ['etcd.example.internal'], peerCertSANs: ['10.7.0.100'] } },
    },
  };
}

