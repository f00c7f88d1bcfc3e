/**
 * The inventory as parsed YAML, kept with its positions so that every problem can be reported at
 * file:line:column. YAML syntax errors are reported here; structure and meaning are checked elsewhere.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { FieldPath, LocatedProblem, Problem } from './errors.js';

export interface InventoryDocument {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
  /** YAML syntax problems, already located. */
  syntaxProblems: LocatedProblem[];
}

export function parseInventoryText(file: string, text: string): InventoryDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntaxProblems = [...doc.errors].map((error) => {
    const { line, col } = lines.linePos(error.pos[0]);
    // yaml's messages end with a code frame when prettyErrors is on; keep only the first line.
    const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
    return { file, line, col, path: [], message: message.charAt(0).toLowerCase() + message.slice(1) };
  });
  const data = syntaxProblems.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  return { file, doc, lines, data, syntaxProblems };
}

/** The node for a field, walking maps by key and sequences by index, or undefined where the path leaves the tree. */
function nodeAt(doc: Document.Parsed, path: FieldPath): { node?: Node; key?: Node } {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair) return { node: node as Node };
      key = pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === 'number' && node.items[part]) {
      key = undefined;
      node = node.items[part];
    } else {
      return { node: node as Node };
    }
  }
  return { node: node as Node, key };
}

/** Locates a problem at its field's value (or key), falling back to the closest existing parent. */
export function locate(parsed: InventoryDocument, problem: Problem): LocatedProblem {
  const { node, key } = nodeAt(parsed.doc, problem.path);
  const target = problem.atKey && key ? key : node;
  const offset = target?.range?.[0] ?? 0;
  const { line, col } = parsed.lines.linePos(offset);
  return { ...problem, file: parsed.file, line, col };
}
