/**
 * crictl's two JSON spellings of CRI messages.
 *
 * - protojson (google.golang.org/protobuf, EmitDefaultValues, two-space indent): fields in declaration order,
 *   default scalars and empty lists/maps present, unset sub-messages absent, map keys sorted. crictl uses it for
 *   `images/ps/pods -o json` (cri-tools cmd/crictl/util.go: protobufObjectToJSON).
 * - "status data" (`info`, `inspecti`, `inspect`): the protojson text decoded into Go maps and encoded again by
 *   encoding/json, which sorts the keys of every object (cri-tools cmd/crictl/util.go: outputStatusData).
 */
import { stringify as yamlStringify } from 'yaml';
import { criDefinition, type Msg } from './client.js';

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  field: FieldDescriptor[];
  nestedType: { name: string; options: { mapEntry?: boolean } | null }[];
}

function descriptor(typeName: string): MessageDescriptor {
  const entry = criDefinition()[`runtime.v1.${typeName}`] as { type?: MessageDescriptor } | undefined;
  if (!entry?.type) throw new Error(`unknown CRI message ${typeName}`);
  return entry.type;
}

/** A CRI message (of the given runtime.v1 type) as protojson would render it, before indentation. */
export function protoJsonValue(typeName: string, value: Msg): Msg {
  const type = descriptor(typeName);
  const out: Msg = {};
  for (const field of type.field) {
    const v = value[field.name];
    if (v === null || v === undefined) continue;
    const isMap = type.nestedType.some((n) => n.name === field.typeName && n.options?.mapEntry);
    if (isMap) {
      out[field.name] = Object.fromEntries(Object.entries(v as Msg).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    } else if (field.type === 'TYPE_MESSAGE') {
      out[field.name] = Array.isArray(v) ? v.map((x) => protoJsonValue(field.typeName, x as Msg)) : protoJsonValue(field.typeName, v as Msg);
    } else {
      out[field.name] = v;
    }
  }
  return out;
}

/** protojson.MarshalOptions{EmitDefaultValues: true, Indent: "  "} of a runtime.v1 message. */
export function protoJson(typeName: string, value: Msg): string {
  return JSON.stringify(protoJsonValue(typeName, value), null, 2);
}

/** Every object's keys sorted, recursively: how encoding/json writes a map[string]any. */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value as Msg).sort();
  return Object.fromEntries(keys.map((k) => [k, sortedKeys((value as Msg)[k])]));
}

/**
 * crictl's outputStatusData for one or more responses: `status` (a message as protojson), optional extra top-level
 * objects, plus each `info` entry (JSON objects decoded, other strings with their quotes trimmed). A single entry is
 * printed bare, several as an array.
 */
export function statusDataJson(entries: { status?: { type: string; value: Msg }; override?: Record<string, unknown>; extra?: Record<string, unknown>; info?: Record<string, string> }[]): string {
  const result = entries.map((entry) => {
    const out: Record<string, unknown> = {};
    if (entry.status !== undefined) out.status = { ...protoJsonValue(entry.status.type, entry.status.value), ...entry.override };
    for (const [k, v] of Object.entries(entry.extra ?? {})) if (v !== undefined) out[k] = v;
    for (const [k, v] of Object.entries(entry.info ?? {})) {
      out[k] = v.startsWith('{') ? JSON.parse(v) : v.replace(/^"+|"+$/g, '');
    }
    return sortedKeys(out);
  });
  return JSON.stringify(result.length === 1 ? result[0] : result, null, 2);
}

/**
 * crictl's `-o yaml`: the JSON turned into YAML by sigs.k8s.io/yaml (keys sorted, block sequences not indented),
 * printed with fmt.Println (so one extra newline).
 */
export function goYaml(json: string): string {
  return yamlStringify(sortedKeys(JSON.parse(json)), { indentSeq: false, lineWidth: 0 }) + '\n';
}
