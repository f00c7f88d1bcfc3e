import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runtimeListingFrom } from '../../src/health/check.js';
import {
  DIAGNOSE_SCRIPT,
  LIST_SCRIPT,
  parseSections,
  READ_FILES_SCRIPT,
  runSections,
  runtimeMode,
} from '../../src/health/commands.js';
import { criEndpoint as runtimeEndpoint } from '../../src/kube/cri-socket.js';
import { LocalHost } from '../../src/transport/local.js';
import { MemoryHost } from '../../src/transport/memory.js';
import { CRICTL_PODS, CRICTL_PS, DOCKER_PS } from './fixtures.js';

/** Stand-in crictl/docker/systemctl/journalctl on PATH that print the fixtures and record their arguments. */
const dir = mkdtempSync(join(tmpdir(), 'bootstrap-health-bin-'));
const calls = join(dir, 'calls');
const savedPath = process.env.PATH;

function tool(name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\nprintf '%s\\n' "${name} $*" >> ${calls}\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}

before(() => {
  writeFileSync(join(dir, 'pods.json'), CRICTL_PODS);
  writeFileSync(join(dir, 'ps.json'), CRICTL_PS);
  writeFileSync(join(dir, 'docker-ps'), DOCKER_PS);
  tool(
    'crictl',
    `[ -f ${dir}/crictl-down ] && { echo 'time="2023-11-22T08:00:00Z" level=fatal msg="validate service connection: dial unix /var/run/dockershim.sock: connect: no such file or directory"' >&2; exit 1; }
case "$3" in
  pods) cat ${dir}/pods.json ;;
  ps) cat ${dir}/ps.json ;;
  images) echo '{"images": []}' ;;
  inspect) echo '{"status": {"exitCode": 1, "reason": "Error"}}' ;;
  logs) echo "out line"; echo "err line" >&2; printf 'no newline at end' ;;
esac`,
  );
  tool('docker', `case "$1" in ps) cat ${dir}/docker-ps ;; images) echo k8s.gcr.io/etcd:3.4.13-0 ;; logs) echo "docker log $4" >&2 ;; esac`);
  tool('systemctl', 'echo activating; exit 3');
  tool('journalctl', 'echo "Nov 22 08:00:00 cp1 kubelet[1]: E1122 failed"');
  process.env.PATH = `${dir}:${savedPath}`;
});
after(() => {
  process.env.PATH = savedPath;
});

const recorded = () => readFileSync(calls, 'utf8').trim().split('\n');
const reset = () => writeFileSync(calls, '');

test('runtime mode and endpoint: dockershim only before v1.24, bare paths get unix://', () => {
  assert.equal(runtimeMode('v1.21.14', '/var/run/dockershim.sock'), 'dockershim');
  assert.equal(runtimeMode('v1.21.14', '/run/containerd/containerd.sock'), 'cri');
  assert.equal(runtimeMode('v1.28.4', 'unix:///var/run/cri-dockerd.sock'), 'cri');
  assert.equal(runtimeEndpoint('/var/run/dockershim.sock'), 'unix:///var/run/dockershim.sock');
  assert.equal(runtimeEndpoint('unix:///run/containerd/containerd.sock'), 'unix:///run/containerd/containerd.sock');
});

test('sections: stdout, stderr apart, exit code; output without a final newline; forged markers ignored', () => {
  const m = '@@bootstrap-abc';
  const out = `${m} begin a\n{"x": 1}\n\n${m} rc a 0\n${m} begin b\nno newline\n${m} rc b 3\n${m} err boom\n${m} err again\n${m} begin c\n@@bootstrap-zzz rc c 9\nline\n\n${m} rc c 0\n`;
  const s = parseSections(out, m);
  assert.deepEqual(s.get('a'), { stdout: '{"x": 1}', stderr: '', code: 0 });
  assert.deepEqual(s.get('b'), { stdout: 'no newline', stderr: 'boom\nagain', code: 3 });
  assert.deepEqual(s.get('c'), { stdout: '@@bootstrap-zzz rc c 9\nline', stderr: '', code: 0 });
});

test('the listing is one command: golden argv, run as root', async () => {
  const host = new MemoryHost('cp1').on(() => ({ stdout: '' }));
  await runSections(host, LIST_SCRIPT, ['cri', 'unix:///run/containerd/containerd.sock'], 5000);
  assert.equal(host.roundTrips, 1);
  const argv = host.commands[0]!.argv;
  assert.deepEqual([...argv.slice(0, 4), ...argv.slice(5)], ['sh', '-c', LIST_SCRIPT, 'sh', 'cri', 'unix:///run/containerd/containerd.sock']);
  assert.match(argv[4]!, /^@@bootstrap-[0-9a-f]{12}$/);
});

test('a script that could not run at all fails with its reason', async () => {
  const host = new MemoryHost('cp1').on(() => ({ code: 1, stderr: 'sudo: a password is required' }));
  await assert.rejects(runSections(host, LIST_SCRIPT, ['cri', 'unix:///run/containerd/containerd.sock'], 5000), {
    name: 'CommandError',
    message: 'cp1: sh exited 1: sudo: a password is required',
  });
});

test('LIST_SCRIPT on a real shell: crictl pods and ps against the socket', async () => {
  reset();
  const sections = await runSections(new LocalHost(), LIST_SCRIPT, ['cri', 'unix:///run/containerd/containerd.sock'], 10_000);
  assert.deepEqual(recorded(), [
    'crictl --runtime-endpoint unix:///run/containerd/containerd.sock pods -o json',
    'crictl --runtime-endpoint unix:///run/containerd/containerd.sock ps -a -o json',
  ]);
  const listing = runtimeListingFrom(sections);
  assert.equal(listing.tool, 'crictl');
  assert.equal(listing.state?.sandboxes.length, 4);
  assert.equal(listing.state?.containers.length, 4);
});

test('LIST_SCRIPT on a dockershim host with kubelet down: crictl fails, docker ps answers', async () => {
  reset();
  writeFileSync(join(dir, 'crictl-down'), '');
  try {
    const sections = await runSections(new LocalHost(), LIST_SCRIPT, ['dockershim', 'unix:///var/run/dockershim.sock'], 10_000);
    assert.equal(recorded().at(-1), "docker ps -a --no-trunc --format {{json .}}");
    assert.equal(sections.get('pods')?.code, 1);
    assert.match(sections.get('pods')?.stderr ?? '', /dockershim.sock: connect: no such file or directory/);
    const listing = runtimeListingFrom(sections);
    assert.equal(listing.tool, 'docker');
    assert.equal(
      listing.fallback,
      'crictl pods exited 1: time="2023-11-22T08:00:00Z" level=fatal msg="validate service connection: dial unix /var/run/dockershim.sock: connect: no such file or directory"',
    );
    assert.deepEqual(listing.state?.sandboxes.map((s) => s.name), ['etcd-cp1', 'kube-controller-manager-cp1']);
  } finally {
    rmSync(join(dir, 'crictl-down'), { force: true });
  }
});

test('a runtime that cannot be listed says why', () => {
  const listing = runtimeListingFrom(
    new Map([
      ['pods', { stdout: '', stderr: 'sh: 1: crictl: not found', code: 127 }],
      ['containers', { stdout: '', stderr: 'sh: 1: crictl: not found', code: 127 }],
    ]),
  );
  assert.deepEqual(listing, { tool: 'crictl', error: 'crictl pods: command not found' });
});

test('DIAGNOSE_SCRIPT: images, inspect and merged logs per container, kubelet state and journal', async () => {
  reset();
  const sections = await runSections(new LocalHost(), DIAGNOSE_SCRIPT, ['crictl', 'unix:///run/containerd/containerd.sock', 'c1', 'c2'], 10_000);
  assert.deepEqual(recorded(), [
    'crictl --runtime-endpoint unix:///run/containerd/containerd.sock images -o json',
    'crictl --runtime-endpoint unix:///run/containerd/containerd.sock inspect c1',
    'crictl --runtime-endpoint unix:///run/containerd/containerd.sock logs --tail 20 c1',
    'crictl --runtime-endpoint unix:///run/containerd/containerd.sock inspect c2',
    'crictl --runtime-endpoint unix:///run/containerd/containerd.sock logs --tail 20 c2',
    'systemctl is-active kubelet',
    'journalctl -u kubelet -n 30 --no-pager',
  ]);
  assert.deepEqual(sections.get('logs:c1'), { stdout: 'out line\nerr line\nno newline at end', stderr: '', code: 0 });
  assert.deepEqual(sections.get('inspect:c2'), { stdout: '{"status": {"exitCode": 1, "reason": "Error"}}', stderr: '', code: 0 });
  assert.deepEqual(sections.get('kubelet-active'), { stdout: 'activating', stderr: '', code: 3 });
  assert.deepEqual(sections.get('journal'), { stdout: 'Nov 22 08:00:00 cp1 kubelet[1]: E1122 failed', stderr: '', code: 0 });
});

test('DIAGNOSE_SCRIPT with docker: docker images and docker logs', async () => {
  reset();
  const sections = await runSections(new LocalHost(), DIAGNOSE_SCRIPT, ['docker', 'unix:///var/run/dockershim.sock', 'd4'], 10_000);
  assert.deepEqual(recorded().slice(0, 2), ['docker images --no-trunc --format {{.Repository}}:{{.Tag}}', 'docker logs --tail 20 d4']);
  assert.equal(sections.get('logs:d4')?.stdout, 'docker log d4');
  assert.equal(sections.get('images')?.stdout, 'k8s.gcr.io/etcd:3.4.13-0');
});

test('READ_FILES_SCRIPT: the named files that exist and every manifest', async () => {
  const root = mkdtempSync(join(tmpdir(), 'bootstrap-health-files-'));
  mkdirSync(join(root, 'manifests'));
  writeFileSync(join(root, 'manifests', 'etcd.yaml'), 'kind: Pod\n');
  writeFileSync(join(root, 'ca.crt'), 'PEM');
  const sections = await runSections(new LocalHost(), READ_FILES_SCRIPT, [join(root, 'manifests'), join(root, 'ca.crt'), join(root, 'absent')], 10_000);
  assert.deepEqual([...sections.keys()], [join(root, 'ca.crt'), join(root, 'manifests', 'etcd.yaml')]);
  assert.equal(sections.get(join(root, 'manifests', 'etcd.yaml'))?.stdout, 'kind: Pod');
});
