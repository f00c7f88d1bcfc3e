/**
 * The lab's SSH material: one client key pair per lab, one ed25519 host key per node (made here, so the lab
 * knows every host key before the node boots and can pin it), ssh_config and known_hosts for `ssh -F`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './docker.js';
import type { LabNode } from './state.js';
import { labDir } from './state.js';

export function sshDir(repoRoot: string): string {
  return join(labDir(repoRoot), 'ssh');
}

async function keygen(file: string, comment: string): Promise<void> {
  rmSync(file, { force: true });
  rmSync(`${file}.pub`, { force: true });
  await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { timeoutMs: 30_000 });
}

/** Generates the lab's client key pair; returns the private key path and the public key line. */
export async function makeLabKeyPair(repoRoot: string): Promise<{ privateKey: string; publicKey: string }> {
  const dir = sshDir(repoRoot);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKey = join(dir, 'id_ed25519');
  await keygen(privateKey, 'bootstrap-lab');
  return { privateKey, publicKey: readFileSync(`${privateKey}.pub`, 'utf8').trim() };
}

export interface HostKey {
  /** Private key file (to copy into the node as /etc/ssh/ssh_host_ed25519_key). */
  privateKey: string;
  /** "ssh-ed25519 AAAA..." without comment. */
  publicKey: string;
}

/** Generates a node's host key under .lab/ssh/hostkeys/NAME. */
export async function makeHostKey(repoRoot: string, node: string): Promise<HostKey> {
  const dir = join(sshDir(repoRoot), 'hostkeys', node);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKey = join(dir, 'ssh_host_ed25519_key');
  await keygen(privateKey, `root@${node}`);
  const [type, blob] = readFileSync(`${privateKey}.pub`, 'utf8').trim().split(/\s+/);
  return { privateKey, publicKey: `${type} ${blob}` };
}

export function knownHostsFile(repoRoot: string): string {
  return join(sshDir(repoRoot), 'known_hosts');
}

/** known_hosts with each node under its name and its address. */
export function renderKnownHosts(nodes: { name: string; address: string; hostKey: string }[]): string {
  return nodes.map((n) => `${n.name},${n.address} ${n.hostKey}\n`).join('');
}

/** ssh_config: `ssh -F .lab/ssh_config NAME` reaches the node as root with the lab key, host key pinned. */
export function renderSshConfig(nodes: LabNode[], identityFile: string, knownHosts: string): string {
  const lines = ['# bootstrap lab: ssh -F .lab/ssh_config NODE', ''];
  for (const node of nodes) {
    lines.push(
      `Host ${node.name}`,
      `  HostName ${node.address}`,
      `  HostKeyAlias ${node.name}`,
      '',
    );
  }
  lines.push(
    'Host *',
    '  User root',
    '  Port 22',
    `  IdentityFile ${identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  PasswordAuthentication no',
    '  BatchMode yes',
    '  ConnectTimeout 10',
    '  LogLevel ERROR',
    '',
  );
  return lines.join('\n');
}

export function writeSshFiles(
  repoRoot: string,
  nodes: (LabNode & { hostKey: string })[],
  identityFile: string,
): { sshConfig: string; knownHosts: string } {
  const knownHosts = knownHostsFile(repoRoot);
  writeFileSync(knownHosts, renderKnownHosts(nodes), { mode: 0o644 });
  const sshConfig = join(labDir(repoRoot), 'ssh_config');
  writeFileSync(sshConfig, renderSshConfig(nodes, identityFile, knownHosts), { mode: 0o644 });
  return { sshConfig, knownHosts };
}
