/**
 * One call of etcd's v3 API through its JSON gateway (grpc-gateway, served on the client port under /v3/ by etcd
 * 3.4 and 3.5: embed/serve.go createMux; every RPC is a POST of its request message as JSON, paths from the
 * google.api.http options in api/etcdserverpb/rpc.proto). Both build it with grpc-gateway v1's default
 * gw.NewServeMux() (embed/serve.go, server/embed/serve.go registerGateway): JSON with the proto field names,
 * zero values left out, 64-bit integers as decimal strings; errors as {"error", "code", "message"}. Over HTTPS with a client certificate, on a connection
 * the caller's connector makes: directly, or as a channel through a host's SSH connection.
 *
 * The server certificate is checked against the etcd CA and the endpoint's own host (the member's IP or DNS
 * name, as in its client URL), whatever the connection really goes to: through a tunnel that is 127.0.0.1.
 */
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { request } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Host } from '../transport/host.js';
import { EtcdApiError, EtcdLearnerNotReadyError, EtcdTlsError, EtcdUnreachableError, GRPC_CODE } from './errors.js';

/** The etcd CA and a client certificate it signed (kubeadm uses etcd/healthcheck-client or apiserver-etcd-client). */
export interface EtcdTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Makes the raw connection to an endpoint's host and port; TLS is laid over it by the client. */
export type EtcdConnector = (address: { host: string; port: number }) => Promise<Duplex>;

/** A plain TCP connection from this machine. */
export const directConnector: EtcdConnector = ({ host, port }) =>
  new Promise((resolve, reject) => {
    const socket = netConnect({ host, port });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });

/**
 * A channel through a host's transport to the address as the host sees it: what src/api/tunnel.ts forwards a
 * local port to, without the local port. The etcd members' client URLs are reachable from every control-plane host.
 */
export function hostConnector(host: Host): EtcdConnector {
  return ({ host: address, port }) => host.connect(port, address);
}

export interface GatewayCall {
  /** etcd's RPC name, for messages: "MemberList", "Status", … */
  operation: string;
  /** An https:// client URL. */
  endpoint: string;
  path: string;
  body: object;
  tls: EtcdTls;
  connect: EtcdConnector;
  timeoutMs: number;
}

/** The endpoint's host (without IPv6 brackets) and port. */
export function endpointAddress(endpoint: string): { host: string; port: number } {
  const url = new URL(endpoint);
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || 2379) };
}

/** Node's codes for a certificate that does not verify, or for the server's TLS alert refusing ours. */
function isTlsFailure(error: unknown): boolean {
  const code = String((error as { code?: unknown }).code ?? '');
  return (
    /^ERR_(SSL|TLS)_/.test(code) ||
    /CERT|SIGNATURE|ISSUER|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT|DECODE)/.test(code)
  );
}

/** What Node's TLS code means, in the user's terms. */
function tlsDetail(error: Error & { code?: string }): string {
  const code = error.code ?? '';
  const what =
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? "the server's certificate does not name the endpoint's host"
      : /ALERT/.test(code) || /alert/.test(error.message)
        ? 'the server refused the client certificate'
        : /ISSUER|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET/.test(code)
          ? "the server's certificate is not signed by the etcd CA given"
          : 'TLS failed';
  return `${what} (${code ? `${code}: ` : ''}${error.message})`;
}

/** POSTs the request message and returns etcd's answer as parsed JSON. */
export async function gatewayPost(call: GatewayCall): Promise<Record<string, unknown>> {
  const { operation, endpoint } = call;
  let address: { host: string; port: number };
  try {
    address = endpointAddress(endpoint);
    if (!endpoint.startsWith('https://')) throw new Error('not an https:// URL');
  } catch (error) {
    throw new EtcdUnreachableError(operation, endpoint, `not an etcd client URL: ${(error as Error).message}`);
  }
  const opened: Duplex[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EtcdUnreachableError(operation, endpoint, `no answer within ${call.timeoutMs} ms`)), call.timeoutMs);
  });
  const attempt = async () => {
    let raw: Duplex;
    try {
      raw = await call.connect(address);
    } catch (error) {
      throw new EtcdUnreachableError(operation, endpoint, `cannot connect: ${(error as Error).message}`);
    }
    opened.push(raw);
    const socket = await secure(raw, address.host, call);
    opened.push(socket);
    return exchange(socket, call);
  };
  try {
    return await Promise.race([attempt(), timeout]);
  } finally {
    clearTimeout(timer);
    for (const s of opened) s.destroy();
  }
}

function secure(raw: Duplex, host: string, call: GatewayCall): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      socket: raw,
      // Checked against the certificate's SANs; sent as SNI only when it is a name (RFC 6066 forbids addresses).
      host,
      ...(isIP(host) ? {} : { servername: host }),
      ca: call.tls.caPem,
      cert: call.tls.certPem,
      key: call.tls.keyPem,
      ALPNProtocols: ['http/1.1'],
    });
    socket.once('error', (error) => reject(failure(call, error)));
    socket.once('secureConnect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

function failure(call: GatewayCall, error: Error & { code?: string }): Error {
  if (isTlsFailure(error)) return new EtcdTlsError(call.operation, call.endpoint, tlsDetail(error));
  return new EtcdUnreachableError(call.operation, call.endpoint, error.message);
}

function exchange(socket: TLSSocket, call: GatewayCall): Promise<Record<string, unknown>> {
  const payload = Buffer.from(JSON.stringify(call.body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        createConnection: () => socket,
        method: 'POST',
        path: call.path,
        headers: { host: new URL(call.endpoint).host, 'content-type': 'application/json', 'content-length': payload.length, connection: 'close' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (error) => reject(failure(call, error)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve(answer(call, res.statusCode ?? 0, text));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', (error) => reject(failure(call, error)));
    req.end(payload);
  });
}

/** The answer's JSON, or the gRPC error the gateway relays ({"error"|"message": text, "code": gRPC code}). */
function answer(call: GatewayCall, status: number, text: string): Record<string, unknown> {
  let body: Record<string, unknown> | undefined;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  if (status === 200 && body && typeof body === 'object') return body;
  const code = typeof body?.code === 'number' ? body.code : 0;
  const message = String(body?.message ?? body?.error ?? `HTTP ${status}: ${text.slice(0, 200)}`).trim();
  // etcd's ErrGRPCLearnerNotReady: "etcdserver: can only promote a learner member which is in sync with leader".
  if (code === GRPC_CODE.FAILED_PRECONDITION && /in sync with leader/.test(message)) {
    throw new EtcdLearnerNotReadyError(call.operation, call.endpoint, code, message);
  }
  throw new EtcdApiError(call.operation, call.endpoint, code, message);
}
