/**
 * containerd's config.toml: only SystemdCgroup, the sandbox image and config_path change in an existing file,
 * every other byte stays; a new file is our minimal one in the schema of the installed containerd; a re-run
 * changes nothing. The expected texts were checked with a real TOML parser (Python's tomllib).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerdConfig } from '../../src/prepare/containerd.js';
import { PrepareError } from '../../src/prepare/plan.js';
import { getKey, setKey, splitDotted } from '../../src/prepare/toml.js';

const PAUSE = 'registry.k8s.io/pause:3.9';

/** A containerd 1.6 file as a distribution leaves it: Docker's package disables CRI, the distribution's pause is older. */
const V2 = `version = 2
root = "/var/lib/containerd"
disabled_plugins = ["cri"]

[grpc]
  address = "/run/containerd/containerd.sock"

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.6" # the distro's
    max_concurrent_downloads = 3
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          BinaryName = ""
          SystemdCgroup = false
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/opt/cni/bin"
      conf_template = """
[not a header]
"""
`;

test('an existing version 2 file: three values and disabled_plugins change in place, everything else is kept byte for byte', () => {
  const result = containerdConfig({ current: V2, containerdVersion: '1.6.20', pauseImage: PAUSE, cgroupDriver: 'systemd' });
  assert.equal(
    result.content,
    V2.replace('disabled_plugins = ["cri"]', 'disabled_plugins = []')
      .replace('"registry.k8s.io/pause:3.6" # the distro\'s', `"${PAUSE}" # the distro's`)
      .replace('SystemdCgroup = false', 'SystemdCgroup = true') +
      '\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n',
  );
  assert.deepEqual(result.changes, [
    'enable the CRI plugin (it was in disabled_plugins)',
    `sandbox_image = "${PAUSE}" (was "registry.k8s.io/pause:3.6")`,
    'SystemdCgroup = true (was false)',
    'config_path = "/etc/containerd/certs.d"',
  ]);
  const again = containerdConfig({ current: result.content, containerdVersion: '1.6.20', pauseImage: PAUSE, cgroupDriver: 'systemd' });
  assert.deepEqual(again, { content: result.content, changes: [] });
});

test('a right file is returned as it is, whatever quoting it uses; cgroupfs sets SystemdCgroup = false', () => {
  const right = `version = 2\n[plugins.'io.containerd.grpc.v1.cri']\n  sandbox_image = '${PAUSE}'\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = false\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n`;
  assert.deepEqual(containerdConfig({ current: right, pauseImage: PAUSE, cgroupDriver: 'cgroupfs' }), { content: right, changes: [] });
  const systemd = containerdConfig({ current: right, pauseImage: PAUSE, cgroupDriver: 'systemd' });
  assert.deepEqual(systemd.changes, ['SystemdCgroup = true (was false)']);
  // Another shim as the runc runtime's type is the site's choice: it stays.
  const gvisor = right.replace("'io.containerd.runc.v2'", '"io.containerd.runsc.v1"');
  assert.deepEqual(containerdConfig({ current: gvisor, pauseImage: PAUSE, cgroupDriver: 'cgroupfs' }).changes, []);
});

test('a runc table without runtime_type (containerd then fails every sandbox: "container.Runtime.Name must be set") gets containerd\'s default type', () => {
  // Debian's containerd package ships a version 2 file without any runtimes table.
  const debian = `version = 2\n[plugins]\n  [plugins."io.containerd.grpc.v1.cri"]\n    [plugins."io.containerd.grpc.v1.cri".cni]\n      bin_dir = "/usr/lib/cni"\n`;
  const result = containerdConfig({ current: debian, pauseImage: PAUSE, cgroupDriver: 'cgroupfs' });
  assert.equal(getKey(result.content, ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes', 'runc'], 'runtime_type'), 'io.containerd.runc.v2');
  assert.equal(getKey(result.content, ['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes', 'runc', 'options'], 'SystemdCgroup'), false);
  assert.ok(result.content.indexOf('runtimes.runc]') < result.content.indexOf('runtimes.runc.options]'), 'the runtime before its options');
  assert.ok(result.changes.includes('runtime_type = "io.containerd.runc.v2"'));
  const onlyOptions = `version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n`;
  assert.deepEqual(containerdConfig({ current: onlyOptions, pauseImage: PAUSE, cgroupDriver: 'systemd' }).changes.filter((c) => c.startsWith('runtime_type')), ['runtime_type = "io.containerd.runc.v2"']);
});

test('a version 3 file (containerd 2): the pinned sandbox image under cri.v1.images, SystemdCgroup under cri.v1.runtime', () => {
  const v3 = `version = 3\n\n[plugins]\n  [plugins.'io.containerd.cri.v1.images']\n    snapshotter = 'overlayfs'\n\n    [plugins.'io.containerd.cri.v1.images'.pinned_images]\n      sandbox = 'registry.k8s.io/pause:3.10'\n\n    [plugins.'io.containerd.cri.v1.images'.registry]\n      config_path = ''\n`;
  const result = containerdConfig({ current: v3, containerdVersion: '2.0.1', pauseImage: PAUSE, cgroupDriver: 'systemd' });
  assert.equal(
    result.content,
    `version = 3\n\n[plugins]\n  [plugins.'io.containerd.cri.v1.images']\n    snapshotter = 'overlayfs'\n\n    [plugins.'io.containerd.cri.v1.images'.pinned_images]\n      sandbox = "${PAUSE}"\n\n    [plugins.'io.containerd.cri.v1.images'.registry]\n      config_path = "/etc/containerd/certs.d"\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]\n  SystemdCgroup = true\n`,
  );
});

test('no file: version 2 for containerd 1.x or a containerd not installed yet (2.x reads it too), version 3 for 2.x', () => {
  const v2 = containerdConfig({ pauseImage: PAUSE, cgroupDriver: 'systemd' });
  assert.equal(
    v2.content,
    `version = 2\n\n[plugins."io.containerd.grpc.v1.cri"]\n  sandbox_image = "${PAUSE}"\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  runtime_type = "io.containerd.runc.v2"\n\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n`,
  );
  assert.equal(v2.changes.length, 4);
  const v3 = containerdConfig({ pauseImage: PAUSE, cgroupDriver: 'systemd', containerdVersion: '2.1.4' });
  assert.match(v3.content, /^version = 3\n\n\[plugins\.'io\.containerd\.cri\.v1\.images'\.pinned_images\]\n {2}sandbox = /);
  // A file of comments only (as some packages ship it) configures nothing: ours replaces it.
  assert.equal(containerdConfig({ current: '# see containerd config default\n', pauseImage: PAUSE, cgroupDriver: 'systemd' }).content, v2.content);
});

test('refused rather than guessed: a version 1 file, mirrors in the old registry table, a key spelt as dotted keys of a parent', () => {
  assert.throws(() => containerdConfig({ current: '[plugins.cri]\n  sandbox_image = "x"\n', pauseImage: PAUSE, cgroupDriver: 'systemd' }), (e: unknown) => e instanceof PrepareError && /version 1 configuration.*containerd config migrate/.test(e.message));
  const mirrors = `version = 2\n[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\n  endpoint = ["https://mirror.example.com"]\n`;
  assert.throws(() => containerdConfig({ current: mirrors, pauseImage: PAUSE, cgroupDriver: 'systemd' }), /registry mirrors in \[plugins\.io\.containerd\.grpc\.v1\.cri\.registry\.mirrors\.docker\.io\].*hosts\.toml/);
  const dotted = `version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]\n  options.SystemdCgroup = false\n`;
  assert.throws(() => containerdConfig({ current: dotted, pauseImage: PAUSE, cgroupDriver: 'systemd' }), /dotted keys or an inline table/);
});

test('toml: headers split with quotes, values read through comments, and a "[" inside a multi-line array is no header', () => {
  assert.deepEqual(splitDotted(`plugins."io.containerd.grpc.v1.cri" . 'a.b'.c`), ['plugins', 'io.containerd.grpc.v1.cri', 'a.b', 'c']);
  const text = `[a]\n  list = [\n    "[b]",\n  ]\n  x = "#not a comment" # a comment\n[b]\n  x = 1\n`;
  assert.equal(getKey(text, ['a'], 'x'), '#not a comment');
  assert.equal(getKey(text, ['b'], 'x'), 1);
  assert.equal(setKey(text, ['a'], '[a]', 'x', 'y'), text.replace('"#not a comment"', '"y"'));
  assert.equal(setKey(text, ['a'], '[a]', 'z', true), text.replace('# a comment\n', '# a comment\n  z = true\n'));
});
