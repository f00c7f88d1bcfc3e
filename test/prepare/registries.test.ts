/** certs.d/<registry>/hosts.toml as containerd's docs/hosts.md describes it, and when containerd is restarted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsToml, registryFiles } from '../../src/prepare/registries.js';
import { planRuntime } from '../../src/prepare/runtime.js';
import { applyPlan, bareDebian } from './host-model.js';

test('hosts.toml: mirrors first (pull and resolve only), the registry itself last, CA and skip_verify where asked', () => {
  assert.equal(
    hostsToml('docker.io', { mirrors: ['https://mirror.example.com', 'https://mirror2.example.com:5000/v2'], ca: '/home/me/ca.pem', skipVerify: false }),
    `# Written by bootstrap prepare from the inventory (registries.endpoints).
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
    '# Written by bootstrap prepare from the inventory (registries.endpoints).\nserver = "https://registry.lab:5000"\nskip_verify = true\n',
  );
  assert.doesNotMatch(hostsToml('_default', { mirrors: ['https://m.example.com'], skipVerify: false }), /server/);
  // A plain-HTTP registry: its server says so, and is also its last host, which containerd uses as written.
  assert.equal(
    hostsToml('10.0.0.5:5000', { server: 'http://10.0.0.5:5000', mirrors: ['http://10.0.0.6:5000'], skipVerify: false }),
    `# Written by bootstrap prepare from the inventory (registries.endpoints).
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
  const settings = { configure: true };
  const registries = { 'docker.io': { mirrors: ['https://m.example.com'], skipVerify: false } };
  const state = bareDebian({
    executables: new Set(['apt-get', 'containerd']),
    versions: { containerd: '1.6.20' },
    containerdConfig: 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "registry.k8s.io/pause:3.6"\n',
  });
  const base = { settings, registries, pauseImage: 'registry.k8s.io/pause:3.9', cgroupDriver: 'systemd' as const, cas: new Map() };
  const part = planRuntime({ ...base, state });
  assert.deepEqual(part.after, [['systemctl', 'restart', 'containerd']]);
  assert.ok(part.changes.includes('containerd: sandbox_image = "registry.k8s.io/pause:3.9" (was "registry.k8s.io/pause:3.6")'));
  const after = applyPlan(state, { files: part.files, commands: part.after, changes: [], notes: [] });
  const again = planRuntime({ ...base, state: after });
  assert.deepEqual([again.files, again.after], [[], []]);
  const mirrorChanged = planRuntime({ ...base, state: after, registries: { 'docker.io': { mirrors: ['https://other.example.com'], skipVerify: false } } });
  assert.deepEqual(mirrorChanged.files.map((f) => f.path), ['/etc/containerd/certs.d/docker.io/hosts.toml']);
  assert.deepEqual(mirrorChanged.after, []);
});

test('a Docker host without registry endpoints, or a CRI-O host, keeps its configuration; RHEL without a named containerd package is refused', () => {
  const base = { settings: { configure: true }, registries: {}, pauseImage: 'p', cgroupDriver: 'systemd' as const, cas: new Map() };
  const docker = planRuntime({ ...base, state: bareDebian(), criSocket: 'unix:///var/run/dockershim.sock' });
  assert.deepEqual([docker.files, docker.packages, docker.notes, docker.after], [[], [], [], []]);
  const crio = planRuntime({ ...base, state: bareDebian(), criSocket: 'unix:///var/run/crio/crio.sock' });
  assert.deepEqual([crio.files, crio.packages, crio.notes], [[], [], ['the runtime is not containerd (unix:///var/run/crio/crio.sock): its configuration is left as it is']]);
  assert.throws(() => planRuntime({ ...base, state: bareDebian({ packageManager: 'dnf' }) }), /prepare\.containerd\.package/);
});

test('a Docker host: CAs under /etc/docker/certs.d, Docker Hub mirrors and insecure registries in daemon.json (other keys kept), one reload; a re-run changes nothing', () => {
  const registries = {
    'docker.io': { mirrors: ['https://mirror.example.com'], skipVerify: false },
    'registry.lab:5000': { mirrors: [], ca: '/home/me/ca.pem', skipVerify: false },
    '10.0.0.5:5000': { server: 'http://10.0.0.5:5000', mirrors: ['https://m2.example.com'], skipVerify: false },
    'self.example.com': { mirrors: [], skipVerify: true },
  };
  const base = { settings: { configure: true }, registries, pauseImage: 'p', cgroupDriver: 'cgroupfs' as const, cas: new Map([['/home/me/ca.pem', Buffer.from('CA')]]), criSocket: '/var/run/dockershim.sock' };
  const state = bareDebian({ dockerDaemonConfig: '{\n  "exec-opts": ["native.cgroupdriver=cgroupfs"],\n  "insecure-registries": ["old.example.com"]\n}\n' });
  const part = planRuntime({ ...base, state });
  assert.deepEqual(part.files.map((f) => f.path), ['/etc/docker/certs.d/registry.lab:5000/ca.crt', '/etc/docker/daemon.json']);
  assert.deepEqual(JSON.parse(String(part.files[1]!.content)), {
    'exec-opts': ['native.cgroupdriver=cgroupfs'],
    'insecure-registries': ['10.0.0.5:5000', 'self.example.com'],
    'registry-mirrors': ['https://mirror.example.com'],
  });
  assert.deepEqual(part.after, [['systemctl', 'reload', 'docker']]);
  assert.deepEqual(part.notes, ['registries.endpoints.10.0.0.5:5000.mirrors: Docker mirrors only Docker Hub; this Docker host pulls 10.0.0.5:5000 from the registry itself']);
  const again = planRuntime({ ...base, state: applyPlan(state, { files: part.files, commands: [], changes: [], notes: [] }) });
  assert.deepEqual([again.files, again.after], [[], []]);
  // Without endpoints in the inventory, daemon.json is not touched, whatever it holds.
  assert.deepEqual(planRuntime({ ...base, registries: {}, state }).files, []);
  assert.throws(() => planRuntime({ ...base, state: bareDebian({ dockerDaemonConfig: '{ "registry-mirrors": [' }) }), /daemon\.json is not valid JSON/);
});
