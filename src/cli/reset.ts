import { loadInventory } from '../inventory/index.js';
import { confirmReset, resetHosts, resetTargets } from '../commands/reset.js';
import { HOST_RUN_OPTIONS, hostRunOptions, parse } from './args.js';
import { UsageError } from './errors.js';
import { listenForInterrupts } from './interrupt.js';
import { terminalPrompt } from './prompt.js';

export const usage = `Usage: bootstrap reset <inventory.yaml> [--hosts NAME,…] [--yes] [--dry-run] [--concurrency N] [--accept-new-host-keys] [-F ssh_config] [-o text|json]

Undoes \`up\` on every host, as \`kubeadm reset\` does, and removes what kubeadm reset is known to leave
behind. On each host it will:
  - stop kubelet, remove the static Pods and every Pod in the container runtime
  - delete the certificates, kubeconfigs, kubelet configuration, flags file and drop-in that up wrote
  - delete the etcd data (control-plane hosts), the CNI configuration, and up's backups
It asks for confirmation first, unless --yes. --dry-run lists what is there and changes nothing. --hosts resets
only the hosts named (a worker, say, as kubeadm reset on it alone); the next \`up\` joins it again.`;

export async function reset(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    { ...HOST_RUN_OPTIONS, yes: { type: 'boolean', short: 'y' }, hosts: { type: 'string' } },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1) throw new UsageError(usage);
  const { dryRun, concurrency, acceptNewHostKeys, format, sshConfigFile } = hostRunOptions(values);
  const hosts = typeof values.hosts === 'string' ? values.hosts.split(',').map((n) => n.trim()).filter(Boolean) : undefined;
  const inv = resetTargets(await loadInventory(positionals[0] as string), hosts);
  const prompt = terminalPrompt();
  if (!(await confirmReset(inv, { yes: !!values.yes, dryRun, prompt }))) {
    console.error('reset: nothing done');
    return 1;
  }
  const interrupts = listenForInterrupts();
  const report = await resetHosts(inv, {
    signal: interrupts.signal,
    yes: !!values.yes,
    dryRun,
    concurrency,
    acceptNewHostKeys,
    sshConfigFile,
    prompt,
    renderer: format === 'json' ? 'silent' : undefined,
  }).finally(() => interrupts.dispose());
  if (format === 'json') console.log(JSON.stringify(report, null, 2));
  else {
    for (const h of report.hosts) {
      const what = !h.ok ? `FAILED: ${h.error}` : h.nothingThere ? 'nothing to reset' : dryRun ? `would remove ${h.actions.length ? h.actions.join('; ') : 'nothing'}` : `removed ${h.removed.length} item(s)`;
      console.log(`${h.name}: ${what}`);
      for (const w of h.warnings) console.log(`  ${w}`);
    }
  }
  return interrupts.exitCode(report.ok ? 0 : 1);
}
