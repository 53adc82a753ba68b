// The Runtime wiring of the announcements: the director's pool health gates the route, nothing is
// announced before every checker has reported once, the route is withdrawn when the pool loses
// quorum and at stop, and the metrics' GARP / check-duration events reach their sink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../../src/app/runtime.js';
import { FakeRoutes } from '../../../src/announce/fake-routes.js';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { FakeProbes } from '../../support/fake-director.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import { fakePlatform } from './fake-platform.js';
import { conf, instanceText, settle } from './helpers.js';

const TEXT = `
${instanceText('VI_1', 51, 150, '', '10.0.0.1/32')}
virtual_server 10.20.0.1 80 {
  delay_loop 2
  protocol TCP
  quorum 2
  real_server 10.0.1.1 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
      warmup 0
    }
  }
  real_server 10.0.1.2 80 {
    TCP_CHECK {
      connect_timeout 1
      retry 0
      warmup 1
    }
  }
}
vipkeeper_announcements {
  table 100
  route 10.20.0.1/32 virtual_server 10.20.0.1:80/TCP
  route 10.0.0.1/32 vrrp_instance VI_1 metric 7
}
`;

test('announcements follow pool quorum (known only once every checker reported) and VRRP MASTER; withdrawn at stop', async () => {
  const f = fakePlatform();
  const kernel = new FakeIpvsKernel();
  const probes = new FakeProbes();
  const routes = new FakeRoutes();
  const rt = new Runtime({ ...f.p, openIpvs: () => IpvsClient.open(kernel.connect()), probes: probes.factory, routes }, conf(TEXT));
  const events: string[] = [];
  rt.setMetrics({ observeCheck: (type) => events.push(`check ${type}`), garpSent: (i, n) => events.push(`garp ${i} ${n}`), notifyRun: (r) => events.push(`notify ${r}`) });
  rt.start();
  await settle();
  // Only the first server has been checked: the pool's quorum is not known yet, nothing announced.
  assert.deepEqual(routes.ours(100), []);
  for (let t = 0; t < 1500; t += 50) { f.clock.advance(50); await settle(); }
  assert.deepEqual(routes.ours(100), ['10.20.0.1/32 m0'], 'both servers checked and up: the pool route is announced');
  // VI_1 becomes MASTER after Master_Down_Interval: its route joins.
  for (let t = 0; t < 4000; t += 50) { f.clock.advance(50); await settle(); }
  assert.equal(rt.vrrp.stateOf('VI_1'), 'MASTER');
  assert.deepEqual(routes.ours(100), ['10.0.0.1/32 m7', '10.20.0.1/32 m0']);
  assert.deepEqual(rt.announcements()!.map((a) => [a.prefix, a.active]), [['10.20.0.1/32', true], ['10.0.0.1/32', true]]);
  // One server fails: the live weight 1 is below quorum 2, the pool route is withdrawn at once.
  probes.set('10.0.1.2:80', false);
  for (let t = 0; t < 3000; t += 50) { f.clock.advance(50); await settle(); }
  assert.deepEqual(routes.ours(100), ['10.0.0.1/32 m7']);
  assert.ok(events.includes('check TCP_CHECK'));
  assert.ok(events.some((e) => e.startsWith('garp VI_1 ')), 'GARPs of the takeover were counted');
  await rt.stop(0);
  assert.deepEqual(routes.ours(100), [], 'every route of ours is withdrawn at stop');
});
