/**
 * kubeadm's addons as API objects: golden files per minor where kubeadm's templates differ
 * (test/golden/cluster/addons/<version>/{coredns,kube-proxy}.yaml, one YAML document per object), and the
 * values that depend on the inventory. A change to a golden file under UPDATE_GOLDEN=1 is a change to what kubeadm
 * is said to send: check it against cmd/kubeadm/app/phases/addons/{dns,proxy}/manifests.go of that release.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import { corednsObjects, corefile, dnsServiceIp, kubeProxyObjects, AddonError } from '../../src/cluster/addons/index.js';
import { configMapChecksum } from '../../src/cluster/uploadconfig.js';
import type { KubeObject } from '../../src/cluster/objects.js';
import type { Inventory } from '../../src/inventory/types.js';
import { KNOWN_RELEASES } from '../../src/kube/catalog.data.js';
import { controlPlaneEndpoint, firstControlPlane } from '../../src/pki/endpoints.js';
import { assertGolden } from '../golden.js';
import { goldenInventory } from '../golden-inventory.js';

/** The newest known patch of each minor where a table of src/cluster/addons/tables.ts changes, plus a few between. */
const GOLDEN_MINORS = ['1.20', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26', '1.27', '1.28', '1.29', '1.31', '1.32', '1.33', '1.34', '1.37'];
const GOLDEN_VERSIONS = GOLDEN_MINORS.map((minor) => {
  const release = KNOWN_RELEASES.find((r) => r.startsWith(`${minor}.`));
  assert.ok(release, `no known release of v${minor}`);
  return `v${release}`;
});

function yamlDocuments(objects: KubeObject[]): string {
  return objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
}

function apiServerUrl(inv: Inventory): string {
  return controlPlaneEndpoint(inv, firstControlPlane(inv)!);
}

function find(objects: KubeObject[], kind: string, name?: string): any {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  assert.ok(found, `no ${kind}${name ? ` ${name}` : ''}`);
  return found;
}

function withCluster(inv: Inventory, cluster: Partial<Inventory['cluster']>, networking: Partial<Inventory['cluster']['networking']> = {}): Inventory {
  return { ...inv, cluster: { ...inv.cluster, ...cluster, networking: { ...inv.cluster.networking, ...networking } } };
}

for (const version of GOLDEN_VERSIONS) {
  test(`kubeadm ${version}: the CoreDNS and kube-proxy objects match the golden files`, () => {
    const inv = goldenInventory(version);
    assertGolden(`cluster/addons/${version}/coredns.yaml`, yamlDocuments(corednsObjects(inv, version)));
    assertGolden(`cluster/addons/${version}/kube-proxy.yaml`, yamlDocuments(kubeProxyObjects(inv, version, apiServerUrl(inv))));
  });
}

test('kube-dns gets the tenth address of the (first) service subnet, as kubeadm GetDNSIP', () => {
  assert.equal(dnsServiceIp('10.96.0.0/12'), '10.96.0.10');
  assert.equal(dnsServiceIp('10.100.0.0/16'), '10.100.0.10');
  assert.equal(dnsServiceIp('172.16.0.0/28'), '172.16.0.10');
  assert.equal(dnsServiceIp('fd00:10:96::/112'), 'fd00:10:96::a');
  assert.equal(dnsServiceIp('10.96.0.0/12,fd00:10:96::/112'), '10.96.0.10');
  assert.equal(dnsServiceIp('fd00:10:96::/112,10.96.0.0/12'), 'fd00:10:96::a');
  assert.throws(() => dnsServiceIp('10.96.0.0/29'), AddonError);
  assert.throws(() => dnsServiceIp('nonsense'), AddonError);

  const inv = withCluster(goldenInventory('v1.30.14'), {}, { serviceSubnet: 'fd00:10:96::/108' });
  assert.equal(find(corednsObjects(inv, 'v1.30.14'), 'Service', 'kube-dns').spec.clusterIP, 'fd00:10:96::a');
});

test('the CoreDNS image: coredns/coredns under the default repository (v1.21+), plain coredns under any other', () => {
  const image = (version: string, repository?: string) => {
    const base = goldenInventory(version);
    const inv = repository ? withCluster(base, { imageRepository: repository, imageRepositoryIsDefault: false }) : base;
    return find(corednsObjects(inv, version), 'Deployment').spec.template.spec.containers[0].image;
  };
  assert.equal(image('v1.20.15'), 'k8s.gcr.io/coredns:1.7.0');
  assert.equal(image('v1.20.15', 'registry.example.com/k8s'), 'registry.example.com/k8s/coredns:1.7.0');
  assert.equal(image('v1.22.0'), 'k8s.gcr.io/coredns/coredns:v1.8.4');
  assert.equal(image('v1.22.0', 'registry.example.com/k8s'), 'registry.example.com/k8s/coredns:v1.8.4');
  assert.equal(image('v1.28.15'), 'registry.k8s.io/coredns/coredns:v1.10.1');
  assert.equal(image('v1.28.15', 'registry.example.com/k8s'), 'registry.example.com/k8s/coredns:v1.10.1');
  // kubeadm compares strings: the default repository written out by the user is still the default.
  assert.equal(image('v1.28.15', 'registry.k8s.io'), 'registry.k8s.io/coredns/coredns:v1.10.1');

  const inv = withCluster(goldenInventory('v1.28.15'), { imageRepository: 'registry.example.com/k8s', imageRepositoryIsDefault: false });
  assert.equal(find(kubeProxyObjects(inv, 'v1.28.15', apiServerUrl(inv)), 'DaemonSet').spec.template.spec.containers[0].image, 'registry.example.com/k8s/kube-proxy:v1.28.15');
});

test('the Corefile serves the cluster domain, and from v1.32 keeps it out of the cache', () => {
  const inv = withCluster(goldenInventory('v1.31.14'), {}, { dnsDomain: 'corp.example' });
  const old = find(corednsObjects(inv, 'v1.31.14'), 'ConfigMap', 'coredns').data.Corefile as string;
  assert.match(old, /^ {4}kubernetes corp\.example in-addr\.arpa ip6\.arpa \{$/m);
  assert.match(old, /^ {4}cache 30$/m);
  assert.doesNotMatch(old, /cluster\.local/);

  const inv32 = withCluster(goldenInventory('v1.32.0'), {}, { dnsDomain: 'corp.example' });
  const current = find(corednsObjects(inv32, 'v1.32.0'), 'ConfigMap', 'coredns').data.Corefile as string;
  assert.match(current, /^ {4}cache 30 \{\n {7}disable success corp\.example\n {7}disable denial corp\.example\n {4}\}\n {4}loop$/m);
  assert.equal(corefile('cluster.local', 'v1.37.0').endsWith('    loadbalance\n}\n'), true);
  // Without a domain (an inventory built by hand), kubeadm's template leaves the cache block out.
  assert.match(corefile('', 'v1.37.0'), /^ {4}cache 30\n {4}loop$/m);
});

test('ClusterRole system:coredns: nodes get until v1.27, endpointslices from v1.22', () => {
  const resources = (version: string) =>
    find(corednsObjects(goldenInventory(version), version), 'ClusterRole', 'system:coredns').rules.map((r: { resources: string[] }) => r.resources.join(','));
  assert.deepEqual(resources('v1.21.14'), ['endpoints,services,pods,namespaces', 'nodes']);
  assert.deepEqual(resources('v1.22.0'), ['endpoints,services,pods,namespaces', 'nodes', 'endpointslices']);
  assert.deepEqual(resources('v1.27.16'), ['endpoints,services,pods,namespaces', 'nodes', 'endpointslices']);
  assert.deepEqual(resources('v1.28.0'), ['endpoints,services,pods,namespaces', 'endpointslices']);
});

test('the kube-dns Service is labelled KubeDNS by v1.20 (kube-dns\'s own template) and CoreDNS from v1.21', () => {
  const label = (version: string) => find(corednsObjects(goldenInventory(version), version), 'Service', 'kube-dns').metadata.labels['kubernetes.io/name'];
  assert.equal(label('v1.20.15'), 'KubeDNS');
  assert.equal(label('v1.21.0'), 'CoreDNS');
});

test('the CoreDNS Deployment: per-release tolerations, affinity, capabilities and probe ports', () => {
  const spec = (version: string) => find(corednsObjects(goldenInventory(version), version), 'Deployment').spec;
  const tolerationKeys = (version: string) => spec(version).template.spec.tolerations.map((t: { key: string }) => t.key);
  assert.deepEqual(tolerationKeys('v1.20.0'), ['CriticalAddonsOnly', 'node-role.kubernetes.io/master', 'node-role.kubernetes.io/control-plane']);
  assert.deepEqual(tolerationKeys('v1.25.16'), ['CriticalAddonsOnly', 'node-role.kubernetes.io/master', 'node-role.kubernetes.io/control-plane']);
  assert.deepEqual(tolerationKeys('v1.26.0'), ['CriticalAddonsOnly', 'node-role.kubernetes.io/control-plane']);
  assert.equal(spec('v1.24.17').template.spec.affinity, undefined);
  assert.equal(spec('v1.25.0').template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight, 100);
  assert.deepEqual(spec('v1.28.15').template.spec.containers[0].securityContext.capabilities.drop, ['all']);
  assert.deepEqual(spec('v1.29.0').template.spec.containers[0].securityContext.capabilities.drop, ['ALL']);
  assert.equal(spec('v1.33.0').template.spec.containers[0].livenessProbe.httpGet.port, 8080);
  assert.equal(spec('v1.34.0').template.spec.containers[0].livenessProbe.httpGet.port, 'liveness-probe');
  assert.equal(spec('v1.34.0').template.spec.containers[0].readinessProbe.httpGet.port, 'readiness-probe');
  for (const version of GOLDEN_VERSIONS) {
    assert.equal(spec(version).replicas, 2);
    assert.deepEqual(spec(version).selector.matchLabels, { 'k8s-app': 'kube-dns' });
  }
});

test('kube-proxy: config.conf holds what kubeadm defaults, kubeconfig.conf points at the API server, the ConfigMap is signed', () => {
  const inv = goldenInventory('v1.30.14', { controlPlaneEndpoint: 'k8s.example.com:8443' });
  const url = apiServerUrl(inv);
  assert.equal(url, 'https://k8s.example.com:8443');
  const cm = find(kubeProxyObjects(inv, 'v1.30.14', url), 'ConfigMap', 'kube-proxy');
  assert.deepEqual(cm.metadata.labels, { app: 'kube-proxy' });
  assert.deepEqual(parse(cm.data['config.conf']), {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    bindAddress: '0.0.0.0',
    clientConnection: { kubeconfig: '/var/lib/kube-proxy/kubeconfig.conf' },
    clusterCIDR: '10.244.0.0/16',
  });
  const kubeconfig = parse(cm.data['kubeconfig.conf']);
  assert.equal(kubeconfig.clusters[0].cluster.server, 'https://k8s.example.com:8443');
  assert.equal(kubeconfig.clusters[0].cluster['certificate-authority'], '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
  assert.equal(kubeconfig.users[0].user.tokenFile, '/var/run/secrets/kubernetes.io/serviceaccount/token');
  assert.equal(kubeconfig['current-context'], 'default');
  assert.equal(cm.metadata.annotations['kubeadm.kubernetes.io/component-config.hash'], configMapChecksum(cm.data));
  assert.match(cm.metadata.annotations['kubeadm.kubernetes.io/component-config.hash'], /^sha256:[0-9a-f]{64}$/);
});

test('kube-proxy: bindAddress :: when the first control plane advertises IPv6; no clusterCIDR without a pod subnet', () => {
  const base = goldenInventory('v1.33.6');
  const inv: Inventory = {
    ...withCluster(base, {}, { podSubnet: '', serviceSubnet: 'fd00:10:96::/112' }),
    hosts: base.hosts.map((h, i) => (i === 0 ? { ...h, address: 'fd00::149', advertiseAddress: 'fd00::149' } : h)),
  };
  const cm = find(kubeProxyObjects(inv, 'v1.33.6', apiServerUrl(inv)), 'ConfigMap', 'kube-proxy');
  const config = parse(cm.data['config.conf']);
  assert.equal(config.bindAddress, '::');
  assert.equal('clusterCIDR' in config, false);
  assert.match(cm.data['config.conf'], /^bindAddress: '::'$/m);
  assert.equal(parse(cm.data['kubeconfig.conf']).clusters[0].cluster.server, 'https://[fd00::149]:6443');
  const dual = withCluster(base, {}, { podSubnet: '10.244.0.0/16,fd00:10:244::/56' });
  const dualConfig = find(kubeProxyObjects(dual, 'v1.33.6', apiServerUrl(dual)), 'ConfigMap', 'kube-proxy').data['config.conf'];
  assert.match(dualConfig, /^clusterCIDR: 10\.244\.0\.0\/16,fd00:10:244::\/56$/m);
  assert.equal(parse(dualConfig).clusterCIDR, '10.244.0.0/16,fd00:10:244::/56');
});

test('kube-proxy: DaemonSet tolerations per release, RBAC for joining nodes', () => {
  const objects = (version: string) => {
    const inv = goldenInventory(version);
    return kubeProxyObjects(inv, version, apiServerUrl(inv));
  };
  assert.deepEqual(find(objects('v1.21.14'), 'DaemonSet').spec.template.spec.tolerations, [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { operator: 'Exists' }]);
  assert.deepEqual(find(objects('v1.22.0'), 'DaemonSet').spec.template.spec.tolerations, [{ operator: 'Exists' }]);
  const all = objects('v1.37.0');
  assert.deepEqual(all.map((o) => `${o.kind}/${o.metadata.name}`), [
    'ConfigMap/kube-proxy',
    'DaemonSet/kube-proxy',
    'ServiceAccount/kube-proxy',
    'ClusterRoleBinding/kubeadm:node-proxier',
    'Role/kube-proxy',
    'RoleBinding/kube-proxy',
  ]);
  assert.deepEqual(find(all, 'ClusterRoleBinding').roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-proxier' });
  assert.deepEqual(find(all, 'RoleBinding').subjects, [{ kind: 'Group', name: 'system:bootstrappers:kubeadm:default-node-token' }]);
  const ds = find(all, 'DaemonSet').spec.template.spec;
  assert.equal(ds.hostNetwork, true);
  assert.equal(ds.priorityClassName, 'system-node-critical');
  assert.deepEqual(ds.containers[0].securityContext, { privileged: true });
  assert.deepEqual(ds.containers[0].command, ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)']);
});

test('the objects are plain JSON, and each call builds its own (no shared state between clusters)', () => {
  const inv = goldenInventory('v1.37.0');
  const a = [...corednsObjects(inv, 'v1.37.0'), ...kubeProxyObjects(inv, 'v1.37.0', apiServerUrl(inv))];
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  const role = find(a, 'ClusterRole', 'system:coredns');
  role.rules[0].verbs.push('delete');
  find(a, 'DaemonSet').spec.template.spec.tolerations.push({ key: 'x', operator: 'Exists' });
  const b = [...corednsObjects(inv, 'v1.37.0'), ...kubeProxyObjects(inv, 'v1.37.0', apiServerUrl(inv))];
  assert.deepEqual(find(b, 'ClusterRole', 'system:coredns').rules[0].verbs, ['list', 'watch']);
  assert.deepEqual(find(b, 'DaemonSet').spec.template.spec.tolerations, [{ operator: 'Exists' }]);
});
