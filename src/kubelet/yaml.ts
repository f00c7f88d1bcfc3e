import { Document } from 'yaml';

/**
 * Serializes an object the way kubeadm writes Kubernetes objects: Go's encoding/json followed by
 * sigs.k8s.io/yaml (go-yaml v2). That means map keys in byte order, sequences not indented under
 * their parent key, no line folding, and YAML 1.1 quoting (so "yes", "on", "y" and "0" stay strings).
 */
export function toKubeYaml(value: unknown): string {
  const doc = new Document(value, { sortMapEntries: true, version: '1.1' });
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}
