import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/ports/fake/clock.js';
import { FakeVrrpLan } from '../../../src/ports/fake/transport.js';
import { formatIP, parseIP } from '../../../src/lib/ip.js';

const ip = (s: string) => parseIP(s).addr;

test('fake clock fires timers in due order, including timers armed by timers', () => {
  const c = new FakeClock(0);
  const seen: string[] = [];
  c.setTimer(30, () => seen.push(`b@${c.now()}`));
  c.setTimer(10, () => { seen.push(`a@${c.now()}`); c.setTimer(5, () => seen.push(`c@${c.now()}`)); });
  const h = c.setTimer(20, () => seen.push('cancelled'));
  c.clearTimer(h);
  c.advance(100);
  assert.deepEqual(seen, ['a@10', 'c@15', 'b@30']);
  assert.equal(c.now(), 100);
});

test('fake clock jump leaves due timers for the next advance', () => {
  const c = new FakeClock(0);
  let fired = 0;
  c.setTimer(10, () => fired++);
  c.jump(50);
  assert.equal(fired, 0);
  c.advance(0);
  assert.equal(fired, 1);
});

test('fake LAN: multicast reaches every other member, unicast only its address, cut cables drop', () => {
  const lan = new FakeVrrpLan();
  const a = lan.join('10.0.0.1'); const b = lan.join('10.0.0.2'); const c = lan.join(ip('10.0.0.3'));
  const got: Record<string, string[]> = { b: [], c: [] };
  b.onReceive((d) => got.b!.push(`${formatIP(d.src)}>${formatIP(d.dst)}`));
  c.onReceive((d) => got.c!.push(`${formatIP(d.src)}>${formatIP(d.dst)}`));
  a.send(new Uint8Array([1]), ip('224.0.0.18'));
  a.send(new Uint8Array([2]), ip('10.0.0.3'));
  lan.cut.add(c);
  a.send(new Uint8Array([3]), ip('224.0.0.18'));
  assert.deepEqual(got, { b: ['10.0.0.1>224.0.0.18', '10.0.0.1>224.0.0.18'], c: ['10.0.0.1>224.0.0.18', '10.0.0.1>10.0.0.3'] });
});

test('fake LAN without auto delivery keeps packets queued for drain()', () => {
  const lan = new FakeVrrpLan();
  lan.autoDeliver = false;
  const a = lan.join('10.0.0.1'); const b = lan.join('10.0.0.2');
  let delivered = 0;
  b.onReceive(() => delivered++);
  a.send(new Uint8Array([1]), ip('224.0.0.18'));
  a.send(new Uint8Array([2]), ip('224.0.0.18'));
  assert.equal(delivered, 0);
  assert.deepEqual(b.drain().map((d) => d.payload[0]), [1, 2]);
  assert.equal(b.drain().length, 0);
});
