/**
 * The review APIs the real server answers without storing anything: authorization.k8s.io/v1
 * SubjectAccessReview, SelfSubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview (the RBAC
 * rules of the user's bindings), and authentication.k8s.io/v1 TokenReview and
 * SelfSubjectReview. Access reviews run the same authorizer chain as requests do.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Decision, RequestAttributes } from './rbac.js';
import { readBody, type ApiPath, type KubeObject } from './rest.js';
import { sendJson, sendStatus, type Identity } from './serving.js';

export interface ReviewContext {
  authorize(who: Identity, attributes: RequestAttributes): Promise<Decision>;
  rulesFor(who: Identity, namespace: string): Promise<Record<string, unknown>>;
  authenticateToken?(token: string): Promise<Identity | undefined>;
}

function invalid(kind: string, group: string, errors: string[]): { code: number; reason: string; message: string } {
  return { code: 422, reason: 'Invalid', message: `${kind}.${group} "" is invalid: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` };
}

function attributesOf(spec: KubeObject, namespaceOverride?: string): RequestAttributes | string {
  const ra = spec.resourceAttributes as Record<string, string> | undefined;
  const nra = spec.nonResourceAttributes as Record<string, string> | undefined;
  if (ra && nra) return 'spec.nonResourceAttributes: Invalid value: "": cannot be specified in combination with resourceAttributes';
  if (!ra && !nra) return 'spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified';
  if (nra) return { verb: nra.verb ?? '', path: nra.path ?? '' };
  const resource: ApiPath = {
    group: ra!.group ?? '', version: ra!.version ?? '*', resource: ra!.resource ?? '', subresource: ra!.subresource || undefined,
    namespace: (namespaceOverride ?? ra!.namespace) || undefined, name: ra!.name || undefined,
  };
  const fieldSelector = (ra as { fieldSelector?: { rawSelector?: string } }).fieldSelector?.rawSelector;
  return { verb: ra!.verb ?? '', resource, ...(fieldSelector ? { fieldSelector } : {}) };
}

function statusOf(d: Decision): Record<string, unknown> {
  return { allowed: d.allowed, ...(d.denied ? { denied: true } : {}), ...(d.reason ? { reason: d.reason } : {}) };
}

/** Answers a POST to a review resource; false when `p` is not one. */
export async function serveReview(ctx: ReviewContext, p: ApiPath, req: IncomingMessage, res: ServerResponse, who: Identity): Promise<boolean> {
  const reviews: Record<string, string[]> = {
    'authorization.k8s.io': ['subjectaccessreviews', 'selfsubjectaccessreviews', 'localsubjectaccessreviews', 'selfsubjectrulesreviews'],
    'authentication.k8s.io': ['tokenreviews', 'selfsubjectreviews'],
  };
  if (p.version !== 'v1' || !reviews[p.group]?.includes(p.resource) || p.name) return false;
  if (p.resource === 'localsubjectaccessreviews' ? !p.namespace : p.namespace) return false;
  if (req.method !== 'POST') {
    sendStatus(res, 405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return true;
  }
  const body = await readBody(req);
  const spec = (body.spec ?? {}) as KubeObject;
  const kindOf: Record<string, string> = {
    subjectaccessreviews: 'SubjectAccessReview', selfsubjectaccessreviews: 'SelfSubjectAccessReview', localsubjectaccessreviews: 'LocalSubjectAccessReview',
    selfsubjectrulesreviews: 'SelfSubjectRulesReview', tokenreviews: 'TokenReview', selfsubjectreviews: 'SelfSubjectReview',
  };
  const kind = kindOf[p.resource]!;
  const answer = (status: Record<string, unknown>, specOut: unknown = spec) =>
    sendJson(res, 201, { kind, apiVersion: `${p.group}/v1`, metadata: { ...(body.metadata ?? {}), creationTimestamp: null, ...(p.namespace ? { namespace: p.namespace } : {}) },
      ...(specOut === undefined ? {} : { spec: specOut }), status });
  const refuse = (r: { code: number; reason: string; message: string }) => sendStatus(res, r.code, r.reason, r.message);
  const userInfo = (i: Identity) => ({ username: i.user, ...(i.uid ? { uid: i.uid } : {}), groups: i.groups, ...(i.extra ? { extra: i.extra } : {}) });

  switch (p.resource) {
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews': {
      const attributes = attributesOf(spec);
      const errors: string[] = [];
      if (typeof attributes === 'string') errors.push(attributes);
      if (!spec.user && !(spec.groups as string[] | undefined)?.length) errors.push('spec.user: Invalid value: "": at least one of user or group must be specified');
      if (p.resource === 'localsubjectaccessreviews' && typeof attributes !== 'string') {
        if (!attributes.resource) errors.push('spec.nonResourceAttributes: Invalid value: "": disallowed on this kind of request');
        else if (attributes.resource.namespace !== p.namespace) {
          errors.push(`spec.resourceAttributes.namespace: Invalid value: "${attributes.resource.namespace ?? ''}": must match metadata.namespace`);
        }
      }
      if (errors.length) return refuse(invalid(kind, p.group, errors)), true;
      const subject: Identity = { user: String(spec.user ?? ''), groups: (spec.groups as string[] | undefined) ?? [], authenticated: true,
        uid: spec.uid as string | undefined, extra: spec.extra as Record<string, string[]> | undefined };
      answer(statusOf(await ctx.authorize(subject, attributes as RequestAttributes)));
      return true;
    }
    case 'selfsubjectaccessreviews': {
      const attributes = attributesOf(spec);
      if (typeof attributes === 'string') return refuse(invalid(kind, p.group, [attributes])), true;
      answer(statusOf(await ctx.authorize(who, attributes)));
      return true;
    }
    case 'selfsubjectrulesreviews':
      answer(await ctx.rulesFor(who, String(spec.namespace ?? '')));
      return true;
    case 'selfsubjectreviews':
      answer({ userInfo: userInfo(who) }, undefined);
      return true;
    case 'tokenreviews': {
      const token = String(spec.token ?? '');
      if (!token) return refuse(invalid(kind, p.group, ['spec.token: Required value'])), true;
      const identity = ctx.authenticateToken ? await ctx.authenticateToken(token) : undefined;
      answer(identity ? { authenticated: true, user: userInfo(identity), audiences: (spec.audiences as string[] | undefined) ?? [] } : { user: {}, error: '[invalid bearer token]' });
      return true;
    }
  }
  return false;
}
