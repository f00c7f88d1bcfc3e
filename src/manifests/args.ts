/**
 * A component's command line, built the way kubeadm builds it.
 *
 * Up to v1.30 (v1beta3) kubeadm merges the extra arguments over a map of defaults and emits "--name=value"
 * for every key in sorted order (util/arguments.go BuildArgumentListFromMap). From v1.31 (v1beta4) the
 * arguments are lists: an extra argument discards every default of the same name and the union is sorted by
 * name, stably (ArgumentsToCommand). With one value per name, as the inventory allows, both produce the same
 * command line, so one implementation serves every version.
 */
export function buildCommand(binary: string, defaults: ReadonlyMap<string, string>, extraArgs: Readonly<Record<string, string>>): string[] {
  const merged = new Map(defaults);
  for (const [name, value] of Object.entries(extraArgs)) merged.set(name, value);
  // Go's sort.Strings compares bytes; flag names are ASCII, where UTF-16 order is the same.
  const names = [...merged.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [binary, ...names.map((name) => `--${name}=${merged.get(name) ?? ''}`)];
}

/** kubeadm's known authorization modes (constants.go ModeNode … ModeAlwaysDeny). */
const AUTHORIZATION_MODES = new Set(['Node', 'RBAC', 'Webhook', 'ABAC', 'AlwaysAllow', 'AlwaysDeny']);

/**
 * getAuthzModes: the user's modes without unknown ones, or "Node,RBAC" when none is left.
 * Up to v1.30 kubeadm writes this back into the extra arguments.
 */
export function filteredAuthorizationModes(requested: string | undefined): string {
  const modes = (requested ?? '').split(',').filter((mode) => AUTHORIZATION_MODES.has(mode));
  return modes.length > 0 ? modes.join(',') : 'Node,RBAC';
}
