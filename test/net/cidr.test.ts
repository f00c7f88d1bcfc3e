import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrsOverlap, formatIp, hostBits, ipBytes, ipText, nthIp, parseCidr, parseIp } from '../../src/net/cidr.js';

test('parses and formats IPv4 and IPv6 (RFC 5952, as Go prints them)', () => {
  assert.equal(formatIp(4, parseIp('10.96.0.1')!.value), '10.96.0.1');
  assert.equal(formatIp(6, parseIp('fd00:0:0:0:0:0:0:a')!.value), 'fd00::a');
  assert.equal(formatIp(6, parseIp('2001:db8:0:0:1:0:0:1')!.value), '2001:db8::1:0:0:1');
  assert.equal(formatIp(6, parseIp('2001:db8:0:1:1:1:1:1')!.value), '2001:db8:0:1:1:1:1:1');
  assert.equal(formatIp(6, parseIp('::')!.value), '::');
  assert.equal(parseIp('10.0.0.300'), undefined);
});

test('the nth address of a range, as kubeadm picks the service IP (1st) and the DNS IP (10th)', () => {
  assert.equal(nthIp(parseCidr('10.96.0.0/12')!, 1), '10.96.0.1');
  assert.equal(nthIp(parseCidr('10.96.5.7/12')!, 10), '10.96.0.10');
  assert.equal(nthIp(parseCidr('fd00:10:96::/112')!, 10), 'fd00:10:96::a');
  assert.throws(() => nthIp(parseCidr('10.0.0.0/30')!, 10), /no address number 10/);
  assert.equal(hostBits(parseCidr('10.96.0.0/12')!), 20);
});

test('malformed ranges are refused', () => {
  for (const bad of ['10.96.0.0', '10.96.0.0/33', 'fd00::/129', 'x/8', '10.96.0.0/-1', '10.96.0.0/1a']) assert.equal(parseCidr(bad), undefined, bad);
});

test('overlap is by family and range', () => {
  assert.equal(cidrsOverlap(parseCidr('10.96.0.0/16')!, parseCidr('10.96.0.0/12')!), true);
  assert.equal(cidrsOverlap(parseCidr('10.244.0.0/16')!, parseCidr('10.96.0.0/12')!), false);
  assert.equal(cidrsOverlap(parseCidr('10.111.255.0/24')!, parseCidr('10.96.0.0/12')!), true);
  assert.equal(cidrsOverlap(parseCidr('10.112.0.0/24')!, parseCidr('10.96.0.0/12')!), false);
  assert.equal(cidrsOverlap(parseCidr('fd00::/8')!, parseCidr('10.96.0.0/12')!), false);
});

test('address bytes for certificates: 4 for IPv4 and IPv4-mapped, 16 for IPv6', () => {
  assert.deepEqual([...ipBytes('10.7.0.149')], [10, 7, 0, 149]);
  assert.deepEqual([...ipBytes('::ffff:10.7.0.149')], [10, 7, 0, 149]);
  assert.equal(ipBytes('fd00::10').length, 16);
  assert.equal(ipText(ipBytes('fd00:0::10')), 'fd00::10');
  assert.equal(ipText(Buffer.from([192, 0, 2, 1])), '192.0.2.1');
  assert.throws(() => ipText(Buffer.from([1, 2, 3])), /4 or 16 bytes/);
});
