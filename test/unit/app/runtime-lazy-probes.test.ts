// A VRRP-only daemon starts without the health-check probes' modules (compose.ts loads them on
// demand); a reload that adds the first virtual server must load them before any checker is built,
// and a failure to load refuses the reload before anything running changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Runtime } from '../../../src/app/runtime.js';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { FakeProbes } from '../../support/fake-director.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';
import { fakePlatform } from './fake-platform.js';
import { conf, settle } from './helpers.js';

const VRRP = `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    10.0.0.1/32
  }
}
`;
const WITH_VS = `${VRRP}
virtual_server 10.0.0.1 80 {
  delay_loop 1
  lb_kind NAT
  protocol TCP
  real_server 10.0.1.1 80 {
    TCP_CHECK {
      connect_timeout 1
    }
  }
}
`;

/** A platform whose probes work only once prepareProbes() has resolved, as compose.ts builds it. */
function lazyPlatform(fail = false) {
  const f = fakePlatform();
  const real = new FakeProbes();
  const events: string[] = [];
  let ready = false;
  const p = {
    ...f.p,
    openIpvs: () => IpvsClient.open(new FakeIpvsKernel().connect()),
    probes: real.factory,
    prepareProbes: async () => {
      events.push('prepare');
      await new Promise((r) => setImmediate(r));
      if (fail) throw new Error('cannot load the probes');
      ready = true;
    },
  };
  p.probes = (c, ctx) => { events.push(ready ? 'probe' : 'probe before prepare'); return real.factory(c, ctx); };
  return { f, p, events };
}

test('a reload that adds the first director loads the probes before building its checkers', async () => {
  const { p, events } = lazyPlatform();
  const rt = new Runtime(p, conf(VRRP));
  rt.start();
  await settle();
  assert.deepEqual(events, [], 'nothing loaded for a VRRP-only start');
  await rt.reload(conf(WITH_VS));
  assert.deepEqual(events, ['prepare', 'probe']);
  assert.equal(rt.status()?.virtualServers.length, 1);
  // A later reload has its director already: nothing to load again.
  await rt.reload(conf(WITH_VS.replace('10.0.1.1 80', '10.0.1.2 80')));
  assert.deepEqual(events, ['prepare', 'probe', 'probe']);
  await rt.stop(0);
});

test('probes that cannot be loaded refuse the reload and leave the running configuration', async () => {
  const { p, events } = lazyPlatform(true);
  const rt = new Runtime(p, conf(VRRP));
  rt.start();
  await settle();
  await assert.rejects(rt.reload(conf(WITH_VS)), /cannot load the probes/);
  assert.deepEqual(events, ['prepare']);
  assert.equal(rt.status(), undefined, 'no director');
  assert.equal(rt.config.virtualServers.length, 0, 'the running configuration is kept');
  await rt.stop(0);
});
