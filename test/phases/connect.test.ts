/** The connect phase retries only what can pass: a refused connection; never authentication, host keys or a bug. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInventory } from '../../src/inventory/index.js';
import type { HostSpec } from '../../src/inventory/types.js';
import { connectPhase } from '../../src/phases/connect.js';
import { newHostRun, type UpContext } from '../../src/pipeline/context.js';
import type { Host } from '../../src/transport/host.js';
import { AuthenticationError, ConnectError, HostKeyError } from '../../src/transport/ssh.js';

const inv = parseInventory('/tmp/inventory.yaml', `
cluster: { kubernetesVersion: v1.28.15 }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
`);

/** Runs the connect phase on cp1 with a connect that throws what `fail` gives; returns how often it was called. */
async function connectCalls(fail: (spec: HostSpec) => Error): Promise<{ calls: number; error: unknown; progress: string[] }> {
  let calls = 0;
  const h = newHostRun(inv.hosts[0]!);
  const ctx: UpContext = {
    inv,
    options: {
      renderer: 'silent',
      connect: async (spec): Promise<Host> => {
        calls++;
        throw fail(spec);
      },
    },
    hosts: [h],
    backupDir: '/var/lib/bootstrap/backups/t',
    startedAt: new Date(),
    shared: new Map(),
    cleanups: [],
  };
  const progress: string[] = [];
  const error = await connectPhase.run(ctx, h, { progress: (line) => progress.push(line) }).then(() => undefined, (e: unknown) => e);
  return { calls, error, progress };
}

test('connect: a refused connection is tried 3 times in all, then its error is reported', async () => {
  const refused = new ConnectError('refused', 'cp1', 'cp1: cannot connect to 10.7.0.149: connect ECONNREFUSED 10.7.0.149:22', true);
  const { calls, error, progress } = await connectCalls(() => refused);
  assert.equal(calls, 3);
  assert.equal(error, refused);
  assert.deepEqual(progress.filter((l) => l.startsWith('connect attempt')), [
    `connect attempt 1 failed (${refused.message}); retrying`,
    `connect attempt 2 failed (${refused.message}); retrying`,
  ]);
});

test('connect: authentication, host keys, a lost connection and bugs are tried once', async () => {
  const once: Error[] = [
    new AuthenticationError('cp1', 'root', ['ssh-agent'], 'cp1: authentication as root failed'),
    new HostKeyError('changed', 'cp1', '10.7.0.149', 'SHA256:new', ['SHA256:old'], 'cp1: the host key changed'),
    new ConnectError('closed', 'cp1', 'cp1: the SSH connection was lost'),
    new TypeError("Cannot read properties of undefined (reading 'address')"),
    new Error('something unexpected'),
  ];
  for (const thrown of once) {
    const { calls, error } = await connectCalls(() => thrown);
    assert.equal(calls, 1, thrown.message);
    assert.equal(error, thrown);
  }
});
