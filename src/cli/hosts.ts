import { loadInventory } from '../inventory/index.js';
import { trustHost } from '../commands/hosts-trust.js';
import { parse, sshConfigOption } from './args.js';
import { UsageError } from './errors.js';
import { terminalPrompt } from './prompt.js';

export const usage = `Usage: bootstrap hosts trust <inventory.yaml> <host> [--yes] [-F ssh_config]

Re-pins a host's SSH host key after it was reprovisioned: shows the key trusted until now and the one the
host presents, then writes the new one into the host's hostKeys in the inventory (comments and layout kept),
or into the known_hosts file when the inventory pins none. Asks first unless --yes.`;

export async function hosts(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') return console.log(usage), 0;
  if (sub !== 'trust') throw new UsageError(sub ? `unknown hosts command "${sub}"\n\n${usage}` : usage);
  const { positionals, values } = parse(rest, { yes: { type: 'boolean', short: 'y' }, 'ssh-config': { type: 'string', short: 'F' } }, usage);
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 2) throw new UsageError(usage);
  const inv = await loadInventory(positionals[0] as string);
  const result = await trustHost(inv, positionals[1] as string, { yes: !!values.yes, ssh: { sshConfigFile: sshConfigOption(values) }, prompt: terminalPrompt(), log: (line) => console.log(line) });
  if (result.outcome === 'declined') return 1;
  console.log(result.outcome === 'unchanged' ? `${result.host}: the key was already trusted` : `${result.host}: pinned ${result.presented.fingerprint} in ${result.file}`);
  return 0;
}
