/**
 * Kubeconfig files in the exact shape kubeadm writes them: clientcmd.Write serialises the v1 Config through JSON
 * and sigs.k8s.io/yaml, so keys come out sorted at every level, lists are not indented under their key, and
 * `preferences: {}` is always present (kubeadm util/kubeconfig CreateBasic / CreateWithCerts).
 */

/** How the user authenticates: a client certificate and key (CreateWithCerts), or a token (CreateWithToken). */
export type KubeconfigCredential = { clientCertPem: string; clientKeyPem: string } | { token: string };

export type KubeconfigContent = {
  clusterName: string;
  server: string;
  userName: string;
  caCertPem: string;
} & KubeconfigCredential;

const YAML_11_SPECIAL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
const NUMBER_LIKE = /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$|^0x[0-9a-fA-F]+$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/;

const TIMESTAMP_LIKE = /^\d{4}-\d\d?-\d\d?(?:[Tt ].*)?$/;

/**
 * A scalar as go-yaml v2 writes a string in block context: plain unless it starts with an indicator, contains
 * ": " or " #", ends with ":" or whitespace, or would read back as another type (bool, null, number, timestamp);
 * then double-quoted. Flow indicators such as "[" are fine inside a block-context plain scalar.
 */
export function yamlScalar(value: string): string {
  const plain =
    value !== '' &&
    /^[^-?:,[\]{}#&*!|>'"%@`\s][^\x00-\x1f\x7f]*$/.test(value) &&
    !/\s$/.test(value) &&
    !value.includes(': ') &&
    !value.includes(' #') &&
    !value.endsWith(':') &&
    !YAML_11_SPECIAL.test(value) &&
    !NUMBER_LIKE.test(value) &&
    !TIMESTAMP_LIKE.test(value);
  return plain ? value : JSON.stringify(value);
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

export function contextName(userName: string, clusterName: string): string {
  return `${userName}@${clusterName}`;
}

export function renderKubeconfig(c: KubeconfigContent): string {
  const context = contextName(c.userName, c.clusterName);
  return [
    'apiVersion: v1',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${base64(c.caCertPem)}`,
    `    server: ${yamlScalar(c.server)}`,
    `  name: ${yamlScalar(c.clusterName)}`,
    'contexts:',
    '- context:',
    `    cluster: ${yamlScalar(c.clusterName)}`,
    `    user: ${yamlScalar(c.userName)}`,
    `  name: ${yamlScalar(context)}`,
    `current-context: ${yamlScalar(context)}`,
    'kind: Config',
    'preferences: {}',
    'users:',
    `- name: ${yamlScalar(c.userName)}`,
    '  user:',
    ...('token' in c
      ? [`    token: ${yamlScalar(c.token)}`]
      : [`    client-certificate-data: ${base64(c.clientCertPem)}`, `    client-key-data: ${base64(c.clientKeyPem)}`]),
    '',
  ].join('\n');
}
