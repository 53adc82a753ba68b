// Inside the kernel VM: reconciling against the real table. Weight and scheduler changes are edits
// (SET_DEST / SET_SERVICE, never delete + add), a second apply changes nothing, and services that
// vipkeeper does not manage survive. Also the CLI's plan/apply exit codes on a real config file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, connect, type Server } from 'node:net';
import { once } from 'node:events';
import { reconcile } from '../../../src/ipvs/reconcile.js';
import { dest, svc } from '../../unit/ipvs/builders.js';
import { flush, inVm, ipvsadm, vipkeeper, withClient } from './ipvs-support.js';

const web = svc('10.3.0.1', 80, [dest('10.3.1.1', { weight: 1 }), dest('10.3.1.2', { weight: 1 }), dest('10.3.1.3', { weight: 1 })], { scheduler: 'wrr' });

test('weight and scheduler changes are edits; the second apply is a no-op; unmanaged services survive', async (t) => {
  if (!inVm(t)) return;
  await withClient(async (c) => {
    ipvsadm('-A', '-t', '10.3.9.9:25', '-s', 'lc');
    ipvsadm('-a', '-t', '10.3.9.9:25', '-r', '10.3.9.10:25', '-m', '-w', '7');
    const unmanagedBefore = ipvsadm('-Sn').split('\n').filter((l) => l.includes('10.3.9.9'));
    await c.apply(reconcile([web], await c.list()));

    const changed = { ...web, scheduler: 'wlc', dests: [{ ...web.dests[0]!, weight: 5 }, web.dests[1]!, { ...web.dests[2]!, weight: 0 }] };
    const ops = reconcile([changed], await c.list());
    assert.deepEqual(ops.map((o) => o.op), ['edit-service', 'edit-dest', 'edit-dest']);
    await c.apply(ops);
    assert.deepEqual(ipvsadm('-Sn').split('\n').filter((l) => l.includes('10.3.0.1')), [
      '-A -t 10.3.0.1:80 -s wlc',
      '-a -t 10.3.0.1:80 -r 10.3.1.1:80 -m -w 5',
      '-a -t 10.3.0.1:80 -r 10.3.1.2:80 -m -w 1',
      '-a -t 10.3.0.1:80 -r 10.3.1.3:80 -m -w 0',
    ]);
    assert.deepEqual(reconcile([changed], await c.list()), [], 'second apply: nothing to do');
    assert.deepEqual(ipvsadm('-Sn').split('\n').filter((l) => l.includes('10.3.9.9')), unmanagedBefore);
  });
});

test('a weight edit keeps the real server entry: its counters survive (a delete + add would zero them)', async (t) => {
  if (!inVm(t)) return;
  let server: Server | undefined;
  try {
    // IPVS ignores loopback traffic, so the VIP and the real server share a dummy device's address.
    execFileSync('ip', ['link', 'add', 'vkdummy1', 'type', 'dummy']);
    execFileSync('ip', ['link', 'set', 'vkdummy1', 'up']);
    execFileSync('ip', ['addr', 'add', '10.6.0.1/24', 'dev', 'vkdummy1']);
    server = createServer((s) => s.resume().on('end', () => s.end()));
    server.listen(7080, '10.6.0.1');
    await once(server, 'listening');
    await withClient(async (c) => {
      const svcDesired = svc('10.6.0.1', 7081, [dest('10.6.0.1', { port: 7080, weight: 1 })], { scheduler: 'wrr' });
      await c.apply(reconcile([svcDesired], []));
      for (let i = 0; i < 5; i++) {
        const sock = connect(7081, '10.6.0.1');
        await once(sock, 'connect');
        sock.end('x');
        await once(sock, 'close');
      }
      let conns = 0n;
      for (let i = 0; i < 40 && conns < 5n; i++) {
        await new Promise((r) => setTimeout(r, 250));
        conns = (await c.list())[0]!.dests[0]!.stats.conns;
      }
      assert.equal(conns, 5n, 'traffic was counted on the real server');
      const ops = reconcile([{ ...svcDesired, dests: [{ ...svcDesired.dests[0]!, weight: 9 }] }], await c.list());
      assert.deepEqual(ops.map((o) => o.op), ['edit-dest']);
      await c.apply(ops);
      const after = (await c.list())[0]!.dests[0]!;
      assert.equal(after.weight, 9);
      assert.equal(after.stats.conns, 5n, 'the same kernel entry, counters intact');
    });
  } finally {
    server?.close();
    spawnSync('ip', ['link', 'del', 'vkdummy1']);
  }
});

test('vipkeeper ipvs plan exits 2 with changes, apply exits 0, then plan exits 0', async (t) => {
  if (!inVm(t)) return;
  const dir = mkdtempSync(join(tmpdir(), 'vk-ipvs-'));
  flush();
  try {
    const file = join(dir, 'keepalived.conf');
    writeFileSync(file, `
virtual_server 10.3.0.2 443 {
    lb_algo wlc
    lb_kind DR
    protocol TCP
    persistence_timeout 300
    real_server 10.3.1.1 443 {
        weight 2
    }
    real_server 10.3.1.2 443 {
        weight 1
    }
}
`);
    const plan = await vipkeeper('ipvs', 'plan', '-f', file);
    assert.equal(plan.code, 2, plan.err);
    assert.match(plan.out, /^\+ service tcp 10\.3\.0\.2:443 scheduler wlc flags persistent timeout 300 netmask \/32$/m);
    assert.equal(ipvsadm('-Sn'), '', 'plan changed nothing');
    const apply = await vipkeeper('ipvs', 'apply', '-f', file);
    assert.equal(apply.code, 0, apply.err);
    assert.equal(ipvsadm('-Sn'), [
      '-A -t 10.3.0.2:443 -s wlc -p 300',
      '-a -t 10.3.0.2:443 -r 10.3.1.1:443 -g -w 2',
      '-a -t 10.3.0.2:443 -r 10.3.1.2:443 -g -w 1',
      '',
    ].join('\n'));
    const again = await vipkeeper('ipvs', 'plan', '-f', file);
    assert.equal(again.code, 0, again.out);
    ipvsadm('-e', '-t', '10.3.0.2:443', '-r', '10.3.1.2:443', '-g', '-w', '4');
    const drift = await vipkeeper('ipvs', 'plan', '-f', file);
    assert.equal(drift.code, 2);
    assert.match(drift.out, /^~ real server 10\.3\.1\.2:443 in tcp 10\.3\.0\.2:443 weight 4 -> 1$/m);
  } finally {
    flush();
    rmSync(dir, { recursive: true, force: true });
  }
});
