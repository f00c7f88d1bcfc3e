/**
 * Meaning checks and defaults. Runs on data that passed (or partly passed) the structural check, so every
 * rule looks at the type of what it reads before using it: all problems of a file are reported together.
 * Defaults are kubeadm's, so that an inventory of two fields gives what `kubeadm init` would.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { isIP } from 'node:net';
import { cidrsOverlap, hostBits, parseCidr, type Cidr } from '../net/cidr.js';
import { parseDuration } from '../util/duration.js';
import { criEndpoint } from '../kube/cri-socket.js';
import { defaultImageRepository } from '../kube/images.js';
import { supportedKubeVersion, VersionError, type KubeVersion } from '../kube/version.js';
import { lookup } from '../kube/table.js';
import { addsUnixScheme } from '../kube/runtime.js';
import { KUBELET_CONFIG_SHAPES } from '../kube/kubelet-config-shapes.js';
import type { FieldPath, Problem } from './errors.js';
import { resolveInstall, resolvePrepare } from './prepare.js';
import { resolveRegistries } from './registries.js';
import { resolveExternalEtcd } from './etcd.js';
import type {
  BastionSettings, ClusterConfiguration, HostSpec, ImagesSettings, Inventory, KubeletSettings, Role, SshSettings,
} from './types.js';

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function obj(value: unknown): Raw {
  return isObject(value) ? value : {};
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}
function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}
function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
/** A registry host (with optional port) and optional path, as image references allow. */
const IMAGE_REPOSITORY = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;
const HOST_KEY = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;
const FLAG_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** kubeadm's MaximumBitsForServiceSubnet: the service range may have at most 2^20 addresses. */
const MAX_SERVICE_SUBNET_HOST_BITS = 20;

/** A DNS name; all-numeric dotted names are not, so a mistyped IPv4 address such as 10.0.0.300 is caught. */
function isDnsName(text: string): boolean {
  return text.length <= 253 && DNS_SUBDOMAIN.test(text.toLowerCase()) && !/^[\d.]+$/.test(text);
}

/**
 * A node name as kubeadm accepts it (ValidateNodeRegistrationOptions: validation.IsDNS1123Subdomain): lowercase
 * RFC 1123 labels of at most 253 characters. Dotted numerals such as 10.7.0.149 are valid: nodes named by their IP
 * address are common.
 */
function isNodeName(text: string): boolean {
  return text.length <= 253 && DNS_SUBDOMAIN.test(text);
}

export class Resolver {
  readonly problems: Problem[] = [];
  /** What is allowed but worth saying (located like problems; the inventory still loads). */
  readonly warnings: Problem[] = [];
  constructor(private readonly file: string, private readonly dir: string) {}

  /** Records a problem at a field (public for the resolvers of single sections, e.g. prepare.ts). */
  fail(path: FieldPath, message: string): void {
    this.problems.push({ path, message });
  }

  /** Records a warning at a field. */
  warn(path: FieldPath, message: string): void {
    this.warnings.push({ path, message });
  }

  /** ~ and relative paths: relative to the inventory's folder, as kubeadm's patches directory is to its config. */
  expandPath(text: string): string {
    if (text === '~') return homedir();
    if (text.startsWith('~/')) return join(homedir(), text.slice(2));
    return isAbsolute(text) ? text : resolve(this.dir, text);
  }

  private duration(path: FieldPath, value: unknown, fallbackMs: number): number {
    const text = str(value);
    if (text === undefined) return fallbackMs;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      this.fail(path, `"${text}" is not a duration: write it as kubeadm does, e.g. 4m, 90s or 1m30s`);
      return fallbackMs;
    }
    return ms;
  }

  private optionalPath(value: unknown): string | undefined {
    const text = str(value);
    return text === undefined ? undefined : this.expandPath(text);
  }

  private existingPath(path: FieldPath, value: unknown, kind: 'directory'): string | undefined {
    const text = str(value);
    if (text === undefined) return undefined;
    const full = this.expandPath(text);
    const stat = existsSync(full) ? statSync(full) : undefined;
    if (!stat) this.fail(path, `${kind} not found: ${full}`);
    else if (!stat.isDirectory()) this.fail(path, `not a directory: ${full}`);
    return full;
  }

  private existingFiles(path: FieldPath, value: unknown): string[] {
    return strings(value).map((text, i) => {
      const full = this.expandPath(text);
      const stat = existsSync(full) ? statSync(full) : undefined;
      if (!stat) this.fail([...path, i], `file not found: ${full}`);
      else if (!stat.isFile()) this.fail([...path, i], `not a file: ${full}`);
      return full;
    });
  }

  private extraArgs(path: FieldPath, value: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, arg] of Object.entries(obj(value))) {
      if (name.startsWith('-')) this.fail([...path, name], `write flag names without leading dashes ("${name.replace(/^-+/, '')}")`);
      else if (!FLAG_NAME.test(name)) this.fail([...path, name], `"${name}" is not a flag name`);
      if (typeof arg === 'string' || typeof arg === 'number' || typeof arg === 'boolean') out[name] = String(arg);
    }
    return out;
  }

  private sans(path: FieldPath, value: unknown): string[] {
    const list = strings(value);
    list.forEach((san, i) => {
      const wildcard = san.startsWith('*.') ? san.slice(2) : san;
      if (!isIP(san) && !isDnsName(wildcard)) this.fail([...path, i], `"${san}" is neither an IP address nor a DNS name`);
    });
    return list;
  }

  /** "10.244.0.0/16" or a dual-stack pair "10.244.0.0/16,fd00:10:244::/56". */
  private subnets(path: FieldPath, text: string): Cidr[] {
    const parts = text.split(',').map((s) => s.trim());
    const parsed = parts.map((part) => parseCidr(part));
    if (parsed.some((c) => !c) || parts.length > 2) {
      this.fail(path, `"${text}" is not a CIDR range (e.g. 10.96.0.0/12, or an IPv4,IPv6 pair for dual-stack)`);
      return [];
    }
    const cidrs = parsed as Cidr[];
    if (cidrs.length === 2 && cidrs[0]?.family === cidrs[1]?.family) {
      this.fail(path, 'a dual-stack pair needs one IPv4 and one IPv6 range');
    }
    return cidrs;
  }

  cluster(raw: Raw): ClusterConfiguration {
    const path = (...p: FieldPath) => ['cluster', ...p];
    let kubernetesVersion = str(raw.kubernetesVersion) ?? '';
    let version: KubeVersion | undefined;
    if (str(raw.kubernetesVersion) !== undefined) {
      try {
        version = supportedKubeVersion(kubernetesVersion);
        kubernetesVersion = version.text;
      } catch (error) {
        if (!(error instanceof VersionError)) throw error;
        this.fail(path('kubernetesVersion'), (error as VersionError).message);
      }
    }

    const imageRepository = str(raw.imageRepository);
    if (imageRepository !== undefined && !IMAGE_REPOSITORY.test(imageRepository)) {
      this.fail(path('imageRepository'), `"${imageRepository}" is not a registry or repository (e.g. registry.k8s.io or registry.example.com:5000/k8s)`);
    }

    const clusterName = str(raw.clusterName) ?? 'kubernetes';
    if (!isDnsName(clusterName)) this.fail(path('clusterName'), `"${clusterName}" must be a lowercase DNS name`);

    const controlPlaneEndpoint = str(raw.controlPlaneEndpoint) ?? '';
    if (controlPlaneEndpoint && !isEndpoint(controlPlaneEndpoint)) {
      this.fail(path('controlPlaneEndpoint'), `"${controlPlaneEndpoint}" must be host[:port], e.g. k8s.example.com:6443 or [fd00::1]:6443`);
    }

    const networking = obj(raw.networking);
    const podSubnet = str(networking.podSubnet) ?? '';
    const serviceSubnet = str(networking.serviceSubnet) ?? '10.96.0.0/12';
    const dnsDomain = str(networking.dnsDomain) ?? 'cluster.local';
    const pods = podSubnet ? this.subnets(path('networking', 'podSubnet'), podSubnet) : [];
    const services = this.subnets(path('networking', 'serviceSubnet'), serviceSubnet);
    for (const service of services) {
      if (hostBits(service) > MAX_SERVICE_SUBNET_HOST_BITS) {
        const min = (service.family === 4 ? 32 : 128) - MAX_SERVICE_SUBNET_HOST_BITS;
        this.fail(path('networking', 'serviceSubnet'), `${service.text} is too large: kubeadm allows at most 2^20 service addresses (a /${min} or smaller)`);
      }
      for (const pod of pods) {
        if (cidrsOverlap(pod, service)) {
          this.fail(path('networking', 'podSubnet'), `${pod.text} overlaps the service subnet ${service.text}`);
        }
      }
    }
    if (!isDnsName(dnsDomain)) this.fail(path('networking', 'dnsDomain'), `"${dnsDomain}" is not a DNS domain`);

    const apiServer = obj(raw.apiServer);
    const external = resolveExternalEtcd(this, obj(raw.etcd));
    const etcd = obj(obj(raw.etcd).local);
    const dataDir = str(etcd.dataDir) ?? '/var/lib/etcd';
    if (!isAbsolute(dataDir)) this.fail(path('etcd', 'local', 'dataDir'), 'must be an absolute path on the host');

    return {
      kubernetesVersion,
      version,
      imageRepository: imageRepository ?? (version ? defaultImageRepository(version) : ''),
      imageRepositoryIsDefault: imageRepository === undefined,
      clusterName,
      controlPlaneEndpoint,
      certificatesDir: '/etc/kubernetes/pki',
      networking: { podSubnet, serviceSubnet, dnsDomain },
      apiServer: {
        extraArgs: this.extraArgs(path('apiServer', 'extraArgs'), apiServer.extraArgs),
        certSANs: this.sans(path('apiServer', 'certSANs'), apiServer.certSANs),
      },
      controllerManager: { extraArgs: this.extraArgs(path('controllerManager', 'extraArgs'), obj(raw.controllerManager).extraArgs) },
      scheduler: { extraArgs: this.extraArgs(path('scheduler', 'extraArgs'), obj(raw.scheduler).extraArgs) },
      etcd: {
        local: {
          dataDir,
          extraArgs: this.extraArgs(path('etcd', 'local', 'extraArgs'), etcd.extraArgs),
          serverCertSANs: this.sans(path('etcd', 'local', 'serverCertSANs'), etcd.serverCertSANs),
          peerCertSANs: this.sans(path('etcd', 'local', 'peerCertSANs'), etcd.peerCertSANs),
        },
        ...(external ? { external } : {}),
      },
    };
  }

  /** The rules kubelet's own validation applies to these fields, so a bad value fails here, not on the host. */
  kubelet(raw: Raw, version: KubeVersion | undefined): KubeletSettings {
    const out: KubeletSettings = {
      serializeImagePulls: bool(raw.serializeImagePulls),
      maxParallelImagePulls: num(raw.maxParallelImagePulls),
      registryPullQPS: num(raw.registryPullQPS),
      registryBurst: num(raw.registryBurst),
      cgroupDriver: raw.cgroupDriver === 'systemd' || raw.cgroupDriver === 'cgroupfs' ? raw.cgroupDriver : undefined,
    };
    const path = (field: string) => ['kubelet', field];
    if (out.registryPullQPS !== undefined && out.registryPullQPS < 0) this.fail(path('registryPullQPS'), 'must not be a negative number');
    if (out.registryBurst !== undefined && out.registryBurst < 0) this.fail(path('registryBurst'), 'must not be a negative number');
    const max = out.maxParallelImagePulls;
    if (max !== undefined) {
      if (max < 1) this.fail(path('maxParallelImagePulls'), 'must be a positive number');
      // kubelet's default for serializeImagePulls is true, so "unset" counts as true here, as it does there.
      else if (max > 1 && out.serializeImagePulls !== false) {
        this.fail(path('maxParallelImagePulls'), 'cannot be larger than 1 unless serializeImagePulls is set to false (kubelet rejects it)');
      }
      if (version && !lookup(KUBELET_CONFIG_SHAPES, version).maxParallelImagePulls) {
        this.fail(path('maxParallelImagePulls'), `kubelet ${version.text} has no maxParallelImagePulls (it came in v1.27)`);
      }
    }
    return out;
  }

  images(raw: Raw): ImagesSettings {
    const credentials = obj(raw.credentials);
    return {
      pullPolicy: raw.pullPolicy === 'Always' || raw.pullPolicy === 'Never' ? raw.pullPolicy : 'IfNotPresent',
      // Tries in all, as kubeadm's constants.PullImageRetry (5) counts them.
      retries: num(raw.retries) ?? 5,
      parallel: num(raw.parallel) ?? 3,
      timeoutMs: this.duration(['images', 'timeout'], raw.timeout, 5 * 60_000),
      // Read when images are pulled: the file belongs to the control machine that runs `up`, not to the inventory.
      credentials: { configFile: this.optionalPath(credentials.configFile) },
    };
  }

  private hostKeys(path: FieldPath, value: unknown): string[] {
    const keys = strings(value);
    keys.forEach((key, i) => {
      if (!HOST_KEY.test(key)) this.fail([...path, i], 'must be an OpenSSH public key line, e.g. "ssh-ed25519 AAAAC3Nza…"');
    });
    return keys;
  }

  private bastion(path: FieldPath, raw: unknown, base: SshSettings): BastionSettings | null {
    if (raw === undefined) return base.bastion;
    if (!isObject(raw)) return null;
    const address = str(raw.address) ?? '';
    if (address && !isIP(address) && !isDnsName(address)) this.fail([...path, 'address'], `"${address}" is neither an IP address nor a host name`);
    return {
      address,
      port: num(raw.port) ?? 22,
      user: str(raw.user) ?? base.user,
      identityFile: this.optionalPath(raw.identityFile),
      agent: bool(raw.agent) ?? base.agent,
      hostKeys: this.hostKeys([...path, 'hostKeys'], raw.hostKeys),
    };
  }

  /** The inventory's ssh block over built-in defaults, or a host's ssh block over the inventory's. */
  ssh(path: FieldPath, raw: Raw, base: SshSettings): SshSettings {
    const merged: SshSettings = {
      user: str(raw.user) ?? base.user,
      port: num(raw.port) ?? base.port,
      // Key files are read when connecting: an inventory stays valid on a machine that lacks them.
      identityFile: raw.identityFile !== undefined ? this.optionalPath(raw.identityFile) : base.identityFile,
      agent: bool(raw.agent) ?? base.agent,
      sudo: bool(raw.sudo) ?? base.sudo,
      knownHostsFile: str(raw.knownHostsFile) !== undefined ? this.expandPath(raw.knownHostsFile as string) : base.knownHostsFile,
      bastion: null,
      connectTimeoutMs: this.duration([...path, 'connectTimeout'], raw.connectTimeout, base.connectTimeoutMs),
      explicit: {
        user: !!base.explicit?.user || raw.user !== undefined,
        port: !!base.explicit?.port || raw.port !== undefined,
        knownHostsFile: !!base.explicit?.knownHostsFile || raw.knownHostsFile !== undefined,
        connectTimeout: !!base.explicit?.connectTimeout || raw.connectTimeout !== undefined,
      },
    };
    merged.bastion = this.bastion([...path, 'bastion'], raw.bastion, { ...merged, bastion: base.bastion });
    return merged;
  }

  hosts(raw: unknown[], ssh: SshSettings, version: KubeVersion | undefined): HostSpec[] {
    const hosts: HostSpec[] = [];
    const names = new Map<string, number>();
    const addresses = new Map<string, number>();
    raw.forEach((entry, i) => {
      if (!isObject(entry)) return;
      const path = (...p: FieldPath) => ['hosts', i, ...p];
      const name = str(entry.name) ?? '';
      const address = str(entry.address) ?? '';
      if (name && !isNodeName(name)) {
        this.fail(path('name'), `"${name}" is not a valid node name: use a lowercase RFC 1123 name (kubeadm lowercases the hostname)`);
      } else if (name && names.has(name)) {
        this.fail(path('name'), `duplicate host name "${name}" (also hosts[${names.get(name)}])`);
      }
      if (name) names.set(name, names.get(name) ?? i);
      if (address && !isIP(address) && !isDnsName(address)) {
        this.fail(path('address'), `"${address}" is neither an IP address nor a host name`);
      }
      const hostSsh = this.ssh(path('ssh'), obj(entry.ssh), ssh);
      const endpoint = `${address}:${hostSsh.port}`;
      if (address && addresses.has(endpoint)) {
        this.fail(path('address'), `duplicate address ${address} (also hosts[${addresses.get(endpoint)}]); hosts behind one address need different ssh ports`);
      }
      if (address) addresses.set(endpoint, addresses.get(endpoint) ?? i);

      let advertiseAddress = str(entry.advertiseAddress) ?? '';
      if (advertiseAddress && !isIP(advertiseAddress)) {
        this.fail(path('advertiseAddress'), `"${advertiseAddress}" must be an IP address (the API server advertises it)`);
      } else if (!advertiseAddress) {
        advertiseAddress = isIP(address) ? address : '';
      }
      const roles = strings(entry.roles).filter((r): r is Role => r === 'control-plane' || r === 'worker');
      if (new Set(roles).size !== roles.length) this.fail(path('roles'), 'lists a role twice');
      if (!advertiseAddress && isDnsName(address) && roles.includes('control-plane')) {
        this.fail(path('advertiseAddress'), `required when address is a host name ("${address}"): the API server advertises an IP address`);
      }

      let criSocket = str(entry.criSocket);
      if (criSocket !== undefined) {
        if (!/^(unix:\/\/)?\/.+/.test(criSocket)) {
          this.fail(path('criSocket'), `"${criSocket}" must be a unix socket URL such as unix:///run/containerd/containerd.sock`);
        } else if (criSocket.startsWith('/') && version && addsUnixScheme(version)) {
          // kubeadm v1.24+ adds the unix:// scheme to a bare path itself; older releases used bare paths as they were.
          criSocket = criEndpoint(criSocket);
        }
      }

      hosts.push({
        name,
        address,
        advertiseAddress,
        bindPort: num(entry.bindPort) ?? 6443,
        roles,
        ssh: hostSsh,
        criSocket,
        hostKeys: this.hostKeys(path('hostKeys'), entry.hostKeys),
      });
    });

    const controlPlanes = hosts.filter((h) => h.roles.includes('control-plane'));
    // Only when every host's roles could be read: a misspelt role is reported where it is, not again here.
    const rolesReadable = raw.every((e) => isObject(e) && Array.isArray(e.roles) && e.roles.every((r) => r === 'control-plane' || r === 'worker'));
    if (raw.length && rolesReadable && controlPlanes.length === 0) {
      this.fail(['hosts'], 'no host has the control-plane role');
    }
    return hosts;
  }

  /**
   * Several control-plane hosts (stacked etcd, as `kubeadm join --control-plane`): the first in inventory order
   * runs `kubeadm init`, the others join. kubeadm refuses to join a control plane to a cluster without a
   * controlPlaneEndpoint (phases/join/preflight.go checkIfReadyForAdditionalControlPlane: "unable to add a new
   * control plane instance to a cluster that doesn't have a stable controlPlaneEndpoint address"), so it is
   * required here. An even number of etcd members tolerates no more failures than one member fewer.
   */
  private controlPlanes(hosts: HostSpec[], cluster: ClusterConfiguration): void {
    const controlPlanes = hosts.filter((h) => h.roles.includes('control-plane'));
    const count = controlPlanes.length;
    if (count < 2) return;
    const names = controlPlanes.map((h) => h.name).join(', ');
    if (!cluster.controlPlaneEndpoint) {
      this.fail(['cluster', 'controlPlaneEndpoint'], `required with more than one control-plane host (${names}): ` +
        'the stable address of their API servers, e.g. a load balancer\'s lb.example.com:6443, as kubeadm join --control-plane requires');
    }
    // An external etcd's quorum is its own: how many control planes run the API server does not change it.
    if (count % 2 === 0 && !cluster.etcd.external) {
      const quorum = Math.floor(count / 2) + 1;
      this.warn(['hosts'], `${count} control-plane hosts (${names}): etcd needs ${quorum} of them for a quorum, so it survives ` +
        `the loss of ${count - quorum}, as ${count - 1} would; an odd number is recommended`);
    }
  }

  inventory(data: Raw): Omit<Inventory, 'file'> {
    const clusterConfig = this.cluster(obj(data.cluster));
    const defaults: SshSettings = {
      user: 'root',
      port: 22,
      identityFile: undefined,
      agent: true,
      sudo: false,
      knownHostsFile: join(homedir(), '.ssh', 'known_hosts'),
      bastion: null,
      connectTimeoutMs: 10_000,
      explicit: { user: false, port: false, knownHostsFile: false, connectTimeout: false },
    };
    const ssh = this.ssh(['ssh'], obj(data.ssh), defaults);
    const stateDir = str(data.stateDir);
    const hosts = this.hosts(Array.isArray(data.hosts) ? data.hosts : [], ssh, clusterConfig.version);
    this.controlPlanes(hosts, clusterConfig);
    const images = this.images(obj(data.images));
    return {
      dir: this.dir,
      cluster: clusterConfig,
      kubelet: this.kubelet(obj(data.kubelet), clusterConfig.version),
      images,
      patches: this.existingPath(['patches'], data.patches, 'directory'),
      // kubeadm waits 4 minutes for the control plane (constants.ControlPlaneComponentHealthCheckTimeout).
      wait: {
        timeoutMs: this.duration(['wait', 'timeout'], obj(data.wait).timeout, 4 * 60_000),
        nodesReady: obj(data.wait).nodesReady === true,
      },
      addons: { manifests: this.existingFiles(['addons', 'manifests'], obj(data.addons).manifests) },
      // kubeadm's constants.DefaultTokenDuration.
      bootstrapToken: { ttlMs: this.duration(['bootstrapToken', 'ttl'], obj(data.bootstrapToken).ttl, 24 * 60 * 60_000) },
      prepare: resolvePrepare(this, data.prepare),
      install: resolveInstall(this, data.install),
      registries: resolveRegistries(this, data.registries, images.credentials.configFile),
      ssh,
      hosts,
      stateDir: stateDir !== undefined
        ? this.expandPath(stateDir)
        : join(this.dir, '.bootstrap', basename(this.file, extname(this.file))),
    };
  }
}

/** host[:port] where host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
function isEndpoint(text: string): boolean {
  const match = /^(\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(:(\d{1,5}))?$/.exec(text);
  if (!match) return false;
  const port = match[5] ? Number(match[5]) : 1;
  if (port < 1 || port > 65535) return false;
  if (match[2]) return isIP(match[2]) === 6;
  const host = match[3] as string;
  return isIP(host) === 4 || isDnsName(host);
}
