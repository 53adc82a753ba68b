// The pure decisions, event by event: what each event asks the engine to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, step, type EngineState } from '../../../src/announce/decide.js';

const specs = [{ holdDownMs: 0 }, { holdDownMs: 5000 }];
const routes = specs.map((s, i) => ({ prefix: `10.0.0.${i}/32`, family: 4 as const, condition: { kind: 'always' as const }, metric: 0, ...s }));

test('start: flush first, then announce what holds (at once, or arm its hold-down)', () => {
  const { state, actions } = step(specs, initialState(routes, 0), { type: 'start', met: [true, true] }, 100);
  assert.deepEqual(actions, [{ type: 'flush' }, { type: 'announce', index: 0 }, { type: 'arm-hold', index: 1, ms: 5000 }]);
  assert.equal(state.phase, 'running');
  assert.deepEqual(state.routes.map((r) => [r.announced, r.holding, r.since]), [[true, false, 100], [false, true, 100]]);
  // Start twice: nothing more.
  assert.deepEqual(step(specs, state, { type: 'start', met: [true, true] }, 200).actions, []);
});

test('a hold-down timer that fires early is re-armed for the rest, never shortened', () => {
  let s: EngineState = step(specs, initialState(routes, 0), { type: 'start', met: [false, true] }, 0).state;
  const early = step(specs, s, { type: 'hold-expired', index: 1 }, 4990);
  assert.deepEqual(early.actions, [{ type: 'arm-hold', index: 1, ms: 10 }]);
  s = early.state;
  assert.deepEqual(step(specs, s, { type: 'hold-expired', index: 1 }, 5000).actions, [{ type: 'announce', index: 1 }]);
});

test('condition lost: cancel the hold-down and withdraw only what was announced; input state is not mutated', () => {
  const s0 = step(specs, initialState(routes, 0), { type: 'start', met: [true, true] }, 0).state;
  const frozen = JSON.stringify(s0);
  assert.deepEqual(step(specs, s0, { type: 'condition', index: 1, met: false }, 10).actions, [{ type: 'cancel-hold', index: 1 }]);
  assert.deepEqual(step(specs, s0, { type: 'condition', index: 0, met: false }, 10).actions, [{ type: 'withdraw', index: 0 }]);
  assert.equal(JSON.stringify(s0), frozen);
  // A stale timer after the loss does nothing.
  const lost = step(specs, s0, { type: 'condition', index: 1, met: false }, 10).state;
  assert.deepEqual(step(specs, lost, { type: 'hold-expired', index: 1 }, 5000).actions, []);
});

test('events before start or after stop do nothing; stop withdraws and cancels', () => {
  const idle = initialState(routes, 0);
  assert.deepEqual(step(specs, idle, { type: 'condition', index: 0, met: true }, 1).actions, []);
  const running = step(specs, idle, { type: 'start', met: [true, true] }, 0).state;
  const stopped = step(specs, running, { type: 'stop' }, 50);
  assert.deepEqual(stopped.actions, [{ type: 'withdraw', index: 0 }, { type: 'cancel-hold', index: 1 }]);
  assert.deepEqual(step(specs, stopped.state, { type: 'condition', index: 0, met: true }, 60).actions, []);
  assert.deepEqual(step(specs, stopped.state, { type: 'stop' }, 70).actions, []);
});
