/**
 * The images phase against in-memory hosts: which images each role needs, the exact commands (crictl and
 * docker, with and without credentials), the pull policies, the parallel bound, retries only for errors that
 * can pass, timeouts, dry runs, and credentials that never reach an argv, a result or a message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/types.js';
import { parseFacts } from '../../src/phases/facts.js';
import {
  fromLogLine,
  classifyPullError,
  CRICTL_AUTH_SCRIPT,
  DOCKER_CONFIG_SCRIPT,
  imagesForHost,
  ImagesMissingError,
  makeImagesPhase,
  parseCrictlImages,
  parseDockerImages,
  pullCommand,
  pullProgress,
} from '../../src/phases/images.js';
import { parseDockerConfig } from '../../src/registries/credentials.js';
import { listImagesArgv as listImagesCommand } from '../../src/kube/cri-commands.js';
import { criToolFor as pullToolFor } from '../../src/kube/cri-socket.js';
import { imagesTable } from '../../src/cli/report.js';
import { newHostRun, type HostRun, type UpContext, type UpOptions } from '../../src/pipeline/context.js';
import { HostsFailedError, runPhases } from '../../src/pipeline/runner.js';
import type { ExecOptions, ExecResult } from '../../src/transport/host.js';
import { MemoryHost } from '../../src/transport/memory.js';
import { ConnectError } from '../../src/transport/ssh.js';

const CONTAINERD = 'unix:///var/run/containerd/containerd.sock';
const V128 = [
  'registry.k8s.io/kube-apiserver:v1.28.15',
  'registry.k8s.io/kube-controller-manager:v1.28.15',
  'registry.k8s.io/kube-scheduler:v1.28.15',
  'registry.k8s.io/kube-proxy:v1.28.15',
  'registry.k8s.io/pause:3.9',
  'registry.k8s.io/etcd:3.5.15-0',
  'registry.k8s.io/coredns/coredns:v1.10.1',
];

/** `crictl images -o json` (crictl v1.28 against containerd 1.7): two catalog images, one untagged layer. */
const CRICTL_IMAGES_JSON = `{
  "images": [
    {
      "id": "sha256:ead0a4a53df89fd173874b46093b6e62d8c72967bbf606d672c9e8c9b601a4fc",
      "repoTags": [
        "registry.k8s.io/coredns/coredns:v1.10.1"
      ],
      "repoDigests": [
        "registry.k8s.io/coredns/coredns@sha256:a0ead06651cf580044aeb0a0feba63591858fb2e43ade8c9dea45a6a89ae7e5e"
      ],
      "size": "16190758",
      "uid": null,
      "username": "nonroot",
      "spec": null,
      "pinned": false
    },
    {
      "id": "sha256:e6f1816883972d4be47bd48879a08919b96afcd344132622e4d444987919323c",
      "repoTags": [
        "registry.k8s.io/pause:3.9"
      ],
      "repoDigests": [
        "registry.k8s.io/pause@sha256:7031c1b283388d2c2e09b57badb803c05ebed362dc88d84b480cc47f72a21097"
      ],
      "size": "321520",
      "uid": {
        "value": "65535"
      },
      "username": "",
      "spec": null,
      "pinned": true
    },
    {
      "id": "sha256:1a7d7a3a7f4c6c1f1e1f1d6c1b1a19181716151413121110090807060504030",
      "repoTags": [],
      "repoDigests": [
        "docker.io/library/busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79"
      ],
      "size": "2231050",
      "uid": null,
      "username": "",
      "spec": null,
      "pinned": false
    }
  ]
}
`;

const LIST = [...['crictl', '--runtime-endpoint', CONTAINERD, '--image-endpoint', CONTAINERD], 'images', '-o', 'json'];
const crictlPull = (image: string) => ['crictl', '--runtime-endpoint', CONTAINERD, '--image-endpoint', CONTAINERD, 'pull', image];

const FACTS = `hostname=cp1
os=debian 12
arch=x86_64
kernel=6.1.0
uid=0
bin.crictl=/usr/bin/crictl
bin.docker=/usr/bin/docker
`;

const isList = (argv: readonly string[]) => argv.includes('images') && !argv.includes('pull');
const pulledImage = (argv: readonly string[]) => (argv.includes('pull') ? argv.at(-1) : undefined);

/** A MemoryHost whose commands take a little while, counting how many run at once. */
class SlowHost extends MemoryHost {
  inFlight = 0;
  maxInFlight = 0;
  constructor(name: string, readonly ms = 5) {
    super(name);
  }
  override async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (pulledImage(argv)) await delay(this.ms);
      return await super.exec(argv, options);
    } finally {
      this.inFlight--;
    }
  }
}

function inventory(extra = '', version = 'v1.28.15'): Inventory {
  return parseInventory(
    '/tmp/inventory.yaml',
    `
cluster: { kubernetesVersion: ${version} }
${extra}
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`,
  );
}

function hostRun(inv: Inventory, name: string, host: MemoryHost, criSocket = CONTAINERD): HostRun {
  const h = newHostRun(inv.hosts.find((s) => s.name === name)!);
  h.host = host;
  h.facts = { ...parseFacts(FACTS.replace('cp1', name)), criSocket };
  return h;
}

function context(inv: Inventory, hosts: HostRun[], options: UpOptions = {}): UpContext {
  return { inv, options: { renderer: 'silent', ...options }, hosts, backupDir: '/var/lib/bootstrap/backups/t', startedAt: new Date(), shared: new Map(), cleanups: [] };
}

const FAST = { firstDelayMs: 1, maxDelayMs: 4, tickMs: 5 };

async function runOn(inv: Inventory, h: HostRun, options: UpOptions = {}, tuning = FAST) {
  const lines: string[] = [];
  const ctx = context(inv, [h], options);
  await makeImagesPhase(tuning).run(ctx, h, { progress: (line) => lines.push(line) });
  return { lines, ctx };
}

test('control planes need the whole catalog; workers pause, kube-proxy and CoreDNS, with the repository rule', () => {
  const inv = inventory();
  assert.deepEqual(imagesForHost(inv, inv.hosts[0]!), V128);
  assert.deepEqual(imagesForHost(inv, inv.hosts[1]!), [
    'registry.k8s.io/kube-proxy:v1.28.15',
    'registry.k8s.io/pause:3.9',
    'registry.k8s.io/coredns/coredns:v1.10.1',
  ]);
  // A repository of the user's own: CoreDNS loses its "coredns/" path, as with kubeadm.
  const inv2 = parseInventory(
    '/tmp/inventory.yaml',
    `
cluster: { kubernetesVersion: v1.29.10, imageRepository: 10.77.0.1:5001/k8s }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`,
  );
  assert.deepEqual(imagesForHost(inv2, inv2.hosts[1]!), [
    '10.77.0.1:5001/k8s/kube-proxy:v1.29.10',
    '10.77.0.1:5001/k8s/coredns:v1.11.1',
    '10.77.0.1:5001/k8s/pause:3.9',
  ]);
});

test('docker pulls exactly where that kubeadm used docker: dockershim before v1.24', () => {
  assert.deepEqual(pullToolFor('v1.23.17', '/var/run/dockershim.sock'), { kind: 'docker' });
  assert.deepEqual(pullToolFor('v1.23.17', '/run/containerd/containerd.sock'), { kind: 'crictl', socket: '/run/containerd/containerd.sock' });
  assert.deepEqual(pullToolFor('v1.28.15', 'unix:///var/run/cri-dockerd.sock'), { kind: 'crictl', socket: 'unix:///var/run/cri-dockerd.sock' });
});

test('golden command lines: listing and pulling with crictl and docker, credentials only on stdin', () => {
  const crictl = pullToolFor('v1.28.15', CONTAINERD);
  const docker = pullToolFor('v1.23.17', '/var/run/dockershim.sock');
  assert.deepEqual(listImagesCommand(crictl), LIST);
  assert.deepEqual(listImagesCommand(docker), ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.deepEqual(pullCommand(crictl, 'registry.k8s.io/etcd:3.5.15-0'), { argv: crictlPull('registry.k8s.io/etcd:3.5.15-0') });
  assert.deepEqual(pullCommand(docker, 'registry.k8s.io/etcd:3.5.6-0'), { argv: ['docker', 'pull', 'registry.k8s.io/etcd:3.5.6-0'] });

  const cred = parseDockerConfig('{"auths":{"10.77.0.1:5001":{"auth":"bGFiOnB3"}}}', 'c.json').forImage('10.77.0.1:5001/k8s/pause:3.9');
  assert.deepEqual(pullCommand(crictl, '10.77.0.1:5001/k8s/pause:3.9', cred), {
    argv: ['sh', '-c', 'IFS= read -r CRICTL_AUTH; export CRICTL_AUTH; exec "$@"', 'sh', ...crictlPull('10.77.0.1:5001/k8s/pause:3.9')],
    stdin: 'bGFiOnB3\n',
  });
  assert.equal(CRICTL_AUTH_SCRIPT, 'IFS= read -r CRICTL_AUTH; export CRICTL_AUTH; exec "$@"');
  assert.deepEqual(pullCommand(docker, '10.77.0.1:5001/k8s/pause:3.6', cred), {
    argv: ['sh', '-c', DOCKER_CONFIG_SCRIPT, 'sh', '10.77.0.1:5001/k8s/pause:3.6'],
    stdin: '{"auths":{"10.77.0.1:5001":{"auth":"bGFiOnB3"}}}',
  });
  assert.equal(
    DOCKER_CONFIG_SCRIPT,
    'umask 077\ndir=$(mktemp -d) || exit 1\ntrap \'rm -rf "$dir"\' EXIT\ntrap \'exit 143\' HUP INT TERM\ncat > "$dir/config.json" || exit 1\ndocker --config "$dir" pull "$1"',
  );
});

test('listings: crictl JSON repoTags and docker lines, normalized, untagged skipped', () => {
  assert.deepEqual([...parseCrictlImages(CRICTL_IMAGES_JSON)], ['registry.k8s.io/coredns/coredns:v1.10.1', 'registry.k8s.io/pause:3.9']);
  assert.deepEqual([...parseCrictlImages('{\n  "images": []\n}\n')], []);
  assert.deepEqual(
    [...parseDockerImages('registry.k8s.io/pause:3.6\nnginx:1.25\n<none>:<none>\nk8s.gcr.io/etcd:3.5.6-0\n')],
    ['registry.k8s.io/pause:3.6', 'docker.io/library/nginx:1.25', 'k8s.gcr.io/etcd:3.5.6-0'],
  );
  assert.throws(() => parseCrictlImages('time="…" level=fatal msg="connect: connection refused"'), /not JSON/);
});

test('pull errors: registry and network trouble can pass; missing images and refused credentials cannot', () => {
  const transient = [
    // containerd 1.7 through crictl, registry answering 500
    'E1122 16:04:01.401234     523 remote_image.go:180] "PullImage from image service failed" err="rpc error: code = Unknown desc = failed to pull and unpack image \\"10.77.0.1:5000/k8s/pause:3.9\\": failed to resolve reference \\"10.77.0.1:5000/k8s/pause:3.9\\": unexpected status from HEAD request to http://10.77.0.1:5000/v2/k8s/pause/manifests/3.9: 500 Internal Server Error"',
    'time="2026-11-22T16:04:01Z" level=fatal msg="pulling image: rpc error: code = Unknown desc = failed to pull and unpack image \\"registry.k8s.io/etcd:3.5.15-0\\": failed to copy: read tcp 10.77.0.10:41234->34.96.108.209:443: read: connection reset by peer"',
    'Error response from daemon: Get "https://registry.k8s.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
    'Error response from daemon: received unexpected HTTP status: 503 Service Unavailable',
    'rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/containerd/containerd.sock: connect: connection refused"',
    'failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://r/v2/": dial tcp 10.0.0.1:443: i/o timeout',
  ];
  const permanent = [
    'E1122 16:04:01.401234     523 remote_image.go:180] "PullImage from image service failed" err="rpc error: code = NotFound desc = failed to pull and unpack image \\"registry.k8s.io/etcd:9.9.9\\": failed to resolve reference \\"registry.k8s.io/etcd:9.9.9\\": registry.k8s.io/etcd:9.9.9: not found"',
    'time="2026-11-22T16:04:01Z" level=fatal msg="pulling image: rpc error: code = Unknown desc = failed to pull and unpack image \\"10.77.0.1:5001/k8s/pause:3.9\\": failed to resolve reference \\"10.77.0.1:5001/k8s/pause:3.9\\": pulling from host 10.77.0.1:5001 failed with status code [manifests 3.9]: 401 Unauthorized"',
    'Error response from daemon: manifest for registry.k8s.io/etcd:9.9.9 not found: manifest unknown: manifest unknown',
    'Error response from daemon: Head "https://10.77.0.1:5001/v2/k8s/pause/manifests/3.6": no basic auth credentials',
    'Error response from daemon: pull access denied for private/app, repository does not exist or may require \'docker login\'',
    'rpc error: code = Unimplemented desc = unknown service runtime.v1.ImageService',
    'something nobody has seen before',
  ];
  for (const text of transient) assert.equal(classifyPullError(text), 'transient', text);
  for (const text of permanent) assert.equal(classifyPullError(text), 'permanent', text);
});

test('IfNotPresent: one listing call, only the missing images pulled, results in catalog order', async () => {
  const inv = inventory();
  const host = new MemoryHost('cp1')
    .on((argv) => (isList(argv) ? { stdout: CRICTL_IMAGES_JSON } : undefined))
    .on((argv) => (pulledImage(argv) ? { stdout: `Image is up to date for sha256:${'0'.repeat(64)}\n` } : undefined));
  const h = hostRun(inv, 'cp1', host);
  const { lines } = await runOn(inv, h);
  assert.deepEqual(host.commands.map((c) => c.argv), [
    LIST,
    crictlPull(V128[0]!),
    crictlPull(V128[1]!),
    crictlPull(V128[2]!),
    crictlPull(V128[3]!),
    crictlPull(V128[5]!),
  ]);
  assert.ok(host.commands.every((c) => c.stdin === undefined));
  assert.deepEqual(
    h.images.map((r) => [r.image, r.outcome, r.attempts]),
    [
      [V128[0], 'pulled', 1],
      [V128[1], 'pulled', 1],
      [V128[2], 'pulled', 1],
      [V128[3], 'pulled', 1],
      [V128[4], 'present', 0],
      [V128[5], 'pulled', 1],
      [V128[6], 'present', 0],
    ],
  );
  assert.equal(lines[0], 'listing images');
  assert.match(lines.at(-1)!, /^pulled 5, 2 present in \d+s$/);
  assert.ok(lines.includes('pulling 1/5: kube-apiserver:v1.28.15 (0s), 2/5: kube-controller-manager:v1.28.15 (0s), 3/5: kube-scheduler:v1.28.15 (0s)'), lines.join('\n'));
  assert.deepEqual(h.actions, [`pull ${[0, 1, 2, 3, 5].map((i) => V128[i]).join(', ')}`]);

  // Everything present: the listing is the only command.
  const full = JSON.stringify({ images: V128.map((t, i) => ({ id: `sha256:${i}`, repoTags: [t], repoDigests: [], size: '1' })) });
  const host2 = new MemoryHost('w1').on((argv) => (isList(argv) ? { stdout: full } : undefined));
  const w = hostRun(inv, 'w1', host2);
  const r2 = await runOn(inv, w);
  assert.equal(host2.roundTrips, 1);
  assert.deepEqual(w.images.map((r) => r.outcome), ['present', 'present', 'present']);
  assert.equal(r2.lines.at(-1), 'all 3 image(s) present');
});

test('Always: no listing, every image pulled', async () => {
  const inv = inventory('images: { pullPolicy: Always }');
  const host = new MemoryHost('w1').on((argv) => (pulledImage(argv) ? { stdout: 'Image is up to date\n' } : undefined));
  const h = hostRun(inv, 'w1', host);
  await runOn(inv, h);
  assert.deepEqual(host.commands.map((c) => c.argv), [crictlPull(V128[3]!), crictlPull(V128[4]!), crictlPull(V128[6]!)]);
  assert.deepEqual(h.images.map((r) => r.outcome), ['pulled', 'pulled', 'pulled']);
});

test('Never: fails at once listing every missing image, pulls nothing, and later phases do not run', async () => {
  const inv = inventory('images: { pullPolicy: Never }');
  const cp = new MemoryHost('cp1').on((argv) => (isList(argv) ? { stdout: CRICTL_IMAGES_JSON } : undefined));
  const w = new MemoryHost('w1').on((argv) => (isList(argv) ? { stdout: CRICTL_IMAGES_JSON } : undefined));
  const hosts = [hostRun(inv, 'cp1', cp), hostRun(inv, 'w1', w)];
  const ctx = context(inv, hosts);
  let later = 0;
  const next = { name: 'certs', title: 'certs', appliesTo: () => true, run: async () => void later++ };
  await assert.rejects(runPhases(ctx, [makeImagesPhase(FAST), next]), (e: unknown) => {
    assert.ok(e instanceof HostsFailedError);
    assert.deepEqual(e.failures.map((f) => [f.host, f.phase, f.error.name]), [['cp1', 'images', 'ImagesMissingError'], ['w1', 'images', 'ImagesMissingError']]);
    assert.deepEqual((e.failures[1]!.error as ImagesMissingError).missing, ['registry.k8s.io/kube-proxy:v1.28.15']);
    assert.equal(
      e.failures[0]!.error.message,
      'images.pullPolicy is Never and 5 of 7 image(s) are missing on cp1:\n' +
        '  registry.k8s.io/kube-apiserver:v1.28.15\n' +
        '  registry.k8s.io/kube-controller-manager:v1.28.15\n' +
        '  registry.k8s.io/kube-scheduler:v1.28.15\n' +
        '  registry.k8s.io/kube-proxy:v1.28.15\n' +
        '  registry.k8s.io/etcd:3.5.15-0\n' +
        'load them into the runtime first, or set images.pullPolicy to IfNotPresent',
    );
    assert.equal(
      e.failures[1]!.error.message,
      'images.pullPolicy is Never and 1 of 3 image(s) are missing on w1:\n  registry.k8s.io/kube-proxy:v1.28.15\nload them into the runtime first, or set images.pullPolicy to IfNotPresent',
    );
    return true;
  });
  assert.equal(later, 0);
  assert.deepEqual(cp.commands.map((c) => c.argv), [LIST]);
  assert.deepEqual(w.commands.map((c) => c.argv), [LIST]);
  assert.deepEqual(hosts[1]!.images.map((r) => [r.image, r.outcome]), [
    ['registry.k8s.io/kube-proxy:v1.28.15', 'missing'],
    ['registry.k8s.io/pause:3.9', 'present'],
    ['registry.k8s.io/coredns/coredns:v1.10.1', 'present'],
  ]);
});

test('at most images.parallel pulls run at once on a host', async () => {
  for (const parallel of [1, 2, 3]) {
    const inv = inventory(`images: { pullPolicy: Always, parallel: ${parallel} }`);
    const host = new SlowHost('cp1', 10).on((argv) => (pulledImage(argv) ? { stdout: '' } : undefined));
    const h = hostRun(inv, 'cp1', host);
    await runOn(inv, h);
    assert.equal(host.maxInFlight, parallel, `parallel ${parallel}`);
    assert.equal(host.commands.length, 7);
    assert.deepEqual(h.images.map((r) => r.outcome), Array(7).fill('pulled'));
  }
});

test('a transient error is retried with back-off; "not found" is not, and the host fails naming the image', async () => {
  const inv = inventory('images: { pullPolicy: Always, retries: 5 }');
  const tries = new Map<string, number>();
  const host = new MemoryHost('w1').on((argv) => {
    const image = pulledImage(argv);
    if (!image) return undefined;
    const n = (tries.get(image) ?? 0) + 1;
    tries.set(image, n);
    if (image.includes('kube-proxy') && n < 3) return { code: 1, stderr: 'Error: received unexpected HTTP status: 503 Service Unavailable\n' };
    if (image.includes('coredns')) {
      return {
        code: 1,
        stderr:
          'time="2026-11-22T16:04:01Z" level=fatal msg="pulling image: rpc error: code = NotFound desc = failed to pull and unpack image \\"registry.k8s.io/coredns/coredns:v1.10.1\\": failed to resolve reference \\"registry.k8s.io/coredns/coredns:v1.10.1\\": registry.k8s.io/coredns/coredns:v1.10.1: not found"\n',
      };
    }
    return { stdout: 'ok\n' };
  });
  const h = hostRun(inv, 'w1', host);
  await assert.rejects(runOn(inv, h), (e: unknown) => {
    assert.equal((e as Error).name, 'ImagesError');
    assert.equal(
      (e as Error).message,
      '1 of 3 image pull(s) failed on w1:\n' +
        '  registry.k8s.io/coredns/coredns:v1.10.1: pulling image: rpc error: code = NotFound desc = failed to pull and unpack image "registry.k8s.io/coredns/coredns:v1.10.1": failed to resolve reference "registry.k8s.io/coredns/coredns:v1.10.1": registry.k8s.io/coredns/coredns:v1.10.1: not found (1 try)',
    );
    return true;
  });
  assert.deepEqual(Object.fromEntries(tries), {
    'registry.k8s.io/kube-proxy:v1.28.15': 3,
    'registry.k8s.io/pause:3.9': 1,
    'registry.k8s.io/coredns/coredns:v1.10.1': 1,
  });
  assert.deepEqual(h.images.map((r) => [r.outcome, r.attempts]), [['pulled', 3], ['pulled', 1], ['failed', 1]]);
});

test('a transient error that persists stops after images.retries tries in all', async () => {
  const inv = inventory('images: { pullPolicy: Always, retries: 4, parallel: 1 }');
  const host = new MemoryHost('w1').on((argv) => (pulledImage(argv) ? { code: 1, stderr: 'dial tcp 10.0.0.1:443: connect: connection refused\n' } : undefined));
  const h = hostRun(inv, 'w1', host);
  await assert.rejects(runOn(inv, h), /3 of 3 image pull\(s\) failed on w1:\n  registry\.k8s\.io\/kube-proxy:v1\.28\.15: dial tcp 10\.0\.0\.1:443: connect: connection refused \(4 tries\)/);
  assert.equal(host.commands.length, 12);
  assert.deepEqual(h.images.map((r) => r.attempts), [4, 4, 4]);
});

test('a pull that throws a bug or loses the connection is tried once, not retried as a registry hiccup', async () => {
  const inv = inventory('images: { pullPolicy: Always, retries: 5, parallel: 1 }');
  const host = new MemoryHost('w1').on((argv) => {
    const image = pulledImage(argv);
    if (!image) return undefined;
    if (image.includes('kube-proxy')) throw new TypeError("Cannot read properties of undefined (reading 'code')");
    if (image.includes('pause')) throw new ConnectError('closed', 'w1', 'w1: the SSH connection was lost');
    return { stdout: '' };
  });
  const h = hostRun(inv, 'w1', host);
  await assert.rejects(runOn(inv, h), /2 of 3 image pull\(s\) failed on w1:\n  Cannot read properties of undefined \(reading 'code'\) \(1 try\)\n  w1: the SSH connection was lost \(1 try\)/);
  assert.equal(host.commands.length, 3);
  assert.deepEqual(h.images.map((r) => [r.outcome, r.attempts]), [['failed', 1], ['failed', 1], ['pulled', 1]]);
});

test('each pull gets the per-image timeout; a timed-out pull is retried and reported as a timeout', async () => {
  const inv = inventory('images: { pullPolicy: Always, retries: 2, timeout: 90s }');
  const timeouts: (number | undefined)[] = [];
  const host = new MemoryHost('w1').on((argv, options) => {
    if (!pulledImage(argv)) return undefined;
    timeouts.push(options.timeoutMs);
    assert.equal(options.sudo, true);
    return argv.at(-1)!.includes('pause') ? { code: -1, timedOut: true, stderr: '' } : { stdout: '' };
  });
  const h = hostRun(inv, 'w1', host);
  await assert.rejects(runOn(inv, h), {
    message: '1 of 3 image pull(s) failed on w1:\n  registry.k8s.io/pause:3.9: timed out after 90s (2 tries)',
  });
  assert.deepEqual(timeouts, [90_000, 90_000, 90_000, 90_000]);
  assert.deepEqual(h.images.map((r) => [r.outcome, r.attempts]), [['pulled', 1], ['failed', 2], ['pulled', 1]]);
});

test('dry run: the listing runs, nothing is pulled, the rest would be', async () => {
  const inv = inventory();
  const host = new MemoryHost('cp1').on((argv) => (isList(argv) ? { stdout: CRICTL_IMAGES_JSON } : undefined));
  const h = hostRun(inv, 'cp1', host);
  const { lines } = await runOn(inv, h, { dryRun: true });
  assert.deepEqual(host.commands.map((c) => c.argv), [LIST]);
  assert.deepEqual(h.images.map((r) => r.outcome), ['would-pull', 'would-pull', 'would-pull', 'would-pull', 'present', 'would-pull', 'present']);
  assert.deepEqual(h.actions, [`would pull ${[0, 1, 2, 3, 5].map((i) => V128[i]).join(', ')}`]);
  assert.equal(lines.at(-1), 'would pull 5, 2 present');
});

test('docker path (v1.23, dockershim): docker images listing and docker pull', async () => {
  const inv = inventory('', 'v1.23.17');
  const host = new MemoryHost('w1')
    .on((argv) => (argv[0] === 'docker' && argv[1] === 'images' ? { stdout: 'registry.k8s.io/pause:3.6\n<none>:<none>\n' } : undefined))
    .on((argv) => (argv[0] === 'docker' && argv[1] === 'pull' ? { stdout: 'Status: Downloaded newer image\n' } : undefined));
  const h = hostRun(inv, 'w1', host, '/var/run/dockershim.sock');
  await runOn(inv, h);
  assert.deepEqual(host.commands.map((c) => c.argv), [
    ['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}'],
    ['docker', 'pull', 'registry.k8s.io/kube-proxy:v1.23.17'],
    ['docker', 'pull', 'registry.k8s.io/coredns/coredns:v1.8.6'],
  ]);
  assert.deepEqual(h.images.map((r) => r.outcome), ['pulled', 'present', 'pulled']);
});

test('a missing tool is a clear error before any command', async () => {
  const inv = inventory();
  const host = new MemoryHost('w1');
  const h = hostRun(inv, 'w1', host);
  h.facts!.binaries.crictl = undefined;
  await assert.rejects(runOn(inv, h), { message: `crictl is not installed on w1: it pulls the images through ${CONTAINERD} (install cri-tools)` });
  assert.equal(host.roundTrips, 0);
});

async function credentialsInventory(config: object, extra = 'pullPolicy: Always'): Promise<Inventory> {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-images-'));
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify(config), { mode: 0o600 });
  return parseInventory(
    join(dir, 'inventory.yaml'),
    `
cluster: { kubernetesVersion: v1.28.15, imageRepository: 10.77.0.1:5001/k8s }
images: { ${extra}, credentials: { configFile: ${file} } }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`,
  );
}

const SECRET = 'Pa55-w0rd-never-shown';
const AUTH = Buffer.from(`lab:${SECRET}`).toString('base64');

test('credentials are chosen by registry and never appear in argv, results, actions or messages', async () => {
  const inv = await credentialsInventory({
    auths: { '10.77.0.1:5001': { auth: AUTH }, 'other.example.com': { username: 'x', password: 'not-this-one' } },
  });
  const stdins: string[] = [];
  const host = new MemoryHost('cp1').on((argv, options) => {
    if (!pulledImage(argv)) return undefined;
    stdins.push(String(options.stdin));
    // A registry that echoes what it got must not get it into an error message either.
    if (argv.at(-1)!.includes('etcd')) return { code: 1, stderr: `401 Unauthorized: bad credentials ${AUTH} (${SECRET})\n` };
    return { stdout: '' };
  });
  const h = hostRun(inv, 'cp1', host);
  await assert.rejects(runOn(inv, h), (e: unknown) => {
    const message = (e as Error).message;
    assert.equal(message, '1 of 7 image pull(s) failed on cp1:\n  10.77.0.1:5001/k8s/etcd:3.5.15-0: 401 Unauthorized: bad credentials ******** (********) (1 try)');
    return true;
  });
  assert.equal(host.commands.length, 7);
  for (const c of host.commands) {
    assert.deepEqual(c.argv.slice(0, 4), ['sh', '-c', CRICTL_AUTH_SCRIPT, 'sh']);
    assert.deepEqual(c.argv.slice(4, -1), ['crictl', '--runtime-endpoint', CONTAINERD, '--image-endpoint', CONTAINERD, 'pull']);
    assert.equal(c.stdin, `${AUTH}\n`);
  }
  assert.deepEqual(stdins, Array(7).fill(`${AUTH}\n`));
  const everywhere = JSON.stringify([host.commands.map((c) => c.argv), h.images, h.actions, h.notes, h.warnings, String(h.error)]);
  assert.ok(!everywhere.includes(SECRET));
  assert.ok(!everywhere.includes(AUTH));
  assert.ok(!everywhere.includes('not-this-one'));
});

test('images from registries without credentials are pulled plainly', async () => {
  const inv = await credentialsInventory({ auths: { 'elsewhere.example.com': { auth: AUTH } } });
  const host = new MemoryHost('w1').on((argv) => (pulledImage(argv) ? { stdout: '' } : undefined));
  const h = hostRun(inv, 'w1', host);
  await runOn(inv, h);
  assert.deepEqual(host.commands.map((c) => [c.argv[0], c.stdin]), [['crictl', undefined], ['crictl', undefined], ['crictl', undefined]]);
});

test('docker with credentials: a private temporary config from stdin', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-images-'));
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ auths: { 'https://10.77.0.1:5001/v1/': { auth: AUTH } } }), { mode: 0o600 });
  const inv = parseInventory(
    join(dir, 'inventory.yaml'),
    `
cluster: { kubernetesVersion: v1.23.17, imageRepository: 10.77.0.1:5001/k8s }
images: { pullPolicy: Always, credentials: { configFile: ${file} } }
hosts:
  - { name: cp1, address: 10.7.0.149, roles: [control-plane] }
  - { name: w1, address: 10.7.0.150, roles: [worker] }
`,
  );
  const host = new MemoryHost('w1').on((argv) => (argv[0] === 'sh' ? { stdout: '' } : undefined));
  const h = hostRun(inv, 'w1', host, '/var/run/dockershim.sock');
  await runOn(inv, h);
  assert.deepEqual(host.commands, [
    { argv: ['sh', '-c', DOCKER_CONFIG_SCRIPT, 'sh', '10.77.0.1:5001/k8s/kube-proxy:v1.23.17'], stdin: `{"auths":{"10.77.0.1:5001":{"auth":"${AUTH}"}}}` },
    { argv: ['sh', '-c', DOCKER_CONFIG_SCRIPT, 'sh', '10.77.0.1:5001/k8s/pause:3.6'], stdin: `{"auths":{"10.77.0.1:5001":{"auth":"${AUTH}"}}}` },
    { argv: ['sh', '-c', DOCKER_CONFIG_SCRIPT, 'sh', '10.77.0.1:5001/k8s/coredns:v1.8.6'], stdin: `{"auths":{"10.77.0.1:5001":{"auth":"${AUTH}"}}}` },
  ]);
});

test('a config with credsStore fails the host with the clear message before any pull', async () => {
  const inv = await credentialsInventory({ auths: { '10.77.0.1:5001': {} }, credsStore: 'secretservice' });
  const host = new MemoryHost('w1').on((argv) => (pulledImage(argv) ? { stdout: '' } : undefined));
  const h = hostRun(inv, 'w1', host);
  await assert.rejects(runOn(inv, h), (e: unknown) => {
    assert.equal((e as Error).name, 'CredentialsError');
    assert.match((e as Error).message, /: "credsStore": "secretservice" keeps the credentials in a helper program \(docker-credential-secretservice\), which bootstrap does not run; write a config file/);
    return true;
  });
  assert.equal(host.commands.length, 0);
});

test('progress line and the report table', () => {
  assert.equal(
    pullProgress([{ index: 3, total: 7, image: 'registry.k8s.io/etcd:3.5.9-0', startedAt: 1000, attempt: 1 }], 13_400),
    'pulling 3/7: etcd:3.5.9-0 (12s)',
  );
  assert.equal(
    pullProgress(
      [
        { index: 3, total: 7, image: 'registry.k8s.io/etcd:3.5.9-0', startedAt: 1000, attempt: 1 },
        { index: 4, total: 7, image: 'registry.k8s.io/coredns/coredns:v1.10.1', startedAt: 5000, attempt: 2 },
      ],
      13_400,
    ),
    'pulling 3/7: etcd:3.5.9-0 (12s), 4/7: coredns:v1.10.1 (8s, try 2)',
  );
  const inv = inventory();
  const cp = newHostRun(inv.hosts[0]!);
  cp.images = [
    { image: 'registry.k8s.io/etcd:3.5.15-0', outcome: 'pulled', seconds: 12.34, attempts: 1 },
    { image: 'registry.k8s.io/pause:3.9', outcome: 'present', seconds: 0, attempts: 0 },
  ];
  const w = newHostRun(inv.hosts[1]!);
  w.images = [{ image: 'registry.k8s.io/kube-proxy:v1.28.15', outcome: 'pulled', seconds: 3, attempts: 2 }];
  assert.equal(
    imagesTable([cp, w].map((h) => ({ name: h.spec.name, images: h.images }))),
    'IMAGE                                HOST  RESULT            SECONDS\n' +
      'registry.k8s.io/etcd:3.5.15-0        cp1   pulled            12.3\n' +
      'registry.k8s.io/pause:3.9            cp1   present           -\n' +
      'registry.k8s.io/kube-proxy:v1.28.15  w1    pulled (2 tries)  3.0\n',
  );
  assert.equal(imagesTable([{ name: 'cp1', images: newHostRun(inv.hosts[0]!).images }]), '');
});

/** Stand-ins for crictl and docker that record what they got, to run the constant scripts for real. */
async function fakeTools(): Promise<{ bin: string; record: string }> {
  const bin = await mkdtemp(join(tmpdir(), 'bootstrap-fake-tools-'));
  const record = join(bin, 'record');
  // Each looks for the secret in every process's argv while the pull "runs" (grep reads it from a file, so
  // that grep's own argv does not hold it).
  await writeFile(join(bin, 'secret'), `${SECRET}\n`);
  const leakCheck = `for f in /proc/[0-9]*/cmdline; do { tr '\\0' ' ' < "$f"; } 2>/dev/null; echo; done | grep -c -F -f "${join(bin, 'secret')}" >> "$RECORD" || true`;
  await writeFile(
    join(bin, 'crictl'),
    `#!/bin/sh\nprintf 'crictl %s auth=%s\\n' "$*" "$CRICTL_AUTH" >> "$RECORD"\n${leakCheck}\ncase "$*" in *slow*) exec sleep 5;; esac\n`,
    { mode: 0o755 },
  );
  await writeFile(
    join(bin, 'docker'),
    `#!/bin/sh\nprintf 'docker %s\\n' "$*" >> "$RECORD"\nprintf 'dir-mode=%s file-mode=%s\\n' "$(stat -c %a "$2")" "$(stat -c %a "$2/config.json")" >> "$RECORD"\ncat "$2/config.json" >> "$RECORD"; echo >> "$RECORD"\n${leakCheck}\n`,
    { mode: 0o755 },
  );
  return { bin, record };
}

test('for real (local shell): CRICTL_AUTH reaches crictl from stdin, the docker config is private and removed, no argv shows the secret', async () => {
  const { LocalHost } = await import('../../src/transport/local.js');
  const { readFile, stat } = await import('node:fs/promises');
  const { bin, record } = await fakeTools();
  const saved = { PATH: process.env.PATH, RECORD: process.env.RECORD };
  process.env.PATH = `${bin}:${process.env.PATH}`;
  process.env.RECORD = record;
  try {
    const creds = parseDockerConfig(JSON.stringify({ auths: { '10.77.0.1:5001': { auth: AUTH } } }), 'c.json');
    const { pullImages } = await import('../../src/phases/images.js');
    const host = new LocalHost('local');
    const crictl = await pullImages(host, { tool: pullToolFor('v1.28.15', CONTAINERD), images: ['10.77.0.1:5001/k8s/pause:3.9'], parallel: 1, attempts: 1, timeoutMs: 10_000, credentials: creds });
    const docker = await pullImages(host, { tool: { kind: 'docker' }, images: ['10.77.0.1:5001/k8s/pause:3.6'], parallel: 1, attempts: 1, timeoutMs: 10_000, credentials: creds });
    assert.deepEqual([crictl[0]?.outcome, docker[0]?.outcome], ['pulled', 'pulled']);
    const lines = (await readFile(record, 'utf8')).trim().split('\n');
    assert.equal(lines[0], `crictl --runtime-endpoint ${CONTAINERD} --image-endpoint ${CONTAINERD} pull 10.77.0.1:5001/k8s/pause:3.9 auth=${AUTH}`);
    assert.equal(lines[1], '0', 'no process argv holds the password while crictl runs');
    const dir = /^docker --config (\S+) pull 10\.77\.0\.1:5001\/k8s\/pause:3\.6$/.exec(lines[2] ?? '')?.[1];
    assert.ok(dir, lines[2]);
    assert.equal(lines[3], 'dir-mode=700 file-mode=600');
    assert.equal(lines[4], `{"auths":{"10.77.0.1:5001":{"auth":"${AUTH}"}}}`);
    assert.equal(lines[5], '0', 'no process argv holds the password while docker runs');
    await assert.rejects(stat(dir), { code: 'ENOENT' });

    // The per-image timeout ends a pull that hangs.
    const started = Date.now();
    const slow = await pullImages(host, { tool: pullToolFor('v1.28.15', CONTAINERD), images: ['registry.k8s.io/slow:1'], parallel: 1, attempts: 1, timeoutMs: 300 });
    assert.equal(slow[0]?.outcome, 'failed');
    assert.equal(slow[0]?.error, 'registry.k8s.io/slow:1: timed out after 300ms');
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test('a crictl failure is said by its message, unquoted, without logrus\'s time and level', () => {
  const line = 'time="2026-12-02T17:48:51.700Z" level=fatal msg="pulling image: rpc error: failed to resolve reference \\"10.77.0.1:5001/pause:3.9\\": 401 Unauthorized"';
  assert.equal(fromLogLine(`warning line\n${line}`), 'warning line\npulling image: rpc error: failed to resolve reference "10.77.0.1:5001/pause:3.9": 401 Unauthorized');
  assert.equal(fromLogLine('Error response from daemon: manifest unknown'), 'Error response from daemon: manifest unknown');
});

test('crictl gets credentials by its version: the password on a terminal from v1.26, CRICTL_AUTH on v1.24–v1.25, refused before', () => {
  const cred = parseDockerConfig('{"auths":{"10.77.0.1:5001":{"auth":"bGFiOnB3"}}}', 'c.json').forImage('10.77.0.1:5001/k8s/pause:3.9');
  const image = '10.77.0.1:5001/k8s/pause:3.9';
  const crictl = (version?: string) => ({ kind: 'crictl' as const, socket: CONTAINERD, ...(version ? { version } : {}) });
  assert.deepEqual(pullCommand(crictl('v1.28.0'), image, cred), {
    argv: ['crictl', '--runtime-endpoint', CONTAINERD, '--image-endpoint', CONTAINERD, 'pull', '--username', 'lab', image],
    stdin: 'pw\n',
    terminal: true,
  });
  assert.equal(pullCommand(crictl('v1.26.0'), image, cred).terminal, true);
  // Through sudo (which may ask its own password and discard what was typed ahead), and on v1.24–v1.25: CRICTL_AUTH.
  for (const command of [pullCommand(crictl('v1.28.0'), image, cred, { throughSudo: true }), pullCommand(crictl('v1.25.0'), image, cred), pullCommand(crictl('v1.24.1'), image, cred), pullCommand(crictl(), image, cred)]) {
    assert.deepEqual(command, { argv: ['sh', '-c', CRICTL_AUTH_SCRIPT, 'sh', ...crictlPull(image)], stdin: 'bGFiOnB3\n' });
  }
  assert.throws(() => pullCommand(crictl('v1.23.0'), image, cred), /^CrictlCredentialsError: crictl v1\.23\.0 takes registry credentials only on its command line/);
  // Without credentials the version does not matter.
  assert.deepEqual(pullCommand(crictl('v1.23.0'), image), { argv: crictlPull(image) });
});

test('a pull on a terminal: the prompt is not part of the error, the password is never sent anywhere else', async () => {
  const inv = await credentialsInventory({ auths: { '10.77.0.1:5001': { auth: AUTH } } });
  const host = new MemoryHost('w1').on((argv, options) => {
    if (!pulledImage(argv)) return undefined;
    assert.equal(options.terminal, true);
    assert.ok(!argv.join(' ').includes(SECRET));
    if (argv.at(-1)!.includes('pause')) return { code: 1, stdout: `Enter Password:\ntime="x" level=fatal msg="pulling image: 401 Unauthorized ${SECRET}"\n` };
    return { stdout: 'Enter Password:\nImage is up to date for sha256:abc\n' };
  });
  const h = hostRun(inv, 'w1', host);
  h.facts = { ...h.facts!, binaries: { ...h.facts!.binaries, crictlVersion: 'v1.28.0' } };
  await assert.rejects(runOn(inv, h), (e: unknown) => {
    assert.equal((e as Error).message, '1 of 3 image pull(s) failed on w1:\n  10.77.0.1:5001/k8s/pause:3.9: pulling image: 401 Unauthorized ******** (1 try)');
    return true;
  });
  assert.deepEqual([...new Set(host.commands.map((c) => c.stdin))], [`${SECRET}\n`]);
});
