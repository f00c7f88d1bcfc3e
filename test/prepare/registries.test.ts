/** certs.d/<registry>/hosts.toml as containerd's docs/hosts.md describes it, and when containerd is restarted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsToml, registryFiles } from '../../src/prepare/registries.js';
import { planRuntime } from '../../src/prepare/runtime.js';
import { applyPlan, bareDebian } from './host-model.js';

test('hosts.toml: mirrors first (pull and resolve only), the registry itself last, CA and skip_verify where asked', () => {
  assert.equal(
    hostsToml('docker.io', { mirrors: ['https://mirror.example.com', 'https://mirror2.example.com:5000/v2'], ca: '/home/me/ca.pem', skipVerify: false }),
    `# Written by bootstrap prepare from the inventory (prepare.containerd.registries).
server = "https://registry-1.docker.io"
ca = "/etc/containerd/certs.d/docker.io/ca.crt"

[host."https://mirror.example.com"]
  capabilities = ["pull", "resolve"]
  ca = "/etc/containerd/certs.d/docker.io/ca.crt"

[host."https://mirror2.example.com:5000/v2"]
  capabilities = ["pull", "resolve"]
  ca = "/etc/containerd/certs.d/docker.io/ca.crt"
`,
  );
  assert.equal(
    hostsToml('registry.lab:5000', { mirrors: [], skipVerify: true }),
    '# Written by bootstrap prepare from the inventory (prepare.containerd.registries).\nserver = "https://registry.lab:5000"\nskip_verify = true\n',
  );
  assert.doesNotMatch(hostsToml('_default', { mirrors: ['https://m.example.com'], skipVerify: false }), /server/);
  // A plain-HTTP registry: its server says so, and is also its last host, which containerd uses as written.
  assert.equal(
    hostsToml('10.0.0.5:5000', { server: 'http://10.0.0.5:5000', mirrors: ['http://10.0.0.6:5000'], skipVerify: false }),
    `# Written by bootstrap prepare from the inventory (prepare.containerd.registries).
server = "http://10.0.0.5:5000"

[host."http://10.0.0.6:5000"]
  capabilities = ["pull", "resolve"]

[host."http://10.0.0.5:5000"]
  capabilities = ["pull", "resolve"]
`,
  );
});

test('registry files are sorted by registry, the CA copied beside its hosts.toml', () => {
  const files = registryFiles(
    { 'registry.lab:5000': { mirrors: [], ca: '/ca.pem', skipVerify: false }, 'docker.io': { mirrors: ['https://m.example.com'], skipVerify: false } },
    new Map([['/ca.pem', Buffer.from('PEM')]]),
  );
  assert.deepEqual(files.map((f) => f.path), ['/etc/containerd/certs.d/docker.io/hosts.toml', '/etc/containerd/certs.d/registry.lab:5000/hosts.toml', '/etc/containerd/certs.d/registry.lab:5000/ca.crt']);
});

test('containerd running with a stale sandbox image: config fixed and one restart; hosts.toml alone needs no restart', () => {
  const settings = { configure: true, registries: { 'docker.io': { mirrors: ['https://m.example.com'], skipVerify: false } } };
  const state = bareDebian({
    executables: new Set(['apt-get', 'containerd']),
    versions: { containerd: '1.6.20' },
    containerdConfig: 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "registry.k8s.io/pause:3.6"\n',
  });
  const base = { settings, pauseImage: 'registry.k8s.io/pause:3.9', cgroupDriver: 'systemd' as const, cas: new Map() };
  const part = planRuntime({ ...base, state });
  assert.deepEqual(part.after, [['systemctl', 'restart', 'containerd']]);
  assert.ok(part.changes.includes('containerd: sandbox_image = "registry.k8s.io/pause:3.9" (was "registry.k8s.io/pause:3.6")'));
  const after = applyPlan(state, { files: part.files, commands: part.after, changes: [], notes: [] });
  const again = planRuntime({ ...base, state: after });
  assert.deepEqual([again.files, again.after], [[], []]);
  const mirrorChanged = planRuntime({ ...base, state: after, settings: { ...settings, registries: { 'docker.io': { mirrors: ['https://other.example.com'], skipVerify: false } } } });
  assert.deepEqual(mirrorChanged.files.map((f) => f.path), ['/etc/containerd/certs.d/docker.io/hosts.toml']);
  assert.deepEqual(mirrorChanged.after, []);
});

test('a host whose runtime is not containerd keeps its configuration; RHEL without a named containerd package is refused', () => {
  const base = { settings: { configure: true, registries: {} }, pauseImage: 'p', cgroupDriver: 'systemd' as const, cas: new Map() };
  const docker = planRuntime({ ...base, state: bareDebian(), criSocket: 'unix:///var/run/dockershim.sock' });
  assert.deepEqual([docker.files, docker.packages, docker.notes], [[], [], ['the runtime is not containerd (unix:///var/run/dockershim.sock): its configuration is left as it is']]);
  assert.throws(() => planRuntime({ ...base, state: bareDebian({ packageManager: 'dnf' }) }), /prepare\.containerd\.package/);
});
