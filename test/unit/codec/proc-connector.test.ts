import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeMessages, HOST_LE, NLMSG } from '../../../src/codec/netlink/message.js';
import { CN_IDX_PROC, CN_VAL_PROC, PROC_CN_MCAST_LISTEN, decodeProcMessage, encodeMcastOp, type ProcMessage } from '../../../src/codec/proc-connector.js';

// Captured once on this machine (x86_64, little-endian): `bash -c 'printf vkcomm > /proc/$$/comm;
// exec -a vkfixture sleep 0.3'` spawned from a listener; the datagrams concerning the child.
const fx = JSON.parse(readFileSync(new URL('../../fixtures/proc-connector/sleep-lifecycle.json', import.meta.url), 'utf8')) as { child: number; datagrams: { hex: string }[] };

function decodeAll(): ProcMessage[] {
  return fx.datagrams.flatMap((d) => decodeMessages(Buffer.from(d.hex, 'hex')).map((m) => {
    assert.equal(m.type, NLMSG.DONE, 'the connector sends every event as NLMSG_DONE');
    const r = decodeProcMessage(m.payload);
    assert.equal(typeof r, 'object', `undecodable: ${d.hex}`);
    return r as ProcMessage;
  }));
}

test('proc connector: a captured fork/exec/comm/exec/exit sequence decodes to the child\'s life', { skip: !HOST_LE && 'fixture is little-endian' }, () => {
  const ev = decodeAll().map((m) => m.event);
  const c = fx.child;
  assert.deepEqual(ev.map((e) => e.kind), ['ack', 'fork', 'exec', 'comm', 'exec', 'exit']);
  assert.deepEqual(ev[0], { kind: 'ack', err: 0 });
  const fork = ev[1]!;
  assert.ok(fork.kind === 'fork' && fork.childPid === c && fork.childTgid === c && fork.parentTgid > 0 && fork.parentTgid !== c);
  assert.deepEqual(ev[2], { kind: 'exec', pid: c, tgid: c });
  assert.deepEqual(ev[3], { kind: 'comm', pid: c, tgid: c, comm: 'vkcomm' });
  const exit = ev[5]!;
  assert.ok(exit.kind === 'exit' && exit.pid === c && exit.tgid === c && exit.exitCode === 0 && exit.exitSignal === 17 /* SIGCHLD */);
});

test('proc connector: the listen request is the 40-byte nlmsghdr + cn_msg + op the kernel expects', () => {
  const b = encodeMcastOp(PROC_CN_MCAST_LISTEN);
  assert.equal(b.length, 40);
  const [m] = decodeMessages(b);
  assert.equal(m!.type, NLMSG.DONE);
  const v = new DataView(m!.payload.buffer, m!.payload.byteOffset, m!.payload.byteLength);
  assert.equal(v.getUint32(0, HOST_LE), CN_IDX_PROC);
  assert.equal(v.getUint32(4, HOST_LE), CN_VAL_PROC);
  assert.equal(v.getUint16(16, HOST_LE), 4, 'cn_msg.len covers the op');
  assert.equal(v.getUint32(20, HOST_LE), PROC_CN_MCAST_LISTEN);
});

test('proc connector: short, foreign and inconsistent messages are refused with a reason, never thrown', () => {
  const [m] = decodeMessages(Buffer.from(fx.datagrams[1]!.hex, 'hex'));
  const p = Buffer.from(m!.payload);
  assert.equal(decodeProcMessage(p.subarray(0, 30)), 'short');
  const other = Buffer.from(p); other.writeUInt32LE(7, 0); // another connector's idx
  assert.equal(decodeProcMessage(other), 'not-proc');
  const long = Buffer.from(p); long.writeUInt16LE(200, 16); // cn_msg.len past the end
  assert.equal(decodeProcMessage(long), 'bad-length');
  const cut = Buffer.from(p); cut.writeUInt16LE(18, 16); // a fork with 2 of its 16 data bytes
  assert.equal(decodeProcMessage(cut), 'bad-length');
  for (let n = 0; n <= p.length; n++) decodeProcMessage(p.subarray(0, n)); // no prefix throws
});
