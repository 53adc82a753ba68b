// Whether text is an IPv6 address, accepting exactly what node:net's isIPv6 accepts (RFC 4291
// text forms, an embedded dotted quad, an optional %zone), without its regular expression: that
// one takes ~5 ms to compile on first use, paid by every `vipkeeper check` and daemon start.

const hexDigit = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const zoneChar = (c: number): boolean => (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46;

/** A dotted quad of decimal octets without leading zeros (node's IPv4 syntax). */
export function isDottedQuad(s: string, from = 0, to = s.length): boolean {
  let parts = 0;
  let i = from;
  while (parts < 4) {
    const start = i;
    let v = 0;
    while (i < to && i - start < 3 && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) v = v * 10 + s.charCodeAt(i++) - 48;
    const n = i - start;
    if (n === 0 || v > 255 || (n > 1 && s.charCodeAt(start) === 48)) return false;
    parts++;
    if (parts < 4) { if (i >= to || s.charCodeAt(i) !== 46) return false; i++; }
  }
  return i === to;
}

/** Counts the groups of s[from, to) ("a:b:c", possibly ending in a dotted quad: 2 groups); -1 if malformed. */
function groups(s: string, from: number, to: number, quadAllowed: boolean): number {
  if (from === to) return 0;
  let n = 0;
  let i = from;
  for (;;) {
    const start = i;
    while (i < to && i - start < 5 && hexDigit(s.charCodeAt(i))) i++;
    if (i < to && s.charCodeAt(i) === 46) {
      // A dotted quad: only as the last piece.
      return quadAllowed && isDottedQuad(s, start, to) ? n + 2 : -1;
    }
    const len = i - start;
    if (len === 0 || len > 4) return -1;
    n++;
    if (i === to) return n;
    if (s.charCodeAt(i) !== 58) return -1;
    i++;
    if (i === to) return -1; // a trailing single colon
  }
}

export function isIPv6Text(text: string): boolean {
  let end = text.indexOf('%');
  if (end >= 0) {
    if (end === text.length - 1) return false;
    for (let k = end + 1; k < text.length; k++) if (!zoneChar(text.charCodeAt(k))) return false;
  } else end = text.length;
  const dc = text.indexOf('::');
  if (dc < 0 || dc >= end) return groups(text, 0, end, true) === 8;
  if (text.indexOf('::', dc + 1) >= 0 && text.indexOf('::', dc + 1) < end) return false;
  const head = groups(text, 0, dc, false);
  const tail = groups(text, dc + 2, end, true);
  return head >= 0 && tail >= 0 && head + tail <= 7;
}
