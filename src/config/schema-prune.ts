// After the schema refuses parts of a YAML document, the rest is still checked: each refused value
// is cut out (a wrong key, a value of the wrong type, a list holding one), so the semantic checks
// run on what the schema accepted and one run reports every error. Paths are not renumbered:
// a list is dropped whole rather than shortened, so every later index still names its own line.
import type { ErrorObject } from 'ajv';

type Container = Record<string, unknown> | unknown[];

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

function parentOf(root: unknown, path: string): { parent: Container; key: string } | undefined {
  const segs = path.split('/').slice(1).map(unescape);
  if (segs.length === 0) return undefined;
  let cur: unknown = root;
  for (const s of segs.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  if (cur === null || typeof cur !== 'object') return undefined;
  return { parent: cur as Container, key: segs[segs.length - 1]! };
}

/** Removes the value at `path`; inside a list, the list goes (its indexes must not shift). */
function cut(root: unknown, path: string): void {
  for (let p = path; p !== ''; p = p.slice(0, p.lastIndexOf('/'))) {
    const at = parentOf(root, p);
    if (!at) return;
    if (!Array.isArray(at.parent)) { delete at.parent[at.key]; return; }
  }
}

/** Cuts what each schema error refers to; `required` leaves the object (the builder copes, or load catches it). */
export function pruneRefused(data: unknown, errors: ErrorObject[]): void {
  for (const e of errors) {
    if (e.keyword === 'required' || e.keyword === 'if') continue;
    const path = e.keyword === 'additionalProperties'
      ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty).replace(/~/g, '~0').replace(/\//g, '~1')}`
      : e.instancePath;
    cut(data, path);
  }
}
