/**
 * The `prepare` and `install` sections (issue 10): defaults and the checks the schema cannot make (URLs,
 * registry names, checksums, files that must exist on the control machine). Problems are recorded on the
 * Resolver, so they are located and reported with every other problem of the file.
 */
import { existsSync, statSync } from 'node:fs';
import type { FieldPath } from './errors.js';
import type { InstallFile, InstallSettings, PrepareSettings } from './types.js';

/** What a section resolver needs from the Resolver. */
export interface SectionResolver {
  fail(path: FieldPath, message: string): void;
  expandPath(text: string): string;
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A registry as containerd names its certs.d folder: host[:port], or _default for every registry. */
export const REGISTRY_NAME = /^(_default|[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:\d{1,5})?)$/;
export const URL_LIKE = /^https?:\/\/[^\s/]+(\/\S*)?$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;
/** A package revision as pkgs.k8s.io writes it (the "1.1" of 1.28.4-1.1); dpkg and rpm allow these characters. */
const REVISION = /^[0-9A-Za-z][0-9A-Za-z.+~]*$/;

export function existingFile(r: SectionResolver, path: FieldPath, text: string): string {
  const full = r.expandPath(text);
  const stat = existsSync(full) ? statSync(full) : undefined;
  if (!stat) r.fail(path, `file not found: ${full}`);
  else if (!stat.isFile()) r.fail(path, `not a file: ${full}`);
  return full;
}

/** `prepare`: absent or true → on with defaults; false → off; a mapping → on with its settings. */
export function resolvePrepare(r: SectionResolver, raw: unknown): PrepareSettings {
  const section = isObject(raw) ? raw : {};
  const containerd = isObject(section.containerd) ? section.containerd : {};
  if (containerd.registries !== undefined) {
    r.fail(['prepare', 'containerd', 'registries'], 'moved to registries.endpoints (the same settings, also used for Docker hosts): write it there');
  }
  return {
    enabled: raw !== false,
    containerd: { configure: containerd.configure !== false, package: str(containerd.package) },
  };
}

function installFiles(r: SectionResolver, raw: unknown): InstallFile[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((entry, i) => {
    const path = ['install', 'files', i];
    const text = typeof entry === 'string' ? entry : isObject(entry) ? str(entry.path) : undefined;
    if (text === undefined) return [];
    const sha256 = isObject(entry) ? str(entry.sha256) : undefined;
    if (sha256 !== undefined && !SHA256.test(sha256)) r.fail([...path, 'sha256'], 'must be a SHA-256 in hex (64 characters), as sha256sum prints it');
    return [{ path: existingFile(r, typeof entry === 'string' ? path : [...path, 'path'], text), sha256: sha256?.toLowerCase() }];
  });
}

/** `install`: absent → nothing is installed (kubelet and crictl must be there already, as before). */
export function resolveInstall(r: SectionResolver, raw: unknown): InstallSettings {
  const section = isObject(raw) ? raw : {};
  const source = section.source === 'packages' || section.source === 'files' ? section.source : 'none';
  const repository = str(section.repository)?.replace(/\/+$/, '');
  if (repository !== undefined && !URL_LIKE.test(repository)) {
    r.fail(['install', 'repository'], `"${repository}" is not a repository URL (e.g. https://pkgs.k8s.io/core:/stable:/v1.28)`);
  }
  const revision = str(section.revision);
  if (revision !== undefined && !REVISION.test(revision)) r.fail(['install', 'revision'], `"${revision}" is not a package revision (e.g. 1.1, as in 1.28.4-1.1)`);
  const files = installFiles(r, section.files);
  const checksums = str(section.checksums);
  if (source === 'files' && files.length === 0) r.fail(['install', 'source'], 'install.source files needs install.files: the kubelet and crictl binaries or packages');
  // A misspelt source is reported by the schema; the fields that depend on it are not judged against a guess.
  const known = section.source === undefined || source === section.source;
  if (known && source !== 'files' && (files.length || checksums !== undefined)) {
    r.fail(['install', files.length ? 'files' : 'checksums'], 'only read with install.source: files');
  }
  if (known && source !== 'packages' && (repository !== undefined || revision !== undefined)) {
    r.fail(['install', repository !== undefined ? 'repository' : 'revision'], 'only read with install.source: packages');
  }
  return {
    source,
    kubeadm: section.kubeadm === true,
    allowVersionChange: section.allowVersionChange === true,
    repository,
    revision,
    files,
    checksums: checksums === undefined ? undefined : existingFile(r, ['install', 'checksums'], checksums),
  };
}
