/** The keywords ssh knows and bootstrap ignores, and the value checks ssh still makes on some of them. */
import { SshConfigError } from './errors.js';
import { oneArg } from './keywords.js';
import type { Line } from './state.js';
import { FLAG, fromTable, toInt, toSeconds } from './values.js';

/** ssh 9.2's keywords (readconf.c) that bootstrap has no use for: accepted, not interpreted. */
export const IGNORED_KEYWORDS = new Set(`protocol cipher fallbacktorsh globalknownhostsfile2 rhostsauthentication userknownhostsfile2
useroaming usersh useprivilegedport afstokenpassing kerberosauthentication kerberostgtpassing rsaauthentication
rhostsrsaauthentication compressionlevel gssapiauthentication gssapidelegatecredentials pkcs11provider smartcarddevice
forwardagent forwardx11 forwardx11trusted forwardx11timeout exitonforwardfailure xauthlocation gatewayports
passwordauthentication kbdinteractiveauthentication kbdinteractivedevices challengeresponseauthentication
skeyauthentication tisauthentication pubkeyauthentication dsaauthentication hostbasedauthentication certificatefile
addkeystoagent ciphers macs remoteforward localforward permitremoteopen escapechar connectionattempts
compression tcpkeepalive keepalive numberofpasswordprompts syslogfacility loglevel logverbose dynamicforward
preferredauthentications hostkeyalgorithms casignaturealgorithms clearallforwardings enablesshkeysign verifyhostkeydns
nohostauthenticationforlocalhost rekeylimit sendenv setenv controlmaster controlpersist tunnel tunneldevice
localcommand permitlocalcommand remotecommand visualhostkey kexalgorithms ipqos requesttty sessiontype stdinnull
forkafterauthentication canonicaldomains canonicalizefallbacklocal canonicalizemaxdots canonicalizepermittedcnames
streamlocalbindmask streamlocalbindunlink revokedhostkeys fingerprinthash updatehostkeys hostbasedacceptedalgorithms
hostbasedkeytypes pubkeyacceptedalgorithms pubkeyacceptedkeytypes securitykeyprovider knownhostscommand
requiredrsasize enableescapecommandline`.split(/\s+/));

/** How ssh checks the value of a keyword bootstrap ignores: yes/no, an integer, a time, or one of some words. */
type ValueCheck = 'flag' | 'int' | 'time' | readonly string[];

/**
 * Ignored keywords whose value ssh checks (even where the block does not apply), so that a typo there is refused
 * here as well. Keywords with richer values (Ciphers, forwardings, …) are not checked.
 */
export const IGNORED_VALUE_CHECKS: Record<string, ValueCheck> = {
  ...Object.fromEntries(`forwardx11 forwardx11trusted exitonforwardfailure gatewayports passwordauthentication
    kbdinteractiveauthentication challengeresponseauthentication skeyauthentication tisauthentication
    hostbasedauthentication gssapiauthentication gssapidelegatecredentials tcpkeepalive keepalive
    nohostauthenticationforlocalhost clearallforwardings enablesshkeysign permitlocalcommand visualhostkey stdinnull
    forkafterauthentication canonicalizefallbacklocal streamlocalbindunlink enableescapecommandline`
    .split(/\s+/).map((k) => [k, 'flag' as const])),
  connectionattempts: 'int',
  numberofpasswordprompts: 'int',
  canonicalizemaxdots: 'int',
  requiredrsasize: 'int',
  forwardx11timeout: 'time',
  controlmaster: ['true', 'yes', 'false', 'no', 'auto', 'ask', 'autoask'],
  requesttty: ['true', 'yes', 'false', 'no', 'force', 'auto'],
  sessiontype: ['none', 'subsystem', 'default'],
  tunnel: ['ethernet', 'point-to-point', 'true', 'yes', 'false', 'no'],
  verifyhostkeydns: ['true', 'false', 'yes', 'no', 'ask'],
  updatehostkeys: ['true', 'false', 'yes', 'no', 'ask'],
  pubkeyauthentication: ['true', 'false', 'yes', 'no', 'unbound', 'host-bound'],
  dsaauthentication: ['true', 'false', 'yes', 'no', 'unbound', 'host-bound'],
  compression: ['yes', 'no'],
};

/** Refuses a value ssh would refuse for a keyword bootstrap otherwise ignores. */
export function checkIgnoredValue(l: Line, check: ValueCheck): void {
  const arg = l.args[0] ?? '';
  const ok = check === 'flag' ? fromTable(arg, FLAG) !== undefined
    : check === 'int' ? toInt(arg) !== undefined
    : check === 'time' ? arg === 'none' || toSeconds(arg) !== -1
    : check.includes(arg.toLowerCase());
  if (!ok) throw new SshConfigError(`${l.where}: unsupported option "${arg}" for ${l.keyword}`);
  oneArg(l);
}
