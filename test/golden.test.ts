/** The golden-file helper itself. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvText, assertGolden, updatingGolden } from './golden.js';

const skip = updatingGolden() ? 'writes golden files under UPDATE_GOLDEN=1' : false;

test('a missing golden file fails with the command that creates it', { skip }, () => {
  assert.throws(() => assertGolden('no-such-folder/missing.txt', 'x'), /test\/golden\/no-such-folder\/missing\.txt is missing; create it with `npm run build && UPDATE_GOLDEN=1 npm run test:unit`/);
});

test('a golden file that differs fails naming the file and the command', { skip }, () => {
  assert.throws(() => assertGolden('kubelet/10-kubeadm.conf', 'something else\n'), /differs from test\/golden\/kubelet\/10-kubeadm\.conf .*UPDATE_GOLDEN=1/);
});

test('argvText: one JSON-quoted argument a line, named scripts by reference', () => {
  assert.equal(argvText(['sh', '-c', 'echo "$1"', 'sh', '', 'a b']), '"sh"\n"-c"\n"echo \\"$1\\""\n"sh"\n""\n"a b"\n');
  assert.equal(argvText(['sh', '-c', 'X', 'sh'], { 'scripts/x.sh': 'X' }), '"sh"\n"-c"\n<script: scripts/x.sh>\n"sh"\n');
});
