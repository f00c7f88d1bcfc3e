/**
 * What every control-plane stand-in shares: klog-style logging, the command wrapper (help, version, flag and
 * start-up errors the way cobra and component-base print them), lab fault switches, and HTTPS clients and
 * servers built on node:tls so that certificate problems surface as real TLS failures.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { parseFlags, FlagError, Flags, type FlagSet } from './flags.js';
import { ComponentError, type KeyPair } from './pki.js';

/** Every stand-in says what it is in --help; --version prints exactly what the real binary prints. */
export const STANDIN_NOTICE = 'This is the bootstrap lab stand-in for this component, not the real Kubernetes binary.';

/** Set in the image config (Env) by the lab image builder. */
export function kubernetesVersion(): string {
  return process.env.BOOTSTRAP_LAB_KUBERNETES_VERSION ?? 'v0.0.0-lab';
}

/**
 * Fault variants the lab publishes under their own tags: "crash" exits at start, "unhealthy" runs but its
 * health endpoints never answer 200.
 */
export type LabFault = 'crash' | 'unhealthy' | undefined;
export function labFault(): LabFault {
  const f = process.env.BOOTSTRAP_LAB_FAULT;
  return f === 'crash' || f === 'unhealthy' ? f : undefined;
}

function klogHeader(severity: 'I' | 'W' | 'E', file: string): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const us = p(d.getUTCMilliseconds(), 3) + '000';
  return `${severity}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${us} ${String(process.pid).padStart(7)} ${file}]`;
}

export const log = {
  info(file: string, message: string): void {
    process.stderr.write(`${klogHeader('I', file)} ${message}\n`);
  },
  warn(file: string, message: string): void {
    process.stderr.write(`${klogHeader('W', file)} ${message}\n`);
  },
  error(file: string, message: string): void {
    process.stderr.write(`${klogHeader('E', file)} ${message}\n`);
  },
};

export interface ComponentSpec {
  name: string;
  flags: FlagSet;
  /** One line for --help. */
  description: string;
  main(flags: Flags): Promise<void>;
}

/**
 * Runs a component: parse flags strictly, then main(). Flag errors print "Error: ..." and exit 1 as cobra does;
 * start-up errors log `"command failed" err="..."` and exit 1 as component-base's cli.Run does.
 */
export async function runComponent(spec: ComponentSpec, argv: string[] = process.argv.slice(2)): Promise<void> {
  // The real binary's process name: what `ps` and `ss -p` show, so tools that look at ports see the component, not "node".
  process.title = spec.name;
  let parsed;
  try {
    parsed = parseFlags(argv, spec.flags, spec.name);
  } catch (error) {
    if (error instanceof FlagError) {
      // component-base's cli.Run reports flag errors like any other start-up failure.
      log.error('run.go:74', `"command failed" err=${JSON.stringify(error.message)}`);
      process.exit(1);
    }
    throw error;
  }
  if (parsed.help) {
    process.stdout.write(`${spec.description}\n\n${STANDIN_NOTICE}\n\nUsage:\n  ${spec.name} [flags]\n\nFlags:\n` +
      [...spec.flags.values.map((f) => `      --${f} string`), ...spec.flags.bools.map((f) => `      --${f}`)].sort().join('\n') + '\n');
    process.exit(0);
  }
  if (parsed.version) {
    process.stdout.write(`Kubernetes ${kubernetesVersion()}\n`);
    process.exit(0);
  }
  if (labFault() === 'crash') {
    log.error('run.go:74', `"command failed" err="bootstrap lab fault: this image crashes at start"`);
    process.exit(1);
  }
  process.on('SIGTERM', () => {
    log.info('server.go:100', 'Received SIGTERM, shutting down');
    process.exit(0);
  });
  try {
    await spec.main(new Flags(parsed));
  } catch (error) {
    if (error instanceof ComponentError || error instanceof FlagError) {
      log.error('run.go:74', `"command failed" err=${JSON.stringify(error.message)}`);
      process.exit(1);
    }
    throw error;
  }
}

/** Go's crypto/x509 and crypto/tls wording for the errors node:tls reports. */
export function goTlsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { reason?: string };
  switch (e.code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_SIGNATURE_FAILURE':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: certificate is valid for other names: ${e.reason ?? e.message}`;
    case 'CERT_HAS_EXPIRED':
      return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ECONNREFUSED':
      return `dial tcp: connect: connection refused`;
    case 'ECONNRESET':
      return 'read: connection reset by peer';
    case 'ETIMEDOUT':
      return 'i/o timeout';
    default:
      if (/alert (certificate required|bad certificate|unknown ca)|SSL alert number (42|48|116)/i.test(e.message)) {
        return 'remote error: tls: bad certificate';
      }
      return e.message;
  }
}

export interface HttpsAnswer {
  status: number;
  body: string;
}

export interface HttpsTarget {
  /** https://host:port */
  server: string;
  ca: Buffer;
  keyPair?: KeyPair;
  token?: string;
}

/** One HTTPS request with server verification against `ca` and the optional client certificate. */
export function httpsCall(target: HttpsTarget, method: string, path: string, body?: unknown, timeoutMs = 5_000): Promise<HttpsAnswer> {
  const url = new URL(path, target.server);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const options: RequestOptions = {
    method,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || 443,
    path: url.pathname + url.search,
    ca: target.ca,
    cert: target.keyPair?.cert,
    key: target.keyPair?.key,
    headers: {
      Accept: 'application/json',
      ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
      ...(target.token ? { Authorization: `Bearer ${target.token}` } : {}),
    },
    timeout: timeoutMs,
    agent: false,
  };
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', (e) => reject(new Error(goTlsError(e))));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    // net/http's url.Error: Get "https://host/path": <cause>
    const goMethod = method.charAt(0) + method.slice(1).toLowerCase();
    req.on('error', (e) => reject(new Error(`${goMethod} "${url.href}": ${goTlsError(e)}`)));
    req.end(payload);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
