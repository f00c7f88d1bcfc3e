/**
 * HTTP probes of the control-plane containers (util/staticpod/utils.go) and where they point.
 */
import type { ControlPlaneComponent, ComponentData, ProbeTiming } from './data.js';
import type { RenderContext } from './context.js';

export interface HttpProbe {
  failureThreshold: number;
  httpGet: { host?: string; path: string; port: number | string; scheme: string };
  initialDelaySeconds?: number;
  periodSeconds: number;
  timeoutSeconds: number;
}

export interface ProbeTarget {
  /** Omitted when kubeadm leaves it empty, i.e. the kubelet probes the Pod IP. */
  host?: string;
  port: number;
  scheme: 'HTTP' | 'HTTPS';
}

export function httpProbe(timing: ProbeTiming, target: ProbeTarget, path: string, port: number | string): HttpProbe {
  const probe: HttpProbe = {
    failureThreshold: timing.failureThreshold,
    httpGet: { path, port, scheme: target.scheme },
    periodSeconds: timing.periodSeconds,
    timeoutSeconds: timing.timeoutSeconds,
  };
  if (target.host) probe.httpGet.host = target.host;
  if (timing.initialDelaySeconds) probe.initialDelaySeconds = timing.initialDelaySeconds;
  return probe;
}

/** getProbeAddress: an unspecified bind address cannot be probed, so kubeadm leaves the host empty. */
function probeAddress(address: string): string | undefined {
  return address === '0.0.0.0' || address === '::' ? undefined : address;
}

/**
 * GetAPIServerProbeAddress, GetControllerManagerProbeAddress, GetSchedulerProbeAddress and
 * GetEtcdProbeEndpoint: the host, port and scheme each component is probed on.
 */
export function probeTarget(
  name: ControlPlaneComponent,
  component: ComponentData,
  ctx: RenderContext,
  extraArgs: Readonly<Record<string, string>>,
): ProbeTarget {
  switch (name) {
    case 'kube-apiserver':
      return {
        host: probeAddress(ctx.placeholders.advertiseAddress ?? ''),
        port: Number(ctx.placeholders.bindPort),
        scheme: component.scheme,
      };
    case 'kube-controller-manager':
    case 'kube-scheduler': {
      const bind = extraArgs['bind-address'];
      return { host: bind === undefined ? '127.0.0.1' : probeAddress(bind), port: component.port ?? 0, scheme: component.scheme };
    }
    case 'etcd':
      return etcdProbeTarget(component, ctx, extraArgs['listen-metrics-urls']);
  }
}

/** The first URL of listen-metrics-urls, when set, says where etcd's health endpoints are served. */
function etcdProbeTarget(component: ComponentData, ctx: RenderContext, listenMetricsUrls: string | undefined): ProbeTarget {
  const fallback: ProbeTarget = { host: ctx.loopback, port: component.port ?? 2381, scheme: 'HTTP' };
  if (listenMetricsUrls === undefined) return fallback;
  let url: URL;
  try {
    url = new URL(listenMetricsUrls.split(',')[0] ?? '');
  } catch {
    return fallback;
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? fallback.port : Number(url.port);
  return {
    host: hostname === '' ? ctx.loopback : hostname,
    port: Number.isInteger(port) && port > 0 && port < 65536 ? port : fallback.port,
    scheme: url.protocol === 'https:' ? 'HTTPS' : 'HTTP',
  };
}
