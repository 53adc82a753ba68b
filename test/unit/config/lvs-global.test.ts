// global_defs for the IPVS side: lvs_flush_on_stop, lvs_timeouts, lvs_sync_daemon (keepalived.conf
// and YAML), each wrong value at its line and column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, instance, load, markedLine, warnings } from './helpers.js';

const global = (lines: string, withInstance = true) => `global_defs {\n${lines}}\n${withInstance ? instance() : ''}`;

test('lvs global: the three keywords land in the model; the sync id defaults to the instance VRID', () => {
  const r = load(global('  lvs_flush_on_stop\n  lvs_timeouts udp 30 tcp 900\n  lvs_sync_daemon eth1 VI_1 maxlen 1400 port 8849 ttl 2 group ff02::8849\n'));
  assert.deepEqual(errors(r), []);
  const g = r.model!.global;
  assert.equal(g.lvsFlushOnStop, true);
  assert.deepEqual(g.lvsTimeouts, { udpS: 30, tcpS: 900 });
  assert.deepEqual(g.lvsSyncDaemon, { interface: 'eth1', vrrpInstance: 'VI_1', syncId: 51, maxLen: 1400, port: 8849, ttl: 2, group: 'ff02::8849' });
});

test('lvs global: defaults are no flush at stop, no timeouts, no sync daemon', () => {
  const g = load(instance()).model!.global;
  assert.deepEqual([g.lvsFlushOnStop, g.lvsTimeouts, g.lvsSyncDaemon], [false, undefined, undefined]);
});

test('lvs global: lvs_sync_daemon forms keepalived 2.2.7 takes (inst keyword, id, old positional id)', () => {
  const a = load(global('  lvs_sync_daemon eth1 inst VI_1 id 0\n'));
  assert.deepEqual(errors(a), []);
  assert.deepEqual(a.model!.global.lvsSyncDaemon, { interface: 'eth1', vrrpInstance: 'VI_1', syncId: 0 });
  const text = global('  lvs_sync_daemon eth1 VI_1 7 # <-\n');
  const b = load(text);
  assert.deepEqual(errors(b), []);
  assert.equal(b.model!.global.lvsSyncDaemon!.syncId, 7);
  assert.deepEqual(warnings(b).map((d) => [d.line, d.col, d.message]), [[markedLine(text), 29, "lvs_sync_daemon: write the sync id as 'id 7' (keepalived asks for the keyword too)"]]);
});

test('lvs global: lvs_flush_on_stop VS is vipkeeper\'s default behaviour, said in a warning', () => {
  const r = load(global('  lvs_flush_on_stop VS\n'));
  assert.deepEqual(errors(r), []);
  assert.equal(r.model!.global.lvsFlushOnStop, false);
  assert.match(warnings(r)[0]!.message, /lvs_flush_on_stop VS: vipkeeper removes the virtual servers it created at stop anyway/);
});

test('lvs global (YAML): the same keys give the same model', () => {
  const conf = load(global('  lvs_flush_on_stop\n  lvs_timeouts tcp 900 tcpfin 20 udp 30\n  lvs_sync_daemon eth1 VI_1 id 3 group 239.0.0.9\n'));
  const yaml = load(`global:
  lvsFlushOnStop: true
  lvsTimeouts: { tcpS: 900, tcpFinS: 20, udpS: 30 }
  lvsSyncDaemon: { interface: eth1, vrrpInstance: VI_1, syncId: 3, group: 239.0.0.9 }
vrrpInstances:
  - { name: VI_1, interface: eth0, vrid: 51, priority: 100, virtualIps: [10.0.0.52/24] }
`, 'c.yaml');
  assert.deepEqual(errors(yaml), []);
  assert.deepEqual(yaml.model!.global, conf.model!.global);
});

test('lvs global (YAML): lvsSyncDaemon needs its VRRP instance; unknown instance at its line', () => {
  const missing = load('global:\n  lvsSyncDaemon: { interface: eth1 } # <-\n', 'c.yaml');
  assert.deepEqual(errors(missing).map((d) => [d.line, d.message]), [[2, "global.lvsSyncDaemon: missing required key 'vrrpInstance'"]]);
  const text = 'global:\n  lvsSyncDaemon:\n    interface: eth1\n    vrrpInstance: VI_9 # <-\n';
  const r = load(text, 'c.yaml');
  assert.deepEqual(errors(r).map((d) => [d.line, d.col, d.message]), [[markedLine(text), 5, "lvs_sync_daemon: vrrp_instance 'VI_9' is not defined"]]);
});

interface Case { name: string; lines: string; at: string; message: RegExp; withInstance?: boolean }

const cases: Case[] = [
  { name: 'lvs_flush_on_stop with another word', lines: '  lvs_flush_on_stop ALL # <-\n', at: 'ALL', message: /lvs_flush_on_stop takes nothing or VS, got 'ALL'/ },
  { name: 'lvs_timeouts without options', lines: '  lvs_timeouts # <-\n', at: 'lvs_timeouts', message: /lvs_timeouts needs at least one of/ },
  { name: 'lvs_timeouts unknown option', lines: '  lvs_timeouts tcp 5 sctp 5 # <-\n', at: 'sctp', message: /lvs_timeouts: unknown option 'sctp' \(tcp, tcpfin or udp\)/ },
  { name: 'lvs_timeouts not a number', lines: '  lvs_timeouts udp 1.5 # <-\n', at: '1.5', message: /lvs_timeouts udp needs a number of seconds, got '1.5'/ },
  { name: 'lvs_timeouts missing value', lines: '  lvs_timeouts tcpfin # <-\n', at: 'tcpfin', message: /lvs_timeouts tcpfin needs a number of seconds/ },
  { name: 'lvs_timeouts above 31 days', lines: '  lvs_timeouts tcp 2678401 # <-\n', at: '2678401', message: /lvs_timeouts tcp must be 0-2678400 s, got 2678401 s/ },
  { name: 'lvs_sync_daemon without anything', lines: '  lvs_sync_daemon # <-\n', at: 'lvs_sync_daemon', message: /lvs_sync_daemon needs an interface and a VRRP instance/ },
  { name: 'lvs_sync_daemon without an instance', lines: '  lvs_sync_daemon eth1 id 5 # <-\n', at: 'lvs_sync_daemon', message: /lvs_sync_daemon needs the VRRP instance whose state it follows/ },
  { name: 'lvs_sync_daemon naming an unknown instance', lines: '  lvs_sync_daemon eth1 VI_X # <-\n', at: 'VI_X', message: /lvs_sync_daemon: vrrp_instance 'VI_X' is not defined/ },
  { name: 'lvs_sync_daemon bad interface name', lines: '  lvs_sync_daemon eth1/2 VI_1 # <-\n', at: 'eth1/2', message: /lvs_sync_daemon interface: 'eth1\/2' is not a valid interface name/ },
  { name: 'lvs_sync_daemon id above 255', lines: '  lvs_sync_daemon eth1 VI_1 id 256 # <-\n', at: '256', message: /lvs_sync_daemon id must be 0-255, got 256/ },
  { name: 'lvs_sync_daemon maxlen above a datagram', lines: '  lvs_sync_daemon eth1 VI_1 maxlen 65508 # <-\n', at: '65508', message: /lvs_sync_daemon maxlen must be 1-65507, got 65508/ },
  { name: 'lvs_sync_daemon port 0', lines: '  lvs_sync_daemon eth1 VI_1 port 0 # <-\n', at: '0 #', message: /lvs_sync_daemon port must be 1-65535, got 0/ },
  { name: 'lvs_sync_daemon ttl 0', lines: '  lvs_sync_daemon eth1 VI_1 ttl 0 # <-\n', at: '0 #', message: /lvs_sync_daemon ttl must be 1-255, got 0/ },
  { name: 'lvs_sync_daemon ttl not a number', lines: '  lvs_sync_daemon eth1 VI_1 ttl many # <-\n', at: 'many', message: /lvs_sync_daemon ttl must be an integer, got 'many'/ },
  { name: 'lvs_sync_daemon group not multicast', lines: '  lvs_sync_daemon eth1 VI_1 group 10.0.0.1 # <-\n', at: '10.0.0.1', message: /lvs_sync_daemon group must be a multicast address, got '10.0.0.1'/ },
  { name: 'lvs_sync_daemon group not an address', lines: '  lvs_sync_daemon eth1 VI_1 group nowhere # <-\n', at: 'nowhere', message: /lvs_sync_daemon group: 'nowhere' is not a valid IPv4 or IPv6 address/ },
  { name: 'lvs_sync_daemon unknown option', lines: '  lvs_sync_daemon eth1 VI_1 id 3 mode fast # <-\n', at: 'mode', message: /lvs_sync_daemon: unknown option 'mode'/ },
  { name: 'lvs_sync_daemon option without value', lines: '  lvs_sync_daemon eth1 VI_1 port # <-\n', at: 'port', message: /lvs_sync_daemon port needs a value/ },
  { name: 'lvs_sync_daemon twice', lines: '  lvs_sync_daemon eth1 VI_1\n  lvs_sync_daemon eth2 VI_1 # <-\n', at: 'lvs_sync_daemon', message: /lvs_sync_daemon is given twice \(first at line 2\)/ },
];

for (const c of cases) {
  test(`lvs global: ${c.name}`, () => {
    const text = global(c.lines, c.withInstance ?? true);
    const r = load(text);
    assert.equal(r.model, undefined, JSON.stringify(r.diagnostics));
    const line = markedLine(text);
    const hit = errors(r).find((d) => c.message.test(d.message));
    assert.ok(hit, JSON.stringify(r.diagnostics));
    assert.deepEqual([hit.line, hit.col], [line, text.split('\n')[line - 1]!.indexOf(c.at) + 1], hit.message);
  });
}
