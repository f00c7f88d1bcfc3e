/** The gateway call against local stand-ins: etcd's error bodies, unreachable and silent endpoints. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { EtcdApiError, EtcdClient, EtcdLearnerNotReadyError, EtcdUnreachableError } from '../../src/etcd/index.js';
import { close, freePort, httpsServer, makePki } from '../health/servers.js';

const pki = makePki('etcd');
const tls = { caPem: pki.ca, certPem: pki.clientCert, keyPem: pki.clientKey };
const servers: Server[] = [];
after(() => close(...servers));

/** An HTTPS stand-in that answers every POST with the status and body given, recording the requests. */
async function standIn(status: number, body: object | undefined, seen: { path?: string; body?: string }[] = []): Promise<string> {
  const { port, server } = await httpsServer(pki, (req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c));
    req.on('end', () => {
      seen.push({ path: req.url, body: text });
      if (body === undefined) return; // never answers
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  }, pki.ca);
  servers.push(server);
  return `https://127.0.0.1:${port}`;
}

test('requests are POSTs of the request message to rpc.proto\'s paths; uint64 IDs sent as decimal strings', async () => {
  const seen: { path?: string; body?: string }[] = [];
  const endpoint = await standIn(200, { members: [{ ID: '18446744073709551615', name: 'cp1', peerURLs: ['https://10.0.0.1:2380'], isLearner: true }] }, seen);
  const client = new EtcdClient({ endpoints: [endpoint], tls });
  await client.memberPromote('18446744073709551615');
  assert.deepEqual(seen, [
    { path: '/v3/cluster/member/list', body: '{}' },
    { path: '/v3/cluster/member/promote', body: '{"ID":"18446744073709551615"}' },
  ]);
});

test("etcd's error body becomes a typed error; a learner behind the leader is its own, retryable", async () => {
  const behind = await standIn(400, { error: 'etcdserver: can only promote a learner member which is in sync with leader', code: 9, message: 'etcdserver: can only promote a learner member which is in sync with leader' });
  await assert.rejects(new EtcdClient({ endpoints: [behind], tls }).status(behind), (error: unknown) => {
    assert.ok(error instanceof EtcdLearnerNotReadyError);
    assert.equal(error.retryable, true);
    assert.equal(error.message, `etcd Status at ${behind}: etcdserver: can only promote a learner member which is in sync with leader (gRPC code 9)`);
    return true;
  });
  const notFound = await standIn(404, { error: 'etcdserver: member not found', code: 5 });
  await assert.rejects(new EtcdClient({ endpoints: [notFound], tls }).status(notFound), (error: unknown) => {
    assert.ok(error instanceof EtcdApiError && !(error instanceof EtcdLearnerNotReadyError));
    assert.equal(error.code, 5);
    assert.equal(error.retryable, false);
    return true;
  });
});

test('an endpoint that refuses or never answers is unreachable (retryable); the next endpoint is tried', async () => {
  const refused = `https://127.0.0.1:${await freePort()}`;
  const silent = await standIn(200, undefined);
  const client = new EtcdClient({ endpoints: [refused, silent], tls, timeoutMs: 300 });
  await assert.rejects(client.memberList(), (error: unknown) => {
    assert.ok(error instanceof EtcdUnreachableError);
    assert.equal(error.retryable, true);
    assert.equal(error.message, `etcd MemberList at ${silent}: no answer within 300 ms`);
    return true;
  });
  const good = await standIn(200, { members: [] });
  assert.deepEqual(await new EtcdClient({ endpoints: [refused, good], tls }).memberList(), []);
});
