import { joinCommandFor } from '../commands/join-command.js';
import { loadInventory } from '../inventory/index.js';
import { HOST_RUN_OPTIONS, hostRunOptions, parse } from './args.js';
import { UsageError } from './errors.js';
import { terminalPrompt } from './prompt.js';

export const usage = `Usage: bootstrap join-command <inventory.yaml> [--accept-new-host-keys] [-F ssh_config] [-o text|json]

Prints the \`kubeadm join\` line for a machine outside the inventory, as \`kubeadm token create
--print-join-command\` does: the API endpoint, a valid join token (an existing one while it has more than a
third of its lifetime left, else a new one) and --discovery-token-ca-cert-hash. The token is a secret: the
line is printed on standard output only.`;

export async function joinCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, HOST_RUN_OPTIONS, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1) throw new UsageError(usage);
  const { acceptNewHostKeys, format, sshConfigFile } = hostRunOptions(values);
  const inv = await loadInventory(positionals[0] as string);
  const report = await joinCommandFor(inv, { acceptNewHostKeys, sshConfigFile, prompt: terminalPrompt(), renderer: 'silent' });
  console.log(format === 'json' ? JSON.stringify(report, null, 2) : report.command);
  return 0;
}
