// rtnetlink client: links, addresses and change notifications over a NetlinkSocket. Adding an
// address that is already there and deleting one that is gone are results, not failures.
import { SysError, VipError } from '../lib/errors.js';
import { formatIP, parsePrefix } from '../lib/ip.js';
import { NLM_F } from '../codec/netlink/message.js';
import {
  RTM, RTNLGRP, IFA_F, decodeAddress, decodeLink, encodeAddrDump, encodeAddrRequest, encodeLinkRequest, scopeValue,
  type Address, type Link, type ScopeName,
} from '../codec/netlink/rtnl.js';
import { decodeLinkDetail, encodeLinkDelete, encodeLinkSetUp, encodeMacvlanCreate, type MacvlanRequest } from '../codec/netlink/link.js';
import { encodeAddrLifetime } from '../codec/netlink/addr-lifetime.js';
import { NETLINK_ROUTE, NetlinkSocket } from './netlink-socket.js';

export type { Address, Link, OperState, ScopeName } from '../codec/netlink/rtnl.js';

export interface AddressSpec {
  ifindex: number;
  /** "10.0.0.1/32", "2001:db8::1/64", or bytes (then prefixLen, default the full length). */
  address: string | Uint8Array;
  prefixLen?: number;
  /**
   * IPv4 label, e.g. "eth0:vip": at most 15 bytes and beginning with the interface name, as
   * ip(8) and ifconfig aliases expect (the kernel itself takes any). IPv6 has none; ignored.
   */
  label?: string;
  /** The interface's name, when the caller knows it: saves a lookup to check `label`. */
  ifname?: string;
  /** IPv4 only: the kernel derives an IPv6 address's scope from the address itself. */
  scope?: number | ScopeName;
  /** IPv6: skip duplicate address detection (IFA_F_NODAD). */
  noDad?: boolean;
  /** Extra IFA_F_* flags. */
  flags?: number;
  /** Lifetimes in seconds (IFA_CACHEINFO); absent: forever. A preferred 0 deprecates the address. */
  lifetime?: { preferred: number; valid: number };
}

export type AddResult = 'added' | 'already-present';
export type DeleteResult = 'deleted' | 'not-present';

export type RtnlEvent =
  | { type: 'link'; action: 'new' | 'del'; link: Link }
  | { type: 'address'; action: 'new' | 'del'; address: Address }
  /** Notifications were lost (ENOBUFS): re-list links and addresses. */
  | { type: 'overrun' };

export interface Subscription { close(): void }

/** Longest interface name (IFNAMSIZ - 1), which is also the longest IFA_LABEL the kernel accepts. */
const IFNAME_MAX = 15;

/** Why `label` cannot go on an address of interface `ifname`, or undefined when it can. */
export function labelProblem(label: string, ifname: string): string | undefined {
  if (Buffer.byteLength(label) > IFNAME_MAX) return `label "${label}" is longer than ${IFNAME_MAX} bytes`;
  if (!label.startsWith(ifname)) return `label "${label}" must begin with the interface name "${ifname}" (e.g. "${ifname}:vip")`;
  return undefined;
}

function resolveSpec(s: AddressSpec): { addr: Uint8Array; prefixLen: number; text: string } {
  let addr: Uint8Array, len: number;
  if (typeof s.address === 'string') {
    let p;
    try { p = parsePrefix(s.address); } catch (e) { throw new VipError('bad-address', `address ${s.address}: ${(e as Error).message}`); }
    addr = p.addr;
    len = s.address.includes('/') ? p.len : s.prefixLen ?? p.len;
  } else {
    addr = s.address;
    len = s.prefixLen ?? addr.length * 8;
  }
  if (addr.length !== 4 && addr.length !== 16) throw new VipError('bad-address', `address must be 4 or 16 bytes, got ${addr.length}`);
  if (!Number.isInteger(len) || len < 0 || len > addr.length * 8) throw new VipError('bad-address', `prefix length must be 0-${addr.length * 8}: ${formatIP(addr)}/${len}`);
  return { addr, prefixLen: len, text: `${formatIP(addr)}/${len}` };
}

export class Rtnl {
  private constructor(private readonly sock: NetlinkSocket) {}

  static open(): Rtnl { return new Rtnl(NetlinkSocket.open(NETLINK_ROUTE)); }

  close(): void { this.sock.close(); }

  async listLinks(): Promise<Link[]> {
    const msgs = await this.sock.request(RTM.GETLINK, NLM_F.DUMP, encodeLinkRequest(), { op: 'list links' });
    return msgs.filter((m) => m.type === RTM.NEWLINK).map(decodeLink);
  }

  /** One link by name or index; ENODEV (SysError) when it does not exist. */
  async getLink(which: string | number): Promise<Link> {
    const q = typeof which === 'number' ? { index: which } : { name: which };
    const msgs = await this.sock.request(RTM.GETLINK, 0, encodeLinkRequest(q), { op: `get link ${which}` });
    const m = msgs.find((x) => x.type === RTM.NEWLINK);
    if (!m) throw new SysError(`get link ${which}`, 'ENODEV');
    return decodeLink(m);
  }

  /** A link with its parent ifindex and kind (a macvlan's parent, "macvlan"); ENODEV when absent. */
  async getLinkDetail(which: string | number): Promise<Link & { parent?: number; kind?: string }> {
    const q = typeof which === 'number' ? { index: which } : { name: which };
    const msgs = await this.sock.request(RTM.GETLINK, 0, encodeLinkRequest(q), { op: `get link ${which}` });
    const m = msgs.find((x) => x.type === RTM.NEWLINK);
    if (!m) throw new SysError(`get link ${which}`, 'ENODEV');
    return { ...decodeLink(m), ...decodeLinkDetail(m) };
  }

  /** Creates a macvlan (down); an existing link of that name is EEXIST (SysError), never replaced. */
  async createMacvlan(q: MacvlanRequest): Promise<void> {
    await this.sock.request(RTM.NEWLINK, NLM_F.CREATE | NLM_F.EXCL, encodeMacvlanCreate(q), { op: `create macvlan ${q.name} on ifindex ${q.parent}` });
  }

  async setLinkUp(index: number, up: boolean): Promise<void> {
    await this.sock.request(RTM.NEWLINK, 0, encodeLinkSetUp(index, up), { op: `set link ${index} ${up ? 'up' : 'down'}` });
  }

  async deleteLink(index: number): Promise<void> {
    await this.sock.request(RTM.DELLINK, 0, encodeLinkDelete(index), { op: `delete link ${index}` });
  }

  async listAddresses(filter: { family?: 4 | 6; ifindex?: number } = {}): Promise<Address[]> {
    const msgs = await this.sock.request(RTM.GETADDR, NLM_F.DUMP, encodeAddrDump(filter.family ?? 0), { op: 'list addresses' });
    return msgs.filter((m) => m.type === RTM.NEWADDR).map(decodeAddress)
      .filter((a) => filter.ifindex === undefined || a.ifindex === filter.ifindex);
  }

  /** Adds an address; 'already-present' when the kernel says EEXIST. Other errors throw SysError. */
  async addAddress(spec: AddressSpec): Promise<AddResult> {
    const { addr, prefixLen, text } = resolveSpec(spec);
    const op = `add address ${text} on ifindex ${spec.ifindex}`;
    const flags = (spec.flags ?? 0) | (spec.noDad && addr.length === 16 ? IFA_F.NODAD : 0);
    const label = addr.length === 4 ? spec.label : undefined;
    if (label !== undefined) await this.checkLabel(label, spec, op);
    let payload = encodeAddrRequest({ ifindex: spec.ifindex, addr, prefixLen, flags, scope: scopeValue(spec.scope), label });
    if (spec.lifetime) payload = Buffer.concat([payload, encodeAddrLifetime(spec.lifetime.preferred, spec.lifetime.valid)]);
    try {
      await this.sock.request(RTM.NEWADDR, NLM_F.CREATE | NLM_F.EXCL, payload, { op });
      return 'added';
    } catch (e) {
      if (e instanceof VipError && e.code === 'EEXIST') return 'already-present';
      throw e;
    }
  }

  private async checkLabel(label: string, spec: AddressSpec, op: string): Promise<void> {
    let ifname = spec.ifname;
    if (ifname === undefined) {
      try { ifname = (await this.getLink(spec.ifindex)).name; } catch (e) {
        if (e instanceof SysError) throw new SysError(op, e.errno);
        throw e;
      }
    }
    const why = labelProblem(label, ifname);
    if (why) throw new VipError('bad-label', `${op}: ${why}`, { label, ifname });
  }

  /**
   * Deletes an address; 'not-present' when it is not on the interface. The kernel matches the
   * prefix length too: the same address present with another prefix is an error (VipError
   * 'prefix-mismatch'), never 'not-present', since the address would stay in service.
   */
  async deleteAddress(spec: AddressSpec): Promise<DeleteResult> {
    const { addr, prefixLen, text } = resolveSpec(spec);
    const op = `delete address ${text} on ifindex ${spec.ifindex}`;
    const payload = encodeAddrRequest({ ifindex: spec.ifindex, addr, prefixLen });
    try {
      await this.sock.request(RTM.DELADDR, 0, payload, { op });
      return 'deleted';
    } catch (e) {
      if (!(e instanceof VipError && (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOENT' || e.code === 'ESRCH'))) throw e;
    }
    const same = (await this.listAddresses({ family: addr.length === 4 ? 4 : 6, ifindex: spec.ifindex }))
      .filter((a) => Buffer.compare(a.addr, addr) === 0);
    if (same.length === 0) return 'not-present';
    const present = same.map((a) => `${a.address}/${a.prefixLen}`).join(', ');
    throw new VipError('prefix-mismatch', `${op}: the address is present as ${present}, with another prefix length; not removed`, { present });
  }

  /**
   * Link and address changes on a separate socket (so replies and events never mix). The socket
   * does not keep the process alive; close the subscription to stop.
   */
  static subscribe(cb: (e: RtnlEvent) => void, what: { links?: boolean; ipv4?: boolean; ipv6?: boolean; rcvbuf?: number } = {}): Subscription {
    const sock = NetlinkSocket.open(NETLINK_ROUTE, what.rcvbuf === undefined ? {} : { rcvbuf: what.rcvbuf });
    try {
      if (what.links ?? true) sock.subscribe(RTNLGRP.LINK);
      if (what.ipv4 ?? true) sock.subscribe(RTNLGRP.IPV4_IFADDR);
      if (what.ipv6 ?? true) sock.subscribe(RTNLGRP.IPV6_IFADDR);
    } catch (e) { sock.close(); throw e; }
    sock.onNotification((m) => {
      const ev = toEvent(m);
      if (ev) cb(ev);
    });
    sock.onError((e) => { if (e instanceof VipError && e.code === 'ENOBUFS') cb({ type: 'overrun' }); });
    sock.ref(false);
    return { close: () => sock.close() };
  }
}

function toEvent(m: { type: number; payload: Uint8Array; flags: number; seq: number; pid: number }): RtnlEvent | undefined {
  try {
    switch (m.type) {
      case RTM.NEWLINK: return { type: 'link', action: 'new', link: decodeLink(m) };
      case RTM.DELLINK: return { type: 'link', action: 'del', link: decodeLink(m) };
      case RTM.NEWADDR: return { type: 'address', action: 'new', address: decodeAddress(m) };
      case RTM.DELADDR: return { type: 'address', action: 'del', address: decodeAddress(m) };
      default: return undefined;
    }
  } catch {
    return undefined; // a truncated notification is dropped, never thrown into the socket
  }
}
