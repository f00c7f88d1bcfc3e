/**
 * The lab's crictl and kubelet stand-ins against a real containerd (a private one started for the test, see
 * e2e/lab/standins/local-containerd.ts): static pods run, crictl prints real crictl's JSON shapes, a manifest
 * change replaces the pod, a crashing container is restarted with the kubelet's back-off, a restarted kubelet
 * adopts its pods. Pure parts (flags, JSON spelling, log format, back-off arithmetic) are checked without it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseGoDuration, parsePflag, parseUrfave, UsageError } from './lab/standins/args.js';
import { protoJson, statusDataJson } from './lab/standins/cri/json.js';
import { kubeletFlags, parseKubeletFlags } from './lab/standins/kubelet/flags.js';
import { credentialsFor, readNodeDockerConfig, repositoryOf } from './lab/standins/kubelet/keyring.js';
import { defaultPullPolicy, parseStaticPod } from './lab/standins/kubelet/pod.js';
import { Backoff } from './lab/standins/kubelet/worker.js';
import { buildStandinsBundle, installStandins, runtimePackageClosure } from './lab/standins/install.js';
import { LOCAL_BUSYBOX_IMAGE, LOCAL_PAUSE_IMAGE, startLocalContainerd, type LocalContainerd } from './lab/standins/local-containerd.js';
import { parseCriLog } from './lab/standins/logs.js';
import { DockerCli } from './lab/docker.js';
import { registryStatus } from './lab/registry.js';
import { freePort, makeCert, makeKubeadmPki, manifestCommand, rewriteCommand, start, waitFor, writeKubeconfig, type Running } from './lab/images/test-pki.js';
import { ensureDebianPackages } from './lab/packages.js';
import { type LabState } from './lab/state.js';
import { labUnavailable, leaseLab, type LabLease } from './lab/testing.js';
import { catalogImages } from '../src/kube/images.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const CRICTL = join(here, 'lab', 'standins', 'crictl.js');
const KUBELET = join(here, 'lab', 'standins', 'kubelet.js');

describe('stand-in command lines and formats (no runtime needed)', () => {
  it('parses crictl flags like urfave/cli: flags before arguments, combined short booleans, env fallbacks', () => {
    const specs = [
      { name: 'all', aliases: ['a'], kind: 'bool' as const },
      { name: 'quiet', aliases: ['q'], kind: 'bool' as const },
      { name: 'output', aliases: ['o'], kind: 'string' as const },
      { name: 'creds', kind: 'string' as const, env: 'CRICTL_CREDS' },
    ];
    assert.deepEqual(parseUrfave(['-aq', '-o', 'json', 'x', '--all'], specs, {}), { values: { all: true, quiet: true, output: 'json' }, args: ['x', '--all'] });
    assert.deepEqual(parseUrfave(['--output=yaml'], specs, { CRICTL_CREDS: 'u:p' }), { values: { output: 'yaml', creds: 'u:p' }, args: [] });
    assert.throws(() => parseUrfave(['--nope'], specs, {}), { message: 'flag provided but not defined: -nope' });
  });

  it('parses kubelet flags like pflag and rejects flags the version no longer has', () => {
    assert.deepEqual(parsePflag(['--config=/c.yaml', '--v', '2', '--fail-swap-on=false'], kubeletFlags('v1.28.4')).values, { config: '/c.yaml', v: 2, 'fail-swap-on': false });
    assert.throws(() => parseKubeletFlags(['--container-runtime=remote'], 'v1.27.0'), { message: 'failed to parse kubelet flag: unknown flag: --container-runtime' });
    assert.equal(parseKubeletFlags(['--container-runtime=remote'], 'v1.26.9').values['container-runtime'], 'remote');
    assert.throws(() => parseKubeletFlags(['--network-plugin=cni'], 'v1.24.0'), { message: 'failed to parse kubelet flag: unknown flag: --network-plugin' });
    assert.equal(parseKubeletFlags(['--network-plugin=cni'], 'v1.23.17').values['network-plugin'], 'cni');
    assert.throws(() => parseKubeletFlags(['--pod-infra-container-image=x'], 'v1.35.0'), UsageError);
    assert.equal(parseKubeletFlags(['--pod-infra-container-image=x'], 'v1.34.2').values['pod-infra-container-image'], 'x');
  });

  it('reads Go durations', () => {
    assert.equal(parseGoDuration('2s'), 2000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('500ms'), 500);
    assert.throws(() => parseGoDuration('2'), { message: 'time: invalid duration "2"' });
  });

  it('spells CRI messages as protojson: declaration order, defaults present, null sub-messages absent, sorted maps', () => {
    const image = { repoTags: ['a:1'], repoDigests: [], id: 'sha256:x', size: '42', uid: null, username: '', spec: { image: 'i', annotations: { z: '1', a: '2' }, userSpecifiedImage: '', runtimeHandler: '', imageRef: '' }, pinned: false };
    assert.equal(
      protoJson('ListImagesResponse', { images: [image] }),
      JSON.stringify({ images: [{ id: 'sha256:x', repoTags: ['a:1'], repoDigests: [], size: '42', username: '', spec: { image: 'i', annotations: { a: '2', z: '1' }, userSpecifiedImage: '', runtimeHandler: '', imageRef: '' }, pinned: false }] }, null, 2),
    );
    assert.equal(
      statusDataJson([{ status: { type: 'Image', value: image }, info: { b: '{"y":1,"x":2}', a: '"quoted"' } }]),
      JSON.stringify({ a: 'quoted', b: { x: 2, y: 1 }, status: { id: 'sha256:x', pinned: false, repoDigests: [], repoTags: ['a:1'], size: '42', spec: { annotations: { a: '2', z: '1' }, image: 'i', imageRef: '', runtimeHandler: '', userSpecifiedImage: '' }, username: '' } }, null, 2),
    );
  });

  it('joins partial CRI log lines', () => {
    const log = '2026-01-01T00:00:00.1Z stdout P hel\n2026-01-01T00:00:00.2Z stdout F lo\n2026-01-01T00:00:00.3Z stderr F oops\n';
    assert.deepEqual(parseCriLog(log), [
      { time: '2026-01-01T00:00:00.1Z', stream: 'stdout', text: 'hello' },
      { time: '2026-01-01T00:00:00.3Z', stream: 'stderr', text: 'oops' },
    ]);
  });

  it('defaults imagePullPolicy and finds registry credentials as the kubelet does', () => {
    assert.equal(defaultPullPolicy('reg:5000/etcd:3.5.9-0'), 'IfNotPresent');
    assert.equal(defaultPullPolicy('reg:5000/etcd'), 'Always');
    assert.equal(defaultPullPolicy('reg:5000/etcd:latest'), 'Always');
    assert.equal(defaultPullPolicy('reg:5000/etcd@sha256:abc'), 'IfNotPresent');
    assert.equal(repositoryOf('10.77.0.1:5001/pause:3.9'), '10.77.0.1:5001/pause');
    assert.equal(repositoryOf('library/busybox:1'), 'docker.io/library/busybox');
    const dir = mkdtempSync(join(tmpdir(), 'lab-keyring-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ auths: { 'http://10.77.0.1:5001': { auth: Buffer.from('lab:s3cret').toString('base64') } } }));
    const node = readNodeDockerConfig(dir, join(dir, 'no-home'));
    assert.deepEqual(credentialsFor('10.77.0.1:5001/kube-apiserver:v1.28.4', [], node), [{ username: 'lab', password: 's3cret' }]);
    assert.deepEqual(credentialsFor('10.77.0.1:5000/kube-apiserver:v1.28.4', [], node), []);
    rmSync(dir, { recursive: true });
  });

  it('backs off 0 s, 10 s, 20 s … 300 s and starts over after 10 quiet minutes', () => {
    const b = new Backoff();
    const t0 = 1_000_000;
    assert.equal(b.remaining('c', t0, t0), 0);
    assert.equal(b.next('c', t0), 10_000);
    assert.equal(b.remaining('c', t0 + 1000, t0 + 4000), 7000);
    assert.equal(b.next('c', t0 + 11_000), 20_000);
    let delay = 0;
    for (let i = 0; i < 6; i++) delay = b.next('c', t0 + 12_000 + i);
    assert.equal(delay, 300_000);
    assert.equal(b.remaining('c', t0, t0 + 12_005 + 600_001), 0);
    assert.equal(b.next('c', t0 + 12_005 + 600_001), 10_000);
  });

  it('names static pods <name>-<node> with a uid that changes with the manifest', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: etcd, namespace: kube-system}\nspec: {containers: [{name: etcd, image: r/etcd:3.5.9-0}]}\n';
    const a = parseStaticPod('/m/etcd.yaml', text, 'cp1');
    const b = parseStaticPod('/m/etcd.yaml', text + '# changed\n', 'cp1');
    assert.equal(a.name, 'etcd-cp1');
    assert.equal(a.namespace, 'kube-system');
    assert.equal(a.containers[0]?.imagePullPolicy, 'IfNotPresent');
    assert.notEqual(a.uid, b.uid);
    assert.match(a.uid, /^[0-9a-f]{32}$/);
  });
});

describe('the stand-in bundle a lab node receives', { timeout: 120_000 }, () => {
  it('runs from its own tree with only the packaged node_modules', async () => {
    const repoRoot = join(here, '..', '..');
    assert.deepEqual(
      runtimePackageClosure(join(repoRoot, 'node_modules')).filter((n) => n.startsWith('@grpc/') || n === 'yaml' || n === 'semver' || n === 'protobufjs'),
      ['@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'semver', 'yaml'],
    );
    const tar = await buildStandinsBundle(repoRoot);
    const root = mkdtempSync(join(tmpdir(), 'lab-bundle-'));
    try {
      assert.equal(spawnSync('tar', ['-C', root, '-xf', tar]).status, 0);
      const listing = spawnSync('tar', ['-tvf', tar], { encoding: 'utf8' }).stdout;
      assert.match(listing, /^-rwxr-xr-x root\/root .* \.\/usr\/bin\/kubelet$/m);
      assert.match(listing, /^-rw------- root\/root .* \.\/usr\/lib\/systemd\/system\/kubelet\.service$/m);
      assert.doesNotMatch(listing, / \.\/lib\//, 'nothing under /lib (a symlink on merged-/usr Debian)');
      const opt = join(root, 'opt', 'bootstrap-lab');
      const env = { PATH: '/usr/bin:/bin', BOOTSTRAP_LAB_VERSION_FILE: join(root, 'version') };
      writeFileSync(join(root, 'version'), 'v1.29.1\n');
      const run = (script: string, ...args: string[]): string =>
        spawnSync(join(opt, 'node'), [join(opt, 'dist', 'e2e', 'lab', 'standins', script), ...args], { encoding: 'utf8', env, cwd: root }).stdout;
      assert.equal(run('kubelet.js', '--version'), 'Kubernetes v1.29.1\n');
      assert.equal(run('crictl.js', '--version'), 'crictl version v1.29.0 (bootstrap e2e lab stand-in)\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function crictl(endpoint: string, ...args: string[]): RunResult {
  const r = spawnSync(process.execPath, [CRICTL, '-r', endpoint, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

function crictlJson(endpoint: string, ...args: string[]): any {
  const r = crictl(endpoint, ...args);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function eventually<T>(what: string, timeoutMs: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs wherever the lab can (root on Linux): the packages are installed in before(), never a reason to skip. */
const LOCAL_CONTAINERD_PACKAGES = ['containerd', 'runc', 'umoci', 'skopeo'];

describe('kubelet and crictl stand-ins on a real containerd', { skip: labUnavailable(), timeout: 240_000 }, () => {
  let ctd: LocalContainerd;
  let work: string;
  let manifests: string;
  let kubelet: ChildProcess | undefined;
  let kubeletLog = '';
  const healthzPort = 20000 + (process.pid % 20000);

  const startKubelet = (): void => {
    kubelet = spawn(process.execPath, [KUBELET, '--config', join(work, 'config.yaml'), '--container-runtime-endpoint', ctd.endpoint, '--root-dir', join(work, 'kubelet'), '--hostname-override', 'Node-A'], {
      env: { ...process.env, BOOTSTRAP_LAB_VERSION_FILE: join(work, 'version') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    kubelet.stdout!.on('data', (b: Buffer) => (kubeletLog += b.toString()));
    kubelet.stderr!.on('data', (b: Buffer) => (kubeletLog += b.toString()));
  };
  const stopKubelet = async (): Promise<void> => {
    if (!kubelet || kubelet.exitCode !== null) return;
    const exited = new Promise((r) => kubelet!.once('exit', r));
    kubelet.kill('SIGTERM');
    await exited;
  };
  /** Writes a manifest the way editors and kubeadm do: a temp file renamed into place. */
  const writeManifest = (name: string, text: string): void => {
    const tmp = join(work, `.${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(manifests, name));
  };
  const pods = (name: string): any[] => crictlJson(ctd.endpoint, 'pods', '--name', name, '-o', 'json').items;
  const containers = (podId: string, all = false): any[] => crictlJson(ctd.endpoint, 'ps', ...(all ? ['-a'] : []), '--pod', podId, '-o', 'json').containers;

  before(async () => {
    await ensureDebianPackages(LOCAL_CONTAINERD_PACKAGES);
    ctd = await startLocalContainerd();
    work = join(ctd.dir, 'node');
    manifests = join(work, 'manifests');
    mkdirSync(join(work, 'hostdata'), { recursive: true });
    mkdirSync(manifests);
    writeFileSync(join(work, 'hostdata', 'greeting'), 'hello from the host\n');
    writeFileSync(join(work, 'version'), 'v1.28.4\n');
    writeFileSync(
      join(work, 'config.yaml'),
      [
        'apiVersion: kubelet.config.k8s.io/v1beta1',
        'kind: KubeletConfiguration',
        `staticPodPath: ${manifests}`,
        `healthzPort: ${healthzPort}`,
        'healthzBindAddress: 127.0.0.1',
        `podLogsDir: ${join(work, 'pod-logs')}`,
        'serializeImagePulls: false',
        'maxParallelImagePulls: 2',
        '',
      ].join('\n'),
    );
    startKubelet();
  });

  after(async () => {
    await stopKubelet();
    if (ctd) {
      crictl(ctd.endpoint, 'rmp', '-f', '-a');
      await ctd.close();
    }
  });

  it('prints the lab version and serves /healthz', async () => {
    const version = spawnSync(process.execPath, [KUBELET, '--version'], { encoding: 'utf8', env: { ...process.env, BOOTSTRAP_LAB_VERSION_FILE: join(work, 'version') } });
    assert.equal(version.stdout, 'Kubernetes v1.28.4\n');
    let body = '';
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      try {
        body = await (await fetch(`http://127.0.0.1:${healthzPort}/healthz`)).text();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    assert.equal(body, 'ok');
  });

  it('exits like the real kubelet on a removed flag and on a missing config file', () => {
    const env = { ...process.env, BOOTSTRAP_LAB_VERSION_FILE: join(work, 'version') };
    const removed = spawnSync(process.execPath, [KUBELET, '--container-runtime=remote'], { encoding: 'utf8', env });
    assert.equal(removed.status, 1);
    assert.match(removed.stdout, /"command failed" err="failed to parse kubelet flag: unknown flag: --container-runtime"/);
    const missing = spawnSync(process.execPath, [KUBELET, '--config=/nonexistent/config.yaml'], { encoding: 'utf8', env });
    assert.equal(missing.status, 1);
    assert.match(missing.stdout, /failed to load kubelet config file, path: \/nonexistent\/config.yaml/);
    const noKubeconfig = spawnSync(
      process.execPath,
      [KUBELET, `--config=${join(work, 'config.yaml')}`, '--bootstrap-kubeconfig=/nonexistent/bootstrap-kubelet.conf', '--kubeconfig=/nonexistent/kubelet.conf'],
      { encoding: 'utf8', env },
    );
    assert.equal(noKubeconfig.status, 1);
    assert.match(noKubeconfig.stdout, /unable to load bootstrap kubeconfig: stat \/nonexistent\/bootstrap-kubelet.conf: no such file or directory/);
  });

  it('runs a two-container static pod that crictl lists in crictl JSON shapes', async () => {
    writeManifest(
      'web.yaml',
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: web, namespace: kube-system, labels: {component: web, tier: control-plane}}',
        'spec:',
        '  hostNetwork: true',
        '  terminationGracePeriodSeconds: 5',
        '  containers:',
        '  - name: reader',
        `    image: ${LOCAL_BUSYBOX_IMAGE}`,
        '    command: [sh, -c]',
        '    args: [\'cat /data/greeting; echo "GREETING_ENV=$GREETING"; trap "exit 0" TERM; while true; do sleep 1; done\']',
        '    env: [{name: GREETING, value: salut}]',
        '    volumeMounts: [{name: data, mountPath: /data, readOnly: true}]',
        '  - name: sleeper',
        `    image: ${LOCAL_BUSYBOX_IMAGE}`,
        '    imagePullPolicy: Never',
        '    command: [sh, -c, \'trap "exit 0" TERM; while true; do sleep 1; done\']',
        '  volumes:',
        `  - {name: data, hostPath: {path: ${join(work, 'hostdata')}, type: Directory}}`,
        '',
      ].join('\n'),
    );
    const [pod] = await eventually('the web pod', 30_000, () => {
      const items = pods('^web-node-a$');
      return items.length === 1 && items[0].state === 'SANDBOX_READY' && containers(items[0].id).length === 2 ? items : undefined;
    });
    assert.deepEqual(Object.keys(pod), ['id', 'metadata', 'state', 'createdAt', 'labels', 'annotations', 'runtimeHandler']);
    assert.deepEqual(pod.metadata, { name: 'web-node-a', uid: pod.labels['io.kubernetes.pod.uid'], namespace: 'kube-system', attempt: 0 });
    assert.deepEqual(pod.labels, {
      component: 'web',
      'io.kubernetes.pod.name': 'web-node-a',
      'io.kubernetes.pod.namespace': 'kube-system',
      'io.kubernetes.pod.uid': pod.metadata.uid,
      tier: 'control-plane',
    });
    assert.equal(pod.annotations['kubernetes.io/config.source'], 'file');
    assert.match(pod.createdAt, /^\d{19}$/);

    const running = containers(pod.id);
    assert.deepEqual(running.map((c) => c.metadata.name).sort(), ['reader', 'sleeper']);
    const reader = running.find((c) => c.metadata.name === 'reader');
    assert.deepEqual(Object.keys(reader), ['id', 'podSandboxId', 'metadata', 'image', 'imageRef', 'state', 'createdAt', 'labels', 'annotations', 'imageId']);
    assert.equal(reader.state, 'CONTAINER_RUNNING');
    assert.deepEqual(reader.metadata, { name: 'reader', attempt: 0 });
    assert.equal(reader.labels['io.kubernetes.container.name'], 'reader');
    assert.equal(reader.annotations['io.kubernetes.container.restartCount'], '0');

    const inspected = crictlJson(ctd.endpoint, 'inspect', reader.id);
    assert.equal(inspected.status.state, 'CONTAINER_RUNNING');
    assert.match(inspected.status.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(inspected.status.finishedAt, '0001-01-01T00:00:00Z');
    assert.deepEqual(
      inspected.status.mounts.find((m: any) => m.containerPath === '/data'),
      { containerPath: '/data', gidMappings: [], hostPath: join(work, 'hostdata'), imageSubPath: '', propagation: 'PROPAGATION_PRIVATE', readonly: true, recursiveReadOnly: false, selinuxRelabel: false, uidMappings: [] },
    );
    const inspectedPod = crictlJson(ctd.endpoint, 'inspectp', pod.id);
    assert.equal(inspectedPod.status.state, 'SANDBOX_READY');
    assert.equal(inspectedPod.status.metadata.name, 'web-node-a');
    const yaml = crictl(ctd.endpoint, 'pods', '--name', '^web-node-a$', '-o', 'yaml').stdout;
    assert.match(yaml, /^items:\n- annotations:\n    kubernetes\.io\/config\.hash: [0-9a-f]{32}\n/);
    assert.match(yaml, /\n  state: SANDBOX_READY\n/);
    const quiet = crictl(ctd.endpoint, 'ps', '-q', '--name', '^reader$');
    assert.equal(quiet.stdout, `${reader.id}\n`);
    const logs = await eventually('reader output', 10_000, () => {
      const out = crictl(ctd.endpoint, 'logs', reader.id).stdout;
      return out.includes('GREETING_ENV') ? out : undefined;
    });
    assert.equal(logs, 'hello from the host\nGREETING_ENV=salut\n');
    assert.equal(crictl(ctd.endpoint, 'logs', '--tail', '1', reader.id).stdout, 'GREETING_ENV=salut\n');

    const images = crictlJson(ctd.endpoint, 'images', '-o', 'json').images;
    assert.deepEqual(images.map((i: any) => i.repoTags[0]), [LOCAL_BUSYBOX_IMAGE, LOCAL_PAUSE_IMAGE]);
    assert.deepEqual(Object.keys(images[0]), ['id', 'repoTags', 'repoDigests', 'size', 'username', 'pinned']);
    assert.match(images[0].size, /^\d+$/);
    const inspect = crictlJson(ctd.endpoint, 'inspecti', LOCAL_BUSYBOX_IMAGE);
    assert.deepEqual(Object.keys(inspect.status), ['id', 'pinned', 'repoDigests', 'repoTags', 'size', 'username']);
    assert.equal(inspect.status.id, images[0].id);
    const missing = crictl(ctd.endpoint, 'inspecti', 'lab.local/absent:1');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /level=fatal msg="no such image \\"lab.local\/absent:1\\" present"/);
    assert.equal(crictl(ctd.endpoint, 'images', '-q').stdout, `${images[0].id}\n${images[1].id}\n`);
    const info = crictlJson(ctd.endpoint, 'info');
    assert.deepEqual(info.status.conditions[0], { message: '', reason: '', status: true, type: 'RuntimeReady' });
    assert.match(crictl(ctd.endpoint, 'version').stdout, /^Version:  0\.1\.0\nRuntimeName:  containerd\nRuntimeVersion:  \S+\nRuntimeApiVersion:  v1\n$/);
  });

  it('replaces the pod when its manifest changes', async () => {
    const [before] = pods('^web-node-a$');
    assert.ok(before, 'the web pod runs');
    writeManifest('web.yaml', [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: web, namespace: kube-system}',
      'spec:',
      '  hostNetwork: true',
      '  terminationGracePeriodSeconds: 5',
      '  containers:',
      '  - name: only',
      `    image: ${LOCAL_BUSYBOX_IMAGE}`,
      '    command: [sh, -c, \'trap "exit 0" TERM; while true; do sleep 1; done\']',
      '',
    ].join('\n'));
    const [after] = await eventually('the replaced web pod', 40_000, () => {
      const items = pods('^web-node-a$');
      return items.length === 1 && items[0].id !== before.id && containers(items[0].id).length === 1 ? items : undefined;
    });
    assert.notEqual(after.metadata.uid, before.metadata.uid);
    assert.deepEqual(containers(after.id).map((c) => c.metadata.name), ['only']);
    assert.match(kubeletLog, /"Killing static pod" pod="kube-system\/web-node-a" reason="manifest changed"/);
  });

  it('restarts a crashing container with back-off (immediately, then after 10 s)', async () => {
    writeManifest('crash.yaml', [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: crash, namespace: default}',
      'spec:',
      '  hostNetwork: true',
      '  containers:',
      '  - name: boom',
      `    image: ${LOCAL_BUSYBOX_IMAGE}`,
      '    command: [sh, -c, \'echo boom; exit 3\']',
      '',
    ].join('\n'));
    const [pod] = await eventually('the crash pod', 30_000, () => {
      const items = pods('^crash-node-a$');
      return items.length === 1 ? items : undefined;
    });
    const byAttempt = (): Map<number, any> => new Map(containers(pod.id, true).map((c) => [c.metadata.attempt, c]));
    await eventually('attempt 1', 20_000, () => byAttempt().has(1));
    const attempt1 = byAttempt().get(1);
    const attempt2 = await eventually('attempt 2', 30_000, () => byAttempt().get(2));
    assert.deepEqual(
      crictlJson(ctd.endpoint, 'ps', '-a', '--id', attempt1.id, '-o', 'json').containers.map((c: any) => c.metadata.attempt),
      [1],
      'the newest dead container stays for logs',
    );
    assert.equal(byAttempt().has(0), false, 'older dead containers are removed (one dead container per name, as MaxPerPodContainer = 1)');
    const gapMs = Number((BigInt(attempt2.createdAt) - BigInt(attempt1.createdAt)) / 1_000_000n);
    assert.ok(gapMs >= 10_000 && gapMs < 16_000, `attempt 2 was created ${gapMs} ms after attempt 1; want the 10 s back-off`);
    assert.equal(attempt2.annotations['io.kubernetes.container.restartCount'], '2');
    assert.match(kubeletLog, /"Back-off 10s restarting failed container" pod="default\/crash-node-a" containerName="boom" reason="CrashLoopBackOff"/);
    rmSync(join(manifests, 'crash.yaml'));
    await eventually('crash pod removed', 20_000, () => pods('^crash-node-a$').length === 0);
  });

  it('kills and restarts a container whose startup probe keeps failing', async () => {
    writeManifest('probed.yaml', [
      'apiVersion: v1',
      'kind: Pod',
      'metadata: {name: probed, namespace: kube-system}',
      'spec:',
      '  hostNetwork: true',
      '  terminationGracePeriodSeconds: 1',
      '  containers:',
      '  - name: never-healthy',
      `    image: ${LOCAL_BUSYBOX_IMAGE}`,
      '    command: [sh, -c, \'trap "exit 0" TERM; while true; do sleep 1; done\']',
      '    startupProbe:',
      '      httpGet: {host: 127.0.0.1, port: 1, path: /livez, scheme: HTTPS}',
      '      periodSeconds: 1',
      '      failureThreshold: 2',
      '',
    ].join('\n'));
    const [pod] = await eventually('the probed pod', 30_000, () => {
      const items = pods('^probed-node-a$');
      return items.length === 1 ? items : undefined;
    });
    const restarted = await eventually('a restart after failed probes', 30_000, () =>
      containers(pod.id, true).find((c) => c.metadata.attempt === 1),
    );
    assert.equal(restarted.metadata.name, 'never-healthy');
    assert.match(kubeletLog, /"Container never-healthy failed startup probe, will be restarted" pod="kube-system\/probed-node-a"/);
    rmSync(join(manifests, 'probed.yaml'));
    await eventually('probed pod removed', 20_000, () => pods('^probed-node-a$').length === 0);
  });

  it('adopts running pods after a kubelet restart instead of recreating them', async () => {
    const [before] = pods('^web-node-a$');
    const containerBefore = containers(before.id)[0];
    await stopKubelet();
    kubeletLog = '';
    startKubelet();
    await eventually('adoption', 20_000, () => kubeletLog.includes('"Adopted running static pod"'));
    await new Promise((r) => setTimeout(r, 3000));
    const [after] = pods('^web-node-a$');
    assert.equal(after.id, before.id);
    assert.deepEqual(containers(after.id).map((c) => c.id), [containerBefore.id]);
  });

  it('reports pull failures the way crictl does', () => {
    const r = crictl(ctd.endpoint, 'pull', '--creds', 'lab:secret', '127.0.0.1:1/absent:1');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /level=fatal msg="pulling image: rpc error: code = Unknown desc = failed to pull and unpack image/);
    const both = crictl(ctd.endpoint, 'pull', '--creds', 'a:b', '--auth', 'YTpi', '127.0.0.1:1/absent:1');
    assert.match(both.stderr, /both `--creds` and `--auth` are specified/);
    const prompt = crictl(ctd.endpoint, 'pull', '-u', 'lab', '127.0.0.1:1/absent:1');
    assert.equal(prompt.code, 1);
    assert.match(prompt.stderr, /level=fatal msg="inappropriate ioctl for device"/);
  });
});

/**
 * Pods bound to the node through the API: the kubelet joins the lab's kube-apiserver stand-in (on Debian's etcd,
 * kubeadm's v1.28 manifests rewritten to local ports) with a node certificate, and the real kubectl creates the pods.
 * Private images come from a docker-registry with htpasswd basic auth on 127.0.0.1 (containerd speaks plain HTTP to
 * loopback registries), pushed there with skopeo.
 */
describe('the kubelet stand-in runs API pods on a real containerd', { skip: labUnavailable(), timeout: 360_000 }, () => {
  const repoRoot = join(here, '..', '..');
  const KUBECTL = '/usr/bin/kubectl';
  let ctd: LocalContainerd;
  let scratch: string;
  let k8s: string;
  const processes: Running[] = [];
  let kubelet: Running | undefined;
  let registry = '';

  const kubectl = (args: string[], input?: string): RunResult => {
    const r = spawnSync(KUBECTL, ['--kubeconfig', join(k8s, 'admin.conf'), ...args], { encoding: 'utf8', input, timeout: 30_000, env: { ...process.env, HOME: scratch } });
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
  const podJson = (name: string): any => {
    const r = kubectl(['get', 'pod', name, '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };
  const startKubelet = (): Running =>
    start(process.execPath, [KUBELET, '--config', join(scratch, 'config.yaml'), '--container-runtime-endpoint', ctd.endpoint, '--root-dir', join(scratch, 'kubelet'),
      '--hostname-override', 'node-a', '--node-ip', '127.0.0.1', '--kubeconfig', join(k8s, 'kubelet.conf')], { BOOTSTRAP_LAB_VERSION_FILE: join(scratch, 'version') });

  before(async () => {
    await ensureDebianPackages([...LOCAL_CONTAINERD_PACKAGES, 'etcd-server', 'openssl', ...(existsSync(KUBECTL) ? [] : ['kubernetes-client'])]);
    ctd = await startLocalContainerd();
    scratch = join(ctd.dir, 'api-node');
    k8s = join(scratch, 'kubernetes');
    const pki = join(k8s, 'pki');
    mkdirSync(pki, { recursive: true });
    const ports = { etcd: await freePort(), peer: await freePort(), metrics: await freePort(), api: await freePort() };
    const server = `https://127.0.0.1:${ports.api}`;
    await makeKubeadmPki(k8s);
    await makeCert(pki, 'ca', 'kubeconfig-kubelet.conf', { cn: 'system:node:node-a', o: ['system:nodes'] });
    for (const name of ['admin.conf', 'kubelet.conf']) writeKubeconfig(k8s, name, server);
    const golden = join(repoRoot, 'test', 'golden', 'manifests', 'v1.28.15');
    const command = (component: string) => rewriteCommand(manifestCommand(join(golden, `${component}.yaml`)), [
      ['/etc/kubernetes', k8s], ['/var/lib/etcd', join(scratch, 'etcd-data')], ['10.7.0.149', '127.0.0.1'],
      [':2379', `:${ports.etcd}`], [':2380', `:${ports.peer}`], [':2381', `:${ports.metrics}`], ['--secure-port=6443', `--secure-port=${ports.api}`],
    ]).slice(1);
    processes.push(start('/usr/bin/etcd', command('etcd')));
    // A v1.32 server (the v1.28 kubelet is within the version skew): the real kubectl validates against a v1.28
    // server with /openapi/v2, which the stand-in does not serve; from v1.32 the node also lists its pods by selector.
    processes.push(start(process.execPath, [join(here, 'lab', 'images', 'components', 'kube-apiserver.js'), ...command('kube-apiserver')], { BOOTSTRAP_LAB_KUBERNETES_VERSION: 'v1.32.2' }));
    await waitFor('the API server', async () => (kubectl(['get', 'ns', 'default']).code === 0 ? true : undefined), 60_000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${processes.map((p) => p.output().slice(-1500)).join('\n')}`); });
    writeFileSync(join(scratch, 'version'), 'v1.28.4\n');
    writeFileSync(join(scratch, 'config.yaml'), ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration', `healthzPort: ${await freePort()}`, ''].join('\n'));
    const registryPort = await freePort();
    registry = `127.0.0.1:${registryPort}`;
    const htpasswd = spawnSync('htpasswd', ['-B', '-i', '-c', join(scratch, 'htpasswd'), 'lab'], { input: 's3cret\n', encoding: 'utf8' });
    assert.equal(htpasswd.status, 0, htpasswd.stderr);
    writeFileSync(join(scratch, 'registry.yml'), JSON.stringify({ version: 0.1, log: { level: 'warn', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(scratch, 'registry') } }, http: { addr: registry },
      auth: { htpasswd: { realm: 'bootstrap-lab', path: join(scratch, 'htpasswd') } } }));
    processes.push(start('docker-registry', ['serve', join(scratch, 'registry.yml')]));
    await waitFor('the registry', async () => ((await registryStatus('127.0.0.1', registryPort)) === 401 ? true : undefined), 30_000);
    const push = spawnSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', 'lab:s3cret', `oci:${join(ctd.dir, 'oci')}:busybox`, `docker://${registry}/private/busybox:1.0`], { encoding: 'utf8' });
    assert.equal(push.status, 0, push.stderr);
    kubelet = startKubelet();
    // What the controller-manager's serviceaccount controller does on a cluster (none runs here).
    assert.equal(kubectl(['create', 'serviceaccount', 'default']).code, 0);
  });

  after(async () => {
    if (kubelet?.child.exitCode === null) kubelet.child.kill('SIGTERM');
    await kubelet?.exited;
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    if (ctd) {
      crictl(ctd.endpoint, 'rmp', '-f', '-a');
      await ctd.close();
    }
  });

  it('runs a pod bound to the node and reports it Running with the runtime\'s container', async () => {
    const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'node-a', hostNetwork: true, terminationGracePeriodSeconds: 2,
      containers: [{ name: 'app', image: LOCAL_BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }] } };
    const created = kubectl(['create', '-f', '-'], JSON.stringify(manifest));
    assert.equal(created.code, 0, created.stderr);
    const pod = await waitFor('web Running', async () => (podJson('web')?.status?.phase === 'Running' ? podJson('web') : undefined), 60_000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${kubelet!.output().slice(-3000)}`); });
    assert.equal(pod.spec.serviceAccountName, 'default');
    assert.deepEqual(pod.status.conditions.map((c: any) => `${c.type}=${c.status}`), ['Initialized=True', 'Ready=True', 'ContainersReady=True', 'PodScheduled=True']);
    assert.deepEqual([pod.status.hostIP, pod.status.podIP], ['127.0.0.1', '127.0.0.1']);
    const status = pod.status.containerStatuses[0];
    const running = crictlJson(ctd.endpoint, 'ps', '--name', '^app$', '-o', 'json').containers;
    assert.equal(running.length, 1);
    assert.equal(status.containerID, `containerd://${running[0].id}`);
    assert.deepEqual([status.ready, status.started, status.restartCount], [true, true, 0]);
    assert.match(status.imageID, /^(sha256:|lab\.local\/busybox@sha256:)[0-9a-f]{64}$/);
    assert.match(kubectl(['get', 'pod', 'web']).stdout, /^web\s+1\/1\s+Running\s+0\s+/m);
  });

  it('reports a failing pull as ErrImagePull with containerd\'s error, then ImagePullBackOff', async () => {
    const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'private' }, spec: { nodeName: 'node-a', hostNetwork: true, containers: [{ name: 'app', image: '127.0.0.1:1/absent:1' }] } };
    assert.equal(kubectl(['create', '-f', '-'], JSON.stringify(manifest)).code, 0);
    const waiting = (reason: string) => async () => {
      const w = podJson('private')?.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === reason ? w : undefined;
    };
    const pull = await waitFor('ErrImagePull', waiting('ErrImagePull'), 60_000);
    assert.match(pull.message, /^Failed to pull image "127\.0\.0\.1:1\/absent:1": rpc error: code = Unknown desc = failed to pull and unpack image "127\.0\.0\.1:1\/absent:1"/);
    assert.equal(podJson('private').status.phase, 'Pending');
    const backoff = await waitFor('ImagePullBackOff', waiting('ImagePullBackOff'), 90_000);
    assert.equal(backoff.message, 'Back-off pulling image "127.0.0.1:1/absent:1"');
    assert.match(kubectl(['get', 'pod', 'private']).stdout, /^private\s+0\/1\s+ImagePullBackOff\s+0\s+/m);
  });

  it('pulls a private image with the pod\'s pull secret, the ServiceAccount\'s, or the node\'s config.json, and reports 401 without', async () => {
    const image = `${registry}/private/busybox:1.0`;
    const pod = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-a', hostNetwork: true, terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image, imagePullPolicy: 'Always', command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'] }], ...extra } });
    const phase = (name: string, want: string) => waitFor(`${name} ${want}`, async () => (podJson(name)?.status?.phase === want ? podJson(name) : undefined), 120_000)
      .catch((e: Error) => { throw new Error(`${e.message}\n${JSON.stringify(podJson(name)?.status)}\n${kubelet!.output().slice(-2000)}`); });
    const secret = (name: string, password: string) => assert.equal(kubectl(['create', 'secret', 'docker-registry', name, `--docker-server=${registry}`, '--docker-username=lab', `--docker-password=${password}`]).code, 0);
    secret('regcred', 's3cret');
    secret('wrongcred', 'nope');

    // Neither the pod nor its ServiceAccount names a secret, and the node has no config.json: the registry says 401.
    assert.equal(kubectl(['create', '-f', '-'], pod('anonymous')).code, 0);
    const denied = await waitFor('ErrImagePull', async () => {
      const w = podJson('anonymous')?.status?.containerStatuses?.[0]?.state?.waiting;
      return w?.reason === 'ErrImagePull' ? w : undefined;
    }, 60_000);
    assert.match(denied.message, new RegExp(`^Failed to pull image "${image.replace(/[.]/g, '\\.')}": rpc error: code = Unknown desc = failed to pull and unpack image .*401 Unauthorized`));

    // The pod's own secret, after a wrong one: both are tried in order.
    assert.equal(kubectl(['create', '-f', '-'], pod('with-secret', { imagePullSecrets: [{ name: 'wrongcred' }, { name: 'regcred' }] })).code, 0);
    await phase('with-secret', 'Running');

    // The ServiceAccount's secret, copied into the pod by admission.
    assert.equal(kubectl(['create', 'serviceaccount', 'puller']).code, 0);
    assert.equal(kubectl(['patch', 'serviceaccount', 'puller', '-p', JSON.stringify({ imagePullSecrets: [{ name: 'regcred' }] })]).code, 0);
    assert.equal(kubectl(['create', '-f', '-'], pod('from-account', { serviceAccountName: 'puller' })).code, 0);
    assert.deepEqual(podJson('from-account').spec.imagePullSecrets, [{ name: 'regcred' }]);
    await phase('from-account', 'Running');
    assert.equal(podJson('anonymous').status.phase, 'Pending');

    // The node's keyring: <root-dir>/config.json; the anonymous pod gets its image at its next try.
    mkdirSync(join(scratch, 'kubelet'), { recursive: true });
    writeFileSync(join(scratch, 'kubelet', 'config.json'), JSON.stringify({ auths: { [registry]: { auth: Buffer.from('lab:s3cret').toString('base64') } } }));
    await phase('anonymous', 'Running');
    for (const name of ['anonymous', 'with-secret', 'from-account']) assert.equal(kubectl(['delete', 'pod', name, '--wait=false']).code, 0);
  });

  it('stops a deleted pod, and a restarted kubelet adopts the pods it runs', async () => {
    const before = crictlJson(ctd.endpoint, 'pods', '--name', '^web$', '-o', 'json').items;
    assert.equal(before.length, 1);
    kubelet!.child.kill('SIGTERM');
    await kubelet!.exited;
    kubelet = startKubelet();
    await waitFor('adoption', async () => (kubelet!.output().includes('"Adopted running pod"') ? true : undefined), 30_000);
    assert.deepEqual(crictlJson(ctd.endpoint, 'pods', '--name', '^web$', '-o', 'json').items.map((p: any) => p.id), before.map((p: any) => p.id));
    assert.equal(kubectl(['delete', 'pod', 'web', '--wait=false']).code, 0);
    await waitFor('the sandbox removed', async () => (crictlJson(ctd.endpoint, 'pods', '--name', '^web$', '-o', 'json').items.length === 0 ? true : undefined), 60_000);
  });
});

/**
 * On a lab node: the lab that is up, or one brought up for these tests (and taken down after), so the checks run
 * in CI too. Only a machine that cannot run the lab at all skips them.
 */
describe('stand-ins installed on a lab node', { skip: labUnavailable(), timeout: 600_000 }, () => {
  let lease: LabLease | undefined;
  let lab: LabState;
  let docker: DockerCli;
  let container: string;
  const exec = async (script: string, allowFailure = false): Promise<{ stdout: string; stderr: string; code: number }> =>
    docker.exec(container, ['sh', '-c', script], { allowFailure, timeoutMs: 120_000 });

  before(async () => {
    lease = await leaseLab({ hosts: 1 });
    lab = lease.lab;
    if (lab.light || lab.runtime !== 'containerd') throw new Error('the lab that is up runs light or dockerd nodes; take it down (npm run lab -- down) to run these checks');
    docker = new DockerCli(lab.docker.host);
    container = lab.nodes[lab.nodes.length - 1]!.container;
    await installStandins(container, docker);
  });

  after(async () => {
    await lease?.release();
  });

  it('looks like the packages: versions, enabled but not started unit, drop-in, directories', async () => {
    assert.equal((await exec('kubelet --version')).stdout, `Kubernetes ${lab.kubernetesVersion}\n`);
    const minor = /^v(\d+\.\d+)/.exec(lab.kubernetesVersion)![1];
    assert.equal((await exec('crictl --version')).stdout, `crictl version v${minor}.0 (bootstrap e2e lab stand-in)\n`);
    assert.equal((await exec('systemctl is-enabled kubelet')).stdout.trim(), 'enabled');
    assert.match((await exec('systemctl cat kubelet')).stdout, /# \/usr\/lib\/systemd\/system\/kubelet.service.d\/10-kubeadm.conf\n/);
    assert.equal((await exec('cat /etc/default/kubelet')).stdout, 'KUBELET_EXTRA_ARGS=\n');
    assert.equal((await exec('stat -c %a /usr/lib/systemd/system/kubelet.service')).stdout.trim(), '600');
    assert.equal((await exec('test -d /etc/kubernetes/manifests && test -d /var/lib/kubelet && echo yes')).stdout.trim(), 'yes');
    const info = JSON.parse((await exec('crictl -r unix:///run/containerd/containerd.sock info')).stdout);
    assert.equal(info.status.conditions[0].type, 'RuntimeReady');
    assert.equal(info.status.conditions[0].status, true);
  });

  it('runs a static pod through the node\'s containerd when systemd starts the kubelet', async (t) => {
    if ((await exec('test -e /var/lib/kubelet/config.yaml || test -e /etc/kubernetes/kubelet.conf', true)).code === 0) {
      // Only a lab someone else brought up can be in use; one leased for this test never is.
      if (!lease?.owned) return t.skip('the node already has a kubelet configuration (in use by another test)');
      assert.fail('a fresh lab node already has a kubelet configuration');
    }
    const pause = catalogImages(lab.kubernetesVersion, lab.registry.address).find((i) => i.component === 'pause')!.image;
    await exec(`crictl -r unix:///run/containerd/containerd.sock pull ${pause}`);
    const manifest = ['apiVersion: v1', 'kind: Pod', 'metadata: {name: standins-check, namespace: kube-system}', 'spec:', '  hostNetwork: true', '  terminationGracePeriodSeconds: 2', '  containers:', `  - {name: pause, image: ${pause}}`, ''].join('\n');
    const config = ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration', 'staticPodPath: /etc/kubernetes/manifests', 'cgroupDriver: cgroupfs', ''].join('\n');
    try {
      await docker.writeFile(container, '/var/lib/kubelet/config.yaml', config, 0o644);
      // kubeadm's drop-in names both kubeconfigs; with neither present the kubelet exits, as the real one does.
      await docker.writeFile(container, '/etc/kubernetes/kubelet.conf', 'apiVersion: v1\nkind: Config\n', 0o600);
      await docker.writeFile(container, '/etc/kubernetes/manifests/standins-check.yaml', manifest, 0o600);
      await exec('systemctl start kubelet');
      const deadline = Date.now() + 60_000;
      let running: any[] = [];
      while (Date.now() < deadline) {
        const out = (await exec('crictl -r unix:///run/containerd/containerd.sock ps --name "^pause$" -o json', true)).stdout;
        running = out ? JSON.parse(out).containers.filter((c: any) => c.labels['io.kubernetes.pod.name']?.startsWith('standins-check-')) : [];
        if (running.length === 1) break;
        await new Promise((r) => setTimeout(r, 1000));
      }
      assert.equal(running.length, 1, (await exec('journalctl -u kubelet --no-pager | tail -20', true)).stdout);
      assert.match((await exec('curl -s http://127.0.0.1:10248/healthz || wget -qO- http://127.0.0.1:10248/healthz', true)).stdout, /^ok$/);
    } finally {
      await exec('rm -f /etc/kubernetes/manifests/standins-check.yaml', true);
      await exec('for i in $(seq 1 30); do crictl -r unix:///run/containerd/containerd.sock pods -q --name standins-check | grep -q . || break; sleep 1; done', true);
      await exec('systemctl stop kubelet; rm -f /var/lib/kubelet/config.yaml /etc/kubernetes/kubelet.conf', true);
    }
  });
});
