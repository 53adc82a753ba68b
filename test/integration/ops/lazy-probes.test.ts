// A VRRP-only `vipkeeper run` starts without the health-check probes (and their undici); SIGHUP
// with a file that now has a virtual server loads them, and the real server's first check runs
// for real (the stand-in probe of an unloaded factory would fail every check with code 'error').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needRoot } from '../../support/privileged.js';
import { startNsHttpServer, type NsHttpServer } from '../../support/ns-http.js';
import { Bench, confText } from '../vrrp/support.js';
import { sleep } from '../../support/wait.js';
import { controlRequest } from '../../../src/control/client.js';
import type { Status } from '../../../src/app/status.js';

const RS_IP = '10.9.0.30';

async function waitStatus(sock: string, pred: (s: Status) => boolean, ms: number, why: () => string): Promise<Status> {
  const t0 = Date.now();
  let last: Status | undefined;
  for (;;) {
    try {
      const r = await controlRequest(sock, { cmd: 'status' }, { timeoutMs: 5000 });
      last = r.ok && 'status' in r ? r.status : undefined;
    } catch { last = undefined; }
    if (last && pred(last)) return last;
    if (Date.now() - t0 > ms) throw new Error(`status did not reach the expected state within ${ms} ms; last:\n${JSON.stringify(last, null, 1)}\n${why()}`);
    await sleep(200);
  }
}

test('VRRP-only start, then a reload that adds a virtual server: its checks run with real probes', { timeout: 180_000 }, async (t) => {
  if (!needRoot(t, 'ip')) return;
  const bench = new Bench();
  let rs: NsHttpServer | undefined;
  try {
    const r = bench.lan.addHost('r', [`${RS_IP}/24`]);
    rs = await startNsHttpServer(r.ns, RS_IP, 80, 'r1', join(bench.dir, 'r1.state'));
    const vrrpOnly = confText({ version: 3, advertInt: 1 }, 'a', 150);
    const a = bench.start('vipkeeper', 'a', vrrpOnly, { logLevel: 'info', args: ['--rt-priority', '0'] });
    const file = join(bench.dir, 'vipkeeper-a-1.conf');
    const sock = join(bench.dir, 'vipkeeper-a-1.sock');
    const why = () => `--- daemon (exit ${a.proc.exitCode}):\n${a.output().slice(-4000)}`;
    const first = await waitStatus(sock, (s) => s.instances[0]?.state === 'MASTER', 30_000, why);
    assert.equal(first.ipvsAvailable, null, 'no director at start');

    writeFileSync(file, `${vrrpOnly}virtual_server 10.9.0.100 80 {
  delay_loop 1
  lb_kind DR
  protocol TCP
  real_server ${RS_IP} 80 {
    TCP_CHECK {
      connect_timeout 2
    }
  }
}
`);
    a.proc.kill('SIGHUP');
    const s = await waitStatus(sock, (x) => x.virtualServers[0]?.realServers[0]?.lastCheck != null, 30_000, why);
    const check = s.virtualServers[0]!.realServers[0]!.lastCheck!;
    assert.equal(check.ok, true, `the first check passed: ${JSON.stringify(check)}\n${why()}`);
    assert.equal(check.type, 'TCP_CHECK');
    assert.equal(s.instances[0]?.state, 'MASTER', 'VRRP untouched by the reload');
    assert.doesNotMatch(a.output(), /probes were not loaded/);
    assert.equal(await a.stop(), 0);
  } finally {
    await rs?.kill();
    await bench.cleanup();
  }
});
