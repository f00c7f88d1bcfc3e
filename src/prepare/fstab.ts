/**
 * Swap lines of /etc/fstab commented out, so swap stays off after a reboot (kubelet refuses to start with swap
 * on unless it is configured for it). A pure edit: every other byte of the file is kept, and a file with no
 * active swap line comes back unchanged, so running it again changes nothing.
 */

/** The marker put in front of a swap line; the line itself follows unchanged. */
export const SWAP_COMMENT = '# swap off for kubelet (bootstrap): ';

/** Whether an fstab line mounts swap: its third field (the type) is "swap". Comments and blank lines are not. */
function isSwapLine(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return false;
  return trimmed.split(/\s+/)[2] === 'swap';
}

/** fstab's text with each swap line commented out, and those lines as found. */
export function disableSwapInFstab(text: string): { text: string; lines: string[] } {
  const lines: string[] = [];
  // split keeps the line endings' positions: joining with "\n" gives back the same bytes (\r stays in its line).
  const out = text.split('\n').map((line) => {
    if (!isSwapLine(line)) return line;
    lines.push(line.trim());
    return SWAP_COMMENT + line;
  });
  return { text: out.join('\n'), lines };
}
