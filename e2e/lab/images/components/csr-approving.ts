/**
 * csrapproving (pkg/controller/certificates/approver/sarapprove.go): approves kubelet client certificate requests
 * whose requester may create them, asked through a SubjectAccessReview. selfnodeclient when the requester is the
 * node itself (spec.username equals the subject CN; certificate rotation), nodeclient otherwise (TLS bootstrap
 * with a bootstrap token).
 */
import type { Api } from './controller-api.js';
import { approvalState, CSR_PATH, KUBELET_CLIENT_SIGNER, parseCSR, validateKubeletClientCSR, type CertificateSigningRequest, type ParsedRequest } from './csr.js';

export interface Recognizer {
  subresource: 'selfnodeclient' | 'nodeclient';
  successMessage: string;
  recognize(csr: CertificateSigningRequest, req: ParsedRequest): boolean;
}

function isNodeClientCert(csr: CertificateSigningRequest, req: ParsedRequest): boolean {
  return csr.spec.signerName === KUBELET_CLIENT_SIGNER && validateKubeletClientCSR(req, csr.spec.usages ?? []) === undefined;
}

export const RECOGNIZERS: Recognizer[] = [
  {
    subresource: 'selfnodeclient',
    successMessage: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
    recognize: (csr, req) => csr.spec.username === req.commonName && isNodeClientCert(csr, req),
  },
  {
    subresource: 'nodeclient',
    successMessage: 'Auto approving kubelet client certificate after SubjectAccessReview.',
    recognize: isNodeClientCert,
  },
];

/** The SubjectAccessReview asked for a recognised request. */
export function subjectAccessReview(csr: CertificateSigningRequest, subresource: string): Record<string, unknown> {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: csr.spec.username,
      uid: csr.spec.uid,
      groups: csr.spec.groups,
      extra: csr.spec.extra ?? {},
      resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
    },
  };
}

/** appendApprovalCondition. */
export function withApproval(csr: CertificateSigningRequest, message: string): CertificateSigningRequest {
  return {
    ...csr,
    status: { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message }] },
  };
}

export type Decision = { action: 'skip' } | { action: 'approve'; csr: CertificateSigningRequest; subresource: string } | { action: 'not-approved'; tried: string[] };

/** sarApprover.handle: what to do with one request, asking `authorize` for each recognised kind. */
export async function decide(csr: CertificateSigningRequest, authorize: (sar: Record<string, unknown>) => Promise<boolean>): Promise<Decision> {
  if (csr.status?.certificate) return { action: 'skip' };
  const { approved, denied } = approvalState(csr);
  if (approved || denied) return { action: 'skip' };
  let req: ParsedRequest;
  try {
    req = await parseCSR(csr.spec.request);
  } catch (e) {
    throw new Error(`unable to parse csr "${csr.metadata.name}": ${(e as Error).message}`);
  }
  const tried: string[] = [];
  for (const r of RECOGNIZERS) {
    if (!r.recognize(csr, req)) continue;
    tried.push(r.subresource);
    if (await authorize(subjectAccessReview(csr, r.subresource))) {
      return { action: 'approve', csr: withApproval(csr, r.successMessage), subresource: r.subresource };
    }
  }
  return tried.length > 0 ? { action: 'not-approved', tried } : { action: 'skip' };
}

export interface ControllerLog {
  info(message: string): void;
  error(message: string): void;
}

/** One pass over all CertificateSigningRequests. */
export async function syncApprovals(api: Api, log: ControllerLog, reported: Set<string>): Promise<void> {
  const csrs = await api.list<CertificateSigningRequest>(CSR_PATH);
  for (const csr of csrs) {
    try {
      const decision = await decide(csr, async (sar) => {
        const answer = await api.create<{ status?: { allowed?: boolean } }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', sar);
        return answer.status?.allowed === true;
      });
      if (decision.action === 'approve') {
        await api.update(`${CSR_PATH}/${csr.metadata.name}/approval`, decision.csr).catch((e: Error) => {
          throw new Error(`error updating approval for csr: ${e.message}`);
        });
      } else if (decision.action === 'not-approved' && !reported.has(csr.metadata.name)) {
        reported.add(csr.metadata.name);
        log.info(`Sync ${csr.metadata.name} failed with : recognized csr "${csr.metadata.name}" as [${decision.tried.join(' ')}] but subject access review was not approved`);
      }
    } catch (e) {
      if (!reported.has(`${csr.metadata.name}/error`)) log.error(`Sync ${csr.metadata.name} failed with : ${(e as Error).message}`);
      reported.add(`${csr.metadata.name}/error`);
    }
  }
}
