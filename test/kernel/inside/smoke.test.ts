// Runs INSIDE the kernel test VM (test/kernel/harness): proves the guest has a working IPVS with
// every scheduler, independently of vipkeeper's own IPVS code. Skipped anywhere else, because it
// changes the kernel's IPVS table.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { needRoot } from '../../support/privileged.js';

const SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];

function inVm(t: TestContext): boolean {
  if (process.env.VIPKEEPER_IN_VM === '1') return needRoot(t, 'ipvsadm', 'modprobe');
  t.skip('runs inside the kernel VM: node test/kernel/harness/run.mjs');
  return false;
}

function ipvsadm(...args: string[]): string {
  return execFileSync('ipvsadm', args, { encoding: 'utf8', timeout: 20_000 });
}

/** `ipvsadm -Ln` service lines as [proto, addr:port, scheduler]. */
function services(): string[][] {
  return ipvsadm('-Ln').split('\n').filter((l) => /^(TCP|UDP|SCTP|FWM)\s/.test(l)).map((l) => l.trim().split(/\s+/));
}

function loaded(): string[] {
  return readFileSync('/proc/modules', 'utf8').split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);
}

test('the VM kernel has IPVS', (t) => {
  if (!inVm(t)) return;
  assert.ok(existsSync('/proc/net/ip_vs'), '/proc/net/ip_vs is missing: ip_vs is not loaded');
  assert.match(readFileSync('/proc/net/ip_vs', 'utf8'), /^IP Virtual Server version \d+\.\d+\.\d+/);
});

test('ipvsadm adds a service and a destination, lists them, and deletes them', (t) => {
  if (!inVm(t)) return;
  try {
    ipvsadm('-A', '-t', '10.0.0.1:80', '-s', 'rr');
    ipvsadm('-a', '-t', '10.0.0.1:80', '-r', '10.0.0.2:8080', '-m', '-w', '3');
    const out = ipvsadm('-Ln');
    assert.match(out, /^TCP {2}10\.0\.0\.1:80 rr\s*$/m, out);
    assert.match(out, /^ {2}-> 10\.0\.0\.2:8080\s+Masq\s+3\s+0\s+0\s*$/m, out);
  } finally {
    ipvsadm('-D', '-t', '10.0.0.1:80');
  }
  assert.deepEqual(services().filter((s) => s[1] === '10.0.0.1:80'), []);
});

test('every IPVS scheduler can be used', async (t) => {
  if (!inVm(t)) return;
  for (const sched of SCHEDULERS) {
    await t.test(sched, () => {
      const vip = '10.0.0.1:81';
      ipvsadm('-A', '-t', vip, '-s', sched);
      try {
        assert.deepEqual(services().find((s) => s[1] === vip), ['TCP', vip, sched]);
        assert.ok(loaded().includes(`ip_vs_${sched}`), `module ip_vs_${sched} not loaded`);
      } finally {
        ipvsadm('-D', '-t', vip);
      }
      assert.equal(services().find((s) => s[1] === vip), undefined, `${vip} still listed after delete`);
    });
  }
});

test('an unloaded scheduler module is loaded on demand by the kernel', (t) => {
  if (!inVm(t)) return;
  // ip_vs_mh is loaded at boot and unused here; the kernel's request_module must find it again.
  execFileSync('rmmod', ['ip_vs_mh'], { timeout: 20_000 });
  assert.ok(!loaded().includes('ip_vs_mh'));
  try {
    ipvsadm('-A', '-u', '10.0.0.1:53', '-s', 'mh');
    assert.ok(loaded().includes('ip_vs_mh'), 'ip_vs_mh was not autoloaded');
  } finally {
    ipvsadm('-D', '-u', '10.0.0.1:53');
  }
});

test('modules shipped for on-demand use load with their dependencies', (t) => {
  if (!inVm(t)) return;
  for (const m of ['dummy', 'ipip', 'ip6_tunnel', 'sctp']) {
    execFileSync('modprobe', [m], { timeout: 20_000 });
    assert.ok(loaded().includes(m), `${m} not loaded`);
  }
  assert.ok(loaded().includes('tunnel4'), 'ipip came without its dependency tunnel4');
});
