/**
 * Registry credentials from a docker config.json: image references split as docker does, auths keys matched to
 * registry hosts, both inline forms read, credential stores refused clearly, and the secret kept out of
 * JSON, inspection, strings and messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import {
  CredentialsError,
  loadRegistryCredentials,
  normalizeImage,
  parseDockerConfig,
  parseImageReference,
  registryOf,
  registryOfAuthKey,
} from '../../src/registries/credentials.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

test('image references split into registry, path, tag and digest as docker normalizes them', () => {
  assert.deepEqual(parseImageReference('registry.k8s.io/coredns/coredns:v1.10.1'), {
    registry: 'registry.k8s.io',
    path: 'coredns/coredns',
    tag: 'v1.10.1',
  });
  assert.deepEqual(parseImageReference('10.77.0.1:5001/k8s/pause:3.9'), { registry: '10.77.0.1:5001', path: 'k8s/pause', tag: '3.9' });
  assert.deepEqual(parseImageReference('localhost/pause'), { registry: 'localhost', path: 'pause' });
  assert.deepEqual(parseImageReference('nginx'), { registry: 'docker.io', path: 'library/nginx' });
  assert.deepEqual(parseImageReference('coredns/coredns:1.8.0'), { registry: 'docker.io', path: 'coredns/coredns', tag: '1.8.0' });
  assert.deepEqual(parseImageReference('index.docker.io/library/busybox@sha256:abc'), {
    registry: 'docker.io',
    path: 'library/busybox',
    digest: 'sha256:abc',
  });
  assert.equal(normalizeImage('nginx'), 'docker.io/library/nginx:latest');
  assert.equal(normalizeImage('registry.k8s.io/pause:3.9'), 'registry.k8s.io/pause:3.9');
  assert.equal(normalizeImage('busybox@sha256:abc'), 'docker.io/library/busybox@sha256:abc');
  assert.equal(registryOf('10.77.0.1:5001/k8s/etcd:3.5.9-0'), '10.77.0.1:5001');
});

test('auths keys become registry hosts as docker reads them', () => {
  assert.equal(registryOfAuthKey('https://index.docker.io/v1/'), 'docker.io');
  assert.equal(registryOfAuthKey('registry-1.docker.io'), 'docker.io');
  assert.equal(registryOfAuthKey('https://10.77.0.1:5001'), '10.77.0.1:5001');
  assert.equal(registryOfAuthKey('http://reg.example.com/v2/'), 'reg.example.com');
  assert.equal(registryOfAuthKey('reg.example.com:443'), 'reg.example.com:443');
});

test('both inline forms are read and matched to the image registry', () => {
  const creds = parseDockerConfig(
    JSON.stringify({
      auths: {
        '10.77.0.1:5001': { auth: b64('lab:s3cret-pass') },
        'https://reg.example.com': { username: 'robot', password: 'pw:with:colons' },
        'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') },
        'empty.example.com': {},
      },
    }),
    '/home/me/.docker/config.json',
  );
  assert.deepEqual(creds.registries(), ['10.77.0.1:5001', 'reg.example.com', 'docker.io']);
  const lab = creds.forImage('10.77.0.1:5001/k8s/pause:3.9');
  assert.equal(lab?.username, 'lab');
  assert.equal(lab?.authForStdin(), b64('lab:s3cret-pass'));
  assert.equal(creds.forImage('reg.example.com/k8s/etcd:3.5.9-0')?.authForStdin(), b64('robot:pw:with:colons'));
  assert.equal(creds.forImage('nginx:1.25')?.username, 'hubuser');
  assert.equal(creds.forImage('registry.k8s.io/pause:3.9'), undefined);
  assert.equal(creds.forImage('empty.example.com/x:1'), undefined);
  // docker's own key for Docker Hub, the host for the others.
  assert.equal(creds.forImage('nginx')?.dockerConfigForStdin(), JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: b64('hubuser:hubpass') } } }));
  assert.equal(lab?.dockerConfigForStdin(), `{"auths":{"10.77.0.1:5001":{"auth":"${b64('lab:s3cret-pass')}"}}}`);
});

test('a credential never shows its secret in JSON, inspection, strings or redacted text', () => {
  const creds = parseDockerConfig(JSON.stringify({ auths: { 'reg.example.com': { auth: b64('robot:TopSecret42') } } }), 'config.json');
  const c = creds.forImage('reg.example.com/a:1')!;
  const views = [JSON.stringify(c), JSON.stringify(creds), inspect(c), inspect(creds, { depth: 5 }), String(c), `${c}`, inspect({ c }, { showHidden: true })];
  for (const view of views) {
    assert.ok(!view.includes('TopSecret42'), view);
    assert.ok(!view.includes(b64('robot:TopSecret42')), view);
  }
  assert.equal(JSON.stringify(c), '{"registry":"reg.example.com","username":"robot"}');
  assert.equal(c.redact(`denied for TopSecret42 and ${b64('robot:TopSecret42')}`), 'denied for ******** and ********');
});

test('credsStore and credHelpers are refused with a message that says what to do', () => {
  assert.throws(
    () => parseDockerConfig(JSON.stringify({ auths: { 'reg.example.com': {} }, credsStore: 'desktop' }), '/home/me/.docker/config.json'),
    (e: unknown) =>
      e instanceof CredentialsError &&
      e.message.startsWith(
        '/home/me/.docker/config.json: "credsStore": "desktop" keeps the credentials in a helper program (docker-credential-desktop), which bootstrap does not run; ' +
          'write a config file with the credentials inline instead',
      ) &&
      e.message.includes('images.credentials.configFile') &&
      e.retryable === false &&
      !e.stack?.includes('    at '),
  );
  assert.throws(
    () => parseDockerConfig(JSON.stringify({ credHelpers: { 'gcr.io': 'gcloud', 'x.io': 'pass' } }), 'c.json'),
    /^CredentialsError: c\.json: "credHelpers" \(gcr\.io, x\.io\) keep credentials in helper programs, which bootstrap does not run; write a config file/,
  );
});

test('unusable entries and files are clear errors that never quote the secret', () => {
  assert.throws(() => parseDockerConfig('{"auths": {"r.io": {"auth": "bm90LWEtcGFpcg=="}}}', 'c.json'), {
    message: 'c.json: auths["r.io"].auth is not base64 of "user:password"',
  });
  assert.throws(() => parseDockerConfig('{"auths": {"r.io": {"identitytoken": "tok"}}}', 'c.json'), /auths\["r\.io"\] holds a token \(identitytoken\/registrytoken\)/);
  assert.throws(() => parseDockerConfig('{"auths": {"r.io": {"username": "u"}}}', 'c.json'), { message: 'c.json: auths["r.io"] has a username but no password' });
  assert.throws(() => parseDockerConfig('{"auths": {"r.io": {"auth": "SECRETSECRET"', 'c.json'), (e: unknown) => {
    assert.equal((e as Error).message, 'c.json: it is not valid JSON');
    return true;
  });
  assert.throws(() => parseDockerConfig('[]', 'c.json'), { message: 'c.json: expected a JSON object with "auths"' });
});

test('loadRegistryCredentials reads the file and names a missing one', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-creds-'));
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ auths: { 'reg.example.com': { auth: b64('a:b') } } }), { mode: 0o600 });
  assert.deepEqual((await loadRegistryCredentials(file)).registries(), ['reg.example.com']);
  await assert.rejects(loadRegistryCredentials(join(dir, 'nope.json')), {
    name: 'CredentialsError',
    message: `images.credentials.configFile ${join(dir, 'nope.json')}: no such file`,
  });
});

test('a credentials file other users can read is refused with its mode and the chmod, before its content is read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bootstrap-creds-'));
  const file = join(dir, "it's config.json");
  await writeFile(file, JSON.stringify({ auths: { 'reg.example.com': { auth: b64('a:SECRETPASSWORD') } } }));
  for (const [mode, who] of [[0o644, 'every user'], [0o640, 'its group'], [0o604, 'every user']] as const) {
    await chmod(file, mode);
    await assert.rejects(loadRegistryCredentials(file), (e: unknown) => {
      assert.ok(e instanceof CredentialsError);
      assert.equal(
        e.message,
        `images.credentials.configFile ${file} is readable by ${who} (mode 0${mode.toString(8)}) and holds registry passwords: ` +
          `check who could have read it, then run chmod 600 '${file.replace(/'/g, `'\\''`)}'`,
      );
      assert.doesNotMatch(e.message, /SECRETPASSWORD/);
      return true;
    });
  }
  // Owner-only modes are fine, whatever the owner's own bits.
  for (const mode of [0o600, 0o400]) {
    await chmod(file, mode);
    assert.deepEqual((await loadRegistryCredentials(file)).registries(), ['reg.example.com']);
  }
});
