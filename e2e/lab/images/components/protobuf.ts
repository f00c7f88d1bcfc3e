/**
 * Request bodies in the Kubernetes protobuf encoding (application/vnd.kubernetes.protobuf: "k8s\0" and a
 * runtime.Unknown around the object's message), which kubectl's typed clients send for `auth can-i`,
 * `auth whoami` and the `create <kind>` generators. Decoded with the field numbers of the kinds listed
 * here (k8s.io/api generated.proto) into the JSON shape; other kinds are refused with 415.
 */

type Field = [json: string, type: 'string' | 'int' | 'bool' | 'bytes' | 'time' | Schema | 'map' | 'bytesmap' | 'extramap', repeated?: boolean];
interface Schema { [field: number]: Field }

const ObjectMeta: Schema = {
  1: ['name', 'string'], 2: ['generateName', 'string'], 3: ['namespace', 'string'], 5: ['uid', 'string'], 6: ['resourceVersion', 'string'],
  7: ['generation', 'int'], 11: ['labels', 'map'], 12: ['annotations', 'map'], 14: ['finalizers', 'string', true],
};
const ResourceAttributes: Schema = {
  1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'],
  6: ['subresource', 'string'], 7: ['name', 'string'],
};
const NonResourceAttributes: Schema = { 1: ['path', 'string'], 2: ['verb', 'string'] };
const Subject: Schema = { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] };
const RoleRef: Schema = { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] };
const PolicyRule: Schema = { 1: ['verbs', 'string', true], 2: ['apiGroups', 'string', true], 3: ['resources', 'string', true], 4: ['resourceNames', 'string', true], 5: ['nonResourceURLs', 'string', true] };
const LabelSelector: Schema = { 1: ['matchLabels', 'map'] };
const LocalObjectReference: Schema = { 1: ['name', 'string'] };
const ObjectReference: Schema = { 1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'] };

const CsrCondition: Schema = { 1: ['type', 'string'], 6: ['status', 'string'], 2: ['reason', 'string'], 3: ['message', 'string'], 4: ['lastUpdateTime', 'time'], 5: ['lastTransitionTime', 'time'] };
const CsrMeta: Schema = { ...ObjectMeta, 8: ['creationTimestamp', 'time'] };

const SCHEMAS: Record<string, Schema> = {
  'certificates.k8s.io/v1/CertificateSigningRequest': { 1: ['metadata', CsrMeta], 2: ['spec', {
    1: ['request', 'bytes'], 7: ['signerName', 'string'], 8: ['expirationSeconds', 'int'], 5: ['usages', 'string', true], 2: ['username', 'string'],
    3: ['uid', 'string'], 4: ['groups', 'string', true], 6: ['extra', 'extramap'] }], 3: ['status', { 1: ['conditions', CsrCondition, true], 2: ['certificate', 'bytes'] }] },
  'authorization.k8s.io/v1/SelfSubjectAccessReview': { 1: ['metadata', ObjectMeta], 2: ['spec', { 1: ['resourceAttributes', ResourceAttributes], 2: ['nonResourceAttributes', NonResourceAttributes] }] },
  'authorization.k8s.io/v1/SubjectAccessReview': { 1: ['metadata', ObjectMeta], 2: ['spec', {
    1: ['resourceAttributes', ResourceAttributes], 2: ['nonResourceAttributes', NonResourceAttributes], 3: ['user', 'string'], 4: ['groups', 'string', true],
    5: ['extra', 'extramap'], 6: ['uid', 'string'] }] },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: ['metadata', ObjectMeta], 2: ['spec', { 1: ['namespace', 'string'] }] },
  'authentication.k8s.io/v1/SelfSubjectReview': { 1: ['metadata', ObjectMeta] },
  'authentication.k8s.io/v1/TokenReview': { 1: ['metadata', ObjectMeta], 2: ['spec', { 1: ['token', 'string'], 2: ['audiences', 'string', true] }] },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { 1: ['metadata', ObjectMeta], 2: ['subjects', Subject, true], 3: ['roleRef', RoleRef] },
  'rbac.authorization.k8s.io/v1/RoleBinding': { 1: ['metadata', ObjectMeta], 2: ['subjects', Subject, true], 3: ['roleRef', RoleRef] },
  'rbac.authorization.k8s.io/v1/ClusterRole': { 1: ['metadata', ObjectMeta], 2: ['rules', PolicyRule, true], 3: ['aggregationRule', { 1: ['clusterRoleSelectors', LabelSelector, true] }] },
  'rbac.authorization.k8s.io/v1/Role': { 1: ['metadata', ObjectMeta], 2: ['rules', PolicyRule, true] },
  'v1/ConfigMap': { 1: ['metadata', ObjectMeta], 2: ['data', 'map'], 3: ['binaryData', 'bytesmap'], 4: ['immutable', 'bool'] },
  'v1/Secret': { 1: ['metadata', ObjectMeta], 2: ['data', 'bytesmap'], 3: ['type', 'string'], 4: ['stringData', 'map'], 5: ['immutable', 'bool'] },
  'v1/Namespace': { 1: ['metadata', ObjectMeta], 2: ['spec', { 1: ['finalizers', 'string', true] }] },
  'v1/ServiceAccount': { 1: ['metadata', ObjectMeta], 2: ['secrets', ObjectReference, true], 3: ['imagePullSecrets', LocalObjectReference, true], 4: ['automountServiceAccountToken', 'bool'] },
};

export class UnsupportedProtobuf extends Error {}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean { return this.pos >= this.buf.length; }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('truncated varint');
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

function decode(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = new Reader(buf);
  while (!r.done) {
    const tag = Number(r.varint());
    const [field, wire] = [tag >> 3, tag & 7];
    const spec = schema[field];
    if (!spec) { r.skip(wire); continue; }
    const [name, type, repeated] = spec;
    let value: unknown;
    if (type === 'int' || type === 'bool') {
      const v = r.varint();
      value = type === 'bool' ? v !== 0n : Number(v);
    } else {
      const raw = r.bytes();
      if (type === 'string') value = raw.toString('utf8');
      else if (type === 'bytes') value = raw.toString('base64');
      else if (type === 'time') {
        // A zero metav1.Time is sent as an empty message: leave the field out, as JSON's null does.
        const t = decode(raw, { 1: ['seconds', 'int'] });
        if (t.seconds === undefined) continue;
        value = new Date(Number(t.seconds) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      }
      else if (type === 'map' || type === 'bytesmap' || type === 'extramap') {
        const entry = decode(raw, { 1: ['key', 'string'], 2: ['value', type === 'map' ? 'string' : type === 'bytesmap' ? 'bytes' : { 1: ['items', 'string', true] }] });
        const map = (out[name] ??= {}) as Record<string, unknown>;
        const v = entry.value ?? (type === 'extramap' ? { items: [] } : '');
        map[String(entry.key ?? '')] = type === 'extramap' ? (v as { items?: string[] }).items ?? [] : v;
        continue;
      } else value = decode(raw, type);
    }
    if (repeated) ((out[name] ??= []) as unknown[]).push(value);
    else out[name] = value;
  }
  return out;
}

/** Decodes a protobuf request body into the JSON form of the object, with apiVersion and kind. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new UnsupportedProtobuf('missing the protobuf magic prefix');
  const unknown = decode(body.subarray(4), { 1: ['typeMeta', { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] }], 2: ['raw', 'bytes'] });
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = SCHEMAS[`${typeMeta.apiVersion}/${typeMeta.kind}`];
  if (!schema) throw new UnsupportedProtobuf(`${typeMeta.apiVersion}/${typeMeta.kind} in protobuf`);
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decode(Buffer.from(String(unknown.raw ?? ''), 'base64'), schema) };
}
