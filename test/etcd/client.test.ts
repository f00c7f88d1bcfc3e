/**
 * The etcd client against real etcd 3.4 members on 127.0.0.1 (etcd-server.ts), with etcdctl as the outside
 * judge: list, add as learner and as voter (the new member started with the --initial-cluster the client
 * returned), promote, remove, the quorum refusal, and TLS refusals. The steps build on each other, in order.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { inspect } from 'node:util';
import { directConnector, EtcdClient, EtcdLearnerNotReadyError, EtcdQuorumError, EtcdTlsError } from '../../src/etcd/index.js';
import { initialCluster } from '../../src/manifests/index.js';
import { rmSync } from 'node:fs';
import { etcdctlMembers, etcdLog, makeEtcdPki, startEtcd, stopEtcd, until, type MemberFiles, type TestPki } from './etcd-server.js';

const START_MS = 20_000;
let pki: TestPki;
let a: MemberFiles, b: MemberFiles, c: MemberFiles;
const running = new Map<string, ChildProcess>();
let client: EtcdClient;

function start(m: MemberFiles, cluster: string, state: 'new' | 'existing'): void {
  running.set(m.name, startEtcd(m, cluster, state));
}

/** Until the member answers its Status on its own client URL (a learner does too). */
function ready(m: MemberFiles) {
  return until(`etcd ${m.name} starting (log: ${etcdLog(m)})`, START_MS, () => client.status(m.clientURL));
}

/** Until `action` succeeds, retrying only what the client marks retryable (as the phases will, with util/retry). */
function retrying<T>(what: string, action: () => Promise<T>): Promise<T> {
  return until(what, START_MS, async () => {
    try {
      return await action();
    } catch (error) {
      if ((error as { retryable?: boolean }).retryable) throw error;
      throw Object.assign(new Error(`${what}: not retryable: ${(error as Error).message}`), { fatal: true });
    }
  });
}

before(async () => {
  pki = await makeEtcdPki(['etcd-a', 'etcd-b', 'etcd-c']);
  [a, b, c] = pki.members as [MemberFiles, MemberFiles, MemberFiles];
  client = new EtcdClient({ endpoints: [a.clientURL], tls: a.tls, timeoutMs: 3000 });
  start(a, initialCluster([{ name: a.name, peerURL: a.peerURL }]), 'new');
  await ready(a);
});

after(async () => {
  await Promise.all([...running.values()].map(stopEtcd));
  if (pki) rmSync(pki.root, { recursive: true, force: true });
});

test('a single member: listed with its name, URLs and vote, and its own leader', async () => {
  const members = await client.memberList();
  assert.equal(members.length, 1);
  const [m] = members;
  assert.deepEqual({ ...m!, id: undefined }, { id: undefined, name: a.name, peerURLs: [a.peerURL], clientURLs: [a.clientURL], isLearner: false });
  assert.match(m!.id, /^\d+$/);
  const status = await client.status(a.clientURL);
  assert.equal(status.memberId, m!.id);
  assert.equal(status.leader, m!.id);
  assert.equal(status.isLearner, false);
  assert.deepEqual(status.errors, []);
  assert.equal(await client.getMemberID(a.peerURL), m!.id);
  assert.deepEqual((await etcdctlMembers(a)).map((x) => x.ID), [m!.id]);
});

test('the server certificate is checked against the endpoint host, whatever the connection goes to', async () => {
  const port = Number(new URL(a.clientURL).port);
  // As through a tunnel: the connection goes to 127.0.0.1, the name checked is the member's (a DNS SAN here).
  const toLoopback = ({ port: p }: { host: string; port: number }) => directConnector({ host: '127.0.0.1', port: p });
  const named = new EtcdClient({ endpoints: [`https://etcd-a:${port}`], tls: a.tls, connect: toLoopback });
  assert.equal((await named.memberList()).length, 1);
  const other = new EtcdClient({ endpoints: [`https://10.9.9.9:${port}`], tls: a.tls, connect: toLoopback });
  await assert.rejects(other.memberList(), (error: unknown) => {
    assert.ok(error instanceof EtcdTlsError);
    assert.match(error.message, /^etcd MemberList at https:\/\/10\.9\.9\.9:\d+: the server's certificate does not name the endpoint's host/);
    return true;
  });
});

test('a server certificate from another CA is refused, and so is a client certificate; no key shows in the error or the client', async () => {
  const stranger = await makeEtcdPki(['etcd-x']);
  try {
    const tls = { ...a.tls, caPem: stranger.members[0]!.tls.caPem };
    const wrong = new EtcdClient({ endpoints: [a.clientURL], tls });
    await assert.rejects(wrong.memberList(), (error: unknown) => {
      assert.ok(error instanceof EtcdTlsError);
      assert.equal(error.retryable, false);
      assert.match(error.message, /^etcd MemberList at https:\/\/127\.0\.0\.1:\d+: the server's certificate is not signed by the etcd CA given/);
      assert.doesNotMatch(inspect(error) + JSON.stringify(error), /PRIVATE KEY|CERTIFICATE-----/);
      return true;
    });
    assert.doesNotMatch(inspect(wrong, { depth: 5 }) + JSON.stringify(wrong), /PRIVATE KEY|BEGIN/);
    // The other way round: a client certificate etcd's CA did not sign.
    const { certPem, keyPem } = stranger.members[0]!.tls;
    const unknown = new EtcdClient({ endpoints: [a.clientURL], tls: { ...a.tls, certPem, keyPem } });
    await assert.rejects(unknown.memberList(), (error: unknown) => {
      assert.ok(error instanceof EtcdTlsError);
      assert.match(error.message, /^etcd MemberList at https:\/\/127\.0\.0\.1:\d+: the server refused the client certificate/);
      return true;
    });
  } finally {
    rmSync(stranger.root, { recursive: true, force: true });
  }
});

test('a learner added through the running member joins with the returned --initial-cluster, then is promoted', async () => {
  const members = await client.addMemberAsLearner(b.name, b.peerURL);
  // In etcd's order (by member ID), the new member named by us.
  const byName = (x: { name: string }, y: { name: string }) => x.name.localeCompare(y.name);
  assert.deepEqual([...members].sort(byName), [
    { name: a.name, peerURL: a.peerURL },
    { name: b.name, peerURL: b.peerURL },
  ]);
  // Asked again (a re-run), the member is not added twice.
  assert.deepEqual(await client.addMemberAsLearner(b.name, b.peerURL), members);
  const id = await client.getMemberID(b.peerURL);
  // Not started yet: etcd refuses to promote it, which the caller may retry.
  await assert.rejects(client.memberPromote(id), (error: unknown) => error instanceof EtcdLearnerNotReadyError && error.retryable);

  start(b, initialCluster(members), 'existing');
  assert.equal((await ready(b)).isLearner, true);
  const seen = await etcdctlMembers(a);
  assert.deepEqual(seen.map((m) => ({ name: m.name ?? '', peerURLs: m.peerURLs, isLearner: m.isLearner ?? false })).sort(byName), [
    { name: a.name, peerURLs: [a.peerURL], isLearner: false },
    { name: b.name, peerURLs: [b.peerURL], isLearner: true },
  ]);

  // A learner behind the leader is refused (EtcdLearnerNotReadyError, retryable): retried, as kubeadm does.
  await retrying('promoting the learner', () => client.memberPromote(id));
  assert.equal((await etcdctlMembers(b)).find((m) => m.ID === id)?.isLearner ?? false, false);
  const health = await client.waitForClusterAvailable({ retries: 3, intervalMs: 200 });
  assert.deepEqual(health.map((h) => [h.member.name, !!h.status, h.member.isLearner]).sort(), [[a.name, true, false], [b.name, true, false]]);
  const leaders = new Set(health.map((h) => h.status!.leader));
  assert.equal(leaders.size, 1);
});

test('a voter added, started with the returned --initial-cluster, then removed', async () => {
  // etcd refuses a member add ("unhealthy cluster", retryable) until every voter has been connected for 5 s
  // (etcdserver/server.go mayAddMember, HealthInterval): b was promoted just now.
  const members = await retrying('adding a voter', () => client.addMember(c.name, c.peerURL));
  assert.deepEqual(members.map((m) => m.peerURL).sort(), [a.peerURL, b.peerURL, c.peerURL].sort());
  assert.equal(members.find((m) => m.peerURL === c.peerURL)?.name, c.name);
  start(c, initialCluster(members), 'existing');
  assert.equal((await ready(c)).isLearner, false);
  await client.waitForClusterAvailable({ retries: 20, intervalMs: 250 });
  assert.deepEqual((await etcdctlMembers(c)).map((m) => m.name).sort(), [a.name, b.name, c.name]);

  const id = await client.getMemberID(c.peerURL);
  // Refused as "unhealthy cluster" (retryable) while c has been connected for less than 5 s (mayRemoveMember).
  const left = await retrying('removing the voter', () => client.removeMember(id));
  assert.deepEqual(left.map((m) => m.name).sort(), [a.name, b.name]);
  await stopEtcd(running.get(c.name));
  assert.deepEqual((await etcdctlMembers(a)).map((m) => m.name).sort(), [a.name, b.name]);
  // Already gone: not an error.
  assert.deepEqual((await client.removeMember(id)).map((m) => m.name).sort(), [a.name, b.name]);
});

test('removal is refused, with the numbers, when the cluster would lose its quorum', async () => {
  await stopEtcd(running.get(b.name));
  const id = await client.getMemberID(a.peerURL);
  await assert.rejects(client.removeMember(id), (error: unknown) => {
    assert.ok(error instanceof EtcdQuorumError);
    assert.match(error.message, /only 1 of the 2 voting members answer, fewer than the 2 that must agree to remove member etcd-a/);
    return true;
  });
  assert.equal((await etcdctlMembers(a)).length, 2);
});
