// What the idle daemon does not load: a VRRP-only `vipkeeper run` without --metrics-listen must not
// pull in prom-client (~12 MiB of RSS and a 10 ms event-loop monitor) or the health-check probes'
// undici (~20 MiB). Each case runs in a fresh node so nothing loaded by the test runner counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs `code` (an ES module; `src` is the source directory URL) and returns the npm packages it loaded. */
function packagesAfter(code: string): { packages: string[]; out: string } {
  const script = `
    import { createRequire } from 'node:module';
    const src = ${JSON.stringify(new URL('src/', `file://${root}`).href)};
    ${code}
    const loaded = new Set();
    for (const k of Object.keys(createRequire(import.meta.url).cache)) {
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k);
      if (m && m[1] !== 'tsx' && m[1] !== 'esbuild' && m[1] !== 'get-tsconfig' && m[1] !== 'resolve-pkg-maps') loaded.add(m[1]);
    }
    console.log(JSON.stringify([...loaded]));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const lines = out.trim().split('\n');
  return { packages: JSON.parse(lines.pop()!) as string[], out: lines.join('\n') };
}

test('vipkeeper run loads neither prom-client nor the probes (undici) at import', () => {
  const { packages } = packagesAfter(`await import(src + 'cli/commands/run.ts');`);
  for (const p of ['prom-client', '@opentelemetry/api', 'undici', 'yaml', 'ajv']) assert.ok(!packages.includes(p), `${p} loaded: ${packages.join(' ')}`);
  assert.ok(packages.includes('pino'), 'the check sees what is loaded (pino is)');
});

test('the probe factory (and undici) is what a director loads', () => {
  const { packages } = packagesAfter(`await import(src + 'check/factory.ts');`);
  assert.ok(packages.includes('undici'), packages.join(' '));
});

test('Metrics without prometheus counts events plainly and loads prom-client only when read', () => {
  const { packages, out } = packagesAfter(`
    const { Metrics } = await import(src + 'metrics/registry.ts');
    const status = { instances: () => [], virtualServers: () => [], transitionCounts: () => [], directorCounters: () => ({ ipvsOps: [], checkFailures: [] }) };
    const m = new Metrics(status, { prometheus: false, defaultMetrics: false });
    m.garpSent('VI_1', 3); m.garpSent('VI_1'); m.notifyRun('ok'); m.observeCheck('TCP_CHECK', 0.01);
    console.log(JSON.stringify(await m.eventCounts()));
    console.log(Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/prom-client/')));
    const text = await m.text();
    console.log(JSON.stringify(text.split('\\n').filter((l) => /^vipkeeper_(garp|notify|check_duration_seconds_count)/.test(l))));`);
  const [counts, beforeText, lines] = out.split('\n');
  assert.deepEqual(JSON.parse(counts!), {
    vipkeeper_garp_sent_total: [{ labels: { instance: 'VI_1' }, value: 4 }],
    vipkeeper_notify_runs_total: [{ labels: { result: 'ok' }, value: 1 }],
  });
  assert.equal(beforeText, 'false', 'prom-client not loaded before the first read');
  assert.ok(packages.includes('prom-client'), 'loaded by text()');
  // The counts reach the exposition; a check duration from before loading is not kept.
  assert.deepEqual(JSON.parse(lines!), ['vipkeeper_garp_sent_total{instance="VI_1"} 4', 'vipkeeper_notify_runs_total{result="ok"} 1']);
});
