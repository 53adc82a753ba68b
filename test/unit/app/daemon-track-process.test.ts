// The daemon with vrrp_track_process over the in-memory process table: a lost quorum faults the
// instance (weight 0) or lowers its priority; a reload that changes the tracker rebinds it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon } from '../../../src/app/daemon.js';
import { FakeProcesses } from '../../../src/track/process-fake.js';
import { fakePlatform } from './fake-platform.js';
import { conf, instanceText, settle } from './helpers.js';

const text = (weight: number, quorum = 1) => `vrrp_track_process web {
  process nginx
  weight ${weight}
  quorum ${quorum}
  terminate_delay 2
}
${instanceText('VI_1', 51, 150, 'track_process {\n    web\n  }')}
`;

async function run(f: ReturnType<typeof fakePlatform>, ms: number) {
  for (let t = 0; t < ms; t += 50) { f.clock.advance(50); await settle(); }
}

function setup(weight: number) {
  const f = fakePlatform();
  const procs = new FakeProcesses();
  f.p.processes = procs;
  const pid = procs.start(['/usr/sbin/nginx']);
  const d = new Daemon(f.p, conf(text(weight)));
  return { f, procs, pid, d };
}

test('daemon track_process weight 0: the process exits -> FAULT after terminate_delay; it starts again -> MASTER', async () => {
  const { f, procs, pid, d } = setup(0);
  d.start();
  await run(f, 4000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  procs.kill(pid);
  await run(f, 1500);
  assert.equal(d.instance('VI_1')!.state, 'MASTER', 'still within terminate_delay');
  await run(f, 1000);
  assert.equal(d.instance('VI_1')!.state, 'FAULT');
  assert.ok(!f.addresses.has('eth0', '10.0.51.100/24'));
  procs.start(['/usr/sbin/nginx']);
  await run(f, 5000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  await d.stop();
  assert.equal(procs.watching, 0, 'stopping the daemon stops watching processes');
});

test('daemon track_process weight -50: the process exits -> priority 100, back to 150 when it returns', async () => {
  const { f, procs, pid, d } = setup(-50);
  d.start();
  await run(f, 4000);
  assert.equal(d.instance('VI_1')!.priority, 150);
  procs.kill(pid);
  await run(f, 2500);
  assert.equal(d.instance('VI_1')!.priority, 100);
  procs.start(['/usr/sbin/nginx']);
  await run(f, 100);
  assert.equal(d.instance('VI_1')!.priority, 150);
  await d.stop();
});

test('daemon track_process: a reload that raises the quorum rebinds the instance to the new tracker', async () => {
  const { f, procs, d } = setup(0);
  d.start();
  await run(f, 4000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  const plan = await d.reload(conf(text(0, 2)));
  assert.deepEqual(plan.update, ['VI_1']);
  await run(f, 500);
  assert.equal(d.instance('VI_1')!.state, 'FAULT', 'one nginx is below the new quorum of 2');
  procs.start(['/usr/sbin/nginx']);
  await run(f, 5000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  assert.equal(procs.watching, 1, 'the old tracker stopped watching');
  await d.stop();
});
