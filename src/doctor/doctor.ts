// doctor's one pass: ask the host for the facts the config's needs call for (listening for VRRP
// speakers on every interface at once), then turn them into findings with the pure checks.
import type { Config } from '../config/model.js';
import type { DoctorHost, LinkFact, ModuleFact } from './host.js';
import { commandsWanted, hostFindings, sysctlKey, sysctlsWanted, type Finding, type HostFacts } from './checks.js';
import { hostNeeds, type HostNeeds } from './needs.js';
import { listenPlan, peerFindings, type Listening } from './vrrp-peers.js';

export interface DoctorOptions {
  /** Listen this long on each interface instead of three advert intervals; 0 skips listening. */
  listenMs?: number;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function gather(needs: HostNeeds | undefined, host: DoctorHost): Promise<HostFacts> {
  const ipvs = await host.ipvs();
  const ipvsModule: ModuleFact = ipvs.state === 'unavailable' ? await host.module('ip_vs') : 'loaded';
  const schedulers = new Map<string, ModuleFact>();
  for (const s of needs?.schedulers ?? []) schedulers.set(s, await host.module(`ip_vs_${s}`));
  let links: LinkFact[] | { error: string } = [];
  if (needs) try { links = await host.links(); } catch (e) { links = { error: errorText(e) }; }
  const sysctl = new Map<string, string | undefined>();
  for (const p of needs ? sysctlsWanted(needs) : []) sysctl.set(sysctlKey(p), await host.sysctl(p));
  const commands = new Map<string, boolean>();
  for (const c of needs ? commandsWanted(needs) : []) commands.set(c, await host.hasCommand(c));
  return { capEff: await host.effectiveCapabilities(), ipvs, ipvsModule, schedulers, links, sysctl, commands };
}

async function listen(needs: HostNeeds, host: DoctorHost, links: HostFacts['links'], listenMs?: number): Promise<Listening[]> {
  if (listenMs === 0) return [];
  const present = Array.isArray(links) ? new Set(links.filter((l) => l.up).map((l) => l.name)) : undefined;
  // An interface that is missing or down already failed its own check: nothing to hear there.
  const plan = listenPlan(needs, listenMs).filter((p) => present === undefined || present.has(p.iface));
  return Promise.all(plan.map(async (p): Promise<Listening> => {
    try { return { ...p, heard: await host.listenVrrp(p) }; } catch (e) { return { ...p, heard: { error: errorText(e) } }; }
  }));
}

/** Findings for this host and (when given) this configuration. */
export async function runDoctor(cfg: Config | undefined, host: DoctorHost, opts: DoctorOptions = {}): Promise<Finding[]> {
  const needs = cfg ? hostNeeds(cfg) : undefined;
  const facts = await gather(needs, host);
  const out = hostFindings(needs, facts);
  if (needs) {
    const sessions = await listen(needs, host, facts.links, opts.listenMs);
    const local = sessions.length ? await host.localAddresses().catch(() => []) : [];
    out.push(...peerFindings(needs, sessions, local));
  }
  return out;
}

/** Whether anything blocks the config: exit 1 when so. */
export const blocking = (fs: Finding[]): boolean => fs.some((f) => f.level === 'fail');
