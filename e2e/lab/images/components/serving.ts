/**
 * Secure serving as the components do it: TLS with the serving certificate, client certificates requested but
 * not required, and verified against the client CA by the authentication layer (so an untrusted certificate
 * gets 401 Unauthorized, no certificate means system:anonymous). Health endpoints answer in the format of
 * k8s.io/apiserver's healthz package.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { X509Certificate, webcrypto } from 'node:crypto';
import { signedByOneOf, subjectIdentity, ComponentError } from './pki.js';
import { log } from './runtime.js';

export interface Identity {
  user: string;
  groups: string[];
  authenticated: boolean;
  uid?: string;
  extra?: Record<string, string[]>;
}

export const ANONYMOUS: Identity = { user: 'system:anonymous', groups: ['system:unauthenticated'], authenticated: false };

export type Handler = (req: IncomingMessage, res: ServerResponse, who: Identity) => void | Promise<void>;

export interface SecureServingOptions {
  bindAddress: string;
  port: number;
  cert: Buffer;
  key: Buffer;
  /** CA certificates that client certificates must chain to; none means x509 authentication is off. */
  clientCAs: X509Certificate[];
  anonymousAuth: boolean;
  /** Bearer token authentication (the apiserver's bootstrap tokens); undefined: tokens are not accepted. */
  authenticateToken?: (token: string) => Promise<Identity | undefined>;
  handler: Handler;
}

/** A metav1.Status failure; details (name, group, kind) as the real server adds them to NotFound, AlreadyExists, Conflict, Forbidden. */
export function sendStatus(res: ServerResponse, code: number, reason: string, message: string, details?: { name?: string; group?: string; kind?: string }): void {
  const d = details ? Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined && v !== '')) : undefined;
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(d ? { details: d } : {}), code });
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Authenticates the TLS peer: a verified client certificate gives CN as user and O as groups. */
function authenticate(req: IncomingMessage, clientCAs: X509Certificate[]): Identity | 'unauthorized' {
  const socket = req.socket as TLSSocket;
  const peer = socket.getPeerX509Certificate?.();
  if (!peer) return ANONYMOUS;
  if (clientCAs.length === 0) return ANONYMOUS;
  if (!signedByOneOf(peer, clientCAs)) return 'unauthorized';
  const now = Date.now();
  if (Date.parse(peer.validFrom) > now || Date.parse(peer.validTo) < now) return 'unauthorized';
  const { user, groups } = subjectIdentity(peer);
  return { user, groups: [...groups, 'system:authenticated'], authenticated: true };
}

export function listenSecure(options: SecureServingOptions): Promise<Server> {
  const server = createServer(
    {
      cert: options.cert,
      key: options.key,
      requestCert: true,
      rejectUnauthorized: false,
      ...(options.clientCAs.length > 0 ? { ca: options.clientCAs.map((c) => c.toString()) } : {}),
    },
    (req, res) => {
      const serve = async (): Promise<void> => {
        let who = authenticate(req, options.clientCAs);
        const bearer = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
        if (who !== 'unauthorized' && !who.authenticated && bearer !== undefined) {
          // A token nobody recognises is rejected, not downgraded to anonymous.
          who = (options.authenticateToken ? await options.authenticateToken(bearer) : undefined) ?? 'unauthorized';
        }
        if (who === 'unauthorized' || (!who.authenticated && !options.anonymousAuth)) {
          sendStatus(res, 401, 'Unauthorized', 'Unauthorized');
          return;
        }
        await options.handler(req, res, who);
      };
      serve().catch((error: unknown) => {
        log.error('handler.go:1', `request failed: ${(error as Error).message}`);
        if (!res.headersSent) sendStatus(res, 500, 'InternalError', (error as Error).message);
      });
    },
  );
  return new Promise((resolvePromise, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const addr = `${options.bindAddress.includes(':') ? `[${options.bindAddress}]` : options.bindAddress}:${options.port}`;
      reject(new ComponentError(`failed to create listener: failed to listen on ${addr}: listen tcp ${addr}: bind: ${error.code === 'EADDRINUSE' ? 'address already in use' : error.message}`));
    });
    server.listen(options.port, options.bindAddress === '0.0.0.0' ? undefined : options.bindAddress, () => {
      log.info('secure_serving.go:213', `Serving securely on ${options.bindAddress}:${options.port}`);
      resolvePromise(server);
    });
  });
}

export interface HealthCheck {
  name: string;
  /** Resolves with undefined when healthy, or a reason when not. */
  check(): Promise<string | undefined>;
}

/** GET /livez, /readyz, /healthz and /<endpoint>/<check> in the healthz package's format. */
export async function answerHealth(res: ServerResponse, url: URL, endpoint: string, checks: HealthCheck[]): Promise<void> {
  const rest = url.pathname.slice(endpoint.length + 1).replace(/^\//, '');
  const selected = rest ? checks.filter((c) => c.name === rest) : checks;
  if (rest && selected.length === 0) {
    sendText(res, 404, '404 page not found\n');
    return;
  }
  const excluded = new Set(url.searchParams.getAll('exclude'));
  const results = await Promise.all(selected.filter((c) => !excluded.has(c.name)).map(async (c) => ({ name: c.name, reason: await c.check().catch((e: Error) => e.message) })));
  const failed = results.filter((r) => r.reason !== undefined);
  if (rest) {
    const r = results[0];
    if (!r || r.reason === undefined) sendText(res, 200, 'ok');
    else sendText(res, 500, `internal server error: ${r.reason}\n`);
    return;
  }
  const lines = results.map((r) => (r.reason === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  const verbose = url.searchParams.has('verbose');
  if (failed.length > 0) {
    for (const f of failed) log.info('healthz.go:261', `${endpoint} check failed: ${f.name}: ${f.reason}`);
    sendText(res, 500, `${lines.join('\n')}\n${endpoint} check failed\n`);
  } else {
    sendText(res, 200, verbose ? `${lines.join('\n')}\n${endpoint} check passed\n` : 'ok');
  }
}

/**
 * A self-signed serving certificate made in memory at start, as the controller-manager and scheduler do
 * when no --tls-cert-file is given (CN "localhost@<unix time>", SANs localhost and 127.0.0.1).
 */
export async function selfSignedServingCert(host = 'localhost'): Promise<{ cert: Buffer; key: Buffer }> {
  // Loaded on demand: only the components that make their own serving certificate pay for it.
  await import('./reflect-shim.js');
  const x509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Date.now().toString(16),
    name: `CN=${host}@${Math.floor(now.getTime() / 1000)}`,
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
    keys: keys as unknown as import('@peculiar/x509').X509CertificateCreateSelfSignedParams['keys'],
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }]),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { cert: Buffer.from(cert.toString('pem') + '\n'), key: Buffer.from(keyPem) };
}
