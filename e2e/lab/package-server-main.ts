/**
 * The lab's package server, a detached host process (started by package-server.ts): serves the files under --root
 * over plain HTTP, GET and HEAD only, as apt and apt-helper fetch them. Paths are taken literally after percent-decoding
 * (pkgs.k8s.io's contain "core:/stable:"); nothing outside the root is served. If-Modified-Since and Range are
 * ignored: a full 200 answer is always correct for apt. When listening, it writes {"pid","port"} to --ready.
 */
import { createReadStream, realpathSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { host: { type: 'string' }, port: { type: 'string' }, root: { type: 'string' }, ready: { type: 'string' } } });
if (!values.host || values.port === undefined || !values.root || !values.ready) {
  process.stderr.write('usage: package-server-main --host H --port P --root DIR --ready FILE\n');
  process.exit(2);
}
const root = realpathSync(values.root);

/** The file under root that `url` names, or the status code that refuses it. */
function resolveRequest(rootDir: string, url: string): string | 400 | 403 | 404 {
  let path: string;
  try {
    path = decodeURIComponent(url.split('?')[0]!);
  } catch {
    return 400;
  }
  if (!path.startsWith('/') || path.includes('\0')) return 400;
  if (path.split('/').some((segment) => segment === '..')) return 403;
  let file: string;
  try {
    // realpath: a symbolic link under the root must not lead out of it either.
    file = realpathSync(join(rootDir, path));
  } catch {
    return 404;
  }
  if (!file.startsWith(rootDir + sep)) return 403;
  return statSync(file).isFile() ? file : 404;
}

function answer(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
    return;
  }
  const file = resolveRequest(root, req.url ?? '/');
  if (typeof file === 'number') {
    res.writeHead(file, { 'Content-Type': 'text/plain', 'Content-Length': 0 }).end();
    return;
  }
  const stat = statSync(file);
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': stat.size, 'Last-Modified': stat.mtime.toUTCString() });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

const server = createServer((req, res) => {
  try {
    answer(req, res);
  } catch (error) {
    process.stderr.write(`${req.method} ${req.url}: ${String(error)}\n`);
    if (!res.headersSent) res.writeHead(500, { 'Content-Length': 0 });
    res.end();
  }
});
server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : Number(values.port);
  // Written aside and renamed: the starter polls for this file and must never read half of it.
  writeFileSync(`${values.ready}.tmp`, JSON.stringify({ pid: process.pid, port }) + '\n');
  renameSync(`${values.ready}.tmp`, values.ready!);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
