/**
 * etcd-probes, a bootstrap lab helper in the etcd image. kubeadm's newer etcd manifests probe /livez and
 * /readyz on etcd's metrics port (kubeadm issue 3039; the golden v1.37 manifest), endpoints etcd 3.5.11+
 * serves but Debian's etcd 3.4 does not. The etcd entrypoint moves etcd's own metrics listener to an inner
 * address and starts this server on the address kubeadm configured; it answers /livez (a serializable
 * health read) and /readyz (a linearizable one) from etcd 3.4's /health, and passes every other path
 * (/health, /metrics, ...) through unchanged.
 *
 *   node etcd-probes.js --listen=http://127.0.0.1:2381 --etcd=http://127.0.0.1:22381
 */
import { createServer, request, type IncomingMessage } from 'node:http';

function flag(name: string): string {
  const prefix = `--${name}=`;
  const arg = process.argv.slice(2).find((a) => a.startsWith(prefix));
  if (!arg) {
    process.stderr.write(`etcd-probes (bootstrap lab): missing ${prefix}URL\n`);
    process.exit(2);
  }
  return arg.slice(prefix.length);
}

const listen = new URL(flag('listen'));
const inner = new URL(flag('etcd'));

function forward(path: string, method: string, headers: IncomingMessage['headers'] = {}): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: inner.hostname, port: inner.port, path, method, headers: { ...headers, host: inner.host }, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** etcd 3.5+'s answer format: "ok" or one "[-]name failed: reason" line then "<endpoint> check failed". */
async function check(endpoint: 'livez' | 'readyz', verbose: boolean): Promise<{ status: number; text: string }> {
  const name = endpoint === 'livez' ? 'serializable_read' : 'linearizable_read';
  const path = endpoint === 'livez' ? '/health?serializable=true' : '/health?serializable=false';
  let reason: string | undefined;
  try {
    const answer = await forward(path, 'GET');
    const health = (JSON.parse(answer.body.toString() || '{}') as { health?: string; reason?: string });
    if (answer.status !== 200 || health.health !== 'true') reason = health.reason || `etcd /health answered ${answer.status}`;
  } catch (error) {
    reason = (error as Error).message;
  }
  if (reason === undefined) return { status: 200, text: verbose ? `[+]${name} ok\n${endpoint} check passed\n` : 'ok' };
  return { status: 503, text: `[-]${name} failed: ${reason}\n${endpoint} check failed\n` };
}

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const endpoint = url.pathname === '/livez' || url.pathname === '/readyz' ? (url.pathname.slice(1) as 'livez' | 'readyz') : undefined;
  const done = endpoint
    ? check(endpoint, url.searchParams.has('verbose')).then(({ status, text }) => {
        res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(text);
      })
    : forward(req.url ?? '/', req.method ?? 'GET', req.headers).then((a) => {
        res.writeHead(a.status, a.headers);
        res.end(a.body);
      });
  done.catch((error: Error) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`etcd-probes: ${error.message}\n`);
  });
}).listen(Number(listen.port || 80), listen.hostname.replace(/^\[|\]$/g, ''));
process.on('SIGTERM', () => process.exit(0));
// In the container etcd replaces the shell that started this helper (same pid) and ends the container when it
// exits; run elsewhere, leave when that parent goes away instead of lingering.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1_000).unref();
