// The YAML library nests its work as deep as the document nests, so a hostile file (100,000
// `[`, or `- - - - ...`) would exhaust the call stack. This scan bounds the nesting first, from
// the text alone and without recursion: flow brackets, indentation levels and compact `- ` markers.
// It may over-count (brackets inside quoted strings): a real configuration nests about 7 deep.

export const MAX_YAML_DEPTH = 64;

/** The first place nesting passes MAX_YAML_DEPTH, or undefined. */
export function tooDeep(text: string): { line: number; col: number } | undefined {
  const indents: number[] = [];
  let flow = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const body = l.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const indent = l.length - body.length;
    if (flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! >= indent) indents.pop();
      indents.push(indent);
    }
    const dashes = /^(?:[-?][ \t]+)*/.exec(body)![0].replace(/[ \t]/g, '').length;
    let quote = '';
    let prev = ''; // the last character that was not a blank: a bracket opens only where a value starts
    for (let j = 0; j < l.length; j++) {
      const c = l[j]!;
      if (quote) { if (c === quote) quote = ''; continue; }
      if (c === ' ' || c === '\t') continue;
      if ((c === '"' || c === "'") && /^$|[,[{:?-]/.test(prev)) { quote = c; prev = c; continue; }
      if (c === '#' && (j === 0 || /\s/.test(l[j - 1]!))) break;
      if ((c === '[' || c === '{') && /^$|[,[{:?-]/.test(prev)) flow++;
      else if ((c === ']' || c === '}') && flow > 0) flow--;
      prev = c;
      if (indents.length + dashes + flow > MAX_YAML_DEPTH) return { line: i + 1, col: j + 1 };
    }
    if (indents.length + dashes > MAX_YAML_DEPTH) return { line: i + 1, col: indent + 1 };
  }
  return undefined;
}
