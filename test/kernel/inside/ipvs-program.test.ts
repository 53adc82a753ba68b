// Inside the kernel VM: services programmed by vipkeeper over generic netlink are exactly what
// `ipvsadm -Sn` and `ipvsadm -Ln` then show (expected text written by hand, not by our formatter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconcile } from '../../../src/ipvs/reconcile.js';
import { SCHEDULERS, type DesiredService } from '../../../src/ipvs/model.js';
import { dest, svc } from '../../unit/ipvs/builders.js';
import { inVm, ipvsadm, withClient } from './ipvs-support.js';

interface Case { name: string; services: DesiredService[]; sn: string[]; ln?: string[] }

const KERNEL_SCHEDULERS = SCHEDULERS.filter((s) => s !== 'twos');

const cases: Case[] = [
  ...KERNEL_SCHEDULERS.map((s): Case => ({
    name: `scheduler ${s}`,
    services: [svc('10.1.0.1', 80, [dest('10.1.1.1', { weight: 2 }), dest('10.1.1.2', { port: 8080 })], { scheduler: s })],
    sn: ['-A -t 10.1.0.1:80 -s ' + s, '-a -t 10.1.0.1:80 -r 10.1.1.1:80 -m -w 2', '-a -t 10.1.0.1:80 -r 10.1.1.2:8080 -m -w 1'],
    ln: [`TCP  10.1.0.1:80 ${s}`],
  })),
  {
    name: 'forwarding: NAT, DR and the three tunnel types',
    services: [svc('10.1.0.1', 80, [
      dest('10.1.1.1', { forward: 'masq', port: 8080 }),
      dest('10.1.1.2', { forward: 'route', weight: 5 }),
      dest('10.1.1.3', { forward: 'tunnel' }),
      dest('10.1.1.4', { forward: 'tunnel', tunnelType: 'gue', tunnelPort: 6080 }),
      dest('10.1.1.5', { forward: 'tunnel', tunnelType: 'gre', tunnelChecksum: 'csum' }),
      dest('10.1.1.6', { forward: 'tunnel', tunnelType: 'gue', tunnelPort: 5555, tunnelChecksum: 'remcsum' }),
    ], { scheduler: 'wrr' })],
    sn: [
      '-A -t 10.1.0.1:80 -s wrr',
      '-a -t 10.1.0.1:80 -r 10.1.1.1:8080 -m -w 1',
      '-a -t 10.1.0.1:80 -r 10.1.1.2:80 -g -w 5',
      '-a -t 10.1.0.1:80 -r 10.1.1.3:80 -i -w 1 --tun-type ipip',
      '-a -t 10.1.0.1:80 -r 10.1.1.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum',
      '-a -t 10.1.0.1:80 -r 10.1.1.5:80 -i -w 1 --tun-type gre --tun-csum',
      '-a -t 10.1.0.1:80 -r 10.1.1.6:80 -i -w 1 --tun-type gue --tun-port 5555 --tun-remcsum',
    ],
    ln: ['TCP  10.1.0.1:80 wrr', '  -> 10.1.1.1:8080                Masq    1      0          0', '  -> 10.1.1.2:80                  Route   5      0          0', '  -> 10.1.1.3:80                  Tunnel  1      0          0'],
  },
  {
    name: 'protocols TCP, UDP and SCTP on one address',
    services: [
      svc('10.1.0.2', 80, [dest('10.1.1.1')], { scheduler: 'rr' }),
      svc('10.1.0.2', 53, [dest('10.1.1.1', { port: 53 })], { protocol: 'udp', scheduler: 'rr' }),
      svc('10.1.0.2', 9899, [dest('10.1.1.1', { port: 9899 })], { protocol: 'sctp', scheduler: 'rr' }),
    ],
    sn: [
      '-A -t 10.1.0.2:80 -s rr', '-a -t 10.1.0.2:80 -r 10.1.1.1:80 -m -w 1',
      '-A -u 10.1.0.2:53 -s rr', '-a -u 10.1.0.2:53 -r 10.1.1.1:53 -m -w 1',
      '-A --sctp-service 10.1.0.2:9899 -s rr', '-a --sctp-service 10.1.0.2:9899 -r 10.1.1.1:9899 -m -w 1',
    ],
    ln: ['TCP  10.1.0.2:80 rr', 'UDP  10.1.0.2:53 rr', 'SCTP 10.1.0.2:9899 rr'],
  },
  {
    name: 'firewall-mark services, IPv4 and IPv6',
    services: [
      svc('0.0.0.0', 0, [dest('10.1.1.1', { port: 0, forward: 'route' })], { fwmark: 5, scheduler: 'wlc' }),
      svc('::', 0, [dest('2001:db8::11', { port: 0, forward: 'route' })], { fwmark: 6, scheduler: 'wlc' }),
    ],
    sn: ['-A -f 5 -s wlc', '-a -f 5 -r 10.1.1.1:0 -g -w 1', '-A -f 6 -6 -s wlc', '-a -f 6 -6 -r [2001:db8::11]:0 -g -w 1'],
    ln: ['FWM  5 wlc', 'FWM  6 IPv6 wlc'],
  },
  {
    name: 'IPv6 services',
    services: [svc('2001:db8::1', 443, [dest('2001:db8::11', { port: 443, weight: 4 }), dest('2001:db8::12', { port: 8443, forward: 'route' })], { scheduler: 'lc' })],
    sn: ['-A -t [2001:db8::1]:443 -s lc', '-a -t [2001:db8::1]:443 -r [2001:db8::11]:443 -m -w 4', '-a -t [2001:db8::1]:443 -r [2001:db8::12]:8443 -g -w 1'],
    ln: ['TCP  [2001:db8::1]:443 lc', '  -> [2001:db8::11]:443           Masq    4      0          0'],
  },
  {
    name: 'persistence with a netmask (IPv4 mask, IPv6 prefix) and scheduler flags',
    services: [
      svc('10.1.0.3', 443, [dest('10.1.1.1', { port: 443 })], { scheduler: 'wlc', flags: ['persistent'], timeout: 300, netmask: 24 }),
      svc('2001:db8::3', 443, [], { scheduler: 'rr', flags: ['persistent'], timeout: 120, netmask: 64 }),
      svc('0.0.0.0', 0, [], { fwmark: 7, scheduler: 'sh', flags: ['persistent', 'sh-fallback', 'sh-port'], timeout: 600, netmask: 16 }),
      svc('10.1.0.3', 444, [], { scheduler: 'mh', flags: ['mh-fallback', 'mh-port'] }),
      svc('10.1.0.3', 53, [], { protocol: 'udp', scheduler: 'rr', flags: ['one-packet'] }),
      svc('10.1.0.3', 445, [], { scheduler: 'rr', flags: ['persistent'], timeout: 1 }),
    ],
    sn: [
      '-A -t 10.1.0.3:443 -s wlc -p 300 -M 255.255.255.0', '-a -t 10.1.0.3:443 -r 10.1.1.1:443 -m -w 1',
      '-A -t 10.1.0.3:444 -s mh -b mh-fallback,mh-port',
      '-A -t 10.1.0.3:445 -s rr -p 1',
      '-A -u 10.1.0.3:53 -s rr -o',
      '-A -t [2001:db8::3]:443 -s rr -p 120 -M 64',
      '-A -f 7 -s sh -p 600 -M 255.255.0.0 -b sh-fallback,sh-port',
    ],
    ln: [
      'TCP  10.1.0.3:443 wlc persistent 300 mask 255.255.255.0',
      'TCP  10.1.0.3:444 mh (mh-fallback,mh-port)',
      'UDP  10.1.0.3:53 rr ops',
      'TCP  [2001:db8::3]:443 rr persistent 120 mask 64',
      'FWM  7 sh (sh-fallback,sh-port) persistent 600 mask 255.255.0.0',
    ],
  },
];

for (const tc of cases) {
  test(`programmed by vipkeeper, shown by ipvsadm: ${tc.name}`, async (t) => {
    if (!inVm(t)) return;
    await withClient(async (c) => {
      await c.apply(reconcile(tc.services, await c.list()));
      const sn = ipvsadm('-Sn').trimEnd().split('\n');
      assert.deepEqual(sn, tc.sn);
      const ln = ipvsadm('-Ln').split('\n').map((l) => l.trimEnd());
      for (const line of tc.ln ?? []) assert.ok(ln.includes(line), `ipvsadm -Ln lacks '${line}':\n${ln.join('\n')}`);
      assert.deepEqual(reconcile(tc.services, await c.list()), [], 'read back equals what was asked');
    });
  });
}

test('thresholds are programmed (ipvsadm -Ln --thresholds)', async (t) => {
  if (!inVm(t)) return;
  await withClient(async (c) => {
    await c.apply(reconcile([svc('10.1.0.4', 80, [dest('10.1.1.1', { upperThreshold: 500, lowerThreshold: 100 })], { scheduler: 'wlc' })], []));
    const out = ipvsadm('-Ln', '--thresholds');
    assert.match(out, /^ {2}-> 10\.1\.1\.1:80 +500 +100 +0 +0 *$/m, out);
  });
});
