// global_defs keywords for the IPVS side: lvs_flush_on_stop, lvs_timeouts, lvs_sync_daemon.
// Syntax as keepalived 2.2.7's global parser takes it; ranges and the instance name are checked
// in semantic-lvs-global.ts so YAML gets the same messages.
import type { Token } from './lexer.js';
import { put, type Handler, type Obj, type Spec } from './context.js';

/** `lvs_flush_on_stop [VS]`: alone, flush the whole table at stop. */
const flushOnStop: Handler = (ctx, n, o, p) => {
  const arg = n.args[0];
  if (arg === undefined) { put(ctx, o, p, 'lvsFlushOnStop', true, n.key); return; }
  if (arg.text === 'VS') {
    // keepalived's VS mode removes only its own virtual servers, which is what vipkeeper does without the keyword.
    ctx.warn(arg, 'lvs_flush_on_stop VS: vipkeeper removes the virtual servers it created at stop anyway; write lvs_flush_on_stop alone to flush the whole IPVS table');
    put(ctx, o, p, 'lvsFlushOnStop', false, n.key);
    return;
  }
  ctx.error(arg, `lvs_flush_on_stop takes nothing or VS, got '${arg.text}'`);
};

const integer = (t: Token | undefined): number | undefined => (t && /^\d+$/.test(t.text) ? Number(t.text) : undefined);

const TIMEOUTS: Record<string, string> = { tcp: 'tcpS', tcpfin: 'tcpFinS', udp: 'udpS' };

/** `lvs_timeouts [tcp N] [tcpfin N] [udp N]` in seconds, any subset, any order. */
const timeouts: Handler = (ctx, n, o, p) => {
  if (n.args.length === 0) { ctx.error(n.key, "lvs_timeouts needs at least one of 'tcp N', 'tcpfin N', 'udp N'"); return; }
  const t: Obj = (o.lvsTimeouts as Obj | undefined) ?? {};
  ctx.at(`${p}/lvsTimeouts`, n.key);
  for (let i = 0; i < n.args.length; i += 2) {
    const k = n.args[i]!, v = n.args[i + 1];
    const field = TIMEOUTS[k.text];
    if (!field) { ctx.error(k, `lvs_timeouts: unknown option '${k.text}' (tcp, tcpfin or udp)`); return; }
    const value = integer(v);
    if (value === undefined) { ctx.error(v ?? k, `lvs_timeouts ${k.text} needs a number of seconds${v ? `, got '${v.text}'` : ''}`); return; }
    put(ctx, t, `${p}/lvsTimeouts`, field, value, v!);
  }
  o.lvsTimeouts = t;
};

const SYNC_NUMBERS: Record<string, string> = { id: 'syncId', maxlen: 'maxLen', port: 'port', ttl: 'ttl' };

/**
 * `lvs_sync_daemon IFACE [[inst] INSTANCE] [id N] [maxlen L] [port P] [ttl T] [group ADDR]`, and
 * keepalived's older positional form `IFACE INSTANCE [SYNC_ID]`.
 */
const syncDaemon: Handler = (ctx, n, o, p) => {
  if (o.lvsSyncDaemon !== undefined) {
    const first = ctx.sources.get(`${p}/lvsSyncDaemon`);
    ctx.error(n.key, `lvs_sync_daemon is given twice${first ? ` (first at line ${first.line})` : ''}; the kernel runs one sync daemon`);
    return;
  }
  const iface = n.args[0];
  if (!iface) { ctx.error(n.key, 'lvs_sync_daemon needs an interface and a VRRP instance: lvs_sync_daemon IFACE INSTANCE'); return; }
  const sp = `${p}/lvsSyncDaemon`;
  const s: Obj = {};
  ctx.at(sp, n.key);
  put(ctx, s, sp, 'interface', iface.text, iface);
  for (let i = 1; i < n.args.length; i++) {
    const k = n.args[i]!, v = n.args[i + 1];
    if (k.text === 'inst' || k.text === 'group' || SYNC_NUMBERS[k.text]) {
      if (!v) { ctx.error(k, `lvs_sync_daemon ${k.text} needs a value`); return; }
      i++;
      if (k.text === 'inst') put(ctx, s, sp, 'vrrpInstance', v.text, v);
      else if (k.text === 'group') put(ctx, s, sp, 'group', v.text, v);
      else {
        const value = integer(v);
        if (value === undefined) { ctx.error(v, `lvs_sync_daemon ${k.text} must be an integer, got '${v.text}'`); return; }
        put(ctx, s, sp, SYNC_NUMBERS[k.text]!, value, v);
      }
    } else if (i === 1) put(ctx, s, sp, 'vrrpInstance', k.text, k);
    else if (i === 2 && integer(k) !== undefined && s.syncId === undefined) {
      ctx.warn(k, `lvs_sync_daemon: write the sync id as 'id ${k.text}' (keepalived asks for the keyword too)`);
      put(ctx, s, sp, 'syncId', integer(k), k);
    } else { ctx.error(k, `lvs_sync_daemon: unknown option '${k.text}' (inst, id, maxlen, port, ttl, group)`); return; }
  }
  if (s.vrrpInstance === undefined) {
    ctx.error(n.key, 'lvs_sync_daemon needs the VRRP instance whose state it follows: lvs_sync_daemon IFACE INSTANCE');
    return;
  }
  o.lvsSyncDaemon = s;
};

export const globalLvsSpec: Spec = {
  lvs_flush_on_stop: flushOnStop,
  lvs_timeouts: timeouts,
  lvs_sync_daemon: syncDaemon,
};
