import { loadInventory } from '../inventory/index.js';
import { parse } from './args.js';
import { UsageError } from './errors.js';

export const usage = `Usage: bootstrap validate <inventory.yaml>

Checks an inventory without contacting any host: YAML syntax, field names and types, Kubernetes
version, subnets, addresses, host names and kubelet rules. Every problem is reported as
file:line:column; the exit code is 2 when there is any. Warnings (e.g. an even number of
control-plane hosts) are printed the same way and do not change the exit code.`;

export async function validate(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, {}, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1) throw new UsageError(usage);
  const inv = await loadInventory(positionals[0] as string);
  for (const warning of inv.warnings ?? []) console.error(warning);
  const count = (role: string) => inv.hosts.filter((h) => h.roles.includes(role as never)).length;
  console.log(
    `${positionals[0]}: valid: Kubernetes ${inv.cluster.kubernetesVersion}, ${inv.hosts.length} host(s): ` +
      `${count('control-plane')} control-plane, ${count('worker')} worker`,
  );
  return 0;
}
