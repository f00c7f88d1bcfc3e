/**
 * kube-proxy, bootstrap lab stand-in: parses the real flags and the KubeProxyConfiguration from --config,
 * then idles healthily, serving /healthz on the healthz address (default 0.0.0.0:10256) and /metrics on
 * 127.0.0.1:10249. It programs no rules.
 */
import { createServer } from 'node:http';
import { parse } from 'yaml';
import { kubeProxyFlags } from './flagsets.js';
import type { Flags } from './flags.js';
import { ComponentError, readFileGo } from './pki.js';
import { labFault, log, runComponent } from './runtime.js';

function splitHostPort(address: string, fallbackPort: number): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(address);
  return m ? { host: m[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(m[2]) } : { host: address || '0.0.0.0', port: fallbackPort };
}

async function main(flags: Flags): Promise<void> {
  let healthz = flags.string('healthz-bind-address', '0.0.0.0:10256');
  let metrics = flags.string('metrics-bind-address', '127.0.0.1:10249');
  const file = flags.string('config');
  if (file) {
    let doc: { kind?: string; healthzBindAddress?: string; metricsBindAddress?: string };
    try {
      doc = (parse(readFileGo(file).toString()) ?? {}) as typeof doc;
    } catch (error) {
      throw new ComponentError(`failed to load config file ${file}: ${(error as Error).message}`);
    }
    if (doc.kind !== 'KubeProxyConfiguration') throw new ComponentError(`no kind "${doc.kind ?? ''}" is registered for version "kubeproxy.config.k8s.io/v1alpha1"`);
    healthz = doc.healthzBindAddress || healthz;
    metrics = doc.metricsBindAddress || metrics;
  }
  const healthy = labFault() !== 'unhealthy';
  const h = splitHostPort(healthz, 10256);
  const m = splitHostPort(metrics, 10249);
  createServer((req, res) => {
    res.writeHead(healthy ? 200 : 503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ lastUpdated: new Date().toISOString(), currentTime: new Date().toISOString() }));
  }).listen(h.port, h.host);
  createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(req.url === '/proxyMode' ? 'iptables' : '# bootstrap lab stand-in: no metrics\n');
  }).listen(m.port, m.host);
  log.info('server.go:1', `kube-proxy stand-in for node ${flags.string('hostname-override', process.env.HOSTNAME ?? '')} idling; healthz on ${healthz}`);
}

await runComponent({
  name: 'kube-proxy',
  flags: kubeProxyFlags,
  description: 'The Kubernetes network proxy runs on each node.',
  main,
});
