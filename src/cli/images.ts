import { loadInventory } from '../inventory/index.js';
import { catalogImages } from '../kube/images.js';
import { supportedKubeVersion, type KubeVersion } from '../kube/version.js';
import { outputFormat, parse } from './args.js';
import { UsageError } from './errors.js';

export const usage = `Usage: bootstrap images list (--kubernetes-version V | <inventory.yaml>) [--image-repository R] [-o text|json]

Prints the images kubeadm pulls for a Kubernetes version, in the order
\`kubeadm config images list\` prints them for that version (the control-plane components and
kube-proxy, then pause, etcd and CoreDNS; CoreDNS comes first of those three from v1.29 on).
With an inventory, its kubernetesVersion and imageRepository apply.`;

export async function images(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') return console.log(usage), 0;
  if (sub !== 'list') throw new UsageError(sub ? `unknown images command "${sub}"\n\n${usage}` : usage);
  const { positionals, values } = parse(
    rest,
    {
      'kubernetes-version': { type: 'string' },
      'image-repository': { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  const format = outputFormat(values.output);
  const versionText = values['kubernetes-version'] as string | undefined;
  let repository = values['image-repository'] as string | undefined;
  if (positionals.length > 1 || (positionals.length === 1) === (versionText !== undefined)) {
    throw new UsageError(`give either --kubernetes-version or one inventory\n\n${usage}`);
  }
  let version: KubeVersion;
  let externalEtcd = false;
  if (positionals[0]) {
    const inv = await loadInventory(positionals[0]);
    version = inv.cluster.version ?? supportedKubeVersion(inv.cluster.kubernetesVersion);
    repository ??= inv.cluster.imageRepository;
    externalEtcd = inv.cluster.etcd.external !== undefined;
  } else {
    version = supportedKubeVersion(versionText);
  }
  // kubeadm config images list leaves etcd out for a configuration with etcd.external (images.go GetControlPlaneImages).
  const list = catalogImages(version, repository).filter((c) => !(externalEtcd && c.component === 'etcd'));
  if (format === 'json') console.log(JSON.stringify({ kubernetesVersion: version.text, images: list }, null, 2));
  else for (const { image } of list) console.log(image);
  return 0;
}
