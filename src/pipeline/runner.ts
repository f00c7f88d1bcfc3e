/**
 * Runs the phases in order on listr2: within a phase, hosts in parallel (bounded by --concurrency), each with
 * its own progress line. A host that fails is left out of the following phases while the others go on; at the
 * end every failure is reported together, naming each host.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Listr, PRESET_TIMESTAMP, type ListrTask } from 'listr2';
import type { HostRun, UpContext } from './context.js';
import type { Phase } from './phase.js';
import { checkStateDir } from '../pki/index.js';
import { HostError, InterruptedError, errorCategory, interruption } from '../util/errors.js';

export class HostsFailedError extends HostError {
  override name = 'HostsFailedError';
  constructor(readonly failures: { host: string; phase: string; error: Error }[]) {
    super(
      `failed on ${failures.length} host${failures.length === 1 ? '' : 's'}:\n` +
        failures.map((f) => ` - ${f.host} (${f.phase}): ${f.error.message.replace(/\n/g, '\n   ')}`).join('\n'),
    );
  }

  /** The failures that are bugs in bootstrap (not input or host errors): the CLI reports them as such. */
  get bugs(): Error[] {
    return this.failures.filter((f) => errorCategory(f.error) === 'internal').map((f) => f.error);
  }
}

/** "cp1: interrupted by SIGINT during images" (or "after images" when the host had finished that phase). */
function interruptedAt(h: HostRun, stop: InterruptedError): InterruptedError {
  const where = h.phase ? ` ${h.phase.done ? 'after' : 'during'} ${h.phase.name}` : ' before its first phase';
  return new InterruptedError(stop.signalName, `${h.spec.name}: interrupted by ${stop.signalName}${where}`);
}

function renderer(ctx: UpContext) {
  const chosen = ctx.options.renderer ?? (process.stdout.isTTY ? 'default' : 'simple');
  if (chosen === 'silent') return { renderer: 'silent' as const };
  return {
    renderer: chosen === 'default' ? ('default' as const) : ('simple' as const),
    rendererOptions: { collapseSubtasks: false, timestamp: PRESET_TIMESTAMP, showErrorMessage: true },
    fallbackRenderer: 'simple' as const,
    fallbackRendererOptions: { timestamp: PRESET_TIMESTAMP },
  };
}

export async function runPhases(ctx: UpContext, phases: Phase[]): Promise<void> {
  const failures: { host: string; phase: string; error: Error }[] = [];
  // A phase that halts on failure stops every later phase once it has failed anywhere. Read when the next phase
  // starts, that is after the earlier ones (and their host subtasks) have finished.
  const haltedBy = () => phases.find((p) => p.haltOnFailure?.(ctx) && failures.some((f) => f.phase === p.name))?.name;
  const interrupted = () => interruption(ctx.options.signal);
  const active = (phase: Phase) => (haltedBy() || interrupted() ? [] : ctx.hosts.filter((h) => !h.error && phase.appliesTo(h, ctx)));

  const tasks: ListrTask[] = phases.map((phase) => ({
    title: phase.title,
    skip: () => {
      const stop = interrupted();
      if (stop) return stop.message;
      const halted = haltedBy();
      if (halted) return `${halted} failed`;
      return active(phase).length === 0 ? 'no host to run it on' : false;
    },
    task: (_: unknown, task) =>
      task.newListr(
        active(phase).map((h: HostRun) => ({
          title: h.spec.name,
          task: async (_c: unknown, hostTask) => {
            h.phase = { name: phase.name, done: false };
            try {
              await phase.run(ctx, h, {
                progress: (line) => {
                  hostTask.title = `${h.spec.name}: ${line}`;
                },
              });
              if (!hostTask.title.startsWith(`${h.spec.name}:`)) hostTask.title = `${h.spec.name}: done`;
              h.phase.done = true;
            } catch (error) {
              // Whatever a stopped command or connection made of it, an interrupt is reported as one.
              const stop = interrupted();
              const err = stop ? interruptedAt(h, stop) : error instanceof Error ? error : new Error(String(error));
              h.error = err;
              failures.push({ host: h.spec.name, phase: phase.name, error: err });
              // listr2 prints the error itself after the title.
              hostTask.title = h.spec.name;
              throw err;
            }
          },
        })),
        { concurrent: ctx.options.concurrency ?? 10, exitOnError: false },
      ),
  }));
  // Signals are the CLI's to handle (cli/interrupt.ts): listr2's own listener would exit without cleaning up.
  await new Listr(tasks, { concurrent: false, exitOnError: false, registerSignalListeners: false, ...renderer(ctx) }).run();
  const stop = interrupted();
  if (stop) {
    // Hosts that were between two phases, or done with the current one, are reported where the interrupt found them.
    for (const h of ctx.hosts.filter((x) => !x.error)) {
      h.error = interruptedAt(h, stop);
      failures.push({ host: h.spec.name, phase: h.phase?.name ?? '-', error: h.error });
    }
  }
  if (failures.length) throw new HostsFailedError(failures);
}

/**
 * Runs phases over a fresh context and always closes the connections. A dry run works on a copy of the
 * control machine's state (CAs, host certificates) in a temporary folder, removed at the end: what a dry run
 * makes there is discarded, and a new inventory's state directory is not even created.
 */
export async function runOnHosts(ctx: UpContext, phases: Phase[]): Promise<HostsFailedError | undefined> {
  // Before any host is reached, and on the user's own paths (a dry run works on a copy, which keeps their modes).
  await checkStateDir(ctx.inv.stateDir);
  const scratch = ctx.options.dryRun ? await scratchState(ctx.inv.stateDir) : undefined;
  if (scratch) ctx.inv = { ...ctx.inv, stateDir: scratch };
  try {
    await runPhases(ctx, phases);
    return undefined;
  } catch (error) {
    if (error instanceof HostsFailedError) return error;
    throw error;
  } finally {
    for (const cleanup of ctx.cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await Promise.all(ctx.hosts.map((h) => h.host?.close().catch(() => undefined)));
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/** A private temporary folder holding a copy of the state directory when it exists (so its CAs are reused). */
async function scratchState(stateDir: string): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'bootstrap-dry-run-'));
  try {
    await cp(stateDir, scratch, { recursive: true, errorOnExist: false, force: true, preserveTimestamps: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      await rm(scratch, { recursive: true, force: true });
      throw error;
    }
  }
  return scratch;
}
