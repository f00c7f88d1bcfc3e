/**
 * Admission and registry strategies the stand-in applies to writes, as the real apiserver does:
 *  - NodeRestriction (--enable-admission-plugins=NodeRestriction): a node may write only its own Node (no
 *    node-restriction.kubernetes.io/ labels, no kubernetes.io / k8s.io labels outside the kubelet's set, no
 *    taint changes after registration), its own Lease in kube-node-lease, and mirror pods bound to itself;
 *  - CertificateSigningRequests (pkg/registry/certificates): the requester's identity is written into
 *    spec.username/uid/groups/extra, status is cleared on create, signerName and the PEM request are
 *    validated; /approval changes only the conditions and needs the "approve" verb on the signer
 *    (CertificateApproval), /status may set the certificate only once approved and needs "sign"
 *    (CertificateSigning); kube-apiserver-client requests for system:masters are refused
 *    (CertificateSubjectRestriction);
 *  - ServiceAccount (on by default, plugin/pkg/admission/serviceaccount/admission.go): a Pod created without
 *    spec.serviceAccountName gets "default"; the ServiceAccount must exist; a Pod without imagePullSecrets gets
 *    the ServiceAccount's. Mirror pods are left alone. The projected token volume is not added.
 */
import { nodeIdentity } from './authz-node.js';
import type { RequestAttributes } from './rbac.js';
import { displayName, timestamp, type Admission, type AdmissionRequest, type KubeObject } from './rest.js';
import type { Identity } from './serving.js';

type Refusal = { code: number; reason: string; message: string };

function forbidden(a: AdmissionRequest, name: string, message: string): Refusal {
  return { code: 403, reason: 'Forbidden', message: `${displayName(a.path)} "${name}" is forbidden: ${message}` };
}

function invalid(kind: string, group: string, name: string, errors: string[]): Refusal {
  const qualified = group ? `${kind}.${group}` : kind;
  return { code: 422, reason: 'Invalid', message: `${qualified} "${name}" is invalid: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` };
}

const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region', 'beta.kubernetes.io/instance-type', 'node.kubernetes.io/instance-type', 'kubernetes.io/os',
  'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
]);
const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const labelNamespace = (label: string) => (label.includes('/') ? label.slice(0, label.indexOf('/')) : '');
const inNamespace = (ns: string, parent: string) => ns === parent || ns.endsWith(`.${parent}`);

function forbiddenLabels(modified: string[]): string[] {
  return modified.filter((label) => {
    const ns = labelNamespace(label);
    if (inNamespace(ns, 'node-restriction.kubernetes.io')) return true;
    const kubernetes = inNamespace(ns, 'kubernetes.io') || inNamespace(ns, 'k8s.io');
    const kubelet = KUBELET_LABELS.has(label) || KUBELET_LABEL_NAMESPACES.some((k) => inNamespace(ns, k));
    return kubernetes && !kubelet;
  }).sort();
}

function modifiedLabels(now: Record<string, string> = {}, before: Record<string, string> = {}): string[] {
  const keys = new Set([...Object.keys(now), ...Object.keys(before)]);
  return [...keys].filter((k) => now[k] !== before[k]);
}

function nodeRestriction(a: AdmissionRequest, node: string): Refusal | undefined {
  const r = a.path;
  const name = r.name ?? String(a.object?.metadata?.name ?? '');
  if (r.group === '' && r.resource === 'nodes') {
    if (name !== node) return forbidden(a, name, `node "${node}" is not allowed to modify node "${name}"`);
    if (a.operation === 'CREATE') {
      if (a.object?.spec?.configSource) return forbidden(a, name, `node "${node}" is not allowed to create pods with a non-nil configSource`);
      const bad = forbiddenLabels(Object.keys(a.object?.metadata?.labels ?? {}));
      if (bad.length) return forbidden(a, name, `node "${node}" is not allowed to set the following labels: ${bad.join(', ')}`);
    }
    if (a.operation === 'UPDATE') {
      if (JSON.stringify(a.object?.spec?.taints ?? []) !== JSON.stringify(a.old?.spec?.taints ?? [])) return forbidden(a, name, `node "${node}" is not allowed to modify taints`);
      if (a.object?.spec?.podCIDR !== a.old?.spec?.podCIDR || JSON.stringify(a.object?.spec?.podCIDRs) !== JSON.stringify(a.old?.spec?.podCIDRs)) {
        return forbidden(a, name, `node "${node}" is not allowed to modify pod CIDRs`);
      }
      const bad = forbiddenLabels(modifiedLabels(a.object?.metadata?.labels, a.old?.metadata?.labels));
      if (bad.length) return forbidden(a, name, `is not allowed to modify labels: ${bad.join(', ')}`);
    }
    return undefined;
  }
  if (r.group === 'coordination.k8s.io' && r.resource === 'leases') {
    if (r.namespace !== 'kube-node-lease') return forbidden(a, name, 'can only access leases in the kube-node-lease namespace');
    if (a.operation === 'CREATE' && name !== node) return forbidden(a, name, 'can only access node lease with the same name as the requesting node');
    return undefined;
  }
  if (r.group === '' && r.resource === 'pods') {
    const pod = (a.object ?? a.old) as KubeObject;
    if (a.operation === 'CREATE' && !r.subresource) {
      if (!pod.metadata?.annotations?.['kubernetes.io/config.mirror']) {
        return forbidden(a, name, `pod does not have "kubernetes.io/config.mirror" annotation, node "${node}" can only create mirror pods`);
      }
      if (pod.spec?.nodeName !== node) return forbidden(a, name, `node "${node}" can only create pods with spec.nodeName set to itself`);
    }
    if (a.operation === 'DELETE' && a.old?.spec?.nodeName !== node) return forbidden(a, name, `node "${node}" can only delete pods with spec.nodeName set to itself`);
    if (a.operation === 'UPDATE' && r.subresource === 'status' && a.old?.spec?.nodeName !== node) {
      return forbidden(a, name, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
    }
  }
  return undefined;
}

/** Authorization checks admission plugins make on behalf of the requester. */
export type Can = (who: Identity, attributes: RequestAttributes) => Promise<boolean>;

/** "kubernetes.io/kube-apiserver-client" or a wildcard "kubernetes.io/*" on signers, as CertificateApproval checks. */
async function canOnSigner(can: Can, who: Identity, verb: string, signerName: string): Promise<boolean> {
  const attrs = (name: string): RequestAttributes => ({ verb, resource: { group: 'certificates.k8s.io', version: '*', resource: 'signers', name } });
  if (await can(who, attrs(signerName))) return true;
  const slash = signerName.indexOf('/');
  return slash > 0 && can(who, attrs(`${signerName.slice(0, slash)}/*`));
}

const SIGNER_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+\/[A-Za-z0-9][-A-Za-z0-9_.]*$/;

type Pkcs10 = { subject: string; subjectName: { getField(name: string): string[] }; verify(): Promise<boolean> };
let x509Module: Promise<{ parse(der: Buffer): Pkcs10 }> | undefined;
async function parseRequestDer(der: Buffer): Promise<Pkcs10> {
  x509Module ??= (async () => {
    await import('./reflect-shim.js');
    const { webcrypto } = await import('node:crypto');
    const x509 = await import('@peculiar/x509');
    x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
    return { parse: (d: Buffer) => new x509.Pkcs10CertificateRequest(d) as unknown as Pkcs10 };
  })();
  return (await x509Module).parse(der);
}

/** Parses and checks the signature of spec.request (base64 of a PEM "CERTIFICATE REQUEST"); an error text or the request. */
async function checkRequest(b64: unknown): Promise<string | Pkcs10> {
  if (typeof b64 !== 'string' || !b64) return 'spec.request: Required value';
  const pem = Buffer.from(b64, 'base64').toString();
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) return 'spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST';
  if (m[1] !== 'CERTIFICATE REQUEST') return 'spec.request: Invalid value: []byte{...}: PEM block type must be CERTIFICATE REQUEST';
  try {
    const csr = await parseRequestDer(Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64'));
    if (!(await csr.verify())) return 'spec.request: Invalid value: []byte{...}: x509: ECDSA verification failure';
    return csr;
  } catch (error) {
    return `spec.request: Invalid value: []byte{...}: asn1: structure error: ${(error as Error).message}`;
  }
}

type Condition = { type?: string; status?: string; lastUpdateTime?: string; lastTransitionTime?: string };

async function admitCsr(a: AdmissionRequest, can: Can): Promise<Refusal | undefined> {
  const obj = a.object;
  const name = a.path.name ?? String(obj?.metadata?.name ?? '');
  const bad = (errors: string[]) => invalid('CertificateSigningRequest', 'certificates.k8s.io', name, errors);
  if (a.operation === 'CREATE' && obj) {
    obj.spec ??= {};
    // The requester's identity: a client cannot set these itself.
    obj.spec.username = a.who.user;
    if (a.who.uid) obj.spec.uid = a.who.uid;
    else delete obj.spec.uid;
    obj.spec.groups = [...a.who.groups];
    if (a.who.extra && Object.keys(a.who.extra).length) obj.spec.extra = a.who.extra;
    else delete obj.spec.extra;
    obj.status = {};
    const errors: string[] = [];
    const signerName = obj.spec.signerName;
    if (!signerName) errors.push('spec.signerName: Required value');
    else if (!SIGNER_NAME.test(String(signerName))) errors.push(`spec.signerName: Invalid value: "${signerName}": must be a fully qualified domain and path of the form 'example.com/signer-name'`);
    if (!Array.isArray(obj.spec.usages) || obj.spec.usages.length === 0) errors.push('spec.usages: Required value');
    const parsed = await checkRequest(obj.spec.request);
    if (typeof parsed === 'string') errors.push(parsed);
    if (errors.length) return bad(errors);
    if (signerName === 'kubernetes.io/kube-apiserver-client' && typeof parsed !== 'string' && parsed.subjectName.getField('O').includes('system:masters')) {
      return forbidden(a, name, 'use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
    }
    return undefined;
  }
  if (a.operation !== 'UPDATE' || !obj || !a.old) return undefined;
  const old = a.old;
  obj.spec = old.spec;
  const oldConditions = (old.status?.conditions ?? []) as Condition[];
  const now = timestamp();
  const stamp = (c: Condition) => {
    const before = oldConditions.find((o) => o.type === c.type);
    c.lastUpdateTime ||= now;
    c.lastTransitionTime ||= before && before.status === c.status ? before.lastTransitionTime ?? now : now;
    return c;
  };
  const sub = a.path.subresource;
  if (sub === 'approval') {
    const conditions = ((obj.status?.conditions ?? []) as Condition[]).map(stamp);
    obj.status = { ...(old.status ?? {}), conditions };
    const types = conditions.map((c) => c.type);
    const errors: string[] = [];
    if (types.includes('Approved') && types.includes('Denied')) errors.push(`status.conditions[${types.indexOf('Denied')}].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive`);
    for (const t of ['Approved', 'Denied']) {
      if (oldConditions.some((c) => c.type === t) && !types.includes(t)) errors.push(`status.conditions: Forbidden: updates may not remove a condition of type "${t}"`);
    }
    if (errors.length) return bad(errors);
    const approving = conditions.some((c) => (c.type === 'Approved' || c.type === 'Denied') && !oldConditions.some((o) => o.type === c.type));
    if (approving && !(await canOnSigner(can, a.who, 'approve', String(old.spec?.signerName ?? '')))) {
      return forbidden(a, name, `user not permitted to approve requests with signerName "${old.spec?.signerName}"`);
    }
    return undefined;
  }
  if (sub === 'status') {
    // Approval conditions change only through /approval.
    const kept = oldConditions.filter((c) => c.type === 'Approved' || c.type === 'Denied');
    const others = ((obj.status?.conditions ?? []) as Condition[]).filter((c) => c.type !== 'Approved' && c.type !== 'Denied').map(stamp);
    obj.status = { ...(obj.status ?? {}), conditions: [...kept, ...others] };
    if (!obj.status.conditions.length) delete obj.status.conditions;
    const certificate = obj.status?.certificate;
    if (certificate && certificate !== old.status?.certificate) {
      if (old.status?.certificate) return bad(['status.certificate: Forbidden: updates may not modify existing certificate content']);
      if (!kept.some((c) => c.type === 'Approved')) return bad(['status.certificate: Forbidden: updates may not set certificate content unless the Approved condition is present']);
      if (!(await canOnSigner(can, a.who, 'sign', String(old.spec?.signerName ?? '')))) {
        return forbidden(a, name, `user not permitted to sign requests with signerName "${old.spec?.signerName}"`);
      }
    }
    return undefined;
  }
  // The main resource changes metadata only.
  obj.status = old.status;
  return undefined;
}

/** Reads a stored object (the ServiceAccount plugin's lister, with its live lookup on a miss). */
export type Lookup = (resource: string, namespace: string, name: string) => Promise<KubeObject | undefined>;

/**
 * The ServiceAccount plugin's Admit (plugin/pkg/admission/serviceaccount/admission.go): pods on create only, not
 * their subresources; mirror pods (kubernetes.io/config.mirror) are not changed.
 */
export async function admitServiceAccount(a: AdmissionRequest, lookup: Lookup): Promise<Refusal | undefined> {
  if (a.path.group !== '' || a.path.resource !== 'pods' || a.path.subresource || a.operation !== 'CREATE' || !a.object) return undefined;
  const pod = a.object;
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return undefined;
  pod.spec ??= {};
  // v1 conversion: the deprecated spec.serviceAccount stands in for an empty serviceAccountName, and both are served.
  pod.spec.serviceAccountName ||= pod.spec.serviceAccount || 'default';
  pod.spec.serviceAccount = pod.spec.serviceAccountName;
  const namespace = String(a.path.namespace ?? '');
  const name = String(pod.spec.serviceAccountName);
  const account = await lookup('serviceaccounts', namespace, name);
  if (!account) {
    return forbidden(a, a.path.name ?? String(pod.metadata?.name ?? ''), `error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
  }
  const secrets = (account.imagePullSecrets ?? []) as { name?: string }[];
  if (!(pod.spec.imagePullSecrets?.length > 0) && secrets.length > 0) pod.spec.imagePullSecrets = secrets.map((s) => ({ name: s.name }));
  return undefined;
}

export function admission(options: { nodeRestriction: boolean; serviceAccount?: Lookup; can: Can }): Admission {
  return async (a) => {
    const node = options.nodeRestriction ? nodeIdentity(a.who) : undefined;
    if (node) {
      const refusal = nodeRestriction(a, node);
      if (refusal) return refusal;
    }
    if (options.serviceAccount) {
      const refusal = await admitServiceAccount(a, options.serviceAccount);
      if (refusal) return refusal;
    }
    if (a.path.group === 'certificates.k8s.io' && a.path.resource === 'certificatesigningrequests') return admitCsr(a, options.can);
    return undefined;
  };
}
