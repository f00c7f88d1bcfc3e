/**
 * OpenSSH's client configuration resolved for one host the way `ssh -G` (OpenSSH 9.2) resolves it, so a host a
 * user already reaches with `ssh alias` is reached the same way: ~/.ssh/config then /etc/ssh/ssh_config, Host and
 * Match blocks, Include, IgnoreUnknown, first-obtained-value-wins, ssh's second ("final") pass, %-tokens, ${VAR}
 * and ~ in the places ssh expands them. See ssh-options.ts for what is resolved.
 *
 * Anything ssh refuses is refused here with a located SshConfigError ("file:line: message"); keywords that would
 * change where or how to connect and that bootstrap does not implement are refused when they apply to the host.
 *
 * The judge is the client installed here (Debian's OpenSSH 9.2p1), through test/transport/ssh-config-differential:
 * where it differs from upstream 9.2 (host/user character checks, ServerAliveInterval 300 with BatchMode, ProxyJump
 * read as one word, a ProxyCommand after `ProxyJump none`) this folder follows the client. Not reproduced: the value
 * checks of keywords bootstrap ignores beyond yes/no, numbers, times and word lists (Ciphers, forwardings, …), and
 * the limit of 100 identity files.
 */
export { matchPatternList } from '../patterns.js';
export { SshConfigError } from './errors.js';
export { splitArgs } from './words.js';
export { expandEnv, expandTilde, expandTokens } from './expand.js';
export { parseJumpSpec, type JumpSpec } from './jump.js';
export type { SshResolution } from './defaults.js';
export { defaultConfigSource, resolveSshConfig, resolveSshOptions } from './resolve.js';
