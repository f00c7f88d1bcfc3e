/**
 * hostPath volumes and mounts of a control-plane Pod (controlplane/volumes.go, etcd/local.go).
 *
 * kubeadm adds the distribution's extra CA directories (caCertsExtraVolumePaths) only when they exist on the
 * machine where it runs, which is the control-plane node. bootstrap renders on the control machine, so whether
 * they exist is an input: by default the directories a Debian or Ubuntu node has (/etc/ca-certificates,
 * /usr/share/ca-certificates, /usr/local/share/ca-certificates, and no /etc/pki).
 */
import type { ComponentData } from './data.js';
import { substitute, type RenderContext } from './context.js';

/** The CA directories present on a Debian or Ubuntu host with the ca-certificates package. */
export const DEBIAN_CA_DIRECTORIES: readonly string[] = [
  '/etc/ca-certificates',
  '/usr/share/ca-certificates',
  '/usr/local/share/ca-certificates',
];

export interface HostPathVolume {
  hostPath: { path: string; type: string };
  name: string;
}

export interface VolumeMount {
  mountPath: string;
  name: string;
  readOnly?: true;
}

export interface PodVolumes {
  volumes: HostPathVolume[];
  mounts: VolumeMount[];
}

interface Mount {
  name: string;
  path: string;
  type: string;
  readOnly: boolean;
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** "/etc/pki/ca-trust" → "etc-pki-ca-trust" (volumes.go: strings.Replace(path, "/", "-")[1:]). */
export function caDirectoryVolumeName(path: string): string {
  return path.replace(/\//g, '-').slice(1);
}

export function podVolumes(
  component: ComponentData,
  ctx: RenderContext,
  extraArgs: Readonly<Record<string, string>>,
  caDirectories: readonly string[],
  existingHostDirectories: readonly string[],
): PodVolumes {
  // Keyed by name: a later mount of the same name replaces an earlier one, as kubeadm's maps do.
  const mounts = new Map<string, Mount>();
  for (const spec of component.volumes) {
    const fromArg = spec.pathFromExtraArg === undefined ? undefined : extraArgs[spec.pathFromExtraArg];
    // Volume paths are concatenated, not joined (e.g. cfg.CertificatesDir+"/etcd"), so no cleaning here.
    const path = fromArg ?? substitute(spec.hostPath, ctx);
    mounts.set(spec.name, { name: spec.name, path, type: spec.type, readOnly: spec.readOnly });
  }
  if (component.caCertsExtra) {
    for (const dir of caDirectories) {
      if (!existingHostDirectories.includes(dir)) continue;
      const name = caDirectoryVolumeName(dir);
      mounts.set(name, { name, path: dir, type: 'DirectoryOrCreate', readOnly: true });
    }
  }
  const listed = [...mounts.values()];
  const sorted = [...listed].sort(byName);
  return {
    volumes: sorted.map((m) => ({ hostPath: { path: m.path, type: m.type }, name: m.name })),
    mounts: (component.mountsInListedOrder ? listed : sorted).map((m) =>
      m.readOnly ? { mountPath: m.path, name: m.name, readOnly: true as const } : { mountPath: m.path, name: m.name },
    ),
  };
}
