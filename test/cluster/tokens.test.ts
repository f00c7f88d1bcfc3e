/** Bootstrap tokens: format, randomness, the Secret kubeadm writes, and reading it back for reuse decisions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapTokenSecret,
  bootstrapTokenUsable,
  newBootstrapToken,
  parseBootstrapToken,
  parseBootstrapTokenSecret,
  tokenString,
} from '../../src/cluster/index.js';
import { rfc3339 } from '../../src/cluster/tokens.js';

const HOUR = 3600 * 1000;
const decode = (s: unknown) => Buffer.from(String(s), 'base64').toString('utf8');

test("a new token has kubeadm's form, and tokens differ", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const t = newBootstrapToken();
    assert.match(tokenString(t), /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    seen.add(tokenString(t));
  }
  assert.equal(seen.size, 200);
});

test('every character of the alphabet turns up, and nothing else', () => {
  const chars = new Set<string>();
  for (let i = 0; i < 400; i++) for (const c of newBootstrapToken().secret) chars.add(c);
  assert.equal([...chars].sort().join(''), '0123456789abcdefghijklmnopqrstuvwxyz');
});

test('parseBootstrapToken accepts only id.secret of the right lengths and alphabet', () => {
  assert.deepEqual(parseBootstrapToken('abcdef.0123456789abcdef'), { id: 'abcdef', secret: '0123456789abcdef' });
  for (const bad of ['abcdef0123456789abcdef', 'ABCDEF.0123456789abcdef', 'abcde.0123456789abcdef', 'abcdef.0123456789abcde', 'abcdef.0123456789abcdeg!']) {
    assert.equal(parseBootstrapToken(bad), undefined, bad);
  }
});

test('the Secret: name, type, base64 data, RFC 3339 expiration truncated to the second, default usages and group', () => {
  const now = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
  const s = bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef' }, { ttlMs: 24 * HOUR, now });
  assert.equal(s.metadata.name, 'bootstrap-token-abcdef');
  assert.equal(s.metadata.namespace, 'kube-system');
  assert.equal(s.type, 'bootstrap.kubernetes.io/token');
  const data = s.data as Record<string, string>;
  assert.deepEqual(Object.keys(data).sort(), ['auth-extra-groups', 'expiration', 'token-id', 'token-secret', 'usage-bootstrap-authentication', 'usage-bootstrap-signing']);
  assert.equal(decode(data.expiration), '2026-02-01T23:59:59Z');
  assert.equal(decode(data['auth-extra-groups']), 'system:bootstrappers:kubeadm:default-node-token');
  assert.equal(decode(data['usage-bootstrap-signing']), 'true');
  assert.equal(decode(data['token-secret']), '0123456789abcdef');
});

test('no expiration for a TTL of 0, description only when given, no groups key without groups', () => {
  const s = bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef' }, { ttlMs: 0, now: 0, description: 'for w1', groups: [] });
  const data = s.data as Record<string, string>;
  assert.equal(data.expiration, undefined);
  assert.equal(data['auth-extra-groups'], undefined);
  assert.equal(decode(data.description), 'for w1');
});

test('rfc3339 writes whole seconds in UTC', () => {
  assert.equal(rfc3339(Date.UTC(2024, 1, 29, 0, 0, 0, 500)), '2024-02-29T00:00:00Z');
});

test('parseBootstrapTokenSecret reads back what bootstrapTokenSecret wrote, and stringData', () => {
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);
  const token = newBootstrapToken();
  const parsed = parseBootstrapTokenSecret(bootstrapTokenSecret(token, { ttlMs: 2 * HOUR, now, description: 'x' }));
  assert.deepEqual(parsed, {
    token,
    expires: now + 2 * HOUR,
    usages: ['authentication', 'signing'],
    groups: ['system:bootstrappers:kubeadm:default-node-token'],
    description: 'x',
  });
  const fromStringData = parseBootstrapTokenSecret({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system' },
    type: 'bootstrap.kubernetes.io/token',
    stringData: { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', expiration: '2030-01-01T00:00:00+01:00', 'usage-bootstrap-signing': 'true' },
  });
  assert.equal(fromStringData?.expires, Date.UTC(2029, 11, 31, 23, 0, 0));
  assert.deepEqual(fromStringData?.usages, ['signing']);
  assert.deepEqual(fromStringData?.groups, []);
});

test('parseBootstrapTokenSecret refuses what is not a well-formed token Secret', () => {
  const good = bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef' }, { ttlMs: HOUR, now: 0 });
  assert.equal(parseBootstrapTokenSecret({ ...good, type: 'Opaque' }), undefined);
  assert.equal(parseBootstrapTokenSecret({ ...good, metadata: { ...good.metadata, name: 'bootstrap-token-zzzzzz' } }), undefined);
  const data = { ...(good.data as Record<string, string>), expiration: Buffer.from('tomorrow').toString('base64') };
  assert.equal(parseBootstrapTokenSecret({ ...good, data }), undefined);
  assert.equal(parseBootstrapTokenSecret({ ...good, kind: 'ConfigMap' }), undefined);
});

test('a token is reused while valid, and replaced when close to expiry or unfit for joining', () => {
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);
  const parse = (ttlMs: number, opts: { usages?: string[]; groups?: string[] } = {}) =>
    parseBootstrapTokenSecret(bootstrapTokenSecret({ id: 'abcdef', secret: '0123456789abcdef' }, { ttlMs, now, ...opts }))!;
  assert.equal(bootstrapTokenUsable(parse(24 * HOUR), now, HOUR), true);
  assert.equal(bootstrapTokenUsable(parse(30 * 60 * 1000), now, HOUR), false);
  assert.equal(bootstrapTokenUsable(parse(24 * HOUR), now + 24 * HOUR, 0), false);
  assert.equal(bootstrapTokenUsable(parse(0), now + 1000 * 24 * HOUR, HOUR), true, 'a token without expiration');
  assert.equal(bootstrapTokenUsable(parse(24 * HOUR, { usages: ['authentication'] }), now, HOUR), false);
  assert.equal(bootstrapTokenUsable(parse(24 * HOUR, { groups: ['system:bootstrappers:other'] }), now, HOUR), false);
});
