// notify_fifo and lvs_notify_fifo lines for checker events, as keepalived 2.2.7 writes them
// (check_ipvs.c notify_fifo_rs / notify_fifo_vs, formats from check_data.c format_rs/format_vs):
//   RS [10.0.1.2]:tcp:80 [10.0.0.1]:tcp:80 DOWN      a real server changed
//   VS [10.0.0.1]:tcp:80 UP                          a virtual server gained or lost quorum
// so a reader written for keepalived's fifo keeps working. A virtual server by firewall mark is
// `FWM 5`, one by group `[NAME]:0` (keepalived prints the group's name and the zeroed port of its
// address); keepalived clears the protocol of fwmark-only services, so their real servers print
// `none` for it. IPv6 addresses sit in the brackets as they are (`[2001:db8::2]:tcp:80`).
import type { Config, FifoSpec, RealServer, VirtualServer } from '../config/model.js';
import type { LineSink, LineSinkFactory } from '../ports/fifo.js';
import type { Logger } from '../ports/logger.js';
import { canonicalAddress } from '../ipvs/model.js';

type Groups = Config['virtualServerGroups'];

function addr(a: string): string {
  try { return canonicalAddress(a); } catch { return a; }
}

/** The protocol word keepalived puts in a real server's name: none when the service is fwmarks only. */
function protoWord(vs: VirtualServer, groups: Groups): string {
  if (vs.kind === 'fwmark') return 'none';
  if (vs.kind === 'group') {
    const entries = groups.find((g) => g.name === vs.group)?.entries ?? [];
    if (entries.length && entries.every((e) => e.fwmark !== undefined)) return 'none';
  }
  return vs.protocol.toLowerCase();
}

export function vsFifoName(vs: VirtualServer): string {
  if (vs.kind === 'fwmark') return `FWM ${vs.fwmark ?? 0}`;
  if (vs.kind === 'group') return `[${vs.group ?? ''}]:0`;
  return `[${addr(vs.address ?? '')}]:${vs.protocol.toLowerCase()}:${vs.port ?? 0}`;
}

/** `RS <rs> <vs> UP|DOWN`, newline included. */
export function rsFifoLine(vs: VirtualServer, rs: Pick<RealServer, 'address' | 'port'>, up: boolean, groups: Groups = []): string {
  return `RS [${addr(rs.address)}]:${protoWord(vs, groups)}:${rs.port} ${vsFifoName(vs)} ${up ? 'UP' : 'DOWN'}\n`;
}

/** `VS <vs> UP|DOWN` (quorum), newline included. */
export function vsFifoLine(vs: VirtualServer, up: boolean): string {
  return `VS ${vsFifoName(vs)} ${up ? 'UP' : 'DOWN'}\n`;
}

/**
 * The director's FIFOs: keepalived writes each checker line to notify_fifo (every event) and to
 * lvs_notify_fifo (checker events only) when both are set, so both get it here, once per path.
 * Lines go out in event order, one write at a time. keepalived writes the line right after forking
 * the notify script, without waiting for it, so a slow notify_down script does not hold the line
 * back here either (scripts have their own queue). A reload that drops or changes a path closes
 * the old sink once the lines already queued for it are written.
 */
export class CheckerFifo {
  private sinks = new Map<string, LineSink>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly fifos: LineSinkFactory | undefined, private readonly log: Logger) {}

  /** The paths checker lines go to: notify_fifo and lvs_notify_fifo (vrrp_notify_fifo is VRRP only). */
  static specsOf(cfg: Config): FifoSpec[] {
    const out: FifoSpec[] = [];
    for (const s of [cfg.global.notifyFifo, cfg.global.lvsNotifyFifo]) if (s && !out.some((o) => o.path === s.path)) out.push(s);
    return out;
  }

  configure(specs: FifoSpec[]): void {
    if (!this.fifos) return;
    for (const [path, sink] of [...this.sinks]) {
      if (specs.some((s) => s.path === path)) continue;
      this.sinks.delete(path);
      this.tail = this.tail.then(() => this.closeSink(sink));
    }
    for (const spec of specs) {
      if (this.sinks.has(spec.path)) continue;
      try {
        this.sinks.set(spec.path, this.fifos.open(spec.path));
      } catch (e) {
        this.log.warn({ path: spec.path, err: (e as Error).message }, 'notify fifo cannot be opened');
      }
    }
  }

  write(line: string): void {
    for (const [path, sink] of this.sinks) {
      this.tail = this.tail.then(() => sink.write(line)).catch((e: unknown) => {
        this.log.warn({ path, err: (e as Error).message }, 'notify fifo write failed');
      });
    }
  }

  /** Resolves once every queued line is written (or failed). */
  idle(): Promise<void> { return this.tail; }

  /** Closes every sink after the queued lines. */
  close(): Promise<void> {
    this.configure([]);
    return this.tail;
  }

  private closeSink(s: LineSink): void {
    try { s.close(); } catch (e) { this.log.warn({ err: (e as Error).message }, 'closing a notify fifo failed'); }
  }
}
