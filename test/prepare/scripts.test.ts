/**
 * The two scripts prepare sends, run by a real sh on this machine: the probe (read-only) parses into a state,
 * and the commands script runs every argument array exactly as given, globs and quotes included, stopping at the
 * first command that fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { commandsScript } from '../../src/phases/prepare.js';
import { FileHashes } from '../../src/transport/host.js';
import { parseProbe, PROBE_SCRIPT } from '../../src/prepare/index.js';
import { gatherFacts } from '../../src/phases/facts.js';
import { each, fake, fixture, nextSecond, starts, VERSION } from '../phases/fake-binaries.js';

const run = promisify(execFile);
/** The probe's first argument, the folder of the versions facts kept: here one that does not exist. */
const NO_VERSIONS = '/nonexistent/bootstrap-versions';

test('the probe runs under sh and its output parses: architecture, swap count, executables in PATH', async () => {
  const { stdout } = await run('sh', ['-c', PROBE_SCRIPT, 'sh', NO_VERSIONS, 'no-such-package-here', 'another-missing-one']);
  const state = parseProbe(stdout, { hashes: new FileHashes() });
  assert.equal(state.arch, (await run('uname', ['-m'])).stdout.trim());
  assert.ok(Number.isInteger(state.swaps) && stdout.includes(`swaps=${state.swaps}\n`));
  assert.ok(state.executables.has('mount') && state.executables.has('touch'), stdout);
  assert.equal(state.packages.size, 0, 'packages that are not installed are not listed');
  for (const line of stdout.trim().split('\n')) assert.match(line, /^[a-z0-9.\/_-]+=/i, 'every line is key=value');
});

// The test machine is Debian (README: quick start), as the lab's hosts are: dpkg is there.
test('the probe reads installed packages with their versions from dpkg', async () => {
  const { stdout } = await run('sh', ['-c', PROBE_SCRIPT, 'sh', NO_VERSIONS, 'coreutils', 'no-such-package-here']);
  const state = parseProbe(stdout, { hashes: new FileHashes() });
  const { stdout: version } = await run('dpkg-query', ['-W', '-f=${Version}', 'coreutils']);
  assert.deepEqual([...state.packages], [['coreutils', version]]);
});

test('the commands script passes every argument through unchanged and stops at the first failure', async () => {
  const hostile = ['kubelet=1.28.4-*', `bar"";baz!$#^$'&*`, '$(touch /tmp/pwned)', ''];
  const [sh, ...args] = commandsScript([['printf', '<%s>\\n', ...hostile], ['printf', 'second\\n']]);
  const { stdout } = await run(sh!, args);
  assert.equal(stdout, `${hostile.map((a) => `<${a}>`).join('\n')}\nsecond\n`);
  const failing = commandsScript([['false'], ['printf', 'not reached']]);
  await assert.rejects(run(failing[0]!, failing.slice(1)), (e: { code: number; stdout: string }) => e.code === 1 && e.stdout === '');
});

test('the probe asks kubelet, crictl and containerd their version only when what up\'s facts kept no longer fits', async () => {
  const f = fixture();
  await nextSecond();
  await gatherFacts(f.host('dash'), VERSION, { keepVersions: true });
  assert.deepEqual(starts(f), each(1));
  const probe = async () => {
    const { stdout } = await run('env', [`PATH=${f.path}`, 'dash', '-c', PROBE_SCRIPT, 'sh', f.versions, 'no-such-package-here']);
    return parseProbe(stdout, { hashes: new FileHashes() });
  };
  const expected = { kubelet: 'v1.28.15', crictl: 'v1.28.0', containerd: '1.7.13' };
  assert.deepEqual((await probe()).versions, expected);
  assert.deepEqual(starts(f), each(1), 'what facts kept is read');
  fake(f, 'kubelet', 'Kubernetes v1.29.2');
  assert.deepEqual((await probe()).versions, { ...expected, kubelet: 'v1.29.2' });
  assert.deepEqual(starts(f), { ...each(1), kubelet: 2 }, 'a replaced kubelet is asked');
  assert.deepEqual((await probe()).versions, { ...expected, kubelet: 'v1.29.2' });
  assert.deepEqual(starts(f), { ...each(1), kubelet: 3 }, 'the probe only looks: it keeps nothing');
});
