import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { admitServiceAccount, type Lookup } from '../../e2e/lab/images/components/admission.js';
import { ApiError, type Api } from '../../e2e/lab/images/components/controller-api.js';
import { isControllerEnabled, loggedName } from '../../e2e/lab/images/components/controllers.js';
import { missingServiceAccounts, syncServiceAccounts } from '../../e2e/lab/images/components/serviceaccounts.js';
import type { AdmissionRequest, KubeObject } from '../../e2e/lab/images/components/rest.js';

const accounts: Record<string, KubeObject> = {
  'team/default': { metadata: { name: 'default', namespace: 'team' }, imagePullSecrets: [{ name: 'regcred' }, { name: 'other' }] },
  'team/builder': { metadata: { name: 'builder', namespace: 'team' } },
};
const lookup: Lookup = async (resource, namespace, name) => (resource === 'serviceaccounts' ? accounts[`${namespace}/${name}`] : undefined);

function podCreate(namespace: string, spec: Record<string, unknown>, extra: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    operation: 'CREATE',
    path: { group: '', version: 'v1', resource: 'pods', namespace, name: 'web' },
    resource: { name: 'pods', kind: 'Pod', group: '', version: 'v1', namespaced: true, verbs: [] } as never,
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } },
    who: { user: 'jane', groups: ['system:authenticated'], authenticated: true } as never,
    ...extra,
  };
}

describe('lab kube-apiserver: the ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount)', () => {
  it('defaults serviceAccountName to "default" and copies the ServiceAccount\'s imagePullSecrets into a pod that has none', async () => {
    const a = podCreate('team', {});
    assert.equal(await admitServiceAccount(a, lookup), undefined);
    assert.equal(a.object!.spec.serviceAccountName, 'default');
    assert.equal(a.object!.spec.serviceAccount, 'default', 'v1 serves the deprecated field too');
    assert.deepEqual(a.object!.spec.imagePullSecrets, [{ name: 'regcred' }, { name: 'other' }]);
  });

  it('keeps the pod\'s own imagePullSecrets and a named ServiceAccount (also given by the deprecated field)', async () => {
    const own = podCreate('team', { imagePullSecrets: [{ name: 'mine' }] });
    await admitServiceAccount(own, lookup);
    assert.deepEqual(own.object!.spec.imagePullSecrets, [{ name: 'mine' }]);
    const named = podCreate('team', { serviceAccount: 'builder' });
    assert.equal(await admitServiceAccount(named, lookup), undefined);
    assert.equal(named.object!.spec.serviceAccountName, 'builder');
    assert.equal(named.object!.spec.imagePullSecrets, undefined, 'a ServiceAccount without pull secrets adds none');
  });

  it('refuses a pod whose ServiceAccount does not exist, with the real message', async () => {
    assert.deepEqual(await admitServiceAccount(podCreate('empty', {}), lookup), {
      code: 403, reason: 'Forbidden',
      message: 'pods "web" is forbidden: error looking up service account empty/default: serviceaccount "default" not found',
    });
    const refusal = await admitServiceAccount(podCreate('team', { serviceAccountName: 'ghost' }), lookup);
    assert.equal(refusal?.message, 'pods "web" is forbidden: error looking up service account team/ghost: serviceaccount "ghost" not found');
  });

  it('leaves mirror pods, updates and subresources alone', async () => {
    const mirror = podCreate('empty', {});
    mirror.object!.metadata!.annotations = { 'kubernetes.io/config.mirror': 'abc' };
    assert.equal(await admitServiceAccount(mirror, lookup), undefined);
    assert.equal(mirror.object!.spec.serviceAccountName, undefined);
    assert.equal(await admitServiceAccount(podCreate('empty', {}, { operation: 'UPDATE' }), lookup), undefined);
    const binding = podCreate('empty', {});
    binding.path = { ...binding.path, subresource: 'binding' };
    assert.equal(await admitServiceAccount(binding, lookup), undefined);
  });
});

describe('lab controller-manager: the serviceaccount controller', () => {
  const ns = (name: string, phase?: string) => ({ metadata: { name }, ...(phase ? { status: { phase } } : {}) });

  it('is on by default, logged by its canonical name from v1.28', () => {
    assert.equal(isControllerEnabled('serviceaccount', ['*']), true);
    assert.equal(isControllerEnabled('serviceaccount', ['*', '-serviceaccount']), false);
    assert.equal(loggedName('serviceaccount', 'v1.28.0'), 'serviceaccount-controller');
    assert.equal(loggedName('serviceaccount', 'v1.27.3'), 'serviceaccount');
  });

  it('wants a default ServiceAccount in each Active namespace that lacks one', () => {
    const missing = missingServiceAccounts([ns('a', 'Active'), ns('b', 'Active'), ns('gone', 'Terminating')], [{ metadata: { name: 'default', namespace: 'b' } }, { metadata: { name: 'default', namespace: 'gone' } }]);
    assert.deepEqual(missing, [{ namespace: 'a', name: 'default' }]);
  });

  it('creates them, takes AlreadyExists as done and reports other failures together', async () => {
    const created: [string, unknown][] = [];
    const answers: Record<string, ApiError | undefined> = {
      '/api/v1/namespaces/raced/serviceaccounts': new ApiError(409, 'AlreadyExists', 'serviceaccounts "default" already exists'),
      '/api/v1/namespaces/locked/serviceaccounts': new ApiError(403, 'Forbidden', 'nope'),
    };
    const api = {
      list: async (path: string) => (path === '/api/v1/namespaces' ? [ns('a', 'Active'), ns('raced', 'Active'), ns('locked', 'Active')] : []),
      create: async (path: string, body: unknown) => {
        if (answers[path]) throw answers[path];
        created.push([path, body]);
        return body;
      },
    } as unknown as Api;
    await assert.rejects(syncServiceAccounts(api), { message: 'nope' });
    assert.deepEqual(created, [['/api/v1/namespaces/a/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'a' } }]]);
  });
});
