import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HealthEndpoint } from '../../src/health/endpoints.js';
import { probeEndpoint } from '../../src/health/probe.js';
import { LocalHost } from '../../src/transport/local.js';
import type { Host } from '../../src/transport/host.js';
import { close, freePort, httpServer, httpsServer, makePki, TunnelHost, type TestPki } from './servers.js';

const host = new LocalHost();
let pki: TestPki;
let other: TestPki;
before(() => {
  pki = makePki();
  other = makePki('kube-scheduler');
});

const endpoint = (scheme: 'http' | 'https', port: number, path: string): HealthEndpoint => ({ scheme, host: '127.0.0.1', port, path, timeoutMs: 1000 });

test('HTTP 200 "ok" is healthy; the path keeps its query', async () => {
  let seen = '';
  const { port, server } = await httpServer((req, res) => {
    seen = req.url ?? '';
    res.end('ok');
  });
  after(() => close(server));
  const result = await probeEndpoint(host, endpoint('http', port, '/health?exclude=NOSPACE&serializable=true'), { timeoutMs: 2000 });
  assert.deepEqual(result, { ok: true, status: 200, body: 'ok' });
  assert.equal(seen, '/health?exclude=NOSPACE&serializable=true');
});

test('HTTP 500 is not healthy and keeps the answer', async () => {
  const { port, server } = await httpServer((_req, res) => {
    res.writeHead(500);
    res.end('[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed\n');
  });
  after(() => close(server));
  assert.deepEqual(await probeEndpoint(host, endpoint('http', port, '/livez'), { timeoutMs: 2000 }), {
    ok: false,
    status: 500,
    body: '[+]ping ok\n[-]etcd failed: reason withheld\nhealthz check failed',
  });
});

test('nothing listening: connection refused', async () => {
  const port = await freePort();
  assert.deepEqual(await probeEndpoint(host, endpoint('http', port, '/healthz'), { timeoutMs: 2000 }), { ok: false, error: 'connection refused' });
});

test('a server that never answers: timed out after the probe timeout', async () => {
  const { port, server } = await httpServer(() => undefined);
  after(() => close(server));
  const started = Date.now();
  assert.deepEqual(await probeEndpoint(host, endpoint('http', port, '/healthz'), { timeoutMs: 300 }), { ok: false, error: 'timed out after 0.3s' });
  assert.ok(Date.now() - started < 2000);
});

test('HTTPS verified against the cluster CA, through the tunnel, with the probe host as the name', async () => {
  const { port, server } = await httpsServer(pki, (_req, res) => res.end('ok'));
  after(() => close(server));
  const tunnel = new TunnelHost('cp1');
  assert.deepEqual(await probeEndpoint(tunnel, endpoint('https', port, '/livez'), { timeoutMs: 2000, ca: pki.ca }), { ok: true, status: 200, body: 'ok' });
  assert.deepEqual(tunnel.connections, [{ port, host: '127.0.0.1' }]);
});

test('HTTPS signed by another CA fails verification with a TLS reason', async () => {
  const { port, server } = await httpsServer(other, (_req, res) => res.end('ok'));
  after(() => close(server));
  const result = await probeEndpoint(host, endpoint('https', port, '/livez'), { timeoutMs: 2000, ca: pki.ca });
  assert.equal(result.ok, false);
  assert.match(result.error ?? '', /^TLS: /);
});

test('HTTPS without a CA (controller-manager, scheduler: self-signed) is not verified', async () => {
  const { port, server } = await httpsServer(other, (_req, res) => res.end('ok'));
  after(() => close(server));
  assert.deepEqual(await probeEndpoint(host, endpoint('https', port, '/healthz'), { timeoutMs: 2000 }), { ok: true, status: 200, body: 'ok' });
});

test('an aborted signal ends the probe at once', async () => {
  const { port, server } = await httpServer(() => undefined);
  after(() => close(server));
  const controller = new AbortController();
  const probing = probeEndpoint(host, endpoint('http', port, '/healthz'), { timeoutMs: 10_000, signal: controller.signal });
  controller.abort();
  assert.deepEqual(await probing, { ok: false, error: 'cancelled' });
});

test('a client certificate authenticates the request (anonymous-auth off: 401 without it)', async () => {
  const { port, server } = await httpsServer(
    pki,
    (req, res) => {
      const authorized = (req.socket as import('node:tls').TLSSocket).authorized;
      res.writeHead(authorized ? 200 : 401);
      res.end(authorized ? 'ok' : '{"kind":"Status","status":"Failure","message":"Unauthorized","code":401}');
    },
    pki.ca,
  );
  after(() => close(server));
  const e = endpoint('https', port, '/livez');
  assert.deepEqual(await probeEndpoint(host, e, { timeoutMs: 2000, ca: pki.ca }), {
    ok: false,
    status: 401,
    body: '{"kind":"Status","status":"Failure","message":"Unauthorized","code":401}',
  });
  assert.deepEqual(await probeEndpoint(host, e, { timeoutMs: 2000, ca: pki.ca, client: { cert: pki.clientCert, key: pki.clientKey } }), { ok: true, status: 200, body: 'ok' });
});

test('a failure to reach the endpoint is a result, but a bug is thrown rather than polled again', async () => {
  /** A host whose tunnels fail with the given error. */
  const failing = (error: Error): Host => Object.assign(new LocalHost(), { connect: async () => { throw error; } });
  assert.deepEqual(await probeEndpoint(failing(new Error('cp1: cannot open a tunnel to 127.0.0.1:10257: Connection refused')), endpoint('http', 10257, '/healthz'), { timeoutMs: 2000 }), {
    ok: false,
    error: 'connection refused',
  });
  const bug = new TypeError("Cannot read properties of undefined (reading 'port')");
  await assert.rejects(probeEndpoint(failing(bug), endpoint('http', 10257, '/healthz'), { timeoutMs: 2000 }), (e: unknown) => e === bug);
});
