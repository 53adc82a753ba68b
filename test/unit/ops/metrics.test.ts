// The metrics registry: every contract name is exposed with its type and labels after a scrape of
// fake data, values follow the status source at scrape time, events are counted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusSource } from '../../../src/app/status.js';
import { Metrics, STATE_VALUE } from '../../../src/metrics/registry.js';
import { parseExposition, valueOf } from './prom-text.js';
import { sampleDirector, sampleVrrp } from './fakes.js';

const CONTRACT: [string, string, string[]][] = [
  ['vipkeeper_vrrp_state', 'gauge', ['instance', 'vrid', 'interface']],
  ['vipkeeper_vrrp_transitions_total', 'counter', ['instance', 'from', 'to']],
  ['vipkeeper_vrrp_adverts_sent_total', 'counter', ['instance']],
  ['vipkeeper_vrrp_adverts_received_total', 'counter', ['instance']],
  ['vipkeeper_vrrp_packets_dropped_total', 'counter', ['instance', 'reason']],
  ['vipkeeper_vrrp_effective_priority', 'gauge', ['instance']],
  ['vipkeeper_garp_sent_total', 'counter', ['instance']],
  ['vipkeeper_realserver_up', 'gauge', ['vs', 'rs']],
  ['vipkeeper_realserver_weight', 'gauge', ['vs', 'rs']],
  ['vipkeeper_check_duration_seconds', 'histogram', ['type']],
  ['vipkeeper_check_failures_total', 'counter', ['vs', 'rs', 'type', 'reason']],
  ['vipkeeper_ipvs_operations_total', 'counter', ['op', 'result']],
  ['vipkeeper_notify_runs_total', 'counter', ['result']],
];

function setup(defaultMetrics = false) {
  const vrrp = sampleVrrp();
  const src = new StatusSource(vrrp, { director: () => sampleDirector(1e6), monotonic: () => 1e6 });
  const m = new Metrics(src, { defaultMetrics });
  return { vrrp, src, m };
}

function feed(m: Metrics): void {
  m.observeCheck('tcp', 0.002);
  m.observeCheck('tcp', 0.3);
  m.observeCheck('http', 1.2);
  m.garpSent('VI_WEB', 5);
  m.garpSent('VI_WEB');
  m.notifyRun('ok');
  m.notifyRun('timeout');
  m.notifyRun('failed');
}

test('every contract metric is exposed with its type, labels and samples', async () => {
  const { vrrp, m } = setup(true);
  vrrp.transition('VI_WEB', 'MASTER', 'master-down');
  feed(m);
  const e = parseExposition(await m.text());
  for (const [name, type, labels] of CONTRACT) {
    assert.equal(e.types.get(name), type, `${name} has type ${type}`);
    assert.ok(e.help.get(name), `${name} has help`);
    const own = e.samples.filter((s) => (type === 'histogram' ? s.name.startsWith(`${name}_`) : s.name === name));
    assert.ok(own.length > 0, `${name} has samples`);
    for (const s of own) for (const l of labels) assert.ok(l in s.labels, `${s.name} has label ${l}`);
  }
  // Process and event-loop metrics come with it.
  assert.equal(e.types.get('process_cpu_user_seconds_total'), 'counter');
  assert.ok(e.types.has('nodejs_eventloop_lag_seconds'));
  assert.match(m.contentType, /^text\/plain; version=0\.0\.4/);
});

test('VRRP values are read from the status source at scrape time', async () => {
  const { vrrp, m } = setup();
  vrrp.transition('VI_WEB', 'MASTER', 'master-down');
  vrrp.transition('VI_WEB', 'BACKUP', 'higher-priority');
  vrrp.transition('VI_WEB', 'MASTER', 'preempt');
  let e = parseExposition(await m.text());
  assert.equal(valueOf(e, 'vipkeeper_vrrp_state', { instance: 'VI_WEB', vrid: '51', interface: 'eth0' }), STATE_VALUE.MASTER);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_state', { instance: 'VI_MAIL', vrid: '52', interface: 'eth1' }), 1);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_transitions_total', { instance: 'VI_WEB', from: 'BACKUP', to: 'MASTER' }), 2);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_transitions_total', { instance: 'VI_WEB', from: 'MASTER', to: 'BACKUP' }), 1);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_adverts_sent_total', { instance: 'VI_WEB' }), 42);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_adverts_received_total', { instance: 'VI_MAIL' }), 99);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_packets_dropped_total', { instance: 'VI_WEB', reason: 'bad-ttl' }), 3);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_packets_dropped_total', { instance: 'VI_WEB', reason: 'unknown-peer' }), 0, 'zero series exist');
  assert.equal(valueOf(e, 'vipkeeper_vrrp_effective_priority', { instance: 'VI_WEB' }), 140);

  // Between scrapes the daemon moves on; the next scrape sees it, and a removed instance is gone.
  const web = vrrp.instance('VI_WEB')!;
  (web.counters as Record<string, number>).sent = 50;
  web.state = 'FAULT';
  vrrp.map.delete('VI_MAIL');
  e = parseExposition(await m.text());
  assert.equal(valueOf(e, 'vipkeeper_vrrp_adverts_sent_total', { instance: 'VI_WEB' }), 50);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_state', { instance: 'VI_WEB' }), 3);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_state', { instance: 'VI_MAIL' }), undefined);
  assert.equal(valueOf(e, 'vipkeeper_vrrp_adverts_received_total', { instance: 'VI_MAIL' }), undefined);
});

test('real servers and events', async () => {
  const { m } = setup();
  feed(m);
  m.observeCheck('tcp', Number.NaN);
  m.observeCheck('tcp', -1);
  m.garpSent('VI_WEB', 0);
  const e = parseExposition(await m.text());
  const vs = '10.0.0.10:80/tcp';
  assert.equal(valueOf(e, 'vipkeeper_realserver_up', { vs, rs: '192.168.1.1:80' }), 1);
  assert.equal(valueOf(e, 'vipkeeper_realserver_up', { vs, rs: '192.168.1.2:80' }), 0);
  assert.equal(valueOf(e, 'vipkeeper_realserver_weight', { vs, rs: '192.168.1.1:80' }), 3);
  assert.equal(valueOf(e, 'vipkeeper_realserver_up', { vs: '[2001:db8::10]:443/tcp', rs: '[2001:db8::1]:443' }), 0);
  assert.equal(valueOf(e, 'vipkeeper_check_duration_seconds_count', { type: 'tcp' }), 2, 'NaN and negative durations are ignored');
  assert.equal(valueOf(e, 'vipkeeper_check_duration_seconds_bucket', { type: 'tcp', le: '0.0025' }), 1);
  assert.equal(valueOf(e, 'vipkeeper_check_duration_seconds_bucket', { type: 'tcp', le: '+Inf' }), 2);
  assert.ok(Math.abs(valueOf(e, 'vipkeeper_check_duration_seconds_sum', { type: 'tcp' })! - 0.302) < 1e-9);
  assert.equal(valueOf(e, 'vipkeeper_check_duration_seconds_count', { type: 'http' }), 1);
  // The director's own counts, read at scrape time.
  assert.equal(valueOf(e, 'vipkeeper_check_failures_total', { vs, rs: '192.168.1.2:80', type: 'HTTP_GET', reason: 'status' }), 2);
  assert.equal(valueOf(e, 'vipkeeper_ipvs_operations_total', { op: 'add-dest', result: 'ok' }), 4);
  assert.equal(valueOf(e, 'vipkeeper_ipvs_operations_total', { op: 'edit-dest', result: 'error' }), 1);
  assert.equal(valueOf(e, 'vipkeeper_garp_sent_total', { instance: 'VI_WEB' }), 6);
  for (const r of ['ok', 'failed', 'timeout']) assert.equal(valueOf(e, 'vipkeeper_notify_runs_total', { result: r }), 1, r);
  const counts = await m.eventCounts();
  assert.deepEqual(counts.vipkeeper_garp_sent_total, [{ labels: { instance: 'VI_WEB' }, value: 6 }]);
  assert.equal(counts.vipkeeper_notify_runs_total?.length, 3);
});

test('label values with quotes and backslashes are escaped; no director, no director series', async () => {
  const odd = 'vs "a"\\b';
  const src = new StatusSource(sampleVrrp(), { director: () => ({ virtualServers: [], checkFailures: [{ vs: odd, rs: 'rs', type: 'MISC_CHECK', code: 'exit', count: 1 }] }) });
  let e = parseExposition(await new Metrics(src, { defaultMetrics: false }).text());
  assert.equal(valueOf(e, 'vipkeeper_check_failures_total', { vs: odd }), 1);
  e = parseExposition(await new Metrics(new StatusSource(sampleVrrp()), { defaultMetrics: false }).text());
  assert.equal(e.samples.filter((s) => /^vipkeeper_(realserver|check_failures|ipvs)/.test(s.name)).length, 0);
  assert.equal(e.types.get('vipkeeper_realserver_up'), 'gauge', 'still declared');
});
