// vipkeeper_announce_active{prefix} follows the engine's snapshot at scrape time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { AnnouncementEngine } from '../../../src/announce/engine.js';
import { FakeRoutes } from '../../../src/announce/fake-routes.js';
import { registerAnnounceMetrics } from '../../../src/announce/metrics.js';
import { FakeClock } from '../../../src/ports/fake/clock.js';

test('the gauge is 1 for an announced prefix, 0 for a withdrawn one, and follows changes', async () => {
  let up = true;
  const fns: ((vs: string) => void)[] = [];
  const pools = { onChange: (fn: (vs: string) => void) => { fns.push(fn); }, isUp: () => up };
  const engine = new AnnouncementEngine({ table: 100, routes: [
    { prefix: '10.20.0.1/32', family: 4, condition: { kind: 'virtualServer', virtualServer: 'v' }, holdDownMs: 0, metric: 0 },
    { prefix: '10.20.0.2/32', family: 4, condition: { kind: 'vrrpInstance', vrrpInstance: 'VI_1' }, holdDownMs: 0, metric: 0 },
  ] }, { routes: new FakeRoutes(), clock: new FakeClock(), pools, vrrp: { stateOf: () => 'BACKUP', onTransition: () => {} } });
  const registry = new Registry();
  registerAnnounceMetrics(registry, () => engine.snapshot());
  await engine.start();
  const text = await registry.metrics();
  assert.match(text, /^vipkeeper_announce_active\{prefix="10\.20\.0\.1\/32"\} 1$/m);
  assert.match(text, /^vipkeeper_announce_active\{prefix="10\.20\.0\.2\/32"\} 0$/m);
  up = false;
  for (const f of fns) f('v');
  await engine.idle();
  assert.match(await registry.metrics(), /^vipkeeper_announce_active\{prefix="10\.20\.0\.1\/32"\} 0$/m);
});
