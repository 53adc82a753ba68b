// The announcement burst without a network: frames, rounds, spacing and full send queues.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SysError } from '../../../src/lib/errors.js';
import { parseMac } from '../../../src/lib/ip.js';
import { GarpSender, announcementFrame, type FrameSender } from '../../../src/net/garp.js';

const MAC = parseMac('02:00:00:00:00:01');

function fakeSender(failures: string[]): FrameSender & { sent: Buffer[] } {
  const sent: Buffer[] = [];
  return {
    sent,
    send(frame) {
      const code = failures.shift();
      if (code) throw new SysError('send frame on ifindex 3', code);
      sent.push(Buffer.from(frame));
    },
    close() {},
  };
}

test('a burst sends every address once per round, sleeping between rounds only', async () => {
  const s = fakeSender([]);
  const sleeps: number[] = [];
  const r = await GarpSender.over(s).announce(3, MAC, ['10.0.0.1', '2001:db8::1'], { count: 3, intervalMs: 7, sleep: async (ms) => { sleeps.push(ms); } });
  assert.equal(r.frames, 6);
  assert.equal(r.retries, 0);
  assert.deepEqual(sleeps, [7, 7]);
  assert.deepEqual(s.sent.map((f) => f.readUInt16BE(12)), [0x0806, 0x86dd, 0x0806, 0x86dd, 0x0806, 0x86dd]);
  assert.deepEqual(s.sent[0], announcementFrame(Uint8Array.from([10, 0, 0, 1]), MAC));
});

test('a full send queue (EAGAIN, ENOBUFS) is waited out instead of cutting the burst short', async () => {
  const s = fakeSender(['EAGAIN', 'ENOBUFS', undefined as never, 'EAGAIN']);
  const r = await GarpSender.over(s).announce(3, MAC, ['10.0.0.1', '10.0.0.2'], { count: 2, sleep: async () => {} });
  assert.equal(r.frames, 4);
  assert.equal(r.retries, 3);
  assert.equal(s.sent.length, 4);
});

test('other send errors, or a queue that stays full, stop the burst with the SysError', async () => {
  await assert.rejects(GarpSender.over(fakeSender(['ENETDOWN'])).announce(3, MAC, ['10.0.0.1'], { sleep: async () => {} }), /ENETDOWN/);
  await assert.rejects(GarpSender.over(fakeSender(Array(20).fill('EAGAIN'))).announce(3, MAC, ['10.0.0.1'], { sleep: async () => {} }), /EAGAIN/);
});
