// The announcement decisions, pure: (routes, state, event, now) -> (state, actions). No timer, no
// kernel: the engine (engine.ts) performs the actions and feeds back events.
//
// Contract:
// - start: first `flush` (every route of ours left in the table by an earlier run, a crash
//   included, goes before anything is announced), then each route whose condition holds is
//   announced, at once or after its hold-down.
// - A condition that starts to hold arms the hold-down (0 = announce now); the route is announced
//   when the hold-down expires and the condition has held without a break since.
// - A condition that stops holding withdraws at once and cancels a pending hold-down.
// - stop: hold-downs cancelled, every announced route withdrawn; later events do nothing.
// - An unknown condition (a pool not checked yet, an instance not running) counts as not holding:
//   never announce what nobody has seen healthy.
import type { AnnouncedRoute } from '../config/announcements.js';

export interface RouteState {
  /** The condition holds now. */
  met: boolean;
  /** Since when it has held (valid while met). */
  metSince: number;
  /** The route should be in the kernel table. */
  announced: boolean;
  /** When `announced` last changed (start counts as a change). */
  since: number;
  /** A hold-down timer is armed for this route. */
  holding: boolean;
}

export interface EngineState {
  phase: 'idle' | 'running' | 'stopped';
  routes: RouteState[];
}

export type AnnounceEvent =
  /** `met[i]`: route i's condition at start. */
  | { type: 'start'; met: boolean[] }
  | { type: 'condition'; index: number; met: boolean }
  | { type: 'hold-expired'; index: number }
  | { type: 'stop' };

export type AnnounceAction =
  | { type: 'flush' }
  | { type: 'announce'; index: number }
  | { type: 'withdraw'; index: number }
  | { type: 'arm-hold'; index: number; ms: number }
  | { type: 'cancel-hold'; index: number };

export interface StepResult { state: EngineState; actions: AnnounceAction[] }

export function initialState(routes: readonly AnnouncedRoute[], now: number): EngineState {
  return { phase: 'idle', routes: routes.map(() => ({ met: false, metSince: now, announced: false, since: now, holding: false })) };
}

type Spec = Pick<AnnouncedRoute, 'holdDownMs'>;

export function step(specs: readonly Spec[], state: EngineState, ev: AnnounceEvent, now: number): StepResult {
  const routes = state.routes.map((r) => ({ ...r }));
  const actions: AnnounceAction[] = [];
  const next = (phase: EngineState['phase']): StepResult => ({ state: { phase, routes }, actions });

  switch (ev.type) {
    case 'start': {
      if (state.phase !== 'idle') return { state, actions: [] };
      actions.push({ type: 'flush' });
      routes.forEach((r, i) => { r.since = now; if (ev.met[i]) becameMet(specs[i]!, r, i, now, actions); });
      return next('running');
    }
    case 'condition': {
      const r = routes[ev.index];
      if (state.phase !== 'running' || !r || r.met === ev.met) return { state, actions: [] };
      if (ev.met) becameMet(specs[ev.index]!, r, ev.index, now, actions);
      else {
        r.met = false;
        if (r.holding) { r.holding = false; actions.push({ type: 'cancel-hold', index: ev.index }); }
        if (r.announced) { r.announced = false; r.since = now; actions.push({ type: 'withdraw', index: ev.index }); }
      }
      return next('running');
    }
    case 'hold-expired': {
      const r = routes[ev.index];
      if (state.phase !== 'running' || !r || !r.holding) return { state, actions: [] };
      r.holding = false;
      if (!r.met || r.announced) return next('running');
      // A timer may fire a little early on a real clock: wait out the rest rather than shorten it.
      const left = r.metSince + specs[ev.index]!.holdDownMs - now;
      if (left > 0) { r.holding = true; actions.push({ type: 'arm-hold', index: ev.index, ms: left }); return next('running'); }
      r.announced = true; r.since = now;
      actions.push({ type: 'announce', index: ev.index });
      return next('running');
    }
    case 'stop': {
      if (state.phase === 'stopped') return { state, actions: [] };
      routes.forEach((r, i) => {
        if (r.holding) { r.holding = false; actions.push({ type: 'cancel-hold', index: i }); }
        if (r.announced) { r.announced = false; r.since = now; actions.push({ type: 'withdraw', index: i }); }
        r.met = false;
      });
      return next('stopped');
    }
  }
}

function becameMet(spec: Spec, r: RouteState, index: number, now: number, actions: AnnounceAction[]): void {
  r.met = true;
  r.metSince = now;
  if (spec.holdDownMs <= 0) {
    r.announced = true; r.since = now;
    actions.push({ type: 'announce', index });
  } else {
    r.holding = true;
    actions.push({ type: 'arm-hold', index, ms: spec.holdDownMs });
  }
}

/** How a reload maps routes: `from[i]` is the old index new route i continues, or undefined. */
export interface ReloadMap { from: (number | undefined)[]; dropped: number[] }

const routeKey = (r: Pick<AnnouncedRoute, 'prefix' | 'metric' | 'condition'>): string => `${r.prefix} m${r.metric} ${JSON.stringify(r.condition)}`;

/**
 * A new configuration while running. A route with the same prefix, metric and condition (in the
 * same table) continues with its state, so a reload never flaps what is announced; a changed
 * hold-down applies to the time the condition has already held. Old routes that do not continue
 * are `dropped` (the engine removes what of them is installed); new ones start as not met and the
 * engine feeds their current condition. The engine cancels every old hold-down timer: the
 * actions re-arm, by new index, those still running.
 */
export function reloadState(oldRoutes: readonly AnnouncedRoute[], state: EngineState, newRoutes: readonly AnnouncedRoute[], sameTable: boolean, now: number): StepResult & { map: ReloadMap } {
  const byKey = new Map<string, number>();
  if (sameTable) oldRoutes.forEach((r, i) => { if (!byKey.has(routeKey(r))) byKey.set(routeKey(r), i); });
  const from = newRoutes.map((r) => { const k = routeKey(r); const i = byKey.get(k); if (i !== undefined) byKey.delete(k); return i; });
  const kept = new Set(from.filter((i): i is number => i !== undefined));
  const dropped = oldRoutes.map((_, i) => i).filter((i) => !kept.has(i));
  const actions: AnnounceAction[] = [];
  const routes = newRoutes.map((spec, i): RouteState => {
    const j = from[i];
    if (j === undefined) return { met: false, metSince: now, announced: false, since: now, holding: false };
    const r = { ...state.routes[j]! };
    if (r.holding) {
      const left = r.metSince + spec.holdDownMs - now;
      if (left > 0) actions.push({ type: 'arm-hold', index: i, ms: left });
      else { r.holding = false; r.announced = true; r.since = now; actions.push({ type: 'announce', index: i }); }
    }
    return r;
  });
  return { state: { phase: state.phase, routes }, actions, map: { from, dropped } };
}
