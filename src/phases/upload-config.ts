/**
 * upload-config: what kubeadm init stores in the cluster once its control plane is up: the kubeadm-config
 * ConfigMap (ClusterConfiguration in the API version of that release), the kubelet's ConfigMap, and the Roles
 * that let nodes read them. From v1.29, first the `kubeadm:cluster-admins` binding, made with super-admin.conf,
 * that gives admin.conf its rights (kubeadm's EnsureAdminClusterRoleBinding).
 */
import { clusterAdminsObjects, uploadConfigObjects } from '../cluster/index.js';
import { clusterVersion } from '../kube/version.js';
import { KUBELET_CONFIG_PATH } from '../kubelet/index.js';
import type { Phase } from '../pipeline/phase.js';
import { adminApi, applyThrough, isInitHost, renderedText, superAdminApi } from './cluster-api.js';

export const uploadConfigPhase: Phase = {
  name: 'upload-config',
  title: 'upload-config: kubeadm-config and kubelet ConfigMaps, and who may read them',
  appliesTo: (h, ctx) => isInitHost(h, ctx),
  async run(ctx, h, task) {
    const version = clusterVersion(ctx.inv);
    const superAdmin = superAdminApi(ctx);
    const admins = clusterAdminsObjects(version);
    if (superAdmin && admins.length) await applyThrough(ctx, h, 'kubeadm:cluster-admins', admins, () => superAdmin, task.progress);
    const kubeletConfig = renderedText(h, KUBELET_CONFIG_PATH) ?? '';
    await applyThrough(ctx, h, 'upload-config', uploadConfigObjects(ctx.inv, version, kubeletConfig), () => adminApi(ctx), task.progress);
  },
};
