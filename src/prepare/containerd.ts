/**
 * containerd's configuration made to agree with the kubelet and kubeadm (the classic failure of seeds 002/003):
 * SystemdCgroup = the kubelet's cgroupDriver, the sandbox (pause) image = kubeadm's for the version and
 * imageRepository, and config_path pointing at certs.d for registry mirrors. Only those keys are changed in an
 * existing /etc/containerd/config.toml (toml.ts keeps every other byte); without one, a minimal file of our own
 * is written: `containerd config default` cannot be run before containerd is there, and containerd's own
 * defaults fill in everything else.
 *
 * Schema (containerd docs/cri/config.md): version 2 for containerd 1.x, under plugins."io.containerd.grpc.v1.cri";
 * version 3 for containerd 2.x, under plugins.'io.containerd.cri.v1.images' / '…cri.v1.runtime'. containerd 2.x
 * still reads version 2 and converts it, so a new file is version 2 unless containerd 2.x is already installed.
 * Version 1 (no header) is refused: containerd 2.0 removed it, and `containerd config migrate` converts it.
 */
import semver from 'semver';
import { getKey, getLiteral, setKey, tableHeaders, type TomlValue } from './toml.js';
import { PrepareError } from './plan.js';
import { CERTS_D } from './registries.js';

export const CONTAINERD_CONFIG_PATH = '/etc/containerd/config.toml';
/** containerd's default runc runtime (containerd config default, 1.x and 2.x). */
const RUNC_RUNTIME_TYPE = 'io.containerd.runc.v2';

interface Setting {
  table: string[];
  /** The header line written when the table is missing, in the quoting containerd's docs use for that version. */
  header: string;
  key: string;
}

interface Schema {
  sandbox: Setting;
  systemdCgroup: Setting;
  /** The runc runtime's type: required once its table exists (see containerdConfig). */
  runtimeType: Setting;
  configPath: Setting;
  /** Where registry mirrors lived before config_path (containerd refuses both at once). */
  legacyRegistry: string[];
}

const V2_CRI = ['plugins', 'io.containerd.grpc.v1.cri'];
const SCHEMAS: Record<2 | 3, Schema> = {
  2: {
    sandbox: { table: V2_CRI, header: '[plugins."io.containerd.grpc.v1.cri"]', key: 'sandbox_image' },
    systemdCgroup: {
      table: [...V2_CRI, 'containerd', 'runtimes', 'runc', 'options'],
      header: '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
      key: 'SystemdCgroup',
    },
    runtimeType: {
      table: [...V2_CRI, 'containerd', 'runtimes', 'runc'],
      header: '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
      key: 'runtime_type',
    },
    configPath: { table: [...V2_CRI, 'registry'], header: '[plugins."io.containerd.grpc.v1.cri".registry]', key: 'config_path' },
    legacyRegistry: [...V2_CRI, 'registry'],
  },
  3: {
    sandbox: {
      table: ['plugins', 'io.containerd.cri.v1.images', 'pinned_images'],
      header: "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
      key: 'sandbox',
    },
    systemdCgroup: {
      table: ['plugins', 'io.containerd.cri.v1.runtime', 'containerd', 'runtimes', 'runc', 'options'],
      header: "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
      key: 'SystemdCgroup',
    },
    runtimeType: {
      table: ['plugins', 'io.containerd.cri.v1.runtime', 'containerd', 'runtimes', 'runc'],
      header: "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
      key: 'runtime_type',
    },
    configPath: {
      table: ['plugins', 'io.containerd.cri.v1.images', 'registry'],
      header: "[plugins.'io.containerd.cri.v1.images'.registry]",
      key: 'config_path',
    },
    legacyRegistry: ['plugins', 'io.containerd.cri.v1.images', 'registry'],
  },
};

export interface ContainerdConfigInput {
  /** The file as found, or undefined. */
  current?: string;
  /** The installed containerd's version ("1.6.20", "2.0.0"), or undefined when it is not installed yet. */
  containerdVersion?: string;
  pauseImage: string;
  cgroupDriver: 'systemd' | 'cgroupfs';
}

export interface ContainerdConfigResult {
  content: string;
  /** Each setting that differs, in words; empty when the file is already right. */
  changes: string[];
}

/** Only comments and blank lines: a file like that configures nothing and is replaced by ours. */
function isBlank(text: string): boolean {
  return text.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#'));
}

function schemaVersion(current: string | undefined, containerdVersion: string | undefined): { version: 2 | 3; text: string } {
  if (current === undefined || isBlank(current)) {
    const major = containerdVersion ? semver.coerce(containerdVersion)?.major : undefined;
    const version = major !== undefined && major >= 2 ? 3 : 2;
    return { version, text: `version = ${version}\n` };
  }
  const v = getKey(current, [], 'version');
  if (v === 2 || v === 3) return { version: v, text: current };
  throw new PrepareError(
    `${CONTAINERD_CONFIG_PATH} is a version ${v ?? 1} configuration, which containerd 2 no longer reads: convert it with \`containerd config migrate\` (or remove it), then run again`,
  );
}

/** CRI switched off (Docker's containerd.io package ships disabled_plugins = ["cri"]): kubelet could not talk to it. */
function withoutDisabledCri(text: string, changes: string[]): string {
  const literal = getLiteral(text, [], 'disabled_plugins');
  if (literal === undefined) return text;
  const items = literal.replace(/^\[|\]$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
  const kept = items.filter((i) => !['"cri"', "'cri'", '"io.containerd.grpc.v1.cri"', "'io.containerd.grpc.v1.cri'"].includes(i));
  if (kept.length === items.length) return text;
  changes.push('enable the CRI plugin (it was in disabled_plugins)');
  return setKey(text, [], '', 'disabled_plugins', { literal: `[${kept.join(', ')}]` });
}

export function containerdConfig(input: ContainerdConfigInput): ContainerdConfigResult {
  const { version, text: start } = schemaVersion(input.current, input.containerdVersion);
  const schema = SCHEMAS[version];
  const changes: string[] = [];
  let text = withoutDisabledCri(start, changes);
  const mirrorsTable = tableHeaders(text).find((h) => h.length > schema.legacyRegistry.length && h.slice(0, schema.legacyRegistry.length + 1).join('\u0000') === [...schema.legacyRegistry, 'mirrors'].join('\u0000'));
  if (mirrorsTable) {
    throw new PrepareError(
      `${CONTAINERD_CONFIG_PATH} configures registry mirrors in [${mirrorsTable.join('.')}]; containerd refuses those together with config_path: move them to ${CERTS_D}/<registry>/hosts.toml (registries.endpoints) and remove the table`,
    );
  }
  // A runtimes.runc table replaces containerd's built-in runc runtime as a whole: without runtime_type every
  // sandbox fails ("container.Runtime.Name must be set"). SystemdCgroup lives in that table, so its type is written
  // first when missing, as containerd's default configuration has it; a type already there (another shim) stays.
  const runtimeType = getKey(text, schema.runtimeType.table, schema.runtimeType.key) ?? RUNC_RUNTIME_TYPE;
  const wanted: [Setting, TomlValue][] = [
    [schema.sandbox, input.pauseImage],
    [schema.runtimeType, runtimeType],
    [schema.systemdCgroup, input.cgroupDriver === 'systemd'],
    [schema.configPath, CERTS_D],
  ];
  for (const [setting, value] of wanted) {
    const before = getKey(text, setting.table, setting.key);
    if (before === value) continue;
    text = setKey(text, setting.table, setting.header, setting.key, value);
    changes.push(`${setting.key} = ${JSON.stringify(value)}${before === undefined ? '' : ` (was ${JSON.stringify(before)})`}`);
  }
  return { content: text, changes: input.current === undefined ? changes : text === input.current ? [] : changes };
}
