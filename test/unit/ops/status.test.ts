// StatusSource over a fake daemon and director: the JSON contract, transitions remembered with
// their age, masters seen, drop counters, and the table `vipkeeper status` prints from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusSource, realServerLabel, type VrrpView } from '../../../src/app/status.js';
import type { Daemon } from '../../../src/app/daemon.js';
import type { DirectorStatus } from '../../../src/app/director-state.js';
import type { DirectorSnapshot } from '../../../src/app/status.js';
import { formatAge, formatStatus, table } from '../../../src/control/status-table.js';
import { fakeInstance, FakeVrrp, sampleDirector, sampleVrrp } from './fakes.js';

// Compile-time: the real VRRP daemon is a VrrpView, so `new StatusSource(runtime.vrrp)` type-checks.
export const daemonIsAVrrpView = (d: Daemon): VrrpView => d;
// ... and the director's status is a DirectorSnapshot, so `director: () => runtime.status()` does.
export const directorStatusIsASnapshot = (d: DirectorStatus): DirectorSnapshot => d;

const T0 = Date.parse('2026-01-01T00:00:00Z');

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = T0;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

test('snapshot lists every instance with the contract fields', () => {
  const c = clock();
  const vrrp = sampleVrrp();
  const s = new StatusSource(vrrp, { now: c.now, pid: 1234 }).snapshot();
  assert.equal(s.pid, 1234);
  assert.equal(s.generatedAt, '2026-01-01T00:00:00.000Z');
  assert.deepEqual(s.instances.map((i) => i.name), ['VI_WEB', 'VI_MAIL']);
  const web = s.instances[0]!;
  assert.equal(web.state, 'BACKUP');
  assert.equal(web.vrid, 51);
  assert.equal(web.interface, 'eth0');
  assert.equal(web.priority, 150);
  assert.equal(web.effectivePriority, 140);
  assert.equal(web.lastTransition, null);
  assert.equal(web.masterSeen, null);
  assert.equal(web.counters.sent, 42);
  assert.equal(web.counters.received, 17);
  assert.equal(web.counters.dropped['bad-ttl'], 3);
  assert.equal(web.counters.dropped['auth-mismatch'], 1);
  assert.equal(web.counters.dropped['vrid-mismatch'], 0);
  assert.equal(Object.keys(web.counters.dropped).length, 9, 'every drop reason, zero or not');
  assert.deepEqual(s.instances[1]!.masterSeen, { address: '10.0.0.2', priority: 200 });
  assert.deepEqual(s.virtualServers, [], 'no director: no virtual servers');
  // The object survives JSON (it is what the socket and HTTP send).
  assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
});

test('the last transition is remembered per instance, with its reason and age', () => {
  const c = clock();
  const vrrp = sampleVrrp();
  const src = new StatusSource(vrrp, { now: c.now });
  vrrp.transition('VI_WEB', 'MASTER', 'master-down');
  c.advance(12_345);
  let web = src.snapshot().instances[0]!;
  assert.deepEqual(web.lastTransition, { from: 'BACKUP', to: 'MASTER', reason: 'master-down', at: '2026-01-01T00:00:00.000Z', ageS: 12.3 });
  assert.equal(web.masterSeen, null, 'a master reports no other master');
  vrrp.transition('VI_WEB', 'BACKUP', 'higher-priority');
  vrrp.transition('VI_WEB', 'MASTER', 'preempt');
  web = src.snapshot().instances[0]!;
  assert.equal(web.lastTransition?.reason, 'preempt');
  assert.equal(web.lastTransition?.ageS, 0);
  assert.equal(src.snapshot().instances[1]!.lastTransition, null, 'other instances untouched');
  assert.deepEqual(src.transitionCounts().sort((a, b) => a.to.localeCompare(b.to)), [
    { instance: 'VI_WEB', from: 'MASTER', to: 'BACKUP', count: 1 },
    { instance: 'VI_WEB', from: 'BACKUP', to: 'MASTER', count: 2 },
  ]);
});

test('an instance removed by a reload disappears; a new one appears', () => {
  const vrrp = new FakeVrrp([fakeInstance('A'), fakeInstance('B')]);
  const src = new StatusSource(vrrp);
  vrrp.map.delete('A');
  vrrp.map.set('C', fakeInstance('C', { vrid: 9 }));
  assert.deepEqual(src.snapshot().instances.map((i) => [i.name, i.vrid]), [['B', 51], ['C', 9]]);
});

test('virtual servers come from the director snapshot, checks with their age', () => {
  const c = clock();
  let snap: ReturnType<typeof sampleDirector> | undefined = sampleDirector(T0 + 7);
  // The director stamps results on the monotonic clock (here 7 ms ahead of the wall clock).
  const src = new StatusSource(sampleVrrp(), { now: c.now, monotonic: () => c.now() + 7, director: () => snap });
  const s = src.snapshot();
  assert.equal(s.ipvsAvailable, true);
  const vs = s.virtualServers;
  assert.equal(vs.length, 2);
  assert.equal(vs[0]!.name, '10.0.0.10:80/tcp');
  assert.equal(vs[0]!.quorumUp, true);
  assert.equal(vs[0]!.suspended, false);
  const first = { type: 'TCP_CHECK', up: true, ok: true, reason: 'connected', code: 'ok', latencyMs: 2.25, at: '2025-12-31T23:59:58.500Z', ageS: 1.5 };
  assert.deepEqual(vs[0]!.realServers[0], { address: '192.168.1.1', port: 80, up: true, weight: 3, lastCheck: first, checks: [first] });
  const second = vs[0]!.realServers[1]!;
  assert.equal(second.checks.length, 2);
  assert.equal(second.lastCheck?.type, 'TCP_CHECK', 'the most recent result of any checker');
  assert.equal(second.checks[1]!.reason, 'HTTP 503 on /health');
  assert.equal(second.checks[1]!.ageS, 0.5);
  assert.equal(vs[1]!.sorryActive, true);
  assert.equal(vs[1]!.suspended, true);
  assert.equal(vs[1]!.realServers[0]!.lastCheck, null, 'not checked yet');
  assert.deepEqual(vs[1]!.realServers[0]!.checks[0], { type: 'SSL_GET', up: false, ok: null, reason: null, code: null, latencyMs: null, at: null, ageS: null });
  assert.deepEqual(src.directorCounters().ipvsOps, [{ op: 'add-dest', result: 'ok', count: 4 }, { op: 'edit-dest', result: 'error', count: 1 }]);
  snap = undefined;
  assert.deepEqual(src.snapshot().virtualServers, [], 'read at every snapshot');
  assert.equal(src.snapshot().ipvsAvailable, null);
  assert.deepEqual(src.directorCounters(), { ipvsOps: [], checkFailures: [] });
});

test('real server labels bracket IPv6 addresses', () => {
  assert.equal(realServerLabel({ address: '10.0.0.1', port: 80 }), '10.0.0.1:80');
  assert.equal(realServerLabel({ address: '2001:db8::1', port: 443 }), '[2001:db8::1]:443');
});

test('formatStatus prints instances and real servers in aligned columns', () => {
  const c = clock();
  const vrrp = sampleVrrp();
  const src = new StatusSource(vrrp, { now: c.now, monotonic: c.now, director: () => sampleDirector(T0) });
  vrrp.transition('VI_WEB', 'MASTER', 'master-down');
  c.advance(125_000);
  const text = formatStatus(src.snapshot());
  const lines = text.split('\n');
  const header = lines.find((l) => l.includes('INTERFACE'))!;
  const web = lines.find((l) => l.includes('VI_WEB'))!;
  const mail = lines.find((l) => l.includes('VI_MAIL'))!;
  assert.match(web, /VI_WEB\s+eth0\s+51\s+MASTER\s+150\s+140\s+\(this director\)\s+BACKUP -> MASTER \(master-down\), 2 min 5 s ago$/);
  assert.match(mail, /VI_MAIL\s+eth1\s+52\s+BACKUP\s+100\s+100\s+10\.0\.0\.2 \(priority 200\)\s+-$/);
  // Columns line up: the state column starts at the same offset on every row.
  assert.equal(web.indexOf('MASTER'), header.indexOf('STATE'));
  assert.equal(mail.indexOf('BACKUP'), header.indexOf('STATE'));
  assert.match(text, /10\.0\.0\.10:80\/tcp: quorum up/);
  assert.match(text, /\[2001:db8::10\]:443\/tcp: QUORUM DOWN, sorry server active, checks suspended \(not master\)/);
  assert.match(text, /192\.168\.1\.1:80\s+up\s+3\s+2\.3 ms\s+TCP_CHECK ok, 2 min 6 s ago/);
  // Down: the failing checker is shown (it says why), not the more recent passing one.
  assert.match(text, /192\.168\.1\.2:80\s+DOWN\s+0\s+0\.4 ms\s+HTTP_GET failed: HTTP 503 on \/health, 2 min 5 s ago/);
  assert.match(text, /\[2001:db8::1\]:443\s+DOWN\s+1\s+-\s+not checked yet/);
  assert.ok(lines.every((l) => l === l.trimEnd()), 'no trailing blanks');
  assert.doesNotMatch(text, /IPVS is not available/);
  const noIpvs = new StatusSource(vrrp, { director: () => ({ ...sampleDirector(T0), ipvsAvailable: false }) });
  assert.match(formatStatus(noIpvs.snapshot()), /\n\nIPVS is not available in this kernel: real servers are checked but nothing is programmed/);
});

test('formatStatus says when there is nothing', () => {
  const text = formatStatus(new StatusSource(new FakeVrrp([])).snapshot());
  assert.equal(text, 'VRRP instances: none\n\nVirtual servers: none');
});

test('table and formatAge helpers', () => {
  assert.deepEqual(table([['a', 'bb', 'c'], ['ddd', 'e', 'f']]), ['a    bb  c', 'ddd  e   f']);
  assert.equal(formatAge(4.25), '4.3 s');
  assert.equal(formatAge(59.9), '59.9 s');
  assert.equal(formatAge(125), '2 min 5 s');
  assert.equal(formatAge(7300), '2 h 1 min');
  assert.equal(formatAge(90000), '1 d 1 h');
});

test('status: drops a kernel filter made are added to the instance counters, by reason, and to received', () => {
  const base = fakeInstance('VI_K');
  const inst = { ...base, counters: { ...base.counters, 'bad-ttl': 1, received: 10 }, kernelDrops: () => ({ 'bad-ttl': 5, 'vrid-mismatch': 2 }) };
  const s = new StatusSource(new FakeVrrp([inst])).snapshot().instances[0]!;
  assert.equal(s.counters.dropped['bad-ttl'], 6);
  assert.equal(s.counters.dropped['vrid-mismatch'], 2);
  assert.equal(s.counters.received, 17);
});
