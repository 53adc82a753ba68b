// The shipped Grafana dashboard and systemd unit stay in step with the code: every metric the
// dashboard queries exists, and the unit keeps the directives operations rely on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StatusSource } from '../../../src/app/status.js';
import { Metrics } from '../../../src/metrics/registry.js';
import { FakeVrrp } from './fakes.js';

const conf = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../conf/${name}`, import.meta.url)), 'utf8');

function exprs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) exprs(x, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'expr' || k === 'definition') && typeof v === 'string') out.push(v);
      else exprs(v, out);
    }
  }
  return out;
}

test('the dashboard queries only metrics vipkeeper exposes, and covers the main ones', async () => {
  const d = JSON.parse(conf('grafana-dashboard.json'));
  const names = new Set((await new Metrics(new StatusSource(new FakeVrrp([])), { defaultMetrics: false }).prometheus()).getMetricsAsArray().map((m) => m.name));
  const used = new Set(exprs(d).flatMap((e) => e.match(/vipkeeper_[a-z_]+/g) ?? []).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
  for (const n of used) assert.ok(names.has(n), `dashboard uses unknown metric ${n}`);
  for (const n of ['vipkeeper_vrrp_state', 'vipkeeper_vrrp_transitions_total', 'vipkeeper_vrrp_packets_dropped_total', 'vipkeeper_realserver_up', 'vipkeeper_check_duration_seconds']) {
    assert.ok(used.has(n), `dashboard shows ${n}`);
  }
  const ids = d.panels.map((p: { id: number }) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
});

test('the systemd unit keeps the directives operations rely on', () => {
  const unit = conf('vipkeeper.service');
  const directives = new Map<string, string>();
  for (const line of unit.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) directives.set(m[1]!, m[2]!);
  }
  assert.equal(directives.get('Type'), 'notify');
  assert.equal(directives.get('WatchdogSec'), '10');
  assert.equal(directives.get('Restart'), 'on-failure');
  assert.equal(directives.get('ExecReload'), '/usr/bin/vipkeeper reload');
  // VRRP and IPVS (net), the kernel VRRP filter (bpf, perfmon for its checksum loop).
  assert.equal(directives.get('AmbientCapabilities'), 'CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON');
  const bounding = directives.get('CapabilityBoundingSet')!.split(/\s+/);
  for (const cap of ['CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_BPF', 'CAP_PERFMON']) assert.ok(bounding.includes(cap), cap);
  assert.equal(directives.get('RuntimeDirectory'), 'vipkeeper', 'the control socket directory /run/vipkeeper');
  // The daemon's default --rt-priority, set before it starts: it then spawns no chrt (src/lib/sched.ts).
  assert.deepEqual(['CPUSchedulingPolicy', 'CPUSchedulingPriority', 'CPUSchedulingResetOnFork'].map((k) => directives.get(k)), ['rr', '10', 'yes']);
});
