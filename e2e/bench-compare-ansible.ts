/**
 * bench:compare's Ansible side: Debian's ansible-core on this machine, Python on the light nodes (Ansible's
 * modules run in Python on the host; the lab's image has none), and a project folder with ansible.cfg,
 * an inventory and a playbook doing the benchmark's per-host work.
 */
import { mkdir, writeFile, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { runCommand, type DockerCli } from './lab/docker.js';
import { forEachBounded } from './lab/nodes.js';
import { ensureDebianPackages } from './lab/packages.js';
import type { FileWrite } from '../src/transport/host.js';

/** Where the nodes get their Python (the same as this machine's Debian one). */
export const NODE_PYTHON = '/usr/bin/python3.11';

/** Installs ansible-core (and with it Debian's python3.11) when missing; returns its version line. */
export async function ensureAnsible(log: (line: string) => void): Promise<string> {
  await ensureDebianPackages(['ansible-core', 'python3.11'], log);
  const version = await runCommand('ansible-playbook', ['--version'], { timeoutMs: 60_000 });
  return version.stdout.split('\n')[0]?.trim() ?? 'ansible-playbook';
}

/**
 * A tar of this machine's Debian Python 3.11 (interpreter and standard library with its compiled modules, less
 * what no module needs: tests, IDLE, Tk, 2to3, the build config), so that a host runs Ansible's modules as one
 * with Debian's python3 installed would, without compiling the library on first use.
 */
export async function pythonArchive(dir: string): Promise<string> {
  const file = join(dir, 'python3.11.tar');
  const skip = ['test', 'idlelib', 'tkinter', 'turtledemo', 'lib2to3', 'ensurepip', 'pydoc_data', 'config-3.11-x86_64-linux-gnu'];
  await runCommand('tar', [
    '-c', '-f', file, '-C', '/',
    ...skip.map((s) => `--exclude=usr/lib/python3.11/${s}`),
    NODE_PYTHON.slice(1), 'usr/lib/python3.11',
  ], { timeoutMs: 120_000 });
  return file;
}

/** Unpacks the archive on every node that has no Python yet, at most 8 at once. */
export async function installPython(docker: DockerCli, containers: readonly string[], archive: string): Promise<void> {
  const content = await readFile(archive);
  await forEachBounded([...containers], 8, async (container) => {
    const has = await docker.exec(container, ['test', '-x', NODE_PYTHON], { allowFailure: true, timeoutMs: 30_000 });
    if (has.code === 0) return;
    await docker.exec(container, ['tar', '-x', '-f', '-', '-C', '/'], { input: content, timeoutMs: 120_000 });
  });
}

export interface AnsibleProject {
  dir: string;
  hosts: readonly string[];
  /** The lab's ssh_config: the same names, keys and pinned host keys as the other tools use. */
  sshConfig: string;
  files: readonly FileWrite[];
  commands: readonly string[][];
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

/**
 * ansible.cfg: forks as many as hosts (all at once, as the other tools), pipelining on, Ansible's own
 * ssh_args (compression, ControlMaster with ControlPersist) after the lab's ssh_config.
 */
function ansibleConfig(p: AnsibleProject): string {
  return [
    '[defaults]',
    'inventory = inventory.ini',
    `forks = ${p.hosts.length}`,
    `interpreter_python = ${NODE_PYTHON}`,
    'retry_files_enabled = False',
    'nocolor = True',
    `local_tmp = ${join(p.dir, 'local-tmp')}`,
    '',
    '[ssh_connection]',
    'pipelining = True',
    `ssh_args = -F ${p.sshConfig} -C -o ControlMaster=auto -o ControlPersist=60s`,
    `control_path_dir = ${join(p.dir, 'cp')}`,
    '',
  ].join('\n');
}

/** The playbook: facts, the folders, the files with their modes (copy, one loop), then each command. */
function playbook(p: AnsibleProject): string {
  const folders = [...new Set(p.files.map((f) => dirname(f.path)))].sort();
  const files = p.files.map((f) => ({ src: join(p.dir, 'files', f.path), dest: f.path, mode: octal(f.mode) }));
  return stringify([
    {
      hosts: 'bench',
      gather_facts: true,
      tasks: [
        // copy writes into a folder that exists; bootstrap and tar make the missing ones as they go.
        { name: 'folders', file: { path: '{{ item }}', state: 'directory', mode: '0755' }, loop: folders },
        { name: 'files', copy: { src: '{{ item.src }}', dest: '{{ item.dest }}', mode: '{{ item.mode }}' }, loop: files },
        ...p.commands.map((argv) => ({ name: argv.join(' '), command: { argv } })),
      ],
    },
  ]);
}

/** Writes the project; returns the argv and environment to run it with. */
export async function writeAnsibleProject(p: AnsibleProject): Promise<{ argv: string[]; env: NodeJS.ProcessEnv }> {
  await mkdir(join(p.dir, 'cp'), { recursive: true });
  await mkdir(join(p.dir, 'local-tmp'), { recursive: true });
  for (const f of p.files) {
    const local = join(p.dir, 'files', f.path);
    await mkdir(dirname(local), { recursive: true });
    await writeFile(local, f.content, { mode: f.mode });
  }
  await writeFile(join(p.dir, 'ansible.cfg'), ansibleConfig(p));
  await writeFile(join(p.dir, 'inventory.ini'), ['[bench]', ...p.hosts, ''].join('\n'));
  await writeFile(join(p.dir, 'playbook.yml'), playbook(p));
  return {
    argv: ['ansible-playbook', join(p.dir, 'playbook.yml')],
    env: { ...process.env, ANSIBLE_CONFIG: join(p.dir, 'ansible.cfg'), ANSIBLE_NOCOWS: '1' },
  };
}
