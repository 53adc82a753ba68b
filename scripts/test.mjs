#!/usr/bin/env node
// Runs the test suite with Node's built-in runner. Node 20 does not glob .ts test files
// itself, so this finds them (default roots: test/unit test/sim test/integration test/kernel test/reliability).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const roots = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
const dirs = roots.length ? roots : ['test/unit', 'test/sim', 'test/integration', 'test/kernel', 'test/reliability'];

function walk(p, out, root = true) {
  let st;
  try { st = statSync(p); } catch { return out; }
  if (st.isFile()) { if (/\.test\.ts$/.test(p)) out.push(p); return out; }
  // test/kernel/inside/ runs inside the IPVS test VM (test/kernel/vm.test.ts boots it), never on the host.
  if (!root && p.split(/[\\/]/).pop() === 'inside') return out;
  for (const name of readdirSync(p).sort()) walk(join(p, name), out, false);
  return out;
}

const files = dirs.flatMap((d) => walk(d, []));
if (files.length === 0) { console.error('no test files found under', dirs.join(' ')); process.exit(1); }
// Integration tests build namespaces and bridges with fixed-pattern names; run files one at a time
// when they need privileges so that two of them never fight over the host's links.
const concurrency = process.env.VIPKEEPER_TEST_CONCURRENCY ?? '1';
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...extra, ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
