#!/usr/bin/env node
/**
 * npm run bench:compare [-- --hosts 10,25 --ansible-max 25 --rounds 3 --chart] — bootstrap beside the plain
 * OpenSSH floor and Ansible, doing the same work on every host of a light lab (sshd-only nodes) of each size: connect,
 * gather facts, check and write the 33 files of bootstrap's own render of the first control plane (under
 * /tmp/bench-root, the same bytes, modes and paths for all three), then three commands. All hosts at once,
 * one connection per host. Figures only, no assertions: wall time, its ratio to the floor, this machine's CPU
 * per host, the hosts' CPU per host (their containers' cgroups), bootstrap's peak RSS, and whether every host
 * ended with exactly the files asked for. Writes .lab/bench-compare.json, and with --chart e2e/bench-compare.svg.
 *
 * Brings up each lab itself (or uses the lab that is up when it is light and of that size) and takes down the
 * ones it brought up. The lab is one per machine: run it under the lab's lock, e.g.
 * flock /tmp/bootstrap-lab.lock npm run bench:compare.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadInventory } from '../src/inventory/index.js';
import { renderCluster } from '../src/render/index.js';
import { contentHash, type FileWrite } from '../src/transport/host.js';
import { tar } from '../src/transport/tar.js';
import { ensureAnsible, installPython, pythonArchive, writeAnsibleProject } from './bench-compare-ansible.js';
import type { BootstrapJob, BootstrapResult } from './bench-compare-bootstrap.js';
import { wallChart } from './bench-compare-chart.js';
import { containerCgroups, totalUsageNs, ToolCgroup } from './bench-cgroup.js';
import { DockerCli, runCommand } from './lab/docker.js';
import { defaultUpOptions, down, elapsedLogger, up } from './lab/lab.js';
import { forEachBounded } from './lab/nodes.js';
import { defaultRepoRoot, labDir, labExists, loadLab, type LabState } from './lab/state.js';

/** Where every tool writes the files on a host: a scratch root, emptied before each tool. */
const ROOT = '/tmp/bench-root';
const COMMANDS = [['true'], ['uname', '-a'], ['cat', '/etc/hostname']];
const TOOLS = ['openssh', 'bootstrap', 'ansible'] as const;
type Tool = (typeof TOOLS)[number];
const MAX_HOSTS = 100;

interface Options {
  hosts: number[];
  ansibleMax: number;
  /** Rounds of the floor and of bootstrap per size. */
  rounds: number;
  chart: boolean;
}

interface ToolRun {
  tool: Tool;
  hosts: number;
  /** How many files each host got. */
  files: number;
  ok: boolean;
  /** Why the tool did not run, or what failed. */
  note?: string;
  wallS?: number;
  /** How many rounds were run; the figures are those of the round with the median wall time. */
  rounds?: number;
  /** The shortest and longest wall time of the rounds that succeeded. */
  wallRangeS?: [number, number];
  /** Wall time over the floor's at the same size. */
  vsFloor?: number;
  /** This machine's CPU per host: every process of the tool (its cgroup), start-up included. */
  controlCpuMsPerHost?: number;
  /** bootstrap only: process.cpuUsage() of its process over the work alone (no start-up, no loading). */
  workCpuMsPerHost?: number;
  /** bootstrap only: the work's wall time inside its process. */
  workWallS?: number;
  /** The hosts' CPU per host: the growth of the nodes' cpuacct.usage. */
  hostCpuMsPerHost?: number;
  /** bootstrap only: its process's peak RSS. */
  peakRssMiB?: number;
  /** Hosts that ended with exactly the files asked for (content and mode), nothing more. */
  filesRightOn?: number;
}

const log = elapsedLogger();

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      hosts: { type: 'string', default: '10,25' },
      'ansible-max': { type: 'string', default: '25' },
      rounds: { type: 'string', default: '3' },
      chart: { type: 'boolean', default: false },
    },
  });
  const hosts = values.hosts.split(',').map((s) => Number(s.trim()));
  if (hosts.some((n) => !Number.isInteger(n) || n < 1 || n > MAX_HOSTS)) throw new Error(`--hosts takes sizes from 1 to ${MAX_HOSTS}, e.g. 10,25,50`);
  const ansibleMax = Number(values['ansible-max']);
  if (!Number.isInteger(ansibleMax) || ansibleMax < 0) throw new Error('--ansible-max takes a whole number of hosts');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error('--rounds takes a whole number from 1 to 20');
  return { hosts: [...new Set(hosts)].sort((a, b) => a - b), ansibleMax, rounds, chart: values.chart };
}

// ------------------------------------------------------------------------------------------------ the lab

/** Runs `work` on a light lab of n hosts: the one that is up when it fits, else one brought up and down here. */
async function withLightLab<T>(repoRoot: string, n: number, work: (lab: LabState) => Promise<T>): Promise<T> {
  if (labExists(repoRoot)) {
    const lab = loadLab(repoRoot);
    if (!lab.light || lab.nodes.length !== n) {
      throw new Error(`the lab that is up has ${lab.nodes.length} ${lab.light ? 'light ' : ''}node(s), not ${n} light ones: ` +
        'take it down (npm run lab -- down) or ask for its size');
    }
    log(`using the light lab of ${n} hosts that is up`);
    return work(lab);
  }
  log(`bringing up a light lab of ${n} hosts`);
  try {
    const lab = await up(repoRoot, defaultUpOptions({ hosts: n, light: true, images: false, standins: false, log }));
    return await work(lab);
  } finally {
    await down(repoRoot, { purge: false, log });
  }
}

/** Runs a shell script in every node through docker (not SSH: the tools' figures must not include it). */
async function inEveryNode(lab: LabState, script: string, collect?: (node: string, stdout: string) => void): Promise<void> {
  const docker = new DockerCli(lab.docker.host);
  await forEachBounded(lab.nodes, 8, async (node) => {
    const result = await docker.exec(node.container, ['sh', '-c', script], { timeoutMs: 60_000 });
    collect?.(node.name, result.stdout);
  });
}

// ------------------------------------------------------------------------------------------------ the work

/** The first control plane's files as bootstrap renders them for the lab's inventory (CAs made in a temporary folder). */
async function controlPlaneFiles(lab: LabState, stateDir: string): Promise<FileWrite[]> {
  const inv = await loadInventory(lab.inventory);
  const renders = await renderCluster({ ...inv, stateDir });
  const first = renders.find((r) => r.host.roles.includes('control-plane'));
  if (!first) throw new Error(`${lab.inventory} has no control plane`);
  return first.files.map((f) => ({ path: f.path, content: Buffer.from(f.content), mode: f.mode }));
}

function underRoot(files: readonly FileWrite[]): FileWrite[] {
  return files.map((f) => ({ ...f, path: ROOT + f.path }));
}

/** path (relative to ROOT, "./etc/…") → "mode sha256", as the hosts should have them. */
function expectedTree(files: readonly FileWrite[]): Map<string, string> {
  return new Map(files.map((f) => [`.${f.path}`, `${f.mode.toString(8)} ${contentHash(f.content)}`]));
}

/** How many nodes have exactly the expected files under ROOT, content and mode, and nothing else. */
async function filesRightOn(lab: LabState, expected: Map<string, string>): Promise<number> {
  let right = 0;
  const script = `cd ${ROOT} 2>/dev/null || exit 0; find . -type f -exec stat -c 'mode %a %n' {} + && find . -type f -exec sha256sum {} +`;
  await inEveryNode(lab, script, (_node, stdout) => {
    const modes = new Map<string, string>();
    const hashes = new Map<string, string>();
    for (const line of stdout.split('\n')) {
      const mode = /^mode (\d+) (.+)$/.exec(line);
      const hash = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (mode) modes.set(mode[2]!, mode[1]!);
      else if (hash) hashes.set(hash[2]!, hash[1]!);
    }
    const found = new Map([...modes].map(([path, mode]) => [path, `${mode} ${hashes.get(path)}`]));
    if (found.size === expected.size && [...expected].every(([path, want]) => found.get(path) === want)) right++;
  });
  return right;
}

/** A command's line for the remote shell, each word quoted. */
function shellLine(argv: readonly string[]): string {
  return argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}

// ------------------------------------------------------------------------------------------------ the tools

interface Measured {
  ok: boolean;
  note?: string;
  extra?: Partial<ToolRun>;
}

/** A tool made ready to run (its input written), not yet started: only running it is measured. */
type Prepared = (group: ToolCgroup) => Promise<Measured>;

/** One ssh per host, all at once: the tar of the files on stdin into tar -x (modes kept), then the commands. */
async function prepareFloor(lab: LabState, files: readonly FileWrite[]): Promise<Prepared> {
  const archive = tar(files.map((f) => ({ name: relative('/', f.path), content: Buffer.from(f.content), mode: f.mode })), Math.floor(Date.now() / 1000));
  const script = [`mkdir -p ${ROOT}`, `tar -x -p -f - -C ${ROOT}`, ...COMMANDS.map(shellLine)].join(' && ');
  return (group) => runFloor(lab, archive, script, group);
}

async function runFloor(lab: LabState, archive: Buffer, script: string, group: ToolCgroup): Promise<Measured> {
  const results = await Promise.all(lab.nodes.map((node) => {
    const argv = group.wrap(['ssh', '-F', lab.sshConfig, '-o', 'ControlMaster=no', '-o', 'ControlPath=none', node.name, '--', script]);
    return runCommand(argv[0]!, argv.slice(1), { input: archive, allowFailure: true, timeoutMs: 120_000 });
  }));
  const failed = results.filter((r) => r.code !== 0);
  return failed.length === 0 ? { ok: true } : { ok: false, note: `${failed.length} host(s) failed: ${failed[0]!.stderr.trim().split('\n')[0]}` };
}

const workerPath = join(dirname(fileURLToPath(import.meta.url)), 'bench-compare-bootstrap.js');

/** bootstrap in a process of its own (bench-compare-bootstrap.ts): one connection per host, all at once. */
async function prepareBootstrap(lab: LabState, files: readonly FileWrite[], dir: string): Promise<Prepared> {
  const job: BootstrapJob = {
    inventory: lab.inventory,
    hosts: lab.nodes.map((n) => n.name),
    files: underRoot(files).map((f) => ({ path: f.path, base64: Buffer.from(f.content).toString('base64'), mode: f.mode })),
    commands: COMMANDS,
    timeoutMs: 120_000,
  };
  const jobFile = join(dir, 'bootstrap-job.json');
  await writeFile(jobFile, JSON.stringify(job));
  return (group) => runBootstrap(lab.nodes.length, jobFile, group);
}

async function runBootstrap(n: number, jobFile: string, group: ToolCgroup): Promise<Measured> {
  const argv = group.wrap([process.execPath, workerPath, jobFile]);
  const result = await runCommand(argv[0]!, argv.slice(1), { allowFailure: true, timeoutMs: 300_000 });
  if (result.code !== 0) return { ok: false, note: `exited ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' / ')}` };
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as BootstrapResult;
  const failed = out.hosts.filter((h) => !h.ok);
  return {
    ok: failed.length === 0,
    ...(failed.length ? { note: `${failed.length} host(s) failed: ${failed[0]!.error}` } : {}),
    extra: { workCpuMsPerHost: out.cpuMs / n, workWallS: out.wallMs / 1000, peakRssMiB: out.maxRssKiB / 1024 },
  };
}

/** ansible-playbook with a project made here: forks = hosts, pipelining, ControlPersist, facts, copy, command. */
async function prepareAnsible(lab: LabState, files: readonly FileWrite[], dir: string): Promise<Prepared> {
  const project = await writeAnsibleProject({
    dir: join(dir, 'ansible'),
    hosts: lab.nodes.map((n) => n.name),
    sshConfig: lab.sshConfig,
    files: underRoot(files),
    commands: COMMANDS,
  });
  return (group) => runAnsible(project, join(dir, 'ansible', 'output.log'), group);
}

async function runAnsible(project: { argv: string[]; env: NodeJS.ProcessEnv }, logFile: string, group: ToolCgroup): Promise<Measured> {
  const argv = group.wrap(project.argv);
  const result = await runCommand(argv[0]!, argv.slice(1), { env: project.env, allowFailure: true, timeoutMs: 900_000 });
  await writeFile(logFile, result.stdout + result.stderr);
  if (result.code === 0) return { ok: true };
  const recap = result.stdout.split('PLAY RECAP')[1]?.trim().split('\n').filter((l) => !/failed=0\s+skipped=\d+\s+rescued=0/.test(l) || /unreachable=[1-9]/.test(l)).slice(0, 2).join(' / ');
  return { ok: false, note: `exited ${result.code} (${logFile}): ${recap ?? result.stderr.trim().split('\n').at(-1)}` };
}

/** Runs one tool on the lab's hosts, from an empty scratch root, and measures it. */
async function measureTool(tool: Tool, lab: LabState, files: readonly FileWrite[], dir: string, nodeCgroups: string[]): Promise<ToolRun> {
  const n = lab.nodes.length;
  await inEveryNode(lab, `rm -rf ${ROOT}`);
  const run = tool === 'openssh'
    ? await prepareFloor(lab, files)
    : tool === 'bootstrap'
      ? await prepareBootstrap(lab, files, dir)
      : await prepareAnsible(lab, files, dir);
  const group = new ToolCgroup(tool);
  let measured: Measured;
  let wallMs: number;
  let controlMs: number;
  const hostBefore = totalUsageNs(nodeCgroups);
  try {
    const start = performance.now();
    measured = await run(group);
    wallMs = performance.now() - start;
  } finally {
    // Read after what the tool left running (ControlPersist masters) has ended, so their CPU counts in full.
    await group.stop();
    controlMs = group.usageMs();
    group.remove();
  }
  const hostMs = Number(totalUsageNs(nodeCgroups) - hostBefore) / 1e6;
  const right = await filesRightOn(lab, expectedTree(files));
  return {
    tool,
    hosts: n,
    files: files.length,
    ok: measured.ok,
    ...(measured.note ? { note: measured.note } : {}),
    wallS: wallMs / 1000,
    controlCpuMsPerHost: controlMs / n,
    hostCpuMsPerHost: hostMs / n,
    filesRightOn: right,
    ...measured.extra,
  };
}

// ------------------------------------------------------------------------------------------------ one size

async function measured(tool: Tool, lab: LabState, files: readonly FileWrite[], dir: string, nodeCgroups: string[], which: string): Promise<ToolRun> {
  log(`${lab.nodes.length} hosts: ${tool}, ${which}`);
  const run = await measureTool(tool, lab, files, dir, nodeCgroups);
  log(`${lab.nodes.length} hosts: ${tool}, ${which}: ${run.wallS!.toFixed(2)} s${run.ok ? '' : ` (${run.note})`}`);
  return run;
}

/** The round with the median wall time among those that succeeded (the first failure when none did), with the spread. */
function median(rounds: ToolRun[]): ToolRun {
  const ok = rounds.filter((r) => r.ok).sort((a, b) => a.wallS! - b.wallS!);
  if (ok.length === 0) return rounds[0]!;
  const walls = ok.map((r) => r.wallS!);
  return { ...ok[Math.floor((ok.length - 1) / 2)]!, rounds: rounds.length, wallRangeS: [walls[0]!, walls.at(-1)!] };
}

async function benchSize(repoRoot: string, n: number, options: Options, ansible: string | undefined): Promise<ToolRun[]> {
  return withLightLab(repoRoot, n, async (lab) => {
    const dir = await mkdtemp(join(tmpdir(), 'bootstrap-bench-compare-'));
    try {
      const files = await controlPlaneFiles(lab, join(dir, 'state'));
      log(`${n} hosts: ${files.length} files of ${lab.nodes[0]!.name}'s render, ${files.reduce((s, f) => s + Buffer.byteLength(f.content), 0)} bytes`);
      const docker = new DockerCli(lab.docker.host);
      const runAnsibleHere = ansible !== undefined && n <= options.ansibleMax;
      if (runAnsibleHere) await installPython(docker, lab.nodes.map((node) => node.container), await pythonArchive(dir));
      const nodeCgroups = await containerCgroups(docker, lab.nodes.map((node) => node.container));
      // One round of the floor first, unmeasured: the nodes' first sessions (cold caches) would count for whichever tool came first.
      await measureTool('openssh', lab, files, dir, nodeCgroups);
      const runs: ToolRun[] = [];
      // The floor and bootstrap take seconds: several rounds, alternating so that a drift of the machine's load
      // touches both, and the median kept. Ansible takes minutes: once.
      const quick = { openssh: [] as ToolRun[], bootstrap: [] as ToolRun[] };
      for (let round = 1; round <= options.rounds; round++) {
        for (const tool of ['openssh', 'bootstrap'] as const) quick[tool].push(await measured(tool, lab, files, dir, nodeCgroups, `round ${round}`));
      }
      runs.push(median(quick.openssh), median(quick.bootstrap));
      if (runAnsibleHere) {
        runs.push(await measured('ansible', lab, files, dir, nodeCgroups, 'once'));
      } else {
        const why = n > options.ansibleMax ? `${n} hosts is above --ansible-max ${options.ansibleMax}` : 'ansible-core could not be installed';
        log(`${n} hosts: ansible skipped: ${why}`);
        runs.push({ tool: 'ansible', hosts: n, files: files.length, ok: false, note: `skipped: ${why}` });
      }
      const floor = runs.find((r) => r.tool === 'openssh' && r.ok)?.wallS;
      for (const r of runs) if (floor && r.wallS !== undefined) r.vsFloor = r.wallS / floor;
      return runs;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

// ------------------------------------------------------------------------------------------------ report

function fixed(value: number | undefined, digits: number): string {
  return value === undefined ? '-' : value.toFixed(digits);
}

function table(runs: readonly ToolRun[]): string {
  const head = ['hosts', 'tool', 'wall s (range)', '× floor', 'this machine CPU ms/host', 'host CPU ms/host', 'peak RSS MiB', 'files right on'];
  const rows = runs.map((r) => [
    String(r.hosts),
    r.tool,
    r.wallRangeS && r.rounds! > 1 ? `${fixed(r.wallS, 2)} (${fixed(r.wallRangeS[0], 2)}–${fixed(r.wallRangeS[1], 2)})` : fixed(r.wallS, 2),
    fixed(r.vsFloor, 2),
    r.workCpuMsPerHost !== undefined ? `${fixed(r.workCpuMsPerHost, 1)} work / ${fixed(r.controlCpuMsPerHost, 1)} process` : fixed(r.controlCpuMsPerHost, 1),
    fixed(r.hostCpuMsPerHost, 1),
    fixed(r.peakRssMiB, 0),
    r.filesRightOn === undefined ? '-' : `${r.filesRightOn}/${r.hosts}`,
  ].concat(r.note ? [r.note] : []));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < head.length ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** The targets, judged at the largest size measured (the wall ratio at 50 hosts when that size ran). */
function verdicts(runs: readonly ToolRun[]): string[] {
  const ok = (tool: Tool) => runs.filter((r) => r.tool === tool && r.ok);
  const boot = ok('bootstrap');
  const largest = boot.at(-1);
  if (!largest) return ['bootstrap did not complete at any size: no verdict'];
  const at50 = boot.find((r) => r.hosts === 50);
  const said = (met: boolean) => (met ? 'met' : 'not met');
  const lines = [
    at50
      ? `wall ≤ 1.3× the OpenSSH floor at 50 hosts: ${said(at50.vsFloor! <= 1.3)} (${fixed(at50.vsFloor, 2)}×)`
      : 'wall ≤ 1.3× the OpenSSH floor at 50 hosts: not measured (no run at 50 hosts)',
    `host CPU ≤ 0.2 s per host: ${said(boot.every((r) => r.hostCpuMsPerHost! <= 200))} (${boot.map((r) => `${fixed(r.hostCpuMsPerHost, 0)} ms at ${r.hosts}`).join(', ')})`,
    `this machine's CPU ≤ 30 ms per host: ${said(boot.every((r) => r.workCpuMsPerHost! <= 30))} (${boot.map((r) => `${fixed(r.workCpuMsPerHost, 1)} ms at ${r.hosts}`).join(', ')}; ` +
      `with node's start-up: ${boot.map((r) => `${fixed(r.controlCpuMsPerHost, 1)} ms`).join(', ')})`,
  ];
  const pairs = ok('ansible').map((a) => ({ a, b: boot.find((r) => r.hosts === a.hosts) })).filter((p) => p.b);
  lines.push(pairs.length
    ? `Ansible ≥ 30× slower: ${said(pairs.every(({ a, b }) => a.wallS! / b!.wallS! >= 30))} (${pairs.map(({ a, b }) => `${(a.wallS! / b!.wallS!).toFixed(1)}× at ${a.hosts}`).join(', ')})`
    : 'Ansible ≥ 30× slower: not measured');
  return lines;
}

async function machine(ansible: string | undefined): Promise<Record<string, string | number>> {
  const ssh = await runCommand('ssh', ['-V'], { allowFailure: true, timeoutMs: 10_000 });
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    openssh: ssh.stderr.trim(),
    ansible: ansible ?? 'not installed',
  };
}

async function writeChart(repoRoot: string, runs: readonly ToolRun[], cores: number): Promise<string> {
  const colors: Record<Tool, string> = { openssh: '#555555', bootstrap: '#1f77b4', ansible: '#d62728' };
  const labels: Record<Tool, string> = { openssh: 'OpenSSH floor', bootstrap: 'bootstrap', ansible: 'Ansible' };
  const series = TOOLS.map((tool) => ({
    label: labels[tool],
    color: colors[tool],
    points: runs.filter((r) => r.tool === tool && r.ok).map((r) => [r.hosts, r.wallS!] as [number, number]),
  })).filter((s) => s.points.length > 0);
  const file = join(repoRoot, 'e2e', 'bench-compare.svg');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, wallChart(`Same work on every host: wall time (${cores} cores, light lab)`, series));
  return file;
}

// ------------------------------------------------------------------------------------------------ main

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error('bench:compare needs root: it brings up the lab and reads the cgroups');
  const repoRoot = defaultRepoRoot();
  const ansible = options.hosts.some((n) => n <= options.ansibleMax)
    ? await ensureAnsible(log).catch((error: Error) => {
      log(`ansible-core is not available: ${error.message}`);
      return undefined;
    })
    : undefined;
  const runs: ToolRun[] = [];
  for (const n of options.hosts) runs.push(...(await benchSize(repoRoot, n, options, ansible)));
  const about = await machine(ansible);
  console.log(`\nsame work on every host (connect, facts, check and write ${runs[0]?.files ?? 0} files, 3 commands); ${about.cores} cores; ${about.openssh}; ${about.ansible}\n`);
  console.log(table(runs));
  console.log('');
  for (const line of verdicts(runs)) console.log(line);
  // Written after the last lab is down: `lab down` empties .lab/ but for its cache.
  const json = join(labDir(repoRoot), 'bench-compare.json');
  await mkdir(dirname(json), { recursive: true });
  await writeFile(json, JSON.stringify({ date: new Date().toISOString(), machine: about, runs, verdicts: verdicts(runs) }, null, 2) + '\n');
  console.log(`\n${json}`);
  if (options.chart) console.log(await writeChart(repoRoot, runs, Number(about.cores)));
}

await main();
