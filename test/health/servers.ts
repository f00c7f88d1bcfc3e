/** Local HTTP(S) servers and a Host whose tunnel reaches them, for the health tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { LocalHost } from '../../src/transport/local.js';
import { MemoryHost } from '../../src/transport/memory.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface TestPki {
  ca: string;
  cert: string;
  key: string;
  /** A client certificate (CN kubernetes-admin, O system:masters) signed by the same CA. */
  clientCert: string;
  clientKey: string;
}

/** A CA and a serving certificate for 127.0.0.1 signed by it (EC keys, made by openssl in ~50 ms). */
export function makePki(cn = 'kube-apiserver'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'bootstrap-health-'));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ec, '-subj', '/CN=kubernetes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1']);
  run(['req', ...ec, '-subj', `/CN=${cn}`, '-keyout', 'server.key', '-out', 'server.csr']);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'ext.cnf']);
  run(['req', ...ec, '-subj', '/O=system:masters/CN=kubernetes-admin', '-keyout', 'client.key', '-out', 'client.csr']);
  run(['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1']);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.crt'), cert: read('server.crt'), key: read('server.key'), clientCert: read('client.crt'), clientKey: read('client.key') };
}

export async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function httpServer(handler: Handler): Promise<{ port: number; server: Server }> {
  const server = createHttp(handler);
  return { port: await listen(server), server };
}

/** With clientCa, client certificates signed by it are asked for (not required): handlers see req.socket.authorized. */
export async function httpsServer(pki: Pick<TestPki, 'cert' | 'key'>, handler: Handler, clientCa?: string): Promise<{ port: number; server: Server }> {
  const server = createHttps({ cert: pki.cert, key: pki.key, ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: false } : {}) }, handler);
  return { port: await listen(server), server };
}

export function close(...servers: Server[]): Promise<void> {
  return Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections?.();
          s.close(() => resolve());
        }),
    ),
  ).then(() => undefined);
}

/** A port nothing listens on: bound, then released. */
export async function freePort(): Promise<number> {
  const s = createHttp();
  const port = await listen(s);
  await close(s);
  return port;
}

/** Commands answered in memory (recorded, counted), connections made for real on this machine. */
export class TunnelHost extends MemoryHost {
  readonly connections: { port: number; host: string | undefined }[] = [];
  private readonly local = new LocalHost();
  override connect(port: number, host?: string): Promise<Duplex> {
    this.connections.push({ port, host });
    return this.local.connect(port, host);
  }
}
