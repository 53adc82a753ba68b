// Inside the kernel VM: what the real kernel answers to bad requests, as vipkeeper reports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SysError } from '../../../src/lib/errors.js';
import { dest, svc } from '../../unit/ipvs/builders.js';
import { inVm, ipvsadm, vipkeeper, withClient } from './ipvs-support.js';

const web = svc('10.4.0.1', 80, [], { scheduler: 'rr' });

const cases = [
  {
    name: 'unknown scheduler',
    run: async (c: import('../../../src/ipvs/client.js').IpvsClient) => c.addService({ ...web, scheduler: 'nosuch' }),
    errno: 'ENOENT', message: 'ipvs add service tcp 10.4.0.1:80 (scheduler nosuch): ENOENT (no such entry): unknown scheduler or persistence engine',
  },
  {
    name: 'duplicate service',
    run: async (c: import('../../../src/ipvs/client.js').IpvsClient) => { await c.addService(web); await c.addService(web); },
    errno: 'EEXIST', message: 'ipvs add service tcp 10.4.0.1:80 (scheduler rr): EEXIST (already exists): the service already exists',
  },
  {
    name: 'real server for a missing service',
    run: async (c: import('../../../src/ipvs/client.js').IpvsClient) => c.addDest(web, dest('10.4.1.1')),
    errno: 'ESRCH', message: 'ipvs add real server 10.4.1.1:80 in tcp 10.4.0.1:80: ESRCH (no such entry): the service does not exist',
  },
  {
    name: 'duplicate real server',
    run: async (c: import('../../../src/ipvs/client.js').IpvsClient) => { await c.addService(web); await c.addDest(web, dest('10.4.1.1')); await c.addDest(web, dest('10.4.1.1')); },
    errno: 'EEXIST', message: 'ipvs add real server 10.4.1.1:80 in tcp 10.4.0.1:80: EEXIST (already exists): the real server is already in this service',
  },
  {
    name: 'edit of a missing real server',
    run: async (c: import('../../../src/ipvs/client.js').IpvsClient) => { await c.addService(web); await c.editDest(web, dest('10.4.1.9')); },
    errno: 'ENOENT', message: 'ipvs edit real server 10.4.1.9:80 in tcp 10.4.0.1:80: ENOENT (no such entry): no such real server in this service',
  },
  {
    name: 'delete of a missing service',
    run: async (c: import('../../../src/ipvs/client.js').IpvsClient) => c.deleteService(web),
    errno: 'ESRCH', message: 'ipvs delete service tcp 10.4.0.1:80: ESRCH (no such entry): no such service',
  },
];

for (const tc of cases) {
  test(`the kernel's error is one clear message: ${tc.name}`, async (t) => {
    if (!inVm(t)) return;
    await withClient(async (c) => {
      await assert.rejects(tc.run(c), (e: unknown) => {
        assert.ok(e instanceof SysError, String(e));
        assert.equal(e.errno, tc.errno);
        // The kernel may add extended-ack text after ours; our part is exact.
        assert.ok(e.message === tc.message || e.message.startsWith(`${tc.message}; `), e.message);
        return true;
      });
    });
  });
}

test('through the CLI: an unknown scheduler in a config file exits 1 with the message', async (t) => {
  if (!inVm(t)) return;
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'vk-ipvs-'));
  try {
    const file = join(dir, 'vs.yaml');
    // The config layer knows the scheduler names, so an unknown one is caught before the kernel:
    // twos is known to it but needs Linux 6.7; the VM's Debian 6.1 kernel has no ip_vs_twos.
    writeFileSync(file, 'virtualServers:\n  - address: 10.4.0.2\n    port: 80\n    protocol: TCP\n    lbAlgo: twos\n    realServers:\n      - { address: 10.4.1.1, port: 80 }\n');
    const r = await vipkeeper('ipvs', 'apply', '-f', file);
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, /^vipkeeper ipvs: ipvs add service tcp 10\.4\.0\.2:80 \(scheduler twos\): ENOENT \(no such entry\): unknown scheduler or persistence engine/m);
  } finally {
    ipvsadm('-C');
    rmSync(dir, { recursive: true, force: true });
  }
});
