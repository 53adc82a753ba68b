// keepalived LVS blocks -> raw input: virtual_server(_group), real_server and its checkers.
// Syntax only; ranges and names are checked in semantic.ts for both readers.
import { DNS_TYPES, LB_KINDS, SCHED_FLAGS, SCHEDULERS } from '../model.js';
import type { Node } from './parser.js';
import {
  boolField, commandField, enumField, foldUser, intField, msField, put, scriptField, scriptUser, strField,
  type Ctx, type Handler, type Obj, type Spec,
} from './context.js';
import { weightHandler } from './vrrp.js';

/** lb_kind / lvs_method: NAT|DR|TUN [type ...] (tunnel options are not implemented). */
const kindField = (field: string): Handler => (ctx, n, o, p) => {
  enumField(field, LB_KINDS, true)(ctx, n, o, p);
  if (n.args.length > 1) ctx.warn(n.args[1]!, `${n.key.text}: tunnel options are not implemented by vipkeeper; ignored`);
};

/** Settings shared by virtual server, real server and checker (the cascade). */
const cascadeSpec: Spec = {
  connect_timeout: msField('connectTimeoutMs'),
  retry: intField('retry'),
  nb_get_retry: intField('retry'),
  delay_before_retry: msField('delayBeforeRetryMs'),
  delay_loop: msField('delayLoopMs'),
  warmup: msField('warmupMs'),
  alpha: boolField('alpha'),
};

const urlSpec: Spec = {
  path: strField('path'),
  digest: strField('digest'),
  virtualhost: strField('virtualhost'),
  status_code: (ctx, n, o, p) => {
    if (!n.args.length) { ctx.arg(n); return; }
    const codes = n.args.map((t) => (/^\d+$/.test(t.text) ? Number(t.text) : t.text));
    put(ctx, o, p, 'statusCodes', codes, n.key);
  },
  regex: (ctx, n, o, p) => {
    const extra = n.args[1];
    if (extra) { ctx.error(extra, `regex takes one pattern; quote it when it has spaces: regex "${n.args.map((t) => t.text).join(' ')}"`); return; }
    put(ctx, o, p, 'regex', ctx.arg(n)?.text, n.args[0] ?? n.key);
  },
  regex_no_match: boolField('regexNoMatch'),
};

const hex = (field: string): Handler => (ctx, n, o, p) => {
  const text = n.args.map((t) => t.text).join('');
  if (text && !/^[0-9a-fA-FxX]+$/.test(text)) { ctx.error(n.args[0]!, `${n.key.text}: not a hex string`); return; }
  if (text) put(ctx, o, p, field, text.toLowerCase(), n.key);
};

const commonSpec: Spec = {
  ...cascadeSpec,
  connect_ip: strField('connectIp'),
  connect_port: intField('connectPort'),
  bindto: strField('bindTo'),
  bind_port: intField('bindPort'),
  bind_if: strField('bindIf'),
  fwmark: intField('fwmark'),
};

/**
 * SMTP_CHECK's deprecated `host { connect_ip ..; connect_port .. }`: keepalived 2.2 turns each host
 * into a checker of its own that inherits the SMTP_CHECK's settings; vipkeeper maps one host onto
 * the SMTP_CHECK and asks for separate SMTP_CHECKs instead of several hosts.
 */
function smtpHost(ctx: Ctx, n: Node, o: Obj, p: string): void {
  if (o.__smtpHost) {
    ctx.error(n.key, 'SMTP_CHECK: vipkeeper checks one target per SMTP_CHECK; write one SMTP_CHECK per host instead of several host blocks');
    return;
  }
  o.__smtpHost = true;
  ctx.warn(n.key, 'SMTP_CHECK host { } is deprecated (keepalived says so too); its settings apply to this SMTP_CHECK: write them there directly');
  ctx.block(n.children, commonSpec, o, p, 'SMTP_CHECK host');
}

const checkerSpecs: Record<string, Spec> = {
  common: commonSpec,
  HTTP_GET: {
    url: (ctx, n, o, p) => {
      const list = (o.urls ??= []) as Obj[];
      const up = `${p}/urls/${list.length}`;
      const u: Obj = {};
      ctx.at(up, n.key);
      ctx.block(n.children, urlSpec, u, up, 'url');
      list.push(u);
    },
    virtualhost: strField('virtualhost'),
    http_protocol: enumField('httpProtocol', ['1.0', '1.0C', '1.1']),
    enable_sni: boolField('enableSni'),
    sni_name: strField('sniName'),
  },
  MISC_CHECK: {
    misc_path: commandField('script'),
    misc_timeout: msField('miscTimeoutMs'),
    misc_dynamic: boolField('dynamic'),
    user: scriptUser,
  },
  UDP_CHECK: {
    payload: hex('payloadHex'),
    require_reply: (ctx, n, o, p) => { put(ctx, o, p, 'requireReply', true, n.key); hex('replyHex')(ctx, n, o, p); },
    min_reply_length: intField('minReplyLength'),
    max_reply_length: intField('maxReplyLength'),
  },
  DNS_CHECK: { type: enumField('queryType', DNS_TYPES), name: strField('name') },
  TCP_CHECK: {},
  PING_CHECK: {},
  SMTP_CHECK: { helo_name: strField('heloName'), host: smtpHost },
  // vipkeeper's own checker; keepalived has no GRPC_CHECK.
  GRPC_CHECK: { service: strField('service'), tls: boolField('tls'), authority: strField('authority') },
};
checkerSpecs.SSL_GET = checkerSpecs.HTTP_GET!;
/** Each checker type's full keyword table, merged once; FILE_CHECK has no connection or timers. */
const fullCheckerSpecs: Record<string, Spec> = {
  ...Object.fromEntries(Object.entries(checkerSpecs).filter(([k]) => k !== 'common').map(([k, v]) => [k, { ...checkerSpecs.common, ...v }])),
  FILE_CHECK: { track_file: strField('trackFile'), weight: weightHandler },
};

const checker = (type: string): Handler => (ctx, n, o, p) => {
  const list = o.checkers as Obj[] | undefined;
  const cp = `${p}/checkers/${list ? list.length : 0}`;
  // From `{}`: room for four fields in the object itself (`{ type }` has room for one, and the
  // timers a checker sets would go to a separate, growing array).
  const c: Obj = {};
  c.type = type;
  ctx.at(cp, n.key);
  if (ctx.record) ctx.at(`${cp}/type`, n.key); // the path is built only when positions are kept
  ctx.block(n.children, fullCheckerSpecs[type]!, c, cp, type);
  foldUser(c);
  delete c.__smtpHost;
  // Most real servers have one checker: an array made by push has room for 16, and 10,000 such
  // arrays live (and are copied by the young generation's collections) until the model is built.
  if (list) list.push(c); else o.checkers = [c];
};

/** `ADDR [PORT]` of real_server / sorry_server into `o.address`, `o.port`. */
function endpoint(ctx: Ctx, n: Node, o: Obj, p: string): boolean {
  const a = ctx.arg(n);
  if (!a) return false;
  put(ctx, o, p, 'address', a.text, a);
  const port = n.args[1];
  if (port) {
    if (!/^\d+$/.test(port.text)) { ctx.error(port, `${n.key.text}: port must be an integer, got '${port.text}'`); return false; }
    put(ctx, o, p, 'port', Number(port.text), port);
  }
  return true;
}

const realServerSpec: Spec = {
  ...cascadeSpec,
  weight: intField('weight'),
  lb_kind: kindField('lbKind'),
  lvs_method: kindField('lbKind'),
  notify_up: scriptField('notifyUp'),
  notify_down: scriptField('notifyDown'),
  uthreshold: intField('upperThreshold'),
  lthreshold: intField('lowerThreshold'),
  inhibit_on_failure: boolField('inhibitOnFailure'),
  virtualhost: strField('virtualhost'),
  ...Object.fromEntries(Object.keys(fullCheckerSpecs).map((t) => [t, checker(t)])),
};

const flagHandlers: Spec = Object.fromEntries(SCHED_FLAGS.map((f) => [f, ((ctx, n, o, p) => {
  const flags = (o.schedFlags ??= []) as string[];
  if (!flags.includes(f)) flags.push(f);
  ctx.at(`${p}/schedFlags/${flags.indexOf(f)}`, n.key);
}) as Handler]));

const virtualServerSpec: Spec = {
  ...cascadeSpec,
  ...flagHandlers,
  lb_algo: enumField('lbAlgo', SCHEDULERS, true),
  lvs_sched: enumField('lbAlgo', SCHEDULERS, true),
  lb_kind: kindField('lbKind'),
  lvs_method: kindField('lbKind'),
  ops: boolField('ops'),
  protocol: enumField('protocol', ['TCP', 'UDP', 'SCTP']),
  persistence_timeout: (ctx, n, o, p) => put(ctx, o, p, 'persistenceTimeoutS', n.args.length ? ctx.int(n) : 360, n.key),
  persistence_granularity: strField('persistenceGranularity'),
  quorum: intField('quorum'),
  hysteresis: intField('hysteresis'),
  quorum_up: scriptField('quorumUp'),
  quorum_down: scriptField('quorumDown'),
  omega: boolField('omega'),
  ha_suspend: boolField('haSuspend'),
  inhibit_on_failure: boolField('inhibitOnFailure'),
  virtualhost: strField('virtualhost'),
  ip_family: (ctx, n, o, p) => {
    const t = ctx.arg(n);
    if (t && t.text !== 'inet' && t.text !== 'inet6') { ctx.error(t, `ip_family must be inet or inet6, got '${t.text}'`); return; }
    if (t) put(ctx, o, p, 'family', t.text === 'inet' ? 4 : 6, n.key);
  },
  sorry_server: (ctx, n, o, p) => {
    const s = (o.sorryServer ??= {}) as Obj;
    ctx.at(`${p}/sorryServer`, n.key);
    endpoint(ctx, n, s, `${p}/sorryServer`);
  },
  sorry_server_inhibit: (ctx, n, o, p) => {
    if (!o.sorryServer) ctx.at(`${p}/sorryServer`, n.key);
    const s = (o.sorryServer ??= {}) as Obj;
    put(ctx, s, `${p}/sorryServer`, 'inhibit', ctx.bool(n), n.key);
  },
  sorry_server_lvs_method: (ctx, n, o, p) => {
    if (!o.sorryServer) ctx.at(`${p}/sorryServer`, n.key);
    kindField('lbKind')(ctx, n, (o.sorryServer ??= {}) as Obj, `${p}/sorryServer`);
  },
  real_server: (ctx, n, o, p) => {
    const list = (o.realServers ??= []) as Obj[];
    const rp = `${p}/realServers/${list.length}`;
    const rs: Obj = {};
    ctx.at(rp, n.key);
    if (!endpoint(ctx, n, rs, rp)) return;
    ctx.block(n.children, realServerSpec, rs, rp, `real_server ${rs.address}`);
    list.push(rs);
  },
};

export function translateVirtualServer(ctx: Ctx, n: Node, list: Obj[]): void {
  const p = `/virtualServers/${list.length}`;
  const o: Obj = {};
  ctx.at(p, n.key);
  const [a, b] = n.args;
  if (!a) { ctx.error(n.key, 'virtual_server needs an address and port, fwmark N or group NAME'); return; }
  if (a.text === 'fwmark' || a.text === 'group') {
    if (!b) { ctx.error(a, `virtual_server ${a.text} needs a value`); return; }
    if (a.text === 'fwmark') {
      if (!/^\d+$/.test(b.text)) { ctx.error(b, `fwmark must be an integer, got '${b.text}'`); return; }
      put(ctx, o, p, 'fwmark', Number(b.text), b);
    } else put(ctx, o, p, 'group', b.text, b);
  } else if (!endpoint(ctx, n, o, p)) return;
  if (!n.children) { ctx.error(n.key, 'virtual_server needs a { } block'); return; }
  ctx.block(n.children, virtualServerSpec, o, p, `virtual_server ${n.args.map((t) => t.text).join(' ')}`);
  list.push(o);
}

/** virtual_server_group NAME { ADDR|RANGE [PORT] ... ; fwmark N [inet|inet6] } */
export function translateVsGroup(ctx: Ctx, n: Node, list: Obj[]): void {
  const name = n.args[0];
  if (!name || !n.children) { ctx.error(n.key, 'virtual_server_group needs a name and a { } block'); return; }
  const p = `/virtualServerGroups/${list.length}`;
  const entries: Obj[] = [];
  ctx.at(p, n.key);
  ctx.at(`${p}/name`, name);
  for (const line of n.children) {
    const ep = `${p}/entries/${entries.length}`;
    const e: Obj = {};
    ctx.at(ep, line.key);
    if (line.key.text === 'fwmark') {
      const v = line.args[0];
      if (!v || !/^\d+$/.test(v.text)) { ctx.error(line.key, 'fwmark needs an integer'); continue; }
      put(ctx, e, ep, 'fwmark', Number(v.text), v);
      const fam = line.args[1]?.text;
      if (fam === 'inet' || fam === 'inet6') put(ctx, e, ep, 'family', fam === 'inet' ? 4 : 6, line.args[1]!);
    } else {
      put(ctx, e, ep, 'address', line.key.text, line.key);
      const port = line.args[0];
      if (port) {
        if (!/^\d+$/.test(port.text)) { ctx.error(port, `port must be an integer, got '${port.text}'`); continue; }
        put(ctx, e, ep, 'port', Number(port.text), port);
      }
    }
    entries.push(e);
  }
  list.push({ name: name.text, entries });
}

/** Every keyword of the LVS blocks (for "did you mean" and misplaced-keyword checks). */
export const LVS_KEYWORDS: readonly string[] = [
  ...Object.values(fullCheckerSpecs).flatMap((sp) => Object.keys(sp)), ...Object.keys(urlSpec),
  ...Object.keys(realServerSpec), ...Object.keys(virtualServerSpec), 'host',
];
