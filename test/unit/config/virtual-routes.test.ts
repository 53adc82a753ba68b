// virtual_routes / virtual_rules: keepalived.conf and YAML read to the same model, defaults as
// ip(8) applies them, and every problem the kernel would only refuse at MASTER time reported at
// load with file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import { convertedBack, errors, instance, load, markedLine, warnings } from './helpers.js';

const ROUTES = `  virtual_routes {
    src 10.0.0.52 to 10.77.0.0/16 via 10.0.0.254 table 100 metric 5
    10.78.0.0/16 dev eth1 scope link
    blackhole 10.79.0.0/16 table 100
    0.0.0.0/0 gw 10.0.0.254 table main no_track
  }
  virtual_rules {
    from 10.0.0.52/32 table 100 priority 1000
    to 10.80.0.0/16 prohibit preference 1001
    fwmark 0x10/0xff table 101 iif eth0
  }
`;

test('keepalived.conf: routes and rules become the model, defaults filled (table main, action table)', () => {
  const r = load(instance(ROUTES));
  assert.deepEqual(errors(r), []);
  assert.deepEqual(warnings(r), [], 'implemented now: no "not implemented" warning');
  const i = r.model!.vrrpInstances[0]!;
  assert.deepEqual(i.virtualRoutes, [
    { to: '10.77.0.0/16', family: 4, type: 'unicast', table: 100, noTrack: false, src: '10.0.0.52', via: '10.0.0.254', metric: 5 },
    { to: '10.78.0.0/16', family: 4, type: 'unicast', table: 254, noTrack: false, dev: 'eth1', scope: 'link' },
    { to: '10.79.0.0/16', family: 4, type: 'blackhole', table: 100, noTrack: false },
    { to: '0.0.0.0/0', family: 4, type: 'unicast', table: 254, noTrack: true, via: '10.0.0.254' },
  ]);
  assert.deepEqual(i.virtualRules, [
    { family: 4, action: 'table', noTrack: false, from: '10.0.0.52/32', table: 100, priority: 1000 },
    { family: 4, action: 'prohibit', noTrack: false, to: '10.80.0.0/16', priority: 1001 },
    { family: 4, action: 'table', noTrack: false, table: 101, iif: 'eth0', fwmark: 16, fwmask: 255 },
  ]);
});

test('an instance without them has no such fields (models of existing configs are unchanged)', () => {
  const i = load(instance()).model!.vrrpInstances[0]!;
  assert.equal('virtualRoutes' in i, false);
  assert.equal('virtualRules' in i, false);
});

test('convert: YAML read back gives the same model, IPv6 included', () => {
  const text = instance(`${ROUTES}  virtual_ipaddress_excluded {\n    fd00::52/64\n  }\n`) + `vrrp_instance V6 {
  interface eth0
  virtual_router_id 60
  virtual_ipaddress {
    fd00::100/64
  }
  virtual_routes {
    fd01::/64 via fd00::1 metric 10
  }
  virtual_rules {
    from fd00::100/128 table 300
  }
}
`;
  const { back } = convertedBack(text, 't.conf');
  assert.deepEqual(back.model!.vrrpInstances[1]!.virtualRules, [{ family: 6, action: 'table', noTrack: false, from: 'fd00::100/128', table: 300 }]);
});

const bad: Array<[string, string, RegExp]> = [
  ['host bits', '    10.77.1.0/16 via 10.0.0.254 # <-', /virtual_routes destination 10.77.1.0\/16 has host bits set; write the network, 10.77.0.0\/16/],
  ['family mix', '    10.77.0.0/16 via fd00::1 # <-', /via fd00::1 is not IPv4/],
  ['nowhere to go', '    10.77.0.0/16 table 100 # <-', /needs via \(a gateway\) or dev/],
  ['blackhole with a gateway', '    blackhole 10.77.0.0/16 via 10.0.0.1 # <-', /a blackhole route takes no via or dev/],
  ['unsupported option', '    10.77.0.0/16 via 10.0.0.254 or 10.0.0.253 # <-', /option 'or' is not supported by vipkeeper/],
  ['bad table name', '    10.77.0.0/16 via 10.0.0.254 table small # <-', /table 'small' must be a number/],
  ['bad scope', '    10.77.0.0/16 dev eth0 scope galaxy # <-', /scope must be universe, site, link, host or nowhere/],
  ['bad address', '    10.77.0.0/33 dev eth0 # <-', /virtual_routes: '10.77.0.0\/33': prefix length must be 0-32/],
  ['long device', '    10.77.0.0/16 dev averyveryverylongname # <-', /not a valid interface name/],
];
for (const [what, line, msg] of bad) {
  test(`virtual_routes: ${what} is an error at its line`, () => {
    const text = instance(`  virtual_routes {\n${line}\n  }\n`);
    const e = errors(load(text));
    assert.equal(e.length, 1, JSON.stringify(e));
    assert.match(e[0]!.message, msg);
    assert.equal(e[0]!.line, markedLine(text));
  });
}

const badRules: Array<[string, string, RegExp]> = [
  ['selects nothing', '    table 100 # <-', /selects nothing/],
  ['mixed families', '    from 10.0.0.0/8 to fd00::/8 table 100 # <-', /different families/],
  ['table on a prohibit rule', '    from 10.0.0.0/8 prohibit table 100 # <-', /a prohibit rule takes no table/],
  ['unsupported option', '    from 10.0.0.0/8 uidrange 1-2 # <-', /option 'uidrange' is not supported/],
  ['bad fwmark', '    fwmark 0xzz table 5 # <-', /fwmark must be MARK or MARK\/MASK/],
  ['tos range', '    from 10.0.0.0/8 tos 300 table 5 # <-', /tos must be 0-255|tos.*300/],
];
for (const [what, line, msg] of badRules) {
  test(`virtual_rules: ${what} is an error at its line`, () => {
    const text = instance(`  virtual_rules {\n${line}\n  }\n`);
    const e = errors(load(text));
    assert.equal(e.length, 1, JSON.stringify(e));
    assert.match(e[0]!.message, msg);
    assert.equal(e[0]!.line, markedLine(text));
  });
}

test('YAML: unknown keys and wrong types are refused by the schema', () => {
  const y = (extra: string) => `vrrpInstances:\n  - name: VI_1\n    interface: eth0\n    vrid: 51\n    virtualIps: [10.0.0.1/24]\n${extra}`;
  assert.deepEqual(errors(loadConfigText('a.yaml', y('    virtualRoutes:\n      - { to: 10.1.0.0/16, via: 10.0.0.254 }\n'))), []);
  assert.ok(errors(loadConfigText('b.yaml', y('    virtualRoutes:\n      - { to: 10.1.0.0/16, gateway: 10.0.0.254 }\n'))).length > 0);
  assert.ok(errors(loadConfigText('c.yaml', y('    virtualRules:\n      - { from: 10.1.0.0/16, table: main }\n'))).length > 0);
});
