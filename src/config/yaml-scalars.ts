// Plain YAML scalars as the `yaml` library resolves them under the 1.2 core schema (its
// src/schema/core: null, bool, int, float), for yaml-fast.ts. A form that library reads some
// other way than the fast path would (octal, hex, exponent, .inf/.nan, integers past 2^53, keys
// that are not plain strings) throws Bail: the document is then left to the library.

/** Thrown when the text leaves what the fast path reads the way `yaml` does. */
export class Bail extends Error {}
export const bail = (): never => { throw new Bail(); };

// Core schema (yaml's src/schema/core): what a plain scalar resolves to.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
// Other number forms (octal, hex, exponent, inf, nan): left to `yaml`.
const OTHER_NUMBER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
/** Could `s` resolve to anything but a string? Only if it starts like null, a bool or a number. */
function special(s: string): boolean {
  const c = s.charCodeAt(0);
  // a-z and A-Z other than n N t T f F (null, true, false) start plain strings only.
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) return c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70;
  return c !== 47 && c !== 95; // '/' and '_' too; anything else goes through the regexes
}

export function resolvePlain(s: string): unknown {
  if (!special(s)) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT.test(s)) {
    const n = parseInt(s, 10);
    // Past 2^53 the slow path reports the value: leave it to that path.
    return Number.isSafeInteger(n) ? n : bail();
  }
  if (FLOAT.test(s)) return parseFloat(s);
  if (OTHER_NUMBER.test(s)) bail();
  return s;
}

/** A key must stay a string under the core schema and be an ordinary property name. */
export function plainKey(s: string): string {
  if (!special(s) && s !== '__proto__') return s;
  if (s === '<<' || s === '__proto__' || NULL.test(s) || BOOL.test(s) || INT.test(s) || FLOAT.test(s) || OTHER_NUMBER.test(s)) bail();
  return s;
}
