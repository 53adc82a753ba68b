// The eBPF assembler's encodings, byte for byte against struct bpf_insn as the kernel documents
// them (Documentation/bpf/standardization/instruction-set.rst), and its label handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfAsm, R0, R1, R2, R6, R7, R9, R10, SKF_NET_OFF } from '../../../src/net/bpf.js';
import { vrrpFilter } from '../../../src/net/vrrp-filter.js';

const hex = (a: BpfAsm): string[] => (a.assemble().toString('hex').match(/.{16}/g) ?? []);

test('single instructions encode as the kernel expects', () => {
  const cases: [string, (a: BpfAsm) => BpfAsm][] = [
    ['bf16000000000000', (a) => a.movX(R6, R1)],                    // r6 = r1
    ['b700000000000000', (a) => a.movK(R0, 0)],                     // r0 = 0
    ['b7000000ffffffff', (a) => a.movK(R0, -1)],                   // r0 = -1 (sign-extended)
    ['3000000000000000', (a) => a.ldAbs('b', 0)],                   // r0 = *(u8 *)skb[0]
    ['200000000c000000', (a) => a.ldAbs('w', 12)],                  // r0 = ntohl(*(u32 *)skb[12])
    ['300000000700f0ff', (a) => a.ldAbs('b', SKF_NET_OFF + 7)],    // network header byte 7 (SKF_NET_OFF + 7)
    ['4870000000000000', (a) => a.ldInd('h', R7, 0)],               // r0 = ntohs(*(u16 *)skb[r7])
    ['6169000000000000', (a) => a.ldx('w', R9, R6, 0)],             // r9 = *(u32 *)(r6 + 0)
    ['631afcff00000000', (a) => a.stx('w', R10, -4, R1)],           // *(u32 *)(r10 - 4) = r1
    ['7a0ac0ff01000000', (a) => a.st('dw', R10, -64, 1)],           // *(u64 *)(r10 - 64) = 1
    ['db10000000000000', (a) => a.atomicAdd64(R0, 0, R1)],          // lock *(u64 *)(r0 + 0) += r1
    ['0702000004000000', (a) => a.aluK('add', R2, 4)],              // r2 += 4
    ['5f01000000000000', (a) => a.aluX('and', R1, R0)],             // r1 &= r0
    ['8500000001000000', (a) => a.call(1)],                         // call bpf_map_lookup_elem
    ['9500000000000000', (a) => a.exit()],
  ];
  for (const [want, emit] of cases) assert.deepEqual(hex(emit(new BpfAsm())), [want], want);
});

test('ld_imm64 with a map fd takes two slots, src_reg 1 (BPF_PSEUDO_MAP_FD)', () => {
  assert.deepEqual(hex(new BpfAsm().ldMapFd(R1, 5)), ['1811000005000000', '0000000000000000']);
});

test('jumps resolve labels backwards and forwards, 64- and 32-bit compares', () => {
  const a = new BpfAsm().label('top').jmpK('jeq', R0, 2, 'end').jmp32K('jne', R0, 0x0a090001, 'top').jmpX('jgt', R0, R9, 'end').ja('top').label('end').exit();
  assert.deepEqual(hex(a), ['1500030002000000', '5600feff0100090a', '2d90010000000000', '0500fcff00000000', '9500000000000000']);
});

test('undefined and duplicate labels are errors, not silent zero offsets', () => {
  assert.throws(() => new BpfAsm().ja('nowhere').assemble(), /undefined label nowhere/);
  assert.throws(() => new BpfAsm().label('x').label('x'), /defined twice/);
});

test('the VRRP filter: fixed size whatever the VRIDs served, same bytes for the same map fds, starts by saving the context', () => {
  const v4 = vrrpFilter(4, 3, 4), v6 = vrrpFilter(6, 3, 4);
  assert.equal(v4.length % 8, 0);
  assert.deepEqual(vrrpFilter(4, 3, 4), v4);
  assert.equal(v4.subarray(0, 8).toString('hex'), 'bf16000000000000');
  assert.equal(v4.subarray(8, 16).toString('hex'), '6169000000000000'); // r9 = skb->len
  // The duplicate check is unrolled over REF_MAX / 4 words (about 3 instructions each).
  assert.ok(v4.length / 8 < 280 && v6.length / 8 < 320, `${v4.length / 8} / ${v6.length / 8} instructions`);
  assert.notDeepEqual(vrrpFilter(4, 3, 9), v4, 'the counter map fd is in the program');
});
