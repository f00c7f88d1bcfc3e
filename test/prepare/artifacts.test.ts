/**
 * install.source: files (air-gapped): every file is verified against its SHA-256 before any plan exists, and a
 * wrong or missing checksum refuses them all; binaries of another architecture are refused; binaries land in
 * /usr/bin with kubelet's unit and kubeadm's drop-in, packages are uploaded and installed; a re-run does nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifactKind, KUBELET_UNIT, KUBELET_UNIT_PATH, parseChecksums, planArtifacts, verifyArtifacts, type Artifact } from '../../src/prepare/artifacts.js';
import { planPrepare, type PrepareInput } from '../../src/prepare/index.js';
import { PrepareError } from '../../src/prepare/plan.js';
import { KUBEADM_DROPIN, KUBEADM_DROPIN_PATH } from '../../src/kubelet/dropin.js';
import { contentHash } from '../../src/transport/host.js';
import { kubeVersion } from '../../src/kube/version.js';
import { applyPlan, bareDebian } from './host-model.js';

/** The first 20 bytes of an ELF executable for a machine (e_machine at offset 18, little-endian), then a body. */
function elf(machine: number, body: string): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt32BE(0x7f454c46, 0);
  header[4] = 2; // 64-bit
  header[5] = 1; // little-endian
  header.writeUInt16LE(machine, 18);
  return Buffer.concat([header, Buffer.from(body)]);
}
const X86_64 = 62;
const AARCH64 = 183;

const kubelet: Artifact = { path: '/srv/k8s/kubelet', bytes: elf(X86_64, 'kubelet v1.28.4') };
const crictl: Artifact = { path: '/srv/k8s/crictl', bytes: elf(X86_64, 'crictl v1.28.0') };
const sums = (list: Artifact[]) => list.map((a) => `${contentHash(a.bytes)}  ${a.path.split('/').pop()}\n`).join('');

test('checksums: every file needs a matching SHA-256, from the inventory or the checksums file; all failures are named at once', () => {
  assert.deepEqual(verifyArtifacts([kubelet, crictl], sums([kubelet, crictl])).map((a) => a.verified), [true, true]);
  assert.equal(verifyArtifacts([{ ...kubelet, sha256: contentHash(kubelet.bytes) }]).length, 1);
  const tampered = { ...kubelet, bytes: Buffer.concat([kubelet.bytes, Buffer.from('!')]) };
  assert.throws(
    () => verifyArtifacts([tampered, crictl], sums([kubelet])),
    (e: unknown) =>
      e instanceof PrepareError &&
      e.message ===
        `refusing to install unverified files:\n  /srv/k8s/kubelet: SHA-256 is ${contentHash(tampered.bytes)}, expected ${contentHash(kubelet.bytes)}\n  /srv/k8s/crictl: no SHA-256 for it (install.files[].sha256, or a line in install.checksums)`,
  );
  // The inventory's sha256 wins over the file's line.
  assert.throws(() => verifyArtifacts([{ ...kubelet, sha256: '0'.repeat(64) }], sums([kubelet])), /expected 0000/);
  assert.deepEqual([...parseChecksums(`${'A'.repeat(64)} *dir/kubelet\nnot a line\n`)], [['kubelet', 'a'.repeat(64)]]);
});

test('file names: .deb and .rpm as their build tools name them, binaries by name; anything else is refused', () => {
  assert.deepEqual(artifactKind('/x/kubelet_1.28.4-1.1_amd64.deb'), { type: 'deb', name: 'kubelet', version: '1.28.4-1.1', arch: 'amd64' });
  assert.deepEqual(artifactKind('/x/cri-tools-1.28.0-150500.1.1.x86_64.rpm'), { type: 'rpm', name: 'cri-tools', version: '1.28.0-150500.1.1', arch: 'x86_64' });
  assert.deepEqual(artifactKind('/x/crictl'), { type: 'binary', name: 'crictl' });
  assert.throws(() => artifactKind('/x/crictl-v1.28.0-linux-amd64.tar.gz'), PrepareError);
});

function files(state = bareDebian(), artifacts: Artifact[] = [kubelet, crictl], allowVersionChange = false): PrepareInput {
  return {
    version: kubeVersion('v1.28.4'),
    imageRepository: 'registry.k8s.io',
    cgroupDriver: 'systemd',
    ipv4: true,
    ipv6: false,
    keepSwap: false,
    prepare: { enabled: true, containerd: { configure: true } },
    registries: {},
    install: { source: 'files', kubeadm: false, allowVersionChange, files: [] },
    state,
    cas: new Map(),
    artifacts: verifyArtifacts(artifacts, sums(artifacts)),
  };
}

test('binaries: /usr/bin, 0755, with the kubelet unit and kubeadm\'s drop-in; daemon-reload and enable; nothing on a re-run', () => {
  const state = bareDebian();
  const plan = planPrepare(files(state));
  const written = new Map(plan.files.map((f) => [f.path, f]));
  assert.equal(written.get('/usr/bin/kubelet')?.mode, 0o755);
  assert.equal(written.get('/usr/bin/crictl')?.content, crictl.bytes);
  assert.equal(written.get(KUBELET_UNIT_PATH)?.content, KUBELET_UNIT);
  assert.equal(written.get(KUBEADM_DROPIN_PATH)?.content, KUBEADM_DROPIN);
  assert.deepEqual(plan.commands.slice(-3), [['systemctl', 'enable', '--now', 'containerd'], ['systemctl', 'daemon-reload'], ['systemctl', 'enable', 'kubelet']]);
  assert.deepEqual(planPrepare(files(applyPlan(state, plan))), { files: [], commands: [], changes: [], notes: [] });
});

test('a binary for another architecture, or a package for the wrong package manager or version, is refused', () => {
  const arm = { ...kubelet, bytes: elf(AARCH64, 'kubelet') };
  assert.throws(() => planPrepare(files(bareDebian(), [arm])), /\/srv\/k8s\/kubelet: built for another architecture than the host's x86_64/);
  const rpm: Artifact = { path: '/srv/k8s/kubelet-1.28.4-150500.1.1.x86_64.rpm', bytes: Buffer.from('rpm') };
  assert.throws(() => planPrepare(files(bareDebian(), [rpm])), /a \.rpm package, and the host's package manager is apt/);
  const old: Artifact = { path: '/srv/k8s/kubelet_1.27.3-1.1_amd64.deb', bytes: Buffer.from('deb') };
  assert.throws(() => planPrepare(files(bareDebian(), [old])), /kubelet 1\.27\.3-1\.1 is not the cluster's version v1\.28\.4/);
});

test('packages: uploaded to /var/lib/bootstrap/packages and installed by apt-get from there; nothing on a re-run', () => {
  const debs: Artifact[] = [
    { path: '/srv/k8s/kubelet_1.28.4-1.1_amd64.deb', bytes: Buffer.from('kubelet deb') },
    { path: '/srv/k8s/cri-tools_1.28.0-1.1_amd64.deb', bytes: Buffer.from('cri-tools deb') },
  ];
  const state = bareDebian();
  const plan = planPrepare(files(state, debs));
  assert.deepEqual(
    plan.files.filter((f) => f.path.startsWith('/var/lib/bootstrap/')).map((f) => [f.path, f.mode]),
    [['/var/lib/bootstrap/packages/kubelet_1.28.4-1.1_amd64.deb', 0o644], ['/var/lib/bootstrap/packages/cri-tools_1.28.0-1.1_amd64.deb', 0o644]],
  );
  assert.ok(!plan.files.some((f) => f.path === KUBELET_UNIT_PATH), 'the package brings its own unit');
  const install = plan.commands.find((c) => c[3] === 'install')!;
  assert.deepEqual(install.slice(-2), ['/var/lib/bootstrap/packages/kubelet_1.28.4-1.1_amd64.deb', '/var/lib/bootstrap/packages/cri-tools_1.28.0-1.1_amd64.deb']);
  assert.deepEqual(planPrepare(files(applyPlan(state, plan), debs)), { files: [], commands: [], changes: [], notes: [] });
});

test('a kubelet binary of another version already there is reported and kept, unless allowVersionChange', () => {
  const state = bareDebian({ executables: new Set(['apt-get', 'kubelet', 'crictl']), versions: { kubelet: 'v1.27.3', crictl: 'v1.27.0' } });
  const part = planArtifacts({ artifacts: verifyArtifacts([kubelet, crictl], sums([kubelet, crictl])), state, version: kubeVersion('v1.28.4'), allowVersionChange: false });
  assert.ok(!part.files.some((f) => f.path.startsWith('/usr/bin/')), 'neither kubelet nor the crictl already there is replaced');
  assert.deepEqual(part.notes, ['kubelet v1.27.3 is installed and the cluster is v1.28.4: left alone (install.allowVersionChange: true replaces it)']);
  const allowed = planArtifacts({ artifacts: verifyArtifacts([kubelet], sums([kubelet])), state, version: kubeVersion('v1.28.4'), allowVersionChange: true });
  assert.deepEqual(allowed.files.map((f) => f.path), ['/usr/bin/kubelet', KUBELET_UNIT_PATH, KUBEADM_DROPIN_PATH]);
  assert.deepEqual(allowed.after.at(-1), ['systemctl', 'try-restart', 'kubelet'], 'the replaced kubelet is restarted if it runs');
  assert.ok(!part.after.some((c) => c.includes('try-restart')));
  const fresh = planArtifacts({ artifacts: verifyArtifacts([kubelet], sums([kubelet])), state: bareDebian({ executables: new Set(['apt-get']) }), version: kubeVersion('v1.28.4'), allowVersionChange: false });
  assert.ok(!fresh.after.some((c) => c.includes('try-restart')), 'a first kubelet is started by kubelet-start, not here');
});
