/**
 * The inventory `bootstrap` reads for the lab, in the product's own format: the lab registry as imageRepository,
 * the lab's key, every node's host key pinned.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { LabNode } from './state.js';
import { labDir } from './state.js';

export interface LabInventoryInput {
  kubernetesVersion: string;
  imageRepository: string;
  /** The load balancer's address:port, when the lab has one (required with more than one control plane). */
  controlPlaneEndpoint?: string;
  identityFile: string;
  knownHostsFile: string;
  nodes: (LabNode & { hostKey: string })[];
  /**
   * Bare nodes: prepare configures containerd for the lab's plain-HTTP registries and installs kubelet and crictl
   * from the lab's package repository.
   */
  bare?: { registries: string[]; repository: string };
}

export function renderLabInventory(input: LabInventoryInput): string {
  const document = {
    cluster: {
      kubernetesVersion: input.kubernetesVersion,
      imageRepository: input.imageRepository,
      ...(input.controlPlaneEndpoint ? { controlPlaneEndpoint: input.controlPlaneEndpoint } : {}),
    },
    // The lab's containerd and dockerd run with the cgroupfs driver (nodes share the host's cgroup v1 tree).
    kubelet: { cgroupDriver: 'cgroupfs' },
    ssh: {
      user: 'root',
      port: 22,
      identityFile: input.identityFile,
      // Only the lab's key: an agent's keys would be offered first and could exhaust sshd's MaxAuthTries.
      agent: false,
      knownHostsFile: input.knownHostsFile,
    },
    ...(input.bare
      ? {
        registries: { endpoints: Object.fromEntries(input.bare.registries.map((r) => [r, { server: `http://${r}` }])) },
        install: { source: 'packages', repository: input.bare.repository },
      }
      : {}),
    hosts: input.nodes.map((node) => ({
      name: node.name,
      address: node.address,
      roles: node.roles,
      hostKeys: [node.hostKey],
    })),
  };
  return '# Written by `npm run lab -- up`: the lab nodes, their pinned host keys and the lab registry.\n' + stringify(document, { lineWidth: 0 });
}

export function writeLabInventory(repoRoot: string, input: LabInventoryInput): string {
  const file = join(labDir(repoRoot), 'inventory.yaml');
  writeFileSync(file, renderLabInventory(input), { mode: 0o644 });
  return file;
}
