import { resolve } from 'node:path';
import { loadInventory } from '../inventory/index.js';
import { renderCluster, writeRenderTree } from '../render/index.js';
import { parse } from './args.js';
import { UsageError } from './errors.js';

export const usage = `Usage: bootstrap render <inventory.yaml> --out DIR

Writes, under DIR/<host name>/<absolute path>, every file \`bootstrap up\` writes on each host and
nothing else: the PKI (/etc/kubernetes/pki), the kubeconfigs, the static Pod manifests
(/etc/kubernetes/manifests), the kubelet configuration, flags file and systemd drop-in. Each
DIR/<host name> folder is replaced as a whole. The cluster's CAs are created in the inventory's
state directory on first use and reused afterwards, so a second render gives the same bytes.
Hosts whose criSocket is not set get kubeadm's default socket for the version (up detects it).
With several control-plane hosts, the first runs kubeadm init and the others get what
kubeadm join --control-plane writes on them.`;

export async function render(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { out: { type: 'string' } }, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1 || typeof values.out !== 'string') throw new UsageError(usage);
  const inv = await loadInventory(positionals[0] as string);
  for (const warning of inv.warnings ?? []) console.error(warning);
  const renders = await renderCluster(inv);
  const out = resolve(values.out);
  await writeRenderTree(out, renders);
  for (const r of renders) {
    console.log(r.files.length ? `${r.host.name}: ${r.files.length} files under ${out}/${r.host.name}` : `${r.host.name}: no files (${r.reason})`);
    for (const note of r.notes) console.log(`  ${note}`);
  }
  return 0;
}
