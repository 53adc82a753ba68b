#!/usr/bin/env node
// The director part of the quick-start demo, as root, from the repository root (scripts/demo.sh
// runs it on the host when its kernel has IPVS, otherwise inside the kernel test VM):
//
//   client 10.0.0.10 ── outside 10.0.0.0/24 ── director A .2 / director B .3 ── inside 10.1.0.0/24 ── r1 .11, r2 .12, sorry .99
//
// Seven network namespaces on two bridges; vipkeeper on both directors with
// conf/demo/director-{a,b}-lvs.conf: VRRP for the client-side VIP 10.0.0.100 and the real servers'
// gateway 10.1.0.1 (one sync group), and LVS-NAT for 10.0.0.100:80 with HTTP_GET checks of r1 and
// r2 (busybox httpd answering their name). Steps: the client is balanced over r1 and r2; director
// A crashes and B takes over (timed); r1 fails its health check and leaves the pool; r2 stops too
// and the sorry server answers; both come back. `vipkeeper status` and `ipvsadm -Ln` at each step.
// Every program is run with an argument vector (the client's request loops are one fixed busybox sh
// script, given its arguments positionally). Everything is removed at exit, signals included.
// Exit status 0 when every step did what it says, 1 otherwise. VIPKEEPER_DEMO_DEBUG=1 prints every
// poll and, at the end, the daemons' logs (the VM harness passes VIPKEEPER_* variables on).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';

const VIP = '10.0.0.100';
const URL = `http://${VIP}/`;
const bold = process.env.DEMO_COLOR === '1' ? (s) => `\x1b[1m${s}\x1b[0m` : (s) => s;
const t00 = Date.now();
const say = (s) => console.log(`\n${bold(`== ${s}`)}`);
const note = (s) => console.log(s);

// Unique names, so that a run on a host never meets another run's namespaces.
const tag = `${(process.pid % 100000).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
const NS = Object.fromEntries(['sw', 'client', 'dA', 'dB', 'r1', 'r2', 'sorry'].map((n) => [n, `vkdemo-${n}-${tag}`]));
const dir = mkdtempSync(join(tmpdir(), 'vkdemo-director-'));
const children = new Set();
let cleaned = false;

function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
  for (const ns of Object.values(NS)) {
    try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* not there */ }
  }
  rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => { note(`demo: ${sig}, cleaning up`); cleanup(); process.exit(code); });
}

/** Runs a program (argument vector, no shell); resolves to its stdout, rejects with its stderr. */
function run(argv, { timeoutMs = 20_000 } = {}) {
  return new Promise((resolve, reject) => {
    const c = execFile(argv[0], argv.slice(1), { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      children.delete(c);
      if (err) reject(new Error(`${argv.join(' ')}: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
    children.add(c);
  });
}
const inNs = (ns, argv, opts) => run(['ip', 'netns', 'exec', ns, ...argv], opts);
const ipIn = (ns, ...args) => run(['ip', '-n', ns, ...args]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class DemoError extends Error {}
const debug = process.env.VIPKEEPER_DEMO_DEBUG === '1' ? (s) => console.log(`debug ${((Date.now() - t00) / 1000).toFixed(2)} ${s}`) : () => {};
async function waitFor(what, pred, timeoutMs, everyMs = 250) {
  const t0 = Date.now();
  for (;;) {
    const ok = await pred().catch((e) => { debug(`${what}: ${e.message}`); return false; });
    debug(`${what}: ${ok}`);
    if (ok) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) throw new DemoError(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
}

// ---- the network ----------------------------------------------------------------------------

// One `ip -batch` per namespace: under emulation every program started costs a lot.
const HOSTS = {
  client: [['eth0', 'outside', '10.0.0.10/24']],
  dA: [['eth0', 'outside', '10.0.0.2/24'], ['eth1', 'inside', '10.1.0.2/24']],
  dB: [['eth0', 'outside', '10.0.0.3/24'], ['eth1', 'inside', '10.1.0.3/24']],
  r1: [['eth0', 'inside', '10.1.0.11/24']],
  r2: [['eth0', 'inside', '10.1.0.12/24']],
  sorry: [['eth0', 'inside', '10.1.0.99/24']],
};
async function batch(name, lines, ns) {
  const file = join(dir, `${name}.batch`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  await run(['ip', ...(ns ? ['-n', ns] : []), '-batch', file]);
}

async function buildSwitch() {
  if (!existsSync('/proc/net/ip_vs')) await run(['modprobe', 'ip_vs']).catch(() => {});
  if (!existsSync('/proc/net/ip_vs')) throw new DemoError('this kernel has no IPVS (no /proc/net/ip_vs): scripts/demo.sh runs this part in the kernel VM');
  // Loaded before the links are made in parallel: two autoloads of one module can race (EINVAL).
  for (const m of ['veth', 'bridge']) await run(['modprobe', m]).catch(() => {});
  await batch('netns', Object.values(NS).map((ns) => `netns add ${ns}`));
  await batch('switch', ['link set lo up', ...['outside', 'inside'].flatMap((br) => [`link add ${br} type bridge forward_delay 0`, `link set ${br} up`])], NS.sw);
}
/** Cables the hosts of these roles to the bridges, with their addresses and routes. */
async function addHosts(roles) {
  await Promise.all(roles.map((role) => batch(role, [
    'link set lo up',
    ...HOSTS[role].flatMap(([ifname, , addr]) => [`link add ${ifname} type veth peer name ${role}-${ifname} netns ${NS.sw}`, `addr add ${addr} dev ${ifname}`, `link set ${ifname} up`]),
    // The real servers answer through the director: their gateway is the inside VIP (LVS-NAT).
    ...(HOSTS[role][0][1] === 'inside' ? ['route add default via 10.1.0.1'] : []),
  ], NS[role])));
  await batch(`ports-${roles.join('-')}`, roles.flatMap((role) => HOSTS[role].map(([ifname, br]) => `link set ${role}-${ifname} master ${br} up`)), NS.sw);
  // The directors route between the two networks (LVS-NAT rewrites the addresses on the way).
  await Promise.all(roles.filter((r) => r.startsWith('d')).map((r) => inNs(NS[r], ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'])));
}

// ---- the real servers: busybox httpd, /index.html says who answers, /health is the check ------

const www = (n) => join(dir, `www-${n}`);
function startHttpd(n) {
  const c = spawn('ip', ['netns', 'exec', NS[n], 'busybox', 'httpd', '-f', '-p', '80', '-h', www(n)], { stdio: 'ignore' });
  children.add(c);
  c.on('exit', () => children.delete(c));
  return c;
}
const httpd = {};
function setupServers() {
  for (const n of ['r1', 'r2', 'sorry']) {
    mkdirSync(www(n));
    writeFileSync(join(www(n), 'index.html'), `${n === 'sorry' ? 'sorry server' : n}\n`);
    writeFileSync(join(www(n), 'health'), 'ok\n');
    httpd[n] = startHttpd(n);
  }
}

// ---- the directors ----------------------------------------------------------------------------

const sock = (d) => join(dir, `${d}.sock`);
const logFile = (d) => join(dir, `${d}.log`);
const daemons = {};
function startDirector(d) {
  const conf = `conf/demo/director-${d === 'dA' ? 'a' : 'b'}-lvs.conf`;
  const fd = openSync(logFile(d), 'a');
  const c = spawn('ip', ['netns', 'exec', NS[d], process.execPath, 'dist/cli.cjs', 'run', '-f', conf,
    '--control-socket', sock(d), '--rt-priority', '0', '--log-level', 'info'], { stdio: ['ignore', fd, fd] });
  children.add(c);
  c.on('exit', () => children.delete(c));
  daemons[d] = c;
}
/** The daemon's JSON log lines (pino), with `time` in ms. */
function logLines(d) {
  const out = [];
  let text = '';
  try { text = readFileSync(logFile(d), 'utf8'); } catch { return out; }
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const l = JSON.parse(line);
      out.push({ ...l, time: typeof l.time === 'number' ? l.time : Date.parse(l.time) });
    } catch { /* a partial line */ }
  }
  return out;
}
/** Its VRRP state transitions: {time, instance, from, to, reason}. */
const transitions = (d) => logLines(d).filter((l) => l.instance && l.to);
const isMaster = (d) => {
  const last = new Map();
  for (const t of transitions(d)) last.set(t.instance, t);
  debug(`${d}: ${[...last.values()].map((t) => `${t.instance} ${t.to}`).join(', ')}`);
  return ['VI_OUTSIDE', 'VI_INSIDE'].every((i) => last.get(i)?.to === 'MASTER');
};
const NAME = { dA: 'director A', dB: 'director B' };

/** What the demo did, for the timeline at the end. */
const marks = [];
const mark = (what) => marks.push({ time: Date.now(), who: 'demo', what });
/** The demo's actions and the daemons' transitions, health changes and sorry-server moves, by time. */
function timeline() {
  const rows = [...marks];
  for (const d of ['dA', 'dB']) {
    for (const l of logLines(d)) {
      let what;
      if (l.instance && l.to) what = `${l.instance} ${l.from} -> ${l.to} (${l.reason})`;
      else if (l.rs && l.to) what = `real server ${l.rs} ${l.to}${l.reason ? ` (${l.reason})` : ''}`;
      else if (/^(quorum|sorry server) /.test(l.msg ?? '')) what = `${l.msg}${l.sorryServer && l.active ? ` (${l.sorryServer})` : ''}`;
      else continue;
      rows.push({ time: l.time, who: NAME[d], what });
    }
  }
  rows.sort((a, b) => a.time - b.time);
  for (const r of rows) note(`${new Date(r.time).toISOString().slice(11, 23)}  ${r.who.padEnd(10)}  ${r.what}`);
}

async function showStatus(d) {
  note(`$ vipkeeper status    (on ${NAME[d]})`);
  const out = await run([process.execPath, 'dist/cli.cjs', 'status', '--control-socket', sock(d)]);
  note(out.replace(/\n+$/, '').replace(/^/gm, '  '));
}
async function showIpvs(d) {
  note(`$ ipvsadm -Ln    (on ${NAME[d]})`);
  note((await inNs(NS[d], ['ipvsadm', '-Ln'])).replace(/\n+$/, '').replace(/^/gm, '  '));
}
const hexAddr = (h) => `${[0, 2, 4, 6].map((i) => parseInt(h.slice(i, i + 2), 16)).join('.')}:${parseInt(h.slice(9), 16)}`;
/**
 * The real servers of VIP:80 in a director's kernel table, sorted ("10.1.0.11:80 10.1.0.12:80"),
 * read from /proc/PID/net/ip_vs of its daemon: the table of that process's namespace, without
 * starting a program (which costs a lot under emulation).
 */
async function pool(d) {
  const text = readFileSync(`/proc/${daemons[d].pid}/net/ip_vs`, 'utf8');
  const dests = [];
  let inService = false;
  for (const line of text.split('\n')) {
    const svc = /^(TCP|UDP|SCTP|FWM)\s+([0-9A-F]{8}:[0-9A-F]{4})/.exec(line);
    if (svc) { inService = hexAddr(svc[2]) === `${VIP}:80`; continue; }
    const m = /^\s+->\s+([0-9A-F]{8}:[0-9A-F]{4})\s/.exec(line);
    if (m && inService) dests.push(hexAddr(m[1]));
  }
  const r = dests.sort().join(' ');
  debug(`pool of ${d}: ${r || '(empty)'}`);
  return r;
}

// ---- the client ---------------------------------------------------------------------------------

// n requests in a row from the client's namespace, in one program (busybox sh): each answer on a
// line, "(no answer)" for a request that failed or took more than 5 s (Debian's static busybox wget
// has no timeout option of its own: busybox timeout ends it).
const BURST = 'i=0; while [ "$i" -lt "$1" ]; do busybox timeout 5 busybox wget -q -O - "$2" || echo "(no answer)"; i=$((i + 1)); done';
async function burst(n) {
  const out = await inNs(NS.client, ['busybox', 'sh', '-c', BURST, 'sh', String(n), URL], { timeoutMs: n * 6000 + 10_000 });
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}
/** n requests; prints the answers and one "client reached X" line per server seen. */
async function client(n) {
  const answers = await burst(n);
  note(`client: ${n} x GET ${URL} -> ${answers.join(', ')}`);
  const seen = [...new Set(answers)];
  for (const s of seen) if (s !== '(no answer)') note(s === 'sorry server' ? 'sorry server answered' : `client reached ${s}`);
  return seen;
}
// Asks again and again (each try given up after 1 s) until an answer comes; prints it.
const UNTIL_ANSWER = 'until busybox timeout 1 busybox wget -q -O - "$1"; do :; done';
function expect(cond, what) { if (!cond) throw new DemoError(what); }

// ---- the steps --------------------------------------------------------------------------------

async function main() {
  say(`director part: LVS-NAT behind ${VIP}:80 (kernel ${release()}, ${process.env.VIPKEEPER_IN_VM === '1' ? 'inside the kernel VM' : 'on this host'})`);
  note('client 10.0.0.10 -- outside 10.0.0.0/24 -- director A .2, director B .3 -- inside 10.1.0.0/24 -- r1 .11, r2 .12, sorry server .99');
  note(`VIPs ${VIP} (for clients) and 10.1.0.1 (the real servers' gateway) move together: sync group DEMO_LVS`);
  await buildSwitch();
  await addHosts(['dA', 'dB']);

  say('directors A (priority 150) and B (priority 100) start: vipkeeper run -f conf/demo/director-{a,b}-lvs.conf');
  mark('directors A and B started');
  startDirector('dA');
  startDirector('dB');
  // The rest of the network and the servers while the daemons start (node takes a while).
  await addHosts(['client', 'r1', 'r2', 'sorry']);
  setupServers();
  const upMs = await waitFor('director A MASTER with r1 and r2 in its IPVS table',
    async () => isMaster('dA') && (await pool('dA')) === '10.1.0.11:80 10.1.0.12:80', 60_000);
  await waitFor('director B BACKUP with its table programmed', async () => (await pool('dB')) === '10.1.0.11:80 10.1.0.12:80', 30_000);
  note(`director A is MASTER of both VIPs and balances r1 and r2 (${upMs} ms after start)`);
  await showStatus('dA');
  await showIpvs('dA');
  const seen = await client(6);
  expect(seen.includes('r1') && seen.includes('r2'), 'the client did not reach both r1 and r2');

  say('director A crashes: SIGKILL to its vipkeeper, its links go down (a power cut)');
  const before = transitions('dB').length;
  const tKill = Date.now();
  mark('SIGKILL to director A, its links down');
  daemons.dA.kill('SIGKILL');
  await Promise.all([ipIn(NS.dA, 'link', 'set', 'eth0', 'down'), ipIn(NS.dA, 'link', 'set', 'eth1', 'down')]);
  // The client keeps asking until an answer comes back, through director B.
  const answer = (await inNs(NS.client, ['busybox', 'sh', '-c', UNTIL_ANSWER, 'sh', URL], { timeoutMs: 30_000 })
    .catch(() => { throw new DemoError('the client got no answer within 30 s of the crash'); })).trim();
  const clientMs = Date.now() - tKill;
  await waitFor('director B MASTER of both VIPs', async () => isMaster('dB'), 20_000, 100);
  const took = transitions('dB').slice(before).filter((t) => t.to === 'MASTER');
  const masterAt = Math.max(...took.map((t) => t.time));
  note(`takeover in ${masterAt - tKill} ms: director B is MASTER of ${took.map((t) => `${t.instance} (${t.reason})`).join(' and ')}`);
  note("  (VRRPv3 at advert_int 0.5 s: B's Master_Down_Interval is 3 x 0.5 s + (256-100)/256 x 0.5 s = 1.8 s after A's last advertisement)");
  note(`the client was answered again ${clientMs} ms after the crash, by ${answer}`);
  await showStatus('dB');
  const seen2 = await client(4);
  expect(seen2.includes('r1') && seen2.includes('r2'), 'after the takeover the client did not reach both r1 and r2');

  say('r1 fails its health check: its /health answers 404 (HTTP_GET every 1 s, retry 1)');
  mark("r1's /health removed");
  renameSync(join(www('r1'), 'health'), join(www('r1'), 'health.off'));
  const r1Ms = await waitFor('r1 leaving the pool', async () => (await pool('dB')) === '10.1.0.12:80', 30_000);
  note(`r1 left the pool ${r1Ms} ms after its health page failed`);
  await showIpvs('dB');
  await showStatus('dB');
  const seen3 = await client(4);
  expect(seen3.length === 1 && seen3[0] === 'r2', 'with r1 down, not only r2 answered');
  note('only r2 answers');

  say('r2 fails too: its HTTP server stops');
  mark("r2's HTTP server stopped");
  httpd.r2.kill('SIGKILL');
  const sorryMs = await waitFor('the sorry server replacing the pool', async () => (await pool('dB')) === '10.1.0.99:80', 30_000);
  note(`no real server left: the sorry server is in the table ${sorryMs} ms after r2 stopped`);
  await showIpvs('dB');
  await showStatus('dB');
  const seen4 = await client(3);
  expect(seen4.length === 1 && seen4[0] === 'sorry server', 'the sorry server did not answer');

  say('r1 and r2 come back');
  mark("r1's /health back, r2's HTTP server started");
  renameSync(join(www('r1'), 'health.off'), join(www('r1'), 'health'));
  httpd.r2 = startHttpd('r2');
  const backMs = await waitFor('r1 and r2 back in the pool', async () => (await pool('dB')) === '10.1.0.11:80 10.1.0.12:80', 30_000);
  note(`r1 and r2 are back in the pool ${backMs} ms later, the sorry server is out`);
  await showIpvs('dB');
  const seen5 = await client(4);
  expect(seen5.includes('r1') && seen5.includes('r2'), 'after recovery the client did not reach both r1 and r2');

  say("timeline: the demo's actions and what the directors logged (pino JSON)");
  timeline();
  say(`director part done in ${((Date.now() - t00) / 1000).toFixed(1)} s`);
}

main().then(() => {
  if (process.env.VIPKEEPER_DEMO_DEBUG === '1') for (const d of ['dA', 'dB']) note(`-- ${NAME[d]}'s log:\n${readFileSync(logFile(d), 'utf8')}`);
  cleanup();
  process.exit(0);
}, (e) => {
  note(`\ndemo: FAILED: ${e instanceof DemoError ? e.message : e.stack}`);
  for (const d of ['dA', 'dB']) {
    let text = '';
    try { text = readFileSync(logFile(d), 'utf8'); } catch { /* none */ }
    note(`-- last lines of ${NAME[d]}'s log:\n${text.trim().split('\n').slice(-15).join('\n')}`);
  }
  cleanup();
  process.exit(1);
});
