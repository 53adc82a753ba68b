// A small eBPF interpreter for the instructions src/net/bpf.ts emits, so that the VRRP filter's
// decisions can be checked against src/vrrp/validate.ts without root or a kernel: 64-bit ALU,
// LD_ABS/LD_IND (with SKF_NET_OFF), stack and map-value loads and stores, atomic add, jumps (64
// and 32 bit), bpf_map_lookup_elem over array and hash maps, exit. Anything else throws.

const SKF_NET_OFF = -0x100000;
const M64 = (1n << 64n) - 1n;

export interface Skb {
  /** What skb->data points at: the IPv4 header (IPv4 raw socket) or the payload (IPv6). */
  data: Uint8Array;
  /** The network header (for SKF_NET_OFF loads). */
  net: Uint8Array;
  /** What bpf_ktime_get_ns() returns. */
  ktimeNs?: bigint;
}

export interface FakeMap { type: 'array' | 'hash'; valueSize: number; maxEntries: number; values: Map<number, Uint8Array> }

type Ptr = { kind: 'stack' | 'value' | 'ctx'; buf: Uint8Array; off: number } | { kind: 'map'; fd: number };
type Val = bigint | Ptr | undefined;

export class OutOfPacket extends Error {}

function u(v: Val, what: string): bigint {
  if (typeof v !== 'bigint') throw new Error(`${what}: expected a scalar, got ${v === undefined ? 'an uninitialised register' : v.kind}`);
  return v;
}
const sx32 = (imm: number): bigint => BigInt.asUintN(64, BigInt(imm | 0));

function load(buf: Uint8Array, off: number, size: number): bigint {
  if (off < 0 || off + size > buf.length) throw new Error(`memory read out of bounds at ${off}+${size}`);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[off + i]!);
  return v;
}
function store(buf: Uint8Array, off: number, size: number, v: bigint): void {
  if (off < 0 || off + size > buf.length) throw new Error(`memory write out of bounds at ${off}+${size}`);
  for (let i = 0; i < size; i++) { buf[off + i] = Number(v & 0xffn); v >>= 8n; }
}

/** Runs `prog` on one packet; returns the filter's result (bytes to keep, 0 = drop). */
export function runFilter(prog: Uint8Array, skb: Skb, maps: Map<number, FakeMap>, maxSteps = 1_000_000): number {
  const b = Buffer.from(prog.buffer, prog.byteOffset, prog.byteLength);
  const stack = new Uint8Array(512);
  const ctx = new Uint8Array(4);
  new DataView(ctx.buffer).setUint32(0, skb.data.length, true); // __sk_buff.len
  const r: Val[] = new Array(11).fill(undefined);
  r[1] = { kind: 'ctx', buf: ctx, off: 0 };
  r[10] = { kind: 'stack', buf: stack, off: 512 };
  const sizes: Record<number, number> = { 0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8 };
  for (let pc = 0, steps = 0; ; pc++) {
    if (++steps > maxSteps) throw new Error('too many steps');
    if (pc * 8 >= b.length) throw new Error('fell off the end');
    const code = b[pc * 8]!, dst = b[pc * 8 + 1]! & 0xf, src = b[pc * 8 + 1]! >> 4;
    const off = b.readInt16LE(pc * 8 + 2), imm = b.readInt32LE(pc * 8 + 4);
    const cls = code & 7;
    if (cls === 0x00) { // LD
      if (code === 0x18) { if (src !== 1) throw new Error('ld_imm64 without a map fd'); r[dst] = { kind: 'map', fd: imm }; pc++; continue; }
      const mode = code & 0xe0, size = sizes[code & 0x18]!;
      let o = imm;
      if (mode === 0x40) o += Number(u(r[src], 'ld_ind offset'));
      else if (mode !== 0x20) throw new Error(`unsupported LD ${code.toString(16)}`);
      const [buf, at] = o < 0 && o >= SKF_NET_OFF ? [skb.net, o - SKF_NET_OFF] : [skb.data, o];
      // The kernel ends the program with 0 (drop) on a load past the packet: the filter must never let that happen.
      if (at < 0 || at + size > buf.length) throw new OutOfPacket(`LD_ABS/IND past the packet at ${o} (pc ${pc})`);
      let v = 0n;
      for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(buf[at + i]!);
      r[0] = v;
      for (let k = 1; k <= 5; k++) r[k] = undefined;
      continue;
    }
    if (cls === 0x01 || cls === 0x02 || cls === 0x03) { // LDX, ST, STX
      const size = sizes[code & 0x18]!;
      const mode = code & 0xe0;
      const base = cls === 0x01 ? r[src] : r[dst];
      if (typeof base !== 'object' || base.kind === 'map') throw new Error(`memory access through a non-pointer at pc ${pc}`);
      const at = base.off + off;
      if (cls === 0x01) { if (mode !== 0x60) throw new Error('LDX mode'); r[dst] = load(base.buf, at, size); continue; }
      if (cls === 0x02) { store(base.buf, at, size, sx32(imm) & ((1n << BigInt(size * 8)) - 1n)); continue; }
      const v = u(r[src], 'stx value');
      if (mode === 0x60) store(base.buf, at, size, v & ((1n << BigInt(size * 8)) - 1n));
      else if (mode === 0xc0 && imm === 0) store(base.buf, at, size, (load(base.buf, at, size) + v) & ((1n << BigInt(size * 8)) - 1n));
      else throw new Error('STX mode');
      continue;
    }
    if (cls === 0x07) { // ALU64
      const op = code & 0xf0;
      const x = (code & 0x08) !== 0;
      const d = r[dst];
      if (op === 0xb0) { r[dst] = x ? r[src] : sx32(imm); continue; }
      const s = x ? u(r[src], 'alu src') : sx32(imm);
      if (typeof d === 'object' && d.kind !== 'map' && op === 0x00) { r[dst] = { ...d, off: d.off + Number(BigInt.asIntN(64, s)) }; continue; }
      const a = u(d, `alu dst at pc ${pc}`);
      let v: bigint;
      switch (op) {
        case 0x00: v = a + s; break;
        case 0x10: v = a - s; break;
        case 0x20: v = a * s; break;
        case 0x40: v = a | s; break;
        case 0x50: v = a & s; break;
        case 0x60: v = a << (s & 63n); break;
        case 0x70: v = a >> (s & 63n); break;
        case 0xa0: v = a ^ s; break;
        default: throw new Error(`unsupported ALU op ${op.toString(16)}`);
      }
      r[dst] = v & M64;
      continue;
    }
    if (cls === 0x05 || cls === 0x06) { // JMP, JMP32
      const op = code & 0xf0;
      if (cls === 0x05 && op === 0x00) { pc += off; continue; }
      if (cls === 0x05 && op === 0x90) return Number(u(r[0], 'r0 at exit') & 0xffffffffn);
      if (cls === 0x05 && op === 0x80) {
        if (imm === 5) { // bpf_ktime_get_ns
          r[0] = skb.ktimeNs ?? 0n;
          for (let i = 1; i <= 5; i++) r[i] = undefined;
          continue;
        }
        if (imm !== 1) throw new Error(`unsupported helper ${imm}`);
        const m = r[1] as Val, k = r[2] as Val;
        if (typeof m !== 'object' || m.kind !== 'map') throw new Error('map_lookup_elem without a map');
        if (typeof k !== 'object' || k.kind !== 'stack') throw new Error('map_lookup_elem key not on the stack');
        const map = maps.get(m.fd);
        if (!map) throw new Error(`no map ${m.fd}`);
        const key = Number(load(k.buf, k.off, 4));
        let v = map.values.get(key);
        if (!v && map.type === 'array' && key < map.maxEntries) { v = new Uint8Array(map.valueSize); map.values.set(key, v); }
        r[0] = v ? { kind: 'value', buf: v, off: 0 } : 0n;
        for (let i = 1; i <= 5; i++) r[i] = undefined;
        continue;
      }
      const x = (code & 0x08) !== 0;
      let a: bigint, c: bigint;
      const d = r[dst];
      if (typeof d === 'object') { // pointer compared with 0 (a map lookup's null check)
        if (x || imm !== 0 || (op !== 0x10 && op !== 0x50)) throw new Error('pointer comparison');
        a = 1n; c = 0n;
      } else {
        a = u(d, `jump dst at pc ${pc}`); c = x ? u(r[src], 'jump src') : sx32(imm);
        if (cls === 0x06) { a &= 0xffffffffn; c &= 0xffffffffn; }
      }
      let t: boolean;
      switch (op) {
        case 0x10: t = a === c; break;
        case 0x20: t = a > c; break;
        case 0x30: t = a >= c; break;
        case 0x50: t = a !== c; break;
        case 0xa0: t = a < c; break;
        case 0xb0: t = a <= c; break;
        default: throw new Error(`unsupported jump op ${op.toString(16)}`);
      }
      if (t) pc += off;
      continue;
    }
    throw new Error(`unsupported opcode ${code.toString(16)} at pc ${pc}`);
  }
}
