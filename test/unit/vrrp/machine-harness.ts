// Shared helpers for the machine tests: a harness that checks purity by freezing the input state,
// event builders and the exact action list of a transition to Master.
import assert from 'node:assert/strict';
import {
  initialMachineState, step, type MachineAction, type MachineConfig, type MachineEvent, type MachineState,
} from '../../../src/vrrp/machine.js';
import { parseIP } from '../../../src/lib/ip.js';

export const ip = (s: string): Uint8Array => parseIP(s).addr;
export const ME = ip('10.0.0.5');
export const LOWER_ADDR = ip('10.0.0.2');
export const HIGHER_ADDR = ip('10.0.0.9');

// Both versions with a 1 s interval and priority 100:
//   Skew_Time = 156/256 s = 609.375 ms, Master_Down_Interval = 3609.375 ms (v2 and v3 agree at 100 cs).
export const SKEW_100 = 609.375;
export const DOWN_100 = 3609.375;

export function cfgFor(version: 2 | 3, over: Partial<MachineConfig> = {}): MachineConfig {
  return { version, priority: 100, advertIntervalCs: 100, initialState: 'BACKUP', nopreempt: false, preemptDelayMs: 0, primaryAddr: ME, ...over };
}

export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !ArrayBuffer.isView(o)) { Object.freeze(o); for (const v of Object.values(o)) deepFreeze(v); }
  return o;
}

/** Drives one machine; every step checks purity by freezing the input state. */
export class Harness {
  s: MachineState;
  constructor(readonly cfg: MachineConfig) { this.s = initialMachineState(cfg); }
  at(now: number, ev: MachineEvent): MachineAction[] {
    const r = step(this.cfg, deepFreeze(this.s), ev, now);
    this.s = r.state;
    return r.actions;
  }
  get state(): string { return this.s.state; }
}

export const advert = (priority: number, primaryAddr = HIGHER_ADDR, maxAdvertIntervalCs = 100): MachineEvent =>
  ({ type: 'advertReceived', priority, primaryAddr, maxAdvertIntervalCs });
export const timer = (t: 'masterDown' | 'advert' | 'preemptDelay'): MachineEvent => ({ type: 'timer', timer: t });

/** The exact action list of a transition to Master at `now` with priority p (1 s interval). */
export const toMaster = (now: number, p: number, reason: string, from = 'BACKUP', cancels: MachineAction[] = []): MachineAction[] => [
  ...cancels,
  { type: 'sendAdvert', priority: p },
  { type: 'addVips' },
  { type: 'sendGarp', reason: 'takeover' },
  { type: 'notify', state: 'MASTER', from, reason } as MachineAction,
  { type: 'armTimer', timer: 'advert', at: now + 1000 },
];

/** A machine that is BACKUP since t=0 having accepted a master of priority 150 at t=100. */
export function backupWithMaster(version: 2 | 3, over: Partial<MachineConfig> = {}): Harness {
  const h = new Harness(cfgFor(version, over));
  h.at(0, { type: 'startup' });
  h.at(100, advert(150));
  return h;
}
/** A machine that became MASTER at t=DOWN_100 by master-down. */
export function master(version: 2 | 3, over: Partial<MachineConfig> = {}): Harness {
  const h = new Harness(cfgFor(version, over));
  h.at(0, { type: 'startup' });
  h.at(DOWN_100, timer('masterDown'));
  assert.equal(h.state, 'MASTER');
  return h;
}

