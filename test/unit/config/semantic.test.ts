// One failing input per validation rule, in keepalived.conf syntax, asserting the reported line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, instance, load, markedLine, warnings } from './helpers.js';

const vs = (body: string, head = '10.0.0.100 80') => `virtual_server ${head} {\n  protocol TCP\n${body}}\n`;
const rs = (body = '', head = '10.0.1.1 80') => `  real_server ${head} {\n${body}  }\n`;

interface Case { name: string; text: string; message: RegExp }

const cases: Case[] = [
  { name: 'vrid above 255', text: instance().replace('virtual_router_id 51', 'virtual_router_id 256 # <-'), message: /virtual_router_id must be 1-255, got 256/ },
  { name: 'vrid 0', text: instance().replace('virtual_router_id 51', 'virtual_router_id 0 # <-'), message: /virtual_router_id must be 1-255/ },
  { name: 'priority 0', text: instance('  priority 0 # <-\n'), message: /priority must be 1-255, got 0/ },
  { name: 'priority 256', text: instance('  priority 256 # <-\n'), message: /priority must be 1-255/ },
  { name: 'priority not a number', text: instance('  priority high # <-\n'), message: /'priority' must be an integer, got 'high'/ },
  { name: 'v2 advert_int fractional', text: instance('  advert_int 0.5 # <-\n'), message: /advert_int for VRRPv2 must be whole seconds 1-255/ },
  { name: 'v2 advert_int too long', text: instance('  advert_int 256 # <-\n'), message: /whole seconds 1-255, got 256 s/ },
  { name: 'v3 advert_int too long', text: instance('  version 3\n  advert_int 41 # <-\n'), message: /VRRPv3 must be 0.01-40.95 s/ },
  { name: 'v3 advert_int below a centisecond', text: instance('  version 3\n  advert_int 0.005 # <-\n'), message: /VRRPv3 must be 0.01-40.95 s/ },
  { name: 'version 4', text: instance('  version 4 # <-\n'), message: /version must be 2 or 3/ },
  { name: 'IPv6 with version 2', text: instance('  version 2 # <-\n').replace('10.0.0.52/24', '2001:db8::1/64'), message: /IPv6 instances must use VRRP version 3/ },
  { name: 'bad VIP address', text: instance().replace('10.0.0.52/24', '10.0.0.300/24 # <-'), message: /'10.0.0.300\/24'/ },
  { name: 'bad VIP prefix', text: instance().replace('10.0.0.52/24', '10.0.0.5/33 # <-'), message: /prefix length must be 0-32/ },
  { name: 'mixed VIP families', text: instance().replace('10.0.0.52/24', '10.0.0.52/24\n    2001:db8::5/64 # <-'), message: /must be one family/ },
  { name: 'bad unicast peer', text: instance('  unicast_peer {\n    10.0.0.999 # <-\n  }\n'), message: /unicast_peer: '10.0.0.999' is not a valid/ },
  { name: 'unicast peer of the other family', text: instance('  unicast_peer {\n    2001:db8::2 # <-\n  }\n'), message: /unicast_peer 2001:db8::2 is IPv6/ },
  { name: 'bad unicast_src_ip', text: instance('  unicast_src_ip 1.2.3 # <-\n'), message: /unicast_src_ip: '1.2.3'/ },
  { name: 'nopreempt with MASTER', text: instance('  state MASTER\n  nopreempt # <-\n'), message: /nopreempt requires 'state BACKUP'/ },
  { name: 'state unknown', text: instance('  state PRIMARY # <-\n'), message: /'state' must be one of MASTER, BACKUP/ },
  { name: 'state in lower case (keepalived would start it as BACKUP)', text: instance('  state master # <-\n'), message: /'state' must be one of MASTER, BACKUP \(case matters\); got 'master'/ },
  { name: 'auth_type in lower case (keepalived would drop authentication)', text: instance('  authentication {\n    auth_type pass # <-\n    auth_pass abc\n  }\n'), message: /auth_type pass is not supported: PASS or AH, in capitals/ },
  { name: 'preempt_delay with nopreempt (keepalived would drop the delay)', text: instance('  nopreempt\n  preempt_delay 5 # <-\n'), message: /preempt_delay has no effect with nopreempt/ },
  { name: 'preempt_delay over 1000 s', text: instance('  preempt_delay 1001 # <-\n'), message: /preempt_delay must be 0-1000 s/ },
  { name: 'auth_pass empty', text: instance('  authentication {\n    auth_type PASS\n    auth_pass "" # <-\n  }\n'), message: /auth_pass must be 1-8 bytes, got 0/ },
  { name: 'auth with VRRPv3', text: instance('  version 3\n  authentication {\n    auth_pass abc # <-\n  }\n'), message: /authentication is not part of VRRPv3/ },
  { name: 'auth_type AH without auth_pass', text: instance('  authentication {\n    auth_type AH # <-\n  }\n'), message: /auth_type AH needs auth_pass/ },
  { name: 'auth_type AH with VRRPv3', text: instance('  version 3\n  authentication {\n    auth_type AH # <-\n    auth_pass abc\n  }\n'), message: /auth_type AH is VRRPv2 only/ },
  { name: 'auth_type AH on IPv6', text: instance('  version 2\n  authentication {\n    auth_type AH # <-\n    auth_pass abc\n  }\n').replace('10.0.0.52/24', '2001:db8::1/64'), message: /auth_type AH is IPv4 only/ },
  { name: 'unicast_peer min_ttl above max_ttl', text: instance('  unicast_peer {\n    10.0.0.2 min_ttl 200 max_ttl 100 # <-\n  }\n'), message: /min_ttl 200 is above max_ttl 100/ },
  { name: 'duplicate instance name', text: instance() + instance('', 'VI_1', 52).replace('vrrp_instance VI_1 {', 'vrrp_instance VI_1 { # <-'), message: /duplicate vrrp_instance name 'VI_1' \(first defined at line 1\)/ },
  { name: 'VRID reused on one interface', text: instance() + instance('', 'VI_2', 51).replace('virtual_router_id 51', 'virtual_router_id 51 # <-'), message: /virtual_router_id 51 is already used on eth0 \(IPv4\) by vrrp_instance VI_1/ },
  { name: 'track_script naming an unknown script', text: instance('  track_script {\n    chk_missing # <-\n  }\n'), message: /track_script 'chk_missing' is not defined/ },
  { name: 'track_file naming an unknown file', text: instance('  track_file {\n    tf_missing # <-\n  }\n'), message: /track_file 'tf_missing' is not defined/ },
  { name: 'track_interface weight out of range', text: instance('  track_interface {\n    eth1 weight 300 # <-\n  }\n'), message: /track_interface weight must be -254-254/ },
  { name: 'vrrp_script weight out of range', text: 'vrrp_script chk {\n  script "/bin/true"\n  weight 254 # <-\n}\n' + instance('  track_script {\n    chk\n  }\n'), message: /weight must be -253-253, got 254/ },
  { name: 'vrrp_script rise 0', text: 'vrrp_script chk {\n  script "/bin/true"\n  rise 0 # <-\n}\n', message: /rise must be 1-/ },
  { name: 'vrrp_script without script', text: 'vrrp_script chk { # <-\n  interval 2\n}\n', message: /'script' is required/ },
  { name: 'sync group naming an unknown instance', text: instance() + 'vrrp_sync_group G {\n  group {\n    VI_1\n    VI_9 # <-\n  }\n}\n', message: /vrrp_instance 'VI_9' is not defined/ },
  { name: 'instance in two sync groups', text: instance() + 'vrrp_sync_group G {\n  group {\n    VI_1\n  }\n}\nvrrp_sync_group H {\n  group {\n    VI_1 # <-\n  }\n}\n', message: /already in vrrp_sync_group G/ },
  { name: 'missing interface', text: 'vrrp_instance X { # <-\n  virtual_router_id 5\n}\n', message: /'interface' is required/ },
  { name: 'missing virtual_router_id', text: 'vrrp_instance X { # <-\n  interface eth0\n}\n', message: /'virtual_router_id' is required/ },
  { name: 'interface name too long', text: instance().replace('interface eth0', 'interface averyveryverylongname # <-'), message: /'averyveryverylongname' is not a valid interface name/ },
  { name: 'VIP dev with a slash', text: instance().replace('10.0.0.52/24', '10.0.0.52/24 dev eth/0 # <-'), message: /dev: 'eth\/0' is not a valid interface name/ },
  { name: 'VIP scope unknown', text: instance().replace('10.0.0.52/24', '10.0.0.52/24 scope galaxy # <-'), message: /scope must be host, link, site, global, nowhere or 0-255/ },
  { name: 'VIP label too long', text: instance().replace('10.0.0.52/24', '10.0.0.52/24 label eth0:muchtoolongx # <-'), message: /label must be 1-15 characters/ },
  { name: 'track_interface bad name', text: instance('  track_interface {\n    bad:name # <-\n  }\n'), message: /track_interface: 'bad:name' is not a valid interface name/ },
  { name: 'garp_master_repeat 0', text: instance('  garp_master_repeat 0 # <-\n'), message: /garp_master_repeat must be 1-255/ },
  { name: 'vrrp_mcast_group4 not multicast', text: 'global_defs {\n  vrrp_mcast_group4 10.0.0.1 # <-\n}\n', message: /IPv4 multicast address/ },
  { name: 'vrrp_version 4', text: 'global_defs {\n  vrrp_version 4 # <-\n}\n', message: /vrrp_version must be 2 or 3/ },
  // LVS
  { name: 'virtual server port above 65535', text: 'virtual_server 10.0.0.100 65536 { # <-\n' + rs() + '}\n', message: /port must be 0-65535, got 65536/ },
  { name: 'real server port above 65535', text: vs(rs('', '10.0.1.1 70000').replace('{', '{ # <-')), message: /real_server 10.0.1.1: port must be 0-65535/ },
  { name: 'unknown scheduler', text: vs('  lb_algo fastest # <-\n' + rs()), message: /'lb_algo' must be one of rr, wrr/ },
  { name: 'unknown forwarding method', text: vs('  lb_kind BRIDGE # <-\n' + rs()), message: /'lb_kind' must be one of NAT, DR, TUN/ },
  { name: 'scheduler in capitals (keepalived would use wlc)', text: vs('  lb_algo RR # <-\n' + rs()), message: /'lb_algo' must be one of rr, .* \(case matters\); got 'RR'/ },
  { name: 'forwarding method in lower case (keepalived would use NAT)', text: vs('  lb_kind dr # <-\n' + rs()), message: /'lb_kind' must be one of NAT, DR, TUN \(case matters\); got 'dr'/ },
  { name: 'sh-port with wrr', text: vs('  lb_algo wrr\n  sh-port # <-\n' + rs()), message: /sh-port needs lb_algo sh/ },
  { name: 'ops with TCP', text: vs('  ops # <-\n' + rs()), message: /ops .* needs protocol UDP/ },
  { name: 'bad virtual server address', text: 'virtual_server 10.0.0.256 80 { # <-\n' + rs() + '}\n', message: /virtual_server: '10.0.0.256' is not a valid/ },
  { name: 'duplicate virtual server', text: vs(rs()) + vs(rs()).replace('80 {', '80 { # <-'), message: /duplicate virtual_server '10.0.0.100:80\/TCP'/ },
  { name: 'duplicate real server', text: vs(rs() + rs().replace('{', '{ # <-')), message: /duplicate real_server/ },
  { name: 'real server weight too big', text: vs(rs('    weight 70000 # <-\n')), message: /weight must be 0-65535/ },
  { name: 'lthreshold above uthreshold', text: vs(rs('    uthreshold 10\n    lthreshold 20 # <-\n')), message: /lthreshold must not exceed uthreshold/ },
  { name: 'NAT real server of the other family', text: vs(rs('', '2001:db8::1 80').replace('{', '{ # <-')), message: /NAT needs the virtual server's family/ },
  { name: 'persistence_granularity not a netmask', text: vs('  persistence_timeout 60\n  persistence_granularity 255.0.255.0 # <-\n' + rs()), message: /persistence_granularity must be an IPv4 netmask/ },
  { name: 'persistence_timeout 0', text: vs('  persistence_timeout 0 # <-\n' + rs()), message: /persistence_timeout must be 1-2678400 s/ },
  { name: 'hysteresis not below quorum', text: vs('  quorum 2\n  hysteresis 2 # <-\n' + rs()), message: /hysteresis must be 0-1/ },
  { name: 'quorum 0', text: vs('  quorum 0 # <-\n' + rs()), message: /quorum must be 1-/ },
  { name: 'fwmark 0', text: 'virtual_server fwmark 0 { # <-\n' + rs('', '10.0.1.1') + '}\n', message: /fwmark must be 1-4294967295/ },
  { name: 'unknown virtual_server_group', text: 'virtual_server group NOPE { # <-\n' + rs() + '}\n', message: /virtual_server_group 'NOPE' is not defined/ },
  { name: 'sorry_server_inhibit without sorry_server', text: vs('  sorry_server_inhibit # <-\n' + rs()), message: /sorry_server_inhibit without a sorry_server/ },
  { name: 'bad sorry server', text: vs('  sorry_server 10.0.0 80 # <-\n' + rs()), message: /sorry_server: '10.0.0'/ },
  { name: 'checker connect_port too big', text: vs(rs('    TCP_CHECK {\n      connect_port 99999 # <-\n    }\n')), message: /TCP_CHECK connect_port must be 1-65535/ },
  { name: 'checker connect_timeout 0', text: vs(rs('    TCP_CHECK {\n      connect_timeout 0 # <-\n    }\n')), message: /connect_timeout must be 0.001-3600 s/ },
  { name: 'delay_loop not a number', text: vs('  delay_loop soon # <-\n' + rs()), message: /'delay_loop' must be a number of seconds/ },
  { name: 'HTTP_GET without url', text: vs(rs('    HTTP_GET { # <-\n      connect_timeout 3\n    }\n')), message: /HTTP_GET needs at least one url/ },
  { name: 'HTTP status code out of range', text: vs(rs('    HTTP_GET {\n      url {\n        path /\n        status_code 200 700 # <-\n      }\n    }\n')), message: /status_code '700'/ },
  { name: 'HTTP digest not MD5', text: vs(rs('    HTTP_GET {\n      url {\n        path /\n        digest xyz # <-\n      }\n    }\n')), message: /digest must be 32 hex digits/ },
  { name: 'MISC_CHECK without misc_path', text: vs(rs('    MISC_CHECK { # <-\n      misc_timeout 3\n    }\n')), message: /'misc_path' is required/ },
  { name: 'DNS_CHECK unknown type', text: vs(rs('    DNS_CHECK {\n      type PTR # <-\n    }\n')), message: /'type' must be one of A, NS/ },
  { name: 'group range ending below its start', text: 'virtual_server_group G {\n  10.0.0.5-2 80 # <-\n}\n' + vs(rs(), 'group G'), message: /range '10.0.0.5-2' must end above its start: a last octet 6-255/ },
  { name: 'group range past the last octet', text: 'virtual_server_group G {\n  10.0.0.5-300 80 # <-\n}\n' + vs(rs(), 'group G'), message: /range '10.0.0.5-300' must end above its start/ },
  { name: 'group IPv6 range past ffff', text: 'virtual_server_group G {\n  2001:db8::1-10000 80 # <-\n}\n' + vs(rs(), 'group G'), message: /a last group 2-ffff \(hex\)/ },
  { name: 'group prefix too long', text: 'virtual_server_group G {\n  10.0.0.0/33 80 # <-\n}\n' + vs(rs(), 'group G'), message: /'10.0.0.0\/33': prefix length must be 0-32/ },
  { name: 'port 0 without persistence', text: 'virtual_server 10.0.0.100 0 { # <-\n  protocol TCP\n' + rs('', '10.0.1.1') + '}\n', message: /port 0 \(all ports\) needs persistence_timeout/ },
  { name: 'DR real server on another port', text: vs('  lb_kind DR\n' + rs('', '10.0.1.1 8080').replace('{', '{ # <-')), message: /DR cannot translate ports; port must be 80 like the virtual server \(or left out\), got 8080/ },
  { name: 'checker connect_port 0', text: vs(rs('    TCP_CHECK {\n      connect_port 0 # <-\n    }\n')), message: /TCP_CHECK connect_port must be 1-65535, got 0/ },
  { name: 'delay_loop 0 on the virtual server is reported where it is written', text: vs('  delay_loop 0 # <-\n' + rs('    TCP_CHECK {\n    }\n')), message: /TCP_CHECK delay_loop must be 0.001-86400 s, got 0 s/ },
  { name: 'connect_timeout 0 on the real server is reported where it is written', text: vs(rs('    connect_timeout 0 # <-\n    TCP_CHECK {\n    }\n')), message: /TCP_CHECK connect_timeout must be 0.001-3600 s/ },
  { name: 'ha_suspend on a fwmark service (keepalived would clear it)', text: 'virtual_server fwmark 3 {\n  ha_suspend # <-\n' + rs('', '10.0.1.1') + '}\n', message: /ha_suspend needs an address service, not a fwmark/ },
  { name: 'UDP_CHECK min above max', text: vs(rs('    UDP_CHECK {\n      min_reply_length 10 # <-\n      max_reply_length 5\n    }\n')), message: /min_reply_length must not exceed max_reply_length/ },
];

for (const c of cases) {
  test(`semantic: ${c.name}`, () => {
    const r = load(c.text);
    assert.equal(r.model, undefined, 'an invalid config must not produce a model');
    const errs = errors(r);
    const hit = errs.find((d) => c.message.test(d.message));
    assert.ok(hit, `expected an error matching ${c.message}, got:\n${errs.map((d) => `${d.line}: ${d.message}`).join('\n')}`);
    assert.equal(hit.line, markedLine(c.text), `line of: ${hit.message}`);
    assert.equal(hit.file, 'test.conf');
    assert.ok(hit.col >= 1);
  });
}

test('semantic: the base fragments are valid on their own', () => {
  for (const text of [instance(), vs(rs()), instance() + instance('', 'VI_2', 52)]) {
    const r = load(text);
    assert.deepEqual(errors(r), [], JSON.stringify(r.diagnostics));
    assert.ok(r.model);
  }
});

test('semantic: a VRID may be reused by unicast instances with disjoint peers', () => {
  const peers = (p: string) => `  unicast_peer {\n    ${p}\n  }\n`;
  const r = load(instance(peers('10.0.0.2')) + instance(peers('10.0.0.3'), 'VI_2', 51));
  assert.deepEqual(errors(r), []);
});

test('semantic: the same VRID on another interface or family is fine', () => {
  const r = load(instance() + instance('', 'VI_2', 51, 'eth1'));
  assert.deepEqual(errors(r), []);
});

test('semantic: priority 255 with BACKUP is a warning, not an error', () => {
  const text = instance('  priority 255 # <-\n');
  const r = load(text);
  assert.ok(r.model);
  assert.equal(warnings(r).find((d) => /address owner/.test(d.message))?.line, markedLine(text));
});

test('semantic: YAML errors carry the YAML line and name the YAML key, not the keepalived keyword', () => {
  const text = `vrrpInstances:
  - name: VI_1
    interface: eth0
    vrid: 300 # <-
    virtualIps: [10.0.0.1/24]
`;
  const r = load(text, 'x.yaml');
  const hit = errors(r).find((d) => d.message === 'vrrpInstances[0].vrid must be 1-255, got 300');
  assert.ok(hit, JSON.stringify(r.diagnostics));
  assert.equal(hit.line, markedLine(text));
  assert.equal(hit.col, 5);
});
