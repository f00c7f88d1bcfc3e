/**
 * `lab up`, `lab down`, `lab status`: the order in which the lab's parts are made and unmade.
 * `up` records what it made in .lab/lab.json as it goes, so that `down` can clean up after a failed `up` too.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies, valid } from 'semver';
import { DockerCli, runCommand } from './docker.js';
import { dataRootHasContainers, ensureDockerEngine, engineAnswers, killOrphans, LAB_DOCKER_HOST, LAB_RUN_DIR, readIpForward, removeEmptyCgroups, startLabDockerd, stopLabDockerd, unmountUnder } from './dockerd.js';
import { clearFaults } from './faults.js';
import type { HaproxyBackend } from './haproxy.js';
import { writeLabInventory } from './inventory.js';
import { configureLoadBalancer, ensureLoadBalancerImage, haproxyBackends, loadBalancerEndpoint, planLoadBalancer } from './load-balancer.js';
import { BARE_DEBIAN_KEY_PATH, ensureBareNodeImage, ensureExternalNodeImage, ensureNodeImage } from './node-image.js';
import { buildAptRepository, buildDebianSubset, buildStandinPackages, buildStandinRuntime, DEBIAN_SUBSET_PACKAGES } from './package-repo.js';
import { startPackageServer, stopPackageServer } from './package-server.js';
import { createNode, forEachBounded, LAB_LABEL, planNodes, waitForSshd, waitForSystemd } from './nodes.js';
import { allLabHostPackages, ensureDebianPackages } from './packages.js';
import { startRegistry, stopRegistry, registryStatus } from './registry.js';
import { knownHostsFile, makeHostKey, makeLabKeyPair, writeSshFiles } from './ssh.js';
import type { LabLoadBalancer, LabNode, LabPackages, LabRuntime, LabState } from './state.js';
import { labDir, labExists, loadLab, saveLab } from './state.js';

export const DEFAULT_KUBERNETES_VERSION = 'v1.28.4';
export const LAB_NETWORK = 'bootstrap-lab';
/** The lab bridge's name on this machine (at most 15 characters), fixed so that it is easy to find. */
export const LAB_BRIDGE = 'br-bootlab';
export const LAB_SUBNET = { subnet: '10.77.0.0/24', gateway: '10.77.0.1', firstHost: 10, maxHosts: 240 };
export const REGISTRY_PORT = 5000;
export const AUTH_REGISTRY_PORT = 5001;

export interface UpOptions {
  hosts: number;
  controlPlanes: number;
  kubernetesVersion: string;
  runtime: LabRuntime;
  light: boolean;
  /** Build and push the component images (Part of `up` unless turned off). */
  images: boolean;
  /** Install the kubelet/crictl stand-ins into every full node (not with nodeImage: that has the real ones). */
  standins: boolean;
  /** A kind node image (kindest/node:vX.Y.Z) to use instead of the lab's own; needs network access. */
  nodeImage?: string;
  /**
   * Bare nodes (ensureBareNodeImage): no kubelet or crictl, containerd as Debian ships it; the lab serves the
   * packages and files bootstrap's prepare installs them from, and the inventory says so.
   */
  bare: boolean;
  /**
   * The `lb` container with haproxy in front of the control planes' API servers. Unset: only with more than one
   * control plane (the inventory then needs its address as controlPlaneEndpoint).
   */
  loadBalancer?: boolean;
  log: (line: string) => void;
}

/** Whether `up` with these options makes the load balancer. */
export function wantsLoadBalancer(options: Pick<UpOptions, 'controlPlanes' | 'loadBalancer'>): boolean {
  return options.loadBalancer ?? options.controlPlanes > 1;
}

export function defaultUpOptions(overrides: Partial<UpOptions> = {}): UpOptions {
  return {
    hosts: 1,
    controlPlanes: 1,
    kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
    runtime: 'containerd',
    light: false,
    bare: false,
    images: true,
    standins: true,
    log: elapsedLogger(),
    ...overrides,
  };
}

/** Log lines to stderr with the seconds since the command started, so slow steps stand out. */
export function elapsedLogger(start = Date.now()): (line: string) => void {
  return (line) => process.stderr.write(`lab [${((Date.now() - start) / 1000).toFixed(1).padStart(5)}s]: ${line}\n`);
}

/** Checks options a user can get wrong, with messages that say what to do. */
export function validateUpOptions(options: UpOptions): void {
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > LAB_SUBNET.maxHosts) {
    throw new Error(`--hosts must be a whole number from 1 to ${LAB_SUBNET.maxHosts}`);
  }
  if (!Number.isInteger(options.controlPlanes) || options.controlPlanes < 1 || options.controlPlanes > options.hosts) {
    throw new Error(`--control-planes must be from 1 to the number of hosts (${options.hosts})`);
  }
  if (!/^v\d+\.\d+\.\d+$/.test(options.kubernetesVersion) || valid(options.kubernetesVersion) === null) {
    throw new Error(`--kubernetes-version must look like v1.28.4, not ${JSON.stringify(options.kubernetesVersion)}`);
  }
  if (options.loadBalancer === false && options.controlPlanes > 1) {
    throw new Error('more than one control plane needs the load balancer: the inventory\'s controlPlaneEndpoint is its address');
  }
  if (options.bare && (options.light || options.nodeImage !== undefined || options.runtime !== 'containerd')) {
    throw new Error('--bare nodes are the lab\'s own image with containerd: not with --light, --node-image or --runtime docker');
  }
  if (options.nodeImage !== undefined && options.light) throw new Error('--node-image and --light do not go together: light nodes run only sshd');
  if (options.nodeImage !== undefined && options.runtime === 'docker') throw new Error('--node-image brings its own containerd; --runtime docker is for the lab\'s own image');
  if (options.runtime === 'docker' && !satisfies(options.kubernetesVersion.slice(1), '<1.24.0')) {
    throw new Error('--runtime docker needs --kubernetes-version below v1.24 (kubelet dropped dockershim in v1.24)');
  }
}

/** The lab subnet's first three octets, "10.77.0". */
const subnetPrefix = (): string => LAB_SUBNET.gateway.split('.').slice(0, 3).join('.');

function ipOf(index: number): string {
  return `${subnetPrefix()}.${LAB_SUBNET.firstHost + index}`;
}

const ipForwardFile = (repoRoot: string) => join(labDir(repoRoot), 'ip_forward.before');

/** The pause image containerd should use for sandboxes: kubeadm's, from the catalog, in the lab registry. */
async function labPauseImage(version: string, registry: string): Promise<string> {
  const catalog = await optionalImport<{ catalogImages: (v: string, repo?: string) => { component: string; image: string }[] }>(
    new URL('../../src/kube/images.js', import.meta.url),
  );
  if (!catalog) throw new Error('src/kube/images.ts (the image catalog) is missing; build the project first (npx tsc -p .)');
  const pause = catalog.catalogImages(version, registry).find((entry) => entry.component === 'pause');
  if (!pause) throw new Error(`the image catalog has no pause image for ${version}`);
  return pause.image;
}

async function optionalImport<T>(url: URL): Promise<T | undefined> {
  if (!existsSync(url)) return undefined;
  return (await import(url.href)) as T;
}

export async function up(repoRoot: string, options: UpOptions): Promise<LabState> {
  validateUpOptions(options);
  const { log } = options;
  if (labExists(repoRoot)) throw new Error('a lab is already up (.lab/lab.json exists); run: npm run lab -- down');
  const started = Date.now();
  mkdirSync(labDir(repoRoot), { recursive: true });
  await ensureDebianPackages(allLabHostPackages(), log);
  if (!existsSync(ipForwardFile(repoRoot))) writeFileSync(ipForwardFile(repoRoot), readIpForward() + '\n');

  const engine = await ensureDockerEngine(repoRoot, log);
  const docker = new DockerCli(engine.host);
  // Whatever an earlier lab left behind (a crash, an interrupted down) would collide with the new names.
  await removeLabObjects(docker, log, false);
  const key = await makeLabKeyPair(repoRoot);
  const registry = `${LAB_SUBNET.gateway}:${REGISTRY_PORT}`;
  const authRegistry = `${LAB_SUBNET.gateway}:${AUTH_REGISTRY_PORT}`;
  const nodes = planNodes(options.hosts, options.controlPlanes, ipOf);
  const loadBalancer = wantsLoadBalancer(options) ? planLoadBalancer(subnetPrefix()) : undefined;
  const state: LabState = {
    docker: engine,
    network: { name: LAB_NETWORK, subnet: LAB_SUBNET.subnet, gateway: LAB_SUBNET.gateway },
    registry: { address: registry },
    authRegistry: { address: authRegistry, username: 'lab', password: randomBytes(12).toString('hex') },
    kubernetesVersion: options.kubernetesVersion,
    runtime: options.runtime,
    light: options.light,
    nodes,
    ...(loadBalancer ? { loadBalancer } : {}),
    sshKey: key.privateKey,
    sshConfig: join(labDir(repoRoot), 'ssh_config'),
    inventory: join(labDir(repoRoot), 'inventory.yaml'),
  };
  // Saved before anything is created, so that `down` finds everything even if `up` fails half-way.
  saveLab(state, repoRoot);

  await createNetwork(docker);
  await startRegistry(repoRoot, { name: 'registry', host: LAB_SUBNET.gateway, port: REGISTRY_PORT });
  await startRegistry(repoRoot, {
    name: 'auth-registry',
    host: LAB_SUBNET.gateway,
    port: AUTH_REGISTRY_PORT,
    auth: { username: state.authRegistry.username, password: state.authRegistry.password },
  });
  log(`registries at ${registry} and ${authRegistry} (basic auth)`);

  const imageSettings = {
    registries: [registry, authRegistry],
    sandboxImage: options.light ? '' : await labPauseImage(options.kubernetesVersion, registry),
    runtime: options.runtime,
    kubernetesVersion: options.kubernetesVersion,
  };
  const packages = options.bare ? await servePackages(repoRoot, options.kubernetesVersion, log) : undefined;
  if (packages) {
    state.packages = packages;
    saveLab(state, repoRoot);
  }
  const image = packages
    ? await ensureBareNodeImage(docker, repoRoot, {
      standinRuntime: await buildStandinRuntime(repoRoot),
      debianSource: `deb [signed-by=${BARE_DEBIAN_KEY_PATH}] ${packages.url}${packages.debianBase}/ /\n`,
      debianKey: readFileSync(join(packages.root, packages.debianBase.slice(1), 'Release.key'), 'utf8'),
      kubernetesVersion: options.kubernetesVersion,
    }, log)
    : options.nodeImage
      ? await ensureExternalNodeImage(docker, repoRoot, options.nodeImage, imageSettings, log)
      : await ensureNodeImage(docker, repoRoot, imageSettings, log);
  const lbImage = loadBalancer ? await ensureLoadBalancerImage(docker, repoRoot, log) : '';

  const hostKeys = new Map<string, string>();
  const runtimeDirs = options.runtime === 'docker' ? ['/var/lib/containerd', '/var/lib/docker'] : ['/var/lib/containerd'];
  // The load balancer starts with the nodes: a full node of its own image (systemd, sshd, haproxy), no runtime.
  const machines: LabNode[] = loadBalancer ? [...nodes, loadBalancer] : nodes;
  log(`starting ${nodes.length} ${options.light ? 'light ' : ''}node(s)${loadBalancer ? ' and the load balancer' : ''}`);
  await forEachBounded(machines, options.light ? 8 : 4, async (node) => {
    const hostKey = await makeHostKey(repoRoot, node.name);
    hostKeys.set(node.name, hostKey.publicKey);
    const isLb = node === loadBalancer;
    await createNode(docker, repoRoot, node, {
      image: isLb ? lbImage : image,
      network: LAB_NETWORK,
      light: isLb ? false : options.light,
      runtimeDirs: isLb ? [] : runtimeDirs,
      hostPrivateKey: hostKey.privateKey,
      hostPublicKey: hostKey.publicKey,
      authorizedKey: key.publicKey,
    });
  });
  await forEachBounded(machines, 8, async (node) => {
    if (options.light && node !== loadBalancer) {
      await waitForSshd(node, 60_000);
      return;
    }
    const verdict = await waitForSystemd(docker, node, 120_000);
    if (verdict !== 'running') log(`${node.name}: systemd is ${verdict}`);
    await waitForSshd(node, 30_000);
  });

  const withKeys = nodes.map((node) => ({ ...node, hostKey: hostKeys.get(node.name) ?? '' }));
  const lbWithKey = loadBalancer ? [{ ...loadBalancer, hostKey: hostKeys.get(loadBalancer.name) ?? '' }] : [];
  writeSshFiles(repoRoot, [...withKeys, ...lbWithKey], key.privateKey);
  writeLabInventory(repoRoot, {
    kubernetesVersion: options.kubernetesVersion,
    imageRepository: registry,
    ...(loadBalancer ? { controlPlaneEndpoint: loadBalancerEndpoint(loadBalancer) } : {}),
    identityFile: key.privateKey,
    knownHostsFile: knownHostsFile(repoRoot),
    nodes: withKeys,
    ...(packages ? { bare: { registries: [registry, authRegistry], repository: `${packages.url}${packages.kubernetesBase}` } } : {}),
  });
  if (loadBalancer) {
    const controlPlanes = nodes.filter((n) => n.roles.includes('control-plane'));
    await configureLoadBalancer(docker, loadBalancer, controlPlanes);
    log(`load balancer ${loadBalancerEndpoint(loadBalancer)} (haproxy) in front of ${controlPlanes.map((n) => n.name).join(', ')}; stats ${loadBalancer.statsUrl}`);
  }
  saveLab(state, repoRoot);
  log(`${nodes.length} node(s) up in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  if (!options.light && !options.bare && options.standins && !options.nodeImage) await installStandinsOnNodes(repoRoot, state, docker, log);
  if (options.images) await buildImages(repoRoot, state, log);
  log(`lab up in ${((Date.now() - started) / 1000).toFixed(1)} s; inventory: ${state.inventory}`);
  return state;
}

/** The lab's package server: its port on the lab network's gateway address. */
export const PACKAGE_SERVER_PORT = 8080;

/**
 * Builds the stand-ins' packages and files for the version, the signed repositories (pkgs.k8s.io's layout and the
 * Debian subset), and serves them to the nodes.
 */
async function servePackages(repoRoot: string, kubernetesVersion: string, log: (line: string) => void): Promise<LabPackages> {
  const root = join(labDir(repoRoot), 'package-repo', 'www');
  mkdirSync(root, { recursive: true });
  log('building the package repositories and install files of the stand-ins');
  const files = await buildStandinPackages(repoRoot, kubernetesVersion, join(labDir(repoRoot), 'package-repo', 'files'));
  const { base: kubernetesBase } = await buildAptRepository(repoRoot, kubernetesVersion, root);
  const { base: debianBase } = await buildDebianSubset(repoRoot, DEBIAN_SUBSET_PACKAGES, root);
  const server = await startPackageServer(repoRoot, { host: LAB_SUBNET.gateway, port: PACKAGE_SERVER_PORT, root });
  log(`packages served at ${server.url}`);
  return { url: server.url, root, kubernetesBase, debianBase, files };
}

async function createNetwork(docker: DockerCli): Promise<void> {
  await docker.run(['network', 'rm', LAB_NETWORK], { allowFailure: true });
  await docker.run([
    'network', 'create',
    '--driver', 'bridge',
    // Nodes reach each other and the gateway address (the registries), nothing else.
    '--internal',
    '--subnet', LAB_SUBNET.subnet,
    '--gateway', LAB_SUBNET.gateway,
    '--opt', `com.docker.network.bridge.name=${LAB_BRIDGE}`,
    '--label', `${LAB_LABEL}=network`,
    LAB_NETWORK,
  ]);
}

interface StandinsModule {
  installStandins: (container: string, docker: DockerCli, options?: { repoRoot?: string; kubernetesVersion?: string }) => Promise<void>;
}

async function installStandinsOnNodes(repoRoot: string, state: LabState, docker: DockerCli, log: (line: string) => void): Promise<void> {
  const module = await optionalImport<StandinsModule>(new URL('./standins/install.js', import.meta.url));
  if (!module?.installStandins) {
    log('stand-ins not installed: e2e/lab/standins/install.ts is not built yet');
    return;
  }
  log('installing the kubelet and crictl stand-ins');
  await forEachBounded(state.nodes, 3, async (node) => {
    const install = () => module.installStandins(node.container, docker, { repoRoot, kubernetesVersion: state.kubernetesVersion });
    try {
      await install();
    } catch (first) {
      // Installing is idempotent (one tar unpacked over the same paths); a second try shows whether the first
      // failure was passing, and its message is kept on stderr either way, since a CI log may hold nothing else.
      process.stderr.write(`lab: installing the stand-ins on ${node.name} failed, trying once more: ${(first as Error).message}\n`);
      try {
        await install();
      } catch (second) {
        throw new Error(`${node.name}: installing the stand-ins failed twice: ${(first as Error).message} / then: ${(second as Error).message}`);
      }
    }
  });
}

interface ImagesModule {
  buildLabImages: (lab: LabState, options?: { repoRoot?: string; log?: (line: string) => void }) => Promise<unknown>;
}

async function buildImages(repoRoot: string, state: LabState, log: (line: string) => void): Promise<void> {
  const module = await optionalImport<ImagesModule>(new URL('./images/build.js', import.meta.url));
  if (!module?.buildLabImages) {
    log('component images not built: e2e/lab/images/build.ts is not built yet');
    return;
  }
  log('building and pushing the component images');
  await module.buildLabImages(state, { repoRoot, log });
}

export interface DownOptions {
  /** Also remove the cache: the node root tarball and the node images (.lab/cache). */
  purge: boolean;
  log: (line: string) => void;
}

/**
 * Removes every trace of the lab: faults, containers, volumes, network, registries, the lab's dockerd, leftover
 * cgroups, and .lab/ except the cache (the debootstrap root and the node images). `purge` removes those too.
 * Works from whatever `up` managed to record.
 */
export async function down(repoRoot: string, options: DownOptions): Promise<void> {
  const { log } = options;
  const state = labExists(repoRoot) ? loadLab(repoRoot) : undefined;
  await clearFaults(repoRoot, log);
  const hosts = new Set<string>();
  if (state) hosts.add(state.docker.host);
  if (state?.docker.startedByLab !== false && !(await engineAnswers(LAB_DOCKER_HOST)) && dataRootHasContainers(repoRoot)) {
    // The lab dockerd died and left its containers recorded: start it once more to remove them properly.
    await killOrphans();
    await startLabDockerd(repoRoot, log).catch((error: Error) => log(`could not restart the lab dockerd: ${error.message}`));
  }
  if (await engineAnswers(LAB_DOCKER_HOST)) hosts.add(LAB_DOCKER_HOST);
  for (const host of hosts) {
    if (!(await engineAnswers(host))) continue;
    const docker = new DockerCli(host);
    await removeLabObjects(docker, log, options.purge);
  }
  await stopRegistry(repoRoot, 'registry');
  await stopRegistry(repoRoot, 'auth-registry');
  await stopPackageServer(repoRoot);
  if (state?.docker.startedByLab !== false) {
    await stopLabDockerd(repoRoot, log, options.purge);
    // A dockerd that died without cleaning up leaves the bridge behind; nothing else uses this name.
    const link = await runCommand('ip', ['link', 'show', LAB_BRIDGE], { allowFailure: true });
    if (link.code === 0) {
      log(`removing the leftover bridge ${LAB_BRIDGE}`);
      await runCommand('ip', ['link', 'delete', LAB_BRIDGE], { allowFailure: true });
    }
  }
  // Nested runtimes in the nodes see the host's cgroup tree; remove what they left once it is empty.
  for (const name of ['kubepods', 'kubepods.slice', 'k8s.io']) removeEmptyCgroups(name);
  restoreIpForward(repoRoot, log);
  await unmountUnder([labDir(repoRoot), LAB_RUN_DIR]);
  rmSync(LAB_RUN_DIR, { recursive: true, force: true });
  if (existsSync(labDir(repoRoot))) {
    for (const entry of readdirSync(labDir(repoRoot))) {
      if (entry === 'cache' && !options.purge) continue;
      rmSync(join(labDir(repoRoot), entry), { recursive: true, force: true });
    }
    if (options.purge) rmSync(labDir(repoRoot), { recursive: true, force: true });
  }
  log('lab removed');
}

async function removeLabObjects(docker: DockerCli, log: (line: string) => void, removeImages: boolean): Promise<void> {
  const containers = (await docker.run(['ps', '-aq', '--filter', `label=${LAB_LABEL}`], { allowFailure: true })).stdout
    .split('\n')
    .filter(Boolean);
  // Containers of others that happen to share the prefix are left alone: only labelled nodes and the lab's own
  // image-build containers go.
  const named = (await docker.run(['ps', '-aq', '--filter', 'name=^bootstrap-lab-image-build-'], { allowFailure: true })).stdout
    .split('\n')
    .filter(Boolean);
  const all = [...new Set([...containers, ...named])];
  if (all.length > 0) {
    log(`removing ${all.length} container(s)`);
    // Unpause first: a paused container cannot be stopped.
    await docker.run(['unpause', ...all], { allowFailure: true, timeoutMs: 60_000 });
    await docker.run(['rm', '-f', '-v', ...all], { timeoutMs: 300_000 });
  }
  const volumes = (await docker.run(['volume', 'ls', '-q', '--filter', 'name=^bootstrap-lab-'], { allowFailure: true })).stdout
    .split('\n')
    .filter((v) => /^bootstrap-lab-.+-(containerd|docker)$/.test(v));
  if (volumes.length > 0) await docker.run(['volume', 'rm', '-f', ...volumes], { timeoutMs: 120_000 });
  await docker.run(['network', 'rm', LAB_NETWORK], { allowFailure: true });
  if (removeImages) {
    const images = (await docker.run(['images', '--format', '{{.Repository}}:{{.Tag}}'], { allowFailure: true })).stdout
      .split('\n')
      .filter((i) => i.startsWith('bootstrap-lab/'));
    if (images.length > 0) await docker.run(['rmi', '-f', ...images], { allowFailure: true, timeoutMs: 120_000 });
  }
}

function restoreIpForward(repoRoot: string, log: (line: string) => void): void {
  const file = ipForwardFile(repoRoot);
  if (!existsSync(file)) return;
  const before = readFileSync(file, 'utf8').trim();
  const now = readIpForward();
  if (before !== now && (before === '0' || before === '1')) {
    log(`net.ipv4.ip_forward is ${now}, was ${before} before the lab: restoring it`);
    writeFileSync('/proc/sys/net/ipv4/ip_forward', before + '\n');
  }
}

export interface NodeStatus {
  name: string;
  address: string;
  container: string;
  state: string;
  systemd: string;
}

export interface LoadBalancerStatus extends NodeStatus {
  /** `systemctl is-active haproxy` in the load balancer. */
  haproxy: string;
  /** The API servers as haproxy sees them, or why the stats did not answer. */
  backends: HaproxyBackend[] | { error: string };
}

export interface LabStatus {
  state: LabState;
  engine: boolean;
  nodes: NodeStatus[];
  loadBalancer?: LoadBalancerStatus;
  registries: { address: string; status: number }[];
}

/** What is up: container state and systemd's verdict per node, registries' /v2/ answer. */
export async function status(repoRoot: string): Promise<LabStatus> {
  const state = loadLab(repoRoot);
  const docker = new DockerCli(state.docker.host);
  const engine = await engineAnswers(state.docker.host);
  const nodeStatus = async (node: LabNode, light: boolean): Promise<NodeStatus> => {
    let containerState = 'unknown';
    let systemd = '-';
    if (engine) {
      const inspect = await docker.run(['inspect', '--format', '{{.State.Status}}', node.container], { allowFailure: true });
      containerState = inspect.code === 0 ? inspect.stdout.trim() : 'missing';
      if (containerState === 'running' && !light) {
        const result = await docker.exec(node.container, ['systemctl', 'is-system-running'], { allowFailure: true, timeoutMs: 10_000 });
        systemd = result.stdout.trim() || 'unknown';
      }
    }
    return { name: node.name, address: node.address, container: node.container, state: containerState, systemd };
  };
  const nodes: NodeStatus[] = [];
  for (const node of state.nodes) nodes.push(await nodeStatus(node, state.light));
  const loadBalancer = state.loadBalancer ? await loadBalancerStatus(docker, state.loadBalancer, await nodeStatus(state.loadBalancer, false)) : undefined;
  const registries = [];
  for (const address of [state.registry.address, state.authRegistry.address]) {
    const [host, port] = address.split(':');
    registries.push({ address, status: await registryStatus(host ?? '', Number(port)) });
  }
  return { state, engine, nodes, ...(loadBalancer ? { loadBalancer } : {}), registries };
}

async function loadBalancerStatus(docker: DockerCli, lb: LabLoadBalancer, node: NodeStatus): Promise<LoadBalancerStatus> {
  if (node.state !== 'running') return { ...node, haproxy: '-', backends: { error: `the container is ${node.state}` } };
  const active = await docker.exec(lb.container, ['systemctl', 'is-active', 'haproxy.service'], { allowFailure: true, timeoutMs: 10_000 });
  const backends = await haproxyBackends(lb).catch((error: Error) => ({ error: error.message }));
  return { ...node, haproxy: active.stdout.trim() || 'unknown', backends };
}

/** Used by tests: the ssh command for a node (argv). */
export function sshArgv(state: LabState, node: string, command: string[]): string[] {
  return ['-F', state.sshConfig, node, '--', ...command];
}

