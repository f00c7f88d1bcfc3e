/**
 * Raw socket and ssh2 errors become ConnectErrors at the transport boundary, retryable only where a second
 * try can succeed. Servers here are plain TCP on 127.0.0.1, so no sshd is needed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { ConnectError, SshHost } from '../../src/transport/ssh.js';
import { isRetryable } from '../../src/util/errors.js';
import { freePort, hostSpec, tempDir } from './ssh-server.js';

const dir = tempDir('bootstrap-ssh-errors-');
const home = tempDir('bootstrap-ssh-errors-home-');
const spec = (port: number, connectTimeoutMs = 5000) =>
  hostSpec('node1', { port, knownHostsFile: join(dir, 'known_hosts'), connectTimeoutMs }, { hostKeys: [] });
const options = { homeDir: home, sshConfigFile: null, agentSocket: '' };

async function serve(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function connectError(port: number, connectTimeoutMs?: number): Promise<ConnectError> {
  const error = await SshHost.connect(spec(port, connectTimeoutMs), options).then(
    () => assert.fail('connected'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConnectError, String(error));
  return error;
}

test('refused: a retryable ConnectError', async () => {
  const error = await connectError(await freePort());
  assert.equal(error.kind, 'refused');
  assert.equal(isRetryable(error), true);
});

test('no SSH banner within the connect timeout: a retryable ConnectError', async () => {
  const sockets: Socket[] = [];
  const { server, port } = await serve((socket) => void sockets.push(socket));
  try {
    const error = await connectError(port, 300);
    assert.equal(error.kind, 'timeout');
    assert.equal(isRetryable(error), true);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});

test('dropped before the handshake (sshd starting, or over MaxStartups): a retryable ConnectError', async () => {
  const { server, port } = await serve((socket) => socket.destroy());
  try {
    const error = await connectError(port);
    assert.equal(isRetryable(error), true, `${error.kind}: ${error.message}`);
  } finally {
    server.close();
  }
});

test('a server that speaks another protocol version: not retryable, another try gets the same answer', async () => {
  const sockets: Socket[] = [];
  const { server, port } = await serve((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    socket.write('SSH-1.5-OldServer\r\n');
  });
  try {
    const error = await connectError(port);
    assert.equal(error.kind, 'failed');
    assert.equal(isRetryable(error), false, error.message);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
  }
});
