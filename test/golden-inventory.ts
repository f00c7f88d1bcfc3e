/** The inventory every generated-file golden is rendered from: one control plane and one worker, kubeadm's defaults. */
import { parseInventory } from '../src/inventory/index.js';
import type { Inventory } from '../src/inventory/types.js';

export interface GoldenOptions {
  stateDir?: string;
  /** cluster.controlPlaneEndpoint (kubeadm's default: none). */
  controlPlaneEndpoint?: string;
}

export function goldenInventory(kubernetesVersion: string, options: GoldenOptions = {}): Inventory {
  const endpoint = options.controlPlaneEndpoint ? `  controlPlaneEndpoint: ${options.controlPlaneEndpoint}\n` : '';
  const inv = parseInventory('/work/cluster/inventory.yaml', `cluster:
  kubernetesVersion: ${kubernetesVersion}
${endpoint}  networking: { podSubnet: 10.244.0.0/16, serviceSubnet: 10.96.0.0/12 }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`);
  return { ...inv, stateDir: options.stateDir ?? '/work/cluster/.bootstrap' };
}
