// Reload applied in place, over the fake platform with a peer on the same fake LAN: every kind of
// in-place change keeps the instance object, its state and its VIPs; only a wire identity change
// restarts; sync groups are rebuilt from the members' states; FIFO and script security switch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Daemon } from '../../../src/app/daemon.js';
import { decodeVrrp } from '../../../src/codec/vrrp.js';
import type { Transition } from '../../../src/vrrp/instance.js';
import { fakePlatform } from './fake-platform.js';
import { conf, settle } from './helpers.js';

interface Opts { prio?: number; advert?: number; extra?: string; vips?: string[]; vrid?: number; iface?: string }
const inst = (name: string, o: Opts = {}) => `
vrrp_instance ${name} {
  interface ${o.iface ?? 'eth0'}
  virtual_router_id ${o.vrid ?? 51}
  priority ${o.prio ?? 150}
  advert_int ${o.advert ?? 1}
  virtual_ipaddress {
    ${(o.vips ?? [`10.0.${o.vrid ?? 51}.100/24`]).join('\n    ')}
  }
  ${o.extra ?? ''}
}`;
const glob = (extra = '') => `global_defs {\n  vrrp_version 3\n  ${extra}\n}\n`;

async function run(f: ReturnType<typeof fakePlatform>, ms: number, stepMs = 50) {
  for (let t = 0; t < ms; t += stepMs) { f.clock.advance(stepMs); await settle(); }
}

/** A master (this daemon, priority 150 unless said) and a peer daemon at `peerPrio` on one LAN. */
async function pair(text: string, peerText: string) {
  const f = fakePlatform();
  const peer = fakePlatform({ clock: f.clock, lan: f.lan, addr: '10.0.0.2' });
  const d = new Daemon(f.p, conf(text));
  const p = new Daemon(peer.p, conf(peerText));
  d.start(); p.start();
  await run(f, 5000);
  return { f, peer, d, p };
}

/** Priorities of the adverts a transport sent since index `from`. */
function sentPriorities(t: { sent: { payload: Uint8Array }[] }, from = 0): number[] {
  return t.sent.slice(from).map((s) => { const a = decodeVrrp(s.payload, 4); return a.ok ? a.advert.priority : -1; });
}

function transportOf(f: ReturnType<typeof fakePlatform>, src: string) {
  return f.lan.members.filter((m) => !m.closed && m.addr.join('.') === src).at(-1)!;
}

test('reload: a new priority is advertised at once by the running master, which keeps its VIP', async () => {
  const { f, peer, d, p } = await pair(glob() + inst('VI_1'), glob() + inst('VI_1', { prio: 100 }));
  const vi = d.instance('VI_1')!;
  assert.equal(vi.state, 'MASTER');
  const t = transportOf(f, '10.0.0.1');
  const n = t.sent.length;
  const j = f.journal.length;
  const plan = await d.reload(conf(glob() + inst('VI_1', { prio: 160 })));
  assert.deepEqual(plan.update, ['VI_1']);
  assert.deepEqual(sentPriorities(t, n), [160], 'advertised at once, no priority-0');
  assert.equal(d.instance('VI_1'), vi);
  await run(f, 3000);
  assert.equal(vi.state, 'MASTER');
  assert.equal(p.instance('VI_1')!.state, 'BACKUP');
  assert.ok(!f.journal.slice(j).some((l) => l.startsWith('del ')), 'the VIP never left');
  assert.ok(!sentPriorities(t, n).includes(0));
  await d.stop(); await p.stop();
  void peer;
});

test('reload: a master lowered below its peer steps down by the protocol (no restart, no priority 0)', async () => {
  const { f, d, p } = await pair(glob() + inst('VI_1'), glob() + inst('VI_1', { prio: 100 }));
  const vi = d.instance('VI_1')!;
  const t = transportOf(f, '10.0.0.1');
  const n = t.sent.length;
  const seen: Transition[] = [];
  d.onTransition((x) => seen.push(x));
  await d.reload(conf(glob() + inst('VI_1', { prio: 50 })));
  await run(f, 5000);
  assert.equal(d.instance('VI_1'), vi);
  assert.equal(vi.state, 'BACKUP');
  assert.equal(p.instance('VI_1')!.state, 'MASTER');
  assert.deepEqual(seen.map((x) => [x.from, x.to, x.reason]), [['MASTER', 'BACKUP', 'higher-priority']]);
  assert.ok(!sentPriorities(t, n).includes(0), 'never a stop advert');
  await d.stop(); await p.stop();
});

test('reload: a new advert interval takes effect without a gap', async () => {
  const { f, d, p } = await pair(glob() + inst('VI_1'), glob() + inst('VI_1', { prio: 100 }));
  const t = transportOf(f, '10.0.0.1');
  await d.reload(conf(glob() + inst('VI_1', { advert: 0.5 })));
  const n = t.sent.length;
  await run(f, 2000, 10);
  const k = t.sent.length - n;
  assert.ok(k >= 3 && k <= 5, `about 4 adverts in 2 s at 0.5 s, got ${k}`);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  await d.stop(); await p.stop();
});

test('reload: VIPs are diffed — only the removed one is deleted, only the added one is added and announced', async () => {
  const { f, d, p } = await pair(glob() + inst('VI_1', { vips: ['10.0.51.100/24', '10.0.51.101/24'] }), glob() + inst('VI_1', { prio: 100 }));
  const j = f.journal.length;
  await d.reload(conf(glob() + inst('VI_1', { vips: ['10.0.51.100/24', '10.0.51.102/24'] })));
  await settle();
  const after = f.journal.slice(j);
  assert.deepEqual(after.filter((l) => /^(add|del|garp) /.test(l)), ['del eth0 10.0.51.101/24', 'add eth0 10.0.51.102/24', 'garp eth0 10.0.51.102']);
  assert.ok(f.addresses.has('eth0', '10.0.51.100/24') && f.addresses.has('eth0', '10.0.51.102/24') && !f.addresses.has('eth0', '10.0.51.101/24'));
  await d.stop(); await p.stop();
});

test('reload: nopreempt set by reload keeps a backup from preempting; a backup does not touch VIPs', async () => {
  const { f, d, p } = await pair(glob() + inst('VI_1', { prio: 100 }), glob() + inst('VI_1', { prio: 120 }));
  assert.equal(d.instance('VI_1')!.state, 'BACKUP');
  const j = f.journal.length;
  await d.reload(conf(glob() + inst('VI_1', { prio: 200, extra: 'nopreempt' })));
  await run(f, 5000);
  assert.equal(d.instance('VI_1')!.state, 'BACKUP', 'nopreempt: the lower master stays');
  assert.equal(p.instance('VI_1')!.state, 'MASTER');
  assert.ok(!f.journal.slice(j).some((l) => /^(add|del) /.test(l)));
  await d.reload(conf(glob() + inst('VI_1', { prio: 200 })));
  await run(f, 5000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER', 'preempt back on: it takes over');
  await d.stop(); await p.stop();
});

test('reload: notify scripts changed by reload run for the next transition', async () => {
  const { f, d, p } = await pair(glob() + inst('VI_1', { prio: 100, extra: 'notify_master /bin/old' }), glob() + inst('VI_1', { prio: 120 }));
  await d.reload(conf(glob() + inst('VI_1', { prio: 200, extra: 'notify_master "/bin/new arg"' })));
  await run(f, 5000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  assert.ok(f.journal.includes('run /bin/new arg'));
  assert.ok(!f.journal.includes('run /bin/old'));
  await d.stop(); await p.stop();
});

test('reload: auth changes apply to the next advert (v2)', async () => {
  const g2 = `global_defs {\n  vrrp_version 2\n}\n`;
  const auth = (pw: string) => `authentication {\n    auth_type PASS\n    auth_pass ${pw}\n  }`;
  const { f, d, p } = await pair(g2 + inst('VI_1', { extra: auth('one') }), g2 + inst('VI_1', { prio: 100, extra: auth('one') }));
  const t = transportOf(f, '10.0.0.1');
  const vi = d.instance('VI_1')!;
  await d.reload(conf(g2 + inst('VI_1', { extra: auth('two') })));
  const n = t.sent.length;
  await run(f, 1500);
  const a = decodeVrrp(t.sent.at(-1)!.payload, 4);
  assert.ok(a.ok && t.sent.length > n);
  assert.equal(Buffer.from(a.advert.authData!).toString('latin1').replace(/\0+$/, ''), 'two');
  assert.equal(d.instance('VI_1'), vi);
  await d.stop(); await p.stop();
});

test('reload: a kept vrrp_script keeps its counters; a newly tracked one applies its weight in place', async () => {
  const script = (name: string, path: string) => `vrrp_script ${name} {\n  script "${path}"\n  interval 1\n  weight -60\n  fall 3\n  rise 1\n}\n`;
  const f = fakePlatform();
  const text = (prio: number, tracks: string) => glob() + script('chk', '/bin/chk') + script('chk2', '/bin/chk2') + inst('VI_1', { prio, extra: `track_script {\n    ${tracks}\n  }` });
  const d = new Daemon(f.p, conf(text(150, 'chk')));
  d.start();
  await run(f, 4000);
  const vi = d.instance('VI_1')!;
  f.scripts.program = (s) => ({ code: s.argv[0] === '/bin/chk' ? 1 : 0 });
  await run(f, 2000); // two failures of three
  assert.equal(vi.priority, 150);
  await d.reload(conf(text(140, 'chk\n    chk2')));
  assert.equal(vi.priority, 140, 'new base priority at once');
  await run(f, 1000); // the third failure: fall reached only if the counter survived the reload
  assert.equal(vi.priority, 80);
  f.scripts.program = (s) => ({ code: s.argv[0] === '/bin/chk' ? 0 : 1 });
  await run(f, 3000);
  assert.equal(vi.priority, 80, 'chk recovered (+60), chk2 now failing (-60)');
  assert.equal(d.instance('VI_1'), vi);
  await d.stop();
});

test('reload: a wire identity change (VRID) restarts exactly that instance', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(glob() + inst('A', { vrid: 51 }) + inst('B', { vrid: 52 })));
  d.start();
  await run(f, 4000);
  const a = d.instance('A')!, b = d.instance('B')!;
  const plan = await d.reload(conf(glob() + inst('A', { vrid: 51, prio: 120 }) + inst('B', { vrid: 53 })));
  assert.deepEqual([plan.update, plan.restart, plan.stop, plan.start], [['A'], ['B'], ['B'], ['B']]);
  assert.equal(d.instance('A'), a);
  assert.notEqual(d.instance('B'), b);
  assert.equal(b.state, 'STOPPED');
  assert.equal(a.state, 'MASTER');
  await d.stop();
});

test('reload: unicast peers change in place', async () => {
  const peers = (...ps: string[]) => `unicast_src_ip 10.0.0.1\n  unicast_peer {\n    ${ps.join('\n    ')}\n  }`;
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(glob() + inst('VI_1', { extra: peers('10.0.0.2') })));
  d.start();
  await run(f, 4000);
  const vi = d.instance('VI_1')!;
  const plan = await d.reload(conf(glob() + inst('VI_1', { extra: peers('10.0.0.2', '10.0.0.3') })));
  assert.deepEqual(plan.update, ['VI_1']);
  const t = transportOf(f, '10.0.0.1');
  const n = t.sent.length;
  await run(f, 1100);
  assert.deepEqual(new Set(t.sent.slice(n).map((s) => s.dst.join('.'))), new Set(['10.0.0.2', '10.0.0.3']));
  assert.equal(d.instance('VI_1'), vi);
  await d.stop();
});

test('reload: a listener registered once sees transitions of instances started by later reloads', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(glob() + inst('A')));
  const seen: string[] = [];
  d.onTransition((t) => seen.push(`${t.instance}:${t.to}`));
  d.start();
  await run(f, 4000);
  await d.reload(conf(glob() + inst('A') + inst('NEW', { vrid: 60 })));
  await run(f, 4000);
  assert.ok(seen.includes('NEW:MASTER'), seen.join(' '));
  assert.equal(d.stateOf('NEW'), 'MASTER');
  await d.stop();
});

test('reload: a sync group is rebuilt from its members, a member in FAULT holds a restarted one, no listener leaks', async () => {
  const f = fakePlatform();
  const group = '\nvrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n  notify /bin/g\n}\n';
  const text = (vrid2: number, prio = 150) => glob() + inst('VI_1', { prio, extra: 'track_interface {\n    eth1\n  }' }) + inst('VI_2', { vrid: vrid2 }) + group;
  const d = new Daemon(f.p, conf(text(52)));
  d.start();
  await run(f, 5000);
  assert.deepEqual([d.stateOf('VI_1'), d.stateOf('VI_2')], ['MASTER', 'MASTER']);
  f.links.set('eth1', { up: false });
  await settle();
  assert.deepEqual([d.stateOf('VI_1'), d.stateOf('VI_2')], ['FAULT', 'FAULT']);
  // Restart VI_2 (new VRID) and update VI_1, three times over.
  for (const [i, vrid] of [53, 54, 55].entries()) {
    await d.reload(conf(text(vrid, 140 + i)));
    await run(f, 5000);
    assert.deepEqual([d.stateOf('VI_1'), d.stateOf('VI_2')], ['FAULT', 'FAULT'], `reload ${i}: the restarted member knows the group is in fault`);
  }
  assert.deepEqual(d.groupNames, ['G']);
  f.links.set('eth1', { up: true });
  await run(f, 5000);
  assert.deepEqual([d.stateOf('VI_1'), d.stateOf('VI_2')], ['MASTER', 'MASTER']);
  const masters = f.journal.filter((l) => l === 'run /bin/g GROUP G MASTER 0').length;
  assert.equal(masters, 2, 'one GROUP MASTER at start and one after the fault: not one per leaked group');
  await d.stop();
  assert.equal(f.journal.filter((l) => l === 'run /bin/g GROUP G STOP 0').length, 1, 'group STOP notified once');
});

test('reload: a sync group removed by reload releases its members', async () => {
  const f = fakePlatform();
  const group = '\nvrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n}\n';
  const text = (g: string) => glob() + inst('VI_1', { extra: 'track_interface {\n    eth1\n  }' }) + inst('VI_2', { vrid: 52 }) + g;
  const d = new Daemon(f.p, conf(text(group)));
  d.start();
  await run(f, 5000);
  f.links.set('eth1', { up: false });
  await settle();
  assert.equal(d.stateOf('VI_2'), 'FAULT');
  await d.reload(conf(text('')));
  await run(f, 5000);
  assert.deepEqual([d.stateOf('VI_1'), d.stateOf('VI_2')], ['FAULT', 'MASTER']);
  assert.deepEqual(d.groupNames, []);
  await d.stop();
});

test('reload: enable_script_security switched on by reload reaches notify scripts', async () => {
  const { f, d, p } = await pair(glob() + inst('VI_1', { prio: 100, extra: 'notify_master /insecure/m' }), glob() + inst('VI_1', { prio: 120 }));
  await d.reload(conf(glob('enable_script_security') + inst('VI_1', { prio: 200, extra: 'notify_master /insecure/m' })));
  await run(f, 5000);
  assert.equal(d.instance('VI_1')!.state, 'MASTER');
  assert.ok(!f.journal.includes('run /insecure/m'), 'the insecure script did not run');
  assert.ok(f.log.records.some((r) => r.msg === 'notify script refused by script security' && r['script'] === '/insecure/m'));
  await d.stop(); await p.stop();
});

test('reload: a new FIFO path gets later lines; lines queued for the old one are written before it closes', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(glob('notify_fifo /run/old.fifo') + inst('VI_1')));
  let open!: () => void;
  d.start();
  f.fifos[0]!.gate = new Promise((r) => { open = r; });
  await run(f, 4000); // MASTER: its line waits at the gate
  assert.equal(d.stateOf('VI_1'), 'MASTER');
  await d.reload(conf(glob('notify_fifo /run/new.fifo') + inst('VI_1', { vrid: 52 })));
  assert.equal(f.fifos[0]!.closed, false, 'not closed with a line queued');
  open();
  await run(f, 4000);
  const [old, fresh] = f.fifos;
  assert.deepEqual(old!.lines, ['INSTANCE "VI_1" BACKUP 150\n', 'INSTANCE "VI_1" MASTER 150\n', 'INSTANCE "VI_1" STOP 0\n'], 'queued lines and the restart\'s STOP went to the old FIFO');
  assert.equal(old!.closed, true);
  assert.equal(fresh!.path, '/run/new.fifo');
  assert.deepEqual(fresh!.lines, ['INSTANCE "VI_1" BACKUP 150\n', 'INSTANCE "VI_1" MASTER 150\n']);
  await d.stop();
  assert.equal(fresh!.closed, true);
});

test('reload: an unopenable FIFO refuses the reload and leaves everything running', async () => {
  const f = fakePlatform();
  const d = new Daemon(f.p, conf(glob('notify_fifo /run/old.fifo') + inst('VI_1')));
  d.start();
  await run(f, 4000);
  const vi = d.instance('VI_1')!;
  const cfg = d.config;
  await assert.rejects(d.reload(conf(glob('notify_fifo /run/unopenable.fifo') + inst('VI_1', { prio: 100 }) + inst('NEW', { vrid: 60 }))), /reload refused.*EACCES/);
  assert.equal(d.config, cfg);
  assert.equal(vi.priority, 150);
  assert.deepEqual(d.instanceNames, ['VI_1']);
  assert.equal(f.lan.members.filter((m) => !m.closed).length, 1, 'the transport opened for NEW was closed');
  await d.stop();
});
