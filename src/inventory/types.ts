/**
 * The resolved inventory: what `load()` returns after parsing, defaulting and validation.
 * Every other module reads these types; none of them reads YAML. Field names follow kubeadm's
 * ClusterConfiguration and KubeletConfiguration so that a kubeadm user recognises them.
 */

import type { KubeVersion } from '../kube/version.js';

export type Role = 'control-plane' | 'worker';
export type PullPolicy = 'IfNotPresent' | 'Always' | 'Never';

export interface ClusterConfiguration {
  /** Always with a leading "v", e.g. "v1.28.4". */
  kubernetesVersion: string;
  /**
   * kubernetesVersion, parsed once by the inventory loader; every per-version table is looked up with it.
   * An Inventory built by hand may leave it out (clusterVersion() in src/kube/version.ts then parses the text).
   */
  version?: KubeVersion;
  /**
   * As written by the user, or kubeadm's default for that version (k8s.gcr.io or registry.k8s.io), resolved
   * once here: image names are built from this value whether or not the user wrote it.
   */
  imageRepository: string;
  /** True when the user did not set imageRepository (kubeadm treats the default repository specially for CoreDNS). */
  imageRepositoryIsDefault: boolean;
  clusterName: string;
  /** host[:port], or "" when not set. */
  controlPlaneEndpoint: string;
  /** kubeadm's constant: /etc/kubernetes/pki */
  certificatesDir: string;
  networking: {
    /** "" when not set: then kube-controller-manager gets no --allocate-node-cidrs/--cluster-cidr, as with kubeadm. */
    podSubnet: string;
    serviceSubnet: string;
    dnsDomain: string;
  };
  apiServer: { extraArgs: Record<string, string>; certSANs: string[] };
  controllerManager: { extraArgs: Record<string, string> };
  scheduler: { extraArgs: Record<string, string> };
  etcd: {
    /**
     * kubeadm's defaults even with an external etcd (then nothing reads them): code that means the stacked etcd
     * asks `etcd.external` first.
     */
    local: {
      dataDir: string;
      extraArgs: Record<string, string>;
      serverCertSANs: string[];
      peerCertSANs: string[];
    };
    /** kubeadm's etcd.external: the API server uses these etcd members, and no etcd runs on the control planes. */
    external?: ExternalEtcd;
  };
}

/**
 * An etcd cluster bootstrap does not run (kubeadm's ClusterConfiguration etcd.external). The three files are on
 * the control machine; up copies them to every control plane (see src/pki/external-etcd.ts for where).
 */
export interface ExternalEtcd {
  /** https:// client URLs, in the inventory's order (the API server's --etcd-servers). */
  endpoints: string[];
  /** Absolute paths on the control machine. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * The KubeletConfiguration fields the inventory may set. Each is undefined when the inventory leaves it out:
 * kubeadm then writes nothing for it (kubelet's own default applies), except cgroupDriver, which kubeadm
 * defaults to systemd from v1.22 on.
 */
export interface KubeletSettings {
  serializeImagePulls?: boolean;
  maxParallelImagePulls?: number;
  registryPullQPS?: number;
  registryBurst?: number;
  cgroupDriver?: 'systemd' | 'cgroupfs';
}

export interface ImagesSettings {
  pullPolicy: PullPolicy;
  retries: number;
  parallel: number;
  timeoutMs: number;
  credentials: { configFile?: string };
}

/** A registry's endpoints and TLS, as containerd's hosts.toml describes them (certs.d/<registry>/hosts.toml). */
export interface RegistrySettings {
  /**
   * The registry's own endpoint when it is not https://<name> (Docker Hub's is registry-1.docker.io): e.g.
   * http://10.0.0.5:5000 for a registry that speaks plain HTTP.
   */
  server?: string;
  /** Mirrors tried in order before the registry itself (https://… URLs). */
  mirrors: string[];
  /** Absolute path, on the control machine, of a CA bundle the registry and its mirrors are verified with. */
  ca?: string;
  /** Do not verify the registry's (and its mirrors') TLS certificates. */
  skipVerify: boolean;
}

/**
 * What the prepare phase sets up on each host before preflight (issue 10): kernel modules and settings, swap,
 * kubeadm's tools, containerd's configuration. `prepare: false` turns it all off.
 */
export interface PrepareSettings {
  enabled: boolean;
  containerd: {
    /** Write SystemdCgroup, the sandbox image and config_path into /etc/containerd/config.toml (default true). */
    configure: boolean;
    /** The package that provides containerd when it is missing; default: the distribution's ("containerd" on apt). */
    package?: string;
  };
}

/**
 * Registry credentials for the cluster's own workloads (issue 12), taken from images.credentials.configFile:
 * written for kubelet on every node, and/or as image pull Secrets that namespaces' default ServiceAccounts name.
 */
export interface RegistriesSettings {
  /**
   * Registry name (docker.io, registry.example.com:5000, _default) → its endpoints (its own server, mirrors) and TLS
   * settings, for the runtime's pulls (kubelet's and bootstrap's): containerd's certs.d hosts.toml, Docker's
   * daemon.json and certs.d.
   */
  endpoints: Record<string, RegistrySettings>;
  /**
   * The registries whose credentials every node gets in kubelet's /var/lib/kubelet/config.json: every registry
   * of the credentials file ('all'), the named ones (a list; [] writes an empty file), or none (false: the file
   * is left as it is).
   */
  nodeCredentials: 'all' | string[] | false;
  /** A kubernetes.io/dockerconfigjson Secret in each namespace, named by its default ServiceAccount's imagePullSecrets. */
  pullSecrets?: {
    name: string;
    namespaces: string[];
    /** The registries the Secret holds: 'all' of the credentials file, or the named ones. */
    registries: 'all' | string[];
  };
}

export type InstallSource = 'none' | 'packages' | 'files';

/** One file of `install.source: files`: a kubelet, crictl or kubeadm binary, or a .deb/.rpm package. */
export interface InstallFile {
  /** Absolute path on the control machine. */
  path: string;
  /** The expected SHA-256 (hex, lowercase), from the inventory or the checksums file; checked before anything installs. */
  sha256?: string;
}

/** Where kubelet, crictl (and kubeadm) come from: nowhere (already installed), the package repositories, or files. */
export interface InstallSettings {
  source: InstallSource;
  /** Install kubeadm too (bootstrap itself does not need it). */
  kubeadm: boolean;
  /** Replace a kubelet/kubeadm of another version; otherwise it is reported and left alone. */
  allowVersionChange: boolean;
  /** packages: the repository of the cluster's minor (default https://pkgs.k8s.io/core:/stable:/v<minor>) and the package revision (default any: "-*"). */
  repository?: string;
  revision?: string;
  files: InstallFile[];
  /** files: a sha256sum-style file on the control machine ("<hex>  <name>" lines), read by name. */
  checksums?: string;
}

export interface BastionSettings {
  address: string;
  port: number;
  user: string;
  identityFile?: string;
  agent: boolean;
  /** Pinned host keys of the bastion ("ssh-ed25519 AAAA..."), checked before knownHostsFile. */
  hostKeys: string[];
}

export interface SshSettings {
  user: string;
  port: number;
  /** Absolute path (~ expanded), or undefined. */
  identityFile?: string;
  agent: boolean;
  sudo: boolean;
  /** Absolute path (~ expanded). */
  knownHostsFile: string;
  bastion: BastionSettings | null;
  connectTimeoutMs: number;
  /**
   * Which of these settings the inventory wrote (at inventory or host level). The others are defaults, and
   * ~/.ssh/config may supply them (User, Port, UserKnownHostsFile, ConnectTimeout), as ssh itself lets its config fill what the command line leaves out.
   * Absent (settings built by hand): a value other than the default counts as written.
   */
  explicit?: { user: boolean; port: boolean; knownHostsFile?: boolean; connectTimeout?: boolean };
}

export interface HostSpec {
  /** The node name: kubeadm lowercases the hostname. */
  name: string;
  /** Where SSH connects. */
  address: string;
  /** The API server's advertise address: advertiseAddress, or address. */
  advertiseAddress: string;
  /** kubeadm's localAPIEndpoint.bindPort, 6443 by default. */
  bindPort: number;
  roles: Role[];
  /** The inventory's ssh block merged with this host's own overrides. */
  ssh: SshSettings;
  /** e.g. unix:///run/containerd/containerd.sock; undefined means "detect on the host". */
  criSocket?: string;
  /** Host keys pinned in the inventory ("ssh-ed25519 AAAA..."); checked before knownHostsFile. */
  hostKeys: string[];
}

export interface Inventory {
  /** Absolute path of the inventory file. */
  file: string;
  /** Absolute folder that relative paths in the inventory are resolved against. */
  dir: string;
  cluster: ClusterConfiguration;
  kubelet: KubeletSettings;
  images: ImagesSettings;
  /** Absolute path of a kubeadm-style patch directory, or undefined. */
  patches?: string;
  /** timeoutMs: kubeadm's 4 minutes for the control plane, also each worker's join; nodesReady: also wait for every Node to be Ready. */
  wait: { timeoutMs: number; nodesReady?: boolean };
  /** Absolute paths of manifests applied after the built-in addons (a CNI, say), in order. */
  addons?: { manifests: string[] };
  /** The join token's lifetime (kubeadm's default 24h); a token with less than a third of it left is replaced. */
  bootstrapToken?: { ttlMs: number };
  /** Absent in inventories built by hand: then prepare is on with its defaults and nothing is installed. */
  prepare?: PrepareSettings;
  install?: InstallSettings;
  /** Absent in inventories built by hand: then no registry credentials reach nodes or namespaces. */
  registries?: RegistriesSettings;
  ssh: SshSettings;
  hosts: HostSpec[];
  /** Absolute path of the state directory on the control machine (CAs, per-host certificates, admin.conf). */
  stateDir: string;
  /**
   * What the loader found allowed but worth saying, as `file:line:column: warning: field: message` lines (e.g. an
   * even number of control-plane hosts). Absent in inventories built by hand.
   */
  warnings?: string[];
}

/** A file that `up` writes on a host and `render` writes under DIR/<host>/<path>. */
export interface RenderedFile {
  /** Absolute path on the host. */
  path: string;
  content: string | Buffer;
  /** e.g. 0o600 for private keys and kubeconfigs, 0o644 otherwise. */
  mode: number;
}
