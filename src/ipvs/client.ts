// IPVS over generic netlink: resolve the "IPVS" family, then list, add, edit and delete services and
// real servers, flush, zero and timeouts. Every kernel error is rethrown as a SysError naming the
// operation and the service/server it was about, with the errno explained for that operation.
import { NLM_F, type NetlinkMessage } from '../codec/netlink/message.js';
import { decodeFamily, encodeGetFamily, GENL_ID_CTRL } from '../codec/netlink/genl.js';
import {
  daemonAttrs, decodeDaemon, decodeInfo, decodeIpvs, decodeService, decodeTimeouts, encodeIpvs,
  encodeServiceBlock, IPVS_CMD, IPVS_GENL_NAME, serviceAttrs, serviceKeyAttrs, SYNC_STATE, type IpvsCommandAttrs,
} from '../codec/netlink/ipvs.js';
import { decodeDestIn, decodeDestReply, encodeDestCommand } from '../codec/netlink/ipvs-dest.js';
import { decodeServiceIn, decodeServiceReply, encodeServiceKeyCommand, encodeServiceKeyCommands } from '../codec/netlink/ipvs-service.js';
import { readDestRow } from '../codec/netlink/ipvs-dest-row.js';
import { rowTable, type RowTable } from './dest-rows.js';
import { errnoWords, SysError, VipError } from '../lib/errors.js';
import {
  destKeyString, serviceKeyString, type DestEntry, type DestSpec, type IpvsInfo, type ServiceEntry, type ServiceKey,
  type ServiceSpec, type Timeouts,
} from './model.js';
import { askAgain, type GenlTransport } from './transport.js';
import type { SyncDaemonSpec, SyncRole } from './sync-daemon.js';
import type { IpvsOp } from './ops.js';
import { IpvsApplyError } from './apply-error.js';

export { IpvsApplyError };

export const IPVS_UNAVAILABLE = 'ip_vs is not available in this kernel: load the ip_vs module';

type OpKind = 'add-service' | 'edit-service' | 'delete-service' | 'add-dest' | 'edit-dest' | 'delete-dest' | 'zero' | 'flush' | 'list' | 'timeouts' | 'info'
  | 'start-daemon' | 'stop-daemon' | 'list-daemons';

/** What an errno means for one kind of operation (the kernel reuses ESRCH/ENOENT/EEXIST for each). */
const MEANING: Partial<Record<OpKind, Record<string, string>>> = {
  'add-service': { EEXIST: 'the service already exists', ENOENT: 'unknown scheduler or persistence engine' },
  'edit-service': { ESRCH: 'no such service', ENOENT: 'unknown scheduler or persistence engine' },
  'delete-service': { ESRCH: 'no such service' },
  'add-dest': { ESRCH: 'the service does not exist', EEXIST: 'the real server is already in this service', ERANGE: 'negative weight or lower threshold above upper threshold' },
  'edit-dest': { ESRCH: 'the service does not exist', ENOENT: 'no such real server in this service', ERANGE: 'negative weight or lower threshold above upper threshold' },
  'delete-dest': { ESRCH: 'the service does not exist', ENOENT: 'no such real server in this service' },
  'zero': { ESRCH: 'no such service' },
  'list': { ESRCH: 'no such service' },
  'start-daemon': { EEXIST: 'a sync daemon in this role is already running', ENODEV: 'no such interface', EINVAL: 'missing setting, non-multicast group or mixed-family real servers' },
  'stop-daemon': { ESRCH: 'no sync daemon in this role is running' },
};

export interface ApplyOptions {
  /** Requests in flight at once (the kernel handles them in order); 1 waits for each answer. */
  window?: number;
}

export class IpvsClient {
  /** The last service block encoded: real-server operations come in runs for one service. */
  private lastKey: { key: string; block: Uint8Array } | undefined;

  private constructor(private readonly t: GenlTransport, readonly familyId: number) {}

  private keyBlock(k: ServiceKey): Uint8Array {
    const key = serviceKeyString(k);
    if (this.lastKey?.key !== key) this.lastKey = { key, block: encodeServiceBlock(serviceKeyAttrs(k)) };
    return this.lastKey.block;
  }

  /** Resolves the IPVS family through the controller; a kernel without ip_vs gives one clear error. */
  static async open(t: GenlTransport): Promise<IpvsClient> {
    let replies: Uint8Array[];
    try {
      replies = await answer(t, GENL_ID_CTRL, NLM_F.REQUEST | NLM_F.ACK, encodeGetFamily(IPVS_GENL_NAME));
    } catch (e) {
      if (e instanceof SysError && e.errno === 'ENOENT') throw new VipError('ipvs-unavailable', IPVS_UNAVAILABLE);
      throw e;
    }
    const first = replies[0];
    if (!first) throw new VipError('ipvs-unavailable', IPVS_UNAVAILABLE);
    return new IpvsClient(t, decodeFamily(first).id);
  }

  close(): void { this.t.close(); }

  private call(kind: OpKind, what: string, cmd: number, attrs: IpvsCommandAttrs, dump = false): Promise<NetlinkMessage[]> {
    return this.send(kind, what, encodeIpvs(cmd, attrs), dump);
  }

  private async send(kind: OpKind, what: string, payload: Uint8Array, dump = false): Promise<NetlinkMessage[]> {
    const flags = NLM_F.REQUEST | (dump ? NLM_F.DUMP : NLM_F.ACK);
    try {
      return await this.t.request(this.familyId, flags, payload);
    } catch (e) {
      throw explain(e, kind, what);
    }
  }

  async info(): Promise<IpvsInfo> {
    let r: Uint8Array[];
    try {
      r = await answer(this.t, this.familyId, NLM_F.REQUEST | NLM_F.ACK, encodeIpvs(IPVS_CMD.GET_INFO, {}));
    } catch (e) {
      throw explain(e, 'info', '');
    }
    return r[0] ? decodeInfo(r[0]) : { version: 0, connTabSize: 0 };
  }

  /**
   * Every service, without real servers; without `withStats` their counters are NO_STATS (zero).
   * `v4` gets each one's IPv4 address as a number (-1 for IPv6), in the same order.
   */
  async listServices(withStats = true, v4?: number[]): Promise<ServiceEntry[]> {
    const payload = encodeIpvs(IPVS_CMD.GET_SERVICE, {});
    if (this.t.dumpEach) {
      // Inline like the real servers' dumps; one that could not be read inline is asked again below.
      const out: ServiceEntry[] = [];
      const r = this.t.dumpEach(this.familyId, [payload], (_i, data, start, end) => {
        const svc = decodeServiceIn(data, start, end, withStats, v4);
        if (svc) out.push(svc);
      });
      if (!r.error) return out;
      if (!askAgain(r.error)) throw explain(r.error, 'list', 'services');
      if (v4) v4.length = 0;
    }
    const r = await this.send('list', 'services', payload, true);
    const out: ServiceEntry[] = [];
    for (const m of r) {
      const svc = decodeServiceReply(m.payload, withStats, v4);
      if (svc) out.push(svc);
    }
    return out;
  }

  async listDests(key: ServiceKey): Promise<DestEntry[]> {
    // A listing sends one of these per service: written straight to bytes, named only on error.
    let r: NetlinkMessage[];
    try {
      r = await this.t.request(this.familyId, NLM_F.REQUEST | NLM_F.DUMP, encodeServiceKeyCommand(IPVS_CMD.GET_DEST, key));
    } catch (e) {
      throw explain(e, 'list', `real servers of ${serviceKeyString(key)}`);
    }
    return destsOf(key, r);
  }

  /**
   * The whole table: every service with its real servers, in the kernel's order. One dump of real
   * servers per service (the kernel has no other way, and runs one dump per socket at a time:
   * a dump only ends on the read after its first reply, so several in one datagram get EBUSY);
   * the transport spreads the 16 in flight over its sockets.
   */
  async list(): Promise<ServiceEntry[]> {
    const services = await this.listServices();
    if (this.t.dumpEach) {
      await this.dumpDests(services, undefined, this.t.dumpEach.bind(this.t), {
        begin: (from) => { for (let i = from; i < services.length; i++) services[i]!.dests = []; },
        reply: (g, data, start, end) => {
          const d = decodeDestIn(data, start, end, services[g]!.family);
          if (d) services[g]!.dests.push(d);
        },
        askedAgain: (g, dests) => { services[g]!.dests = dests; },
      });
      return services;
    }
    await inWindow(services, 16, async (s) => { s.dests = await this.listDests(s); });
    return services;
  }

  /**
   * The whole table for the plain listing (formatRows): IPv4 real servers read straight into rows,
   * with no object per real server; the same dumps, order and fallbacks as list(). The services
   * carry no counters (NO_STATS): the plain listing prints none.
   */
  async listRows(): Promise<RowTable> {
    const v4: number[] = [];
    const services = await this.listServices(false, v4);
    const t = rowTable(services, v4);
    if (!this.t.dumpEach) {
      await inWindow(services.map((s, i) => ({ s, i })), 16, async ({ s, i }) => { t.objects[i] = await this.listDests(s); });
      return t;
    }
    await this.dumpDests(services, v4, this.t.dumpEach.bind(this.t), {
      begin: (from) => { t.from.fill(-1, from); t.to.fill(-1, from); t.objects.fill(undefined, from); },
      reply: (g, data, start, end) => {
        let objects = t.objects[g];
        if (!objects) {
          const row = readDestRow(data, start, end, services[g]!.family, t.rows);
          if (row > 0) { if (t.from[g]! < 0) t.from[g] = t.rows.n - 1; t.to[g] = t.rows.n; }
          if (row >= 0) return;
          // Not a row: this service's real servers become entries, in the kernel's order.
          objects = t.objects[g] = t.from[g]! < 0 ? [] : t.rows.entries(t.from[g]!, t.to[g]!);
        }
        const d = decodeDestIn(data, start, end, services[g]!.family);
        if (d) objects.push(d);
      },
      askedAgain: (g, dests) => { t.objects[g] = dests; },
    });
    return t;
  }

  /**
   * Every service's real servers through the transport's inline dumps, in runs: `begin(from)` before
   * each run, `reply` for each reply of service g. A dump that could not be read inline (busy,
   * interrupted, not queued) is asked again with listDests and its answer handed to `askedAgain`;
   * then the run goes on after it.
   */
  private async dumpDests(services: ServiceEntry[], v4: readonly number[] | undefined, dumpEach: NonNullable<GenlTransport['dumpEach']>, on: {
    begin: (from: number) => void;
    reply: (g: number, data: Buffer, start: number, end: number) => void;
    askedAgain: (g: number, dests: DestEntry[]) => void;
  }): Promise<void> {
    const reqs = encodeServiceKeyCommands(IPVS_CMD.GET_DEST, services, v4);
    for (let from = 0; from < services.length;) {
      on.begin(from);
      const base = from;
      // From the first service, replies go straight to on.reply: no wrapper call per real server.
      const r = base === 0 ? dumpEach(this.familyId, reqs, on.reply)
        : dumpEach(this.familyId, reqs.slice(base), (i, data, start, end) => on.reply(base + i, data, start, end));
      from += r.done;
      if (!r.error) continue;
      const s = services[from]!;
      if (!askAgain(r.error)) throw explain(r.error, 'list', `real servers of ${serviceKeyString(s)}`);
      on.askedAgain(from, await this.listDests(s));
      from++;
    }
  }

  async getService(key: ServiceKey): Promise<ServiceEntry | undefined> {
    try {
      const r = await this.call('list', serviceKeyString(key), IPVS_CMD.GET_SERVICE, { service: serviceKeyAttrs(key) });
      const svc = r[0] && decodeIpvs(r[0].payload).attrs.service;
      return svc ? decodeService(svc as Record<string, unknown>) : undefined;
    } catch (e) {
      if (e instanceof SysError && e.errno === 'ESRCH') return undefined;
      throw e;
    }
  }

  async addService(s: ServiceSpec): Promise<void> { await this.run({ op: 'add-service', service: s }); }
  async editService(s: ServiceSpec): Promise<void> { await this.run({ op: 'edit-service', service: s, was: s }); }
  async deleteService(k: ServiceKey): Promise<void> { await this.run({ op: 'delete-service', service: k }); }
  async addDest(k: ServiceKey, d: DestSpec): Promise<void> { await this.run({ op: 'add-dest', service: k, dest: d }); }
  async editDest(k: ServiceKey, d: DestSpec): Promise<void> { await this.run({ op: 'edit-dest', service: k, dest: d, was: d }); }
  async deleteDest(k: ServiceKey, d: Pick<DestSpec, 'family' | 'address' | 'port'>): Promise<void> {
    await this.run({ op: 'delete-dest', service: k, dest: d as DestSpec });
  }
  async flush(): Promise<void> { await this.call('flush', '', IPVS_CMD.FLUSH, {}); }
  /** Zeroes the counters of one service, or of every service without a key. */
  async zero(k?: ServiceKey): Promise<void> {
    await this.call('zero', k ? serviceKeyString(k) : 'all', IPVS_CMD.ZERO, k ? { service: serviceKeyAttrs(k) } : {});
  }
  async getTimeouts(): Promise<Timeouts> {
    const r = await this.call('timeouts', 'get', IPVS_CMD.GET_CONFIG, {});
    return r[0] ? decodeTimeouts(r[0].payload) : { tcp: 0, tcpFin: 0, udp: 0 };
  }
  /** Sets the connection timeouts in seconds; 0 leaves one unchanged. */
  async setTimeouts(t: Partial<Timeouts>): Promise<void> {
    await this.call('timeouts', 'set', IPVS_CMD.SET_CONFIG, { timeouts: { tcp: t.tcp ?? 0, tcpFin: t.tcpFin ?? 0, udp: t.udp ?? 0 } });
  }

  /** Starts the kernel's connection-sync thread in one role (IPVS_CMD_NEW_DAEMON). */
  async startDaemon(d: SyncDaemonSpec): Promise<void> {
    await this.call('start-daemon', `${d.role} on ${d.iface} (sync id ${d.syncId})`, IPVS_CMD.NEW_DAEMON, { daemon: daemonAttrs(d) });
  }
  async stopDaemon(role: SyncRole): Promise<void> {
    await this.call('stop-daemon', role, IPVS_CMD.DEL_DAEMON, { daemon: { state: SYNC_STATE[role] } });
  }
  /** The sync daemons running in the kernel, as `ipvsadm -L --daemon` shows them. */
  async listDaemons(): Promise<SyncDaemonSpec[]> {
    const r = await this.call('list-daemons', '', IPVS_CMD.GET_DAEMON, {}, true);
    const out: SyncDaemonSpec[] = [];
    for (const m of r) {
      const d = decodeIpvs(m.payload).attrs.daemon;
      if (d) out.push(decodeDaemon(d as Record<string, unknown>));
    }
    return out;
  }

  /** One change as the request that makes it; `what` (for errors) is only built when needed. */
  private command(op: IpvsOp): { kind: OpKind; what: () => string; payload: Uint8Array } {
    const svc = (cmd: number, attrs: IpvsCommandAttrs) => encodeIpvs(cmd, attrs);
    switch (op.op) {
      case 'add-service': return { kind: op.op, what: () => `${serviceKeyString(op.service)} (scheduler ${op.service.scheduler})`, payload: svc(IPVS_CMD.NEW_SERVICE, { service: serviceAttrs(op.service) }) };
      case 'edit-service': return { kind: op.op, what: () => `${serviceKeyString(op.service)} (scheduler ${op.service.scheduler})`, payload: svc(IPVS_CMD.SET_SERVICE, { service: serviceAttrs(op.service) }) };
      case 'delete-service': return { kind: op.op, what: () => serviceKeyString(op.service), payload: svc(IPVS_CMD.DEL_SERVICE, { service: serviceKeyAttrs(op.service) }) };
      // Real-server changes are most of any large apply: written straight to bytes (ipvs-dest.ts).
      case 'add-dest': return { kind: op.op, what: () => destWhat(op.service, op.dest), payload: encodeDestCommand(IPVS_CMD.NEW_DEST, this.keyBlock(op.service), op.dest) };
      case 'edit-dest': return { kind: op.op, what: () => destWhat(op.service, op.dest), payload: encodeDestCommand(IPVS_CMD.SET_DEST, this.keyBlock(op.service), op.dest) };
      case 'delete-dest': return { kind: op.op, what: () => destWhat(op.service, op.dest), payload: encodeDestCommand(IPVS_CMD.DEL_DEST, this.keyBlock(op.service), op.dest, true) };
    }
  }

  async run(op: IpvsOp): Promise<void> {
    const c = this.command(op);
    await this.send(c.kind, c.what(), c.payload);
  }

  /**
   * Runs operations in order, stopping at the first error, and throws an IpvsApplyError that names
   * the failed operation and counts exactly what did get applied. On a transport that batches,
   * operations go in batches of up to BATCH_OPS (one datagram each); the kernel goes on with a
   * batch after a failed operation, so those after it in its batch may still be applied (they are
   * counted), and no later batch is sent. Otherwise up to `window` requests are pipelined, with
   * the same effect for the few sent after the failing one.
   */
  async apply(ops: readonly IpvsOp[], opts: ApplyOptions = {}): Promise<void> {
    if (this.t.batch && (opts.window ?? 2) > 1) return this.applyBatched(ops, this.t.batch.bind(this.t));
    let applied = 0;
    let first: { index: number; e: unknown } | undefined;
    await inWindow(ops.map((op, index) => ({ op, index })), Math.max(1, opts.window ?? 1), async ({ op, index }) => {
      try {
        await this.run(op);
        applied++;
      } catch (e) {
        if (!first || index < first.index) first = { index, e };
        throw e;
      }
    }).catch(() => undefined);
    if (first) throw new IpvsApplyError(ops, first.index, applied, first.e);
  }

  private async applyBatched(ops: readonly IpvsOp[], batch: NonNullable<GenlTransport['batch']>): Promise<void> {
    let applied = 0;
    for (let start = 0; start < ops.length;) {
      const payloads: Uint8Array[] = [];
      const commands: ReturnType<IpvsClient['command']>[] = [];
      for (let bytes = 0; start + payloads.length < ops.length && payloads.length < BATCH_OPS && bytes < BATCH_BYTES;) {
        const c = this.command(ops[start + payloads.length]!);
        commands.push(c);
        payloads.push(c.payload);
        bytes += c.payload.length + 16;
      }
      let results: (Error | undefined)[];
      try {
        results = await batch(this.familyId, payloads, (i) => `ipvs ${commands[i]!.kind}`);
      } catch (e) {
        // The batch's fate is unknown (lost answers, timeout): blame its first change, count none of it.
        throw new IpvsApplyError(ops, start, applied, e instanceof SysError ? explain(e, commands[0]!.kind, commands[0]!.what()) : e, payloads.length);
      }
      let failed = -1;
      for (let i = 0; i < results.length; i++) {
        if (results[i] === undefined) applied++;
        else if (failed < 0) failed = i;
      }
      if (failed >= 0) throw new IpvsApplyError(ops, start + failed, applied, explain(results[failed]!, commands[failed]!.kind, commands[failed]!.what()));
      start += payloads.length;
    }
  }
}

function destsOf(key: ServiceKey, replies: readonly NetlinkMessage[]): DestEntry[] {
  const out: DestEntry[] = [];
  for (const m of replies) {
    const d = decodeDestReply(m.payload, key.family);
    if (d) out.push(d);
  }
  return out;
}

/**
 * Operations per batch, and bytes: one datagram must fit the socket's send buffer (212 KiB by
 * default), and a batch whose every change fails queues one error answer per change (about
 * 1 KiB of receive buffer each, against 4 MiB asked).
 */
const BATCH_OPS = 1000;
const BATCH_BYTES = 128 << 10;

/**
 * The replies' genl payloads to one request (not a dump): read inline where the transport can
 * (requestNow: no promise or event-loop turn, a listing's family lookup and GET_INFO), else through
 * request().
 */
async function answer(t: GenlTransport, type: number, flags: number, payload: Uint8Array): Promise<Uint8Array[]> {
  const now = t.requestNow?.(type, flags, payload);
  if (now) return now;
  return (await t.request(type, flags, payload)).map((m) => m.payload);
}


/** A kernel error, rethrown naming the operation, with what the errno means for that operation. */

function explain(e: unknown, kind: OpKind, what: string): unknown {
  if (!(e instanceof SysError)) return e;
  const meaning = MEANING[kind]?.[e.errno];
  const kernelText = kernelTextOf(e);
  const extra = [meaning, kernelText].filter(Boolean).join('; ') || undefined;
  return new SysError(`ipvs ${kind.replace('-', ' ').replace(' dest', ' real server')}${what ? ` ${what}` : ''}`, e.errno, extra, { kind, cause: e.message });
}

/** The kernel's extended-ack text, which the socket layer appends after the errno words. */
function kernelTextOf(e: SysError): string | undefined {
  const prefix = `${String(e.context.op)}: ${errnoWords(e.errno)}: `;
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : undefined;
}

function destWhat(k: ServiceKey, d: Pick<DestSpec, 'family' | 'address' | 'port'>): string {
  return `${destKeyString(d)} in ${serviceKeyString(k)}`;
}

/** Starts fn on items in order with at most `window` pending; stops starting at the first failure. */
async function inWindow<T>(items: readonly T[], window: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { e: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try { await fn(item); } catch (e) { failure ??= { e }; }
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, items.length) }, worker));
  if (failure) throw failure.e;
}
