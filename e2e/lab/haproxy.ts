/**
 * What the lab's load balancer runs: Debian's haproxy with one TCP frontend on :6443 in front of every control
 * plane's API server, as kubeadm's high-availability guide sets it up (ha-considerations.md), and a stats page.
 * Pure text in and out (the config it writes, the stats it reads), so it is tested without a lab.
 */

/** The API servers' port, on the load balancer as on every control plane. */
export const API_SERVER_PORT = 6443;
/** haproxy's stats page on the load balancer: http://ADDRESS:8404/stats (";csv" for the machine-readable form). */
export const HAPROXY_STATS_PORT = 8404;
export const HAPROXY_STATS_PATH = '/stats';
/** The admin socket inside the load balancer (`echo 'show stat' | socat stdio UNIX:/run/haproxy/admin.sock`). */
export const HAPROXY_STATS_SOCKET = '/run/haproxy/admin.sock';
export const HAPROXY_CONFIG_PATH = '/etc/haproxy/haproxy.cfg';
/** The names of the frontend and backend in the config, and so in the stats. */
export const API_PROXY = 'kube-apiserver';

export interface HaproxyServer {
  /** The server's name in the config and in the stats: the node's name. */
  name: string;
  address: string;
  port?: number;
}

export interface HaproxyConfigOptions {
  /** The health checks' interval in milliseconds (default 2000): short, so a test sees a change within seconds. */
  checkIntervalMs?: number;
}

/**
 * haproxy.cfg for the API servers: TCP passthrough (clients verify the API server's own certificate, which lists
 * the load balancer's address among its SANs), every server health-checked with an HTTPS `GET /readyz` that must
 * answer 200 (the API server's readiness, which kube-apiserver serves to anonymous clients), certificate not
 * verified (the check wants readiness, not identity). Two failures take a server out, two successes bring it back;
 * a connection that cannot reach its server is tried on another one.
 */
export function renderHaproxyConfig(servers: readonly HaproxyServer[], options: HaproxyConfigOptions = {}): string {
  const inter = `${options.checkIntervalMs ?? 2_000}ms`;
  for (const server of servers) {
    // Names become config tokens: a space or a '#' would change the config's meaning.
    if (!/^[A-Za-z0-9._-]+$/.test(server.name)) throw new Error(`haproxy server name ${JSON.stringify(server.name)} has characters a config token cannot`);
    if (!/^[0-9A-Za-z.:-]+$/.test(server.address)) throw new Error(`haproxy server address ${JSON.stringify(server.address)} is not an address`);
  }
  const lines = [
    '# Written by the bootstrap lab: the control planes\' API servers behind one address.',
    'global',
    '  log /dev/log local0',
    '  chroot /var/lib/haproxy',
    `  stats socket ${HAPROXY_STATS_SOCKET} mode 660 level admin`,
    '  stats timeout 30s',
    '  user haproxy',
    '  group haproxy',
    '',
    'defaults',
    '  log global',
    '  mode tcp',
    '  option tcplog',
    '  option dontlognull',
    // A stopped node does not refuse a connection, it never answers: give up on it soon and try another server
    // (every retry goes elsewhere), well within a client's TLS handshake timeout (kubectl's is 10 s).
    '  timeout connect 2s',
    '  retries 2',
    '  option redispatch 1',
    // Watches stay open for minutes; the API server ends them itself.
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout check 2s',
    '',
    `frontend ${API_PROXY}`,
    `  bind :${API_SERVER_PORT}`,
    `  default_backend ${API_PROXY}`,
    '',
    `backend ${API_PROXY}`,
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    // Sessions to a server marked down are closed, so that watches reconnect through a live one instead of
    // hanging on a node that is gone until the client's or server's timeout.
    ...servers.map((s) => `  server ${s.name} ${s.address}:${s.port ?? API_SERVER_PORT} check check-ssl verify none inter ${inter} fall 2 rise 2 on-marked-down shutdown-sessions`),
    '',
    'listen stats',
    `  bind :${HAPROXY_STATS_PORT}`,
    '  mode http',
    '  option httplog',
    '  stats enable',
    // Shows each server's address (the stats' addr column), which a test uses to tell the API servers apart.
    '  stats show-legends',
    `  stats uri ${HAPROXY_STATS_PATH}`,
    '  stats refresh 5s',
    '',
  ];
  return lines.join('\n');
}

/** A server of the API backend as haproxy's stats report it. */
export interface HaproxyBackend {
  name: string;
  /** "10.77.0.10:6443". */
  address: string;
  /**
   * UP (taking traffic, including "UP 1/2", going down), DOWN (including "DOWN 1/2", coming up), MAINT, or
   * what haproxy said when it is none of these.
   */
  status: 'UP' | 'DOWN' | 'MAINT' | string;
  /** haproxy's own status text, e.g. "UP", "DOWN 1/2", "no check". */
  rawStatus: string;
  /** The last health check's result, e.g. L7OK, L4CON (connection refused), L7STS (wrong status), L6RSP. */
  checkStatus: string;
  /** The last check's HTTP status, when it got that far. */
  checkCode: string;
}

/** Parses haproxy's `show stat` / `stats;csv` output into the API backend's servers. */
export function parseHaproxyStats(csv: string, proxy = API_PROXY): HaproxyBackend[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header) throw new Error(`haproxy stats have no header line: ${csv.slice(0, 200)}`);
  const columns = header.slice(2).split(',');
  const at = (fields: string[], name: string) => fields[columns.indexOf(name)] ?? '';
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.split(','))
    .filter((f) => at(f, 'pxname') === proxy && !['FRONTEND', 'BACKEND'].includes(at(f, 'svname')))
    .map((f) => {
      const rawStatus = at(f, 'status');
      return {
        name: at(f, 'svname'),
        address: at(f, 'addr'),
        status: /^(UP|DOWN|MAINT)\b/.exec(rawStatus)?.[1] ?? rawStatus,
        rawStatus,
        // Checks in progress are marked with a '*' prefix ("* L7OK").
        checkStatus: at(f, 'check_status').replace(/^\* /, ''),
        checkCode: at(f, 'check_code'),
      };
    });
}
