// notify_fifo / lvs_notify_fifo lines for checker events, in keepalived 2.2.7's words
// (check_ipvs.c notify_fifo_rs / notify_fifo_vs): the formats, then the director writing them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rsFifoLine, vsFifoLine } from '../../../src/app/director-fifo.js';
import { config, directorRig, realServer, tcpCheck, virtualServer } from '../../support/fake-director.js';

test('lines: addresses in brackets with the protocol word, fwmark and group services as keepalived names them', () => {
  const vs = virtualServer('10.0.0.1', []);
  assert.equal(rsFifoLine(vs, { address: '10.0.1.2', port: 8080 }, false), 'RS [10.0.1.2]:tcp:8080 [10.0.0.1]:tcp:80 DOWN\n');
  assert.equal(rsFifoLine(vs, { address: '10.0.1.2', port: 8080 }, true), 'RS [10.0.1.2]:tcp:8080 [10.0.0.1]:tcp:80 UP\n');
  assert.equal(vsFifoLine(vs, true), 'VS [10.0.0.1]:tcp:80 UP\n');
  const v6 = virtualServer('2001:db8::1', [], { name: '[2001:db8::1]:53/UDP', family: 6, port: 53, protocol: 'UDP' });
  assert.equal(rsFifoLine(v6, { address: '2001:db8::2', port: 53 }, true), 'RS [2001:db8::2]:udp:53 [2001:db8::1]:udp:53 UP\n');
  assert.equal(vsFifoLine(v6, false), 'VS [2001:db8::1]:udp:53 DOWN\n');
  // keepalived clears the protocol of a fwmark service: its real servers print "none".
  const fwm = virtualServer('', [], { name: 'fwmark 5/4', kind: 'fwmark', fwmark: 5, address: undefined, port: undefined });
  assert.equal(rsFifoLine(fwm, { address: '10.0.1.2', port: 0 }, false), 'RS [10.0.1.2]:none:0 FWM 5 DOWN\n');
  assert.equal(vsFifoLine(fwm, true), 'VS FWM 5 UP\n');
  // A group: its name and the zeroed port; the protocol stays unless the group is fwmarks only.
  const grp = virtualServer('', [], { name: 'group web/TCP', kind: 'group', group: 'web', address: undefined, port: undefined });
  const groups = [{ name: 'web', entries: [{ address: '10.0.0.1', family: 4 as const, port: 80 }] }];
  assert.equal(rsFifoLine(grp, { address: '10.0.1.2', port: 80 }, true, groups), 'RS [10.0.1.2]:tcp:80 [web]:0 UP\n');
  assert.equal(rsFifoLine(grp, { address: '10.0.1.2', port: 80 }, true, [{ name: 'web', entries: [{ family: 4, fwmark: 7 }] }]), 'RS [10.0.1.2]:none:80 [web]:0 UP\n');
  assert.equal(vsFifoLine(grp, false), 'VS [web]:0 DOWN\n');
});

const FIFO = '/run/vk/lvs.fifo';

function twoServers(over: Parameters<typeof virtualServer>[2] = {}) {
  const rs = (a: string) => realServer(a, { checkers: [tcpCheck({ delayLoopMs: 1000, retry: 0 })] });
  return config([virtualServer('10.0.0.1', [rs('10.0.1.1'), rs('10.0.1.2')], { quorum: 2, ...over })], {}, { lvsNotifyFifo: { path: FIFO } });
}

test('a real server going down then up: RS lines, and VS lines when the quorum is lost and gained, in that order', async () => {
  const rig = directorRig(twoServers());
  rig.director.start();
  await rig.advance(100);
  assert.deepEqual(rig.fifos.lines(FIFO), [], 'nothing at start without a change');
  rig.probes.set('10.0.1.2:80', false);
  await rig.advance(1000);
  rig.probes.set('10.0.1.2:80', true);
  await rig.advance(1000);
  assert.deepEqual(rig.fifos.lines(FIFO), [
    'RS [10.0.1.2]:tcp:80 [10.0.0.1]:tcp:80 DOWN\n',
    'VS [10.0.0.1]:tcp:80 DOWN\n',
    'RS [10.0.1.2]:tcp:80 [10.0.0.1]:tcp:80 UP\n',
    'VS [10.0.0.1]:tcp:80 UP\n',
  ]);
  await rig.director.stop(0);
  assert.equal(rig.fifos.sinks[0]!.closed, true);
  assert.equal(rig.fifos.lines(FIFO).length, 4, 'no lines at stop without omega');
});

test('notify_fifo and lvs_notify_fifo both get checker lines (once for one path); a reload moves to the new path after the queued lines', async () => {
  const both = twoServers();
  both.global.notifyFifo = { path: '/run/vk/all.fifo' };
  const rig = directorRig(both);
  rig.director.start();
  rig.probes.set('10.0.1.1:80', false);
  await rig.advance(1000);
  const down = 'RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 DOWN\n';
  assert.equal(rig.fifos.lines(FIFO)[0], down);
  assert.equal(rig.fifos.lines('/run/vk/all.fifo')[0], down);

  const same = twoServers();
  same.global.notifyFifo = { path: FIFO };
  const rig2 = directorRig(same);
  rig2.director.start();
  rig2.probes.set('10.0.1.1:80', false);
  await rig2.advance(1000);
  assert.equal(rig2.fifos.sinks.length, 1);
  assert.deepEqual(rig2.fifos.lines(FIFO), [down, 'VS [10.0.0.1]:tcp:80 DOWN\n']);
  await rig2.director.stop(0);

  // Reload with only notify_fifo on another path: lvs.fifo and all.fifo close, new.fifo opens.
  const next = twoServers();
  delete next.global.lvsNotifyFifo;
  next.global.notifyFifo = { path: '/run/vk/new.fifo' };
  rig.director.reload(next);
  rig.probes.set('10.0.1.1:80', true);
  await rig.advance(1000);
  assert.deepEqual(rig.fifos.sinks.map((s) => [s.path, s.closed]), [['/run/vk/all.fifo', true], [FIFO, true], ['/run/vk/new.fifo', false]]);
  assert.deepEqual(rig.fifos.lines('/run/vk/new.fifo'), ['RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 UP\n', 'VS [10.0.0.1]:tcp:80 UP\n']);
  await rig.director.stop(0);
});

test('omega: at stop every live real server gets an RS DOWN line, then the virtual server a VS DOWN line; the fifo is closed after them', async () => {
  const rig = directorRig(twoServers({ omega: true }));
  rig.probes.set('10.0.1.2:80', false);
  rig.director.start();
  await rig.advance(100);
  const before = rig.fifos.lines(FIFO).length;
  await rig.director.stop(0);
  assert.deepEqual(rig.fifos.lines(FIFO).slice(before), ['RS [10.0.1.1]:tcp:80 [10.0.0.1]:tcp:80 DOWN\n', 'VS [10.0.0.1]:tcp:80 DOWN\n']);
  assert.equal(rig.fifos.sinks[0]!.closed, true);
});

test('without a fifo in the config nothing is opened', async () => {
  const cfg = twoServers();
  delete cfg.global.lvsNotifyFifo;
  const rig = directorRig(cfg);
  rig.director.start();
  rig.probes.set('10.0.1.1:80', false);
  await rig.advance(1000);
  await rig.director.stop(0);
  assert.equal(rig.fifos.sinks.length, 0);
});
