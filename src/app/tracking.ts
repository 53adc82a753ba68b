// Builds the tracked sources of a configuration (one per vrrp_script, track file, tracked process and interface,
// shared by every instance that tracks them) and each instance's bindings with its own weights.
// Sources whose configuration did not change are kept across a reload, with their counters (rise,
// fall, last result). A reload prepares the new sources first (nothing running is touched), then
// commits: changed and removed sources stop, new ones are added.
import type { Config, SyncGroup, TrackRef, VrrpInstance } from '../config/model.js';
import { FileTracker } from '../track/file-tracker.js';
import { InterfaceTracker } from '../track/interface-tracker.js';
import { ProcessTracker } from '../track/process-tracker.js';
import { ScriptTracker } from '../track/script-tracker.js';
import type { TrackSource } from '../track/source.js';
import type { TrackBinding } from '../track/binding.js';
import type { Platform } from './platform.js';

export interface PendingTracks {
  add: Map<string, { key: string; source: TrackSource }>;
  drop: string[];
}

export class TrackRegistry {
  private sources = new Map<string, { key: string; source: TrackSource }>();

  constructor(private p: Platform) {}

  /** Creates (or keeps) the sources a configuration needs and stops the others. */
  update(cfg: Config): void { this.commit(this.prepare(cfg)); }

  /** Stops the sources a commit would drop and adds the new ones (not started: startAll()). */
  commit(p: PendingTracks): void {
    for (const id of p.drop) { this.sources.get(id)?.source.stop(); this.sources.delete(id); }
    for (const [id, s] of p.add) this.sources.set(id, s);
  }

  /** Builds the sources `cfg` needs that are not running with the same key; touches nothing. */
  prepare(cfg: Config): PendingTracks {
    const want = new Map<string, { key: string; make: () => TrackSource }>();
    const g = cfg.global;
    for (const s of cfg.vrrpScripts) {
      const user = s.script.user ?? g.scriptUser?.user;
      const group = s.script.user ? s.script.group : g.scriptUser?.group;
      const key = JSON.stringify([s, user, group, g.scriptSecurity]);
      want.set(`script:${s.name}`, {
        key, make: () => new ScriptTracker(
          { name: s.name, argv: s.script.argv, intervalMs: s.intervalMs, timeoutMs: s.timeoutMs, rise: s.rise, fall: s.fall, initFail: s.initFail, ...(user ? { user } : {}), ...(group ? { group } : {}) },
          { clock: this.p.clock, runner: this.p.scripts, logger: this.p.logger.child({ script: s.name }), ...(g.scriptSecurity ? { security: this.p.security(this.p.uidOf(user)) } : {}) },
        ),
      });
    }
    for (const f of cfg.trackFiles) {
      want.set(`file:${f.name}`, { key: JSON.stringify(f), make: () => new FileTracker(f.name, f.path, { clock: this.p.clock, files: this.p.files }) });
    }
    for (const t of cfg.trackProcesses ?? []) {
      // Weight and reverse belong to the bindings: a change of them alone keeps the count.
      const { weight: _w, reverse: _r, ...match } = t;
      want.set(`process:${t.name}`, {
        key: JSON.stringify(match),
        make: () => new ProcessTracker(match, { clock: this.p.clock, monitor: this.p.processes, logger: this.p.logger.child({ process: t.name }) }),
      });
    }
    const ifaces = new Set<string>();
    for (const i of cfg.vrrpInstances) { ifaces.add(i.interface); for (const t of i.trackInterfaces) ifaces.add(t.name); }
    for (const sg of cfg.syncGroups) for (const t of sg.trackInterfaces) ifaces.add(t.name);
    for (const n of ifaces) want.set(`interface:${n}`, { key: n, make: () => new InterfaceTracker(n, this.p.links) });

    const out: PendingTracks = { add: new Map(), drop: [] };
    for (const [id, cur] of this.sources) if (want.get(id)?.key !== cur.key) out.drop.push(id);
    for (const [id, w] of want) {
      if (this.sources.get(id)?.key !== w.key) out.add.set(id, { key: w.key, source: w.make() });
    }
    return out;
  }

  startAll(): void { for (const s of this.sources.values()) s.source.start(); }
  stopAll(): void { for (const s of this.sources.values()) s.source.stop(); }

  /** The bindings of one instance: its own trackers, its sync group's, and its own interface. */
  bindingsFor(cfg: Config, inst: VrrpInstance): TrackBinding[] {
    const group: SyncGroup | undefined = cfg.syncGroups.find((sg) => sg.instances.includes(inst.name));
    const out: TrackBinding[] = [];
    const iface = (name: string, weight: number, reverse: boolean): void => {
      const s = this.sources.get(`interface:${name}`)?.source;
      if (s) out.push({ source: s, weight, reverse });
    };
    if (!inst.dontTrackPrimary) iface(inst.interface, 0, false);
    for (const t of [...inst.trackInterfaces, ...(group?.trackInterfaces ?? [])]) iface(t.name, t.weight, t.reverse);
    const ref = (kind: 'script' | 'file' | 'process', r: TrackRef): void => {
      const s = this.sources.get(`${kind}:${r.name}`)?.source;
      if (!s) return;
      const own = kind === 'script' ? cfg.vrrpScripts.find((x) => x.name === r.name)
        : kind === 'file' ? cfg.trackFiles.find((x) => x.name === r.name) : cfg.trackProcesses?.find((x) => x.name === r.name);
      out.push({ source: s, weight: r.weight ?? own?.weight ?? 0, reverse: r.reverse !== (own?.reverse ?? false) });
    };
    for (const r of [...inst.trackScripts, ...(group?.trackScripts ?? [])]) ref('script', r);
    for (const r of [...inst.trackFiles, ...(group?.trackFiles ?? [])]) ref('file', r);
    for (const r of [...(inst.trackProcesses ?? []), ...(group?.trackProcesses ?? [])]) ref('process', r);
    return out;
  }
}
