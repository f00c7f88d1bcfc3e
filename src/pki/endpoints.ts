/**
 * API server URLs as kubeadm computes them (util/endpoint.go GetControlPlaneEndpoint / GetLocalAPIEndpoint).
 */
import type { HostSpec, Inventory } from '../inventory/types.js';
import { isIp, canonicalIp } from './ip.js';
import { PkiError } from './errors.js';

export interface HostPort {
  host: string;
  /** undefined when the text had no port. */
  port?: number;
}

/** "host", "host:port", "[v6]" or "[v6]:port" (a bare IPv6 address is also accepted), like kubeadm's ParseHostPort. */
export function parseHostPort(text: string): HostPort {
  const bad = () => new PkiError(`controlPlaneEndpoint "${text}" is not host or host:port`);
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (isIp(text)) {
    host = text;
  } else {
    const parts = text.split(':');
    if (parts.length > 2) throw bad();
    host = parts[0] ?? '';
    portText = parts[1];
  }
  if (!host) throw bad();
  if (portText === undefined) return { host };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw bad();
  return { host, port };
}

function url(host: string, port: number): string {
  return isIp(host) && host.includes(':') ? `https://[${host}]:${port}` : `https://${host}:${port}`;
}

/** https://<advertiseAddress>:<bindPort> of the host itself. */
export function localApiEndpoint(host: HostSpec): string {
  if (!isIp(host.advertiseAddress)) {
    throw new PkiError(`host ${host.name}: advertise address "${host.advertiseAddress}" is not an IP address`);
  }
  return url(canonicalIp(host.advertiseAddress), host.bindPort);
}

/**
 * controlPlaneEndpoint (its port, or the host's bindPort when it has none); without one, the API server of the
 * host itself on a control-plane node, and of the first control-plane node for a worker (where kubeadm join was pointed).
 */
export function controlPlaneEndpoint(inv: Inventory, host: HostSpec): string {
  const configured = inv.cluster.controlPlaneEndpoint;
  if (configured) {
    const { host: name, port } = parseHostPort(configured);
    return url(isIp(name) ? canonicalIp(name) : name, port ?? host.bindPort);
  }
  if (host.roles.includes('control-plane')) return localApiEndpoint(host);
  const first = firstControlPlane(inv);
  if (!first) throw new PkiError('the inventory has no control-plane host, so workers have no API server to join');
  return localApiEndpoint(first);
}

export function firstControlPlane(inv: Inventory): HostSpec | undefined {
  return inv.hosts.find((h) => h.roles.includes('control-plane'));
}
