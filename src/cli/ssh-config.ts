import { formatSshConfig, sshConfigReports } from '../commands/ssh-config.js';
import { loadInventory } from '../inventory/index.js';
import { outputFormat, parse, sshConfigOption } from './args.js';
import { UsageError } from './errors.js';

export const usage = `Usage: bootstrap ssh-config <inventory.yaml> [host ...] [-F ssh_config] [-o text|json]

Prints how each host (or the named ones) is reached, in the shape of \`ssh -G\`: hostname, user, port,
identity files, agent, ProxyJump or ProxyCommand, timeouts and keep-alives, known_hosts files and host key
checking, then the same for each jump host on the way. The values are the inventory's settings over
~/.ssh/config and /etc/ssh/ssh_config, resolved as OpenSSH resolves them. Nothing is contacted and no key
is read. With -F, that file is read instead of both configuration files, as with ssh -F.`;

export async function sshConfig(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { output: { type: 'string', short: 'o' }, 'ssh-config': { type: 'string', short: 'F' } }, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length < 1) throw new UsageError(usage);
  const [file, ...names] = positionals as [string, ...string[]];
  const inv = await loadInventory(file);
  const reports = sshConfigReports(inv, names, { sshConfigFile: sshConfigOption(values) });
  process.stdout.write(outputFormat(values.output) === 'json' ? `${JSON.stringify(reports, null, 2)}\n` : formatSshConfig(reports));
  return 0;
}
