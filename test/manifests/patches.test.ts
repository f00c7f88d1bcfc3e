import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import {
  PatchError,
  applyPatches,
  describePatches,
  jsonPatch,
  loadPatches,
  mergePatch,
  strategicMergePatch,
  type PatchSet,
} from '../../src/manifests/patches.js';

// Compiled to dist/test/manifests/, the fixtures stay in test/fixtures/patches/.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/patches');

type Json = Record<string, any>;

async function apiserverPod(): Promise<Json> {
  return parse(await readFile(path.join(FIXTURES, 'kube-apiserver-pod.yaml'), 'utf8')) as Json;
}

async function withPatchDir(files: Record<string, string>, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'patches-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function patchPod(files: Record<string, string>): Promise<Json> {
  let result: Json = {};
  await withPatchDir(files, async (dir) => {
    result = applyPatches(await loadPatches(dir), 'kube-apiserver', await apiserverPod()) as Json;
  });
  return result;
}

describe('strategic merge patch on a kube-apiserver Pod', () => {
  it('merges containers by name, env by name, volumeMounts by mountPath; replaces command', async () => {
    const pod = await patchPod({
      'kube-apiserver.yaml': `
spec:
  containers:
  - name: kube-apiserver
    command:
    - kube-apiserver
    - --secure-port=6444
    env:
    - name: GOMAXPROCS
      value: "2"
    volumeMounts:
    - mountPath: /etc/kubernetes/pki
      name: k8s-certs
      readOnly: false
    - mountPath: /var/log/audit
      name: audit
  volumes:
  - name: audit
    hostPath:
      path: /var/log/kubernetes/audit
      type: DirectoryOrCreate
`,
    });
    const [container, ...others] = pod.spec.containers;
    assert.equal(others.length, 0);
    assert.deepEqual(container.command, ['kube-apiserver', '--secure-port=6444']);
    assert.deepEqual(container.env, [{ name: 'GOMAXPROCS', value: '2' }]);
    assert.equal(container.image, 'registry.k8s.io/kube-apiserver:v1.28.4');
    // Items the patch names keep the patch's order and are interleaved with the untouched ones by the
    // original order; an item only the patch has goes before untouched items that follow it.
    assert.deepEqual(container.volumeMounts, [
      { mountPath: '/etc/ssl/certs', name: 'ca-certs', readOnly: true },
      { mountPath: '/etc/kubernetes/pki', name: 'k8s-certs', readOnly: false },
      { mountPath: '/var/log/audit', name: 'audit' },
    ]);
    assert.deepEqual(
      pod.spec.volumes.map((v: Json) => v.name),
      ['audit', 'ca-certs', 'k8s-certs'],
    );
  });

  it('adds a new container before the existing one, as kubectl patch does', async () => {
    const pod = await patchPod({ 'kube-apiserver.yaml': 'spec:\n  containers:\n  - name: sidecar\n    image: busybox\n' });
    assert.deepEqual(pod.spec.containers.map((c: Json) => c.name), ['sidecar', 'kube-apiserver']);
  });

  it('honours $patch: delete, $patch: replace, $retainKeys, null and $deleteFromPrimitiveList', async () => {
    const pod = await patchPod({
      'kube-apiserver.yaml': `
metadata:
  labels:
    tier: null
  finalizers:
  - example.com/added
spec:
  securityContext:
    $patch: replace
    runAsNonRoot: true
  containers:
  - name: kube-apiserver
    resources:
      $retainKeys: [limits]
      limits:
        memory: 1Gi
    livenessProbe:
      $patch: delete
  volumes:
  - name: ca-certs
    $patch: delete
`,
    });
    assert.deepEqual(pod.metadata.labels, { component: 'kube-apiserver' });
    // finalizers is a merged list of strings in ObjectMeta.
    assert.deepEqual(pod.metadata.finalizers, ['example.com/added', 'example.com/keep']);
    assert.deepEqual(pod.spec.securityContext, { runAsNonRoot: true });
    assert.deepEqual(pod.spec.containers[0].resources, { limits: { memory: '1Gi' } });
    assert.deepEqual(pod.spec.containers[0].livenessProbe, {});
    assert.deepEqual(pod.spec.volumes.map((v: Json) => v.name), ['k8s-certs']);

    const pruned = await patchPod({ 'kube-apiserver.yaml': '$deleteFromPrimitiveList/finalizers: [example.com/keep]\nmetadata: {}\n' });
    assert.deepEqual(pruned.metadata.finalizers, ['example.com/keep'], 'top-level directive does not reach metadata');
    const pruned2 = await patchPod({ 'kube-apiserver.yaml': 'metadata:\n  $deleteFromPrimitiveList/finalizers: [example.com/keep]\n' });
    assert.deepEqual(pruned2.metadata.finalizers, []);
  });

  it('replaces tolerations (atomic) and a whole container list with $patch: replace', async () => {
    const base = await patchPod({ 'kube-apiserver.yaml': 'spec:\n  tolerations:\n  - key: a\n    operator: Exists\n' });
    assert.deepEqual(base.spec.tolerations, [{ key: 'a', operator: 'Exists' }]);
    await withPatchDir(
      {
        'kube-apiserver0.yaml': 'spec:\n  tolerations:\n  - key: b\n    effect: NoSchedule\n',
        'kube-apiserver1.yaml': 'spec:\n  containers:\n  - name: only\n    image: x\n  - $patch: replace\n',
      },
      async (dir) => {
        const pod = applyPatches(await loadPatches(dir), 'kube-apiserver', base) as Json;
        assert.deepEqual(pod.spec.tolerations, [{ key: 'b', effect: 'NoSchedule' }]);
        assert.deepEqual(pod.spec.containers, [{ name: 'only', image: 'x' }]);
      },
    );
    // Without a schema, a list of objects has no merge key and is replaced too.
    assert.deepEqual(strategicMergePatch({ items: [{ a: 1 }] }, { items: [{ b: 2 }] }), { items: [{ b: 2 }] });
  });

  it('$setElementOrder puts the named items in order', async () => {
    const pod = await patchPod({
      'kube-apiserver.yaml': `
spec:
  $setElementOrder/volumes:
  - name: k8s-certs
  - name: ca-certs
  volumes:
  - name: k8s-certs
    hostPath:
      path: /etc/kubernetes/pki
`,
    });
    assert.deepEqual(pod.spec.volumes.map((v: Json) => v.name), ['k8s-certs', 'ca-certs']);
    assert.deepEqual(pod.spec.volumes[0], { hostPath: { path: '/etc/kubernetes/pki', type: 'DirectoryOrCreate' }, name: 'k8s-certs' });
  });

  it('kubeletconfiguration: maps merge, lists are replaced', async () => {
    await withPatchDir({ 'kubeletconfiguration.yaml': 'clusterDNS: [10.0.0.10]\nevictionHard:\n  memory.available: 5%\n' }, async (dir) => {
      const set = await loadPatches(dir);
      const cfg = { clusterDNS: ['10.96.0.10', '10.96.0.11'], evictionHard: { 'nodefs.available': '10%' } };
      assert.deepEqual(applyPatches(set, 'kubeletconfiguration', cfg), {
        clusterDNS: ['10.0.0.10'],
        evictionHard: { 'nodefs.available': '10%', 'memory.available': '5%' },
      });
      assert.deepEqual(cfg.clusterDNS, ['10.96.0.10', '10.96.0.11'], 'input is not changed');
    });
  });
});

describe('merge patch (RFC 7386)', () => {
  it('passes the RFC 7386 appendix A examples', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [['a', 'b'], ['c', 'd'], ['c', 'd']],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ a: 'foo' }, 'bar', 'bar'],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    for (const [target, patch, expected] of cases) assert.deepEqual(mergePatch(target, patch), expected);
  });

  it('applies to a Pod from a +merge file', async () => {
    const pod = await patchPod({ 'kube-apiserver+merge.yaml': 'spec:\n  containers:\n  - name: only\n  hostNetwork: null\n' });
    assert.deepEqual(pod.spec.containers, [{ name: 'only' }]);
    assert.equal('hostNetwork' in pod.spec, false);
  });
});

describe('JSON patch (RFC 6902)', () => {
  const doc = { 'a/b': { 'm~n': 1 }, list: ['x', 'y'], obj: { k: 'v' } };

  it('add, remove, replace, move, copy and test with pointer escaping', () => {
    const out = jsonPatch(doc, [
      { op: 'test', path: '/a~1b/m~0n', value: 1 },
      { op: 'add', path: '/list/1', value: 'inserted' },
      { op: 'add', path: '/list/-', value: 'last' },
      { op: 'replace', path: '/a~1b/m~0n', value: 2 },
      { op: 'copy', from: '/obj', path: '/copied' },
      { op: 'move', from: '/obj/k', path: '/moved' },
      { op: 'remove', path: '/list/0' },
    ]);
    assert.deepEqual(out, { 'a/b': { 'm~n': 2 }, list: ['inserted', 'y', 'last'], obj: {}, copied: { k: 'v' }, moved: 'v' });
    assert.deepEqual(doc.list, ['x', 'y'], 'input is not changed');
  });

  it('fails with the operation named', () => {
    assert.throws(() => jsonPatch(doc, [{ op: 'test', path: '/obj/k', value: 'other' }]), /operation 0 \(test \/obj\/k\): test failed/);
    assert.throws(() => jsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }]), /operation 0 \(replace \/nope\): path "\/nope" does not exist/);
    assert.throws(() => jsonPatch(doc, [{ op: 'remove', path: '/list/2' }]), /index 2 in "\/list\/2" is out of range/);
    assert.throws(() => jsonPatch(doc, [{ op: 'add', path: '/missing/x', value: 1 }]), /does not exist/);
    assert.throws(() => jsonPatch(doc, [{ op: 'frobnicate', path: '/a' }]), /unknown operation "frobnicate"/);
  });

  it('applies to a Pod from a +json file', async () => {
    const pod = await patchPod({
      'kube-apiserver+json.json': JSON.stringify([
        { op: 'add', path: '/spec/containers/0/command/-', value: '--profiling=false' },
        { op: 'replace', path: '/spec/containers/0/livenessProbe/httpGet/host', value: '127.0.0.1' },
      ]),
    });
    assert.equal(pod.spec.containers[0].command.at(-1), '--profiling=false');
    assert.equal(pod.spec.containers[0].livenessProbe.httpGet.host, '127.0.0.1');
  });
});

describe('patch directory', () => {
  it('applies files in lexical order (documents top to bottom, sub-directories walked) and reports ignored files', async () => {
    const set = await loadPatches(path.join(FIXTURES, 'ordered'));
    assert.deepEqual(set.files, [
      'kube-apiserver0+merge.yaml',
      'kube-apiserver1+json.json',
      'kube-apiserver2.yaml',
      'kube-scheduler+merge.yaml',
      'kubeletconfiguration+strategic.yaml',
      'kube-apiserver3+strategic.yaml',
    ]);
    const log: string[] = [];
    const pod = applyPatches(set, 'kube-apiserver', await apiserverPod(), (line) => log.push(line)) as Json;
    assert.equal(pod.metadata.annotations['example.com/order'], '2b');
    assert.equal('creationTimestamp' in pod.metadata, false);
    assert.equal(pod.metadata.labels['example.com/nested'], 'true');
    assert.equal(pod.spec.containers[0].command.at(-1), '--v=2');
    assert.deepEqual(log, [
      '[patches] Applied patch of type "application/merge-patch+json" to target "kube-apiserver"',
      '[patches] Applied patch of type "application/json-patch+json" to target "kube-apiserver"',
      '[patches] Applied patch of type "application/strategic-merge-patch+json" to target "kube-apiserver"',
      '[patches] Applied patch of type "application/strategic-merge-patch+json" to target "kube-apiserver"',
      '[patches] Applied patch of type "application/strategic-merge-patch+json" to target "kube-apiserver"',
    ]);
    // A YAML 1.1 "yes" is a boolean, as sigs.k8s.io/yaml reads it.
    assert.deepEqual(applyPatches(set, 'kube-scheduler', { metadata: {} }), { metadata: { labels: { 'example.com/scheduler': true } } });
    // Targets without patches come back unchanged (and as a copy).
    const etcd = { metadata: { name: 'etcd' } };
    const same = applyPatches(set, 'etcd', etcd);
    assert.deepEqual(same, etcd);
    assert.notEqual(same, etcd);

    assert.deepEqual(describePatches(set), [
      `[patches] Reading patches from path "${path.join(FIXTURES, 'ordered')}"`,
      '[patches] Ignoring file "README.md": the file extension must be one of [json yaml]',
      '[patches] Ignoring empty file: "kube-controller-manager.yaml"',
      '[patches] Ignoring file "kube-proxy.yaml": unknown target, must be one of [etcd kube-apiserver kube-controller-manager kube-scheduler kubeletconfiguration corednsdeployment]',
      '[patches] Found the following patch files: [kube-apiserver0+merge.yaml kube-apiserver1+json.json kube-apiserver2.yaml kube-scheduler+merge.yaml kubeletconfiguration+strategic.yaml kube-apiserver3+strategic.yaml]',
      '[patches] Ignored the following files: [README.md kube-controller-manager.yaml kube-proxy.yaml]',
      '[patches] Will apply patch of type "application/merge-patch+json" from kube-apiserver0+merge.yaml to target "kube-apiserver"',
      '[patches] Will apply patch of type "application/json-patch+json" from kube-apiserver1+json.json to target "kube-apiserver"',
      '[patches] Will apply patch of type "application/strategic-merge-patch+json" from kube-apiserver2.yaml to target "kube-apiserver"',
      '[patches] Will apply patch of type "application/strategic-merge-patch+json" from kube-apiserver2.yaml to target "kube-apiserver"',
      '[patches] Will apply patch of type "application/strategic-merge-patch+json" from nested/kube-apiserver3+strategic.yaml to target "kube-apiserver"',
      '[patches] Will apply patch of type "application/merge-patch+json" from kube-scheduler+merge.yaml to target "kube-scheduler"',
      '[patches] Will apply patch of type "application/strategic-merge-patch+json" from kubeletconfiguration+strategic.yaml to target "kubeletconfiguration"',
    ]);
  });

  it('before v1.25 kubeletconfiguration is an unknown target and is ignored', async () => {
    const set: PatchSet = await loadPatches(path.join(FIXTURES, 'ordered'), { kubernetesVersion: 'v1.24.17' });
    assert.equal(set.byTarget.has('kubeletconfiguration'), false);
    assert.ok(set.ignored.some((f) => f.file === 'kubeletconfiguration+strategic.yaml' && /unknown target/.test(f.reason)));
    assert.throws(() => applyPatches(set, 'kubeletconfiguration', {}), /unknown patch target name "kubeletconfiguration"/);
  });

  it('a YAML error names the file, line and column', async () => {
    await assert.rejects(loadPatches(path.join(FIXTURES, 'bad-yaml')), (e: unknown) => {
      assert.ok(e instanceof PatchError);
      assert.match(e.message, /^could not parse patch file kube-apiserver\+strategic\.yaml:5:1: /);
      return true;
    });
  });

  it('duplicate keys, bad JSON and unknown aliases are located errors too', async () => {
    await withPatchDir({ 'etcd.yaml': 'a: 1\nb:\n  c: 2\n  c: 3\n' }, async (dir) => {
      await assert.rejects(loadPatches(dir), /^PatchError: could not parse patch file etcd\.yaml:4:3: Map keys must be unique$/);
    });
    await withPatchDir({ 'etcd+json.json': '[\n  {"op": "add", "path": "/a" "value": 1}\n]\n' }, async (dir) => {
      await assert.rejects(loadPatches(dir), /could not parse patch file etcd\+json\.json:2:30: /);
    });
    await withPatchDir({ 'etcd.yaml': 'a: 1\n---\nb: *missing\n' }, async (dir) => {
      await assert.rejects(loadPatches(dir), (e: unknown) => e instanceof PatchError && /etcd\.yaml: Unresolved alias/.test(e.message));
    });
  });

  it('a "+" without a known patch type is an error, as in kubeadm', async () => {
    await withPatchDir({ 'etcd+yolo.yaml': 'a: 1\n' }, async (dir) => {
      await assert.rejects(loadPatches(dir), /patch file "etcd\+yolo\.yaml": unknown or missing patch type after '\+'/);
    });
  });

  it('a patch that cannot be applied names the file and document', async () => {
    await withPatchDir({ 'kube-apiserver+json.yaml': '- op: remove\n  path: /spec/nothing\n' }, async (dir) => {
      const set = await loadPatches(dir);
      assert.throws(() => applyPatches(set, 'kube-apiserver', { spec: {} }), (e: unknown) => {
        assert.ok(e instanceof PatchError);
        assert.equal(
          e.message,
          'could not apply the patch of type "application/json-patch+json" from kube-apiserver+json.yaml (document 1) to target "kube-apiserver": operation 0 (remove /spec/nothing): path "/spec/nothing" does not exist',
        );
        return true;
      });
    });
  });

  it('a missing directory is a clear error', async () => {
    await assert.rejects(loadPatches(path.join(FIXTURES, 'no-such-dir')), /could not list patch files for path ".*no-such-dir": ENOENT/);
    await assert.rejects(loadPatches(path.join(FIXTURES, 'kube-apiserver-pod.yaml')), /not a directory/);
  });
});
