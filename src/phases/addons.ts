/**
 * addons: kubeadm's CoreDNS and kube-proxy objects for the version, then the inventory's addons.manifests (a
 * CNI, say) in order, each object created or updated. Without a CNI the Nodes stay NotReady, as with kubeadm.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { corednsObjects, kubeProxyObjects } from '../cluster/index.js';
import type { KubeObject } from '../cluster/objects.js';
import { clusterVersion } from '../kube/version.js';
import type { Phase } from '../pipeline/phase.js';
import { controlPlaneEndpoint } from '../pki/endpoints.js';
import { InputError } from '../util/errors.js';
import { adminApi, applyThrough, isInitHost } from './cluster-api.js';

export class AddonManifestError extends InputError {
  override name = 'AddonManifestError';
  constructor(message: string) {
    super(message);
    this.stack = `${this.name}: ${message}`;
  }
}

/** The objects of a manifest file (YAML, several documents, `kind: List` unwrapped), with located errors. */
export async function manifestObjects(file: string): Promise<KubeObject[]> {
  const text = await readFile(file, 'utf8');
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      throw new AddonManifestError(`${file}${at ? `:${at.line}:${at.col}` : ''}: ${error.message.split('\n')[0]}`);
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const line = doc.contents?.range ? text.slice(0, doc.contents.range[0]).split('\n').length : 1;
    const items = (value as { kind?: string; items?: unknown[] }).kind === 'List' ? ((value as { items?: unknown[] }).items ?? []) : [value];
    for (const item of items) {
      const o = item as Partial<KubeObject>;
      if (typeof o !== 'object' || !o.apiVersion || !o.kind || !o.metadata?.name) {
        throw new AddonManifestError(`${file}:${line}:1: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
      }
      objects.push(o as KubeObject);
    }
  }
  return objects;
}

export const addonsPhase: Phase = {
  name: 'addons',
  title: 'addons: CoreDNS, kube-proxy and the inventory\'s manifests',
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    const version = clusterVersion(ctx.inv);
    const server = controlPlaneEndpoint(ctx.inv, h.spec);
    const builtIn = [...corednsObjects(ctx.inv, version), ...kubeProxyObjects(ctx.inv, version, server)];
    await applyThrough(ctx, h, 'CoreDNS and kube-proxy', builtIn, () => adminApi(ctx), task.progress);
    for (const file of ctx.inv.addons?.manifests ?? []) {
      await applyThrough(ctx, h, file, await manifestObjects(file), () => adminApi(ctx), task.progress);
    }
  },
};
