// Text forms of the raw input -> typed model values: addresses with prefixes, commands, status
// code ranges. Problems go to a Reporter, which turns an input path into file:line:col.
import { compareAddr, formatIP, parseIP, parsePrefix } from '../lib/ip.js';
import type { Diagnostic, Family, ScriptCommand } from './model.js';
import { displayPath, lookupPos, type ScriptInput, type SourceMap } from './input.js';
import { Positions } from './positions.js';

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  /** `format` decides how a message names what it is about: the file's own words (see subject). */
  constructor(readonly sources: SourceMap, readonly file: string, readonly format: 'yaml' | 'keepalived' = 'keepalived') {}
  /**
   * The name of the value at `path` in the file's own terms: the keepalived wording the check
   * gives (`vrrp_instance VI_1: virtual_router_id`), or for YAML the key path (`vrrpInstances[0].vrid`).
   * Messages say the rest in words common to both, so each is written once.
   */
  subject(path: string, keepalived: string): string {
    return this.format === 'yaml' ? displayPath(path) : keepalived;
  }
  /** `owner: 'key' is required`, with the owner and key in the file's own terms. */
  missing(path: string, owner: string, keyword: string, detail = ''): void {
    const cut = path.lastIndexOf('/');
    const text = this.format === 'yaml'
      ? `${displayPath(path.slice(0, cut))}: '${path.slice(cut + 1)}' is required${detail}`
      : `${owner}: '${keyword}' is required${detail}`;
    this.error(path, text);
  }
  error(path: string, message: string): void {
    this.diagnostics.push({ severity: 'error', ...lookupPos(this.sources, path, this.file), message });
  }
  warn(path: string, message: string): void {
    this.diagnostics.push({ severity: 'warning', ...lookupPos(this.sources, path, this.file), message });
  }
  /** A value taken from another one (a default or an inherited timer) is reported where that one was written. */
  alias(path: string, from: string): void {
    if (this.sources instanceof Positions) { this.sources.alias(path, from); return; }
    const pos = this.sources.get(from);
    if (pos && !this.sources.has(path)) this.sources.set(path, pos);
  }
}

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const CANONICAL_V4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** "10.0.0.1" -> canonical text and family; undefined (and an error) when not an address. */
export function address(r: Reporter, path: string, text: string, what: string): { address: string; family: Family } | undefined {
  // A dotted quad without leading zeros is already canonical: 10,000 real servers skip the parse.
  if (CANONICAL_V4.test(text)) return { address: text, family: 4 };
  try {
    const { addr, family } = parseIP(text);
    return { address: formatIP(addr), family };
  } catch {
    r.error(path, `${what}: '${text}' is not a valid IPv4 or IPv6 address`);
    return undefined;
  }
}

/**
 * For list entries: a bad address still yields a stand-in (its error is already reported; a model
 * with errors is never handed out) so the entries after it keep their index, and so their own
 * errors keep their lines.
 */
export function standIn(text: string): { address: string; family: Family; prefixLen: number } {
  return { address: text, family: text.includes(':') ? 6 : 4, prefixLen: 0 };
}

/** "10.0.0.1/24" -> address, family, prefix length (default full length). */
export function prefix(r: Reporter, path: string, text: string, what: string): { address: string; family: Family; prefixLen: number } | undefined {
  try {
    const p = parsePrefix(text);
    return { address: formatIP(p.addr), family: p.family, prefixLen: p.len };
  } catch (e) {
    const msg = (e as Error).message.startsWith('prefix length') ? `prefix length must be 0-${text.includes(':') ? 128 : 32}` : 'not a valid address/prefix';
    r.error(path, `${what}: '${text}': ${msg}`);
    return undefined;
  }
}

/**
 * A virtual_server_group address: "A", "A/LEN", or "A-END" where END is the last IPv4 octet
 * (decimal) or IPv6 group (hex), or a whole address; the range must grow, as keepalived requires.
 */
export function groupAddress(r: Reporter, path: string, text: string): { family: Family } | undefined {
  const sep = text.search(/[-/]/);
  const start = address(r, path, sep < 0 ? text : text.slice(0, sep), 'virtual_server_group');
  if (!start || sep < 0) return start;
  const end = text.slice(sep + 1);
  const max = start.family === 4 ? 32 : 128;
  if (text[sep] === '/') {
    if (/^\d{1,3}$/.test(end) && Number(end) <= max) return start;
    r.error(path, `virtual_server_group: '${text}': prefix length must be 0-${max}`);
    return undefined;
  }
  const from = parseIP(start.address).addr;
  const last = start.family === 4 ? from[3]! : (from[14]! << 8) | from[15]!;
  const limit = start.family === 4 ? 255 : 0xffff;
  const endNum = start.family === 4 ? (/^\d{1,3}$/.test(end) ? Number(end) : NaN) : (/^[0-9a-f]{1,4}$/i.test(end) ? parseInt(end, 16) : NaN);
  let grows: boolean;
  if (!Number.isNaN(endNum)) grows = endNum <= limit && endNum > last;
  else {
    let to: Uint8Array | undefined;
    try { to = parseIP(end).addr; } catch { to = undefined; }
    grows = to !== undefined && to.length === from.length && compareAddr(to, from) > 0;
  }
  if (grows) return start;
  const what = start.family === 4 ? `a last octet ${last + 1}-255` : `a last group ${(last + 1).toString(16)}-ffff (hex)`;
  r.error(path, `virtual_server_group: range '${text}' must end above its start: ${what}, or a larger address`);
  return undefined;
}

/** Splits a command line the way keepalived does: whitespace separates words; quotes group; `\x` is x. */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  let cur = '', inWord = false, quote: string | null = null, escaped = false;
  for (const c of text) {
    if (escaped) { cur += c; inWord = true; escaped = false; continue; }
    if (c === '\\') { escaped = true; continue; }
    if (quote) { if (c === quote) quote = null; else cur += c; continue; }
    if (c === '"' || c === "'") { quote = c; inWord = true; continue; }
    if (/\s/.test(c)) { if (inWord) out.push(cur); cur = ''; inWord = false; continue; }
    cur += c; inWord = true;
  }
  if (inWord) out.push(cur);
  return out;
}

export function script(r: Reporter, path: string, input: ScriptInput | undefined, what: string): ScriptCommand | undefined {
  if (input === undefined) return undefined;
  const obj = typeof input === 'object' && !Array.isArray(input) ? input : { argv: input };
  const argv = Array.isArray(obj.argv) ? [...obj.argv] : splitCommand(obj.argv);
  if (argv.length === 0 || argv[0] === '') { r.error(path, `${what}: empty command`); return undefined; }
  const cmd: ScriptCommand = { argv };
  if (obj.user !== undefined) cmd.user = obj.user;
  if (obj.group !== undefined) cmd.group = obj.group;
  return cmd;
}

/** status_code entries: 200, "200-299" -> inclusive ranges within 100-599. */
export function statusRanges(r: Reporter, path: string, codes: Array<number | string>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  codes.forEach((c, i) => {
    const m = /^(\d+)(?:-(\d+))?$/.exec(String(c));
    const lo = m ? Number(m[1]) : NaN, hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || lo < 100 || hi > 599 || lo > hi) { r.error(`${path}/${i}`, `status_code '${c}': must be a code or range within 100-599`); return; }
    out.push([lo, hi]);
  });
  return out;
}
