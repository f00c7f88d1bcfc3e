/** The pure parts of the etcd client: gateway members, kubeadm's --initial-cluster list, the removal quorum. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialClusterMembers, memberIdHex, removalRefusal, type EtcdMemberInfo } from '../../src/etcd/index.js';
import { parseMembers } from '../../src/etcd/members.js';
import { initialCluster } from '../../src/manifests/index.js';

const member = (id: string, name: string, isLearner = false): EtcdMemberInfo => ({
  id,
  name,
  peerURLs: [`https://10.0.0.${id}:2380`],
  clientURLs: name ? [`https://10.0.0.${id}:2379`] : [],
  isLearner,
});

test('gateway members: uint64 IDs as decimal strings, zero values left out by the gateway read as such', () => {
  const members = parseMembers([
    { ID: '17237436991929493444', name: 'cp1', peerURLs: ['https://10.0.0.1:2380'], clientURLs: ['https://10.0.0.1:2379'] },
    { ID: '9372538179322589801', peerURLs: ['https://10.0.0.2:2380'], isLearner: true },
    { name: 'no ID' },
  ]);
  assert.deepEqual(members, [
    { id: '17237436991929493444', name: 'cp1', peerURLs: ['https://10.0.0.1:2380'], clientURLs: ['https://10.0.0.1:2379'], isLearner: false },
    { id: '9372538179322589801', name: '', peerURLs: ['https://10.0.0.2:2380'], clientURLs: [], isLearner: true },
  ]);
  // Exact past 2^53, as etcdctl prints it.
  assert.equal(memberIdHex('17237436991929493444'), 'ef37ad9dc622a7c4');
});

test('--initial-cluster as kubeadm builds it: etcd order, the new member named by us, unnamed ones by hex ID', () => {
  const answer = [member('1', 'cp1'), member('3', ''), member('2', '', true)];
  const members = initialClusterMembers(answer, 'cp2', 'https://10.0.0.2:2380');
  assert.deepEqual(members, [
    { name: 'cp1', peerURL: 'https://10.0.0.1:2380' },
    { name: '3', peerURL: 'https://10.0.0.3:2380' },
    { name: 'cp2', peerURL: 'https://10.0.0.2:2380' },
  ]);
  assert.equal(initialCluster(members), 'cp1=https://10.0.0.1:2380,3=https://10.0.0.3:2380,cp2=https://10.0.0.2:2380');
});

test('removal: allowed while a majority answers before and after; refused with the numbers otherwise', () => {
  const three = [member('1', 'cp1'), member('2', 'cp2'), member('3', 'cp3')];
  const healthy = (...ids: string[]) => new Set(ids);
  assert.equal(removalRefusal(three, healthy('1', '2', '3'), '3'), undefined);
  // The member removed is the one down: 2 of 2 remain.
  assert.equal(removalRefusal(three, healthy('1', '2'), '3'), undefined);
  // A healthy one removed while another is down: 1 of 2 would remain.
  assert.equal(
    removalRefusal(three, healthy('1', '3'), '3'),
    'removing member cp3 (https://10.0.0.3:2380) would leave 1 answering of 2 voting members, fewer than the 2 a quorum needs',
  );
  // Two voters, both up: the second control-plane host's reset, as kubeadm does it.
  assert.equal(removalRefusal(three.slice(0, 2), healthy('1', '2'), '2'), undefined);
  // Two voters, one down: no quorum now, so no removal can be agreed on.
  assert.equal(
    removalRefusal(three.slice(0, 2), healthy('1'), '2'),
    'only 1 of the 2 voting members answer, fewer than the 2 that must agree to remove member cp2 (https://10.0.0.2:2380): the cluster has already lost its quorum',
  );
  assert.equal(removalRefusal([member('1', 'cp1')], healthy('1'), '1'), 'member cp1 (https://10.0.0.1:2380) is the last voting member; removing it would leave no cluster');
  // Learners never count: one may go whatever the health; nor do they make up a quorum.
  const withLearner = [member('1', 'cp1'), member('2', 'cp2', true)];
  assert.equal(removalRefusal(withLearner, healthy(), '2'), undefined);
  assert.match(removalRefusal(withLearner, healthy('1', '2'), '1') ?? '', /last voting member/);
  // Unknown IDs are etcd's to answer (member not found).
  assert.equal(removalRefusal(three, healthy(), '9'), undefined);
});
