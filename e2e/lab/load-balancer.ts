/**
 * The lab's load balancer for clusters with several control planes: one more container, `lb`, on the lab network
 * at an address no node plan uses, running Debian's real haproxy under systemd in front of the control planes'
 * API servers. Its address is the inventory's controlPlaneEndpoint. It is not a cluster host: it is in ssh_config
 * (for looking around) but never in the inventory's hosts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { runCommand, type DockerCli } from './docker.js';
import {
  API_PROXY,
  API_SERVER_PORT,
  HAPROXY_CONFIG_PATH,
  HAPROXY_STATS_PATH,
  HAPROXY_STATS_PORT,
  HAPROXY_STATS_SOCKET,
  parseHaproxyStats,
  renderHaproxyConfig,
  type HaproxyBackend,
  type HaproxyConfigOptions,
} from './haproxy.js';
import { cacheDir, ensureBaseImage, layerImage, MASK_IDLE_UNITS, NODE_IMAGE_REPO } from './node-image.js';
import { containerName } from './nodes.js';
import { packagesToInstall, publishDebianPackages } from './package-repo.js';
import type { LabLoadBalancer, LabNode, LabState } from './state.js';

export { type HaproxyBackend } from './haproxy.js';

export const LOAD_BALANCER_NAME = 'lb';
/** Below the nodes' first address (.10), so that no node plan can take it. */
export const LOAD_BALANCER_HOST = 9;
/** The Debian packages the load balancer adds to the node root. */
export const LOAD_BALANCER_PACKAGES = ['haproxy'] as const;

/** The load balancer's record in lab.json, for the lab subnet's `prefix` ("10.77.0"). */
export function planLoadBalancer(prefix: string): LabLoadBalancer {
  const address = `${prefix}.${LOAD_BALANCER_HOST}`;
  return {
    name: LOAD_BALANCER_NAME,
    address,
    container: containerName(LOAD_BALANCER_NAME),
    roles: ['load-balancer'],
    port: API_SERVER_PORT,
    statsUrl: `http://${address}:${HAPROXY_STATS_PORT}${HAPROXY_STATS_PATH}`,
    statsSocket: HAPROXY_STATS_SOCKET,
  };
}

/** "10.77.0.9:6443": what the inventory's controlPlaneEndpoint says. */
export function loadBalancerEndpoint(lb: Pick<LabLoadBalancer, 'address' | 'port'>): string {
  return `${lb.address}:${lb.port}`;
}

/** Where haproxy comes from inside the image build (a flat repository, unpacked from a tar rooted at /). */
const REPO_IN_IMAGE = '/tmp/bootstrap-lab-lb-repo';

/**
 * The load balancer's image: the node root with Debian's haproxy installed by apt from a flat repository of just
 * the packages the root lacks (downloaded once with this machine's apt, signed with the lab's key, checked by the
 * image's apt), containerd and dockerd disabled, haproxy enabled. Tagged by its inputs, so a warm `up` only finds it.
 */
export async function ensureLoadBalancerImage(docker: DockerCli, repoRoot: string, log: (line: string) => void): Promise<string> {
  const base = await ensureBaseImage(docker, repoRoot, log);
  const key = createHash('sha256').update(JSON.stringify({ base, packages: LOAD_BALANCER_PACKAGES, layout: 1 })).digest('hex').slice(0, 12);
  const tar = join(cacheDir(repoRoot), 'load-balancer', `haproxy-repo-${key}.tar`);
  const apt = [
    `-o Dir::Etc::SourceList=${REPO_IN_IMAGE}/sources.list`,
    `-o Dir::Etc::SourceParts=${REPO_IN_IMAGE}/none`,
    `-o Dir::State::Lists=${REPO_IN_IMAGE}/lists`,
    // The files are root's; apt's _apt user need not read them.
    '-o APT::Sandbox::User=root',
  ].join(' ');
  const script = [
    'set -e',
    `mkdir -p ${REPO_IN_IMAGE}/none ${REPO_IN_IMAGE}/lists/partial`,
    // Nothing may start while the image is built (there is no systemd here anyway; invoke-rc.d asks this first).
    'printf \'#!/bin/sh\\nexit 101\\n\' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d',
    `apt-get -q ${apt} update`,
    `DEBIAN_FRONTEND=noninteractive apt-get -q -y ${apt} install --no-install-recommends ${LOAD_BALANCER_PACKAGES.join(' ')}`,
    `rm -rf /usr/sbin/policy-rc.d ${REPO_IN_IMAGE} /var/cache/apt/*.bin /var/cache/apt/archives/*.deb`,
    'haproxy -v',
    'systemctl disable containerd.service docker.service docker.socket',
    'systemctl enable haproxy.service',
    MASK_IDLE_UNITS,
  ].join('\n');
  log('preparing the load balancer image');
  return layerImage(docker, repoRoot, {
    base,
    files: {},
    tars: [tar],
    script,
    repository: `${NODE_IMAGE_REPO}-lb`,
    prepare: async () => {
      if (!existsSync(tar)) await buildHaproxyRepoTar(docker, repoRoot, base, tar, log);
    },
  });
}

/** The tar of the flat repository with what `base` lacks for haproxy, its key and an apt sources list. */
async function buildHaproxyRepoTar(docker: DockerCli, repoRoot: string, base: string, tar: string, log: (line: string) => void): Promise<void> {
  mkdirSync(join(tar, '..'), { recursive: true });
  const stage = mkdtempSync(`${tar}.stage-`);
  try {
    // The base root's dpkg status decides what apt has to add; read it out of the image, no container started.
    const status = await docker.run(['run', '--rm', '--network', 'none', '--entrypoint', 'cat', base, '/var/lib/dpkg/status'], { timeoutMs: 60_000 });
    const statusFile = join(stage, 'base-status');
    writeFileSync(statusFile, status.stdout);
    const names = await packagesToInstall(statusFile, LOAD_BALANCER_PACKAGES);
    if (names.length === 0) throw new Error(`apt names nothing to install for ${LOAD_BALANCER_PACKAGES.join(' ')} on ${base}`);
    log(`downloading ${names.join(' ')} for the load balancer (once per machine)`);
    const repo = join(stage, REPO_IN_IMAGE.slice(1));
    await publishDebianPackages(repoRoot, names, join(repo, 'debian'), 'load balancer');
    // apt reads an armoured key by its .asc name.
    renameSync(join(repo, 'debian', 'Release.key'), join(repo, 'key.asc'));
    writeFileSync(join(repo, 'sources.list'), `deb [signed-by=${REPO_IN_IMAGE}/key.asc] file:${REPO_IN_IMAGE}/debian/ /\n`);
    await runCommand('tar', ['--numeric-owner', '-C', stage, '-cf', `${tar}.partial`, REPO_IN_IMAGE.slice(1)], { timeoutMs: 120_000 });
    renameSync(`${tar}.partial`, tar);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * Writes haproxy's config for these control planes into the load balancer, has haproxy check it (`haproxy -c`),
 * and only then puts it in place and reloads (or starts) haproxy. Waits, within `timeoutMs`, until the stats answer.
 */
export async function configureLoadBalancer(
  docker: DockerCli,
  lb: LabLoadBalancer,
  controlPlanes: readonly Pick<LabNode, 'name' | 'address'>[],
  options: HaproxyConfigOptions & { timeoutMs?: number } = {},
): Promise<void> {
  const config = renderHaproxyConfig(controlPlanes.map((n) => ({ name: n.name, address: n.address })), options);
  const candidate = `${HAPROXY_CONFIG_PATH}.new`;
  await docker.writeFile(lb.container, candidate, config, 0o644);
  const check = await docker.exec(lb.container, ['haproxy', '-c', '-f', candidate], { allowFailure: true, timeoutMs: 30_000 });
  if (check.code !== 0) throw new Error(`haproxy refuses the lab's config (haproxy -c exited ${check.code}): ${(check.stderr || check.stdout).trim()}`);
  await docker.exec(lb.container, ['mv', candidate, HAPROXY_CONFIG_PATH]);
  await docker.exec(lb.container, ['systemctl', 'reload-or-restart', 'haproxy.service'], { timeoutMs: 60_000 });
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    try {
      const servers = await haproxyBackends(lb);
      if (servers.map((s) => s.name).join(' ') === controlPlanes.map((n) => n.name).join(' ')) return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`haproxy on ${lb.name} did not answer with the new config within ${options.timeoutMs ?? 30_000} ms: ${(error as Error).message}`);
    }
    if (Date.now() > deadline) throw new Error(`haproxy on ${lb.name} still reports other servers than ${controlPlanes.map((n) => n.name).join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The raw `show stat` CSV from haproxy's stats page on the load balancer. */
export function haproxyStatsCsv(lb: Pick<LabLoadBalancer, 'statsUrl'>, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const req = request(`${lb.statsUrl};csv`, { timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolvePromise(body);
        else reject(new Error(`${lb.statsUrl};csv answered ${res.statusCode}: ${body.slice(0, 200)}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${lb.statsUrl};csv did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Every API server behind the load balancer as haproxy sees it now: name, address, UP or DOWN, the last check's
 * result. Takes the lab (or its loadBalancer record); a lab without a load balancer is an error.
 */
export async function haproxyBackends(lab: Pick<LabState, 'loadBalancer'> | LabLoadBalancer): Promise<HaproxyBackend[]> {
  const lb = 'statsUrl' in lab ? lab : lab.loadBalancer;
  if (!lb) throw new Error('this lab has no load balancer (lab up --control-planes N>1, or --load-balancer)');
  return parseHaproxyStats(await haproxyStatsCsv(lb), API_PROXY);
}

/** Polls haproxyBackends until `ok` holds, for at most `timeoutMs`; fails with the last answer. */
export async function waitForBackends(
  lab: Pick<LabState, 'loadBalancer'> | LabLoadBalancer,
  ok: (backends: HaproxyBackend[]) => boolean,
  timeoutMs = 20_000,
): Promise<HaproxyBackend[]> {
  const deadline = Date.now() + timeoutMs;
  let last: HaproxyBackend[] | Error = new Error('not asked yet');
  for (;;) {
    last = await haproxyBackends(lab).catch((error: Error) => error);
    if (!(last instanceof Error) && ok(last)) return last;
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : last.map((b) => `${b.name} ${b.rawStatus} (${b.checkStatus})`).join(', ');
      throw new Error(`haproxy's backends did not reach the expected state within ${timeoutMs} ms; last: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
