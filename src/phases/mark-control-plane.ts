/**
 * mark-control-plane: the labels and taints kubeadm of that version puts on a control-plane Node (the
 * master → control-plane transition of v1.20–v1.25 included), once kubelet has registered the Node. Labels are
 * merged and missing taints added, as kubeadm's PatchNode does; nothing is sent when the Node already has them.
 */
import { markControlPlane, nodeAnnotations, type Taint } from '../cluster/index.js';
import { defaultCriSocket } from '../kube/runtime.js';
import { clusterVersion } from '../kube/version.js';
import { factsOf } from '../pipeline/context.js';
import { isInitHost } from './cluster-api.js';
import { wet, type Phase } from '../pipeline/phase.js';
import { adminApi } from './cluster-api.js';
import { waitForNode } from './nodes.js';

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect && (a.value ?? '') === (b.value ?? '');

export const markControlPlanePhase: Phase = {
  name: 'mark-control-plane',
  title: 'mark-control-plane: control-plane labels and taints on the Node',
  // The first control plane; the others are marked as they join (control-plane-join).
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    const version = clusterVersion(ctx.inv);
    const { labels, taints } = markControlPlane(version);
    // kubeadm's upload-config also annotates the Node with its CRI socket (patchnode.AnnotateCRISocket), once the
    // Node exists: done here, where the Node is waited for anyway.
    const annotations = nodeAnnotations(version, factsOf(h).criSocket ?? h.spec.criSocket ?? defaultCriSocket(version));
    const what = `label ${Object.keys(labels).join(', ')}${taints.length ? ` and taint ${taints.map((t) => `${t.key}:${t.effect}`).join(', ')}` : ''} Node ${h.spec.name}`;
    if (ctx.options.dryRun) {
      await wet(ctx, h, what, async () => undefined);
      task.progress(`would ${what}`);
      return;
    }
    const api = await adminApi(ctx);
    task.progress(`waiting for Node ${h.spec.name} to be registered`);
    const node = await waitForNode(ctx, api, h.spec.name);
    const meta = node.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> };
    const missingAnnotations = Object.entries(annotations).filter(([k, v]) => meta.annotations?.[k] !== v);
    const spec = (node.spec ?? {}) as { taints?: Taint[] };
    const missingLabels = Object.entries(labels).filter(([k, v]) => meta.labels?.[k] !== v);
    const have = spec.taints ?? [];
    const missingTaints = taints.filter((t) => !have.some((x) => sameTaint(x, t)));
    if (!missingLabels.length && !missingTaints.length && !missingAnnotations.length) {
      task.progress(`Node ${h.spec.name} already has kubeadm's labels and taints`);
      return;
    }
    await wet(ctx, h, what, () =>
      api.mergePatch(
        { apiVersion: 'v1', kind: 'Node', name: h.spec.name },
        {
          metadata: {
            ...(missingLabels.length ? { labels: Object.fromEntries(missingLabels) } : {}),
            ...(missingAnnotations.length ? { annotations: Object.fromEntries(missingAnnotations) } : {}),
          },
          ...(missingTaints.length ? { spec: { taints: [...have, ...missingTaints] } } : {}),
        },
      ),
    );
    h.changed.push(`updated Node/${h.spec.name}`);
    task.progress(`marked Node ${h.spec.name} as a control plane`);
  },
};
