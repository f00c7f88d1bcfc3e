/**
 * The lab's images and control-plane stand-ins, tested without the rest of the lab:
 *  - the stand-ins accept exactly the commands kubeadm writes (golden manifests) and reject unknown flags;
 *  - the etcd entrypoint maps only etcd 3.6's two renamed flags;
 *  - Debian's real etcd and the stand-ins run as local processes from kubeadm's commands (rewritten to
 *    127.0.0.1 and a scratch /etc/kubernetes made with openssl): TLS health endpoints, mutual TLS to etcd,
 *    client-certificate authentication, leader election with kubeconfig credentials, and the real failure modes;
 *  - buildLabImages pushes every catalog image to local docker-registry instances (plain and htpasswd).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, symlinkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parseFlags, FlagError } from './lab/images/components/flags.js';
import { flagsAt, kubeApiserverFlags, kubeControllerManagerFlags, kubeSchedulerFlags, REMOVED_FLAGS } from './lab/images/components/flagsets.js';
import { freePort, makeCA, makeCert, makeKubeadmPki, manifestCommand, rewriteCommand, start, waitFor, writeKubeconfig, type Running } from './lab/images/test-pki.js';
import { DockerCli, runCommand } from './lab/docker.js';
import { defaultRepoRoot, type LabState } from './lab/state.js';
import { labUnavailable, leaseLab, type LabLease } from './lab/testing.js';
import { ensureDebianPackages } from './lab/packages.js';
import { buildLabImages, faultImage, IMAGE_BUILD_PACKAGES, publishFault, restoreImage } from './lab/images/build.js';
import { parse } from 'yaml';
import { catalogImages } from '../src/kube/images.js';

const repoRoot = defaultRepoRoot();
const goldenDir = join(repoRoot, 'test', 'golden', 'manifests');
const componentsDir = join(repoRoot, 'dist', 'e2e', 'lab', 'images', 'components');
const entrypoint = join(repoRoot, 'e2e', 'lab', 'images', 'etcd', 'etcd-entrypoint.sh');
const FLAGSETS = { 'kube-apiserver': kubeApiserverFlags, 'kube-controller-manager': kubeControllerManagerFlags, 'kube-scheduler': kubeSchedulerFlags } as const;

interface Answer {
  status: number;
  body: string;
  peer?: X509Certificate;
}

/** One HTTPS GET; `ca` undefined means "do not verify" (to look at a self-signed certificate). */
function get(port: number, path: string, tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.ca !== undefined, agent: false, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      const peer = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate?.();
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), peer }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function killAll(processes: Running[]): Promise<unknown> {
  for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  return Promise.all(processes.map((p) => p.exited));
}

describe('stand-in flags against kubeadm\'s commands', () => {
  const versions = existsSync(goldenDir) ? readdirSync(goldenDir).sort() : [];
  it('has golden manifests to check against', () => assert.ok(versions.length >= 2, `golden manifests in ${goldenDir}`));
  for (const version of versions) {
    for (const [component, flagset] of Object.entries(FLAGSETS)) {
      it(`${component} parses kubeadm ${version}'s command`, () => {
        const command = manifestCommand(join(goldenDir, version, `${component}.yaml`));
        assert.equal(command[0], component);
        const removed = component === 'kube-scheduler' ? [] : REMOVED_FLAGS[component as keyof typeof REMOVED_FLAGS];
        const parsed = parseFlags(command.slice(1), flagsAt(flagset, removed, version), component);
        assert.equal(parsed.values.size, command.length - 1);
      });
    }
  }
  it('rejects an unknown flag as pflag does', () => {
    assert.throws(() => parseFlags(['--secure-port=6443', '--no-such-flag=1'], kubeApiserverFlags, 'kube-apiserver'), (e: unknown) =>
      e instanceof FlagError && e.message === 'unknown flag: --no-such-flag');
  });
  it('drops the insecure serving flags at v1.24, as the real binaries do', () => {
    const at = (v: string) => flagsAt(kubeApiserverFlags, REMOVED_FLAGS['kube-apiserver'], v);
    assert.equal(parseFlags(['--insecure-port=0'], at('v1.23.17'), 'kube-apiserver').values.get('insecure-port'), '0');
    assert.throws(() => parseFlags(['--insecure-port=0'], at('v1.24.0'), 'kube-apiserver'), (e: unknown) => e instanceof FlagError && e.message === 'unknown flag: --insecure-port');
    const cm = (v: string) => flagsAt(kubeControllerManagerFlags, REMOVED_FLAGS['kube-controller-manager'], v);
    assert.equal(parseFlags(['--port=0'], cm('v1.21.14'), 'kube-controller-manager').values.get('port'), '0');
    assert.throws(() => parseFlags(['--port=0'], cm('v1.37.1'), 'kube-controller-manager'), FlagError);
  });
  it('rejects a bad boolean with strconv.ParseBool\'s words', () => {
    assert.throws(() => parseFlags(['--leader-elect=yes'], kubeSchedulerFlags, 'kube-scheduler'), (e: unknown) =>
      e instanceof FlagError && e.message === 'invalid argument "yes" for "--leader-elect" flag: strconv.ParseBool: parsing "yes": invalid syntax');
  });
  it('rejects positional arguments', () => {
    assert.throws(() => parseFlags(['serve'], kubeApiserverFlags, 'kube-apiserver'), (e: unknown) =>
      e instanceof FlagError && e.message === '"kube-apiserver" does not take any arguments, got ["serve"]');
  });
  it('takes "--name value" as well as "--name=value", and a bare boolean', () => {
    const parsed = parseFlags(['--kubeconfig', '/k.conf', '--leader-elect', '--bind-address=127.0.0.1'], kubeSchedulerFlags, 'kube-scheduler');
    assert.deepEqual([...parsed.values.entries()], [['kubeconfig', '/k.conf'], ['leader-elect', 'true'], ['bind-address', '127.0.0.1']]);
  });
});

describe('etcd entrypoint', () => {
  // The entrypoint is a busybox sh script (the image's shell); a new machine has no busybox until the lab installs it.
  before(() => ensureDebianPackages(['busybox-static']));
  const run = (args: string[]) => runCommand('busybox', ['sh', entrypoint, ...args], { env: { ...process.env, BOOTSTRAP_LAB_ETCD_BINARY: '/bin/echo' }, allowFailure: true });
  it('maps the two etcd 3.6 flag names kubeadm v1.34+ passes and leaves every other argument alone', async () => {
    const r = await run(['--name=cp1', '--feature-gates=InitialCorruptCheck=true', '--watch-progress-notify-interval=5s', '--snapshot-count=10000']);
    assert.equal(r.stdout, '--name=cp1 --experimental-watch-progress-notify-interval=5s --snapshot-count=10000 --experimental-initial-corrupt-check=true\n');
  });
  it('passes kubeadm v1.28\'s experimental names through unchanged', async () => {
    const r = await run(['--experimental-initial-corrupt-check=true', '--experimental-watch-progress-notify-interval=5s']);
    assert.equal(r.stdout, '--experimental-initial-corrupt-check=true --experimental-watch-progress-notify-interval=5s\n');
  });
  it('moves a plain-http metrics listener inward for the /livez /readyz helper', async () => {
    const r = await runCommand('busybox', ['sh', entrypoint, '--listen-metrics-urls=http://127.0.0.1:2381', '--name=cp1'], {
      env: { ...process.env, BOOTSTRAP_LAB_ETCD_BINARY: '/bin/echo', BOOTSTRAP_LAB_NODE: '/bin/true', BOOTSTRAP_LAB_ETCD_PROBES: entrypoint },
    });
    assert.equal(r.stdout, '--listen-metrics-urls=http://127.0.0.1:22381 --name=cp1\n');
    const high = await runCommand('busybox', ['sh', entrypoint, '--listen-metrics-urls=http://127.0.0.1:50000'], {
      env: { ...process.env, BOOTSTRAP_LAB_ETCD_BINARY: '/bin/echo', BOOTSTRAP_LAB_NODE: '/bin/true', BOOTSTRAP_LAB_ETCD_PROBES: entrypoint },
    });
    assert.equal(high.stdout, '--listen-metrics-urls=http://127.0.0.1:30000\n');
  });
  it('refuses a feature gate etcd 3.4 has no equivalent for', async () => {
    const r = await run(['--feature-gates=StopGRPCServiceOnDefrag=true']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "etcd (lab image, etcd 3.4): feature gate 'StopGRPCServiceOnDefrag=true' has no etcd 3.4 equivalent\n");
  });
});

for (const version of ['v1.21.14', 'v1.37.1']) {
  describe(`control plane from kubeadm ${version}'s manifests as local processes`, { timeout: 120_000 }, () => {
    const scratch = mkdtempSync(join(tmpdir(), `lab-cp-${version}-`));
    const k8s = join(scratch, 'kubernetes');
    const pki = join(k8s, 'pki');
    const processes: Running[] = [];
    const ports = { etcd: 0, peer: 0, metrics: 0, api: 0, cm: 0, sched: 0 };
    let ca: Buffer;
    let admin: { cert: Buffer; key: Buffer };
    const env = {
      BOOTSTRAP_LAB_KUBERNETES_VERSION: version, BOOTSTRAP_LAB_ETCD_BINARY: '/usr/bin/etcd',
      BOOTSTRAP_LAB_NODE: process.execPath, BOOTSTRAP_LAB_ETCD_PROBES: join(componentsDir, 'etcd-probes.js'),
    };

    const commandFor = (component: string, extra: string[] = []) => {
      const cmd = rewriteCommand(manifestCommand(join(goldenDir, version, `${component}.yaml`)), [
        ['/etc/kubernetes', k8s], ['/var/lib/etcd', join(scratch, 'etcd-data')], ['10.7.0.149', '127.0.0.1'],
        [':2379', `:${ports.etcd}`], [':2380', `:${ports.peer}`], [':2381', `:${ports.metrics}`], ['--secure-port=6443', `--secure-port=${ports.api}`],
      ]);
      return [...cmd.slice(1), ...extra];
    };
    const standin = (component: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
      const p = start(process.execPath, [join(componentsDir, `${component}.js`), ...args], { ...env, ...extraEnv });
      processes.push(p);
      return p;
    };

    before(async () => {
      await ensureDebianPackages(['etcd-server', 'busybox-static', 'openssl']);
      for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
      await makeKubeadmPki(k8s);
      for (const f of ['controller-manager.conf', 'scheduler.conf', 'admin.conf']) writeKubeconfig(k8s, f, `https://127.0.0.1:${ports.api}`);
      ca = readFileSync(join(pki, 'ca.crt'));
      admin = { cert: readFileSync(join(pki, 'kubeconfig-admin.conf.crt')), key: readFileSync(join(pki, 'kubeconfig-admin.conf.key')) };
      const etcd = start('busybox', ['sh', entrypoint, ...commandFor('etcd')], env);
      processes.push(etcd);
      standin('kube-apiserver', commandFor('kube-apiserver'));
      await waitFor('kube-apiserver /livez', async () => ((await get(ports.api, '/livez', { ca })).status === 200 ? true : undefined), 30_000)
        .catch((e: Error) => { throw new Error(`${e.message}\netcd:\n${etcd.output().slice(-1500)}\napiserver:\n${processes[1]!.output().slice(-1500)}`); });
      standin('kube-controller-manager', commandFor('kube-controller-manager', [`--secure-port=${ports.cm}`]));
      standin('kube-scheduler', commandFor('kube-scheduler', [`--secure-port=${ports.sched}`]));
    });
    after(async () => {
      await killAll(processes);
      rmSync(scratch, { recursive: true, force: true });
    });

    it('real etcd serves its client port over mutual TLS only', async () => {
      const etcdCA = readFileSync(join(pki, 'etcd/ca.crt'));
      const ok = await get(ports.etcd, '/health', { ca: etcdCA, cert: readFileSync(join(pki, 'apiserver-etcd-client.crt')), key: readFileSync(join(pki, 'apiserver-etcd-client.key')) });
      assert.equal(ok.status, 200);
      assert.equal((JSON.parse(ok.body) as { health: string }).health, 'true');
      await assert.rejects(get(ports.etcd, '/health', { ca: etcdCA }), /certificate|alert|socket hang up|ECONNRESET/i);
    });

    it('etcd answers the health probes of kubeadm\'s etcd manifest on its metrics port', async () => {
      const pod = parse(readFileSync(join(goldenDir, version, 'etcd.yaml'), 'utf8')) as { spec: { containers: Record<string, { httpGet: { path: string } } | undefined>[] } };
      const container = pod.spec.containers[0]!;
      const paths = ['livenessProbe', 'readinessProbe', 'startupProbe'].map((p) => container[p]?.httpGet.path).filter((p): p is string => p !== undefined);
      assert.ok(paths.length >= 2, 'the manifest has probes');
      for (const path of paths) {
        const answer = await fetch(`http://127.0.0.1:${ports.metrics}${path}`);
        assert.equal(answer.status, 200, `${path}: ${await answer.text()}`);
      }
      const metrics = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
      assert.match(metrics, /^etcd_server_has_leader 1$/m);
    });

    it('kube-apiserver answers /livez, /readyz and /healthz over TLS with its serving certificate', async () => {
      const livez = await get(ports.api, '/livez', { ca });
      assert.deepEqual([livez.status, livez.body], [200, 'ok']);
      assert.equal(livez.peer?.subject, 'CN=kube-apiserver');
      const readyz = await waitFor('readyz', async () => { const a = await get(ports.api, '/readyz?verbose', { ca }); return a.status === 200 ? a : undefined; }, 15_000);
      assert.match(readyz.body, /^\[\+\]ping ok\n\[\+\]log ok\n\[\+\]etcd ok\n\[\+\]etcd-readiness ok\n\[\+\]poststarthook\/bootstrap-controller ok\nreadyz check passed\n$/);
      // Anonymous users may read /healthz, /livez, /readyz and /version only (system:public-info-viewer).
      assert.equal((await get(ports.api, '/healthz/etcd', { ca })).status, 403);
      assert.equal((await get(ports.api, '/healthz/etcd', { ca, ...admin })).body, 'ok');
      assert.equal((JSON.parse((await get(ports.api, '/version', { ca })).body) as { gitVersion: string }).gitVersion, version);
    });

    it('kube-apiserver authenticates client certificates against --client-ca-file', async () => {
      const anonymous = await get(ports.api, '/api/v1/namespaces', { ca });
      assert.equal(anonymous.status, 403);
      assert.equal((JSON.parse(anonymous.body) as { message: string }).message, 'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope');
      const asAdmin = await get(ports.api, '/api/v1/namespaces', { ca, ...admin });
      assert.equal(asAdmin.status, 200);
      const names = (JSON.parse(asAdmin.body) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
      assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      // A certificate from a CA the apiserver does not trust: 401 on every path, as x509 authentication fails.
      const foreign = join(scratch, 'foreign');
      await makeCA(foreign, 'ca', 'someone-else');
      await makeCert(foreign, 'ca', 'admin', { cn: 'kubernetes-admin', o: ['system:masters'] });
      const stranger = await get(ports.api, '/livez', { ca, cert: readFileSync(join(foreign, 'admin.crt')), key: readFileSync(join(foreign, 'admin.key')) });
      assert.equal(stranger.status, 401);
      assert.deepEqual(JSON.parse(stranger.body), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    });

    it('kube-apiserver publishes the client CA in kube-system/extension-apiserver-authentication', async () => {
      const cm = await get(ports.api, '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication', { ca, ...admin });
      assert.equal(cm.status, 200);
      assert.equal((JSON.parse(cm.body) as { data: Record<string, string> }).data['client-ca-file'], ca.toString());
    });

    it('controller-manager and scheduler take their leases with their kubeconfig credentials and serve health on their ports', async () => {
      for (const [name, port, path] of [['kube-controller-manager', ports.cm, '/healthz'], ['kube-scheduler', ports.sched, '/livez']] as const) {
        const lease = await waitFor(`${name} lease`, async () => {
          const a = await get(ports.api, `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, { ca, ...admin });
          return a.status === 200 ? (JSON.parse(a.body) as { spec: { holderIdentity: string } }) : undefined;
        }, 30_000);
        assert.match(lease.spec.holderIdentity, /_[0-9a-f]+-lab$/);
        const health = await get(port, path);
        assert.deepEqual([health.status, health.body], [200, 'ok']);
        assert.match(health.peer?.subject ?? '', /^CN=localhost@\d+$/);
      }
    });

    if (version === 'v1.37.1') {
      it('kube-apiserver stores objects in etcd: create, conflict, merge patch, read back; unsupported patch types are refused', async () => {
        const tls = { ca, ...admin };
        const send = (method: string, path: string, body: unknown, contentType = 'application/json') => new Promise<Answer>((resolvePromise, reject) => {
          const payload = Buffer.from(JSON.stringify(body));
          const req = request({ host: '127.0.0.1', port: ports.api, path, method, ...tls, agent: false, headers: { 'Content-Type': contentType, 'Content-Length': payload.length } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          });
          req.on('error', reject);
          req.end(payload);
        });
        const path = '/api/v1/namespaces/kube-system/configmaps';
        const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeadm-config' }, data: { ClusterConfiguration: 'a: 1\n' } };
        assert.equal((await send('POST', path, cm)).status, 201);
        const again = await send('POST', path, cm);
        assert.equal(again.status, 409);
        assert.equal((JSON.parse(again.body) as { message: string }).message, 'configmaps "kubeadm-config" already exists');
        assert.equal((await send('PATCH', `${path}/kubeadm-config`, { data: { extra: 'b' } }, 'application/strategic-merge-patch+json')).status, 200);
        assert.equal((await send('PATCH', `${path}/kubeadm-config`, [{ op: 'remove', path: '/data' }], 'application/json-patch+json')).status, 415);
        const read = JSON.parse((await get(ports.api, `${path}/kubeadm-config`, tls)).body) as { data: Record<string, string>; metadata: { namespace: string; uid: string } };
        assert.deepEqual(read.data, { ClusterConfiguration: 'a: 1\n', extra: 'b' });
        assert.equal(read.metadata.namespace, 'kube-system');
        assert.equal((await send('POST', '/api/v1/namespaces/nowhere/configmaps', cm)).status, 404);
        assert.equal((await send('POST', path, { metadata: { name: 'labelled', labels: { tier: 'control-plane' } } })).status, 201);
        const listed = JSON.parse((await get(ports.api, `${path}?labelSelector=${encodeURIComponent('tier=control-plane')}`, tls)).body) as { items: { metadata: { name: string } }[] };
        assert.deepEqual(listed.items.map((i) => i.metadata.name), ['labelled']);
        assert.equal((await get(ports.api, `${path}?labelSelector=${encodeURIComponent('tier in (a)')}`, tls)).status, 400);
      });

      it('kube-apiserver enforces stored RBAC: anonymous cluster-info reads and bootstrap tokens work once bound, as kubeadm binds them', async () => {
        const asAdmin = (method: string, path: string, body: unknown) => new Promise<number>((resolvePromise, reject) => {
          const payload = Buffer.from(JSON.stringify(body));
          const req = request({ host: '127.0.0.1', port: ports.api, path, method, ca, ...admin, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length } }, (res) => {
            res.resume();
            res.on('end', () => resolvePromise(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end(payload);
        });
        const withToken = (path: string, token: string) => new Promise<number>((resolvePromise, reject) => {
          const req = request({ host: '127.0.0.1', port: ports.api, path, ca, agent: false, headers: { Authorization: `Bearer ${token}` } }, (res) => {
            res.resume();
            res.on('end', () => resolvePromise(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        });
        const rbac = '/apis/rbac.authorization.k8s.io/v1/namespaces';
        const clusterInfo = '/api/v1/namespaces/kube-public/configmaps/cluster-info';
        assert.equal(await asAdmin('POST', '/api/v1/namespaces/kube-public/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info' }, data: { kubeconfig: 'x' } }), 201);
        assert.equal((await get(ports.api, clusterInfo, { ca })).status, 403);
        assert.equal(await asAdmin('POST', `${rbac}/kube-public/roles`, { metadata: { name: 'kubeadm:bootstrap-signer-clusterinfo' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['cluster-info'], verbs: ['get'] }] }), 201);
        assert.equal(await asAdmin('POST', `${rbac}/kube-public/rolebindings`, { metadata: { name: 'kubeadm:bootstrap-signer-clusterinfo' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kubeadm:bootstrap-signer-clusterinfo' }, subjects: [{ kind: 'User', name: 'system:anonymous' }] }), 201);
        assert.equal((await get(ports.api, clusterInfo, { ca })).status, 200);
        assert.equal((await get(ports.api, '/api/v1/namespaces/kube-public/configmaps/other', { ca })).status, 403);

        const b64 = (t: string) => Buffer.from(t).toString('base64');
        assert.equal(await asAdmin('POST', '/api/v1/namespaces/kube-system/secrets', { metadata: { name: 'bootstrap-token-abcdef' }, type: 'bootstrap.kubernetes.io/token',
          data: { 'token-id': b64('abcdef'), 'token-secret': b64('0123456789abcdef'), 'usage-bootstrap-authentication': b64('true'),
            'auth-extra-groups': b64('system:bootstrappers:kubeadm:default-node-token'), expiration: b64(new Date(Date.now() + 3_600_000).toISOString()) } }), 201);
        const kubeadmConfig = '/api/v1/namespaces/kube-system/configmaps/kubeadm-config';
        assert.equal(await withToken(kubeadmConfig, 'abcdef.0123456789abcdef'), 403);
        assert.equal(await withToken(kubeadmConfig, 'abcdef.0000000000000000'), 401);
        assert.equal(await asAdmin('POST', `${rbac}/kube-system/roles`, { metadata: { name: 'kubeadm:nodes-kubeadm-config' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['kubeadm-config'], verbs: ['get'] }] }), 201);
        assert.equal(await asAdmin('POST', `${rbac}/kube-system/rolebindings`, { metadata: { name: 'kubeadm:nodes-kubeadm-config' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'kubeadm:nodes-kubeadm-config' },
          subjects: [{ kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token' }] }), 201);
        assert.equal(await withToken(kubeadmConfig, 'abcdef.0123456789abcdef'), 200);
      });

      it('kube-apiserver exits like the real one when its serving key does not match its certificate', async () => {
        const args = commandFor('kube-apiserver').map((a) => (a.startsWith('--tls-private-key-file=') ? `--tls-private-key-file=${join(pki, 'front-proxy-client.key')}` : a));
        const p = standin('kube-apiserver', [...args.filter((a) => !a.startsWith('--secure-port')), `--secure-port=${await freePort()}`]);
        assert.equal(await p.exited, 1);
        assert.match(p.output(), /run\.go:74\] "command failed" err="unable to load server certificate: tls: private key does not match public key"\n$/);
      });

      it('kube-apiserver exits when --client-ca-file is missing', async () => {
        const args = commandFor('kube-apiserver').map((a) => (a.startsWith('--client-ca-file=') ? `--client-ca-file=${join(pki, 'missing.crt')}` : a));
        const p = standin('kube-apiserver', args);
        assert.equal(await p.exited, 1);
        assert.ok(p.output().includes(`err="unable to load client CA provider: open ${join(pki, 'missing.crt')}: no such file or directory"`), p.output());
      });

      it('kube-apiserver with an etcd client certificate from the wrong CA serves but fails its etcd checks', async () => {
        const port = await freePort();
        const args = commandFor('kube-apiserver').map((a) =>
          a.startsWith('--etcd-certfile=') ? `--etcd-certfile=${join(pki, 'apiserver-kubelet-client.crt')}` :
          a.startsWith('--etcd-keyfile=') ? `--etcd-keyfile=${join(pki, 'apiserver-kubelet-client.key')}` :
          a.startsWith('--secure-port=') ? `--secure-port=${port}` : a);
        standin('kube-apiserver', args);
        const livez = await waitFor('livez answer', async () => { const a = await get(port, '/livez', { ca }); return a; }, 15_000);
        assert.equal(livez.status, 500);
        assert.equal(livez.body, '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]poststarthook/bootstrap-controller failed: reason withheld\nlivez check failed\n');
      });

      it('kube-scheduler exits when its kubeconfig trusts another CA than the apiserver\'s', async () => {
        const wrong = join(k8s, 'wrong-ca-scheduler.conf');
        writeKubeconfig(k8s, 'scheduler.conf', `https://127.0.0.1:${ports.api}`, 'pki/etcd/ca.crt');
        copyFileSync(join(k8s, 'scheduler.conf'), wrong);
        writeKubeconfig(k8s, 'scheduler.conf', `https://127.0.0.1:${ports.api}`);
        const args = commandFor('kube-scheduler', [`--secure-port=${await freePort()}`]).map((a) => a.replace(join(k8s, 'scheduler.conf'), wrong));
        const p = standin('kube-scheduler', args);
        assert.equal(await p.exited, 1);
        assert.match(p.output(), /"command failed" err="unable to load configmap based request-header-client-ca-file: Get \\"https:\/\/127\.0\.0\.1:\d+\/api\/v1\/namespaces\/kube-system\/configmaps\/extension-apiserver-authentication\\": tls: failed to verify certificate: x509: certificate signed by unknown authority"/);
      });

      it('kube-controller-manager exits when its kubeconfig is missing', async () => {
        const args = commandFor('kube-controller-manager', [`--secure-port=${await freePort()}`]).map((a) => a.replace(join(k8s, 'controller-manager.conf'), join(k8s, 'nope.conf')));
        const p = standin('kube-controller-manager', args);
        assert.equal(await p.exited, 1);
        assert.ok(p.output().includes(`err="stat ${join(k8s, 'nope.conf')}: no such file or directory"`), p.output());
      });

      it('rejects an unknown flag with exit code 1', async () => {
        const p = standin('kube-apiserver', ['--no-such-flag=1']);
        assert.equal(await p.exited, 1);
        assert.match(p.output(), /^E\d{4} \d\d:\d\d:\d\d\.\d{6} +\d+ run\.go:74\] "command failed" err="unknown flag: --no-such-flag"\n$/);
        // Removed at v1.24, as the real binary: the v1.21 manifests still pass --insecure-port=0.
        const old = standin('kube-apiserver', ['--insecure-port=0'], { BOOTSTRAP_LAB_KUBERNETES_VERSION: 'v1.24.17' });
        assert.equal(await old.exited, 1);
        assert.match(old.output(), /"command failed" err="unknown flag: --insecure-port"\n$/);
      });

      it('fault variants: "crash" exits at start, "unhealthy" never passes /livez', async () => {
        const crash = standin('kube-apiserver', commandFor('kube-apiserver'), { BOOTSTRAP_LAB_FAULT: 'crash' });
        assert.equal(await crash.exited, 1);
        const port = await freePort();
        standin('kube-apiserver', commandFor('kube-apiserver').map((a) => (a.startsWith('--secure-port=') ? `--secure-port=${port}` : a)), { BOOTSTRAP_LAB_FAULT: 'unhealthy' });
        const livez = await waitFor('livez answer', async () => get(port, '/livez', { ca }), 15_000);
        assert.equal(livez.status, 500);
        assert.ok(livez.body.includes('[-]poststarthook/bootstrap-lab-fault failed: reason withheld\n'), livez.body);
      });
    }
  });
}

/** Two docker-registry instances (plain, htpasswd) on loopback and a repository root of their own for the build cache. */
interface LocalRegistries {
  lab: { registry: { address: string }; authRegistry: { address: string; username: string; password: string }; kubernetesVersion: string };
  root: string;
}
const registryScratch = mkdtempSync(join(tmpdir(), 'lab-images-'));
const registryProcesses: Running[] = [];
let registriesPromise: Promise<LocalRegistries> | undefined;

function localRegistries(): Promise<LocalRegistries> {
  registriesPromise ??= (async () => {
    await ensureDebianPackages([...IMAGE_BUILD_PACKAGES, 'docker-registry', 'apache2-utils']);
    const scratch = registryScratch;
    const root = join(scratch, 'root');
    const lab = { registry: { address: '' }, authRegistry: { address: '', username: 'lab', password: 'lab-secret' }, kubernetesVersion: 'v1.28.15' };
    // Its own .lab/cache, sharing the real node_modules and etcd entrypoint.
    mkdirSync(join(root, 'e2e', 'lab', 'images', 'etcd'), { recursive: true });
    copyFileSync(entrypoint, join(root, 'e2e', 'lab', 'images', 'etcd', 'etcd-entrypoint.sh'));
    symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
    await runCommand('htpasswd', ['-Bbc', join(scratch, 'htpasswd'), lab.authRegistry.username, lab.authRegistry.password]);
    for (const [name, auth] of [['plain', false], ['auth', true]] as const) {
      const port = await freePort();
      const config = join(scratch, `${name}.yml`);
      writeFileSync(config, ['version: 0.1', 'storage:', '  filesystem:', `    rootdirectory: ${join(scratch, name)}`, 'http:', `  addr: 127.0.0.1:${port}`,
        ...(auth ? ['auth:', '  htpasswd:', '    realm: lab', `    path: ${join(scratch, 'htpasswd')}`] : [])].join('\n') + '\n');
      registryProcesses.push(start('docker-registry', ['serve', config]));
      if (auth) lab.authRegistry.address = `127.0.0.1:${port}`;
      else lab.registry.address = `127.0.0.1:${port}`;
      await waitFor(`registry ${name}`, async () => ((await fetch(`http://127.0.0.1:${port}/v2/`)).status > 0 ? true : undefined), 15_000);
    }
    return { lab, root };
  })();
  return registriesPromise;
}

after(async () => {
  await killAll(registryProcesses);
  rmSync(registryScratch, { recursive: true, force: true });
});

describe('buildLabImages against local registries', { timeout: 600_000 }, () => {
  let lab: LocalRegistries['lab'];
  let root: string;
  before(async () => {
    ({ lab, root } = await localRegistries());
  });
  let coldMs = 0;
  it('pushes every catalog image, and the fault variants, to both registries', async () => {
    const result = await buildLabImages(lab, { repoRoot: root });
    coldMs = result.elapsedMs;
    const expected = catalogImages(lab.kubernetesVersion, lab.registry.address).map((i) => i.image);
    assert.deepEqual(result.images.filter((i) => !i.fault).map((i) => i.image), expected);
    for (const image of expected) {
      const inspect = await runCommand('skopeo', ['inspect', '--tls-verify=false', `docker://${image}`]);
      assert.equal((JSON.parse(inspect.stdout) as { Architecture: string }).Architecture, 'amd64');
    }
    const apiserver = expected.find((i) => i.includes('/kube-apiserver:'))!;
    const tags = JSON.parse((await runCommand('skopeo', ['list-tags', '--tls-verify=false', `docker://${apiserver.slice(0, apiserver.lastIndexOf(':'))}`])).stdout) as { Tags: string[] };
    assert.deepEqual(tags.Tags.sort(), ['v1.28.15', 'v1.28.15-lab-crash', 'v1.28.15-lab-unhealthy']);
    const authed = apiserver.replace(lab.registry.address, lab.authRegistry.address);
    const anonymous = await runCommand('skopeo', ['inspect', '--tls-verify=false', `docker://${authed}`], { allowFailure: true });
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /authentication required|unauthorized/i);
    const withCreds = await runCommand('skopeo', ['inspect', '--tls-verify=false', '--creds', 'lab:lab-secret', `docker://${authed}`]);
    assert.match(withCreds.stdout, /BOOTSTRAP_LAB_KUBERNETES_VERSION=v1\.28\.15/);
  });

  it('a second build reuses every layer and image and pushes the same digests', async () => {
    const image = catalogImages(lab.kubernetesVersion, lab.registry.address).find((i) => i.component === 'etcd')!.image;
    const digest = async () => (JSON.parse((await runCommand('skopeo', ['inspect', '--tls-verify=false', `docker://${image}`])).stdout) as { Digest: string }).Digest;
    const before = await digest();
    const result = await buildLabImages(lab, { repoRoot: root });
    assert.equal(await digest(), before);
    assert.ok(result.elapsedMs < coldMs, `warm build ${result.elapsedMs} ms should beat cold ${coldMs} ms`);
    process.stderr.write(`# lab images: cold build+push ${coldMs} ms, warm ${result.elapsedMs} ms\n`);
  });

  it('publishFault puts a variant over the real tag and restoreImage puts the healthy image back', async () => {
    const image = catalogImages(lab.kubernetesVersion, lab.registry.address).find((i) => i.component === 'kube-scheduler')!.image;
    const digest = async (ref: string) => (JSON.parse((await runCommand('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`])).stdout) as { Digest: string }).Digest;
    const healthy = await digest(image);
    await publishFault(lab, 'kube-scheduler', 'crash', root);
    assert.equal(await digest(image), await digest(faultImage(image, 'crash')));
    await restoreImage(lab, 'kube-scheduler', root);
    assert.equal(await digest(image), healthy);
  });
});

/** Why the containerd suite cannot run here, or undefined. */
/** Runs wherever the lab can (root on Linux); the packages it needs are installed in its before(), never a reason to skip. */
const LOCAL_CONTAINERD_PACKAGES = ['containerd', 'runc'];

describe('catalog images on a real containerd, run by the lab kubelet from kubeadm v1.37.1\'s manifests', { skip: labUnavailable(), timeout: 300_000 }, () => {
  const version = 'v1.37.1';
  const crictlJs = join(repoRoot, 'dist', 'e2e', 'lab', 'standins', 'crictl.js');
  const kubeletJs = join(repoRoot, 'dist', 'e2e', 'lab', 'standins', 'kubelet.js');
  let ctd: { dir: string; endpoint: string; close(): Promise<void> } | undefined;
  let lab: LocalRegistries['lab'];
  let work: string;
  let kubelet: Running | undefined;
  const ports = { etcd: 0, peer: 0, metrics: 0, api: 0, cm: 0, sched: 0, kubelet: 0 };
  const crictl = (args: string[]) => runCommand(process.execPath, [crictlJs, '-r', ctd!.endpoint, ...args], { allowFailure: true, timeoutMs: 120_000 });

  before(async () => {
    await ensureDebianPackages(LOCAL_CONTAINERD_PACKAGES);
    const registries = await localRegistries();
    lab = { ...registries.lab, kubernetesVersion: version };
    await buildLabImages(lab, { repoRoot: registries.root, faults: false, pushToAuthRegistry: true });
    const { startLocalContainerd } = await import('./lab/standins/local-containerd.js');
    ctd = await startLocalContainerd();
    for (const address of [lab.registry.address, lab.authRegistry.address]) {
      mkdirSync(join(ctd.dir, 'certs.d', address), { recursive: true });
      writeFileSync(join(ctd.dir, 'certs.d', address, 'hosts.toml'), `server = "http://${address}"\n\n[host."http://${address}"]\n  capabilities = ["pull", "resolve"]\n`);
    }
    work = join(ctd.dir, 'node');
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  });
  after(async () => {
    if (kubelet && kubelet.child.exitCode === null) {
      kubelet.child.kill('SIGTERM');
      await kubelet.exited;
    }
    if (ctd) {
      await crictl(['rmp', '-f', '-a']);
      await ctd.close();
    }
  });

  it('containerd pulls every catalog image from the plain registry, and from the authenticated one only with credentials', async () => {
    for (const { image } of catalogImages(version, lab.registry.address)) {
      const pulled = await crictl(['pull', image]);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.match(pulled.stdout, /^Image is up to date for sha256:[0-9a-f]{64}\n$/);
    }
    const authed = catalogImages(version, lab.authRegistry.address).find((i) => i.component === 'pause')!.image;
    const refused = await crictl(['pull', authed]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /401|unauthorized|authorization/i);
    const allowed = await crictl(['pull', '--creds', `${lab.authRegistry.username}:${lab.authRegistry.password}`, authed]);
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('the lab kubelet runs real etcd and the three stand-ins until every health endpoint answers', async () => {
    const k8s = join(work, 'kubernetes');
    const manifests = join(work, 'manifests');
    mkdirSync(manifests, { recursive: true });
    await makeKubeadmPki(k8s);
    for (const f of ['controller-manager.conf', 'scheduler.conf', 'admin.conf']) writeKubeconfig(k8s, f, `https://127.0.0.1:${ports.api}`);
    const replacements: [string, string][] = [
      ['registry.k8s.io', lab.registry.address], ['10.7.0.149', '127.0.0.1'], ['/etc/kubernetes', k8s], ['/var/lib/etcd', join(work, 'etcd-data')],
      ['/usr/libexec/kubernetes', join(work, 'libexec')], ['/etc/ca-certificates', join(work, 'etc-ca')], ['/usr/local/share/ca-certificates', join(work, 'local-ca')],
      ['2379', String(ports.etcd)], ['2380', String(ports.peer)], ['2381', String(ports.metrics)], ['6443', String(ports.api)],
      ['10257', String(ports.cm)], ['10259', String(ports.sched)],
    ];
    for (const component of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      let text = replacements.reduce((t, [from, to]) => t.split(from).join(to), readFileSync(join(goldenDir, version, `${component}.yaml`), 'utf8'));
      // kubeadm leaves these two on their default ports; the test moves them to free ones.
      if (component === 'kube-controller-manager') text = text.replace('    - --bind-address=127.0.0.1\n', `    - --bind-address=127.0.0.1\n    - --secure-port=${ports.cm}\n`);
      if (component === 'kube-scheduler') text = text.replace('    - --bind-address=127.0.0.1\n', `    - --bind-address=127.0.0.1\n    - --secure-port=${ports.sched}\n`);
      writeFileSync(join(manifests, `${component}.yaml`), text);
    }
    writeFileSync(join(work, 'version'), `${version}\n`);
    writeFileSync(join(work, 'config.yaml'), ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration', `staticPodPath: ${manifests}`,
      `healthzPort: ${ports.kubelet}`, 'healthzBindAddress: 127.0.0.1', `podLogsDir: ${join(work, 'pod-logs')}`, ''].join('\n'));
    kubelet = start(process.execPath, [kubeletJs, '--config', join(work, 'config.yaml'), '--container-runtime-endpoint', ctd!.endpoint, '--root-dir', join(work, 'kubelet'), '--hostname-override', 'cp1'],
      { BOOTSTRAP_LAB_VERSION_FILE: join(work, 'version') });
    const ca = readFileSync(join(k8s, 'pki', 'ca.crt'));
    const started = Date.now();
    const healthy = async (what: string, probe: () => Promise<Answer | Response>) =>
      waitFor(what, async () => { const a = await probe(); return a.status === 200 ? a : undefined; }, 180_000)
        .catch((e: Error) => { throw new Error(`${e.message}\nkubelet:\n${kubelet!.output().slice(-3000)}`); });
    await healthy('etcd /readyz', () => fetch(`http://127.0.0.1:${ports.metrics}/readyz`));
    const livez = await healthy('kube-apiserver /livez', () => get(ports.api, '/livez', { ca }));
    assert.equal((livez as Answer).peer?.subject, 'CN=kube-apiserver');
    await healthy('kube-apiserver /readyz', () => get(ports.api, '/readyz', { ca }));
    await healthy('kube-controller-manager /healthz', () => get(ports.cm, '/healthz'));
    await healthy('kube-scheduler /livez', () => get(ports.sched, '/livez'));
    process.stderr.write(`# lab images: control plane healthy on containerd ${Date.now() - started} ms after the kubelet started\n`);
    const ps = JSON.parse((await crictl(['ps', '-o', 'json'])).stdout) as { containers: { metadata: { name: string }; image: { image: string } }[] };
    assert.deepEqual(ps.containers.map((c) => c.metadata.name).sort(), ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
  });
});

/**
 * On a lab node: the lab that is up, or one brought up for this suite (and taken down after), so it runs in CI
 * too. Only a machine that cannot run the lab at all skips it.
 */
describe('catalog images on a lab node', { skip: labUnavailable(), timeout: 600_000 }, () => {
  let lease: LabLease | undefined;
  let state: LabState;
  let onNode: (argv: string[]) => ReturnType<DockerCli['exec']>;

  before(async () => {
    lease = await leaseLab({ hosts: 1 });
    state = lease.lab;
    if (state.light || state.runtime !== 'containerd') throw new Error('the lab that is up runs light or dockerd nodes; take it down (npm run lab -- down) to run these checks');
    const node = state.nodes.find((n) => n.roles.includes('control-plane'));
    if (!node) throw new Error('the lab that is up has no control-plane node');
    const docker = new DockerCli(state.docker.host);
    onNode = (argv) => docker.exec(node.container, argv, { allowFailure: true, timeoutMs: 300_000 });
  });

  after(async () => {
    await lease?.release();
  });

  // The images are the ones `lab up` built and pushed (buildLabImages); this suite only reads the registries.
  it('the node\'s containerd pulls every catalog image from the lab registry', async () => {
    for (const { image } of catalogImages(state.kubernetesVersion, state.registry.address)) {
      const pulled = await onNode(['crictl', 'pull', image]);
      assert.equal(pulled.code, 0, `${image}: ${pulled.stderr}`);
      assert.match(pulled.stdout, /^Image is up to date for sha256:[0-9a-f]{64}\n$/);
    }
  });

  it('the authenticated registry serves the same images only with credentials', async () => {
    const image = catalogImages(state.kubernetesVersion, state.authRegistry.address).find((i) => i.component === 'kube-apiserver')!.image;
    const refused = await onNode(['crictl', 'pull', image]);
    assert.notEqual(refused.code, 0);
    const allowed = await onNode(['crictl', 'pull', '--creds', `${state.authRegistry.username}:${state.authRegistry.password}`, image]);
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('the images run on the node: real etcd 3.4, the stand-ins at the lab\'s version, catatonit as pause', async () => {
    const images = Object.fromEntries(catalogImages(state.kubernetesVersion, state.registry.address).map((i) => [i.component, i.image]));
    const run = async (image: string, argv: string[]) => {
      const name = `lab-images-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
      return onNode(['ctr', '-n', 'k8s.io', 'run', '--rm', image, name, ...argv]);
    };
    assert.match((await run(images['etcd']!, ['etcd', '--version'])).stdout, /^etcd Version: 3\.4\.\d+\n/);
    assert.equal((await run(images['kube-apiserver']!, ['kube-apiserver', '--version'])).stdout, `Kubernetes ${state.kubernetesVersion}\n`);
    assert.equal((await run(images['kube-scheduler']!, ['kube-scheduler', '--version'])).stdout, `Kubernetes ${state.kubernetesVersion}\n`);
    const pause = await run(images['pause']!, ['/usr/bin/catatonit', '--version']);
    assert.match(pause.stdout + pause.stderr, /^tini version [\d.]+_catatonit\n$/);
  });
});
