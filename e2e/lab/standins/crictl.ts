#!/usr/bin/env node
/**
 * crictl — LAB STAND-IN for cri-tools' crictl on bootstrap's e2e lab nodes (Debian has no crictl package).
 *
 * Speaks CRI v1 to the node's real containerd and keeps crictl's command line and output contract for the
 * subcommands bootstrap uses: global -r/-i/-t/-c/-D, pull (--creds/--auth/-u, CRICTL_CREDS/CRICTL_AUTH),
 * images, inspecti, rmi, ps, pods, logs, stop, rm, stopp, rmp, info, version. JSON shapes follow
 * cri-tools cmd/crictl (image.go, container.go, sandbox.go, info.go, util.go).
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseGoDuration, parseUrfave, UsageError, type FlagSpec, type FlagValues } from './args.js';
import { CriClient, CriError, type Msg } from './cri/client.js';
import { goYaml, protoJson, statusDataJson } from './cri/json.js';
import { humanDuration, humanSize, table, truncateId } from './format.js';
import { readCriLog } from './logs.js';
import { labCrictlVersion } from './version.js';

/** cri-tools cmd/crictl/main_unix.go: the endpoints crictl tries when none is configured. */
const DEFAULT_RUNTIME_ENDPOINTS = [
  'unix:///run/containerd/containerd.sock',
  'unix:///run/crio/crio.sock',
  'unix:///var/run/cri-dockerd.sock',
];

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'config', aliases: ['c'], kind: 'string', env: 'CRI_CONFIG_FILE' },
  { name: 'debug', aliases: ['D'], kind: 'bool' },
  { name: 'image-endpoint', aliases: ['i'], kind: 'string', env: 'IMAGE_SERVICE_ENDPOINT' },
  { name: 'runtime-endpoint', aliases: ['r'], kind: 'string', env: 'CONTAINER_RUNTIME_ENDPOINT' },
  { name: 'timeout', aliases: ['t'], kind: 'string' },
  { name: 'help', aliases: ['h'], kind: 'bool' },
  { name: 'version', aliases: ['v'], kind: 'bool' },
];

interface Context {
  flags: FlagValues;
  args: string[];
  client: () => CriClient;
  out: (text: string) => void;
  warn: (text: string) => void;
}

interface Command {
  usage: string;
  flags: FlagSpec[];
  run: (ctx: Context) => Promise<void>;
}

const output: FlagSpec = { name: 'output', aliases: ['o'], kind: 'string' };
const quiet: FlagSpec = { name: 'quiet', aliases: ['q'], kind: 'bool' };

function fail(message: string): never {
  throw new UsageError(message);
}

const COMMANDS: Record<string, Command> = {
  version: {
    usage: 'Display runtime version information',
    flags: [],
    async run({ client, out }) {
      const v = await client().version();
      out(`Version:  ${v.version}\nRuntimeName:  ${v.runtimeName}\nRuntimeVersion:  ${v.runtimeVersion}\nRuntimeApiVersion:  ${v.runtimeApiVersion}\n`);
    },
  },

  info: {
    usage: 'Display information of the container runtime',
    flags: [output, quiet, { name: 'template', kind: 'string' }],
    async run({ flags, client, out }) {
      const format = (flags.output as string | undefined) ?? 'json';
      if (format !== 'json' && format !== 'yaml') fail(`unsupported format: "${format}" (the lab crictl prints json and yaml)`);
      const r = await client().status(!flags.quiet);
      const handlers = (r.runtimeHandlers as Msg[]).length > 0 ? goJsonHandlers(r.runtimeHandlers as Msg[]) : undefined;
      statusOut(out, format, statusDataJson([{ status: { type: 'RuntimeStatus', value: r.status }, extra: { runtimeHandlers: handlers, features: r.features ?? undefined }, info: r.info }]));
    },
  },

  pull: {
    usage: 'Pull an image from a registry',
    flags: [
      { name: 'creds', kind: 'string', env: 'CRICTL_CREDS' },
      { name: 'auth', kind: 'string', env: 'CRICTL_AUTH' },
      { name: 'username', aliases: ['u'], kind: 'string' },
      { name: 'annotation', aliases: ['a'], kind: 'list' },
      { name: 'pull-timeout', aliases: ['pt'], kind: 'string', env: 'CRICTL_PULL_TIMEOUT' },
      { name: 'pod-config', kind: 'string' },
    ],
    async run({ flags, args, client, out }) {
      const image = args[0];
      if (!image) fail('Image name cannot be empty');
      if (args.length > 1) fail('pull takes exactly one image');
      if (flags['pod-config']) fail('--pod-config is not supported by the lab crictl');
      const auth = await pullAuth(flags);
      const annotations = Object.fromEntries(((flags.annotation as string[] | undefined) ?? []).map((kv) => splitLabel(kv)));
      const timeout = flags['pull-timeout'] ? parseGoDuration(flags['pull-timeout'] as string) : 0;
      try {
        const ref = await client().pullImage(image, auth, timeout, annotations);
        out(`Image is up to date for ${ref}\n`);
      } catch (e) {
        throw new Error(`pulling image: ${(e as Error).message}`);
      }
    },
  },

  images: {
    usage: 'List images',
    flags: [
      output,
      quiet,
      { name: 'verbose', aliases: ['v'], kind: 'bool' },
      { name: 'digests', kind: 'bool' },
      { name: 'no-trunc', kind: 'bool' },
      { name: 'pinned', kind: 'bool' },
      { name: 'filter', aliases: ['f'], kind: 'list' },
    ],
    async run({ flags, args, client, out }) {
      if (args.length > 1) fail('images takes at most one REPOSITORY[:TAG]');
      if (flags.filter) fail('--filter is not supported by the lab crictl');
      let images: Msg[];
      try {
        images = await client().listImages(args[0] ?? '');
      } catch (e) {
        throw new Error(`listing images: ${(e as Error).message}`);
      }
      images.sort(compareImages);
      const format = (flags.output as string | undefined) ?? '';
      if (format === 'json') return out(protoJson('ListImagesResponse', { images }) + '\n');
      if (format === 'yaml') return out(goYaml(protoJson('ListImagesResponse', { images })));
      if (format !== '' && format !== 'table') fail(`unsupported output format "${format}" (the lab crictl prints json, yaml and table)`);
      if (flags.quiet) return out(images.map((i) => `${i.id}\n`).join(''));
      const rows: string[][] = [['IMAGE', 'TAG', ...(flags.digests ? ['DIGEST'] : []), 'IMAGE ID', 'SIZE', ...(flags.pinned ? ['PINNED'] : [])]];
      for (const image of images) {
        const [name, digest] = normalizeRepoDigest(image.repoDigests as string[]);
        const id = flags['no-trunc'] ? (image.id as string) : truncateId(image.id as string, 'sha256:');
        const shownDigest = flags['no-trunc'] ? digest : truncateId(digest, 'sha256:');
        for (const [repo, tag] of repoTagPairs(image.repoTags as string[], name)) {
          rows.push([repo, tag, ...(flags.digests ? [shownDigest] : []), id, humanSize(Number(image.size)), ...(flags.pinned ? [String(image.pinned)] : [])]);
        }
      }
      out(table(rows));
    },
  },

  inspecti: {
    usage: 'Return the status of one or more images',
    flags: [output, quiet, { name: 'template', kind: 'string' }],
    async run({ flags, args, client, out }) {
      if (args.length === 0) fail('inspecti needs IMAGE-ID [IMAGE-ID...]');
      const format = (flags.output as string | undefined) || 'json';
      if (format !== 'json' && format !== 'yaml') fail(`unsupported format: "${format}" (the lab crictl prints json and yaml)`);
      const entries = [];
      for (const id of args) {
        let r: Msg;
        try {
          r = await client().imageStatus(id, !flags.quiet);
        } catch (e) {
          throw new Error(`image status for "${id}" request: ${(e as Error).message}`);
        }
        if (!r.image) throw new Error(`no such image "${id}" present`);
        entries.push({ status: { type: 'Image', value: r.image as Msg }, info: r.info as Record<string, string> });
      }
      statusOut(out, format, statusDataJson(entries));
    },
  },

  inspect: {
    usage: 'Display the status of one or more containers',
    flags: [output, quiet, { name: 'template', kind: 'string' }],
    async run({ flags, args, client, out }) {
      if (args.length === 0) fail('ID cannot be empty');
      const format = (flags.output as string | undefined) || 'json';
      if (format !== 'json' && format !== 'yaml') fail(`unsupported format: "${format}" (the lab crictl prints json and yaml)`);
      const entries = [];
      for (const id of args) {
        let r: Msg;
        try {
          r = await client().containerStatus(id, !flags.quiet);
        } catch (e) {
          throw new Error(`get container status: ${(e as Error).message}`);
        }
        // cri-tools container.go marshalContainerStatus: timestamps as RFC 3339 (zero time when not reached).
        const status = r.status as Msg;
        const started = status.state !== 'CONTAINER_CREATED';
        const finished = status.state === 'CONTAINER_EXITED' || (status.state === 'CONTAINER_UNKNOWN' && BigInt(status.finishedAt) > 0n);
        entries.push({
          status: { type: 'ContainerStatus', value: status },
          override: {
            createdAt: rfc3339Nano(status.createdAt),
            startedAt: started ? rfc3339Nano(status.startedAt) : GO_ZERO_TIME,
            finishedAt: finished ? rfc3339Nano(status.finishedAt) : GO_ZERO_TIME,
          },
          info: r.info as Record<string, string>,
        });
      }
      statusOut(out, format, statusDataJson(entries));
    },
  },

  inspectp: {
    usage: 'Display the status of one or more pods',
    flags: [output, quiet, { name: 'template', kind: 'string' }],
    async run({ flags, args, client, out }) {
      if (args.length === 0) fail('ID cannot be empty');
      const format = (flags.output as string | undefined) || 'json';
      if (format !== 'json' && format !== 'yaml') fail(`unsupported format: "${format}" (the lab crictl prints json and yaml)`);
      const entries = [];
      for (const id of args) {
        let r: Msg;
        try {
          r = await client().podSandboxStatus(id, !flags.quiet);
        } catch (e) {
          throw new Error(`getting the pod sandbox status for "${id}": ${(e as Error).message}`);
        }
        const status = r.status as Msg;
        entries.push({
          status: { type: 'PodSandboxStatus', value: status },
          override: { createdAt: rfc3339Nano(status.createdAt) },
          info: r.info as Record<string, string>,
        });
      }
      statusOut(out, format, statusDataJson(entries));
    },
  },

  rmi: {
    usage: 'Remove one or more images',
    flags: [
      { name: 'all', aliases: ['a'], kind: 'bool' },
      { name: 'prune', aliases: ['q'], kind: 'bool' },
    ],
    async run({ flags, args, client, out, warn }) {
      if (flags.prune) fail('--prune is not supported by the lab crictl');
      const ids = new Set(args);
      if (flags.all) for (const image of await client().listImages()) ids.add(image.id as string);
      if (ids.size === 0) fail('rmi needs IMAGE-ID [IMAGE-ID...] or --all');
      let errored = false;
      for (const id of ids) {
        const status = await client().imageStatus(id);
        if (!status.image) {
          warn(logLine('error', `no such image ${id}`));
          errored = true;
          continue;
        }
        try {
          await client().removeImage(id);
        } catch (e) {
          warn(logLine('error', `error of removing image "${id}": ${(e as Error).message}`));
          errored = true;
          continue;
        }
        const tags = status.image.repoTags as string[];
        for (const name of tags.length > 0 ? tags : (status.image.repoDigests as string[])) out(`Deleted: ${name}\n`);
      }
      if (errored) throw new Error('unable to remove the image(s)');
    },
  },

  ps: {
    usage: 'List containers',
    flags: [
      output,
      quiet,
      { name: 'all', aliases: ['a'], kind: 'bool' },
      { name: 'verbose', aliases: ['v'], kind: 'bool' },
      { name: 'id', kind: 'string' },
      { name: 'pod', aliases: ['p'], kind: 'string' },
      { name: 'name', kind: 'string' },
      { name: 'namespace', kind: 'string' },
      { name: 'state', aliases: ['s'], kind: 'string' },
      { name: 'label', kind: 'list' },
      { name: 'latest', aliases: ['l'], kind: 'bool' },
      { name: 'last', aliases: ['n'], kind: 'int' },
      { name: 'no-trunc', kind: 'bool' },
      { name: 'image', kind: 'string' },
    ],
    async run({ flags, client, out }) {
      const filter: Msg = {};
      if (flags.id) filter.id = flags.id;
      if (flags.pod) filter.podSandboxId = flags.pod;
      const states: Record<string, string> = { created: 'CONTAINER_CREATED', running: 'CONTAINER_RUNNING', exited: 'CONTAINER_EXITED', unknown: 'CONTAINER_UNKNOWN' };
      if (flags.state) {
        const state = states[(flags.state as string).toLowerCase()];
        if (!state) fail('--state should be one of created, running, exited or unknown');
        filter.state = { state };
      } else if (!flags.all) {
        filter.state = { state: 'CONTAINER_RUNNING' };
      }
      if (flags.latest || (flags.last as number | undefined)) delete filter.state;
      if (flags.label) filter.labelSelector = Object.fromEntries((flags.label as string[]).map(splitLabel));
      if (flags.image) fail('--image is not supported by the lab crictl');
      let containers: Msg[];
      try {
        containers = await client().listContainers(filter);
      } catch (e) {
        throw new Error(`list containers: call list containers RPC: ${(e as Error).message}`);
      }
      const nameRe = regex(flags.name);
      const nsRe = regex(flags.namespace);
      containers = containers.filter(
        (c) => c.metadata && nameRe.test(c.metadata.name) && nsRe.test(c.labels?.['io.kubernetes.pod.namespace'] ?? 'unknown'),
      );
      containers = newestFirst(containers, flags);
      const format = (flags.output as string | undefined) || 'table';
      if (format === 'json') return out(protoJson('ListContainersResponse', { containers }) + '\n');
      if (format === 'yaml') return out(goYaml(protoJson('ListContainersResponse', { containers })));
      if (format !== 'table') fail(`unsupported output format "${format}"`);
      if (flags.quiet) return out(containers.map((c) => `${c.id}\n`).join(''));
      const rows = [['CONTAINER', 'IMAGE', 'CREATED', 'STATE', 'NAME', 'ATTEMPT', 'POD ID', 'POD', 'NAMESPACE']];
      for (const c of containers) {
        const trunc = !flags['no-trunc'];
        const image = (c.image?.image as string) ?? '';
        rows.push([
          trunc ? truncateId(c.id) : c.id,
          trunc && image.startsWith('sha256:') ? truncateId(image, 'sha256:') : image,
          `${humanDuration(Date.now() - Number(BigInt(c.createdAt) / 1_000_000n))} ago`,
          containerState(c.state),
          c.metadata.name,
          String(c.metadata.attempt),
          trunc ? truncateId(c.podSandboxId) : c.podSandboxId,
          c.labels?.['io.kubernetes.pod.name'] ?? 'unknown',
          c.labels?.['io.kubernetes.pod.namespace'] ?? 'unknown',
        ]);
      }
      out(table(rows));
    },
  },

  pods: {
    usage: 'List pods',
    flags: [
      output,
      quiet,
      { name: 'verbose', aliases: ['v'], kind: 'bool' },
      { name: 'id', kind: 'string' },
      { name: 'name', kind: 'string' },
      { name: 'namespace', kind: 'string' },
      { name: 'state', aliases: ['s'], kind: 'string' },
      { name: 'label', kind: 'list' },
      { name: 'latest', aliases: ['l'], kind: 'bool' },
      { name: 'last', aliases: ['n'], kind: 'int' },
      { name: 'no-trunc', kind: 'bool' },
    ],
    async run({ flags, client, out }) {
      const filter: Msg = {};
      if (flags.id) filter.id = flags.id;
      if (flags.state) {
        const state = { ready: 'SANDBOX_READY', notready: 'SANDBOX_NOTREADY' }[(flags.state as string).toLowerCase()];
        if (!state) fail('--state should be ready or notready');
        filter.state = { state };
      }
      if (flags.label) filter.labelSelector = Object.fromEntries((flags.label as string[]).map(splitLabel));
      let pods: Msg[];
      try {
        pods = await client().listPodSandbox(filter);
      } catch (e) {
        throw new Error(`list pod sandboxes: ${(e as Error).message}`);
      }
      const nameRe = regex(flags.name);
      const nsRe = regex(flags.namespace);
      pods = pods.filter((p) => p.metadata && nameRe.test(p.metadata.name) && nsRe.test(p.metadata.namespace));
      pods = newestFirst(pods, flags);
      const format = (flags.output as string | undefined) || 'table';
      if (format === 'json') return out(protoJson('ListPodSandboxResponse', { items: pods }) + '\n');
      if (format === 'yaml') return out(goYaml(protoJson('ListPodSandboxResponse', { items: pods })));
      if (format !== 'table') fail(`unsupported output format "${format}"`);
      if (flags.quiet) return out(pods.map((p) => `${p.id}\n`).join(''));
      const rows = [['POD ID', 'CREATED', 'STATE', 'NAME', 'NAMESPACE', 'ATTEMPT', 'RUNTIME']];
      for (const p of pods) {
        rows.push([
          flags['no-trunc'] ? p.id : truncateId(p.id),
          `${humanDuration(Date.now() - Number(BigInt(p.createdAt) / 1_000_000n))} ago`,
          p.state === 'SANDBOX_READY' ? 'Ready' : 'NotReady',
          p.metadata.name,
          p.metadata.namespace,
          String(p.metadata.attempt),
          p.runtimeHandler || '(default)',
        ]);
      }
      out(table(rows));
    },
  },

  logs: {
    usage: 'Fetch the logs of a container',
    flags: [
      { name: 'tail', kind: 'int' },
      { name: 'follow', aliases: ['f'], kind: 'bool' },
      { name: 'timestamps', aliases: ['t'], kind: 'bool' },
      { name: 'previous', aliases: ['p'], kind: 'bool' },
      { name: 'since', kind: 'string' },
      { name: 'limit-bytes', kind: 'int' },
    ],
    async run({ flags, args, client }) {
      const id = args[0];
      if (!id) fail('ID cannot be empty');
      if (flags.previous || flags.since || flags['limit-bytes']) fail('--previous, --since and --limit-bytes are not supported by the lab crictl');
      const status = (await client().containerStatus(id)).status as Msg;
      const logPath = status.logPath as string;
      if (!logPath) throw new Error(`the container ${id} has no log path`);
      await readCriLog(logPath, {
        tail: (flags.tail as number | undefined) ?? -1,
        timestamps: Boolean(flags.timestamps),
        follow: flags.follow
          ? async () => ((await client().containerStatus(id)).status as Msg).state === 'CONTAINER_RUNNING'
          : undefined,
      });
    },
  },

  stop: {
    usage: 'Stop one or more running containers',
    flags: [{ name: 'timeout', aliases: ['t'], kind: 'int' }],
    async run({ flags, args, client, out }) {
      if (args.length === 0) fail('ID cannot be empty');
      for (const id of args) {
        await client().stopContainer(id, (flags.timeout as number | undefined) ?? 0);
        out(`${id}\n`);
      }
    },
  },

  rm: {
    usage: 'Remove one or more containers',
    flags: [
      { name: 'force', aliases: ['f'], kind: 'bool' },
      { name: 'all', aliases: ['a'], kind: 'bool' },
    ],
    async run({ flags, args, client, out }) {
      const ids = flags.all ? (await client().listContainers()).map((c) => c.id as string) : args;
      if (ids.length === 0) fail('ID cannot be empty');
      for (const id of ids) {
        const status = (await client().containerStatus(id)).status as Msg;
        if (status.state === 'CONTAINER_RUNNING') {
          if (!flags.force) throw new Error(`container "${id}" is running, please stop it first`);
          await client().stopContainer(id, 0);
        }
        await client().removeContainer(id);
        out(`${id}\n`);
      }
    },
  },

  stopp: {
    usage: 'Stop one or more running pods',
    flags: [],
    async run({ args, client, out }) {
      if (args.length === 0) fail('ID cannot be empty');
      for (const id of args) {
        await client().stopPodSandbox(id, 60_000);
        out(`Stopped sandbox ${id}\n`);
      }
    },
  },

  rmp: {
    usage: 'Remove one or more pods',
    flags: [
      { name: 'force', aliases: ['f'], kind: 'bool' },
      { name: 'all', aliases: ['a'], kind: 'bool' },
    ],
    async run({ flags, args, client, out }) {
      const ids = flags.all ? (await client().listPodSandbox()).map((p) => p.id as string) : args;
      if (ids.length === 0) fail('ID cannot be empty');
      for (const id of ids) {
        if (flags.force) await client().stopPodSandbox(id, 60_000);
        await client().removePodSandbox(id, 60_000);
        out(`Removed sandbox ${id}\n`);
      }
    },
  },
};

function statusOut(out: (text: string) => void, format: string, json: string): void {
  out(format === 'yaml' ? goYaml(json) : `${json}\n`);
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's time.Unix(0, n).UTC().Format(time.RFC3339Nano): nanoseconds kept, trailing zeros dropped. */
function rfc3339Nano(nanos: string): string {
  const n = BigInt(nanos);
  const seconds = n / 1_000_000_000n;
  const fraction = (n % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${base}${fraction ? `.${fraction}` : ''}Z`;
}

function regex(pattern: unknown): RegExp {
  if (!pattern) return /(?:)/;
  try {
    return new RegExp(pattern as string);
  } catch {
    fail(`invalid regular expression "${pattern}"`);
  }
}

function splitLabel(kv: string): [string, string] {
  const parts = kv.split('=');
  if (parts.length !== 2) fail(`incorrectly specified label: ${kv}`);
  return [parts[0]!, parts[1]!];
}

/** Newest first; --latest and --last N keep that many (cri-tools: containerByCreated / sandboxByCreated). */
function newestFirst(items: Msg[], flags: FlagValues): Msg[] {
  const sorted = [...items].sort((a, b) => (BigInt(b.createdAt) > BigInt(a.createdAt) ? 1 : BigInt(b.createdAt) < BigInt(a.createdAt) ? -1 : 0));
  let n = sorted.length;
  if (flags.latest) n = 1;
  if ((flags.last as number | undefined) && (flags.last as number) > 0) n = flags.last as number;
  return sorted.slice(0, Math.min(n, sorted.length));
}

function containerState(state: string): string {
  return { CONTAINER_CREATED: 'Created', CONTAINER_RUNNING: 'Running', CONTAINER_EXITED: 'Exited' }[state] ?? 'Unknown';
}

/** cri-tools image.go imageByRef: by first tag, else first digest, else ID. */
function compareImages(a: Msg, b: Msg): number {
  const key = (x: Msg, y: Msg): [string, string] =>
    x.repoTags.length > 0 && y.repoTags.length > 0
      ? [x.repoTags[0], y.repoTags[0]]
      : x.repoDigests.length > 0 && y.repoDigests.length > 0
        ? [x.repoDigests[0], y.repoDigests[0]]
        : [x.id, y.id];
  const [ka, kb] = key(a, b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function normalizeRepoDigest(digests: string[]): [string, string] {
  if (digests.length === 0) return ['<none>', '<none>'];
  const parts = digests[0]!.split('@');
  return parts.length === 2 ? [parts[0]!, parts[1]!] : ['errorName', 'errorRepoDigest'];
}

function repoTagPairs(tags: string[], imageName: string): [string, string][] {
  if (tags.length === 0) return [[imageName, '<none>']];
  return tags.map((tag) => {
    const i = tag.lastIndexOf(':');
    if (i < 0) return ['errorRepoTag', 'errorRepoTag'];
    const name = tag.slice(0, i);
    return [name === '<none>' ? imageName : name, tag.slice(i + 1)];
  });
}

/** encoding/json of the Go RuntimeHandler structs (snake_case tags, omitempty). */
function goJsonHandlers(handlers: Msg[]): unknown[] {
  return handlers.map((h) => {
    const features = h.features
      ? Object.fromEntries(
          [
            ['recursive_read_only_mounts', h.features.recursiveReadOnlyMounts],
            ['user_namespaces', h.features.userNamespaces],
          ].filter(([, v]) => v),
        )
      : undefined;
    return { ...(h.name ? { name: h.name } : {}), ...(features ? { features } : {}) };
  });
}

/** cri-tools image.go getAuth: --username prompts for the password on the terminal; --creds and --auth are exclusive. */
async function pullAuth(flags: FlagValues): Promise<Msg | null> {
  const creds = flags.creds as string | undefined;
  const auth = flags.auth as string | undefined;
  const username = flags.username as string | undefined;
  if (username) {
    // crictl reads the password with term.ReadPassword on stdin, which fails when stdin is not a terminal.
    if (!process.stdin.isTTY) throw new Error('inappropriate ioctl for device');
    process.stdout.write('Enter Password:');
    const password = await readPasswordLine();
    process.stdout.write('\n');
    return { username, password };
  }
  if (creds && auth) fail('both `--creds` and `--auth` are specified');
  if (creds) {
    const i = creds.indexOf(':');
    if (i < 0) return { username: creds, password: '' };
    if (i === 0) fail("username can't be empty");
    return { username: creds.slice(0, i), password: creds.slice(i + 1) };
  }
  if (auth) return { auth };
  return null;
}

/**
 * golang.org/x/term ReadPassword: echo off, one line from the terminal (up to "\n" or "\r", or its end), echo
 * back on. Whatever follows the line stays unread, as with the real crictl.
 */
function readPasswordLine(): Promise<string> {
  const tty = process.stdin as NodeJS.ReadStream;
  return new Promise((resolve) => {
    const bytes: Buffer[] = [];
    const done = () => {
      tty.removeListener('data', onData);
      tty.removeListener('end', done);
      tty.setRawMode(false);
      tty.pause();
      const text = Buffer.concat(bytes).toString('utf8');
      resolve(text.split(/[\r\n\x04]/)[0] ?? '');
    };
    const onData = (chunk: Buffer) => {
      bytes.push(chunk);
      if (chunk.includes(0x0a) || chunk.includes(0x0d) || chunk.includes(0x04)) done();
    };
    tty.setRawMode(true);
    tty.on('data', onData);
    tty.once('end', done);
    tty.resume();
  });
}

/** logrus's text format, as crictl writes its errors to stderr. */
function logLine(level: string, msg: string): string {
  return `time="${new Date().toISOString()}" level=${level} msg=${JSON.stringify(msg)}\n`;
}

interface CrictlConfigFile {
  'runtime-endpoint'?: string;
  'image-endpoint'?: string;
  timeout?: number;
  debug?: boolean;
}

function readConfigFile(path: string): CrictlConfigFile {
  if (!existsSync(path)) return {};
  return (parseYaml(readFileSync(path, 'utf8')) as CrictlConfigFile | null) ?? {};
}

function help(): string {
  const names = Object.keys(COMMANDS).sort();
  return [
    'NAME:',
    '   crictl - client for CRI (bootstrap e2e lab stand-in, not cri-tools)',
    '',
    'USAGE:',
    '   crictl [global options] command [command options] [arguments...]',
    '',
    `VERSION:\n   ${labCrictlVersion()}`,
    '',
    'COMMANDS:',
    ...names.map((n) => `   ${n.padEnd(10)}${COMMANDS[n]!.usage}`),
    '',
    'GLOBAL OPTIONS:',
    '   --config value, -c value            Location of the client config file (default: "/etc/crictl.yaml") [$CRI_CONFIG_FILE]',
    '   --debug, -D                         Enable debug mode (default: false)',
    '   --image-endpoint value, -i value    Endpoint of CRI image manager service (default: uses \'runtime-endpoint\' setting) [$IMAGE_SERVICE_ENDPOINT]',
    '   --runtime-endpoint value, -r value  Endpoint of CRI container runtime service [$CONTAINER_RUNTIME_ENDPOINT]',
    '   --timeout value, -t value           Timeout of connecting to the server in seconds (e.g. 2s, 20s.) (default: 2s)',
    '   --help, -h                          show help',
    '   --version, -v                       print the version',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const out = (text: string): void => void process.stdout.write(text);
  const warn = (text: string): void => void process.stderr.write(text);
  let client: CriClient | undefined;
  try {
    const global = parseUrfave(argv, GLOBAL_FLAGS);
    if (global.values.version) {
      out(`crictl version ${labCrictlVersion()} (bootstrap e2e lab stand-in)\n`);
      return 0;
    }
    const [name, ...rest] = global.args;
    if (global.values.help || !name || name === 'help') {
      out(help());
      return 0;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`No help topic for '${name}'`);
    const local = parseUrfave(rest, [...command.flags, { name: 'help', aliases: ['h'], kind: 'bool' }]);
    if (local.values.help) {
      out(`NAME:\n   crictl ${name} - ${command.usage}\n\nOPTIONS:\n${command.flags.map((f) => `   --${f.name}${(f.aliases ?? []).map((a) => `, -${a}`).join('')}`).join('\n')}\n`);
      return 0;
    }
    const config = readConfigFile((global.values.config as string | undefined) ?? '/etc/crictl.yaml');
    const timeoutMs = global.values.timeout
      ? parseGoDuration(global.values.timeout as string)
      : config.timeout
        ? config.timeout * 1000
        : 2000;
    const connect = (): CriClient => {
      if (client) return client;
      let runtime = (global.values['runtime-endpoint'] as string | undefined) ?? config['runtime-endpoint'];
      if (!runtime) {
        warn(logLine('warning', `runtime connect using default endpoints: [${DEFAULT_RUNTIME_ENDPOINTS.join(' ')}]. As the default settings are now deprecated, you should set the endpoint instead.`));
        runtime = DEFAULT_RUNTIME_ENDPOINTS.find((e) => existsSync(e.replace('unix://', ''))) ?? DEFAULT_RUNTIME_ENDPOINTS[0]!;
      }
      const image = (global.values['image-endpoint'] as string | undefined) ?? config['image-endpoint'] ?? runtime;
      client = new CriClient(runtime, image, timeoutMs);
      return client;
    };
    await command.run({ flags: local.values, args: local.args, client: connect, out, warn });
    return 0;
  } catch (e) {
    const message = e instanceof CriError || e instanceof UsageError || e instanceof Error ? e.message : String(e);
    warn(logLine('fatal', message));
    return 1;
  } finally {
    client?.close();
  }
}

if (process.argv[1] && /crictl(\.js)?$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
