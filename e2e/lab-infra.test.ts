/**
 * The lab's infrastructure: what `lab up` builds (nodes with real systemd and sshd, pinned host keys, an internal
 * network, two registries), the faults, and that `lab down` leaves nothing behind.
 * The lab tests need root and Debian; they install missing packages themselves, as CI starts from a fresh machine.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadInventory } from '../src/inventory/index.js';
import { SshHost } from '../src/transport/ssh.js';
import { DockerCli, runCommand } from './lab/docker.js';
import { LAB_DOCKER_HOST, LAB_RUN_DIR, engineAnswers, readIpForward } from './lab/dockerd.js';
import { applyFault, clearFaults, listFaults, parseDuration } from './lab/faults.js';
import { renderLabInventory } from './lab/inventory.js';
import { LAB_BRIDGE, defaultUpOptions, down, status, up, validateUpOptions } from './lab/lab.js';
import { configureLoadBalancer, haproxyBackends, waitForBackends, type HaproxyBackend } from './lab/load-balancer.js';
import { containerdConfig, hostsToml } from './lab/node-image.js';
import { nodeCreateArgs, planNodes } from './lab/nodes.js';
import { registryStatus } from './lab/registry.js';
import { renderSshConfig } from './lab/ssh.js';
import { defaultRepoRoot, labDir, labExists, type LabState } from './lab/state.js';

const repoRoot = defaultRepoRoot();
const quiet = () => undefined;

describe('lab building blocks', () => {
  it('plans control planes first, then workers, from .10 upward', () => {
    assert.deepEqual(planNodes(3, 1, (i) => `10.77.0.${10 + i}`), [
      { name: 'cp1', address: '10.77.0.10', container: 'bootstrap-lab-cp1', roles: ['control-plane'] },
      { name: 'w1', address: '10.77.0.11', container: 'bootstrap-lab-w1', roles: ['worker'] },
      { name: 'w2', address: '10.77.0.12', container: 'bootstrap-lab-w2', roles: ['worker'] },
    ]);
  });

  it('runs a full node as kind does, with systemd as PID 1 and without --privileged', () => {
    const [node] = planNodes(1, 1, () => '10.77.0.10');
    const argv = nodeCreateArgs(node!, { image: 'img:1', network: 'labnet', light: false, runtimeDirs: ['/var/lib/containerd'] });
    assert.equal(argv.includes('--privileged'), false);
    for (const expected of ['-t', '--cgroupns=host', '--cap-add=ALL', '--cap-drop=SYS_RESOURCE']) assert.ok(argv.includes(expected), expected);
    assert.deepEqual(argv.slice(argv.indexOf('-v'), argv.indexOf('-v') + 2), ['-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw']);
    assert.ok(argv.includes('bootstrap-lab-cp1-containerd:/var/lib/containerd'));
    assert.deepEqual(argv.slice(-2), ['img:1', '/sbin/init']);
    assert.deepEqual(argv.slice(argv.indexOf('--ip'), argv.indexOf('--ip') + 2), ['--ip', '10.77.0.10']);
  });

  it('runs a light node as sshd alone', () => {
    const [node] = planNodes(1, 1, () => '10.77.0.10');
    const argv = nodeCreateArgs(node!, { image: 'img:1', network: 'labnet', light: true, runtimeDirs: [] });
    assert.deepEqual(argv.slice(-4), ['img:1', 'sh', '-c', 'mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e']);
    assert.equal(argv.includes('/sbin/init'), false);
    assert.ok(argv.includes('--init'));
  });

  it('writes an ssh_config that pins host keys through the lab known_hosts', () => {
    const text = renderSshConfig(
      [{ name: 'cp1', address: '10.77.0.10', container: 'bootstrap-lab-cp1', roles: ['control-plane'] }],
      '/k/id',
      '/k/known_hosts',
    );
    assert.equal(
      text,
      [
        '# bootstrap lab: ssh -F .lab/ssh_config NODE',
        '',
        'Host cp1',
        '  HostName 10.77.0.10',
        '  HostKeyAlias cp1',
        '',
        'Host *',
        '  User root',
        '  Port 22',
        '  IdentityFile /k/id',
        '  IdentitiesOnly yes',
        '  UserKnownHostsFile /k/known_hosts',
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  PasswordAuthentication no',
        '  BatchMode yes',
        '  ConnectTimeout 10',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    );
  });

  it('writes the inventory in the product format, with the lab registry and pinned keys', () => {
    const text = renderLabInventory({
      kubernetesVersion: 'v1.28.4',
      imageRepository: '10.77.0.1:5000',
      identityFile: '/k/id',
      knownHostsFile: '/k/known_hosts',
      nodes: [{ name: 'cp1', address: '10.77.0.10', container: 'c', roles: ['control-plane'], hostKey: 'ssh-ed25519 AAAAkey' }],
    });
    assert.deepEqual(parse(text), {
      cluster: { kubernetesVersion: 'v1.28.4', imageRepository: '10.77.0.1:5000' },
      kubelet: { cgroupDriver: 'cgroupfs' },
      ssh: { user: 'root', port: 22, identityFile: '/k/id', agent: false, knownHostsFile: '/k/known_hosts' },
      hosts: [{ name: 'cp1', address: '10.77.0.10', roles: ['control-plane'], hostKeys: ['ssh-ed25519 AAAAkey'] }],
    });
  });

  it('configures containerd for the lab pause image and plain-HTTP lab registries', () => {
    const config = containerdConfig('10.77.0.1:5000/pause:3.9');
    assert.match(config, /^ {2}sandbox_image = "10\.77\.0\.1:5000\/pause:3\.9"$/m);
    assert.match(config, /^ {4}config_path = "\/etc\/containerd\/certs\.d"$/m);
    assert.match(config, /^ {8}SystemdCgroup = false$/m);
    assert.equal(
      hostsToml('10.77.0.1:5001'),
      'server = "http://10.77.0.1:5001"\n\n[host."http://10.77.0.1:5001"]\n  capabilities = ["pull", "resolve", "push"]\n',
    );
  });

  it('refuses options a user can get wrong, saying what to do', () => {
    assert.throws(() => validateUpOptions(defaultUpOptions({ runtime: 'docker', kubernetesVersion: 'v1.28.4' })), {
      message: '--runtime docker needs --kubernetes-version below v1.24 (kubelet dropped dockershim in v1.24)',
    });
    assert.doesNotThrow(() => validateUpOptions(defaultUpOptions({ runtime: 'docker', kubernetesVersion: 'v1.23.17' })));
    assert.throws(() => validateUpOptions(defaultUpOptions({ hosts: 0 })), { message: '--hosts must be a whole number from 1 to 240' });
    assert.throws(() => validateUpOptions(defaultUpOptions({ kubernetesVersion: '1.28' })), {
      message: '--kubernetes-version must look like v1.28.4, not "1.28"',
    });
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('10'), undefined);
  });
});

// ---- The lab itself: needs root; skipped when another lab is up (one lab per machine). ----

const whyNot = process.getuid?.() !== 0 ? 'needs root' : labExists(repoRoot) ? 'a lab is already up on this machine' : undefined;

async function ssh(lab: LabState, node: string, command: string[], timeoutMs = 20_000) {
  return runCommand('ssh', ['-F', lab.sshConfig, node, '--', ...command], { allowFailure: true, timeoutMs });
}

async function sshOut(lab: LabState, node: string, command: string[]): Promise<string> {
  const result = await ssh(lab, node, command);
  assert.equal(result.code, 0, `${node}: ${command.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until `check` holds, for at most `withinMs`: a fault's own timer restores it, and on a loaded machine
 * that may take a moment past its nominal end. Fails with the last value seen.
 */
async function eventually<T>(check: () => Promise<T>, ok: (value: T) => boolean, withinMs = 15_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await check();
    if (ok(value) || Date.now() > deadline) return value;
    await sleep(250);
  }
}

/** No such process, or only a zombie waiting to be reaped. */
function processGone(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z');
  } catch {
    return true;
  }
}

function mountsUnder(paths: string[]): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => paths.some((p) => point === p || point.startsWith(p + '/')));
}

async function assertNothingLeft(ipForwardBefore: string): Promise<void> {
  assert.equal(readIpForward(), ipForwardBefore, 'net.ipv4.ip_forward is as it was');
  assert.deepEqual(existsSync(labDir(repoRoot)) ? readdirSync(labDir(repoRoot)).filter((e) => e !== 'cache') : [], []);
  assert.deepEqual(mountsUnder([labDir(repoRoot), LAB_RUN_DIR]), []);
  assert.equal(existsSync(LAB_RUN_DIR), false);
  assert.equal(await engineAnswers(LAB_DOCKER_HOST), false, 'the lab dockerd is gone');
  const link = await runCommand('ip', ['link', 'show', LAB_BRIDGE], { allowFailure: true });
  assert.notEqual(link.code, 0, 'the lab bridge is gone');
  // Read from the kernel's socket table: once the lab bridge is gone, 10.77.0.1 is not ours to contact.
  assert.deepEqual(listeningOn(['10.77.0.1']), []);
}

/** IPv4 listening sockets on the given addresses, from /proc/net/tcp (no packet is sent). */
function listeningOn(addresses: string[]): string[] {
  const hex = (address: string) =>
    address.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0').toUpperCase()).reverse().join('');
  const wanted = new Map(addresses.map((a) => [hex(a), a]));
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === '0A')
    .map((fields) => (fields[1] ?? '').split(':'))
    .filter(([address]) => wanted.has(address ?? ''))
    .map(([address, port]) => `${wanted.get(address ?? '')}:${parseInt(port ?? '0', 16)}`);
}

/** Pushes a config-only image (no layers) through the registry's HTTP API. */
async function pushProbeImage(registry: string, repository: string, tag: string): Promise<void> {
  const [host, port] = registry.split(':');
  const call = (method: string, path: string, body?: Buffer, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; location?: string }>((resolvePromise, reject) => {
      const req = request({ host, port: Number(port), method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
        res.resume();
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, ...(res.headers.location ? { location: res.headers.location } : {}) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [] } }));
  const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
  const upload = await call('POST', `/v2/${repository}/blobs/uploads/`);
  assert.equal(upload.status, 202);
  const location = new URL(upload.location ?? '', `http://${registry}`);
  location.searchParams.set('digest', digest);
  assert.equal((await call('PUT', location.pathname + location.search, config, { 'content-type': 'application/octet-stream' })).status, 201);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest },
      layers: [],
    }),
  );
  const put = await call('PUT', `/v2/${repository}/manifests/${tag}`, manifest, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
  assert.equal(put.status, 201);
}

async function manifestStatus(registry: string, repository: string, tag: string): Promise<number> {
  const [host, port] = registry.split(':');
  return new Promise((resolvePromise, reject) => {
    const req = request(
      { host, port: Number(port), method: 'HEAD', path: `/v2/${repository}/manifests/${tag}`, headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } },
      (res) => {
        res.resume();
        resolvePromise(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('lab up --hosts 3, faults, down', { skip: whyNot, timeout: 12 * 60_000 }, () => {
  let lab: LabState;
  let ipForwardBefore = '';

  before(async () => {
    ipForwardBefore = readIpForward();
    lab = await up(repoRoot, defaultUpOptions({ hosts: 3, images: false, standins: false, log: quiet }));
  });

  after(async () => {
    await down(repoRoot, { purge: false, log: quiet });
  });

  it('answers `running` from systemd on every node over ssh -F .lab/ssh_config', async () => {
    for (const node of lab.nodes) {
      assert.equal(await sshOut(lab, node.name, ['systemctl', 'is-system-running']), 'running');
      assert.equal(await sshOut(lab, node.name, ['hostname']), node.name);
      assert.equal(await sshOut(lab, node.name, ['systemctl', 'is-active', 'ssh', 'containerd']), 'active\nactive');
    }
  });

  it('gives every node its own machine-id and the host key pinned in the inventory', async () => {
    const inventory = parse(readFileSync(lab.inventory, 'utf8')) as { hosts: { name: string; address: string; hostKeys: string[] }[]; cluster: { imageRepository: string } };
    assert.equal(inventory.cluster.imageRepository, lab.registry.address);
    assert.deepEqual(inventory.hosts.map((h) => [h.name, h.address]), lab.nodes.map((n) => [n.name, n.address]));
    const machineIds = new Set<string>();
    for (const host of inventory.hosts) {
      const served = (await sshOut(lab, host.name, ['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).split(' ').slice(0, 2).join(' ');
      assert.deepEqual(host.hostKeys, [served]);
      machineIds.add(await sshOut(lab, host.name, ['cat', '/etc/machine-id']));
    }
    assert.equal(machineIds.size, 3);
    assert.equal(new Set(inventory.hosts.map((h) => h.hostKeys[0])).size, 3);
  });

  it('writes an inventory that bootstrap loads and reaches every node with, host keys pinned', async () => {
    const inventory = await loadInventory(lab.inventory);
    assert.equal(inventory.cluster.imageRepository, lab.registry.address);
    assert.equal(inventory.cluster.kubernetesVersion, lab.kubernetesVersion);
    for (const spec of inventory.hosts) {
      const host = await SshHost.connect(spec, { sshConfigFile: null, homeDir: labDir(repoRoot) });
      try {
        const result = await host.exec(['systemctl', 'is-system-running']);
        assert.deepEqual([result.code, result.stdout.trim()], [0, 'running']);
      } finally {
        await host.close();
      }
    }
  });

  it('lets nodes reach each other and the registries, and nothing else', async () => {
    const [cp1, w1] = lab.nodes;
    assert.equal(await sshOut(lab, cp1!.name, ['ip', 'route', 'show', 'default']), '');
    const curl = (url: string) => ['curl', '-s', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', url];
    assert.equal(await sshOut(lab, cp1!.name, curl(`http://${lab.registry.address}/v2/`)), '200');
    assert.equal(await sshOut(lab, cp1!.name, curl(`http://${lab.authRegistry.address}/v2/`)), '401');
    const withAuth = ['curl', '-s', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', '-u', `${lab.authRegistry.username}:${lab.authRegistry.password}`, `http://${lab.authRegistry.address}/v2/`];
    assert.equal(await sshOut(lab, cp1!.name, withAuth), '200');
    // ssh joins argv into one remote shell command line, so the script is passed as one quoted string.
    assert.equal(await sshOut(lab, cp1!.name, [`timeout 3 bash -c 'exec 3<>/dev/tcp/${w1!.address}/22; head -c 4 <&3'`]), 'SSH-');
    const outside = await ssh(lab, cp1!.name, ['ip', 'route', 'get', '192.0.2.1']);
    assert.match(outside.stderr, /Network is unreachable/);
    assert.equal(readIpForward(), ipForwardBefore);
  });

  it('runs containerd with its CRI plugin and the lab registry hosts', async () => {
    const plugins = await sshOut(lab, 'cp1', ['ctr', 'plugins', 'ls']);
    assert.match(plugins, /io\.containerd\.grpc\.v1\s+cri\s+linux\/amd64\s+ok/);
    const hosts = await sshOut(lab, 'cp1', ['cat', `/etc/containerd/certs.d/${lab.registry.address}/hosts.toml`]);
    assert.equal(hosts + '\n', hostsToml(lab.registry.address));
  });

  it('stops sshd for a bounded time and brings it back by itself', { timeout: 60_000 }, async () => {
    await applyFault(repoRoot, { kind: 'sshd-stop', node: 'w1' }, 3_000);
    assert.equal((await ssh(lab, 'w1', ['true'], 8_000)).code, 255);
    await sleep(3_000);
    assert.equal((await eventually(() => ssh(lab, 'w1', ['true']), (r) => r.code === 0)).code, 0);
    assert.deepEqual(await eventually(async () => listFaults(repoRoot), (f) => f.length === 0), []);
  });

  it('makes the registry answer 500, then stall, each for a bounded time', { timeout: 60_000 }, async () => {
    const [host, port] = lab.registry.address.split(':');
    await applyFault(repoRoot, { kind: 'registry-500', registry: 'registry' }, 2_000);
    assert.equal(await registryStatus(host!, Number(port)), 500);
    await sleep(2_000);
    assert.equal(await eventually(() => registryStatus(host!, Number(port)), (code) => code === 200), 200);
    await applyFault(repoRoot, { kind: 'registry-stall', registry: 'registry' }, 30_000);
    assert.equal(await registryStatus(host!, Number(port), 1_000), 0);
    await clearFaults(repoRoot);
    assert.equal(await registryStatus(host!, Number(port)), 200);
  });

  it('pauses a node and drops its packets, each for a bounded time', { timeout: 60_000 }, async () => {
    await applyFault(repoRoot, { kind: 'node-pause', node: 'w2' }, 2_000);
    assert.equal((await ssh(lab, 'w2', ['true'], 1_500)).code !== 0, true);
    await sleep(2_000);
    assert.equal((await eventually(() => ssh(lab, 'w2', ['true']), (r) => r.code === 0)).code, 0);
    await applyFault(repoRoot, { kind: 'loss', node: 'w2', percent: 100 }, 2_000);
    assert.equal((await ssh(lab, 'w2', ['true'], 1_500)).code !== 0, true);
    await sleep(2_000);
    assert.equal((await eventually(() => ssh(lab, 'w2', ['true']), (r) => r.code === 0)).code, 0);
  });

  it('delays new SSH connections to a node for a bounded time', { timeout: 60_000 }, async () => {
    const timed = async () => {
      const start = Date.now();
      assert.equal((await ssh(lab, 'w1', ['true'])).code, 0);
      return Date.now() - start;
    };
    const before = await timed();
    const fault = await applyFault(repoRoot, { kind: 'latency', node: 'w1', delayMs: 200 }, 30_000);
    const delayed = await timed();
    // An SSH login takes several round trips; each now costs 400 ms more.
    assert.ok(delayed >= 1_600, `login took ${delayed} ms with 200 ms latency each way`);
    assert.ok(delayed > before + 1_000, `login took ${delayed} ms, ${before} ms without latency`);
    await clearFaults(repoRoot);
    assert.equal(listFaults(repoRoot).length, 0);
    assert.equal(processGone(fault.helperPid ?? 0), true, 'the relay is gone');
    assert.ok((await timed()) < delayed);
  });

  it('reaches a node through a two-hop ProxyJump chain and through a ProxyCommand, resolved as ssh -G does', async () => {
    const [cp1, w1, w2] = lab.nodes as [LabState['nodes'][number], LabState['nodes'][number], LabState['nodes'][number]];
    const dir = mkdtempSync(join(labDir(repoRoot), 'routes-'));
    // The user's layout: the lab's generated config included, hosts of their own on top.
    const routes = join(dir, 'ssh_config');
    writeFileSync(routes, [
      `Include ${lab.sshConfig}`,
      'Host via-chain',
      `  HostName ${w2.address}`,
      `  HostKeyAlias ${w2.name}`,
      `  ProxyJump ${cp1.name},${w1.name}`,
      'Host via-command',
      `  HostName ${w2.address}`,
      `  HostKeyAlias ${w2.name}`,
      `  ProxyCommand ssh -F ${lab.sshConfig} -W %h:%p ${w1.name}`,
      '',
    ].join('\n'));
    // An inventory that says only where: user, key, known_hosts and the way there come from the config.
    const inventoryFile = join(dir, 'inventory.yaml');
    writeFileSync(inventoryFile, [
      `cluster: { kubernetesVersion: ${lab.kubernetesVersion} }`,
      'ssh: { agent: false }',
      'hosts:',
      `  - { name: chained, address: via-chain, advertiseAddress: ${w2.address}, roles: [control-plane] }`,
      `  - { name: proxied, address: via-command, advertiseAddress: ${w2.address}, roles: [worker] }`,
      '',
    ].join('\n'));
    const inventory = await loadInventory(inventoryFile);

    // bootstrap ssh-config says what ssh -G says.
    const cli = await runCommand(process.execPath, [join(repoRoot, 'dist/src/cli/main.js'), 'ssh-config', inventoryFile, '-F', routes]);
    const sshG = async (alias: string) => (await runCommand('ssh', ['-G', '-F', routes, alias])).stdout;
    const pick = (text: string, keys: string[]) => text.split('\n').filter((l) => keys.includes(l.split(' ')[0]!)).sort();
    const keys = ['hostname', 'user', 'port', 'identityfile', 'hostkeyalias', 'proxyjump', 'userknownhostsfile', 'stricthostkeychecking'];
    const [chainedBlock, proxiedBlock] = cli.stdout.split(/\n(?=# proxied: )/);
    assert.deepEqual(pick(chainedBlock!.split('\n\n# chained: jump host')[0]!, keys), pick(await sshG('via-chain'), keys));
    assert.deepEqual(pick(proxiedBlock!, keys), pick(await sshG('via-command'), keys));
    assert.match(chainedBlock!, new RegExp(`^# chained: root@${cp1.address}:22 -> root@${w1.address}:22 -> root@${w2.address}:22$`, 'm'));

    const clientOf = async (spec: (typeof inventory.hosts)[number]) => {
      const host = await SshHost.connect(spec, { sshConfigFile: routes });
      try {
        return (await host.exec(['sh', '-c', 'echo $SSH_CLIENT'])).stdout.split(' ')[0];
      } finally {
        await host.close();
      }
    };
    const since = (await sshOut(lab, w1.name, ['date', '+%s'])).trim();
    assert.equal(await clientOf(inventory.hosts[0]!), w1.address, 'w2 was reached from w1, the last hop');
    const w1Logins = await sshOut(lab, w1.name, ['journalctl', '-u', 'ssh', '--since', `@${since}`, '--no-pager', '-o', 'cat']);
    assert.match(w1Logins, new RegExp(`Accepted publickey for root from ${cp1.address.replace(/\./g, '\\.')} `), 'w1 was reached from cp1, the first hop');
    assert.equal(await clientOf(inventory.hosts[1]!), w1.address, 'the ProxyCommand (ssh -W through w1) carried the connection');
  });

  it('reports every node in status', async () => {
    const result = await status(repoRoot);
    assert.deepEqual(result.nodes.map((n) => [n.name, n.state, n.systemd]), [
      ['cp1', 'running', 'running'],
      ['w1', 'running', 'running'],
      ['w2', 'running', 'running'],
    ]);
    assert.deepEqual(result.registries.map((r) => r.status), [200, 401]);
    assert.deepEqual(listeningOn([lab.network.gateway]).sort(), ['10.77.0.1:5000', '10.77.0.1:5001']);
  });

  it('down leaves nothing behind', { timeout: 120_000 }, async () => {
    await down(repoRoot, { purge: false, log: quiet });
    await assertNothingLeft(ipForwardBefore);
  });
});

describe('lab up --light', { skip: whyNot, timeout: 5 * 60_000 }, () => {
  it('starts sshd-only nodes that answer over SSH, and down removes them', async () => {
    const ipForwardBefore = readIpForward();
    try {
      const lab = await up(repoRoot, defaultUpOptions({ hosts: 5, light: true, images: false, standins: false, log: quiet }));
      for (const node of lab.nodes) assert.equal(await sshOut(lab, node.name, ['hostname']), node.name);
      assert.equal(await sshOut(lab, 'w4', ['cat', '/proc/1/comm']), 'docker-init');
    } finally {
      await down(repoRoot, { purge: false, log: quiet });
    }
    await assertNothingLeft(ipForwardBefore);
  });
});

describe('lab up --runtime docker (Kubernetes < 1.24)', { skip: whyNot, timeout: 5 * 60_000 }, () => {
  it('runs Debian\'s dockerd on the node, pulling from the lab registry; a removed image comes back when the fault ends', async () => {
    const ipForwardBefore = readIpForward();
    try {
      const lab = await up(repoRoot, defaultUpOptions({ hosts: 1, runtime: 'docker', kubernetesVersion: 'v1.23.17', images: false, standins: false, log: quiet }));
      assert.equal(await sshOut(lab, 'cp1', ['systemctl', 'is-system-running']), 'running');
      assert.equal(await sshOut(lab, 'cp1', ['systemctl', 'is-active', 'docker']), 'active');
      await pushProbeImage(lab.registry.address, 'lab-probe', 'v1');
      const image = `${lab.registry.address}/lab-probe:v1`;
      assert.equal((await ssh(lab, 'cp1', ['docker', 'pull', '-q', image], 60_000)).stdout.trim(), image);
      await sshOut(lab, 'cp1', ['docker', 'rmi', image]);
      await applyFault(repoRoot, { kind: 'remove-image', registry: 'registry', repository: 'lab-probe', tag: 'v1' }, 3_000);
      assert.equal(await manifestStatus(lab.registry.address, 'lab-probe', 'v1'), 404);
      const failed = await ssh(lab, 'cp1', ['docker', 'pull', '-q', image], 60_000);
      assert.match(failed.stderr, /manifest unknown/);
      await sleep(3_000);
      assert.equal(await eventually(() => manifestStatus(lab.registry.address, 'lab-probe', 'v1'), (code) => code === 200), 200);
    } finally {
      await down(repoRoot, { purge: false, log: quiet });
    }
    await assertNothingLeft(ipForwardBefore);
  });
});

/** Sends one HTTP/1.0 request over TLS to host:port; the answer's first line and the certificate's CN, within timeoutMs. */
function httpsThrough(host: string, port: number, path: string, timeoutMs = 10_000): Promise<{ statusLine: string; peer: string }> {
  return new Promise((resolvePromise, reject) => {
    // The probe's certificate is self-signed: what matters is which server answered, not who signed it.
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, timeout: timeoutMs });
    const chunks: Buffer[] = [];
    let peer = '';
    socket.once('secureConnect', () => {
      peer = String(socket.getPeerCertificate().subject?.CN ?? '');
      socket.write(`GET ${path} HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => resolvePromise({ statusLine: Buffer.concat(chunks).toString('utf8').split('\r\n')[0] ?? '', peer }));
    socket.once('timeout', () => socket.destroy(new Error(`${host}:${port} did not answer within ${timeoutMs} ms`)));
    socket.once('error', reject);
  });
}

const states = (backends: HaproxyBackend[]) => backends.map((b) => `${b.name}=${b.status}`).join(' ');

describe('lab up --control-planes 2: haproxy in front of the API servers', { skip: whyNot, timeout: 5 * 60_000 }, () => {
  let lab: LabState;
  let ipForwardBefore = '';

  before(async () => {
    ipForwardBefore = readIpForward();
    lab = await up(repoRoot, defaultUpOptions({ hosts: 2, controlPlanes: 2, images: false, standins: false, log: quiet }));
  });

  after(async () => {
    await down(repoRoot, { purge: false, log: quiet });
  });

  it('runs Debian\'s haproxy under systemd in lb, with the config it checked and the endpoint in the inventory', async () => {
    const lb = lab.loadBalancer!;
    assert.deepEqual([lb.name, lb.address, lb.container, lb.port], ['lb', '10.77.0.9', 'bootstrap-lab-lb', 6443]);
    assert.equal(await sshOut(lab, 'lb', ['systemctl', 'is-system-running']), 'running');
    assert.equal(await sshOut(lab, 'lb', ['systemctl', 'is-active', 'haproxy']), 'active');
    assert.match(await sshOut(lab, 'lb', ["dpkg-query -W -f '${Version}' haproxy"]), /^2\.\d+\.\d+-\d/);
    assert.equal(await sshOut(lab, 'lb', ['stat', '-c', '%a', '/etc/haproxy/haproxy.cfg']), '644');
    assert.match(await sshOut(lab, 'lb', ['haproxy', '-c', '-f', '/etc/haproxy/haproxy.cfg']), /Configuration file is valid/);
    const inventory = await loadInventory(lab.inventory);
    assert.equal(inventory.cluster.controlPlaneEndpoint, '10.77.0.9:6443');
    assert.deepEqual(inventory.hosts.map((h) => h.name), ['cp1', 'cp2'], 'the load balancer is no cluster host');
    // The admin socket in lab.json answers too, with the same servers.
    const stat = await sshOut(lab, 'lb', [`echo 'show stat' | socat stdio UNIX:${lb.statsSocket}`]);
    assert.match(stat, /^kube-apiserver,cp1,/m);
    assert.match(stat, /^kube-apiserver,cp2,/m);
  });

  it('reports both API servers DOWN while nothing listens on :6443', { timeout: 30_000 }, async () => {
    const backends = await waitForBackends(lab, (b) => b.length === 2 && b.every((s) => s.status === 'DOWN'), 20_000);
    assert.deepEqual(backends.map((b) => [b.name, b.address, b.status]), [['cp1', '10.77.0.10:6443', 'DOWN'], ['cp2', '10.77.0.11:6443', 'DOWN']]);
  });

  it('takes a server UP once it answers GET /readyz over TLS, and forwards TCP on lb:6443 to it', { timeout: 60_000 }, async () => {
    // openssl's test server answers every GET with 200 over TLS: all the health check asks of an API server.
    await sshOut(lab, 'cp1', ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=cp1', '-days', '1', '-keyout', '/root/probe.key', '-out', '/root/probe.crt']);
    await sshOut(lab, 'cp1', ['systemd-run', '--unit', 'lab-https-probe', 'openssl', 's_server', '-4', '-accept', '6443', '-www',
      '-cert', '/root/probe.crt', '-key', '/root/probe.key']);
    const backends = await waitForBackends(lab, (b) => states(b) === 'cp1=UP cp2=DOWN', 20_000);
    assert.equal(backends[0]?.checkStatus, 'L7OK');
    const answer = await httpsThrough(lab.loadBalancer!.address, lab.loadBalancer!.port, '/readyz');
    assert.deepEqual(answer, { statusLine: 'HTTP/1.0 200 ok', peer: 'cp1' });
    await sshOut(lab, 'cp1', ['systemctl', 'stop', 'lab-https-probe']);
    assert.equal(states(await waitForBackends(lab, (b) => b[0]?.status === 'DOWN', 20_000)), 'cp1=DOWN cp2=DOWN');
  });

  it('reloads haproxy with other servers once haproxy has checked the new config', { timeout: 60_000 }, async () => {
    const docker = new DockerCli(lab.docker.host);
    const [cp1, cp2] = lab.nodes as [LabState['nodes'][number], LabState['nodes'][number]];
    const pid = async () => sshOut(lab, 'lb', ['systemctl', 'show', '-p', 'MainPID', '--value', 'haproxy']);
    const master = await pid();
    await configureLoadBalancer(docker, lab.loadBalancer!, [cp2], { timeoutMs: 20_000 });
    assert.deepEqual((await haproxyBackends(lab)).map((b) => b.name), ['cp2']);
    assert.equal(await pid(), master, 'reloaded, not restarted');
    await configureLoadBalancer(docker, lab.loadBalancer!, [cp1, cp2], { timeoutMs: 20_000 });
    assert.deepEqual((await haproxyBackends(lab)).map((b) => b.name), ['cp1', 'cp2']);
  });

  it('shows the load balancer and its servers in status', async () => {
    const result = await status(repoRoot);
    assert.deepEqual([result.loadBalancer?.name, result.loadBalancer?.state, result.loadBalancer?.systemd, result.loadBalancer?.haproxy], ['lb', 'running', 'running', 'active']);
    assert.deepEqual((result.loadBalancer?.backends as HaproxyBackend[]).map((b) => b.name), ['cp1', 'cp2']);
    assert.deepEqual((await haproxyBackends(lab)).map((b) => b.address), ['10.77.0.10:6443', '10.77.0.11:6443']);
  });

  it('down removes the load balancer with the rest', { timeout: 120_000 }, async () => {
    await down(repoRoot, { purge: false, log: quiet });
    await assertNothingLeft(ipForwardBefore);
  });
});
