#!/usr/bin/env node
/**
 * The `bootstrap` command. The only place that calls process.exit: every command returns an exit code,
 * and every error a user can cause is printed as a message (exit 2 for bad input, 1 for failures).
 * Set BOOTSTRAP_DEBUG=1 to see stack traces of unexpected errors (bugs).
 */
import { readFileSync } from 'node:fs';
import { EXIT, reportError, UsageError } from './errors.js';

type Run = (argv: string[]) => Promise<number>;

/** Commands are loaded when used, so `bootstrap validate` does not pay for the SSH or X.509 libraries. */
const commands: Record<string, { load: () => Promise<Run>; summary: string }> = {
  validate: { load: async () => (await import('./validate.js')).validate, summary: 'check an inventory, reporting every problem as file:line:column' },
  images: { load: async () => (await import('./images.js')).images, summary: "list kubeadm's images for a Kubernetes version (images list)" },
  up: { load: async () => (await import('./up.js')).up, summary: 'bring every host of an inventory into one cluster: kubeadm init on the control plane, join on the workers' },
  status: { load: async () => (await import('./status.js')).status, summary: 'report each host and control-plane component; changes nothing' },
  reset: { load: async () => (await import('./reset.js')).reset, summary: 'undo up on every host, as kubeadm reset, plus what it leaves behind' },
  remove: { load: async () => (await import('./remove.js')).remove, summary: 'take one host out of the cluster: its etcd member, its Node (after draining a worker), then reset it' },
  hosts: { load: async () => (await import('./hosts.js')).hosts, summary: "re-pin a host's SSH host key after a reprovision (hosts trust)" },
  'join-command': { load: async () => (await import('./join-command.js')).joinCommand, summary: 'print a kubeadm join line (token and CA hash) for a machine outside the inventory' },
  'ssh-config': { load: async () => (await import('./ssh-config.js')).sshConfig, summary: 'print how each host is reached (user, keys, jump hosts, known_hosts) in the shape of ssh -G' },
  render: { load: async () => (await import('./render.js')).render, summary: 'write every file `up` would write, per host, into a folder' },
  schema: { load: async () => (await import('./schema.js')).schema, summary: "print the inventory's JSON Schema (for editors)" },
};

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: bootstrap <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`bootstrap <command> --help\` for a command's options.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === 'version') {
    console.log(packageVersion());
    return EXIT.ok;
  }
  const command = commands[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n\n${help()}`);
  return (await command.load())(rest);
}

// Errors are reported by their category (util/errors.ts): bad input exits 2, a host's failure 1, a bug 1 with a hint.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportError(error)),
);
