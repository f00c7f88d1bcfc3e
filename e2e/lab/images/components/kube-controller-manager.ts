/**
 * kube-controller-manager, bootstrap lab stand-in: real flags, real start-up failures for the files kubeadm
 * points it at (kubeconfigs, cluster signing pair, root CA, service-account key), delegated authentication
 * against the apiserver, leader election with its kubeconfig's client certificate, /healthz on 10257.
 * While it leads it runs the controllers kubeadm clusters rely on to join nodes (controllers.ts): csrapproving,
 * csrsigning, serviceaccount, and with --controllers also bootstrapsigner and tokencleaner.
 */
import { flagsAt, kubeControllerManagerFlags, REMOVED_FLAGS } from './flagsets.js';
import type { Flags } from './flags.js';
import { runDelegating } from './delegating.js';
import { startControllers } from './controllers.js';
import { ComponentError, loadCABundle, loadKeyPair, loadPrivateKeyFile } from './pki.js';
import { kubernetesVersion, runComponent } from './runtime.js';

function checkControllerFiles(flags: Flags): void {
  const cert = flags.string('cluster-signing-cert-file');
  const key = flags.string('cluster-signing-key-file');
  if (cert || key) {
    try {
      loadKeyPair(cert, key, { cert, key });
    } catch (error) {
      throw new ComponentError(`error starting controllers: failed to start certificate controller: error reading CA cert file "${cert}": ${(error as Error).message}`);
    }
  }
  if (flags.string('root-ca-file')) {
    try {
      loadCABundle(flags.string('root-ca-file'));
    } catch (error) {
      throw new ComponentError(`error reading root-ca-file at ${flags.string('root-ca-file')}: ${(error as Error).message}`);
    }
  }
  if (flags.string('service-account-private-key-file')) {
    try {
      loadPrivateKeyFile(flags.string('service-account-private-key-file'));
    } catch (error) {
      throw new ComponentError(`error reading key for service account token controller: ${(error as Error).message}`);
    }
  }
  if (flags.bool('allocate-node-cidrs', false) && !flags.string('cluster-cidr')) {
    throw new ComponentError('error starting controllers: failed to start the node ipam controller: kube-controller-manager: --cluster-cidr must be specified with --allocate-node-cidrs');
  }
}

await runComponent({
  name: 'kube-controller-manager',
  flags: flagsAt(kubeControllerManagerFlags, REMOVED_FLAGS['kube-controller-manager'], kubernetesVersion()),
  description: 'The Kubernetes controller manager is a daemon that embeds the core control loops shipped with Kubernetes.',
  main: (flags) =>
    runDelegating(
      {
        name: 'kube-controller-manager',
        defaultPort: 10257,
        endpoints: ['healthz'],
        kubeconfig: flags.string('kubeconfig'),
        leaderElect: flags.bool('leader-elect', true),
        onLeading: (client, isLeading) => startControllers(flags, client, isLeading),
      },
      flags,
      () => checkControllerFiles(flags),
    ),
});
