/**
 * The inventory's structure as JSON Schema (draft-07): field names, types, enums and which fields exist.
 * Structure only; rules that need more than one field or real parsing (versions, subnets, durations,
 * addresses) live in validate.ts. The same schema is printed by `bootstrap schema` for editors
 * (yaml-language-server) so users get completion and the same unknown-field errors while typing.
 */

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const strList = { type: 'array', items: str } as const;
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
/** kubeadm's extraArgs: flag name → value. Numbers and booleans are accepted and written as text. */
const extraArgs = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
} as const;

function object(properties: Record<string, unknown>, required: string[] = []) {
  return { type: 'object', properties, required, additionalProperties: false } as const;
}

const sshCommon = {
  user: str,
  port,
  identityFile: str,
  agent: bool,
  sudo: bool,
  knownHostsFile: str,
  connectTimeout: str,
};

/** null, or a jump host with credentials of its own (properties/required apply to mappings only). */
const bastion = {
  ...object({ address: str, port, user: str, identityFile: str, agent: bool, hostKeys: strList }, ['address']),
  type: ['object', 'null'],
} as const;

const ssh = object({ ...sshCommon, bastion });

/** true/false, or the prepare phase's settings (a mapping turns it on). */
const prepare = {
  ...object({
    containerd: object({
      configure: bool,
      package: str,
      // Moved to registries.endpoints: kept here so that an older inventory gets that message, not "unknown field".
      registries: { type: 'object' },
    }),
  }),
  type: ['object', 'boolean'],
} as const;

/** A file of install.files: its path, or {path, sha256}. */
const installFile = { ...object({ path: str, sha256: str }, ['path']), type: ['string', 'object'] } as const;

const install = object({
  source: { enum: ['none', 'packages', 'files'] },
  kubeadm: bool,
  allowVersionChange: bool,
  repository: str,
  revision: str,
  files: { type: 'array', items: installFile },
  checksums: str,
});

export const inventorySchema = object(
  {
    cluster: object(
      {
        kubernetesVersion: str,
        imageRepository: str,
        clusterName: str,
        controlPlaneEndpoint: str,
        networking: object({ podSubnet: str, serviceSubnet: str, dnsDomain: str }),
        apiServer: object({ extraArgs, certSANs: strList }),
        controllerManager: object({ extraArgs }),
        scheduler: object({ extraArgs }),
        etcd: object({
          local: object({ dataDir: str, extraArgs, serverCertSANs: strList, peerCertSANs: strList }),
          // kubeadm's ExternalEtcd; mutually exclusive with local (checked with the other rules).
          external: object({ endpoints: strList, caFile: str, certFile: str, keyFile: str }, ['endpoints']),
        }),
      },
      ['kubernetesVersion'],
    ),
    kubelet: object({
      serializeImagePulls: bool,
      maxParallelImagePulls: { type: 'integer' },
      registryPullQPS: { type: 'integer' },
      registryBurst: { type: 'integer' },
      cgroupDriver: { enum: ['systemd', 'cgroupfs'] },
    }),
    images: object({
      pullPolicy: { enum: ['IfNotPresent', 'Always', 'Never'] },
      retries: { type: 'integer', minimum: 1, maximum: 100 },
      parallel: { type: 'integer', minimum: 1, maximum: 64 },
      timeout: str,
      credentials: object({ configFile: str }),
    }),
    patches: str,
    wait: object({ timeout: str, nodesReady: bool }),
    addons: object({ manifests: strList }),
    bootstrapToken: object({ ttl: str }),
    stateDir: str,
    prepare,
    install,
    registries: object({
      endpoints: { type: 'object', additionalProperties: object({ server: str, mirrors: strList, ca: str, skipVerify: bool }) },
      // true (every registry of the credentials file), false, or the registries to write.
      nodeCredentials: { type: ['boolean', 'array'], items: str },
      pullSecrets: object({ name: str, namespaces: strList, registries: strList }, ['namespaces']),
    }),
    ssh,
    hosts: {
      type: 'array',
      minItems: 1,
      items: object(
        {
          name: str,
          address: str,
          advertiseAddress: str,
          bindPort: port,
          roles: { type: 'array', minItems: 1, items: { enum: ['control-plane', 'worker'] } },
          ssh,
          criSocket: str,
          hostKeys: strList,
        },
        ['name', 'address', 'roles'],
      ),
    },
  },
  ['cluster', 'hosts'],
);
