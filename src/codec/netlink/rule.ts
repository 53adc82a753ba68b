// rtnetlink policy rules (linux/fib_rules.h): RTM_NEWRULE / DELRULE / GETRULE. A struct
// fib_rule_hdr followed by FRA_* attributes. Pure: values in, bytes out, and back. Checked against
// the bytes `ip rule add/del` sends (iproute2 6.x, strace): a table below 256 goes in the header
// only, a larger one as UNSPEC in the header and FRA_TABLE; a delete carries action UNSPEC.
import { ByteReader, ByteWriter } from '../../lib/bytes.js';
import { decodeAttrs, encodeAttrs, type AttrTable } from './attrs.js';
import { HOST_LE, type NetlinkMessage } from './message.js';
import { AF } from './rtnl.js';

export const RTM_RULE = { NEWRULE: 32, DELRULE: 33, GETRULE: 34 } as const;

/** fib_rule_hdr.action (FR_ACT_*). */
export const FR_ACT = { unspec: 0, table: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 } as const;
export type RuleAction = keyof typeof FR_ACT;
const ACT_NAMES = Object.fromEntries(Object.entries(FR_ACT).map(([k, v]) => [v, k])) as Record<number, RuleAction>;

/** In the order `ip rule add` writes them (the encoder follows the table's order). */
export const FRA: AttrTable = {
  src: { id: 2, type: 'bytes' },
  dst: { id: 1, type: 'bytes' },
  iifname: { id: 3, type: 'string' },
  oifname: { id: 17, type: 'string' },
  fwmark: { id: 10, type: 'u32' },
  fwmask: { id: 16, type: 'u32' },
  table: { id: 15, type: 'u32' },
  goto: { id: 4, type: 'u32' },
  priority: { id: 6, type: 'u32' },
  /** Who installed the rule (RTPROT_*, Linux 4.17+); a delete that names it matches only such rules. */
  protocol: { id: 21, type: 'u8' },
};

export interface Rule {
  family: 4 | 6;
  /** Source selector: network bytes and length (length 0 = any). */
  src?: Uint8Array;
  srcLen: number;
  dst?: Uint8Array;
  dstLen: number;
  tos: number;
  /** Full table id (FRA_TABLE when present, else the header's); 0 for a non-table action. */
  table: number;
  action: RuleAction;
  /** 0 = not given (the kernel picks one below the previous rule on add). */
  priority: number;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  gotoTarget?: number;
  protocol?: number;
}

export type RuleRequest = Omit<Rule, 'srcLen' | 'dstLen' | 'tos'> & { srcLen?: number; dstLen?: number; tos?: number };

function header(family: number, q: RuleRequest, action: number): Buffer {
  const table = q.table < 256 ? q.table : 0;
  return new ByteWriter(12).u8(family).u8(q.dst ? q.dstLen ?? q.dst.length * 8 : 0).u8(q.src ? q.srcLen ?? q.src.length * 8 : 0)
    .u8(q.tos ?? 0).u8(table).u8(0).u8(0).u8(action).u32(0, HOST_LE).finish();
}

function attrs(q: RuleRequest): Buffer {
  return encodeAttrs(FRA, {
    src: q.src, dst: q.dst, iifname: q.iif, goto: q.gotoTarget, priority: q.priority || undefined,
    fwmark: q.fwmark, fwmask: q.fwmask, table: q.table >= 256 ? q.table : undefined, oifname: q.oif, protocol: q.protocol,
  });
}

/** NEWRULE payload, as `ip rule add from S to D table T priority P` sends it. */
export function encodeRuleRequest(q: RuleRequest): Buffer {
  return Buffer.concat([header(q.family === 4 ? AF.INET : AF.INET6, q, FR_ACT[q.action]), attrs(q)]);
}

/** DELRULE payload: the same selectors with action UNSPEC (any), as `ip rule del` sends it. */
export function encodeRuleDelete(q: RuleRequest): Buffer {
  return Buffer.concat([header(q.family === 4 ? AF.INET : AF.INET6, q, FR_ACT.unspec), attrs(q)]);
}

/** GETRULE dump request for one family. */
export function encodeRuleDump(family: 4 | 6): Buffer {
  return new ByteWriter(12).u8(family === 4 ? AF.INET : AF.INET6).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0, HOST_LE).finish();
}

export function decodeRule(m: Pick<NetlinkMessage, 'payload'>): Rule {
  const r = new ByteReader(m.payload);
  const af = r.u8(), dstLen = r.u8(), srcLen = r.u8(), tos = r.u8(), table8 = r.u8();
  r.u8(); r.u8();
  const action = r.u8();
  r.u32(HOST_LE);
  const a = decodeAttrs(FRA, m.payload.subarray(12));
  const rule: Rule = {
    family: af === AF.INET6 ? 6 : 4, srcLen, dstLen, tos,
    table: typeof a.table === 'number' ? a.table : table8,
    action: ACT_NAMES[action] ?? 'unspec',
    priority: typeof a.priority === 'number' ? a.priority : 0,
  };
  if (a.src instanceof Uint8Array) rule.src = a.src;
  if (a.dst instanceof Uint8Array) rule.dst = a.dst;
  if (typeof a.fwmark === 'number') rule.fwmark = a.fwmark;
  if (typeof a.fwmask === 'number') rule.fwmask = a.fwmask;
  if (typeof a.iifname === 'string') rule.iif = a.iifname;
  if (typeof a.oifname === 'string') rule.oif = a.oifname;
  if (typeof a.goto === 'number') rule.gotoTarget = a.goto;
  if (typeof a.protocol === 'number') rule.protocol = a.protocol;
  return rule;
}
