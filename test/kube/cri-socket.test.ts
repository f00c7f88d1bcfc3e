import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criEndpoint, criSocketPath, criToolFor } from '../../src/kube/cri-socket.js';

test('endpoints: bare paths get unix://, URLs stay as written', () => {
  assert.equal(criEndpoint('/var/run/dockershim.sock'), 'unix:///var/run/dockershim.sock');
  assert.equal(criEndpoint('/run/containerd/containerd.sock'), 'unix:///run/containerd/containerd.sock');
  assert.equal(criEndpoint('unix:///var/run/crio/crio.sock'), 'unix:///var/run/crio/crio.sock');
  assert.equal(criEndpoint('tcp://10.0.0.1:9000'), 'tcp://10.0.0.1:9000');
});

test('where the two former conversions differed: a URL without "//" or with a capitalized scheme is a URL', () => {
  // Go's url.Parse (crictl's parseEndpoint) reads "unix:/path" as scheme unix, path /path: no prefix is added.
  assert.equal(criEndpoint('unix:/run/containerd/containerd.sock'), 'unix:/run/containerd/containerd.sock');
  assert.equal(criEndpoint('UNIX:///run/containerd/containerd.sock'), 'UNIX:///run/containerd/containerd.sock');
  // Without a scheme crictl puts unix:// in front itself; doing it here gives the same endpoint.
  assert.equal(criEndpoint('run/containerd/containerd.sock'), 'unix://run/containerd/containerd.sock');
});

test('socket paths: the file a socket or unix endpoint dials', () => {
  assert.equal(criSocketPath('unix:///var/run/containerd/containerd.sock'), '/var/run/containerd/containerd.sock');
  assert.equal(criSocketPath('unix:/run/crio/crio.sock'), '/run/crio/crio.sock');
  assert.equal(criSocketPath('/var/run/dockershim.sock'), '/var/run/dockershim.sock');
  assert.equal(criSocketPath('tcp://10.0.0.1:9000'), undefined);
  assert.equal(criSocketPath('unix://'), undefined);
  // Round trip: the endpoint of a path dials that path.
  for (const path of ['/var/run/dockershim.sock', '/run/containerd/containerd.sock']) assert.equal(criSocketPath(criEndpoint(path)), path);
});

test('the tool: docker only for dockershim before v1.24; the socket kept as kubeadm wrote it', () => {
  assert.deepEqual(criToolFor('v1.23.17', '/var/run/dockershim.sock'), { kind: 'docker' });
  assert.deepEqual(criToolFor('v1.23.17', 'unix:///var/run/dockershim.sock'), { kind: 'crictl', socket: 'unix:///var/run/dockershim.sock' });
  assert.deepEqual(criToolFor('v1.23.17', '/run/containerd/containerd.sock'), { kind: 'crictl', socket: '/run/containerd/containerd.sock' });
  assert.deepEqual(criToolFor('v1.30.6', 'unix:///var/run/cri-dockerd.sock'), { kind: 'crictl', socket: 'unix:///var/run/cri-dockerd.sock' });
});
