// keepalived LVS keywords -> model, and the defaults/cascade of checker settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../../src/config/defaults.js';
import type { HttpCheck, MiscCheck, UdpCheck, DnsCheck } from '../../../src/config/model.js';
import { errors, load, warnings } from './helpers.js';
import { FULL_LVS as FULL } from './fixtures.js';


test('lvs: every virtual/real server and checker keyword lands in its field', () => {
  const r = load(FULL);
  assert.deepEqual(errors(r), []);
  const m = r.model!;
  assert.deepEqual(m.virtualServerGroups[0], {
    name: 'VG',
    entries: [{ address: '10.0.0.1-10', family: 4, port: 80 }, { address: '10.0.1.0/29', family: 4, port: 80 }, { fwmark: 9, family: 6 }],
  });
  const vs = m.virtualServers[0]!;
  assert.equal(vs.name, '192.0.2.1:443/TCP');
  assert.equal(vs.lbAlgo, 'mh'); assert.deepEqual(vs.schedFlags, ['mh-port', 'mh-fallback']); assert.equal(vs.lbKind, 'DR');
  assert.equal(vs.persistenceTimeoutS, DEFAULTS.virtualServer.persistenceTimeoutS);
  assert.equal(vs.persistenceGranularity, '255.255.255.0');
  assert.equal(vs.quorum, 3); assert.equal(vs.hysteresis, 1);
  assert.deepEqual(vs.quorumUp, { argv: ['/bin/up', '1'] });
  assert.deepEqual(vs.sorryServer, { address: '192.0.2.200', family: 4, port: 8443, lbKind: 'DR', inhibit: true });
  assert.equal(vs.alpha && vs.omega && vs.haSuspend && vs.inhibitOnFailure, true);
  const rs = vs.realServers[0]!;
  assert.equal(rs.weight, 3); assert.equal(rs.lbKind, 'TUN'); assert.equal(rs.inhibitOnFailure, true);
  assert.deepEqual(rs.notifyDown, { argv: ['/bin/rs-down', 'now'], user: 'nobody' });
  assert.equal(rs.upperThreshold, 100); assert.equal(rs.lowerThreshold, 10);
  const [ssl, tcp, misc, udp, dns, ping] = rs.checkers;
  const s = ssl as HttpCheck;
  assert.equal(s.type, 'SSL_GET');
  assert.deepEqual(s.urls[0], { path: '/a', statusCodes: [[200, 200], [301, 302]], digest: '0123456789abcdef0123456789abcdef', virtualhost: 'url.example' });
  assert.deepEqual(s.urls[1]!.statusCodes, [[200, 299]]);
  assert.equal(s.virtualhost, 'rs.example');
  assert.equal(s.httpProtocol, '1.1'); assert.equal(s.enableSni, true);
  assert.deepEqual([s.connectIp, s.connectPort, s.bindTo, s.bindPort, s.bindIf, s.fwmark], ['192.0.2.12', 8443, '192.0.2.2', 4000, 'eth0', 4]);
  // The cascade: checker unset -> real server -> virtual server.
  assert.equal(s.connectTimeoutMs, 8000);
  assert.equal(s.retry, 4); assert.equal(s.delayBeforeRetryMs, 5000); assert.equal(s.warmupMs, 2000); assert.equal(s.delayLoopMs, 10_000);
  assert.equal(s.alpha, true);
  assert.equal(tcp!.retry, 9);
  const mc = misc as MiscCheck;
  assert.deepEqual(mc.script, { argv: ['/bin/probe', '--fast'], user: 'nobody' });
  assert.equal(mc.miscTimeoutMs, 3000); assert.equal(mc.dynamic, true);
  const u = udp as UdpCheck;
  assert.equal(u.payloadHex, '0102ab'); assert.equal(u.requireReply, true); assert.equal(u.replyHex, '0x');
  assert.deepEqual([u.minReplyLength, u.maxReplyLength], [1, 64]);
  const d = dns as DnsCheck;
  assert.deepEqual([d.queryType, d.name], ['AAAA', 'example.org']);
  assert.equal(ping!.delayLoopMs, 2000); assert.equal(ping!.warmupMs, 2000);
  const grp = m.virtualServers[1]!;
  assert.equal(grp.kind, 'group'); assert.equal(grp.name, 'group VG/TCP'); assert.equal(grp.family, 4);
  const fw = m.virtualServers[2]!;
  assert.equal(fw.kind, 'fwmark'); assert.equal(fw.fwmark, 5); assert.equal(fw.family, 6, 'family inferred from the real servers');
  assert.equal(fw.realServers[0]!.port, 0);
});

test('defaults: an empty checker gets keepalived defaults per type', () => {
  const r = load(`virtual_server 10.0.0.1 80 {
  real_server 10.0.0.2 80 {
    TCP_CHECK {
    }
    HTTP_GET {
      url {
        path /
      }
    }
    DNS_CHECK {
    }
    MISC_CHECK {
      misc_path /bin/true
    }
  }
}
`);
  assert.deepEqual(errors(r), []);
  const vs = r.model!.virtualServers[0]!;
  assert.equal(vs.lbAlgo, 'wlc'); assert.equal(vs.lbKind, 'NAT');
  // keepalived 2.2.7 serves UDP when `protocol` is left out (and says so); so do we.
  assert.equal(vs.protocol, 'UDP');
  assert.ok(warnings(r).some((d) => d.line === 1 && /no protocol set; defaulting to UDP/.test(d.message)), JSON.stringify(warnings(r)));
  assert.equal(vs.quorum, 1); assert.equal(vs.hysteresis, 0); assert.equal(vs.persistenceTimeoutS, undefined);
  const [tcp, http, dns, misc] = vs.realServers[0]!.checkers;
  assert.equal(vs.realServers[0]!.weight, 1);
  assert.deepEqual([tcp!.connectTimeoutMs, tcp!.retry, tcp!.delayBeforeRetryMs, tcp!.delayLoopMs, tcp!.warmupMs], [5000, 1, 1000, 60_000, 60_000]);
  assert.deepEqual([http!.retry, http!.delayBeforeRetryMs], [1, 3000]);
  assert.equal((http as HttpCheck).httpProtocol, '1.0');
  assert.deepEqual([dns!.retry, dns!.delayBeforeRetryMs, (dns as DnsCheck).queryType, (dns as DnsCheck).name], [3, 60_000, 'SOA', '.']);
  assert.deepEqual([misc!.retry, (misc as MiscCheck).miscTimeoutMs], [0, 60_000]);
});

test('defaults: an instance gets keepalived defaults; global garp and version flow down', () => {
  const r = load(`global_defs {
  vrrp_version 3
  vrrp_garp_master_delay 2
  vrrp_garp_master_refresh 10
}
vrrp_instance A {
  interface eth0
  virtual_router_id 1
  virtual_ipaddress {
    10.0.0.1
  }
  garp_master_repeat 2
}
`);
  assert.deepEqual(errors(r), []);
  const v = r.model!.vrrpInstances[0]!;
  assert.deepEqual([v.priority, v.state, v.version, v.advertIntervalMs, v.preempt, v.preemptDelayMs, v.accept], [100, 'BACKUP', 3, 1000, true, 0, true]);
  assert.deepEqual(v.garp, { masterDelayMs: 2000, masterRepeat: 2, lowerPrioDelayMs: 2000, lowerPrioRepeat: 2, masterRefreshMs: 10_000, masterRefreshRepeat: 1, intervalMs: 0, gnaIntervalMs: 0 });
  assert.equal(v.virtualIps[0]!.dev, 'eth0');
  assert.equal(r.model!.global.mcastGroup4, '224.0.0.18');
});
