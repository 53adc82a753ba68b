// Address specs are checked before anything reaches the kernel: labels, prefix lengths, scopes.
// Uses an interface index that does not exist, so an unchecked request could only fail (ENODEV).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VipError } from '../../../src/lib/errors.js';
import { Rtnl, labelProblem, type AddressSpec } from '../../../src/net/rtnl.js';

test('labelProblem: at most 15 bytes and beginning with the interface name', () => {
  const table: [string, string, RegExp | undefined][] = [
    ['eth0:vip', 'eth0', undefined],
    ['eth0', 'eth0', undefined],
    ['eth0:abcdefghij', 'eth0', undefined],
    ['eth0:abcdefghijk', 'eth0', /longer than 15 bytes/],
    ['vip', 'eth0', /must begin with the interface name "eth0" \(e\.g\. "eth0:vip"\)/],
    ['eth1:vip', 'eth0', /must begin with the interface name/],
    ['éééééééé', 'é', /longer than 15 bytes/],
  ];
  for (const [label, ifname, want] of table) {
    const got = labelProblem(label, ifname);
    if (want) assert.match(got ?? '', want, label); else assert.equal(got, undefined, label);
  }
});

test('addAddress refuses bad labels, prefix lengths, address sizes and scopes with a clear VipError', async () => {
  const r = Rtnl.open();
  const ifindex = 0x7ffffff0;
  try {
    const table: [AddressSpec, string, RegExp][] = [
      [{ ifindex, ifname: 'eth0', address: '10.9.0.100/32', label: 'vip' }, 'bad-label', /^add address 10\.9\.0\.100\/32 on ifindex 2147483632: label "vip" must begin with the interface name "eth0"/],
      [{ ifindex, ifname: 'eth0', address: '10.9.0.100/32', label: 'eth0:0123456789abcdef' }, 'bad-label', /longer than 15 bytes/],
      [{ ifindex, address: Uint8Array.from([10, 9, 0, 100]), prefixLen: 40 }, 'bad-address', /prefix length must be 0-32: 10\.9\.0\.100\/40/],
      [{ ifindex, address: Uint8Array.from([10, 9, 0]) }, 'bad-address', /4 or 16 bytes/],
      [{ ifindex, address: '10.9.0.300/32' }, 'bad-address', /10\.9\.0\.300/],
      [{ ifindex, address: '10.9.0.100/32', scope: 300 }, 'bad-scope', /0-255/],
    ];
    for (const [spec, code, re] of table) {
      await assert.rejects(r.addAddress(spec), (e: unknown) => {
        assert.ok(e instanceof VipError, String(e));
        assert.equal(e.code, code, e.message);
        assert.match(e.message, re);
        return true;
      });
    }
    // IPv6 has no labels: one given is ignored, not checked.
    await assert.rejects(r.addAddress({ ifindex, ifname: 'eth0', address: '2001:db8::1/64', label: 'vip' }), (e: unknown) => e instanceof VipError && e.code === 'ENODEV');
  } finally { r.close(); }
});
