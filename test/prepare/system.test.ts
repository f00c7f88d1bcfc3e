/** Kernel modules, sysctls and swap: the files prepare writes, the commands it runs, and nothing on a re-run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disableSwapInFstab, SWAP_COMMENT } from '../../src/prepare/fstab.js';
import { prepareRule } from '../../src/prepare/rules.js';
import { MODULES_LOAD, planSystem, SYSCTL_CONF_PATH, sysctlConf, requiredSysctls } from '../../src/prepare/system.js';
import { contentHash } from '../../src/transport/host.js';
import { applyPlan, bareDebian, DEBIAN_FSTAB } from './host-model.js';

test('fstab: swap lines are commented out, every other byte is kept, and a second pass changes nothing', () => {
  const edit = disableSwapInFstab(DEBIAN_FSTAB);
  assert.equal(
    edit.text,
    `# /etc/fstab: static file system information.
UUID=1111-aaaa /               ext4    errors=remount-ro 0       1
${SWAP_COMMENT}UUID=2222-bbbb none            swap    sw              0       0
/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0
`,
  );
  assert.deepEqual(edit.lines, ['UUID=2222-bbbb none            swap    sw              0       0']);
  assert.deepEqual(disableSwapInFstab(edit.text), { text: edit.text, lines: [] });
});

test('fstab: tabs, CRLF, a swap file, no final newline; commented and non-swap lines untouched', () => {
  const text = '# /swapfile none swap sw 0 0\r\n/swapfile\tnone\tswap\tsw\t0\t0\r\n/dev/sda1 /boot ext4 defaults 0 2\r\nLABEL=swap /mnt/swap ext4 defaults 0 0';
  const edit = disableSwapInFstab(text);
  assert.equal(edit.text, `# /swapfile none swap sw 0 0\r\n${SWAP_COMMENT}/swapfile\tnone\tswap\tsw\t0\t0\r\n/dev/sda1 /boot ext4 defaults 0 2\r\nLABEL=swap /mnt/swap ext4 defaults 0 0`);
  assert.deepEqual(edit.lines, ['/swapfile\tnone\tswap\tsw\t0\t0']);
  assert.deepEqual(disableSwapInFstab('').lines, []);
});

test('sysctls per version: bridge-nf-call-iptables up to v1.29, only forwarding from v1.30; IPv6 adds its own', () => {
  assert.equal(
    sysctlConf(requiredSysctls(prepareRule('v1.28.4'), true, false)),
    "# Kernel settings kubeadm's preflight checks for (written by bootstrap prepare).\nnet.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\n",
  );
  assert.deepEqual(requiredSysctls(prepareRule('v1.30.0'), true, false), [['net.ipv4.ip_forward', '1']]);
  assert.deepEqual(requiredSysctls(prepareRule('v1.23.17'), true, true), [
    ['net.ipv4.ip_forward', '1'],
    ['net.ipv6.conf.default.forwarding', '1'],
    ['net.bridge.bridge-nf-call-iptables', '1'],
    ['net.bridge.bridge-nf-call-ip6tables', '1'],
  ]);
  assert.deepEqual(requiredSysctls(prepareRule('v1.37.1'), false, true), [['net.ipv6.conf.default.forwarding', '1']]);
});

test('a bare host: modules file, sysctl file, fstab edited; modprobe, sysctl -p, swapoff in that order', () => {
  const state = bareDebian();
  const part = planSystem({ rule: prepareRule('v1.28.4'), state, ipv4: true, ipv6: false, keepSwap: false });
  assert.deepEqual(part.files.map((f) => [f.path, f.mode]), [
    ['/etc/modules-load.d/k8s.conf', 0o644],
    [SYSCTL_CONF_PATH, 0o644],
    ['/etc/fstab', 0o644],
  ]);
  assert.equal(part.files[0]!.content, "# Kernel modules containerd and kube-proxy need (written by bootstrap prepare).\noverlay\nbr_netfilter\n");
  assert.deepEqual(part.commands, [['modprobe', '-a', 'overlay', 'br_netfilter'], ['sysctl', '-p', SYSCTL_CONF_PATH], ['swapoff', '-a']]);
  assert.ok(part.changes.includes('set net.ipv4.ip_forward = 1 (was 0)'));
  assert.ok(part.changes.includes('set net.bridge.bridge-nf-call-iptables = 1 (was absent)'));

  const after = applyPlan(state, { files: part.files, commands: part.commands, changes: [], notes: [] });
  const again = planSystem({ rule: prepareRule('v1.28.4'), state: after, ipv4: true, ipv6: false, keepSwap: false });
  assert.deepEqual([again.files, again.commands, again.changes], [[], [], []]);
});

test('a setting reset at runtime (file right, value wrong) is applied again without rewriting the file', () => {
  const conf = sysctlConf(requiredSysctls(prepareRule('v1.31.0'), true, false));
  const state = bareDebian({ swaps: 0, fstab: '', modules: new Set(['overlay', 'br_netfilter']) });
  state.hashes.set(SYSCTL_CONF_PATH, contentHash(conf));
  state.hashes.set('/etc/modules-load.d/k8s.conf', contentHash(MODULES_LOAD));
  const part = planSystem({ rule: prepareRule('v1.31.0'), state, ipv4: true, ipv6: false, keepSwap: false });
  assert.deepEqual(part.files, []);
  assert.deepEqual(part.commands, [['sysctl', '-p', SYSCTL_CONF_PATH]]);
});

test('a kubelet set up for swap: swap and fstab are left alone, and the report says so', () => {
  const part = planSystem({ rule: prepareRule('v1.28.4'), state: bareDebian(), ipv4: true, ipv6: false, keepSwap: true });
  assert.ok(!part.files.some((f) => f.path === '/etc/fstab'));
  assert.ok(!part.commands.some((c) => c[0] === 'swapoff'));
  assert.deepEqual(part.notes, ['swap is on and left on: the kubelet is configured for swap (failSwapOn: false)']);
});
