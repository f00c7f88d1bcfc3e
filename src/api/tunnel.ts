/**
 * A local port forwarded through a host's transport to the API server: the control machine reaches the API the
 * way it reaches everything else, over the one SSH connection (through a bastion too), never directly. Each
 * connection to 127.0.0.1:<port> becomes one channel to <address>:<port> as seen from the host.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Host } from '../transport/host.js';

export interface Tunnel {
  /** https://127.0.0.1:<local port> */
  url: string;
  close(): Promise<void>;
}

export async function openTunnel(host: Host, port: number, address = '127.0.0.1'): Promise<Tunnel> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    host.connect(port, address).then(
      (channel) => {
        channel.on('error', () => socket.destroy());
        socket.on('close', () => channel.destroy());
        channel.on('close', () => socket.destroy());
        socket.pipe(channel).pipe(socket);
      },
      () => socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const local = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${local.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
