// An in-memory IPVS "kernel" behind the GenlTransport interface: it decodes generic netlink
// requests and answers like net/netfilter/ipvs/ip_vs_ctl.c does, errnos included (EEXIST for a
// duplicate, ESRCH for a missing service, ENOENT for an unknown scheduler or real server, EINVAL
// for an incomplete entry, ERANGE for a bad weight or thresholds).
import { decodeGenl, encodeFamilyReply, GENL_ID_CTRL } from '../../src/codec/netlink/genl.js';
import { decodeAttrs, type AttrValues } from '../../src/codec/netlink/attrs.js';
import { CTRL_ATTRS } from '../../src/codec/netlink/genl.js';
import {
  daemonAttrs, decodeDaemon, decodeDest, decodeIpvs, decodeService, destReplyAttrs, encodeInfoReply, encodeIpvs, IPVS_CMD, serviceReplyAttrs,
} from '../../src/codec/netlink/ipvs.js';
import type { SyncDaemonSpec, SyncRole } from '../../src/ipvs/sync-daemon.js';
import { NLM_F, type NetlinkMessage } from '../../src/codec/netlink/message.js';
import { SysError } from '../../src/lib/errors.js';
import { destKeyString, serviceKeyString, zeroStats, SCHEDULERS, type ServiceEntry, type Timeouts } from '../../src/ipvs/model.js';
import type { GenlTransport } from '../../src/ipvs/transport.js';

const CMD_NAME = new Map(Object.entries(IPVS_CMD).map(([k, v]) => [v, k]));

export class FakeIpvsKernel implements GenlTransport {
  readonly familyId = 0x2a;
  /** Whether the ip_vs module is "loaded". */
  loaded = true;
  schedulers = new Set<string>(SCHEDULERS);
  services = new Map<string, ServiceEntry>();
  timeouts: Timeouts = { tcp: 900, tcpFin: 120, udp: 300 };
  /** Running connection-sync daemons by role. */
  daemons = new Map<SyncRole, SyncDaemonSpec>();
  /** When set, NEW_DAEMON on another interface fails with ENODEV. */
  interfaces: Set<string> | undefined;
  /** Every IPVS command received, by name (NEW_SERVICE, SET_DEST, ...), in order. */
  log: string[] = [];
  closed = false;
  private seq = 0;

  async request(type: number, flags: number, payload: Uint8Array): Promise<NetlinkMessage[]> {
    if (this.closed) throw new SysError('netlink request', 'EBADF');
    if (type === GENL_ID_CTRL) return this.ctrl(payload);
    if (type !== this.familyId || !this.loaded) throw new SysError('netlink request', 'ENOENT');
    const { cmd, attrs } = decodeIpvs(payload);
    this.log.push(CMD_NAME.get(cmd as never) ?? `CMD${cmd}`);
    return this.ipvs(cmd, attrs, (flags & NLM_F.DUMP) === NLM_F.DUMP).map((p) => this.msg(p));
  }

  close(): void { this.closed = true; }

  /** A separate "socket" on the same kernel state: closing it leaves the kernel usable. */
  connect(): GenlTransport {
    let open = true;
    return {
      request: (type, flags, payload) => (open ? this.request(type, flags, payload) : Promise.reject(new SysError('netlink request', 'EBADF'))),
      close: () => { open = false; },
    };
  }

  /** Command names since the last call, then clears the log. */
  takeLog(): string[] { const l = this.log; this.log = []; return l; }

  private msg(payload: Uint8Array): NetlinkMessage {
    return { type: this.familyId, flags: 0, seq: ++this.seq, pid: 0, payload };
  }

  private ctrl(payload: Uint8Array): NetlinkMessage[] {
    const a = decodeAttrs(CTRL_ATTRS, decodeGenl(payload).attrs);
    if (a.familyName !== 'IPVS' || !this.loaded) throw new SysError('netlink request', 'ENOENT');
    return [{ type: GENL_ID_CTRL, flags: 0, seq: ++this.seq, pid: 0, payload: encodeFamilyReply({ id: this.familyId, name: 'IPVS', version: 1, maxAttr: 6 }) }];
  }

  private ipvs(cmd: number, a: AttrValues, dump: boolean): Uint8Array[] {
    const svcAttrs = a.service as AttrValues | undefined;
    switch (cmd) {
      case IPVS_CMD.GET_INFO: return [encodeInfoReply({ version: 0x010201, connTabSize: 4096 })];
      case IPVS_CMD.GET_CONFIG: return [encodeIpvs(IPVS_CMD.SET_CONFIG, { timeouts: this.timeouts })];
      case IPVS_CMD.SET_CONFIG: {
        const t = { tcp: Number(a.timeoutTcp ?? 0), tcpFin: Number(a.timeoutTcpFin ?? 0), udp: Number(a.timeoutUdp ?? 0) };
        this.timeouts = { tcp: t.tcp || this.timeouts.tcp, tcpFin: t.tcpFin || this.timeouts.tcpFin, udp: t.udp || this.timeouts.udp };
        return [];
      }
      case IPVS_CMD.FLUSH: this.services.clear(); return [];
      case IPVS_CMD.NEW_DAEMON: case IPVS_CMD.DEL_DAEMON: case IPVS_CMD.GET_DAEMON: return this.daemonCmd(cmd, a.daemon as AttrValues | undefined);
      case IPVS_CMD.ZERO: {
        if (!svcAttrs) { for (const s of this.services.values()) zero(s); return []; }
        zero(this.find(svcAttrs));
        return [];
      }
      case IPVS_CMD.GET_SERVICE: {
        if (dump) return [...this.services.values()].map((s) => encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(s) }));
        if (!svcAttrs) throw new SysError('netlink request', 'EINVAL');
        return [encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(this.find(svcAttrs)) })];
      }
      case IPVS_CMD.GET_DEST: {
        if (!svcAttrs) throw new SysError('netlink request', 'EINVAL');
        return this.find(svcAttrs).dests.map((d) => encodeIpvs(IPVS_CMD.NEW_DEST, { dest: destReplyAttrs(d) }));
      }
      case IPVS_CMD.NEW_SERVICE: case IPVS_CMD.SET_SERVICE: case IPVS_CMD.DEL_SERVICE: return this.serviceCmd(cmd, svcAttrs);
      case IPVS_CMD.NEW_DEST: case IPVS_CMD.SET_DEST: case IPVS_CMD.DEL_DEST: return this.destCmd(cmd, svcAttrs, a.dest as AttrValues | undefined);
      default: throw new SysError('netlink request', 'EOPNOTSUPP');
    }
  }

  private daemonCmd(cmd: number, d: AttrValues | undefined): Uint8Array[] {
    if (cmd === IPVS_CMD.GET_DAEMON) return [...this.daemons.values()].map((x) => encodeIpvs(IPVS_CMD.NEW_DAEMON, { daemon: daemonAttrs(x) }));
    if (!d || d.state === undefined) throw new SysError('netlink request', 'EINVAL');
    const role: SyncRole = Number(d.state) === 2 ? 'backup' : 'master';
    if (cmd === IPVS_CMD.DEL_DAEMON) {
      if (!this.daemons.delete(role)) throw new SysError('netlink request', 'ESRCH');
      return [];
    }
    if (d.mcastIfn === undefined || d.syncId === undefined) throw new SysError('netlink request', 'EINVAL');
    if (this.daemons.has(role)) throw new SysError('netlink request', 'EEXIST');
    const spec = decodeDaemon(d);
    if (this.interfaces && !this.interfaces.has(spec.iface)) throw new SysError('netlink request', 'ENODEV');
    this.daemons.set(role, spec);
    return [];
  }

  private keyOf(svcAttrs: AttrValues | undefined): string {
    if (!svcAttrs || svcAttrs.af === undefined) throw new SysError('netlink request', 'EINVAL');
    if (svcAttrs.fwmark === undefined && (svcAttrs.protocol === undefined || svcAttrs.addr === undefined || svcAttrs.port === undefined)) {
      throw new SysError('netlink request', 'EINVAL');
    }
    return serviceKeyString(decodeService(svcAttrs));
  }

  private find(svcAttrs: AttrValues): ServiceEntry {
    const s = this.services.get(this.keyOf(svcAttrs));
    if (!s) throw new SysError('netlink request', 'ESRCH');
    return s;
  }

  private serviceCmd(cmd: number, svcAttrs: AttrValues | undefined): Uint8Array[] {
    const key = this.keyOf(svcAttrs);
    const cur = this.services.get(key);
    if (cmd === IPVS_CMD.DEL_SERVICE) {
      if (!cur) throw new SysError('netlink request', 'ESRCH');
      this.services.delete(key);
      return [];
    }
    const v = svcAttrs!;
    if (v.schedName === undefined || v.flags === undefined || v.timeout === undefined || v.netmask === undefined) throw new SysError('netlink request', 'EINVAL');
    if (cmd === IPVS_CMD.NEW_SERVICE && cur) throw new SysError('netlink request', 'EEXIST');
    if (cmd === IPVS_CMD.SET_SERVICE && !cur) throw new SysError('netlink request', 'ESRCH');
    const next = decodeService(v);
    if (!this.schedulers.has(next.scheduler)) throw new SysError('netlink request', 'ENOENT');
    if (next.pe && next.pe !== 'sip') throw new SysError('netlink request', 'ENOENT');
    next.dests = cur?.dests ?? [];
    next.stats = cur?.stats ?? zeroStats();
    this.services.set(key, next);
    return [];
  }

  private destCmd(cmd: number, svcAttrs: AttrValues | undefined, destAttrs: AttrValues | undefined): Uint8Array[] {
    if (!destAttrs || destAttrs.addr === undefined || destAttrs.port === undefined) throw new SysError('netlink request', 'EINVAL');
    const svc = this.find(svcAttrs ?? {});
    const d = decodeDest(destAttrs, svc.family);
    const i = svc.dests.findIndex((x) => destKeyString(x) === destKeyString(d));
    if (cmd === IPVS_CMD.DEL_DEST) {
      if (i < 0) throw new SysError('netlink request', 'ENOENT');
      svc.dests.splice(i, 1);
      return [];
    }
    for (const f of ['fwdMethod', 'weight', 'uThresh', 'lThresh']) if (destAttrs[f] === undefined) throw new SysError('netlink request', 'EINVAL');
    if (d.weight < 0 || d.lowerThreshold > d.upperThreshold) throw new SysError('netlink request', 'ERANGE');
    if (cmd === IPVS_CMD.NEW_DEST) {
      if (i >= 0) throw new SysError('netlink request', 'EEXIST');
      svc.dests.push(d);
    } else {
      if (i < 0) throw new SysError('netlink request', 'ENOENT');
      const old = svc.dests[i]!;
      svc.dests[i] = { ...d, activeConns: old.activeConns, inactConns: old.inactConns, persistConns: old.persistConns, stats: old.stats };
    }
    return [];
  }
}

function zero(s: ServiceEntry): void {
  s.stats = zeroStats();
  for (const d of s.dests) d.stats = zeroStats();
}
