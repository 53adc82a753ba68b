// The VRRP receive filter, pure: an eBPF socket-filter program for one shared VRRP socket that
// drops in the kernel, and counts by reason in an array map, the packets that src/vrrp/validate.ts
// and the transport's VRID dispatch would drop for a reason that depends on the packet alone and
// on the VRID's instance (source address, version, checksum form). A flood of such packets then
// never wakes the daemon. Everything else (authentication, interval, peers, valid adverts, our own
// adverts) is accepted and validated in user space as before.
//
// Exactness: the program repeats validate.ts's checks in its order (RFC 3768 §7.1 / RFC 5798 §7.1:
// length, TTL, version, type, checksum) and stops at the first check it cannot decide, accepting
// the packet, so that every packet is counted once, in the kernel or in user space, under the
// reason validate.ts would give. The instance's `own` check runs before validation, so a packet
// from the instance's own source address is always accepted.
//
// A backup's fast path: user space may give a VRID a reference, an advert it validated (payload,
// source, destination, TTL). A byte-identical copy is dropped in the kernel with its count and
// the time of the last one (DUP_SLOT, SEEN_SLOT), and the instance reads them when its
// Master_Down timer comes due: a live master then wakes the backup once per Master_Down interval
// instead of once per advert. Identical bytes validate identically, checksum included.
//
// The instances served are a hash map (VRID -> config, encodeVridConfig()), not code: opening or
// closing an instance is one map update (atomic for a reader: a hash map element is replaced
// whole), and the program, loaded once per socket, costs the verifier the same for 1 or 255 VRIDs.
import { BpfAsm, HELPER, R0, R1, R2, R6, R7, R8, R9, R10, SKF_NET_OFF } from './bpf.js';
import { VRRP_HEADER_LEN, VRRP_TYPE_ADVERTISEMENT } from '../codec/vrrp.js';

/** The reasons counted in the kernel, in validate.ts's order; index = slot within a VRID. */
export const KERNEL_REASONS = ['bad-length', 'bad-ttl', 'bad-version', 'bad-type', 'bad-checksum'] as const;
export type KernelReason = typeof KERNEL_REASONS[number];
const SLOTS = 8;
/** Counter slots of a VRID after the reasons: copies of the reference dropped, and the last one's CLOCK_MONOTONIC ns. */
export const DUP_SLOT = 5, SEEN_SLOT = 6;
/** The longest reference payload (IPv4 v3: 14 addresses; v2: 12; IPv6: 3). */
export const REF_MAX = 64;
/** Counter map key of the packets for no VRID this socket serves (or too short to name one). */
export const FOREIGN_KEY = 256 * SLOTS;
/** Counter map size (u64 each): one slot per VRID and reason, plus FOREIGN_KEY. */
export const COUNTER_ENTRIES = FOREIGN_KEY + 1;
/** Counter map key of one of a VRID's slots (a reason's index, DUP_SLOT or SEEN_SLOT). */
export const slotKey = (vrid: number, slot: number): number => vrid * SLOTS + slot;
export const counterKey = (vrid: number, reason: KernelReason): number => slotKey(vrid, KERNEL_REASONS.indexOf(reason));

/**
 * Longer payloads are not summed in the kernel but left to user space. 1040 bytes cover every
 * IPv4 VRRP message (v2 at most 8 + 255 x 4 + 8 = 1036) and IPv6 ones with up to 64 addresses,
 * and keep the verifier's walk of the loop short (a few ms per socket instead of 10-25).
 */
export const MAX_SUM_LEN = 1040;

export type FilterChecksum = 'pseudo-header' | 'plain' | 'either';

export interface FilterVrid {
  /** The instance's source address: its packets are left to user space (counted as `own` there). Unknown: every packet of the VRID is. */
  src?: Uint8Array;
  /** The instance's VRRP version; unknown: the version, type and checksum checks are left to user space. */
  version?: 2 | 3;
  /**
   * v3 over IPv4: the checksum form the instance accepts (validate.ts's checksumMode); unknown: the
   * checksum check is left to user space. v2 (plain) and v3 over IPv6 (pseudo-header) need none.
   */
  checksum?: FilterChecksum;
  /** An advert user space validated: byte-identical copies are dropped and counted (DUP_SLOT, SEEN_SLOT). */
  reference?: FilterReference;
}

export interface FilterReference { payload: Uint8Array; src: Uint8Array; dst: Uint8Array; ttl: number }

/** Whether the kernel can compare `payload` (whole 32-bit words, at most REF_MAX bytes). */
export const referable = (payload: Uint8Array): boolean => payload.length > 0 && payload.length <= REF_MAX && payload.length % 4 === 0;

// Config map value: the source address as 32-bit words (each the number LD_ABS W reads from the
// packet), then flags, version, the accepted checksum forms; the reference's TTL, length,
// source, destination and payload, each as the words LD_ABS / LD_IND read.
const C_FLAGS = 16, C_VERSION = 17, C_CSUM = 18, C_REFTTL = 19, C_REFLEN = 20, C_REFSRC = 24, C_REFDST = 40, C_REF = 56;
export const CONFIG_SIZE = C_REF + REF_MAX;
const F_SRC = 1, F_VERSION = 2, F_REF = 4;
const CS_PLAIN = 1, CS_PSEUDO = 2;

/** The config map value for one VRID on a socket of `family`. */
export function encodeVridConfig(family: 4 | 6, v: FilterVrid): Buffer {
  const b = Buffer.alloc(CONFIG_SIZE);
  if (v.src) for (let i = 0; i < v.src.length / 4; i++) b.writeUInt32LE(Buffer.from(v.src).readUInt32BE(4 * i), 4 * i);
  const ref = v.reference && referable(v.reference.payload) ? v.reference : undefined;
  b[C_FLAGS] = (v.src ? F_SRC : 0) | (v.version ? F_VERSION : 0) | (ref ? F_REF : 0);
  if (ref) {
    const words = (bytes: Uint8Array, at: number) => { const x = Buffer.from(bytes); for (let i = 0; i < x.length / 4; i++) b.writeUInt32LE(x.readUInt32BE(4 * i), at + 4 * i); };
    b[C_REFTTL] = ref.ttl;
    b.writeUInt32LE(ref.payload.length, C_REFLEN);
    words(ref.src, C_REFSRC);
    words(ref.dst, C_REFDST);
    words(ref.payload, C_REF);
  }
  b[C_VERSION] = v.version ?? 0;
  // validate.ts: v2 sums the message alone; v3 over IPv6 always adds the pseudo-header.
  const mode = v.version === 2 ? 'plain' : v.version === 3 && family === 6 ? 'pseudo-header' : v.version === 3 ? v.checksum : undefined;
  b[C_CSUM] = mode === 'plain' ? CS_PLAIN : mode === 'pseudo-header' ? CS_PSEUDO : mode === 'either' ? CS_PLAIN | CS_PSEUDO : 0;
  return b;
}

// Registers: r6 the context (LD_ABS/LD_IND need it there), r7 the payload offset from skb->data,
// r8 the VRID's config, r9 the payload length. LD_ABS/LD_IND clobber r0-r5, hence the stack.
// skb->data is the IPv4 header on an IPv4 raw socket and the payload on an IPv6 one (the kernel
// pulls the IPv6 header and its extensions before raw delivery): IPv6 header fields are read
// relative to the network header instead.
const KEY_SLOT = -4;     // u32 map key
const VRID_SLOT = -16;
const VER_SLOT = -24;
const OFF_SLOT = -32;    // r7, while the checksum loop uses it as its cursor
const END_SLOT = -40;    // where the loop's 16-bit words end
const SUM_SLOT = -48;    // one's complement sum of the payload, unfolded
const SUMP_SLOT = -56;   // the same plus the pseudo-header
const SUMOK_SLOT = -64;  // 1 when the sums above were computed
const TIME_SLOT = -72;   // bpf_ktime_get_ns() of a duplicate

/**
 * Builds the program over the config map (VRID -> CONFIG_SIZE bytes) and the counter map. Without
 * `checksum` the checksum check is left to user space: the summing loop needs CAP_PERFMON besides
 * CAP_BPF (without it the verifier also walks the speculative side of every branch, Spectre v1,
 * and the loop's branches exceed its 8192-jump limit), so the transport falls back to this one.
 */
export function vrrpFilter(family: 4 | 6, configFd: number, countersFd: number, opts: { checksum?: boolean } = {}): Buffer {
  const withSums = opts.checksum ?? true;
  const a = new BpfAsm();
  const v4 = family === 4;
  a.movX(R6, R1);
  a.ldx('w', R9, R6, 0); // __sk_buff.len
  if (v4) a.ldAbs('b', 0).aluK('and', R0, 0x0f).aluK('lsh', R0, 2).movX(R7, R0).aluX('sub', R9, R7); // IHL: the kernel checked it
  else a.movK(R7, 0);
  // The transport dispatches by the VRID byte; shorter than that names no VRID.
  a.jmpK('jlt', R9, 2, 'foreign');
  if (withSums) sums(a, v4);
  a.ldInd('b', R7, 1).stx('dw', R10, VRID_SLOT, R0).stx('w', R10, KEY_SLOT, R0);
  a.ldMapFd(R1, configFd).movX(R2, R10).aluK('add', R2, KEY_SLOT).call(HELPER.mapLookupElem);
  a.jmpK('jeq', R0, 0, 'foreign').movX(R8, R0);

  // Our own source: the instance counts it as `own` before any check. Unknown source: user space decides all.
  a.ldx('b', R0, R8, C_FLAGS).aluK('and', R0, F_SRC).jmpK('jeq', R0, 0, 'accept');
  for (let i = 0; i < (v4 ? 1 : 4); i++) a.ldAbs('w', v4 ? 12 : SKF_NET_OFF + 8 + 4 * i).ldx('w', R1, R8, 4 * i).jmp32X('jne', R0, R1, 'notown');
  a.ja('accept');
  a.label('notown');

  // Length: the fixed header, then the length the address count implies (validate.ts order).
  a.jmpK('jlt', R9, VRRP_HEADER_LEN, 'bad-length');
  a.ldInd('b', R7, 0).aluK('rsh', R0, 4).stx('dw', R10, VER_SLOT, R0);
  a.jmpK('jeq', R0, 2, 'v2len').jmpK('jeq', R0, 3, 'v3len').ja('ttl');
  // A v2 message carries 8 bytes of authentication data after its addresses (RFC 3768 §5.1).
  a.label('v2len').ldInd('b', R7, 3).aluK('mul', R0, v4 ? 4 : 16).aluK('add', R0, VRRP_HEADER_LEN + 8).jmpX('jgt', R0, R9, 'bad-length').ja('ttl');
  a.label('v3len').ldInd('b', R7, 3).aluK('mul', R0, v4 ? 4 : 16).aluK('add', R0, VRRP_HEADER_LEN).jmpX('jgt', R0, R9, 'bad-length');
  // TTL / hop limit 255 when sent to a multicast group: it was not routed (RFC 5798 §7.1, RFC 3768 §7.1).
  a.label('ttl');
  if (v4) a.ldAbs('b', 16).aluK('and', R0, 0xf0).jmpK('jne', R0, 0xe0, 'version').ldAbs('b', 8).jmpK('jne', R0, 255, 'bad-ttl');
  else a.ldAbs('b', SKF_NET_OFF + 24).jmpK('jne', R0, 0xff, 'version').ldAbs('b', SKF_NET_OFF + 7).jmpK('jne', R0, 255, 'bad-ttl');
  // Version: IPv6 carries only v3 (a v2 message there decodes as bad-family, counted as bad-version).
  a.label('version').ldx('dw', R0, R10, VER_SLOT);
  if (v4) a.jmpK('jlt', R0, 2, 'bad-version').jmpK('jgt', R0, 3, 'bad-version');
  else a.jmpK('jne', R0, 3, 'bad-version');
  a.ldx('b', R1, R8, C_FLAGS).aluK('and', R1, F_VERSION).jmpK('jeq', R1, 0, 'accept');
  a.ldx('b', R1, R8, C_VERSION).jmpX('jne', R0, R1, 'bad-version');
  a.ldInd('b', R7, 0).aluK('and', R0, 0x0f).jmpK('jne', R0, VRRP_TYPE_ADVERTISEMENT, 'bad-type');
  duplicate(a, v4, countersFd);
  if (withSums) checksum(a);
  a.ja('accept');

  // count: counters[vrid * SLOTS + reason] += 1, then drop (only the exits some check jumps to:
  // the verifier refuses unreachable code).
  KERNEL_REASONS.forEach((r, i) => { if (a.referenced(r)) a.label(r).ldx('dw', R1, R10, VRID_SLOT).aluK('mul', R1, SLOTS).aluK('add', R1, i).ja('count'); });
  a.label('foreign').movK(R1, FOREIGN_KEY);
  a.label('count').stx('w', R10, KEY_SLOT, R1);
  a.ldMapFd(R1, countersFd).movX(R2, R10).aluK('add', R2, KEY_SLOT).call(HELPER.mapLookupElem);
  a.jmpK('jeq', R0, 0, 'drop');
  a.movK(R1, 1).atomicAdd64(R0, 0, R1);
  a.label('drop').movK(R0, 0).exit();
  // Accept the whole packet (the return value is the number of bytes to keep).
  a.label('accept').movK(R0, -1).exit();
  return a.assemble();
}

/**
 * Drops a byte-identical copy of the VRID's reference (same length, TTL, source, destination and
 * payload words), counting it and stamping its time; anything else falls through. The reference
 * length is a multiple of 4 and at most REF_MAX (encodeVridConfig), so no load passes the packet's end.
 */
function duplicate(a: BpfAsm, v4: boolean, countersFd: number): void {
  a.ldx('b', R0, R8, C_FLAGS).aluK('and', R0, F_REF).jmpK('jeq', R0, 0, 'nodup');
  a.ldx('w', R1, R8, C_REFLEN).jmpX('jne', R9, R1, 'nodup');
  a.ldAbs('b', v4 ? 8 : SKF_NET_OFF + 7).ldx('b', R1, R8, C_REFTTL).jmpX('jne', R0, R1, 'nodup');
  for (let i = 0; i < (v4 ? 1 : 4); i++) {
    a.ldAbs('w', v4 ? 12 : SKF_NET_OFF + 8 + 4 * i).ldx('w', R1, R8, C_REFSRC + 4 * i).jmp32X('jne', R0, R1, 'nodup');
    a.ldAbs('w', v4 ? 16 : SKF_NET_OFF + 24 + 4 * i).ldx('w', R1, R8, C_REFDST + 4 * i).jmp32X('jne', R0, R1, 'nodup');
  }
  for (let k = 0; k < REF_MAX / 4; k++) {
    a.jmpK('jle', R9, 4 * k, 'dup');
    a.ldInd('w', R7, 4 * k).ldx('w', R1, R8, C_REF + 4 * k).jmp32X('jne', R0, R1, 'nodup');
  }
  a.label('dup').call(HELPER.ktimeGetNs).stx('dw', R10, TIME_SLOT, R0);
  a.ldx('dw', R1, R10, VRID_SLOT).aluK('mul', R1, SLOTS).aluK('add', R1, SEEN_SLOT).stx('w', R10, KEY_SLOT, R1);
  a.ldMapFd(R1, countersFd).movX(R2, R10).aluK('add', R2, KEY_SLOT).call(HELPER.mapLookupElem);
  a.jmpK('jeq', R0, 0, 'drop');
  a.ldx('dw', R1, R10, TIME_SLOT).stx('dw', R0, 0, R1);
  a.ldx('dw', R1, R10, VRID_SLOT).aluK('mul', R1, SLOTS).aluK('add', R1, DUP_SLOT).ja('count');
  a.label('nodup');
}

/**
 * The one's complement sums validate.ts's checksum check needs (RFC 1071; RFC 5798 §5.2.8 for the
 * pseudo-header), computed once per packet before the VRID lookup. SUMOK says whether they were
 * (not for payloads over MAX_SUM_LEN, which user space checks).
 */
function sums(a: BpfAsm, v4: boolean): void {
  a.st('dw', R10, SUMOK_SLOT, 0);
  a.jmpK('jgt', R9, MAX_SUM_LEN, 'nosum');
  a.stx('dw', R10, OFF_SLOT, R7);
  a.movX(R0, R9).aluK('and', R0, -2).aluX('add', R0, R7).stx('dw', R10, END_SLOT, R0);
  a.movK(R8, 0);
  a.label('sumloop').ldx('dw', R0, R10, END_SLOT).jmpX('jge', R7, R0, 'sumtail');
  a.ldInd('h', R7, 0).aluX('add', R8, R0).aluK('add', R7, 2).ja('sumloop');
  // An odd last byte counts as the high half of a word (vrrp.ts sumWords).
  a.label('sumtail').movX(R0, R9).aluK('and', R0, 1).jmpK('jeq', R0, 0, 'sumdone');
  a.ldInd('b', R7, 0).aluK('lsh', R0, 8).aluX('add', R8, R0);
  a.label('sumdone').stx('dw', R10, SUM_SLOT, R8);
  // Pseudo-header: source, destination, protocol 112, VRRP length (at most MAX_SUM_LEN: one word).
  if (v4) for (const off of [12, 14, 16, 18]) a.ldAbs('h', off).aluX('add', R8, R0);
  else for (let k = 0; k < 16; k++) a.ldAbs('h', SKF_NET_OFF + 8 + 2 * k).aluX('add', R8, R0);
  a.aluK('add', R8, 112).aluX('add', R8, R9).stx('dw', R10, SUMP_SLOT, R8);
  a.ldx('dw', R7, R10, OFF_SLOT).st('dw', R10, SUMOK_SLOT, 1);
  a.label('nosum');
}

/** Falls through when a form the config accepts sums to 0xffff (vrrpChecksum() === 0), else bad-checksum; unknown form or no sums: accept. */
function checksum(a: BpfAsm): void {
  a.ldx('dw', R0, R10, SUMOK_SLOT).jmpK('jeq', R0, 0, 'accept');
  a.ldx('b', R0, R8, C_CSUM).jmpK('jeq', R0, 0, 'accept');
  const test = (form: number, slot: number, next: string): void => {
    a.ldx('b', R0, R8, C_CSUM).aluK('and', R0, form).jmpK('jeq', R0, 0, next);
    a.ldx('dw', R0, R10, slot);
    // Sums stay far below 2^32 (MAX_SUM_LEN bytes): three folds bring any of them to 16 bits.
    for (let k = 0; k < 3; k++) a.movX(R1, R0).aluK('rsh', R1, 16).aluK('and', R0, 0xffff).aluX('add', R0, R1);
    a.jmpK('jeq', R0, 0xffff, 'csumok').ja(next);
  };
  test(CS_PSEUDO, SUMP_SLOT, 'csumplain');
  a.label('csumplain');
  test(CS_PLAIN, SUM_SLOT, 'bad-checksum');
  a.label('csumok');
}
