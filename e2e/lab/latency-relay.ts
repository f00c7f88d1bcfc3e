#!/usr/bin/env node
/**
 * Lab latency relay: adds a fixed delay to every TCP byte stream it carries, in both directions.
 * The lab runs it inside a node's network namespace and redirects new inbound SSH connections to it, so that a
 * node looks far away on kernels without sch_netem. Usage: latency-relay LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS
 */
import { connect, createServer, type Socket } from 'node:net';

/** Forwards what `from` sends to `to`, each chunk `delayMs` later (equal timeouts fire in order, so order holds). */
export function delayedPipe(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), delayMs + 10));
}

export function startRelay(listenPort: number, targetHost: string, targetPort: number, delayMs: number) {
  const server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    delayedPipe(client, upstream, delayMs);
    delayedPipe(upstream, client, delayMs);
  });
  server.listen(listenPort, '0.0.0.0');
  return server;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const [listen, host, port, delay] = process.argv.slice(2);
  if (!listen || !host || !port || !delay || [listen, port, delay].some((n) => !/^\d+$/.test(n))) {
    process.stderr.write('usage: latency-relay LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS (bootstrap lab)\n');
    process.exit(2);
  }
  const server = startRelay(Number(listen), host, Number(port), Number(delay));
  server.on('error', (error) => {
    process.stderr.write(`latency-relay: ${error.message}\n`);
    process.exit(1);
  });
}
