// conf/prometheus-rules.yml: every alert names only metrics the daemon exports (with labels they
// carry), so a renamed metric or label cannot leave an alert silently matching nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Metrics } from '../../../src/metrics/registry.js';
import { sampleDirector, sampleVrrp } from './fakes.js';
import { StatusSource } from '../../../src/app/status.js';

interface Rule { alert: string; expr: string; annotations?: Record<string, string> }

const rules = (parse(readFileSync(new URL('../../../conf/prometheus-rules.yml', import.meta.url), 'utf8')) as { groups: { rules: Rule[] }[] })
  .groups.flatMap((g) => g.rules);

test('prometheus rules: the split-brain and flapping alerts the operations docs promise are there', () => {
  const names = rules.map((r) => r.alert);
  for (const a of ['VipkeeperSplitBrain', 'VipkeeperFlapping', 'VipkeeperRealServerFlapping', 'VipkeeperPoolDown']) assert.ok(names.includes(a), a);
});

test('prometheus rules: every vipkeeper_* metric and label an alert uses is one the daemon exports', async () => {
  const vrrp = sampleVrrp();
  const status = new StatusSource(vrrp, {
    director: () => sampleDirector(1e6), monotonic: () => 1e6,
    announcements: () => [{ prefix: '10.20.0.1/32', table: 100, metric: 0, condition: 'always', conditionMet: true, active: true, holdingDown: false, since: 0 }],
  });
  vrrp.transition('VI_WEB', 'MASTER', 'master-down');
  const m = new Metrics(status, { defaultMetrics: false });
  m.notifyRun('failed');
  m.garpSent('VI_1', 1);
  m.observeCheck('HTTP_GET', 0.01);
  const text = await (await m.prometheus()).metrics();
  const exported = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const mm = /^(vipkeeper_[a-z_]+?)(?:_bucket|_sum|_count)?(?:\{([^}]*)\})? /.exec(line);
    if (!mm) continue;
    const labels = exported.get(mm[1]!) ?? new Set<string>();
    for (const l of (mm[2] ?? '').matchAll(/(\w+)="/g)) labels.add(l[1]!);
    exported.set(mm[1]!, labels);
  }
  // Prometheus renames the exported `instance` label; `instance` itself is the scrape target.
  const targetLabels = new Set(['instance', 'exported_instance', 'job']);
  for (const r of rules) {
    for (const use of r.expr.matchAll(/(vipkeeper_[a-z_]+)(\{[^}]*\})?/g)) {
      const name = use[1]!;
      assert.ok(exported.has(name), `${r.alert}: ${name} is not exported (exported: ${[...exported.keys()].join(', ')})`);
      for (const l of (use[2] ?? '').matchAll(/(\w+)\s*[!=~]/g)) assert.ok(exported.get(name)!.has(l[1]!), `${r.alert}: ${name} has no label ${l[1]}`);
    }
    for (const by of r.expr.matchAll(/by \(([^)]*)\)/g)) {
      const used = [...r.expr.matchAll(/(vipkeeper_[a-z_]+)/g)].map((x) => x[1]!);
      for (const l of by[1]!.split(',').map((x) => x.trim())) {
        assert.ok(targetLabels.has(l) || used.some((n) => exported.get(n)?.has(l)), `${r.alert}: groups by ${l}, which none of its metrics carries`);
      }
    }
  }
});
