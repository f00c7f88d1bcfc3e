import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTarget, progressLine, waitForControlPlane } from '../../src/health/check.js';
import type { ComponentStatus } from '../../src/pipeline/context.js';
import { FakeNode } from './node.js';

const fast = { firstDelayMs: 20, maxDelayMs: 100 };

test('healthy: kubelet first, then every component running and answering; one command per poll', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  node.kubeletStatus = 503;
  // kubelet answers 200 from its third request on; nothing is listed before.
  const probe = node.kubeletHealthz;
  let kubeletCalls = 0;
  const origConnect = node.host.connect.bind(node.host);
  node.host.connect = async (port, host) => {
    if (port === probe.port && ++kubeletCalls >= 3) node.kubeletStatus = 200;
    return origConnect(port, host);
  };
  // The API server's Pod appears only at the third listing.
  node.scenario.get('kube-apiserver')!.container = { kind: 'no-pod' };
  node.onList = (n) => {
    if (n === 3) node.scenario.get('kube-apiserver')!.container = { kind: 'running' };
  };
  const lines: string[] = [];
  const result = await waitForControlPlane(node.target(), { timeoutMs: 20_000, ...fast, onProgress: (s) => lines.push(progressLine(s)) });
  assert.equal(result.healthy, true);
  assert.equal(node.kubeletRequestsAtFirstListing, 3);
  assert.equal(node.listings, 3);
  assert.equal(result.commands, 3);
  assert.equal(node.host.roundTrips, 3);
  assert.deepEqual(result.statuses, [
    { name: 'kubelet', healthy: true, detail: 'ok' },
    { name: 'etcd', healthy: true, detail: 'ok' },
    { name: 'kube-apiserver', healthy: true, detail: 'ok' },
    { name: 'kube-controller-manager', healthy: true, detail: 'ok' },
    { name: 'kube-scheduler', healthy: true, detail: 'ok' },
  ]);
  assert.equal(lines[0], 'kubelet waiting (HTTP 503: not yet), etcd waiting (kubelet not healthy yet), apiserver waiting (kubelet not healthy yet), controller-manager waiting (kubelet not healthy yet), scheduler waiting (kubelet not healthy yet)');
  assert.equal(lines[3], 'kubelet ok, etcd ok, apiserver waiting (pod not created), controller-manager ok, scheduler ok');
  assert.equal(lines.at(-1), 'kubelet ok, etcd ok, apiserver ok, controller-manager ok, scheduler ok');
  // The API server was verified against the cluster CA through the tunnel: every endpoint was dialled there.
  const ports = new Set(node.host.connections.map((c) => c.port));
  for (const e of node.target().components) assert.ok(ports.has(e.endpoint!.port));
});

test('timeout: a diagnosis per unhealthy component, gathered in one more command', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  node.scenario.set('kube-apiserver', {
    container: {
      kind: 'exited',
      attempt: 4,
      exitCode: 1,
      logs: 'I1122 08:01:20.300000       1 options.go:220] external host was not specified\nE1122 08:01:21.400000       1 run.go:74] "command failed" err="open /etc/kubernetes/pki/apiserver.crt: no such file or directory"',
    },
    status: 0,
  });
  node.scenario.set('kube-controller-manager', { container: { kind: 'no-pod' }, status: 0 });
  node.images.delete(node.image('kube-controller-manager'));
  node.scenario.set('kube-scheduler', { container: { kind: 'running' }, status: 500, body: '[-]ping failed\nlivez check failed' });
  const target = node.target();
  target.images = [{ image: node.image('kube-controller-manager'), outcome: 'failed', seconds: 12, attempts: 5, error: 'unexpected status code 500' }];

  const started = Date.now();
  const result = await waitForControlPlane(target, { timeoutMs: 1200, ...fast });
  const elapsed = Date.now() - started;
  assert.equal(result.healthy, false);
  assert.ok(elapsed >= 1200 && elapsed < 5000, `took ${elapsed} ms`);
  assert.equal(result.commands, node.listings + 1);
  assert.equal(node.host.roundTrips, node.listings + 1);
  assert.deepEqual(node.diagnoseArgs, ['crictl', 'unix:///var/run/containerd/containerd.sock', node.containerId('kube-apiserver'), node.containerId('kube-scheduler')]);

  const byName = new Map(result.statuses.map((s: ComponentStatus) => [s.name, s]));
  assert.deepEqual(byName.get('etcd'), { name: 'etcd', healthy: true, detail: 'ok' });
  const apiserverId = node.containerId('kube-apiserver').slice(0, 13);
  const schedulerId = node.containerId('kube-scheduler').slice(0, 13);
  assert.deepEqual(byName.get('kube-apiserver'), {
    name: 'kube-apiserver',
    healthy: false,
    detail: 'container exited, 4 restarts',
    diagnosis: [
      `crash-looping: container ${apiserverId} exited, exit code 1 (Error), 4 restarts`,
      `last log lines of container ${apiserverId} (attempt 4):`,
      '  | I1122 08:01:20.300000       1 options.go:220] external host was not specified',
      '  | E1122 08:01:21.400000       1 run.go:74] "command failed" err="open /etc/kubernetes/pki/apiserver.crt: no such file or directory"',
    ],
  });
  assert.deepEqual(byName.get('kube-controller-manager')?.diagnosis, [
    'image not pulled: registry.k8s.io/kube-controller-manager:v1.28.4 is not present on the host (images phase: failed: unexpected status code 500)',
    'pod never created: kubelet has not started it (its image is missing)',
  ]);
  const scheduler = node.endpoints.get('kube-scheduler')!;
  assert.deepEqual(byName.get('kube-scheduler'), {
    name: 'kube-scheduler',
    healthy: false,
    detail: 'HTTP 500: [-]ping failed | livez check failed',
    diagnosis: [
      `probe failing: GET https://127.0.0.1:${scheduler.port}/livez: last answer HTTP 500: [-]ping failed | livez check failed`,
      `last log lines of container ${schedulerId} (attempt 0):`,
      '  | I1122 08:00:00.000000       1 serving.go:1] kube-scheduler serving',
    ],
  });
  assert.equal(
    result.report,
    [
      'the control plane was not healthy after 1s: kube-apiserver, kube-controller-manager, kube-scheduler',
      'kube-apiserver: container exited, 4 restarts',
      ...byName.get('kube-apiserver')!.diagnosis!.map((l) => `  ${l}`),
      'kube-controller-manager: pod not created',
      ...byName.get('kube-controller-manager')!.diagnosis!.map((l) => `  ${l}`),
      'kube-scheduler: HTTP 500: [-]ping failed | livez check failed',
      ...byName.get('kube-scheduler')!.diagnosis!.map((l) => `  ${l}`),
      'kubelet: healthy',
      '  systemctl is-active kubelet: active',
      '  journalctl -u kubelet (last 30 lines):',
      '    | Nov 22 08:00:00 cp1 kubelet[100]: I1122 08:00:00.000000     100 kubelet.go:1] Started kubelet',
    ].join('\n'),
  );
});

test('kubelet never healthy: the runtime is listed once, then diagnosed with the journal', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  node.kubeletStatus = 500;
  node.scenario.set('etcd', { container: { kind: 'no-pod' }, status: 0 });
  const result = await waitForControlPlane(node.target(), { timeoutMs: 600, ...fast });
  assert.equal(result.healthy, false);
  assert.equal(node.listings, 1);
  assert.equal(result.commands, 2);
  assert.deepEqual(result.statuses[0], {
    name: 'kubelet',
    healthy: false,
    detail: 'HTTP 500: not yet',
    diagnosis: [
      `healthz GET http://127.0.0.1:${node.kubeletHealthz.port}/healthz: HTTP 500: not yet`,
      'systemctl is-active kubelet: active',
      'journalctl -u kubelet (last 30 lines):',
      '  | Nov 22 08:00:00 cp1 kubelet[100]: I1122 08:00:00.000000     100 kubelet.go:1] Started kubelet',
    ],
  });
  assert.deepEqual(result.statuses[1], {
    name: 'etcd',
    healthy: false,
    detail: 'pod not created',
    diagnosis: ['pod never created: kubelet has not started etcd from its static Pod manifest (see the kubelet journal)'],
  });
  assert.match(result.report ?? '', /^the control plane was not healthy after 600ms: kubelet, etcd, kube-apiserver/);
});

test('checkTarget: one round, no waiting, no diagnosis', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  node.scenario.set('kube-scheduler', { container: { kind: 'no-container' }, status: 200 });
  const statuses = await checkTarget(node.target());
  assert.equal(node.host.roundTrips, 1);
  assert.deepEqual(statuses, [
    { name: 'kubelet', healthy: true, detail: 'ok' },
    { name: 'etcd', healthy: true, detail: 'ok' },
    { name: 'kube-apiserver', healthy: true, detail: 'ok' },
    { name: 'kube-controller-manager', healthy: true, detail: 'ok' },
    { name: 'kube-scheduler', healthy: false, detail: 'container not created' },
  ]);
});

test("the API server is checked with the admin's client certificate: without it, 401", async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  const target = node.target();
  delete target.apiClient;
  const statuses = await checkTarget(target);
  assert.deepEqual(statuses.find((s) => s.name === 'kube-apiserver'), { name: 'kube-apiserver', healthy: false, detail: 'HTTP 401: Unauthorized' });
});

test('the API server is verified against the cluster CA: a certificate from another CA keeps it unhealthy', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  const target = node.target();
  target.caCert = (await import('./servers.js')).makePki('other').ca;
  const statuses = await checkTarget(target);
  const apiserver = statuses.find((s) => s.name === 'kube-apiserver')!;
  assert.equal(apiserver.healthy, false);
  assert.match(apiserver.detail, /^TLS: /);
  // controller-manager and scheduler serve self-signed certificates: not verified, healthy.
  assert.equal(statuses.find((s) => s.name === 'kube-scheduler')?.healthy, true);
});

test('dockershim host with kubelet down: docker ps lists the runtime, docker logs explain the crash loop', async (t) => {
  const { DOCKER_PS } = await import('./fixtures.js');
  const { LIST_SCRIPT, DIAGNOSE_SCRIPT } = await import('../../src/health/commands.js');
  const { TunnelHost, httpServer, close } = await import('./servers.js');
  const etcd = await httpServer((_req, res) => res.end('{"health":"true","reason":""}'));
  t.after(() => close(etcd.server));
  const host = new TunnelHost('cp1');
  let diagnoseArgs: readonly string[] = [];
  host.on((argv) => {
    const m = argv[4]!;
    const section = (name: string, out: string, code = 0, err = '') => `${m} begin ${name}\n${out}\n\n${m} rc ${name} ${code}\n${err ? `${m} err ${err}\n` : ''}`;
    const down = 'time="2023-11-22T08:00:00Z" level=fatal msg="connect: connect endpoint \'unix:///var/run/dockershim.sock\', make sure you are running as root and the endpoint has been started"';
    if (argv[2] === LIST_SCRIPT) return { stdout: section('pods', '', 1, down) + section('containers', '', 1, down) + section('docker', DOCKER_PS) };
    if (argv[2] === DIAGNOSE_SCRIPT) {
      diagnoseArgs = argv.slice(5);
      return {
        stdout:
          section('images', 'k8s.gcr.io/etcd:3.4.13-0\nk8s.gcr.io/kube-controller-manager:v1.21.14') +
          section(`logs:${argv[7]}`, 'F1122 08:04:31.000000       1 controllermanager.go:232] error building controller context: failed to wait for apiserver being healthy') +
          section('kubelet-active', 'inactive', 3) +
          section('journal', '-- No entries --'),
      };
    }
    return undefined;
  });
  const result = await waitForControlPlane(
    {
      host,
      nodeName: 'cp1',
      version: 'v1.21.14',
      criSocket: '/var/run/dockershim.sock',
      components: [
        { name: 'etcd', namespace: 'kube-system', container: 'etcd', image: 'k8s.gcr.io/etcd:3.4.13-0', endpoint: { scheme: 'http', host: '127.0.0.1', port: etcd.port, path: '/health', timeoutMs: 15000 } },
        { name: 'kube-controller-manager', namespace: 'kube-system', container: 'kube-controller-manager', image: 'k8s.gcr.io/kube-controller-manager:v1.21.14' },
      ],
    },
    { timeoutMs: 300, ...fast },
  );
  assert.deepEqual(diagnoseArgs, ['docker', 'unix:///var/run/dockershim.sock', 'd0c0000000000000000000000000000000000000000000000000000000000004']);
  assert.deepEqual(result.statuses.map((s) => [s.name, s.healthy, s.detail]), [
    ['kubelet', true, 'ok'],
    ['etcd', true, 'ok'],
    ['kube-controller-manager', false, 'container exited with code 255, 4 restarts'],
  ]);
  assert.deepEqual(result.statuses[2]?.diagnosis, [
    'crash-looping: container d0c0000000000 exited, exit code 255, 4 restarts',
    'last log lines of container d0c0000000000 (attempt 4):',
    '  | F1122 08:04:31.000000       1 controllermanager.go:232] error building controller context: failed to wait for apiserver being healthy',
  ]);
  assert.match(result.report ?? '', /\n {2}runtime listed with docker ps, since dockershim did not answer crictl \(crictl pods exited 1: time=.*endpoint has been started"\)\n {2}systemctl is-active kubelet: inactive\n/);
});

test('a runtime listing that times out is one more round without an answer: the wait polls again and gets healthy', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  node.listingTimesOut = (n) => n === 1;
  const lines: string[] = [];
  const result = await waitForControlPlane(node.target(), { timeoutMs: 20_000, ...fast, onProgress: (s) => lines.push(progressLine(s)) });
  assert.equal(result.healthy, true, lines.join('\n'));
  assert.equal(node.listings, 2);
  assert.ok(lines.some((l) => l.includes('runtime not listed (the runtime did not answer within ')), lines.join('\n'));
});

test('a runtime listing that keeps timing out ends in the diagnosis at the deadline, not in an error', async (t) => {
  const node = await FakeNode.start();
  t.after(() => node.close());
  node.listingTimesOut = () => true;
  const result = await waitForControlPlane(node.target(), { timeoutMs: 600, ...fast });
  assert.equal(result.healthy, false);
  assert.ok(result.statuses.filter((s) => s.name !== 'kubelet').every((s) => !s.healthy && /runtime did not answer/.test(s.detail)), JSON.stringify(result.statuses));
  assert.match(result.report ?? '', /runtime did not answer/);
});
