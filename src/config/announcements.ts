// The `announcements` section (vipkeeper only): health-gated routes that a routing daemon (BIRD,
// FRR) learns from a kernel table and announces by BGP. Self-contained: raw input shape, JSON
// Schema fragment, input -> model with defaults, and the semantic checks against the rest of the
// model. The YAML schema and the builder hook it in (see docs/scale-out.md, "Wiring").
import { formatIP, parseIP, parsePrefix } from '../lib/ip.js';
import type { AnnounceCondition, AnnouncedRoute, Announcements, Config, Family } from './model.js';
import { DEFAULTS } from './defaults.js';
import type { Reporter } from './normalize.js';

// ---------------------------------------------------------------- model (types in model.ts)

export type { AnnounceCondition, AnnouncedRoute, Announcements } from './model.js';

const ANNOUNCE_DEFAULTS = DEFAULTS.announcements;

/** Tables the kernel keeps for itself: sharing them would mix our routes with forwarding ones. */
export const RESERVED_TABLES: Readonly<Record<number, string>> = { 253: 'default', 254: 'main', 255: 'local' };
export const MAX_TABLE = 0xffffffff;
/** FRR's `ip import-table` takes 1-252 only. */
export const FRR_IMPORT_TABLE_MAX = 252;
const MAX_HOLD_DOWN_S = 86_400;

/** How the condition reads in logs, status and metrics labels. */
export function conditionText(c: AnnounceCondition): string {
  switch (c.kind) {
    case 'virtualServer': return `virtualServer ${c.virtualServer}`;
    case 'vrrpInstance': return `vrrpInstance ${c.vrrpInstance}`;
    case 'always': return 'always';
  }
}

// ---------------------------------------------------------------- raw input and schema

export interface AnnouncedRouteInput {
  prefix: string;
  virtualServer?: string;
  vrrpInstance?: string;
  always?: boolean;
  holdDownS?: number;
  metric?: number;
}
export interface AnnouncementsInput { table?: number; routes?: AnnouncedRouteInput[] }

/** JSON Schema of `announcements` (shape and types; ranges and references are semantic checks). */
export const ANNOUNCEMENTS_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  description: 'vipkeeper only: routes installed in a kernel table while a condition holds, for BIRD or FRR to announce (docs/scale-out.md)',
  properties: {
    table: { type: 'integer', description: 'kernel routing table for the routes, 1-4294967295 except 253-255 (default 100); the routing daemon learns this table' },
    routes: {
      type: 'array',
      description: 'one entry per announced prefix, each with exactly one of virtualServer, vrrpInstance or always',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['prefix'],
        properties: {
          prefix: { type: 'string', minLength: 1, description: 'the announced network: a VIP as /32 or /128, or a covering prefix such as 10.20.0.0/24 (host bits must be zero)' },
          virtualServer: { type: 'string', minLength: 1, description: 'announced while this virtual server\'s pool is at or above its quorum; its name as "ADDR:PORT/PROTO", e.g. "10.20.0.1:80/TCP" or "[2001:db8::1]:80/TCP"' },
          vrrpInstance: { type: 'string', minLength: 1, description: 'announced while this VRRP instance is MASTER' },
          always: { type: 'boolean', description: 'true: announced for as long as vipkeeper runs' },
          holdDownS: { type: 'number', minimum: 0, description: 'seconds the condition must have held before the route is announced (default 0); withdrawal is immediate' },
          metric: { type: 'integer', minimum: 0, description: 'route priority (metric) in the kernel table, which BIRD/FRR can send as BGP MED (default 0)' },
        },
      },
    },
  },
};

// ---------------------------------------------------------------- input -> model

const PATH = '/announcements';
/** Where each built route was in the input (routes with errors are left out), for messages' lines. */
const inputIndex = new WeakMap<AnnouncedRoute, number>();

/** Canonical network text, or an error: bad address, bad length, host bits set, /0. */
function network(r: Reporter, path: string, text: string): { prefix: string; family: Family; addr: Uint8Array; len: number } | undefined {
  let p;
  try { p = parsePrefix(text); } catch (e) {
    const m = (e as Error).message;
    r.error(path, `announcements: prefix '${text}': ${m.startsWith('prefix length') ? m.replace(/: .*$/, '') : 'not a valid address or address/length'}`);
    return undefined;
  }
  if (p.len === 0) { r.error(path, `announcements: prefix '${text}': a default route is never announced by vipkeeper`); return undefined; }
  const masked = maskAddr(p.addr, p.len);
  if (masked.some((b, i) => b !== p.addr[i])) {
    r.error(path, `announcements: prefix '${text}' has host bits set; the network is ${formatIP(masked)}/${p.len}`);
    return undefined;
  }
  return { prefix: `${formatIP(p.addr)}/${p.len}`, family: p.family, addr: p.addr, len: p.len };
}

function maskAddr(addr: Uint8Array, len: number): Uint8Array {
  const out = Uint8Array.from(addr);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    out[i]! &= (0xff00 >> keep) & 0xff;
  }
  return out;
}

/**
 * "10.20.0.1:80/tcp" -> "10.20.0.1:80/TCP", "[2001:DB8::1]:80/TCP" -> "[2001:db8::1]:80/TCP": the
 * name vsName() gives the virtual server. Other forms (fwmark, group) are kept as written.
 */
export function canonicalVsName(text: string): string {
  const m = /^(\[([^\]]+)\]|([^:[\]]+)):(\d+)\/([A-Za-z]+)$/.exec(text.trim());
  if (!m) return text.trim();
  const addrText = m[2] ?? m[3]!;
  let addr: string;
  try { addr = formatIP(parseIP(addrText).addr); } catch { return text.trim(); }
  return `${m[2] !== undefined ? `[${addr}]` : addr}:${Number(m[4])}/${m[5]!.toUpperCase()}`;
}

/** Builds the section (undefined when absent). Routes with errors are left out; their errors are reported. */
export function buildAnnouncements(r: Reporter, input: AnnouncementsInput | undefined): Announcements | undefined {
  if (input === undefined) return undefined;
  const out: Announcements = { table: input.table ?? ANNOUNCE_DEFAULTS.table, routes: [] };
  (input.routes ?? []).forEach((x, i) => {
    const at = `${PATH}/routes/${i}`;
    const net = network(r, `${at}/prefix`, x.prefix);
    const conds: AnnounceCondition[] = [];
    if (x.virtualServer !== undefined) conds.push({ kind: 'virtualServer', virtualServer: canonicalVsName(x.virtualServer) });
    if (x.vrrpInstance !== undefined) conds.push({ kind: 'vrrpInstance', vrrpInstance: x.vrrpInstance });
    if (x.always === false) { r.error(`${at}/always`, 'announcements: always must be true (leave the route out to never announce it)'); return; }
    if (x.always === true) conds.push({ kind: 'always' });
    if (conds.length !== 1) {
      r.error(at, conds.length === 0
        ? `announcements: route ${x.prefix} needs a condition: one of virtualServer, vrrpInstance or always`
        : `announcements: route ${x.prefix} has ${conds.length} conditions (${conds.map((c) => c.kind).join(', ')}); give exactly one`);
      return;
    }
    const holdDownS = x.holdDownS ?? ANNOUNCE_DEFAULTS.holdDownS;
    if (!Number.isFinite(holdDownS) || holdDownS < 0 || holdDownS > MAX_HOLD_DOWN_S) {
      r.error(`${at}/holdDownS`, `announcements: holdDownS must be 0-${MAX_HOLD_DOWN_S} seconds, got ${holdDownS}`);
      return;
    }
    const metric = x.metric ?? ANNOUNCE_DEFAULTS.metric;
    if (!Number.isInteger(metric) || metric < 0 || metric > MAX_TABLE) {
      r.error(`${at}/metric`, `announcements: metric must be an integer 0-${MAX_TABLE}, got ${metric}`);
      return;
    }
    if (!net) return;
    const route: AnnouncedRoute = { prefix: net.prefix, family: net.family, condition: conds[0]!, holdDownMs: Math.round(holdDownS * 1000), metric };
    inputIndex.set(route, i);
    out.routes.push(route);
  });
  return out;
}

// ---------------------------------------------------------------- semantic checks

/** Ranges and cross references against the rest of the model. */
export function checkAnnouncements(r: Reporter, a: Announcements | undefined, model: Pick<Config, 'virtualServers' | 'vrrpInstances'>): void {
  if (!a) return;
  const t = a.table;
  if (!Number.isInteger(t) || t < 1 || t > MAX_TABLE) r.error(`${PATH}/table`, `announcements: table must be 1-${MAX_TABLE}, got ${t}`);
  else if (RESERVED_TABLES[t]) r.error(`${PATH}/table`, `announcements: table ${t} is the kernel's '${RESERVED_TABLES[t]}' table; use a table of its own (default ${ANNOUNCE_DEFAULTS.table}) so that only vipkeeper's routes are in it`);
  else if (t > FRR_IMPORT_TABLE_MAX) r.warn(`${PATH}/table`, `announcements: table ${t}: FRR's 'ip import-table' takes 1-${FRR_IMPORT_TABLE_MAX} only (BIRD takes any)`);

  const vsByName = new Map(model.virtualServers.filter(Boolean).map((v) => [v.name, v]));
  const instances = new Set(model.vrrpInstances.map((i) => i.name));
  const seen = new Map<string, number>();
  a.routes.forEach((route, k) => {
    const i = inputIndex.get(route) ?? k;
    const at = `${PATH}/routes/${i}`;
    const first = seen.get(route.prefix);
    if (first !== undefined) r.error(`${at}/prefix`, `announcements: prefix ${route.prefix} is announced twice (also routes[${first}]); one route per prefix`);
    else seen.set(route.prefix, i);
    const c = route.condition;
    if (c.kind === 'virtualServer') {
      const vs = vsByName.get(c.virtualServer);
      if (!vs) {
        const known = [...vsByName.keys()];
        r.error(`${at}/virtualServer`, `announcements: no virtual server '${c.virtualServer}'${known.length ? `; known: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', ...' : ''}` : ' (none configured)'}`);
      } else if (vs.address !== undefined && !contains(route.prefix, vs.address)) {
        r.warn(`${at}/prefix`, `announcements: prefix ${route.prefix} does not contain virtual server ${vs.name}'s address`);
      }
    } else if (c.kind === 'vrrpInstance' && !instances.has(c.vrrpInstance)) {
      r.error(`${at}/vrrpInstance`, `announcements: no vrrp instance '${c.vrrpInstance}'`);
    }
  });
}

function contains(prefix: string, address: string): boolean {
  try {
    const p = parsePrefix(prefix);
    const a = parseIP(address).addr;
    if (a.length !== p.addr.length) return false;
    return maskAddr(a, p.len).every((b, i) => b === p.addr[i]);
  } catch { return false; }
}
