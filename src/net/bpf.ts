// A small eBPF assembler, pure: instructions as the kernel's struct bpf_insn (8 bytes, little
// endian: opcode, dst_reg | src_reg << 4, s16 offset, s32 immediate), jumps to named labels, and
// the 16-byte map-fd load. Only what socket filters need; the program itself is in vrrp-filter.ts.
//
// Why eBPF and not classic BPF: a classic filter can only accept or drop, so every packet it drops
// would vanish from the drop counters. An eBPF socket filter can add one to an array map slot per
// drop reason before dropping, which keeps the counters exact while the packet never wakes Node.

export const R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;
export type Reg = number;

// Opcode parts from linux/bpf_common.h and linux/bpf.h.
const LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU64 = 0x07, JMP = 0x05, JMP32 = 0x06;
const W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
const IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, ATOMIC = 0xc0;
const K = 0x00, X = 0x08;
export const SIZE = { w: W, h: H, b: B, dw: DW } as const;
export type Size = keyof typeof SIZE;
export const ALU = { add: 0x00, sub: 0x10, mul: 0x20, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, xor: 0xa0, mov: 0xb0 } as const;
export type AluOp = keyof typeof ALU;
export const JOP = { jeq: 0x10, jgt: 0x20, jge: 0x30, jne: 0x50, jlt: 0xa0, jle: 0xb0 } as const;
export type JumpOp = keyof typeof JOP;
const JA = 0x00, CALL = 0x80, EXIT = 0x90;

/** Negative offset base that makes LD_ABS/LD_IND address the network header (linux/filter.h). */
export const SKF_NET_OFF = -0x100000;
/** src_reg of a ld_imm64 whose immediate is a map fd (BPF_PSEUDO_MAP_FD). */
const PSEUDO_MAP_FD = 1;
/** Helper numbers (enum bpf_func_id). */
export const HELPER = { mapLookupElem: 1, ktimeGetNs: 5 } as const;

interface Insn { code: number; dst: number; src: number; off: number | string; imm: number }

export class BpfAsm {
  private insns: Insn[] = [];
  private labels = new Map<string, number>();

  private emit(code: number, dst: number, src: number, off: number | string, imm: number): this {
    this.insns.push({ code, dst, src, off, imm: imm | 0 });
    return this;
  }

  /** Marks the position of the next instruction. */
  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} defined twice`);
    this.labels.set(name, this.insns.length);
    return this;
  }

  /** 64-bit ALU with an immediate (sign-extended to 64 bits). */
  aluK(op: AluOp, dst: Reg, imm: number): this { return this.emit(ALU64 | ALU[op] | K, dst, 0, 0, imm); }
  /** 64-bit ALU with a register. */
  aluX(op: AluOp, dst: Reg, src: Reg): this { return this.emit(ALU64 | ALU[op] | X, dst, src, 0, 0); }
  movK(dst: Reg, imm: number): this { return this.aluK('mov', dst, imm); }
  movX(dst: Reg, src: Reg): this { return this.aluX('mov', dst, src); }

  /** r0 = packet byte/half/word at `off` (big-endian, converted to host order); r1-r5 are clobbered. */
  ldAbs(size: Exclude<Size, 'dw'>, off: number): this { return this.emit(LD | SIZE[size] | ABS, 0, 0, 0, off); }
  /** r0 = packet byte/half/word at `src + off`; r1-r5 are clobbered. */
  ldInd(size: Exclude<Size, 'dw'>, src: Reg, off: number): this { return this.emit(LD | SIZE[size] | IND, 0, src, 0, off); }
  /** dst = *(size *)(src + off) */
  ldx(size: Size, dst: Reg, src: Reg, off: number): this { return this.emit(LDX | SIZE[size] | MEM, dst, src, off, 0); }
  /** *(size *)(dst + off) = src */
  stx(size: Size, dst: Reg, off: number, src: Reg): this { return this.emit(STX | SIZE[size] | MEM, dst, src, off, 0); }
  /** *(size *)(dst + off) = imm */
  st(size: Size, dst: Reg, off: number, imm: number): this { return this.emit(ST | SIZE[size] | MEM, dst, 0, off, imm); }
  /** Atomic *(u64 *)(dst + off) += src (BPF_ATOMIC | BPF_ADD, formerly BPF_XADD). */
  atomicAdd64(dst: Reg, off: number, src: Reg): this { return this.emit(STX | DW | ATOMIC, dst, src, off, 0); }
  /** dst = map fd (relocated by the kernel into the map's address); takes two instruction slots. */
  ldMapFd(dst: Reg, fd: number): this { this.emit(LD | DW | IMM, dst, PSEUDO_MAP_FD, 0, fd); return this.emit(0, 0, 0, 0, 0); }

  /** 64-bit compare of a register with an immediate (sign-extended). */
  jmpK(op: JumpOp, dst: Reg, imm: number, to: string): this { return this.emit(JMP | JOP[op] | K, dst, 0, to, imm); }
  /** 32-bit compare (the low halves), for values such as IPv4 addresses that do not fit a signed immediate. */
  jmp32K(op: JumpOp, dst: Reg, imm: number, to: string): this { return this.emit(JMP32 | JOP[op] | K, dst, 0, to, imm); }
  jmpX(op: JumpOp, dst: Reg, src: Reg, to: string): this { return this.emit(JMP | JOP[op] | X, dst, src, to, 0); }
  /** 32-bit register compare (the low halves). */
  jmp32X(op: JumpOp, dst: Reg, src: Reg, to: string): this { return this.emit(JMP32 | JOP[op] | X, dst, src, to, 0); }
  ja(to: string): this { return this.emit(JMP | JA, 0, 0, to, 0); }
  call(helper: number): this { return this.emit(JMP | CALL, 0, 0, 0, helper); }
  exit(): this { return this.emit(JMP | EXIT, 0, 0, 0, 0); }

  /** The program's bytes; throws on an undefined label or an offset out of range. */
  assemble(): Buffer {
    const out = Buffer.alloc(this.insns.length * 8);
    this.insns.forEach((ins, pc) => {
      let off = ins.off;
      if (typeof off === 'string') {
        const at = this.labels.get(off);
        if (at === undefined) throw new Error(`undefined label ${off}`);
        off = at - (pc + 1);
      }
      if (off < -0x8000 || off > 0x7fff) throw new RangeError(`jump offset ${off} out of range`);
      out[pc * 8] = ins.code;
      out[pc * 8 + 1] = (ins.dst & 0xf) | ((ins.src & 0xf) << 4);
      out.writeInt16LE(off, pc * 8 + 2);
      out.writeInt32LE(ins.imm, pc * 8 + 4);
    });
    return out;
  }

  get length(): number { return this.insns.length; }

  /** Whether some jump emitted so far targets `name` (the verifier refuses unreachable code). */
  referenced(name: string): boolean { return this.insns.some((i) => i.off === name); }
}
