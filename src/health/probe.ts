/**
 * kubelet-style HTTP(S) GETs on a host's loopback or node address, made from the control machine through the
 * Host's tunnel (SSH port forwarding): no curl is needed on hosts. TLS is layered on the tunnel here, so the
 * API server's certificate can be checked against the cluster CA with the name the probe uses.
 */
import { request } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { Host } from '../transport/host.js';
import type { HealthEndpoint } from './endpoints.js';

export interface ProbeResult {
  /** HTTP 200, as kubeadm's waiter requires (kubelet would take any 2xx/3xx). */
  ok: boolean;
  status?: number;
  /** The start of the answer's body, trimmed. */
  body?: string;
  /** Why no answer came: "connection refused", "timed out after 5s", a TLS error… */
  error?: string;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** PEM of the CA that signed the server's certificate; without it HTTPS is not verified (as kubelet's probes). */
  ca?: string | Buffer;
  /** A client certificate and key (PEM) to authenticate with, as kubeadm's API server check does. */
  client?: { cert: string; key: string };
  signal?: AbortSignal;
}

const BODY_LIMIT = 2048;

/** A short reason in the words an operator expects, not a stack. */
export function describeProbeError(error: unknown, timeoutMs: number): string {
  const e = error as { code?: string; name?: string; message?: string };
  const message = e?.message ?? String(error);
  if (e?.code === 'ECONNREFUSED' || /connection refused/i.test(message)) return 'connection refused';
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.code === 'ABORT_ERR') return `timed out after ${timeoutMs / 1000}s`;
  if (e?.code === 'ECONNRESET' || /socket hang up/i.test(message)) return 'connection reset';
  if (e?.code && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(e.code)) return `TLS: ${message}`;
  return message.split('\n')[0] ?? message;
}

function withAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Thrown by JavaScript itself for a mistake in the code, never by a network or TLS failure (Node reports those
 * as plain Errors with a code): rethrown by a probe rather than polled again until the wait times out.
 */
function isBug(error: unknown): boolean {
  return error instanceof TypeError || error instanceof ReferenceError || error instanceof RangeError || error instanceof SyntaxError;
}

/** GET endpoint through host.connect(); failures come back as { ok: false, error }, except a bug, which is thrown. */
export async function probeEndpoint(host: Host, endpoint: HealthEndpoint, options: ProbeOptions): Promise<ProbeResult> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let tunnel: Duplex | undefined;
  let socket: Duplex | undefined;
  try {
    const opening = host.connect(endpoint.port, endpoint.host);
    // A tunnel that opens after the deadline is closed at once.
    opening.then((t) => signal.aborted && t.destroy(), () => undefined);
    tunnel = await withAbort(opening, signal);
    socket = tunnel;
    if (endpoint.scheme === 'https') {
      socket = tlsConnect({
        socket: tunnel,
        host: endpoint.host,
        // SNI carries names only (RFC 6066); the certificate is still checked against the IP.
        ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }),
        ...(options.ca ? { ca: options.ca, rejectUnauthorized: true } : { rejectUnauthorized: false }),
        ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
      });
    }
    const connection = socket;
    return await new Promise<ProbeResult>((resolve, reject) => {
      const req = request(
        {
          host: endpoint.host,
          port: endpoint.port,
          path: endpoint.path,
          method: 'GET',
          headers: { 'User-Agent': 'bootstrap', Accept: '*/*', Connection: 'close' },
          createConnection: () => connection as never,
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < BODY_LIMIT) chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const body = Buffer.concat(chunks).toString('utf8').slice(0, BODY_LIMIT).trim();
            resolve({ ok: status === 200, status, body });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  } catch (error) {
    if (isBug(error)) throw error;
    return { ok: false, error: options.signal?.aborted ? 'cancelled' : describeProbeError(error, options.timeoutMs) };
  } finally {
    socket?.destroy();
    tunnel?.destroy();
  }
}
