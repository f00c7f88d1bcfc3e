/**
 * Ctrl-C during `bootstrap up`, through the real CLI: the run stops at once (here while connecting to a host that
 * accepts TCP and never answers), the report names the phase the host was in, and the exit code is 130.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers.js';

const cli = join(repoRoot, 'dist/src/cli/main.js');

test('SIGINT while connecting: stops within a second, says where each host was, exits 130', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-interrupt-'));
  const inventory = join(dir, 'inventory.yaml');
  writeFileSync(inventory, [
    'cluster: { kubernetesVersion: v1.28.4 }',
    `ssh: { port: ${port}, connectTimeout: 60s, knownHostsFile: ${join(dir, 'known_hosts')} }`,
    'hosts:',
    '  - { name: cp1, address: 127.0.0.1, roles: [control-plane] }',
    '',
  ].join('\n'));
  try {
    const child = spawn(process.execPath, [cli, 'up', inventory, '-F', '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    // The host has accepted the connection: the run is in the connect phase, waiting for an SSH banner.
    while (sockets.length === 0) await new Promise((r) => setTimeout(r, 20));
    const sent = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, out);
    assert.ok(Date.now() - sent < 5000, `took ${Date.now() - sent} ms to stop`);
    assert.match(out, /SIGINT: stopping the commands running on hosts/);
    assert.match(out, /cp1: interrupted by SIGINT during connect/);
    assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});
