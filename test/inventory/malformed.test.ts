/**
 * Every malformed inventory under malformed/ gives exactly the expected located errors, exit code 2 and
 * no stack trace, through the real `bootstrap validate` command.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers.js';

const run = promisify(execFile);
const DIR = 'test/inventory/malformed';

/** file → the lines after "<file>:"; a line ending in "…" only has to start with what comes before it. */
const EXPECTED: Record<string, string[]> = {
  'advertise-not-ip.yaml': ['6:23: hosts[0].advertiseAddress: "cp1.lab.example" must be an IP address (the API server advertises it)'],
  'bad-address.yaml': ['5:14: hosts[0].address: "10.7.0.300" is neither an IP address nor a host name'],
  'bad-cgroup-driver.yaml': ['4:17: kubelet.cgroupDriver: must be one of systemd, cgroupfs'],
  'bad-cidr.yaml': ['4:20: cluster.networking.serviceSubnet: "10.96.0.0/33" is not a CIDR range (e.g. 10.96.0.0/12, or an IPv4,IPv6 pair for dual-stack)'],
  'bad-cri-socket.yaml': ['7:16: hosts[0].criSocket: "tcp://10.7.0.149:1234" must be a unix socket URL such as unix:///run/containerd/containerd.sock'],
  'bad-dns-domain.yaml': ['4:16: cluster.networking.dnsDomain: "Cluster_Local" is not a DNS domain'],
  'bad-duration.yaml': ['4:12: wait.timeout: "4 minutes" is not a duration: write it as kubeadm does, e.g. 4m, 90s or 1m30s'],
  'bad-endpoint.yaml': ['3:25: cluster.controlPlaneEndpoint: "https://lb.example.com:6443" must be host[:port], e.g. k8s.example.com:6443 or [fd00::1]:6443'],
  'bad-host-key.yaml': ['8:9: hosts[0].hostKeys[0]: must be an OpenSSH public key line, e.g. "ssh-ed25519 AAAAC3Nza…"'],
  'bad-image-repository.yaml': ['3:20: cluster.imageRepository: "https://registry.example.com/k8s" is not a registry or repository (e.g. registry.k8s.io or registry.example.com:5000/k8s)'],
  'bad-node-name.yaml': ['4:11: hosts[0].name: "CP_1" is not a valid node name: use a lowercase RFC 1123 name (kubeadm lowercases the hostname)'],
  'bad-pull-policy.yaml': ['4:15: images.pullPolicy: must be one of IfNotPresent, Always, Never'],
  'bad-role.yaml': ['6:13: hosts[0].roles[0]: must be one of control-plane, worker'],
  'bad-ssh-port.yaml': ['4:9: ssh.port: must be <= 65535'],
  'control-planes-without-endpoint.yaml': ["2:3: cluster.controlPlaneEndpoint: required with more than one control-plane host (cp1, cp2, cp3): the stable address of their API servers, e.g. a load balancer's lb.example.com:6443, as kubeadm join --control-plane requires"],
  'duplicate-address.yaml': ['5:26: hosts[1].address: duplicate address 10.7.0.149 (also hosts[0]); hosts behind one address need different ssh ports'],
  'duplicate-host-name.yaml': ['5:13: hosts[1].name: duplicate host name "cp1" (also hosts[0])'],
  'duplicate-key.yaml': ['3:1: map keys must be unique'],
  'duplicate-role.yaml': ['4:46: hosts[0].roles: lists a role twice'],
  'empty-file.yaml': ['1:1: an inventory is a mapping with at least "cluster" and "hosts"'],
  'empty-hosts.yaml': ['3:8: hosts: must not be empty'],
  'external-etcd-bad-endpoints.yaml': [
    '5:7: cluster.etcd.external: missing "keyFile": the client certificate\'s private key, a file on this machine; bootstrap reaches etcd only over TLS with a client certificate',
    '5:19: cluster.etcd.external.endpoints[0]: "http://10.0.0.10:2379" is not an https:// etcd client URL (e.g. https://10.0.0.10:2379); with client certificates kubeadm requires https',
    '5:42: cluster.etcd.external.endpoints[1]: "https://10.0.0.11:2379/v3" is not an https:// etcd client URL (e.g. https://10.0.0.10:2379); with client certificates kubeadm requires https',
    '5:95: cluster.etcd.external.endpoints[3]: "https://10.0.0.12:2379" is listed twice',
    '6:15: cluster.etcd.external.caFile: file not found: …',
    '7:17: cluster.etcd.external.certFile: file not found: …',
    '8:7: cluster.etcd.external.keyfile: unknown field "keyfile" (did you mean "keyFile"?)',
  ],
  'external-etcd-no-endpoints.yaml': [
    '4:15: cluster.etcd.external: missing required field "endpoints"',
    '4:15: cluster.etcd.external: missing "certFile": the client certificate the API server presents to etcd, a file on this machine; bootstrap reaches etcd only over TLS with a client certificate',
    '4:15: cluster.etcd.external: missing "keyFile": the client certificate\'s private key, a file on this machine; bootstrap reaches etcd only over TLS with a client certificate',
    '4:25: cluster.etcd.external.caFile: file not found: …',
  ],
  'external-etcd-with-local.yaml': [
    "5:15: cluster.etcd.external: cannot be used with etcd.local: kubeadm's etcd.local and etcd.external are mutually exclusive (remove one)",
    '5:62: cluster.etcd.external.caFile: file not found: …',
    '5:88: cluster.etcd.external.certFile: file not found: …',
    '5:117: cluster.etcd.external.keyFile: file not found: …',
  ],
  'extra-args-dashes.yaml': ['5:27: cluster.apiServer.extraArgs.--audit-log-maxage: write flag names without leading dashes ("audit-log-maxage")'],
  'hostname-without-advertise.yaml': ['4:5: hosts[0].advertiseAddress: required when address is a host name ("cp1.lab.example"): the API server advertises an IP address'],
  'install-bad-checksum.yaml': [
    '6:46: install.files[0].sha256: must be a SHA-256 in hex (64 characters), as sha256sum prints it',
    '7:7: install.files[1]: file not found: …',
  ],
  'install-bad-source.yaml': [
    '4:11: install.source: must be one of none, packages, files',
    '5:15: install.repository: "pkgs.k8s.io/core:/stable:/v1.28" is not a repository URL (e.g. https://pkgs.k8s.io/core:/stable:/v1.28)',
  ],
  'malformed-version.yaml': ['2:22: cluster.kubernetesVersion: kubernetesVersion "v1.28" is not valid: a patch number is required, e.g. "v1.28.0"'],
  'max-parallel-old-kubelet.yaml': ['5:26: kubelet.maxParallelImagePulls: kubelet v1.26.15 has no maxParallelImagePulls (it came in v1.27)'],
  'max-parallel-serialized.yaml': ['5:26: kubelet.maxParallelImagePulls: cannot be larger than 1 unless serializeImagePulls is set to false (kubelet rejects it)'],
  'missing-hosts.yaml': ['1:1: missing required field "hosts"'],
  'missing-patches-dir.yaml': ['3:10: patches: directory not found: …'],
  'missing-version.yaml': ['2:3: cluster: missing required field "kubernetesVersion"'],
  'negative-registry-qps.yaml': ['4:20: kubelet.registryPullQPS: must not be a negative number'],
  'no-control-plane.yaml': ['4:3: hosts: no host has the control-plane role'],
  'not-a-mapping.yaml': ['1:1: an inventory is a mapping with at least "cluster" and "hosts"'],
  'overlapping-subnets.yaml': ['4:16: cluster.networking.podSubnet: 10.96.0.0/16 overlaps the service subnet 10.96.0.0/12'],
  'prepare-not-boolean.yaml': ['3:10: prepare: must be a mapping or true or false'],
  'registries-bad-names.yaml': [
    '6:43: registries.nodeCredentials[1]: "https://10.0.0.5:5000" is not a registry: host[:port] as in image names (registry.example.com, 10.0.0.5:5000)',
    '7:24: registries.pullSecrets.name: "Registry_Creds" is not a Secret name: lower-case letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
    '7:62: registries.pullSecrets.namespaces[1]: "Apps" is not a namespace name: at most 63 lower-case letters, digits and \'-\', starting and ending with a letter or digit',
  ],
  'registries-bad-endpoints.yaml': [
    '5:26: registries.endpoints.https://docker.io: "https://docker.io" is not a registry name: host[:port] as in image names (docker.io, registry.example.com:5000) or _default',
    '5:38: registries.endpoints.https://docker.io.mirrors[0]: "mirror.example.com" is not a registry URL (e.g. https://mirror.example.com)',
    '6:57: registries.endpoints.docker.io.skipverify: unknown field "skipverify" (did you mean "skipVerify"?)',
    '7:32: registries.endpoints.10.0.0.5:5000.server: "10.0.0.5:5000" is not a registry URL (e.g. http://10.0.0.5:5000)',
    '10:17: prepare.containerd.registries: moved to registries.endpoints (the same settings, also used for Docker hosts): write it there',
  ],
  'registries-without-credentials.yaml': [
    '4:20: registries.nodeCredentials: needs images.credentials.configFile: the docker config.json on this machine that holds the registries\' credentials',
    '5:3: registries.pullSecret: unknown field "pullSecret" (did you mean "pullSecrets"?)',
  ],
  'roles-not-list.yaml': ['6:12: hosts[0].roles: must be a list'],
  'service-subnet-too-large.yaml': ['4:20: cluster.networking.serviceSubnet: 10.0.0.0/8 is too large: kubeadm allows at most 2^20 service addresses (a /12 or smaller)'],
  'several-problems.yaml': [
    '4:20: cluster.networking.serviceSubnet: "10.96.0.0" is not a CIDR range (e.g. 10.96.0.0/12, or an IPv4,IPv6 pair for dual-stack)',
    '6:13: images.parallel: must be >= 1',
    '7:12: images.retries: must be a whole number',
    '11:28: hosts[0].roles[1]: must be one of control-plane, worker',
    '13:7: hosts[0].ssh.usr: unknown field "usr" (did you mean "user"?)',
  ],
  'sudo-not-boolean.yaml': ['7:32: hosts[0].ssh.sudo: must be true or false'],
  'unknown-cluster-field.yaml': ['3:3: cluster.imageRepositry: unknown field "imageRepositry" (did you mean "imageRepository"?)'],
  'unknown-host-field.yaml': [
    '4:5: hosts[0]: missing required field "address"',
    '5:5: hosts[0].adress: unknown field "adress" (did you mean "address"?)',
  ],
  'unknown-top-field.yaml': ['1:1: missing required field "hosts"', '3:1: host: unknown field "host" (did you mean "hosts"?)'],
  'unsupported-version.yaml': ['2:22: cluster.kubernetesVersion: kubernetesVersion "v1.19.3" is not supported: bootstrap supports v1.20.0 to …'],
  'version-number.yaml': ['2:22: cluster.kubernetesVersion: must be a string (quote it: YAML reads 1.28 as a number)'],
  'yaml-syntax.yaml': ['6:5: flow sequence in block collection must be sufficiently indented and end with a ]'],
};

const files = readdirSync(`${repoRoot}/${DIR}`).filter((f) => f.endsWith('.yaml')).sort();

test('there are at least 30 malformed inventories and each has an expectation', () => {
  assert.ok(files.length >= 30, `only ${files.length} malformed inventories`);
  assert.deepEqual(files, Object.keys(EXPECTED).sort());
});

describe('malformed inventories', { concurrency: 4 }, () => {
for (const file of files) {
  test(`validate ${file}: located errors, exit 2, no stack trace`, async () => {
    const result = await run(process.execPath, ['dist/src/cli/main.js', 'validate', `${DIR}/${file}`], { cwd: repoRoot }).then(
      () => assert.fail('validate succeeded on a malformed inventory'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.doesNotMatch(result.stderr, /^\s+at /m, 'stack trace printed');
    const lines = result.stderr.trimEnd().split('\n');
    const expected = EXPECTED[file] ?? [];
    assert.equal(lines.length, expected.length, result.stderr);
    expected.forEach((want, i) => {
      const full = `${DIR}/${file}:${want}`;
      if (want.endsWith('…')) assert.ok(lines[i]?.startsWith(full.slice(0, -1)), `${lines[i]}\n!= ${full}`);
      else assert.equal(lines[i], full);
    });
  });
}
});
