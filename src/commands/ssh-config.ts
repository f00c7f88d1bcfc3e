/**
 * `bootstrap ssh-config`: how each host of an inventory is reached, printed in the shape of `ssh -G` (one
 * "keyword value" line each, keywords in lower case) so a user can compare it with what `ssh -G <host>` says
 * and debug their ~/.ssh/config. The values are the ones bootstrap uses: the inventory's settings over the
 * OpenSSH configuration. Each jump host of the route follows in its own block. Nothing is contacted.
 */
import type { Inventory } from '../inventory/types.js';
import { resolveRoute } from '../transport/ssh-route.js';
import type { RouteOptions, SshEndpoint, SshRoute } from '../transport/ssh-route.js';
import { UsageError } from '../util/errors.js';

export interface EndpointReport {
  /** "target", or "jump host N" counted from the control machine. */
  role: string;
  /** ssh -G's keyword → values (several for identityfile), in the order printed. */
  options: [keyword: string, value: string][];
  pinnedKeys: string[];
}

export interface HostRouteReport {
  host: string;
  /** The path, control machine first: "proxycommand …", then each "user@host:port". */
  path: string[];
  endpoints: EndpointReport[];
}

/** ssh -G spells StrictHostKeyChecking yes and no as true and false. */
const SSH_G_STRICT = { yes: 'true', no: 'false', ask: 'ask', 'accept-new': 'accept-new' } as const;

function endpointOptions(ep: SshEndpoint, route: SshRoute, isTarget: boolean): [string, string][] {
  const o = ep.options;
  const lines: [string, string][] = [
    ['host', o.host],
    ['hostname', ep.address],
    ['user', ep.user],
    ['port', String(ep.port)],
    ...ep.identityFiles.map((f): [string, string] => ['identityfile', f]),
    ['identitiesonly', ep.identitiesOnly ? 'yes' : 'no'],
    ['identityagent', !ep.agent ? 'none' : ep.agentSocket ?? 'SSH_AUTH_SOCK'],
  ];
  if (o.proxyJump.length) lines.push(['proxyjump', o.proxyJump.join(',')]);
  if (o.proxyCommand !== undefined) lines.push(['proxycommand', o.proxyCommand]);
  if (isTarget) lines.push(['connecttimeout', String(route.connectTimeoutMs / 1000)]);
  lines.push(
    ['serveraliveinterval', String(ep.keepalive.intervalMs / 1000)],
    ['serveralivecountmax', String(ep.keepalive.countMax)],
    ['userknownhostsfile', ep.hostKeyCheck.knownHostsFiles.join(' ')],
    ['globalknownhostsfile', ep.hostKeyCheck.globalKnownHostsFiles.join(' ')],
    ['stricthostkeychecking', SSH_G_STRICT[ep.strictHostKeyChecking]],
  );
  if (o.hostKeyAlias !== undefined) lines.push(['hostkeyalias', o.hostKeyAlias]);
  lines.push(['checkhostip', ep.hostKeyCheck.checkHostIP ? 'yes' : 'no'], ['hashknownhosts', ep.hashKnownHosts ? 'yes' : 'no']);
  return lines;
}

const hop = (ep: SshEndpoint) => `${ep.user}@${ep.address.includes(':') ? `[${ep.address}]` : ep.address}:${ep.port}`;

export function routeReport(name: string, route: SshRoute): HostRouteReport {
  const path = [...(route.proxyCommand !== undefined ? [`proxycommand ${route.proxyCommand}`] : []), ...route.jumps.map(hop), hop(route.target)];
  const endpoints = [
    { role: 'target', options: endpointOptions(route.target, route, true), pinnedKeys: [...route.target.hostKeyCheck.pinned] },
    ...route.jumps.map((ep, i) => ({ role: `jump host ${i + 1}`, options: endpointOptions(ep, route, false), pinnedKeys: [...ep.hostKeyCheck.pinned] })),
  ];
  return { host: name, path, endpoints };
}

/** The routes of the named hosts (all when none is named), in inventory order. */
export function sshConfigReports(inv: Inventory, names: readonly string[], options: RouteOptions = {}): HostRouteReport[] {
  const unknown = names.filter((n) => !inv.hosts.some((h) => h.name === n));
  if (unknown.length) throw new UsageError(`${inv.file}: no host named ${unknown.map((n) => `"${n}"`).join(', ')} (hosts: ${inv.hosts.map((h) => h.name).join(', ')})`);
  const hosts = names.length ? inv.hosts.filter((h) => names.includes(h.name)) : inv.hosts;
  return hosts.map((h) => routeReport(h.name, resolveRoute(h, { inventoryFile: inv.file, ...options })));
}

/** The text form: per host a comment line with the path, then the target's and each jump host's lines. */
export function formatSshConfig(reports: readonly HostRouteReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    if (out.length) out.push('');
    out.push(`# ${r.host}: ${r.path.join(' -> ')}`);
    for (const ep of r.endpoints) {
      if (ep.role !== 'target') out.push('', `# ${r.host}: ${ep.role}`);
      for (const [keyword, value] of ep.options) out.push(`${keyword} ${value}`);
      for (const key of ep.pinnedKeys) out.push(`# pinned in the inventory: ${key}`);
    }
  }
  return `${out.join('\n')}\n`;
}
