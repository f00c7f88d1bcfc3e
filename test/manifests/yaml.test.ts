/** go-yaml v2's scalar styles and layout, as kubeadm's files have them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { podToYaml } from '../../src/manifests/index.js';
import { scalarStyle, sortKeysDeep } from '../../src/manifests/yaml.js';

test('strings that would read back as another type are double-quoted', () => {
  for (const s of ['true', 'False', 'yes', 'on', 'N', '~', 'null', '', '1234', '0x1F', '017', '1_000', '1.5', '1e3', '.inf', '-.5', '10:30', '2001-12-14', '2001-12-14T21:59:43.10Z', '<<']) {
    assert.equal(scalarStyle(s), 'QUOTE_DOUBLE', JSON.stringify(s));
  }
});

test('plain where go-yaml allows it, single quotes where it does not, literal blocks for newlines', () => {
  for (const s of ['--controllers=*,bootstrapsigner,tokencleaner', '/health?exclude=NOSPACE&serializable=true', 'https://10.7.0.149:2379', '10.7.0.149:6443', '100m', 'v1', '-x', 'a#b', '1.2.3.4']) {
    assert.equal(scalarStyle(s), 'PLAIN', s);
  }
  for (const s of ['[fd00::10]:6443', '*,x', '&a', 'a: b', 'a #b', ' lead', 'trail ', '- x', '---x', "it's: x", '{x}', '@x', '%x']) {
    assert.equal(scalarStyle(s), 'QUOTE_SINGLE', s);
  }
  assert.equal(scalarStyle('tab\there'), 'QUOTE_DOUBLE');
  assert.equal(scalarStyle('line1\nline2'), 'BLOCK_LITERAL');
});

test('keys are sorted at every level, lists keep their order, undefined is dropped', () => {
  assert.equal(JSON.stringify(sortKeysDeep({ b: 1, a: [{ d: 1, c: 2 }, 3], c: undefined })), '{"a":[{"c":2,"d":1},3],"b":1}');
});

test('layout: two-space indent, sequences at the key\'s column, {} for empty maps, null, integers', () => {
  const text = podToYaml({ status: {}, metadata: { creationTimestamp: null, name: 'x' }, spec: { containers: [{ name: 'c', command: ['a', '--b=c'] }], priority: 2000001000, hostNetwork: true } });
  assert.equal(text, [
    'metadata:',
    '  creationTimestamp: null',
    '  name: x',
    'spec:',
    '  containers:',
    '  - command:',
    '    - a',
    '    - --b=c',
    '    name: c',
    '  hostNetwork: true',
    '  priority: 2000001000',
    'status: {}',
    '',
  ].join('\n'));
});

test('a long value without spaces is not folded', () => {
  const long = `--tls-cipher-suites=${'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,'.repeat(6)}X`;
  assert.equal(podToYaml({ a: [long] }), `a:\n- ${long}\n`);
});
