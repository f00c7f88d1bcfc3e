#!/usr/bin/env node
/**
 * npm run demo [-- --kubernetes-version vX.Y.Z] — the quick start: a lab of three kind-style nodes (one control
 * plane, two workers) on this machine, then `bootstrap up` against its inventory, through the real CLI.
 * A lab left from an earlier run is replaced.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { defaultUpOptions, down, elapsedLogger, up as labUp } from './lab/lab.js';
import { defaultRepoRoot, labExists } from './lab/state.js';
import { LAB_PREFLIGHT_IGNORES } from './ignores.js';
import { loadInventory } from '../src/inventory/index.js';

const { values } = parseArgs({ options: { 'kubernetes-version': { type: 'string' } }, strict: true });
const repoRoot = defaultRepoRoot();
const log = elapsedLogger();

if (labExists(repoRoot)) await down(repoRoot, { purge: false, log });
const lab = await labUp(repoRoot, defaultUpOptions({
  hosts: 3,
  controlPlanes: 1,
  log,
  ...(values['kubernetes-version'] ? { kubernetesVersion: values['kubernetes-version'] } : {}),
}));

const argv = ['dist/src/cli/main.js', 'up', lab.inventory, `--ignore-preflight-errors=${LAB_PREFLIGHT_IGNORES.join(',')}`];
console.log(`\n$ bootstrap ${argv.slice(1).join(' ')}\n`);
const result = spawnSync(process.execPath, argv, { cwd: repoRoot, stdio: 'inherit' });
const { stateDir } = await loadInventory(lab.inventory);
console.log(`\nThe lab stays up: kubectl --kubeconfig ${stateDir}/admin.conf get nodes -o wide · ssh -F ${lab.sshConfig} cp1 · npm run lab -- status · npm run lab -- down`);
process.exit(result.status ?? 1);
