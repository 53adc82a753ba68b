// Inside the kernel VM: the real daemon (`node dist/cli.cjs run`, the package's bin) as a director. Health checks of
// small servers this test runs on 127.0.0.x drive the kernel's IPVS table, seen through
// `ipvsadm -Ln`: a failing real server leaves within delay_loop x (retry + 1) + timeouts, the sorry
// server takes over when all fail, MISC_CHECK with inhibit_on_failure sets weight 0, the sync
// daemon follows the VRRP instance, SIGTERM removes what the daemon created and nothing else.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { inVm, ipvsadm } from './ipvs-support.js';
import { sleep, waitFor } from '../../support/wait.js';

const DIR = '/tmp/vk-e2e';
const FLAG = join(DIR, 'misc-down');
// delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1: a server that stops answering is
// declared down by the 2nd failed check, at most delay_loop + delay_before_retry + 2 timeouts later.
const EXPECTED_MS = 1000 * 2 + 1000 * 2;
// TCG emulation, a loaded host and node's start-up: generous, but still a bound.
const SLACK_MS = 25_000;

const rsBlock = (addr: string, port: number, check: string) => `
  real_server ${addr} ${port} {
    ${check} {
${check === 'HTTP_GET' ? '      url {\n        path /health\n        status_code 200\n      }\n' : ''}      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }`;

const CONF = `
global_defs {
  lvs_sync_daemon dummy0 VI_1 id 51
  lvs_timeouts tcp 7200 tcpfin 60 udp 30
}
vrrp_instance VI_1 {
  interface dummy0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    192.168.77.100/32
  }
}
virtual_server 10.10.0.1 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  sorry_server 127.0.0.9 8081
${rsBlock('127.0.0.2', 8081, 'TCP_CHECK')}
${rsBlock('127.0.0.3', 8081, 'TCP_CHECK')}
}
virtual_server 10.10.0.2 80 {
  delay_loop 1
  lb_algo wlc
  lb_kind NAT
  protocol TCP
${rsBlock('127.0.0.4', 8082, 'HTTP_GET')}
${rsBlock('127.0.0.5', 8082, 'HTTP_GET')}
}
virtual_server 10.10.0.3 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.6 80 {
    weight 5
    inhibit_on_failure
    MISC_CHECK {
      misc_path "${DIR}/misc.sh"
      misc_timeout 2
    }
  }
}
`;

/** `ipvsadm -Ln` as "service" -> ["dest/weight", ...] (sorted). */
function table(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const line of ipvsadm('-Ln').split('\n')) {
    const svc = /^(TCP|UDP|SCTP|FWM)\s+(\S+)/.exec(line);
    if (svc) { cur = []; m.set(`${svc[1]} ${svc[2]}`, cur); continue; }
    const d = /^\s+->\s+(\S+)\s+\S+\s+(\d+)/.exec(line);
    if (d && cur) { cur.push(`${d[1]}/${d[2]}`); cur.sort(); }
  }
  return m;
}

const dests = (svc: string): string[] | undefined => table().get(svc);

/** A plain HTTP server that can be stopped (refused), or made to answer 500. */
class Backend {
  server: Server | undefined;
  status = 200;
  constructor(readonly host: string, readonly port: number) {}
  async start(): Promise<void> {
    const s = createServer((_q, res) => { res.writeHead(this.status); res.end(this.status === 200 ? 'ok' : 'no'); });
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(this.port, this.host, () => resolve()); });
    this.server = s;
  }
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise((r) => s.close(() => r(undefined)));
  }
}

async function expectWithin(what: string, pred: () => boolean, ms = EXPECTED_MS + SLACK_MS): Promise<number> {
  const t0 = Date.now();
  const ok = await waitFor(pred, ms, 200);
  const took = Date.now() - t0;
  assert.ok(ok, `${what}: not within ${ms} ms; ipvsadm -Ln:\n${ipvsadm('-Ln')}`);
  console.log(`# ${what}: ${took} ms`);
  return took;
}

function setupDummy(): void {
  execFileSync('modprobe', ['dummy']);
  // Loading the module may already create dummy0 (numdummies defaults to 1).
  try { execFileSync('ip', ['link', 'show', 'dummy0'], { stdio: 'ignore' }); } catch { execFileSync('ip', ['link', 'add', 'dummy0', 'type', 'dummy']); }
  execFileSync('ip', ['link', 'set', 'dummy0', 'up', 'multicast', 'on']);
  execFileSync('ip', ['addr', 'add', '192.168.77.1/24', 'dev', 'dummy0']);
}

test('vipkeeper run as a director drives the kernel IPVS table from health checks', { timeout: 600_000 }, async (t: TestContext) => {
  if (!inVm(t)) return;
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'misc.sh'), `#!/bin/sh\n[ ! -e ${FLAG} ]\n`);
  chmodSync(join(DIR, 'misc.sh'), 0o755);
  writeFileSync(join(DIR, 'keepalived.conf'), CONF);
  ipvsadm('-C');
  setupDummy();
  // A service vipkeeper does not manage: it must survive the daemon's stop.
  ipvsadm('-A', '-t', '10.99.0.1:80', '-s', 'rr');

  const backends = [new Backend('127.0.0.2', 8081), new Backend('127.0.0.3', 8081), new Backend('127.0.0.4', 8082), new Backend('127.0.0.5', 8082)];
  for (const b of backends) await b.start();
  const [tcp2, tcp3, http4] = backends as [Backend, Backend, Backend, Backend];

  const lines: string[] = [];
  const daemon: ChildProcess = spawn('node', ['dist/cli.cjs', 'run', '-f', join(DIR, 'keepalived.conf'), '--rt-priority', '0'], { cwd: '/project', stdio: ['ignore', 'pipe', 'pipe'] });
  let buf = '';
  daemon.stdout!.on('data', (d: Buffer) => { buf += d.toString(); let i; while ((i = buf.indexOf('\n')) >= 0) { lines.push(buf.slice(0, i)); buf = buf.slice(i + 1); } });
  daemon.stderr!.on('data', (d: Buffer) => lines.push(`stderr: ${d.toString().trim()}`));
  const exited = new Promise<number | null>((r) => daemon.once('exit', (code) => r(code)));
  t.after(async () => {
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
    for (const b of backends) await b.stop();
    try { ipvsadm('-C'); } catch { /* gone */ }
    try { execFileSync('ip', ['link', 'del', 'dummy0']); } catch { /* gone */ }
    if (process.exitCode) console.log(lines.map((l) => `# daemon| ${l}`).join('\n'));
  });
  const dump = (): string => `\n${lines.slice(-40).join('\n')}`;

  try {
    await t.test('at start every real server is programmed (no alpha)', async () => {
      await expectWithin('start', () => {
        const a = dests('TCP 10.10.0.1:80'), b = dests('TCP 10.10.0.2:80'), c = dests('TCP 10.10.0.3:80');
        return a?.join() === '127.0.0.2:8081/1,127.0.0.3:8081/1' && b?.join() === '127.0.0.4:8082/1,127.0.0.5:8082/1' && c?.join() === '127.0.0.6:80/5';
      }, 60_000);
    });

    await t.test('a TCP_CHECK real server that stops answering leaves IPVS in time', async () => {
      await sleep(1500);
      await tcp2.stop();
      const took = await expectWithin('tcp real server removed', () => dests('TCP 10.10.0.1:80')?.join() === '127.0.0.3:8081/1');
      assert.ok(took <= EXPECTED_MS + SLACK_MS);
      // The log line is written before the change is applied, but reaches the pipe on its own time.
      assert.ok(await waitFor(() => lines.some((l) => l.includes('"rs":"127.0.0.2:8081"') && l.includes('"to":"down"')), 10_000), dump());
    });

    await t.test('both fail: the sorry server appears; one recovers: the sorry server goes', async () => {
      await tcp3.stop();
      await expectWithin('sorry server in', () => dests('TCP 10.10.0.1:80')?.join() === '127.0.0.9:8081/1');
      await tcp2.start();
      await expectWithin('sorry server out', () => dests('TCP 10.10.0.1:80')?.join() === '127.0.0.2:8081/1');
      await tcp3.start();
      await expectWithin('second server back', () => dests('TCP 10.10.0.1:80')?.join() === '127.0.0.2:8081/1,127.0.0.3:8081/1');
    });

    await t.test('HTTP_GET: a 500 removes the real server, a 200 brings it back', async () => {
      http4.status = 500;
      await expectWithin('http real server removed', () => dests('TCP 10.10.0.2:80')?.join() === '127.0.0.5:8082/1');
      http4.status = 200;
      await expectWithin('http real server back', () => dests('TCP 10.10.0.2:80')?.join() === '127.0.0.4:8082/1,127.0.0.5:8082/1');
    });

    await t.test('MISC_CHECK with inhibit_on_failure: weight 0 while the script fails, its weight again after', async () => {
      writeFileSync(FLAG, '1');
      await expectWithin('misc inhibited', () => dests('TCP 10.10.0.3:80')?.join() === '127.0.0.6:80/0');
      rmSync(FLAG);
      await expectWithin('misc back', () => dests('TCP 10.10.0.3:80')?.join() === '127.0.0.6:80/5');
    });

    await t.test('lvs_sync_daemon: master sync daemon once the instance is MASTER; lvs_timeouts applied', async () => {
      await expectWithin('sync daemon master', () => /master sync daemon \(mcast=dummy0, syncid=51/.test(ipvsadm('-L', '--daemon')), 60_000);
      assert.doesNotMatch(ipvsadm('-L', '--daemon'), /backup sync daemon/);
      assert.match(ipvsadm('-L', '--timeout'), /Timeout \(tcp tcpfin udp\): 7200 60 30/);
    });

    await t.test('SIGHUP: a removed real server leaves; unchanged ones keep their state (no health change logged)', async () => {
      writeFileSync(join(DIR, 'keepalived.conf'), CONF.replace(rsBlock('127.0.0.5', 8082, 'HTTP_GET'), ''));
      const sighupAt = Date.now();
      daemon.kill('SIGHUP');
      await expectWithin('reload applied', () => dests('TCP 10.10.0.2:80')?.join() === '127.0.0.4:8082/1');
      await sleep(3000);
      // Lines logged since the signal (same clock: the daemon runs in this VM).
      const after = lines.filter((l) => { try { return Date.parse(JSON.parse(l).time) >= sighupAt; } catch { return false; } });
      assert.ok(after.some((l) => l.includes('configuration reloaded')), dump());
      assert.ok(after.some((l) => l.includes('"realServersKept":4')), after.join('\n'));
      // A kept server is never reset: no "up" unless a real "down" (a check that really failed,
      // e.g. a connect timeout on the emulated CPU) came first for that server after the reload.
      const downs = new Set<string>();
      for (const l of after) {
        const m = /"rs":"([^"]+)".*"msg":"real server (up|down)"/.exec(l);
        if (!m) continue;
        if (m[2] === 'down') downs.add(m[1]!);
        else assert.ok(downs.has(m[1]!), `${m[1]} came up after the reload without going down: its state was reset\n${after.join('\n')}`);
      }
      assert.equal(dests('TCP 10.10.0.1:80')?.join(), '127.0.0.2:8081/1,127.0.0.3:8081/1');
    });
  } finally {
    daemon.kill('SIGTERM');
  }

  await t.test('SIGTERM: exit 0, the services it created are gone, the foreign one stays, the sync daemon stopped', async () => {
    const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout')]);
    assert.equal(code, 0, dump());
    assert.deepEqual([...table().keys()], ['TCP 10.99.0.1:80']);
    assert.equal(ipvsadm('-L', '--daemon').trim(), '');
  });
});
