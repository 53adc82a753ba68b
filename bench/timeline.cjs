// A timeline of one `vipkeeper` process, preloaded with `node -r ./bench/timeline.cjs dist/cli.cjs ...`
// and printed to stderr at exit: node's start until this file ran, then the time between marks at
// each file read, the bundle's compile from its code cache (vm.Script) and run, the addon's load
// and every call into it (socket, netlinkDumps, the dump thread's Start / Take / End), the first
// write and the exit. A throwaway instrumented build can add marks of its own through
// globalThis.__mark('name'). Used by bench/ipvs-timeline.mjs; changes nothing the process does
// (the code cache is still used: -r is no V8 flag).
const t0 = process.hrtime.bigint();
const startedMs = process.uptime() * 1000;
const marks = [];
const now = () => Number(process.hrtime.bigint() - t0) / 1e6;
const mark = (k) => marks.push([now(), k]);
globalThis.__mark = mark;
const vm = require('node:vm'), fs = require('node:fs');
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(...a) { mark('script<'); super(...a); mark('script>'); }
  runInThisContext(...a) { const r = super.runInThisContext(...a); mark('ran'); return r; }
};
const writeSync = fs.writeSync;
let writes = 0;
fs.writeSync = function (...a) { if (!writes++) mark('write1<'); const r = writeSync.apply(this, a); mark('write>'); return r; };
const readFileSync = fs.readFileSync;
fs.readFileSync = function (...a) { mark(`read ${String(a[0]).split('/').pop()}<`); const r = readFileSync.apply(this, a); mark('read>'); return r; };
const dlopen = process.dlopen;
process.dlopen = function (m, f, ...rest) {
  mark('dlopen<');
  const r = dlopen.call(this, m, f, ...rest);
  mark('dlopen>');
  for (const [k, v] of Object.entries(m.exports)) {
    if (typeof v === 'function') m.exports[k] = function (...a) { mark(`${k}<`); try { return v.apply(this, a); } finally { mark(`${k}>`); } };
  }
  return r;
};
process.on('exit', () => {
  mark('exit');
  let prev = 0;
  const steps = marks.map(([t, k]) => { const s = `${k} +${(t - prev).toFixed(1)}`; prev = t; return s; });
  writeSync(2, `timeline: node before this file ${startedMs.toFixed(1)} ms | ${steps.join(' | ')}\n`);
});
