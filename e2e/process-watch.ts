/** A watch over the lab nodes' processes, for suites that check no secret ever shows in a command line or an environment. */
import type { DockerCli } from './lab/docker.js';

/** Every node's process command lines and environments, sampled until stopped; kept as a set of distinct lines. */
export class ProcessWatch {
  readonly lines = new Set<string>();
  samples = 0;
  #running = true;
  readonly #loops: Promise<void>[];

  constructor(docker: DockerCli, containers: string[]) {
    const script = 'for p in /proc/[0-9]*; do tr "\\0" "\\n" < $p/cmdline; echo; tr "\\0" "\\n" < $p/environ; echo; done 2>/dev/null';
    this.#loops = containers.map(async (container) => {
      while (this.#running) {
        // A paused node answers nothing: docker exec fails at once, and the next sample tries again.
        const { stdout } = await docker.exec(container, ['sh', '-c', script], { allowFailure: true, timeoutMs: 10_000 }).catch(() => ({ stdout: '' }));
        for (const line of stdout.split('\n')) if (line) this.lines.add(line);
        this.samples++;
        await new Promise((r) => setTimeout(r, 300));
      }
    });
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }
}
