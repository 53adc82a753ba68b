// Checks of an instance's virtual_routes / virtual_rules that the kernel would otherwise refuse
// only when the instance becomes MASTER: families agree, the destination is a network (no host
// bits, as ip(8) insists), ranges fit the netlink fields, a unicast route says where it goes.
import { formatIP, parsePrefix } from '../lib/ip.js';
import type { VrrpInstance } from './model.js';
import type { Reporter } from './normalize.js';
import { ifname, range } from './semantic-vrrp.js';

const ROUTE_SCOPES = new Set(['universe', 'global', 'site', 'link', 'host', 'nowhere']);
const U32 = 0xffffffff;

/** The network of "A/LEN" when host bits are set, else undefined. */
function hostBits(text: string): string | undefined {
  let p;
  try { p = parsePrefix(text); } catch { return undefined; }
  const a = Uint8Array.from(p.addr);
  for (let bit = p.len; bit < a.length * 8; bit++) a[bit >> 3]! &= ~(0x80 >> (bit & 7));
  if (a.every((b, i) => b === p.addr[i])) return undefined;
  return `${formatIP(a)}/${p.len}`;
}

const fam = (a: string): number => (a.includes(':') ? 6 : 4);

export function checkVirtualRoutes(r: Reporter, p: string, name: string, x: VrrpInstance): void {
  (x.virtualRoutes ?? []).forEach((v, j) => {
    const vp = `${p}/virtualRoutes/${j}`;
    const net = hostBits(v.to);
    if (net) r.error(`${vp}/to`, `${name}: virtual_routes destination ${v.to} has host bits set; write the network, ${net}`);
    if (v.src !== undefined && fam(v.src) !== v.family) r.error(`${vp}/src`, `${name}: virtual_routes src ${v.src} is not IPv${v.family} like ${v.to}`);
    if (v.via !== undefined && fam(v.via) !== v.family) r.error(`${vp}/via`, `${name}: virtual_routes via ${v.via} is not IPv${v.family} like ${v.to}`);
    if (v.type !== 'unicast' && (v.via !== undefined || v.dev !== undefined)) r.error(vp, `${name}: a ${v.type} route takes no via or dev`);
    if (v.type === 'unicast' && v.via === undefined && v.dev === undefined) r.error(vp, `${name}: virtual_routes ${v.to} needs via (a gateway) or dev (an interface)`);
    if (v.dev !== undefined) ifname(r, `${vp}/dev`, `${name}: virtual_routes dev`, v.dev);
    range(r, `${vp}/table`, `${name}: virtual_routes table`, v.table, 1, U32);
    range(r, `${vp}/metric`, `${name}: virtual_routes metric`, v.metric, 0, U32);
    if (v.scope !== undefined && !ROUTE_SCOPES.has(v.scope)) r.error(`${vp}/scope`, `${name}: virtual_routes scope must be universe, site, link, host or nowhere, got '${v.scope}'`);
  });
  (x.virtualRules ?? []).forEach((v, j) => {
    const vp = `${p}/virtualRules/${j}`;
    if (v.from !== undefined && v.to !== undefined && fam(v.from) !== fam(v.to)) r.error(`${vp}/to`, `${name}: virtual_rules from ${v.from} and to ${v.to} are different families`);
    for (const k of ['from', 'to'] as const) {
      const net = v[k] === undefined ? undefined : hostBits(v[k]!);
      if (net) r.error(`${vp}/${k}`, `${name}: virtual_rules ${k} ${v[k]} has host bits set; write the network, ${net}`);
    }
    if (v.from === undefined && v.to === undefined && v.fwmark === undefined && v.iif === undefined && v.oif === undefined) {
      r.error(vp, `${name}: a virtual rule selects nothing (give from, to, fwmark, iif or oif)`);
    }
    range(r, `${vp}/table`, `${name}: virtual_rules table`, v.table, 1, U32);
    range(r, `${vp}/priority`, `${name}: virtual_rules priority`, v.priority, 1, U32);
    range(r, `${vp}/tos`, `${name}: virtual_rules tos`, v.tos, 0, 255);
    range(r, `${vp}/fwmark`, `${name}: virtual_rules fwmark`, v.fwmark, 0, U32);
    range(r, `${vp}/fwmask`, `${name}: virtual_rules fwmask`, v.fwmask, 0, U32);
    if (v.iif !== undefined) ifname(r, `${vp}/iif`, `${name}: virtual_rules iif`, v.iif);
    if (v.oif !== undefined) ifname(r, `${vp}/oif`, `${name}: virtual_rules oif`, v.oif);
  });
}
