/** `bootstrap images list` through the real CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers.js';

const run = promisify(execFile);
const cli = join(repoRoot, 'dist/src/cli/main.js');

test('images list -o json prints the normalised version, the one the tags carry', async () => {
  for (const written of ['1.28.4', 'v1.28.4']) {
    const { stdout } = await run(process.execPath, [cli, 'images', 'list', '--kubernetes-version', written, '-o', 'json']);
    const out = JSON.parse(stdout) as { kubernetesVersion: string; images: { image: string }[] };
    assert.equal(out.kubernetesVersion, 'v1.28.4', written);
    assert.ok(out.images.some((i) => i.image === 'registry.k8s.io/kube-apiserver:v1.28.4'), written);
  }
});
