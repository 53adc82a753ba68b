// keepalived `virtual_routes { ... }` and `virtual_rules { ... }` lines -> raw input objects
// (VirtualRouteInput / VirtualRuleInput). Syntax only: addresses, families and ranges are checked
// by semantic-vrrp.ts for both readers. Options vipkeeper does not install are refused by name,
// since a silently dropped `or` gateway or `uidrange` would route traffic differently.
import type { Token } from './tokens.js';
import type { Ctx, Handler, Obj } from './context.js';

const ROUTE_TYPES = new Set(['blackhole', 'unreachable', 'prohibit', 'throw']);
const ROUTE_VALUE: Record<string, string> = { src: 'src', via: 'via', gw: 'via', dev: 'dev', table: 'table', metric: 'metric', scope: 'scope', to: 'to' };
const RULE_VALUE: Record<string, string> = { from: 'from', to: 'to', table: 'table', priority: 'priority', preference: 'priority', pref: 'priority', iif: 'iif', oif: 'oif', tos: 'tos', fwmark: 'fwmark' };
const RULE_ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit']);
const NUMERIC = new Set(['metric', 'priority', 'tos']);

/** Table ids by the names iproute2 always knows (rt_tables(5)); other names are not looked up. */
const TABLE_NAMES: Record<string, number> = { default: 253, main: 254, local: 255 };

function num(ctx: Ctx, t: Token, what: string): number | undefined {
  if (!/^\d+$/.test(t.text) || !Number.isSafeInteger(Number(t.text))) { ctx.error(t, `${what} must be a non-negative integer, got '${t.text}'`); return undefined; }
  return Number(t.text);
}

function table(ctx: Ctx, t: Token, block: string): number | undefined {
  const named = TABLE_NAMES[t.text];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(t.text)) { ctx.error(t, `${block}: table '${t.text}' must be a number (or main, local, default)`); return undefined; }
  return num(ctx, t, `${block}: table`);
}

/** One line as tokens: its key is a word like the others (a route may begin with its prefix). */
const words = (line: { key: Token; args: Token[] }): Token[] => [line.key, ...line.args];

function lines(field: string, parse: (ctx: Ctx, ws: Token[], item: Obj, at: string) => void): Handler {
  return (ctx, n, o, p) => {
    const list = (o[field] ??= []) as unknown[];
    ctx.at(`${p}/${field}`, n.key);
    for (const line of n.children ?? []) {
      if (line.children) { ctx.error(line.key, `${n.key.text}: a line does not take a { } block`); continue; }
      const at = `${p}/${field}/${list.length}`;
      const item: Obj = {};
      ctx.at(at, line.key);
      parse(ctx, words(line), item, at);
      list.push(item);
    }
  };
}

/** `[src A] [to] PREFIX [via|gw A] [dev IF] [table N] [metric N] [scope S] [no_track]`, optionally typed. */
export const routeLines: Handler = lines('virtualRoutes', (ctx, ws, item, at) => {
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if (w.text === 'no_track') { item.noTrack = true; ctx.at(`${at}/noTrack`, w); continue; }
    if (ROUTE_TYPES.has(w.text) && item.to === undefined && item.type === undefined) { item.type = w.text; ctx.at(`${at}/type`, w); continue; }
    const f = ROUTE_VALUE[w.text];
    if (f === undefined) {
      if (item.to === undefined && !/^[a-z_]+$/.test(w.text)) { item.to = w.text; ctx.at(`${at}/to`, w); continue; }
      ctx.error(w, `virtual_routes: option '${w.text}' is not supported by vipkeeper (use src, to, via/gw, dev, table, metric, scope, blackhole/unreachable/prohibit/throw, no_track)`);
      return;
    }
    const v = ws[++i];
    if (!v) { ctx.error(w, `virtual_routes: '${w.text}' needs a value`); return; }
    ctx.at(`${at}/${f}`, v);
    if (f === 'table') item.table = table(ctx, v, 'virtual_routes');
    else if (NUMERIC.has(f)) item[f] = num(ctx, v, `virtual_routes: ${w.text}`);
    else item[f] = v.text;
  }
  if (item.to === undefined) ctx.error(ws[0]!, 'virtual_routes: the line names no destination (e.g. 10.1.0.0/16 or 0.0.0.0/0)');
});

/** `[from P] [to P] [table N | blackhole|unreachable|prohibit] [priority N] [iif IF] [oif IF] [tos N] [fwmark M[/MASK]] [no_track]` */
export const ruleLines: Handler = lines('virtualRules', (ctx, ws, item, at) => {
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if (w.text === 'no_track') { item.noTrack = true; ctx.at(`${at}/noTrack`, w); continue; }
    if (RULE_ACTIONS.has(w.text)) { item.action = w.text; ctx.at(`${at}/action`, w); continue; }
    const f = RULE_VALUE[w.text];
    if (f === undefined) {
      ctx.error(w, `virtual_rules: option '${w.text}' is not supported by vipkeeper (use from, to, table, priority, iif, oif, tos, fwmark, blackhole/unreachable/prohibit, no_track)`);
      return;
    }
    const v = ws[++i];
    if (!v) { ctx.error(w, `virtual_rules: '${w.text}' needs a value`); return; }
    ctx.at(`${at}/${f}`, v);
    if (f === 'table') item.table = table(ctx, v, 'virtual_rules');
    else if (NUMERIC.has(f)) item[f] = num(ctx, v, `virtual_rules: ${w.text}`);
    else if (f === 'fwmark') {
      const [mark, mask] = v.text.split('/');
      const m = parseMark(mark!), k = mask === undefined ? undefined : parseMark(mask);
      if (m === undefined || (mask !== undefined && k === undefined)) { ctx.error(v, `virtual_rules: fwmark must be MARK or MARK/MASK (decimal or 0x hex), got '${v.text}'`); return; }
      item.fwmark = m;
      if (k !== undefined) { item.fwmask = k; ctx.at(`${at}/fwmask`, v); }
    } else item[f] = v.text;
  }
});

function parseMark(s: string): number | undefined {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 0xffffffff ? n : undefined;
}
