import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText, formatDiagnostic } from '../../../src/config/load.js';
import { desiredFromConfig, expandRange } from '../../../src/ipvs/desired.js';

function model(text: string) {
  const r = loadConfigText('test.conf', text);
  assert.ok(r.model, r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.model;
}

const BASE = `
virtual_server 192.0.2.10 443 {
    lb_algo wlc
    lb_kind DR
    protocol TCP
    persistence_timeout 300
    persistence_granularity 255.255.0.0
    sorry_server 10.9.9.9 443
    real_server 10.0.0.11 443 {
        weight 3
        inhibit_on_failure
        uthreshold 100
        lthreshold 10
    }
    real_server 10.0.0.12 443 {
        weight 2
    }
}
`;

test('a virtual server becomes one desired service with its real servers', () => {
  const [s] = desiredFromConfig(model(BASE));
  assert.deepEqual({ ...s, dests: undefined }, {
    family: 4, protocol: 'tcp', address: '192.0.2.10', port: 443, fwmark: 0,
    scheduler: 'wlc', flags: ['persistent'], timeout: 300, netmask: 16, dests: undefined,
  });
  assert.deepEqual(s!.dests, [
    { family: 4, address: '10.0.0.11', port: 443, forward: 'route', weight: 3, upperThreshold: 100, lowerThreshold: 10 },
    { family: 4, address: '10.0.0.12', port: 443, forward: 'route', weight: 2, upperThreshold: 0, lowerThreshold: 0 },
  ]);
});

test('health: a dead server is removed, or kept at weight 0 with inhibit_on_failure; all dead brings the sorry server', () => {
  const m = model(BASE);
  const only11Down = desiredFromConfig(m, { alive: (_vs, rs) => rs.address !== '10.0.0.11' })[0]!;
  assert.deepEqual(only11Down.dests.map((d) => [d.address, d.weight]), [['10.0.0.11', 0], ['10.0.0.12', 2]]);
  const allDown = desiredFromConfig(m, { alive: () => false })[0]!;
  assert.deepEqual(allDown.dests.map((d) => [d.address, d.weight]), [['10.0.0.11', 0], ['10.9.9.9', 1]]);
});

test('fwmark, IPv6, one-packet and scheduler flags', () => {
  const m = model(`
virtual_server fwmark 9 {
    lb_algo mh
    mh-port
    lb_kind NAT
    real_server 10.0.0.1 80 {
        weight 1
    }
}
virtual_server 2001:db8::10 53 {
    lb_algo rr
    protocol UDP
    ops
    persistence_timeout 60
    persistence_granularity 64
    real_server 2001:db8::11 53 {
        weight 1
    }
}
`);
  const [fw, v6] = desiredFromConfig(m);
  assert.deepEqual([fw!.fwmark, fw!.address, fw!.scheduler, fw!.flags], [9, '0.0.0.0', 'mh', ['mh-port']]);
  assert.deepEqual([v6!.family, v6!.protocol, v6!.flags, v6!.netmask], [6, 'udp', ['persistent', 'one-packet'], 64]);
});

test('group address ranges expand like keepalived: last byte ranges and prefixes', () => {
  assert.deepEqual(expandRange('10.0.0.1', 'x'), ['10.0.0.1']);
  assert.deepEqual(expandRange('10.0.0.254-255', 'x'), ['10.0.0.254', '10.0.0.255']);
  assert.deepEqual(expandRange('10.0.0.9/30', 'x'), ['10.0.0.8', '10.0.0.9', '10.0.0.10', '10.0.0.11']);
  assert.deepEqual(expandRange('2001:db8::fe-101', 'x'), ['2001:db8::fe', '2001:db8::ff', '2001:db8::100', '2001:db8::101']);
  assert.throws(() => expandRange('10.0.0.9-3', 'x'), /bad range/);
  assert.throws(() => expandRange('10.0.0.0/8', 'x'), /prefix too short/);
});

test('a virtual server on a group gives one service per group member, each with the real servers', () => {
  const m = model(`
virtual_server_group WEB {
    192.0.2.1-3 80
    fwmark 5
}
virtual_server group WEB {
    lb_algo rr
    protocol TCP
    real_server 10.0.0.1 80 {
        weight 1
    }
}
`);
  const d = desiredFromConfig(m);
  assert.deepEqual(d.map((s) => [s.fwmark, s.address, s.port, s.dests.length]), [[0, '192.0.2.1', 80, 1], [0, '192.0.2.2', 80, 1], [0, '192.0.2.3', 80, 1], [5, '0.0.0.0', 0, 1]]);
  d[0]!.dests[0]!.weight = 9;
  assert.equal(d[1]!.dests[0]!.weight, 1, 'members do not share real server objects');
});
