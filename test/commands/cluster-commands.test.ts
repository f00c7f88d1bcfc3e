import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinEndpoint } from '../../src/commands/join-command.js';
import { resetTargets } from '../../src/commands/reset.js';
import type { Inventory } from '../../src/inventory/types.js';

function inventory(controlPlaneEndpoint = '', advertiseAddress = '10.0.0.10'): Inventory {
  const host = (name: string, roles: ('control-plane' | 'worker')[], address: string) => ({ name, address, advertiseAddress: address, bindPort: 6443, roles, hostKeys: [] });
  return {
    cluster: { controlPlaneEndpoint },
    hosts: [host('cp1', ['control-plane'], advertiseAddress), host('w1', ['worker'], '10.0.0.11')],
  } as unknown as Inventory;
}

describe('join-command: the endpoint kubeadm join is pointed at', () => {
  it('is the first control plane\'s API server without a controlPlaneEndpoint', () => {
    assert.equal(joinEndpoint(inventory()), '10.0.0.10:6443');
    assert.equal(joinEndpoint(inventory('', 'fd00::10')), '[fd00::10]:6443');
  });
  it('is controlPlaneEndpoint, with the bind port when it names none', () => {
    assert.equal(joinEndpoint(inventory('lb.example:8443')), 'lb.example:8443');
    assert.equal(joinEndpoint(inventory('lb.example')), 'lb.example:6443');
  });
});

describe('reset --hosts', () => {
  it('narrows the inventory to the hosts named', () => {
    assert.deepEqual(resetTargets(inventory(), ['w1']).hosts.map((h) => h.name), ['w1']);
    assert.equal(resetTargets(inventory(), undefined).hosts.length, 2);
  });
  it('refuses a name the inventory does not have', () => {
    assert.throws(() => resetTargets(inventory(), ['w9']), /--hosts: no host named "w9" in the inventory \(it has cp1, w1\)/);
  });
});
