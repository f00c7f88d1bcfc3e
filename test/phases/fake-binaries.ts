/**
 * Fake kubelet, crictl, docker and containerd in a temporary PATH folder that count how often they are started,
 * and a Host that runs the facts script locally with them, keeping the versions in a temporary folder standing
 * in for the host's /var/lib/bootstrap: for the tests of the facts and of prepare's probe, which reads them.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VERSIONS_DIR } from '../../src/kube/binary-versions.js';
import type { ExecOptions, Host } from '../../src/transport/host.js';
import { LocalHost } from '../../src/transport/local.js';

export const VERSION = 'v1.28.15';
/** What each fake prints for --version, shaped like the real program's first line. */
export const OUTPUT: Record<string, string> = {
  kubelet: 'Kubernetes v1.28.15',
  crictl: 'crictl version v1.28.0',
  docker: 'Docker version 24.0.7, build afdd53b',
  containerd: 'containerd github.com/containerd/containerd v1.7.13 7c3aca7a610df76212171d200ca3811ff6096eb8',
};
export const SHELLS: Record<string, string[]> = { dash: ['/bin/dash'], busybox: ['/bin/busybox', 'sh'] };
export const NOBODY = 65534;

export interface Fixture {
  root: string;
  bin: string;
  /** Stands in for VERSIONS_DIR on the host. */
  versions: string;
  counts: string;
  /** The PATH the script runs with: the fakes first. */
  path: string;
  /** The options of each command sent. */
  sent: ExecOptions[];
  host(shell: string, user?: 'root' | 'nobody'): Host;
}

export function fixture(): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'bootstrap-facts-'));
  chmodSync(root, 0o755);
  const bin = join(root, 'bin');
  const counts = join(root, 'counts');
  mkdirSync(bin);
  mkdirSync(counts, { mode: 0o777 });
  chmodSync(counts, 0o777);
  const f: Fixture = {
    root,
    bin,
    versions: join(root, 'var/lib/bootstrap'),
    counts,
    path: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
    sent: [],
    host(shell, user = 'root') {
      const local = new LocalHost('fake');
      return Object.assign(Object.create(local) as Host, {
        exec: (argv: readonly string[], options: ExecOptions = {}) => {
          f.sent.push(options);
          assert.deepEqual([argv[0], argv[1], argv[4]], ['sh', '-c', VERSIONS_DIR], 'sh -c SCRIPT sh VERSIONS_DIR …');
          const args = [...SHELLS[shell]!, ...argv.slice(1, 4), f.versions, ...argv.slice(5)];
          const as = user === 'nobody' ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--'] : [];
          return local.exec(['env', `PATH=${f.path}`, ...as, ...args], { ...options, sudo: false });
        },
      });
    },
  };
  for (const [name, output] of Object.entries(OUTPUT)) fake(f, name, output);
  return f;
}

/**
 * A fake binary: counts its start in counts/<name>, prints `output` and a second line (only the first counts),
 * then runs `then` (the script is short enough for the shell to have read it whole by then). It has no #! line,
 * so it is not taken for a wrapper script (whose version is never kept): the shell that execs it runs it itself
 * when the kernel refuses it (ENOEXEC), as POSIX has it. With `shebang`, it is such a script.
 */
export function fake(f: Fixture, name: string, output: string, path = join(f.bin, name), then = '', shebang = false): void {
  const text = `echo started >> ${f.counts}/${name}\nprintf '%s\\n' '${output}' 'a second line'\n${then}`;
  writeFileSync(path, shebang ? `#!/bin/sh\n${text}` : `: fake ${name}\n${text}`, { mode: 0o755 });
  chmodSync(path, 0o755);
}

export function starts(f: Fixture): Record<string, number> {
  return Object.fromEntries(Object.keys(OUTPUT).map((name) => {
    const file = join(f.counts, name);
    return [name, existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0];
  }));
}

export const each = (n: number) => Object.fromEntries(Object.keys(OUTPUT).map((name) => [name, n]));

/** Waits into the next second: a binary made before is then older, to the second, than what the script creates. */
export async function nextSecond(): Promise<void> {
  await sleep(1000 - (Date.now() % 1000) + 20);
}

