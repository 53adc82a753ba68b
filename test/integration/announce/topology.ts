// The scale-out test network: a router and two directors on one bridge (test/support/netns.ts),
// FRR (or BIRD) with multipath on the router, BIRD or FRR on each director learning vipkeeper's
// kernel table and announcing it by eBGP, each running the example configuration of
// conf/scale-out/ (keepalive 1 s, hold 3 s, so a dead session is noticed within seconds).
import { readFileSync } from 'node:fs';
import { Lan, type Host } from '../../support/netns.js';
import { startBird, startFrr, type RoutingDaemon } from '../../support/routing-daemons.js';

export const ROUTER_IP = '10.99.0.1';
export const DIRECTOR_IPS = ['10.99.0.11', '10.99.0.12'] as const;
export const ROUTER_AS = 65000, DIRECTOR_AS = 65001;
export const TABLE = 100;
export const PROTO = 86;

const CONF = new URL('../../../conf/scale-out/', import.meta.url);
const example = (name: string) => readFileSync(new URL(name, CONF), 'utf8');

/**
 * The example configurations in conf/scale-out/ are written for this very network (router
 * 10.99.0.1, director A 10.99.0.11): the test runs them as they are, with director A's address
 * and name replaced for director B.
 */
export function directorConf(kind: 'bird' | 'frr', self: string, name: string): string {
  const text = example(kind === 'bird' ? 'bird-director.conf' : 'frr-director.conf');
  if (!text.includes(DIRECTOR_IPS[0])) throw new Error('conf/scale-out director example no longer uses director A\'s address');
  return text.replaceAll(DIRECTOR_IPS[0], self).replaceAll('lb-a', name);
}
export function routerConf(kind: 'bird' | 'frr'): string {
  return example(kind === 'bird' ? 'bird-router.conf' : 'frr-router.conf');
}

export interface Topology {
  lan: Lan;
  router: Host;
  directors: Host[];
  daemons: RoutingDaemon[];
  routerDaemon: RoutingDaemon;
  directorDaemons: RoutingDaemon[];
}

/** Builds the network and starts every daemon; the caller stops `daemons` and destroys the Lan. */
export async function buildTopology(lan: Lan, directors: 'bird' | 'frr', router: 'bird' | 'frr' = 'frr'): Promise<Topology> {
  const routerHost = lan.addHost('rt', [`${ROUTER_IP}/24`]);
  const hosts = DIRECTOR_IPS.map((ip, i) => lan.addHost(`d${i + 1}`, [`${ip}/24`]));
  const daemons: RoutingDaemon[] = [];
  const topo: Topology = { lan, router: routerHost, directors: hosts, daemons, routerDaemon: undefined as unknown as RoutingDaemon, directorDaemons: [] };
  const start = (kind: 'bird' | 'frr', ns: string, conf: string) => (kind === 'bird' ? startBird(ns, conf) : startFrr(ns, conf));
  try {
    topo.routerDaemon = await start(router, routerHost.ns, routerConf(router));
    daemons.push(topo.routerDaemon);
    for (const [i, d] of hosts.entries()) {
      const dd = await start(directors, d.ns, directorConf(directors, DIRECTOR_IPS[i]!, `lb-${'ab'[i]}`));
      daemons.push(dd);
      topo.directorDaemons.push(dd);
    }
  } catch (e) {
    for (const d of daemons) await d.stop().catch(() => {});
    throw e;
  }
  return topo;
}

/** The router's kernel next hops for `prefix` (empty when it has no route). */
export function nextHops(router: Host, prefix: string): string[] {
  const routes = JSON.parse(router.run('ip', '-j', 'route', 'show', prefix) || '[]') as Array<{ gateway?: string; nexthops?: Array<{ gateway: string }> }>;
  const r = routes[0];
  if (!r) return [];
  if (r.nexthops) return r.nexthops.map((n) => n.gateway).sort();
  return r.gateway ? [r.gateway] : [];
}
