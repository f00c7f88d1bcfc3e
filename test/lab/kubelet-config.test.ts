import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kubeletSettings } from '../../e2e/lab/standins/kubelet/config.js';
import { parseKubeletFlags } from '../../e2e/lab/standins/kubelet/flags.js';

describe('lab kubelet: KubeletConfiguration durations', () => {
  it('a zero duration, as kubeadm writes for every one it leaves unset, means kubelet\'s default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-kubelet-config-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfileCheckFrequency: 0s\nnodeStatusUpdateFrequency: 0s\nruntimeRequestTimeout: 0s\n');
    const settings = kubeletSettings(parseKubeletFlags([`--config=${config}`], 'v1.28.4'));
    assert.equal(settings.fileCheckFrequencyMs, 20_000);
    assert.equal(settings.runtimeRequestTimeoutMs, 120_000);
    assert.equal(settings.nodeStatusUpdateFrequencyMs, 10_000);
  });

  it('a set duration is kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-kubelet-config-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nfileCheckFrequency: 5s\n');
    assert.equal(kubeletSettings(parseKubeletFlags([`--config=${config}`], 'v1.28.4')).fileCheckFrequencyMs, 5_000);
  });
});
