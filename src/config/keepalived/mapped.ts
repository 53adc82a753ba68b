// Text that remembers which source column each character came from. keepalived rewrites lines
// before parsing them (parameters, ~SEQ/~LST, @id); an error in the rewritten line must still
// point at the column the operator wrote, so every rewrite goes through these helpers.

/** From output offset `at` on, characters map to `col` (+ the distance from `at` unless `fixed`). */
export interface Piece { at: number; col: number; fixed: boolean }

export interface Mapped { text: string; pieces: Piece[] }

/** Source text starting at 1-based column `col`. */
export const original = (text: string, col = 1): Mapped => ({ text, pieces: [{ at: 0, col, fixed: false }] });

/** Inserted text (a parameter's value): every character maps to the column of what it replaced. */
export const inserted = (text: string, col: number): Mapped => ({ text, pieces: [{ at: 0, col, fixed: true }] });

/** 1-based source column of output offset `offset`. */
export function colAt(m: Mapped, offset: number): number {
  const p = m.pieces[pieceAt(m, offset)]!;
  return p.fixed ? p.col : p.col + (offset - p.at);
}

/** Index of the piece holding output offset `offset` (binary search: lines can be megabytes). */
function pieceAt(m: Mapped, offset: number): number {
  let lo = 0, hi = m.pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (m.pieces[mid]!.at <= offset) lo = mid; else hi = mid - 1;
  }
  return lo;
}

export function slice(m: Mapped, start: number, end = m.text.length): Mapped {
  if (start >= end) return { text: '', pieces: [{ at: 0, col: colAt(m, start), fixed: true }] };
  const first = pieceAt(m, start);
  const head = m.pieces[first]!;
  const pieces: Piece[] = [{ at: 0, col: head.fixed ? head.col : head.col + (start - head.at), fixed: head.fixed }];
  for (let i = first + 1; i < m.pieces.length && m.pieces[i]!.at < end; i++) pieces.push({ ...m.pieces[i]!, at: m.pieces[i]!.at - start });
  return { text: m.text.slice(start, end), pieces };
}

export function concat(parts: Mapped[]): Mapped {
  const pieces: Piece[] = [];
  let at = 0;
  for (const p of parts) {
    if (p.text.length === 0) continue;
    for (const q of p.pieces) pieces.push({ ...q, at: q.at + at });
    at += p.text.length;
  }
  if (pieces.length === 0) pieces.push(parts[0]?.pieces[0] ?? { at: 0, col: 1, fixed: true });
  return { text: parts.map((p) => p.text).join(''), pieces };
}

/** Without leading white space. */
export function trimStart(m: Mapped): Mapped {
  const n = m.text.length - m.text.trimStart().length;
  return n === 0 ? m : slice(m, n);
}
