/**
 * The lab's state: what `lab up` created, recorded in `.lab/lab.json` so that `down`, `status`, `fault`,
 * the image builder, the stand-in installer and the e2e tests all read the same facts.
 */
import type { StandinArtifacts } from './standin-packages.js';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type LabRuntime = 'containerd' | 'docker';

export interface LabNode {
  /** Hostname of the node, also its name in the inventory and in ssh_config. */
  name: string;
  /** The node's IPv4 address on the lab network. */
  address: string;
  /** Docker container name (prefixed `bootstrap-lab-`). */
  container: string;
  /** Inventory roles, e.g. ["control-plane"] or ["worker"]. */
  roles: string[];
}

/**
 * The load balancer in front of the control planes' API servers (load-balancer.ts): a container with sshd and
 * Debian's haproxy, not a cluster host. Its address:port is the inventory's controlPlaneEndpoint.
 */
export interface LabLoadBalancer extends LabNode {
  /** The API port haproxy listens on (6443). */
  port: number;
  /** haproxy's stats page, e.g. http://10.77.0.9:8404/stats (append ";csv" for the machine-readable form). */
  statsUrl: string;
  /** haproxy's admin socket inside the container, for `docker exec ... socat`. */
  statsSocket: string;
}

export interface LabState {
  docker: {
    /** DOCKER_HOST for every docker command of the lab, e.g. unix:///work/main/.lab/docker.sock */
    host: string;
    /** True when `up` started dockerd itself: then `down` stops it and removes its data. */
    startedByLab: boolean;
  };
  network: { name: string; subnet: string; gateway: string };
  /** Plain-HTTP registry reachable from the nodes, "IP:5000". */
  registry: { address: string };
  /** Registry with htpasswd basic auth, "IP:5001". */
  authRegistry: { address: string; username: string; password: string };
  /** With the leading "v", e.g. "v1.28.4". */
  kubernetesVersion: string;
  runtime: LabRuntime;
  /** Light nodes run only sshd (no systemd, no container runtime): for scale benchmarks. */
  light: boolean;
  nodes: LabNode[];
  /** With several control planes (or `up --load-balancer`): haproxy in front of their API servers. */
  loadBalancer?: LabLoadBalancer;
  /** Absolute path of the lab's private SSH key. */
  sshKey: string;
  /** Absolute path of `.lab/ssh_config`. */
  sshConfig: string;
  /** Absolute path of `.lab/inventory.yaml`. */
  inventory: string;
  /** Bare labs: the package server and what it serves. */
  packages?: LabPackages;
}

/** What a bare lab serves its nodes (package-repo.ts), and the stand-ins as install files on this machine. */
export interface LabPackages {
  /** e.g. http://10.77.0.1:8080 */
  url: string;
  /** The served folder on this machine. */
  root: string;
  /** pkgs.k8s.io's path of the minor's repository, e.g. /core:/stable:/v1.28 (the deb/ folder is below it). */
  kubernetesBase: string;
  /** The Debian subset's path, /debian. */
  debianBase: string;
  /** The air-gapped files: single-file kubelet and crictl, their .debs and SHA256SUMS (absolute paths). */
  files: StandinArtifacts;
}

/** The repository root: three levels above dist/e2e/lab/ (compiled) or e2e/lab/ (source). */
export function defaultRepoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${join('dist', 'e2e', 'lab')}`) ? '../../..' : '../..';
  return resolve(here, up);
}

/** `.lab/` under the repository root: all lab state, caches and the lab's dockerd data live here. */
export function labDir(repoRoot: string = defaultRepoRoot()): string {
  return join(repoRoot, '.lab');
}

export function labStateFile(repoRoot: string = defaultRepoRoot()): string {
  return join(labDir(repoRoot), 'lab.json');
}

export class LabNotRunningError extends Error {
  constructor(file: string) {
    super(`no lab is up (${file} does not exist); run: npm run lab -- up`);
    this.name = 'LabNotRunningError';
  }
}

/** True when a lab state file exists. */
export function labExists(repoRoot: string = defaultRepoRoot()): boolean {
  return existsSync(labStateFile(repoRoot));
}

/** Reads `.lab/lab.json`; throws LabNotRunningError when no lab is up. */
export function loadLab(repoRoot: string = defaultRepoRoot()): LabState {
  const file = labStateFile(repoRoot);
  if (!existsSync(file)) throw new LabNotRunningError(file);
  return JSON.parse(readFileSync(file, 'utf8')) as LabState;
}

/** Writes `.lab/lab.json` atomically (write then rename), so a reader never sees half a file. */
export function saveLab(state: LabState, repoRoot: string = defaultRepoRoot()): void {
  const file = labStateFile(repoRoot);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o644 });
  renameSync(tmp, file);
}

/** The environment for docker commands against the lab's engine. */
export function dockerEnv(state: Pick<LabState, 'docker'>): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: state.docker.host };
}
