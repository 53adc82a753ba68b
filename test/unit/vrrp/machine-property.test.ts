// Property test: random event sequences, including field values no validated packet or runtime
// should produce (NaN, out-of-range priorities and intervals, odd address lengths). The machine
// must never throw and must keep every number it hands out usable: a NaN priority would make the
// runtime's encoder throw on every advertisement, a NaN deadline would arm a timer that never fires.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MachineEvent } from '../../../src/vrrp/machine.js';
import { Harness, cfgFor, timer, ip } from './machine-harness.js';

const WEIRD_NUMBERS = [NaN, Infinity, -Infinity, -1, 0, 0.5, 1, 99, 100, 101, 254, 255, 256, 1e9, -1e9];
const ADDRS = [ip('10.0.0.2'), ip('10.0.0.9'), ip('10.0.0.5'), ip('fe80::1'), new Uint8Array(0), Uint8Array.of(10)];

test('random event sequences with arbitrary field values: never throws, every number stays usable', () => {
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const num = (): number => (rnd(3) ? rnd(300) - 20 : pick(WEIRD_NUMBERS));
  const randomEvent = (): MachineEvent => {
    switch (rnd(10)) {
      case 8: return { type: 'configChanged', effective: num() };
      case 0: return { type: 'startup' };
      case 1: return { type: 'shutdown' };
      case 2: return { type: 'fault' };
      case 3: return { type: 'faultCleared' };
      case 4: return { type: 'priorityChanged', effective: num() };
      case 5: return { type: 'syncGroup', to: rnd(2) ? 'MASTER' : 'BACKUP' };
      case 6: return timer(pick(['masterDown', 'advert', 'preemptDelay'] as const));
      default: return { type: 'advertReceived', priority: num(), primaryAddr: pick(ADDRS), maxAdvertIntervalCs: rnd(2) ? rnd(5000) : num() };
    }
  };
  for (const version of [2, 3] as const) {
    for (const over of [{}, { priority: 255 }, { nopreempt: true }, { preemptDelayMs: 1500 }, { initialState: 'MASTER' as const }]) {
      const h = new Harness(cfgFor(version, over));
      let now = 0;
      for (let i = 0; i < 4000; i++) {
        now += rnd(800);
        const ev = randomEvent();
        let acts;
        try { acts = h.at(now, ev); } catch (e) { assert.fail(`threw on ${JSON.stringify(ev)} in ${h.state}: ${String(e)}`); }
        const where = `after ${JSON.stringify(ev)} (v${version} ${JSON.stringify(over)})`;
        const p = h.s.effectivePriority;
        assert.ok(Number.isInteger(p) && p >= 1 && p <= 255, `effective priority ${p} ${where}`);
        const mi = h.s.masterAdverIntervalCs;
        assert.ok(Number.isInteger(mi) && mi >= 1 && mi <= 0xfff, `Master_Adver_Interval ${mi} ${where}`);
        for (const [name, at] of Object.entries(h.s.timers)) assert.ok(Number.isFinite(at), `timer ${name} at ${at} ${where}`);
        for (const a of acts) {
          if (a.type === 'sendAdvert') assert.ok(Number.isInteger(a.priority) && a.priority >= 0 && a.priority <= 255, `advert priority ${a.priority} ${where}`);
          if (a.type === 'armTimer') assert.ok(Number.isFinite(a.at) && a.at >= now, `deadline ${a.at} ${where}`);
          if (a.type === 'adoptMasterAdvertInterval') assert.ok(Number.isInteger(a.intervalCs) && a.intervalCs >= 1 && a.intervalCs <= 0xfff, `adopted ${a.intervalCs} ${where}`);
        }
        if (h.s.masterPriority !== undefined) assert.ok(Number.isInteger(h.s.masterPriority), `master priority ${h.s.masterPriority} ${where}`);
      }
    }
  }
});
