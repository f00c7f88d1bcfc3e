/**
 * Serialisation byte-identical to kubeadm's manifest files.
 *
 * kubeadm writes a Pod with kubeadmutil.MarshalToYaml: the API codec's JSON, converted by sigs.k8s.io/yaml
 * (JSONToYAML: unmarshal into generic maps, marshal with its go-yaml v2 fork). Hence: keys sorted, two-space
 * indentation, sequences not indented under their key, empty maps as "{}", and go-yaml v2's choice of
 * scalar style, reproduced by scalarStyle() below. The `yaml` package does the emitting.
 */
import { Document, Scalar, visit } from 'yaml';

/** Keys sorted at every level, as Go marshals map[interface{}]interface{}; list order is kept. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeysDeep(v)]));
  }
  return value;
}

// go-yaml v2 resolve.go: plain scalars that do not resolve to !!str.
const RESOLVES_TO_NON_STRING = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF',
  'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '~', 'null', 'Null', 'NULL',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);
// strconv.ParseInt(s, 0, 64) after go-yaml strips underscores: decimal, 0x, 0o, 0b and leading-0 octal.
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
// strconv.ParseFloat: decimal and exponent forms, inf/infinity/nan.
const GO_FLOAT = /^[-+]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|inf|infinity|nan)$/i;
// go-yaml v2 parseTimestamp layouts (only tried when the scalar starts with a digit).
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/;
// encode.go isBase60Float: YAML 1.1 sexagesimal numbers must stay quoted.
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

function resolvesToNonString(s: string): boolean {
  if (s === '' || RESOLVES_TO_NON_STRING.has(s)) return true;
  if (!'+-.0123456789'.includes(s[0] ?? '')) return false;
  const plain = s.replace(/_/g, '');
  return GO_INT.test(plain) || GO_FLOAT.test(plain) || TIMESTAMP.test(s) || BASE60_FLOAT.test(s);
}

/** libyaml's "special characters": anything not printable in the YAML sense (tab included). */
function hasSpecialCharacters(s: string): boolean {
  return /[\u0000-\u0009\u000b-\u001f\u007f-\u0084\u0086-\u009f\ud800-\udfff\ufffe\uffff]/.test(s);
}

/** libyaml yaml_emitter_analyze_scalar: whether a single-line string may be written plain in block context. */
function plainAllowed(s: string): boolean {
  if (s.startsWith('---') || s.startsWith('...')) return false;
  if (/^\s|\s$/.test(s)) return false;
  const blank = (i: number) => i >= s.length || s[i] === ' ' || s[i] === '\t';
  const first = s[0] ?? '';
  if ('#,[]{}&*!|>\'"%@`'.includes(first)) return false;
  if ((first === '?' || first === ':' || first === '-') && blank(1)) return false;
  for (let i = 1; i < s.length; i++) {
    if (s[i] === ':' && blank(i + 1)) return false;
    if (s[i] === '#' && blank(i - 1)) return false;
  }
  return true;
}

type ScalarStyle = Scalar.Type;

/** The style go-yaml v2 (as vendored by sigs.k8s.io/yaml) gives a string. */
export function scalarStyle(s: string): ScalarStyle {
  if (s.includes('\n')) return Scalar.BLOCK_LITERAL;
  if (resolvesToNonString(s) || hasSpecialCharacters(s)) return Scalar.QUOTE_DOUBLE;
  if (plainAllowed(s)) return Scalar.PLAIN;
  return Scalar.QUOTE_SINGLE;
}

/** A Pod (or any JSON-like object) as the bytes kubeadm writes to /etc/kubernetes/manifests. */
export function podToYaml(pod: object): string {
  const doc = new Document(sortKeysDeep(pod));
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string') node.type = scalarStyle(node.value);
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, minContentWidth: 0, doubleQuotedAsJSON: true });
}
