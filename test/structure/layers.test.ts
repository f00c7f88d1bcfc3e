/**
 * The folders of src/ import one way. Each folder has a layer; a file may import only from folders of a lower
 * layer (or its own folder). A new folder must be given its layer here, which is where the layout is decided.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { repoRoot } from '../helpers.js';

/** Top to bottom: cli → commands → phases → health → pipeline → renderers → transport → the pure base. */
const LAYERS: Record<string, number> = {
  'index.ts': 100, // the library's entry point re-exports from anywhere below
  cli: 90, // parses arguments and prints; the only caller of process.exit
  commands: 80, // up, reset, status, hosts trust: phase lists and their reports
  phases: 70, // one file per kubeadm phase
  health: 60, // the control plane's health checks, used by wait-control-plane and status
  pipeline: 50, // the phase type, the runner, the per-host run record, wet()
  render: 40, // everything written on a host, computed offline
  api: 38, // the Kubernetes API client, reached through a host's transport
  etcd: 38, // etcd's v3 API (membership, health) through its JSON gateway, reached through a host's transport
  cluster: 36, // kubeadm's API objects (upload-config, tokens, RBAC, addons), computed offline
  prepare: 37, // what prepare sets up on a host (kernel, tools, runtime, kubelet/crictl), computed offline
  kubelet: 35,
  manifests: 30,
  pki: 30,
  transport: 20, // the Host interface and its implementations
  registries: 15, // registry credentials from a docker config.json, and what they become on hosts and in the API
  inventory: 10,
  kube: 5, // the version model, per-version tables, the image catalog, the runtime toolkit
  net: 0,
  util: 0,
};

const src = join(repoRoot, 'src');
/** `import … from './x.js'`, `export … from`, a bare `import './x.js'`, and `import('./x.js')`. */
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\s*\(?\s*['"](\.[^'"]+)['"]/g;

function roomOf(file: string): string {
  const rel = relative(src, file);
  return rel.includes(sep) ? rel.split(sep)[0]! : rel;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sources(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

test('every folder of src/ has a layer, and every import points to a lower layer', () => {
  const wrong: string[] = [];
  const rooms = new Set<string>();
  for (const file of sources(src)) {
    const from = roomOf(file);
    rooms.add(from);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = normalize(join(dirname(file), (m[1] ?? m[2])!)).replace(/\.js$/, '.ts');
      if (!target.startsWith(src + sep)) continue;
      const to = roomOf(target);
      if (to === from) continue;
      if (!(from in LAYERS) || !(to in LAYERS)) continue;
      if (LAYERS[from]! <= LAYERS[to]!) wrong.push(`${relative(repoRoot, file)} imports ${to}/ (layer ${LAYERS[to]}) from ${from}/ (layer ${LAYERS[from]})`);
    }
  }
  const unplaced = [...rooms].filter((r) => !(r in LAYERS));
  assert.deepEqual(unplaced, [], `folders without a layer in test/structure/layers.test.ts: ${unplaced.join(', ')}`);
  assert.deepEqual(wrong, []);
});
