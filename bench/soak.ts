// Soak: a pair of vipkeeper daemons (VRRPv3, advert_int 0.01 s: 100 adverts a second each way when
// contested) on a namespace LAN, with random faults injected for --minutes (default 10): SIGSTOP of
// either daemon for 2-30 intervals then SIGCONT, link flaps of either host (50-500 ms), and SIGKILL
// of b followed by a restart. Prints the faults and transitions, the daemons' RSS every minute and
// its slope (least squares over the samples), and the timer lateness of the master's adverts (gap between consecutive adverts minus
// the interval, from a tcpdump on a third host, fault windows excluded): the event-loop delay the
// daemon suffers, percentiles. Ends by checking that both daemons are alive and exactly one is
// master (VIP on exactly one host). Exit 0 when that holds, 1 otherwise.
// Run (root): node --import tsx bench/soak.ts [--minutes N] [--seed S] [--json FILE]
import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDirector, type Director } from '../test/support/directors.js';
import { ADDR, Lab, conf, fmt, sleep, waitFor } from './failover-lab.js';

const { values } = parseArgs({ options: { minutes: { type: 'string' }, seed: { type: 'string' }, json: { type: 'string' }, advert: { type: 'string' } } });
const minutes = Number(values.minutes ?? 10);
const advertS = Number(values.advert ?? 0.01);
let seed = Number(values.seed ?? Date.now() % 2 ** 31) >>> 0 || 1;
const rnd = (): number => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed / 2 ** 32; };
const between = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const VIP = '10.9.1.51';
const log = (s: string): void => { process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s] ${s}\n`); };

interface Slot { who: 'a' | 'b'; d: Director; starts: number; startedAt: number; rss: { tMin: number; mb: number }[] }
const t0 = Date.now();
const lab = new Lab();
let n = 0;
function start(who: 'a' | 'b'): Director {
  const text = conf({ version: 3, advertInt: advertS, priority: who === 'a' ? 200 : 100 });
  return startDirector(lab.host(who), lab.dir, `soak-${who}-${++n}`, 'vipkeeper', text,
    { logLevel: 'info', maxOutput: 2_000_000, args: ['--control-socket', join(lab.dir, `${who}-${n}.sock`)] });
}
const rssMb = (pid: number): number => { try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024; } catch { return NaN; } };
const transitions = (d: Director): { to: string; reason: string }[] => d.output().split('\n').filter((l) => l.includes('"to":"')).flatMap((l) => {
  try { const j = JSON.parse(l) as { to?: string; from?: string; reason?: string }; return j.to && j.from ? [{ to: j.to, reason: j.reason ?? '' }] : []; } catch { return []; }
});
const alive = (d: Director): boolean => d.proc.exitCode === null && d.proc.signalCode === null;

/** Least-squares slope of y over x. */
function slope(pts: { tMin: number; mb: number }[]): number {
  if (pts.length < 2) return NaN;
  const mx = pts.reduce((s, p) => s + p.tMin, 0) / pts.length, my = pts.reduce((s, p) => s + p.mb, 0) / pts.length;
  const num = pts.reduce((s, p) => s + (p.tMin - mx) * (p.mb - my), 0), den = pts.reduce((s, p) => s + (p.tMin - mx) ** 2, 0);
  return den ? num / den : NaN;
}
function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

const slots: Record<'a' | 'b', Slot> = { a: { who: 'a', d: undefined as never, starts: 0, startedAt: Date.now(), rss: [] }, b: { who: 'b', d: undefined as never, starts: 0, startedAt: Date.now(), rss: [] } };
const faults: { kind: string; who: string; at: number; ms: number }[] = [];
const windows: [number, number][] = [];
const pastTransitions: Record<'a' | 'b', number> = { a: 0, b: 0 };
let ok = false;
let summary: Record<string, unknown> = {};

try {
  await lab.capture();
  slots.a.d = start('a'); slots.a.starts = 1;
  slots.b.d = start('b'); slots.b.starts = 1;
  if (!(await waitFor(() => lab.hasVip('a', VIP) && !lab.hasVip('b', VIP), 30_000))) throw new Error(`no master at start\n${slots.a.d.output().slice(-2000)}`);
  log(`pair up (advert_int ${advertS} s, seed ${seed}); injecting faults for ${minutes} min`);
  const end = t0 + minutes * 60_000;
  // RSS every minute; the slope leaves out the first 90 s (modules loaded, JIT and heap settling).
  let nextSample = Date.now() + 30_000;
  while (Date.now() < end) {
    if (Date.now() >= nextSample) {
      const tMin = (Date.now() - t0) / 60_000;
      // A restarted daemon is sampled from 30 s after its start (its warm-up is not growth).
      for (const s of Object.values(slots)) if (Date.now() - s.startedAt >= 90_000) s.rss.push({ tMin, mb: rssMb(s.d.proc.pid!) });
      log(`RSS a ${fmt(rssMb(slots.a.d.proc.pid!), 1)} MB, b ${fmt(rssMb(slots.b.d.proc.pid!), 1)} MB; transitions a ${pastTransitions.a + transitions(slots.a.d).length}, b ${pastTransitions.b + transitions(slots.b.d).length}; faults ${faults.length}`);
      nextSample += 60_000;
    }
    await sleep(between(3000, 8000));
    if (Date.now() >= end) break;
    const r = rnd();
    const who: 'a' | 'b' = rnd() < 0.5 ? 'a' : 'b';
    const from = Date.now();
    if (r < 0.45) {
      const ms = between(2, 30) * advertS * 1000;
      slots[who].d.proc.kill('SIGSTOP'); await sleep(ms); slots[who].d.proc.kill('SIGCONT');
      faults.push({ kind: 'sigstop', who, at: from, ms });
    } else if (r < 0.9) {
      const ms = between(50, 500);
      lab.lan.setCable(who, false); await sleep(ms); lab.lan.setCable(who, true);
      faults.push({ kind: 'link-flap', who, at: from, ms });
    } else {
      // Only b is killed, so a's RSS series spans the whole run.
      const s = slots.b;
      pastTransitions.b += transitions(s.d).length;
      s.d.proc.kill('SIGKILL');
      await new Promise((res) => s.d.proc.once('exit', res));
      s.d = start('b'); s.starts++; s.rss = []; s.startedAt = Date.now();
      faults.push({ kind: 'sigkill-restart', who: 'b', at: from, ms: Date.now() - from });
    }
    windows.push([from - 100, Date.now() + 1500]);
    log(`fault ${faults.length}: ${faults.at(-1)!.kind} ${faults.at(-1)!.who} ${faults.at(-1)!.ms.toFixed(0)} ms`);
  }
  // Settle: exactly one master, both alive.
  const settled = await waitFor(() => alive(slots.a.d) && alive(slots.b.d) && lab.hasVip('a', VIP) !== lab.hasVip('b', VIP), 30_000);
  await sleep(2000);
  const vipOnA = lab.hasVip('a', VIP), vipOnB = lab.hasVip('b', VIP);
  const states = { a: transitions(slots.a.d).at(-1)?.to, b: transitions(slots.b.d).at(-1)?.to };
  ok = settled && alive(slots.a.d) && alive(slots.b.d) && vipOnA !== vipOnB && [states.a, states.b].filter((s) => s === 'MASTER').length === 1;

  // Timer lateness of the master's adverts outside fault windows.
  const late: Record<string, number[]> = { [ADDR.a]: [], [ADDR.b]: [] };
  // Only gaps inside one uncontested mastership count: the advert before this one (from anyone)
  // came from the same director, and neither end falls in a fault window.
  const inWindow = (t: number): boolean => windows.some(([f, e]) => t >= f && t <= e);
  let prev: { t: number; src: string } | undefined;
  for (const ad of lab.adverts) {
    const p = prev;
    prev = ad;
    if (!p || p.src !== ad.src || ad.prio === 0 || inWindow(ad.t) || inWindow(p.t)) continue;
    late[ad.src]?.push(ad.t - p.t - advertS * 1000);
  }
  const lateStats = (xs: number[]) => ({ samples: xs.length, p50: pct(xs, 50), p90: pct(xs, 90), p99: pct(xs, 99), p999: pct(xs, 99.9), max: xs.reduce((m, x) => (x > m ? x : m), xs.length ? -Infinity : NaN) });  // no spread: an hour is ~700,000 samples
  const tFinal = (Date.now() - t0) / 60_000;
  for (const s of Object.values(slots)) if (Date.now() - s.startedAt >= 90_000) s.rss.push({ tMin: tFinal, mb: rssMb(s.d.proc.pid!) });
  const half = (pts: { tMin: number; mb: number }[]) => pts.filter((p) => p.tMin >= tFinal / 2);
  summary = {
    ok, minutes, advertS, seed, faults: faults.length, faultKinds: faults.reduce<Record<string, number>>((m, f) => { m[f.kind] = (m[f.kind] ?? 0) + 1; return m; }, {}),
    transitions: { a: pastTransitions.a + transitions(slots.a.d).length, b: pastTransitions.b + transitions(slots.b.d).length },
    restarts: { a: slots.a.starts - 1, b: slots.b.starts - 1 }, alive: { a: alive(slots.a.d), b: alive(slots.b.d) }, vip: { a: vipOnA, b: vipOnB }, states,
    rssMb: { a: slots.a.rss.map((p) => +p.mb.toFixed(1)), b: slots.b.rss.map((p) => +p.mb.toFixed(1)) },
    rssSlopeMbPerHour: { a: +(slope(slots.a.rss) * 60).toFixed(2), aSecondHalf: +(slope(half(slots.a.rss)) * 60).toFixed(2), bSinceLastRestart: +(slope(slots.b.rss) * 60).toFixed(2) },
    advertLatenessMs: { a: lateStats(late[ADDR.a]!), b: lateStats(late[ADDR.b]!) }, adverts: lab.adverts.length,
  };
  log(`faults ${faults.length} ${JSON.stringify(summary.faultKinds)}; transitions a ${(summary.transitions as { a: number }).a}, b ${(summary.transitions as { b: number }).b}`);
  log(`RSS slope: a ${fmt((summary.rssSlopeMbPerHour as { a: number }).a)} MB/h over the run (${fmt((summary.rssSlopeMbPerHour as { aSecondHalf: number }).aSecondHalf)} MB/h over its second half), b ${fmt((summary.rssSlopeMbPerHour as { bSinceLastRestart: number }).bSinceLastRestart)} MB/h since its last restart`);
  for (const [who, st] of Object.entries(summary.advertLatenessMs as Record<string, ReturnType<typeof lateStats>>)) {
    log(`advert timer lateness ${who} (ms, ${st.samples} gaps outside fault windows): p50 ${fmt(st.p50)} p90 ${fmt(st.p90)} p99 ${fmt(st.p99)} p99.9 ${fmt(st.p999)} max ${fmt(st.max)}`);
  }
  log(`end: a ${states.a} (VIP ${vipOnA}), b ${states.b} (VIP ${vipOnB}); both alive ${alive(slots.a.d) && alive(slots.b.d)} -> ${ok ? 'OK' : 'FAILED'}`);
  if (!ok) log(`a output tail:\n${slots.a.d.output().slice(-2000)}\nb output tail:\n${slots.b.d.output().slice(-2000)}`);
} catch (e) {
  log(`soak failed: ${(e as Error).stack ?? e}`);
  ok = false;
  summary = { ok: false, error: String((e as Error).message ?? e) };
} finally {
  if (values.json) writeFileSync(values.json, `${JSON.stringify(summary, null, 2)}\n`);
  await lab.close();
}
process.exit(ok ? 0 : 1);
