/**
 * OpenSSH's wildcard patterns (match.c): `*` any run, `?` one character, comma-free pattern lists where a
 * negated (`!`) pattern that matches vetoes the list. ssh_config Host lines compare case-sensitively (the
 * name as given; the final pass, the lower-cased HostName); known_hosts compares case-insensitively.
 */

/** One pattern against one value. */
export function matchPattern(value: string, pattern: string, ignoreCase = false): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, ignoreCase ? 'is' : 's').test(value);
}

/**
 * A pattern list as match_pattern_list() reads it: 1 when a positive pattern matches and no negated one does,
 * -1 when a negated pattern matches, 0 when nothing matches.
 */
export function patternListResult(value: string, patterns: readonly string[], ignoreCase = false): 1 | 0 | -1 {
  let matched = false;
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) {
      if (matchPattern(value, pattern.slice(1), ignoreCase)) return -1;
    } else if (matchPattern(value, pattern, ignoreCase)) {
      matched = true;
    }
  }
  return matched ? 1 : 0;
}

/** True when the list matches (a positive match and no negated one). */
export function matchPatternList(value: string, patterns: readonly string[], ignoreCase = false): boolean {
  return patternListResult(value, patterns, ignoreCase) === 1;
}
