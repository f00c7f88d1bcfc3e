import { loadInventory } from '../inventory/index.js';
import { up as runUp, UpFailedError, type UpReport } from '../commands/up.js';
import { parseDuration } from '../util/duration.js';
import { HOST_RUN_OPTIONS, hostRunOptions, parse } from './args.js';
import { reportError, UsageError } from './errors.js';
import { listenForInterrupts } from './interrupt.js';
import { terminalPrompt } from './prompt.js';
import { formatUpReport } from './report.js';

export const usage = `Usage: bootstrap up <inventory.yaml> [options]

Brings every host to what the inventory says, in kubeadm's phases: connect, preflight, images,
certs, kubeconfig, etcd, control-plane, kubelet-start, wait-control-plane. Safe to re-run: files
that are already right are left alone and a healthy kubelet is not restarted.

Options:
  --dry-run                       connect and gather facts, print what would change, change nothing
  --concurrency N                 hosts worked on at once (default 10)
  --accept-new-host-keys          trust and record the keys of hosts not yet in known_hosts
  -F, --ssh-config FILE           read this OpenSSH client configuration instead of ~/.ssh/config and
                                  /etc/ssh/ssh_config (as ssh -F)
  --ignore-preflight-errors LIST  comma-separated kubeadm check names to downgrade to warnings, or "all"
  --wait-timeout DURATION         how long to wait for a healthy control plane (default: wait.timeout, 4m)
  -o, --output text|json          json prints one machine-readable result on stdout`;

export async function up(argv: string[]): Promise<number> {
  const { positionals, values } = parse(
    argv,
    {
      ...HOST_RUN_OPTIONS,
      'ignore-preflight-errors': { type: 'string', multiple: true },
      'wait-timeout': { type: 'string' },
    },
    usage,
  );
  if (values.help) return console.log(usage), 0;
  if (positionals.length !== 1) throw new UsageError(usage);
  const { dryRun, concurrency, acceptNewHostKeys, format, sshConfigFile } = hostRunOptions(values);
  const waitTimeoutMs = values['wait-timeout'] === undefined ? undefined : parseDuration(String(values['wait-timeout']));
  if (values['wait-timeout'] !== undefined && !waitTimeoutMs) throw new UsageError('--wait-timeout must be a duration such as 4m or 90s');
  const ignore = ((values['ignore-preflight-errors'] as string[] | undefined) ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

  const inv = await loadInventory(positionals[0] as string);
  let report: UpReport;
  let failure: UpFailedError | undefined;
  const interrupts = listenForInterrupts();
  try {
    report = await runUp(inv, {
      signal: interrupts.signal,
      dryRun,
      concurrency,
      acceptNewHostKeys,
      sshConfigFile,
      ignorePreflightErrors: ignore,
      waitTimeoutMs,
      prompt: terminalPrompt(),
      renderer: format === 'json' ? 'silent' : undefined,
    });
  } catch (error) {
    if (!(error instanceof UpFailedError)) throw error;
    failure = error;
    report = error.report;
  } finally {
    interrupts.dispose();
  }
  if (format === 'json') console.log(JSON.stringify(report, null, 2));
  else {
    console.log(formatUpReport(report));
    if (failure) console.error(`\n${failure.message}`);
  }
  // A failure that is a bug in bootstrap, not on a host, is reported as one (on stderr, also with -o json).
  for (const bug of failure?.bugs ?? []) reportError(bug);
  return interrupts.exitCode(report.ok ? 0 : 1);
}
