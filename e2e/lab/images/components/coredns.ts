/**
 * CoreDNS, bootstrap lab stand-in (Debian does not package CoreDNS): Go-style single-dash flags (-conf,
 * -dns.port, -version), fails like CoreDNS when the Corefile is missing, and serves the health plugin's
 * /health on :8080 and the ready plugin's /ready on :8181. It answers no DNS queries.
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { labFault, STANDIN_NOTICE } from './runtime.js';

const VALUE_FLAGS = new Set(['conf', 'dns.port', 'pidfile']);
const BOOL_FLAGS = new Set(['plugins', 'quiet', 'version']);

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
const values = new Map<string, string>();
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  const m = /^--?([^=]+)(?:=(.*))?$/.exec(arg);
  if (!m) fail(`flag provided but not defined: ${arg}`, 2);
  const name = m[1]!;
  if (name === 'h' || name === 'help') {
    process.stdout.write(`Usage of coredns:\n  -conf string\n  -dns.port string\n  -pidfile string\n  -plugins\n  -quiet\n  -version\n\n${STANDIN_NOTICE}\n`);
    process.exit(0);
  }
  if (BOOL_FLAGS.has(name)) values.set(name, m[2] ?? 'true');
  else if (VALUE_FLAGS.has(name)) values.set(name, m[2] ?? args[++i] ?? fail(`flag needs an argument: -${name}`, 2));
  else fail(`flag provided but not defined: -${name}`, 2);
}
const version = process.env.BOOTSTRAP_LAB_COREDNS_VERSION ?? '0.0.0';
if (values.get('version') === 'true') {
  process.stdout.write(`CoreDNS-${version}\nlinux/amd64, go1, bootstrap-lab-stand-in\n`);
  process.exit(0);
}
if (labFault() === 'crash') fail('plugin/bootstrap-lab: this image crashes at start');
const conf = values.get('conf') ?? 'Corefile';
try {
  readFileSync(conf);
} catch {
  fail(`open ${conf}: no such file or directory`);
}
const healthy = labFault() !== 'unhealthy';
createServer((req, res) => {
  res.writeHead(healthy && req.url === '/health' ? 200 : 503);
  res.end(healthy ? 'OK' : '');
}).listen(8080);
createServer((req, res) => {
  res.writeHead(healthy && req.url === '/ready' ? 200 : 503);
  res.end(healthy ? 'OK' : '');
}).listen(8181);
process.stdout.write(`.:53\nCoreDNS-${version}\nlinux/amd64, go1, bootstrap-lab-stand-in\n`);
process.on('SIGTERM', () => process.exit(0));
