import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseInventory } from '../../src/inventory/index.js';
import { parseHaproxyStats, renderHaproxyConfig } from '../../e2e/lab/haproxy.js';
import { renderLabInventory } from '../../e2e/lab/inventory.js';
import { defaultUpOptions, LAB_SUBNET, validateUpOptions, wantsLoadBalancer } from '../../e2e/lab/lab.js';
import { loadBalancerEndpoint, planLoadBalancer } from '../../e2e/lab/load-balancer.js';
import { planNodes } from '../../e2e/lab/nodes.js';
import { repoRoot } from '../helpers.js';

const cps = [
  { name: 'cp1', address: '10.77.0.10' },
  { name: 'cp2', address: '10.77.0.11' },
  { name: 'cp3', address: '10.77.0.12' },
];

/** The config's lines without indentation or comments, to look for directives. */
const directives = (config: string) => config.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

/** The lines of one section ("backend kube-apiserver") up to the next section. */
function section(config: string, header: string): string[] {
  const lines = directives(config);
  const start = lines.indexOf(header);
  assert.notEqual(start, -1, `no section ${header}`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => /^(global|defaults|frontend|backend|listen)\b/.test(l));
  return end === -1 ? rest : rest.slice(0, end);
}

describe('lab load balancer: haproxy.cfg', () => {
  it('puts every control plane\'s API server behind a TCP frontend on :6443', () => {
    const config = renderHaproxyConfig(cps);
    assert.deepEqual(section(config, 'frontend kube-apiserver'), ['bind :6443', 'default_backend kube-apiserver']);
    assert.ok(section(config, 'defaults').includes('mode tcp'));
    const servers = section(config, 'backend kube-apiserver').filter((l) => l.startsWith('server '));
    assert.deepEqual(servers, [
      'server cp1 10.77.0.10:6443 check check-ssl verify none inter 2000ms fall 2 rise 2 on-marked-down shutdown-sessions',
      'server cp2 10.77.0.11:6443 check check-ssl verify none inter 2000ms fall 2 rise 2 on-marked-down shutdown-sessions',
      'server cp3 10.77.0.12:6443 check check-ssl verify none inter 2000ms fall 2 rise 2 on-marked-down shutdown-sessions',
    ]);
  });

  it('health-checks each server with an HTTPS GET /readyz that must answer 200', () => {
    const backend = section(renderHaproxyConfig(cps), 'backend kube-apiserver');
    assert.ok(backend.includes('option httpchk GET /readyz'));
    assert.ok(backend.includes('http-check expect status 200'));
    assert.ok(backend.includes('balance roundrobin'));
  });

  it('tries another server when one cannot be reached, soon enough for a client\'s TLS handshake timeout', () => {
    const defaults = section(renderHaproxyConfig(cps), 'defaults');
    for (const line of ['timeout connect 2s', 'retries 2', 'option redispatch 1']) assert.ok(defaults.includes(line), line);
  });

  it('gives the tests a stats socket and a stats page with the servers\' addresses', () => {
    const config = renderHaproxyConfig(cps);
    assert.ok(section(config, 'global').includes('stats socket /run/haproxy/admin.sock mode 660 level admin'));
    const stats = section(config, 'listen stats');
    for (const line of ['bind :8404', 'mode http', 'stats enable', 'stats uri /stats', 'stats show-legends']) assert.ok(stats.includes(line), line);
  });

  it('takes another check interval, and no server at all', () => {
    assert.match(renderHaproxyConfig(cps.slice(0, 1), { checkIntervalMs: 500 }), /^ {2}server cp1 10\.77\.0\.10:6443 .* inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions$/m);
    assert.deepEqual(section(renderHaproxyConfig([]), 'backend kube-apiserver').filter((l) => l.startsWith('server ')), []);
  });

  it('refuses a name or address that would change the config\'s meaning', () => {
    assert.throws(() => renderHaproxyConfig([{ name: 'cp1 backup', address: '10.77.0.10' }]), /server name "cp1 backup"/);
    assert.throws(() => renderHaproxyConfig([{ name: 'cp1', address: '10.77.0.10\n  server evil 192.0.2.1' }]), /is not an address/);
  });
});

describe('lab load balancer: haproxy\'s stats', () => {
  // Captured from Debian's haproxy 2.6.12 with this config's check settings (addresses changed to the lab's):
  // cp1 answered /readyz with 200, cp2 had not been checked yet.
  const csv = readFileSync(join(repoRoot, 'test/fixtures/lab/haproxy-stats.csv'), 'utf8');

  it('reads each API server\'s name, address, state and last check, leaving out the frontend and backend rows', () => {
    assert.deepEqual(parseHaproxyStats(csv), [
      { name: 'cp1', address: '10.77.0.10:6443', status: 'UP', rawStatus: 'UP', checkStatus: 'L7OK', checkCode: '200' },
      // "UP 1/2": up until proven otherwise, still taking traffic.
      { name: 'cp2', address: '10.77.0.11:6443', status: 'UP', rawStatus: 'UP 1/2', checkStatus: 'INI', checkCode: '' },
    ]);
  });

  it('reads the columns by the header, whatever their order, and tells DOWN and MAINT apart', () => {
    const text = [
      '# svname,pxname,addr,check_status,check_code,status,',
      'FRONTEND,kube-apiserver,,,,OPEN,',
      'cp1,kube-apiserver,10.77.0.10:6443,* L4CON,,DOWN 1/2,',
      'cp2,kube-apiserver,10.77.0.11:6443,L7STS,500,DOWN,',
      'cp3,kube-apiserver,10.77.0.12:6443,,,MAINT,',
      'cp1,stats,,,,no check,',
    ].join('\n');
    assert.deepEqual(parseHaproxyStats(text).map((b) => [b.name, b.status, b.checkStatus, b.checkCode]), [
      ['cp1', 'DOWN', 'L4CON', ''],
      ['cp2', 'DOWN', 'L7STS', '500'],
      ['cp3', 'MAINT', '', ''],
    ]);
  });

  it('says so when the answer is not haproxy\'s CSV', () => {
    assert.throws(() => parseHaproxyStats('<html>503</html>'), /no header line/);
  });
});

describe('lab load balancer: place in the lab', () => {
  it('sits at .9, below every address a node plan can take, and is the endpoint', () => {
    const lb = planLoadBalancer('10.77.0');
    assert.deepEqual(lb, {
      name: 'lb',
      address: '10.77.0.9',
      container: 'bootstrap-lab-lb',
      roles: ['load-balancer'],
      port: 6443,
      statsUrl: 'http://10.77.0.9:8404/stats',
      statsSocket: '/run/haproxy/admin.sock',
    });
    const nodes = planNodes(LAB_SUBNET.maxHosts, 3, (i) => `10.77.0.${LAB_SUBNET.firstHost + i}`);
    assert.equal(nodes.some((n) => n.address === lb.address || n.name === lb.name || n.container === lb.container), false);
    assert.equal(loadBalancerEndpoint(lb), '10.77.0.9:6443');
  });

  it('comes with more than one control plane, or when asked for; several control planes cannot go without it', () => {
    assert.equal(wantsLoadBalancer(defaultUpOptions({ hosts: 3, controlPlanes: 1 })), false);
    assert.equal(wantsLoadBalancer(defaultUpOptions({ hosts: 3, controlPlanes: 2 })), true);
    assert.equal(wantsLoadBalancer(defaultUpOptions({ hosts: 1, controlPlanes: 1, loadBalancer: true })), true);
    assert.throws(() => validateUpOptions(defaultUpOptions({ hosts: 2, controlPlanes: 2, loadBalancer: false })), {
      message: 'more than one control plane needs the load balancer: the inventory\'s controlPlaneEndpoint is its address',
    });
  });

  it('writes its address as controlPlaneEndpoint, in an inventory the product loads with two control planes', () => {
    const input = {
      kubernetesVersion: 'v1.28.4',
      imageRepository: '10.77.0.1:5000',
      identityFile: '/k/id',
      knownHostsFile: '/k/known_hosts',
      nodes: cps.slice(0, 2).map((n) => ({ ...n, container: `bootstrap-lab-${n.name}`, roles: ['control-plane'], hostKey: 'ssh-ed25519 AAAAkey' })),
    };
    assert.throws(() => parseInventory('/lab/inventory.yaml', renderLabInventory(input)), /controlPlaneEndpoint/);
    const inventory = parseInventory('/lab/inventory.yaml', renderLabInventory({ ...input, controlPlaneEndpoint: '10.77.0.9:6443' }));
    assert.equal(inventory.cluster.controlPlaneEndpoint, '10.77.0.9:6443');
    assert.deepEqual(inventory.hosts.map((h) => h.name), ['cp1', 'cp2']);
  });
});
