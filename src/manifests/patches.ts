/**
 * kubeadm's patches directory (cmd/kubeadm/app/util/patches/patches.go), re-implemented:
 *
 * - A file is named `target[suffix][+patchtype].{json,yaml}`. The target is matched as a prefix, the
 *   suffix is free text (commonly used to order files), the patch type defaults to "strategic".
 * - The directory is walked recursively in lexical order (Go's filepath.Walk); every patch file and every
 *   YAML document inside it becomes one patch, applied in that order.
 * - Files with another extension or an unknown target are ignored with a message, empty files too.
 *   A "+" without a known patch type is an error, as in kubeadm.
 *
 * The three patch types are implemented here without dependencies: RFC 7386 merge patch, RFC 6902 JSON
 * patch, and Kubernetes strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch) with the
 * patch metadata of the objects kubeadm patches (Pod, Deployment, KubeletConfiguration).
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError } from '../util/errors.js';
import { defineTable, lookup } from '../kube/table.js';
import { kubeVersion, type KubeVersion, type VersionLike } from '../kube/version.js';

export class PatchError extends InputError {
  override name = 'PatchError';
}

export type PatchType = 'strategic' | 'merge' | 'json';

/** The MIME names kubeadm prints in its log lines (k8s.io/apimachinery/pkg/types.PatchType). */
export const PATCH_TYPE_MIME: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export interface LoadedPatch {
  /** Path relative to the patch directory, with "/" separators. */
  file: string;
  /** 1-based position of the YAML document inside the file. */
  document: number;
  type: PatchType;
  /** The document as JSON data. */
  patch: unknown;
}

export interface IgnoredFile {
  file: string;
  reason: string;
}

export interface PatchSet {
  /** Absolute directory the patches were read from. */
  dir: string;
  /** Targets this set recognises, in kubeadm's order. */
  knownTargets: readonly string[];
  /** Patches per target, in the order they are applied. */
  byTarget: ReadonlyMap<string, readonly LoadedPatch[]>;
  /** Base names of the patch files, in walk order (what kubeadm lists as "Found the following patch files"). */
  files: readonly string[];
  ignored: readonly IgnoredFile[];
}

/** The patch targets kubeadm of a version knows, in its order (patches.go knownTargets). */
export const KNOWN_TARGETS = defineTable<readonly string[]>('the patch targets', [
  {
    range: '>=1.31.0',
    value: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubeletconfiguration', 'corednsdeployment'],
    source: 'cmd/kubeadm/app/util/patches/patches.go knownTargets: corednsdeployment (kubeadm v1.31, PR #124820)',
  },
  {
    range: '>=1.25.0 <1.31.0',
    value: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubeletconfiguration'],
    source: 'cmd/kubeadm/app/util/patches/patches.go knownTargets: kubeletconfiguration (kubeadm v1.25, PR #110405)',
  },
  {
    range: '>=1.20.0 <1.25.0',
    value: ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
    source: 'cmd/kubeadm/app/util/patches/patches.go knownTargets (kubeadm v1.20)',
  },
]);

/** The targets kubeadm of that version knows; without a version, the newest kubeadm's. */
export function knownPatchTargets(kubernetesVersion?: VersionLike): readonly string[] {
  if (kubernetesVersion === undefined) return KNOWN_TARGETS[0]!.value;
  const unknown = () => new PatchError(`patch targets for Kubernetes ${typeof kubernetesVersion === 'string' ? kubernetesVersion : kubernetesVersion.text} are not known`);
  let version: KubeVersion;
  try {
    version = kubeVersion(kubernetesVersion);
  } catch {
    throw unknown();
  }
  return lookup(KNOWN_TARGETS, version, unknown);
}

const PATCH_TYPE_NAMES: readonly PatchType[] = ['json', 'merge', 'strategic'];
const EXTENSION = /.+\.(json|yaml)$/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** patches.go parseFilename: an ignore reason, an error, or the target and patch type. */
function parseFilename(
  base: string,
  knownTargets: readonly string[],
): { ignore: string } | { target: string; type: PatchType } {
  if (!EXTENSION.test(base)) return { ignore: 'the file extension must be one of [json yaml]' };
  const split = new RegExp(`^(${knownTargets.map(escapeRegExp).join('|')})([^.+\\n]*)?(\\+)?(${PATCH_TYPE_NAMES.join('|')})?`);
  const sub = split.exec(base);
  if (!sub) return { ignore: `unknown target, must be one of [${knownTargets.join(' ')}]` };
  if (sub[3] !== undefined && sub[4] === undefined) {
    throw new PatchError(`patch file "${base}": unknown or missing patch type after '+', must be one of [${PATCH_TYPE_NAMES.join(' ')}]`);
  }
  return { target: sub[1]!, type: (sub[4] as PatchType | undefined) ?? 'strategic' };
}

export interface LoadPatchesOptions {
  /** Restricts the targets to those the kubeadm of this version knows; default: the newest. */
  kubernetesVersion?: VersionLike;
}

/** Reads a kubeadm-style patch directory. Errors name the file, and line:column for YAML errors. */
export async function loadPatches(dir: string, options: LoadPatchesOptions = {}): Promise<PatchSet> {
  const knownTargets = knownPatchTargets(options.kubernetesVersion);
  const root = path.resolve(dir);
  try {
    const info = await lstat(root);
    if (!info.isDirectory()) throw new PatchError(`could not list patch files for path "${dir}": not a directory`);
  } catch (e) {
    if (e instanceof PatchError) throw e;
    throw new PatchError(`could not list patch files for path "${dir}": ${(e as Error).message}`);
  }

  const byTarget = new Map<string, LoadedPatch[]>();
  const files: string[] = [];
  const ignored: IgnoredFile[] = [];

  const walk = async (abs: string): Promise<void> => {
    const names = (await readdir(abs)).sort(compareBytes);
    for (const name of names) {
      const full = path.join(abs, name);
      const info = await lstat(full);
      if (info.isDirectory()) {
        await walk(full);
        continue;
      }
      const rel = path.relative(root, full).split(path.sep).join('/');
      const parsed = parseFilename(name, knownTargets);
      if ('ignore' in parsed) {
        ignored.push({ file: name, reason: parsed.ignore });
        continue;
      }
      let data: string;
      try {
        data = await readFile(full, 'utf8');
      } catch (e) {
        throw new PatchError(`could not read the file "${full}": ${(e as Error).message}`);
      }
      if (data.length === 0) {
        ignored.push({ file: name, reason: 'empty file' });
        continue;
      }
      const patches = parsePatchDocuments(rel, data).map((patch, i) => ({ file: rel, document: i + 1, type: parsed.type, patch }));
      const list = byTarget.get(parsed.target) ?? [];
      list.push(...patches);
      byTarget.set(parsed.target, list);
      files.push(name);
    }
  };
  await walk(root);
  return { dir: root, knownTargets, byTarget, files, ignored };
}

/** Go sorts directory entries with sort.Strings, i.e. by bytes. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Splits a file into YAML documents (kubeadm: utilyaml.NewYAMLReader + sigs.k8s.io/yaml.YAMLToJSON, YAML 1.1). */
function parsePatchDocuments(file: string, data: string): unknown[] {
  // go-yaml v2 keeps unquoted timestamps as strings when decoding into interface{}; so do we.
  const docs = parseAllDocuments(data, {
    version: '1.1',
    uniqueKeys: true,
    customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
  });
  const list = Array.isArray(docs) ? docs : [docs];
  const result: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const pos = error.linePos?.[0];
      const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
      throw new PatchError(`could not parse patch file ${where}: ${firstLine(error.message)}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      throw new PatchError(`could not parse patch file ${file}: ${firstLine((e as Error).message)}`);
    }
    // A document that holds nothing (only comments, or an empty "---" section) is skipped.
    if (value === null || value === undefined) continue;
    result.push(value);
  }
  return result;
}

/** The yaml package's message without its trailing "at line L, column C:" (the location is printed separately). */
function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Applies every patch of `target` in order and returns a new object; `obj` is not changed.
 * `log` receives kubeadm's "[patches] Applied patch of type ..." line for each patch.
 */
export function applyPatches(set: PatchSet, target: string, obj: object, log?: (line: string) => void): object {
  if (!set.knownTargets.includes(target)) {
    throw new PatchError(`unknown patch target name "${target}", must be one of [${set.knownTargets.join(' ')}]`);
  }
  let current: unknown = deepClone(obj);
  for (const p of set.byTarget.get(target) ?? []) {
    try {
      current = applyOne(p.type, current, p.patch, schemaForTarget(target));
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new PatchError(
        `could not apply the patch of type "${PATCH_TYPE_MIME[p.type]}" from ${p.file} (document ${p.document}) to target "${target}": ${reason}`,
      );
    }
    log?.(`[patches] Applied patch of type "${PATCH_TYPE_MIME[p.type]}" to target "${target}"`);
  }
  if (!isObject(current)) throw new PatchError(`patches for target "${target}" did not produce an object`);
  return current;
}

function applyOne(type: PatchType, doc: unknown, patch: unknown, schema: Schema): unknown {
  switch (type) {
    case 'merge':
      return mergePatch(doc, deepClone(patch));
    case 'json':
      return jsonPatch(doc, patch);
    case 'strategic':
      return strategicMergePatch(doc, deepClone(patch), schema);
  }
}

/** kubeadm's log lines for a loaded set, followed by the patches that each target will get. */
export function describePatches(set: PatchSet): string[] {
  const lines = [`[patches] Reading patches from path "${set.dir}"`];
  for (const f of set.ignored) {
    lines.push(f.reason === 'empty file' ? `[patches] Ignoring empty file: "${f.file}"` : `[patches] Ignoring file "${f.file}": ${f.reason}`);
  }
  if (set.files.length > 0) lines.push(`[patches] Found the following patch files: [${set.files.join(' ')}]`);
  if (set.ignored.length > 0) lines.push(`[patches] Ignored the following files: [${set.ignored.map((f) => f.file).join(' ')}]`);
  for (const target of set.knownTargets) {
    for (const p of set.byTarget.get(target) ?? []) {
      lines.push(`[patches] Will apply patch of type "${PATCH_TYPE_MIME[p.type]}" from ${p.file} to target "${target}"`);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------------
// JSON helpers

type JsonObject = { [key: string]: unknown };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepClone<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

// ---------------------------------------------------------------------------------------------------
// RFC 7386 JSON merge patch

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------------
// RFC 6902 JSON patch

function parsePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw new Error(`path must be a string, got ${kindOf(pointer)}`);
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean, pointer: string): number {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new Error(`"${token}" in "${pointer}" is not an array index`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw new Error(`index ${i} in "${pointer}" is out of range`);
  return i;
}

/** The container that holds the last token of `tokens`, walking `doc` (which is mutated by the caller). */
function parentOf(doc: unknown, tokens: string[], pointer: string): unknown {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false, pointer)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new Error(`path "${pointer}" does not exist`);
  }
  if (!Array.isArray(node) && !isObject(node)) throw new Error(`path "${pointer}" does not exist`);
  return node;
}

function getAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[arrayIndex(token, node.length, false, pointer)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else throw new Error(`path "${pointer}" does not exist`);
  }
  return node;
}

function addAt(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else (parent as JsonObject)[last] = value;
  return doc;
}

function removeAt(doc: unknown, pointer: string): { doc: unknown; removed: unknown } {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw new Error('cannot remove the whole document');
  const parent = parentOf(doc, tokens, pointer);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, false, pointer);
    return { doc, removed: parent.splice(i, 1)[0] };
  }
  const obj = parent as JsonObject;
  if (!Object.hasOwn(obj, last)) throw new Error(`path "${pointer}" does not exist`);
  const removed = obj[last];
  delete obj[last];
  return { doc, removed };
}

export function jsonPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new Error('a JSON patch must be a list of operations');
  let current = deepClone(doc);
  patch.forEach((op: unknown, index) => {
    if (!isObject(op)) throw new Error(`operation ${index} is not an object`);
    const where = `operation ${index} (${String(op.op)} ${String(op.path)})`;
    try {
      const needValue = (): unknown => {
        if (!Object.hasOwn(op, 'value')) throw new Error('"value" is missing');
        return deepClone(op.value);
      };
      switch (op.op) {
        case 'add':
          current = addAt(current, op.path as string, needValue());
          break;
        case 'remove':
          current = removeAt(current, op.path as string).doc;
          break;
        case 'replace': {
          const value = needValue();
          const tokens = parsePointer(op.path);
          if (tokens.length === 0) {
            current = value;
            break;
          }
          getAt(current, op.path as string); // must exist
          current = removeAt(current, op.path as string).doc;
          current = addAt(current, op.path as string, value);
          break;
        }
        case 'move': {
          const from = op.from as string;
          parsePointer(from);
          if (op.path !== from && String(op.path).startsWith(from + '/')) throw new Error('cannot move a value into itself');
          const { doc: without, removed } = removeAt(current, from);
          current = addAt(without, op.path as string, removed);
          break;
        }
        case 'copy':
          current = addAt(current, op.path as string, deepClone(getAt(current, op.from as string)));
          break;
        case 'test':
          if (!deepEqual(getAt(current, op.path as string), op.value)) throw new Error('test failed: the value differs');
          break;
        default:
          throw new Error(`unknown operation "${String(op.op)}"`);
      }
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
  });
  return current;
}

// ---------------------------------------------------------------------------------------------------
// Strategic merge patch

/**
 * Patch metadata for one struct, as the Go struct tags give it: for each JSON field, whether lists merge
 * (and by which key) and the schema of nested structs. Fields not listed behave as plain maps/values:
 * maps merge key by key, lists are replaced. (The Go implementation rejects fields its struct does not
 * have; this one cannot tell unlisted fields from unknown ones and merges them as maps.)
 */
interface FieldMeta {
  /** "merge" lists are merged (by mergeKey for lists of objects); "replace" maps are replaced whole. */
  strategy?: 'merge' | 'replace';
  mergeKey?: string;
  schema?: Schema;
}
interface Schema {
  name: string;
  fields: Record<string, FieldMeta>;
}

const ANY: Schema = { name: 'object', fields: {} };

// k8s.io/api/core/v1/types.go patch tags.
const PROBE: Schema = { name: 'Probe', fields: {} };
const CONTAINER: Schema = {
  name: 'Container',
  fields: {
    ports: { strategy: 'merge', mergeKey: 'containerPort' },
    env: { strategy: 'merge', mergeKey: 'name' },
    volumeMounts: { strategy: 'merge', mergeKey: 'mountPath' },
    volumeDevices: { strategy: 'merge', mergeKey: 'devicePath' },
    livenessProbe: { schema: PROBE },
    readinessProbe: { schema: PROBE },
    startupProbe: { schema: PROBE },
  },
};
const OBJECT_META: Schema = {
  name: 'ObjectMeta',
  fields: {
    finalizers: { strategy: 'merge' },
    ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
  },
};
const POD_SPEC: Schema = {
  name: 'PodSpec',
  fields: {
    volumes: { strategy: 'merge', mergeKey: 'name' },
    initContainers: { strategy: 'merge', mergeKey: 'name', schema: CONTAINER },
    containers: { strategy: 'merge', mergeKey: 'name', schema: CONTAINER },
    ephemeralContainers: { strategy: 'merge', mergeKey: 'name', schema: CONTAINER },
    imagePullSecrets: { strategy: 'merge', mergeKey: 'name' },
    hostAliases: { strategy: 'merge', mergeKey: 'ip' },
    topologySpreadConstraints: { strategy: 'merge', mergeKey: 'topologyKey' },
    resourceClaims: { strategy: 'merge', mergeKey: 'name' },
    schedulingGates: { strategy: 'merge', mergeKey: 'name' },
    // tolerations, readinessGates and the rest have no patch strategy: replaced as a whole.
  },
};
const POD_STATUS: Schema = {
  name: 'PodStatus',
  fields: { conditions: { strategy: 'merge', mergeKey: 'type' }, podIPs: { strategy: 'merge', mergeKey: 'ip' } },
};
const POD: Schema = { name: 'Pod', fields: { metadata: { schema: OBJECT_META }, spec: { schema: POD_SPEC }, status: { schema: POD_STATUS } } };
// k8s.io/api/apps/v1: DeploymentSpec.template is a PodTemplateSpec; DeploymentStatus.conditions merge by type.
const DEPLOYMENT: Schema = {
  name: 'Deployment',
  fields: {
    metadata: { schema: OBJECT_META },
    spec: { schema: { name: 'DeploymentSpec', fields: { template: { schema: { name: 'PodTemplateSpec', fields: { metadata: { schema: OBJECT_META }, spec: { schema: POD_SPEC } } } } } } },
    status: { schema: { name: 'DeploymentStatus', fields: { conditions: { strategy: 'merge', mergeKey: 'type' } } } },
  },
};
// k8s.io/kubelet/config/v1beta1: no patch tags at all, so every list is replaced.
const KUBELET_CONFIGURATION: Schema = { name: 'KubeletConfiguration', fields: {} };

function schemaForTarget(target: string): Schema {
  if (target === 'kubeletconfiguration') return KUBELET_CONFIGURATION;
  if (target === 'corednsdeployment') return DEPLOYMENT;
  return POD;
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

/** strategicpatch.StrategicMergePatch(original, patch, dataStruct), with MergeParallelList and IgnoreUnmatchedNulls. */
export function strategicMergePatch(original: unknown, patch: unknown, schema: Schema = ANY): unknown {
  if (!isObject(patch)) throw new Error('a strategic merge patch must be an object');
  const base = isObject(original) ? deepClone(original) : {};
  return mergeMap(base, patch, schema);
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: Schema): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      const rest = { ...patch };
      delete rest[DIRECTIVE];
      return rest;
    }
    if (directive === 'delete') return {};
    throw new Error(`invalid ${DIRECTIVE} "${String(directive)}" in ${schema.name}`);
  }
  const work = { ...patch };
  applyRetainKeys(original, work);

  // $setElementOrder/<field>: remembered and applied after the field is merged.
  const orders = new Map<string, unknown[]>();
  for (const key of Object.keys(work)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = work[key];
    delete work[key];
    if (!Array.isArray(order)) throw new Error(`${key} must be a list`);
    orders.set(key.slice(SET_ELEMENT_ORDER.length), order);
  }

  for (const [rawKey, patchValue] of Object.entries(work)) {
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = rawKey.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      isDeleteList = true;
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    if (!Object.hasOwn(original, key) || kindOf(original[key]) !== kindOf(patchValue)) {
      if (!isDeleteList) original[key] = discardNulls(patchValue);
      continue;
    }
    const meta = schema.fields[key] ?? {};
    const originalValue = original[key];
    if (isObject(originalValue) && isObject(patchValue)) {
      original[key] = meta.strategy === 'replace' ? patchValue : mergeMap(originalValue, patchValue, meta.schema ?? ANY);
    } else if (Array.isArray(originalValue) && Array.isArray(patchValue)) {
      original[key] =
        meta.strategy === 'merge'
          ? mergeList(originalValue, patchValue, meta, isDeleteList, `${schema.name}.${key}`)
          : patchValue;
    } else {
      original[key] = patchValue;
    }
  }

  for (const [key, order] of orders) {
    const list = original[key];
    const meta = schema.fields[key] ?? {};
    if (Array.isArray(list)) original[key] = applyElementOrder(list, order, meta.mergeKey);
  }
  return original;
}

/** strategicpatch discardNullValuesFromPatch: nulls in a value that is added whole mean nothing. */
function discardNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(discardNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = discardNulls(x);
  return out;
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw new Error(`${RETAIN_KEYS} must be a list of field names`);
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw new Error(`field "${k}" is in the patch but not in ${RETAIN_KEYS}`);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Position of `item` in `list`: by merge key for objects, by value for primitives; -1 when absent. */
function indexIn(list: readonly unknown[], item: unknown, mergeKey: string | undefined): number {
  if (mergeKey !== undefined && isObject(item)) {
    return list.findIndex((x) => isObject(x) && deepEqual(x[mergeKey], item[mergeKey]));
  }
  return list.findIndex((x) => deepEqual(x, item));
}

function mergeList(original: unknown[], patch: unknown[], meta: FieldMeta, isDeleteList: boolean, where: string): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const all = [...original, ...patch];
  const objects = all.filter(isObject).length;
  if (all.some(Array.isArray)) throw new Error(`${where}: lists of lists cannot be merged`);
  if (objects !== 0 && objects !== all.length) throw new Error(`${where}: list mixes objects and values`);

  if (objects === 0) {
    if (isDeleteList) return original.filter((x) => indexIn(patch, x, undefined) < 0);
    const merged: unknown[] = [];
    for (const x of all) if (indexIn(merged, x, undefined) < 0) merged.push(x);
    return orderMerged(merged, patch, original, undefined);
  }

  const mergeKey = meta.mergeKey;
  if (mergeKey === undefined) throw new Error(`${where}: cannot merge lists without a merge key`);
  // Special elements: {$patch: delete, <key>: v} removes matches; {$patch: replace} replaces the whole list.
  let base = original.map((x) => x);
  const plain: JsonObject[] = [];
  let replace = false;
  for (const item of patch as JsonObject[]) {
    if (!Object.hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw new Error(`${where}: an element with ${DIRECTIVE}: delete needs the merge key "${mergeKey}"`);
      base = base.filter((x) => !(isObject(x) && deepEqual(x[mergeKey], item[mergeKey])));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new Error(`${where}: merging lists cannot yet be specified in the patch`);
    } else {
      throw new Error(`${where}: invalid ${DIRECTIVE} "${String(directive)}"`);
    }
  }
  if (replace) return plain;

  const merged = base.map((x) => x);
  for (const item of plain) {
    if (!Object.hasOwn(item, mergeKey)) throw new Error(`${where}: element has no merge key "${mergeKey}"`);
    const at = indexIn(merged, item, mergeKey);
    if (at >= 0) merged[at] = mergeMap(deepClone(merged[at] as JsonObject), item, meta.schema ?? ANY);
    else merged.push(item);
  }
  return orderMerged(merged, plain, base, mergeKey);
}

/**
 * strategicpatch normalizeElementOrder: items named in the patch keep the patch's order, the others keep
 * the original's, and the two are interleaved by the original's order. Items that only the patch has come
 * before the remaining original items (the Kubernetes documentation's "patch-demo-ctr-2" example).
 */
function orderMerged(merged: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string | undefined): unknown[] {
  const fromPatch = merged.filter((x) => indexIn(patchOrder, x, mergeKey) >= 0);
  const serverOnly = merged.filter((x) => indexIn(patchOrder, x, mergeKey) < 0);
  const byOrder = (order: unknown[]) => (a: unknown, b: unknown) => indexIn(order, a, mergeKey) - indexIn(order, b, mergeKey);
  fromPatch.sort(byOrder(patchOrder));
  serverOnly.sort(byOrder(serverOrder));
  return mergeSorted(serverOnly, fromPatch, serverOrder, mergeKey);
}

function mergeSorted(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string | undefined): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey);
      const ri = indexIn(serverOrder, right[j], mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** $setElementOrder: the listed items in that order, the others interleaved by their current order. */
function applyElementOrder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const probe = (x: unknown) => (mergeKey !== undefined && isObject(x) ? { [mergeKey]: x[mergeKey] } : x);
  const orderItems = order.map(probe);
  const listed = list.filter((x) => indexIn(orderItems, x, mergeKey) >= 0);
  const rest = list.filter((x) => indexIn(orderItems, x, mergeKey) < 0);
  listed.sort((a, b) => indexIn(orderItems, a, mergeKey) - indexIn(orderItems, b, mergeKey));
  return mergeSorted(rest, listed, list, mergeKey);
}
