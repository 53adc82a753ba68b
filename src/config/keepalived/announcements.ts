// keepalived.conf form of the `announcements` section. keepalived has no such block: this one is
// vipkeeper only (keepalived itself would stop at the unknown keyword), so a keepalived.conf that
// uses it is no longer a keepalived config. One `route` line per prefix:
//
//   vipkeeper_announcements {
//     table 100
//     route 10.20.0.1/32 virtual_server 10.20.0.1:80/TCP hold_down 5 metric 10
//     route 10.20.0.2/32 vrrp_instance VI_1
//     route 10.20.1.0/24 always
//   }
//
// Range and reference checks are shared with YAML (src/config/announcements.ts).
import type { Node } from './parser.js';
import type { Token } from './lexer.js';
import { put, type Ctx, type Obj } from './context.js';

export const ANNOUNCEMENTS_KEYWORD = 'vipkeeper_announcements';
const PATH = '/announcements';

/** Translates one block into `out.announcements` (a second block is an error: one table per director). */
export function translateAnnouncements(ctx: Ctx, n: Node, out: Obj): void {
  if (out.announcements !== undefined) { ctx.error(n.key, `${ANNOUNCEMENTS_KEYWORD} given twice; put every route in one block`); return; }
  if (!n.children) { ctx.error(n.key, `${ANNOUNCEMENTS_KEYWORD} needs a { } block`); return; }
  if (n.args.length > 0) ctx.error(n.args[0]!, `${ANNOUNCEMENTS_KEYWORD} takes no name; got '${n.args[0]!.text}'`);
  const a: Obj = {};
  ctx.at(PATH, n.key);
  const routes: Obj[] = [];
  for (const c of n.children) {
    switch (c.key.text) {
      case 'table': ctx.noBlock(c); put(ctx, a, PATH, 'table', ctx.int(c), c.key); break;
      case 'route': ctx.noBlock(c); routeLine(ctx, c, routes); break;
      default: ctx.unknown(c, ANNOUNCEMENTS_KEYWORD);
    }
  }
  if (routes.length > 0) { a.routes = routes; ctx.at(`${PATH}/routes`, n.key); }
  out.announcements = a;
}

/** `route PREFIX (virtual_server VS | vrrp_instance NAME | always) [hold_down S] [metric N]`, options in any order. */
function routeLine(ctx: Ctx, n: Node, routes: Obj[]): void {
  const prefix = ctx.arg(n);
  if (!prefix) return;
  const at = `${PATH}/routes/${routes.length}`;
  const r: Obj = { prefix: prefix.text };
  ctx.at(at, n.key);
  ctx.at(`${at}/prefix`, prefix);
  const words = n.args.slice(1);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const value = (): Token | undefined => {
      const v = words[i + 1];
      if (!v) ctx.error(w, `route ${prefix.text}: '${w.text}' needs a value`);
      else i++;
      return v;
    };
    switch (w.text) {
      case 'virtual_server': { const v = value(); if (v) put(ctx, r, at, 'virtualServer', v.text, w); break; }
      case 'vrrp_instance': { const v = value(); if (v) put(ctx, r, at, 'vrrpInstance', v.text, w); break; }
      case 'always': put(ctx, r, at, 'always', true, w); break;
      case 'hold_down': {
        const v = value();
        if (!v) break;
        if (!/^\d+(\.\d+)?$/.test(v.text)) { ctx.error(v, `route ${prefix.text}: 'hold_down' must be a number of seconds, got '${v.text}'`); break; }
        put(ctx, r, at, 'holdDownS', Number(v.text), w);
        break;
      }
      case 'metric': {
        const v = value();
        if (!v) break;
        if (!/^\d+$/.test(v.text)) { ctx.error(v, `route ${prefix.text}: 'metric' must be a whole number, got '${v.text}'`); break; }
        put(ctx, r, at, 'metric', Number(v.text), w);
        break;
      }
      default:
        // The words after an unknown one cannot be told apart from its values: report it alone.
        ctx.error(w, `route ${prefix.text}: unknown option '${w.text}' (virtual_server, vrrp_instance, always, hold_down, metric)`);
        i = words.length;
    }
  }
  routes.push(r);
}
