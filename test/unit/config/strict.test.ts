// vrrp_strict's configuration rules (semantic-strict.ts): each refused combination reported at the
// line that wrote it, the combinations keepalived 2.2.7 accepts under strict accepted here too,
// the defaults strict changes (accept, lower-priority GARPs), YAML alike, and convert keeping it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/config/load.js';
import { convertedBack, errors, load, markedLine } from './helpers.js';

const STRICT = 'global_defs {\n  vrrp_strict\n}\n';

/** One instance under vrrp_strict; `vips` replaces the VIP block's lines. */
function strict(extra: string, vips = '    10.0.0.1/24\n', head = '  priority 100\n'): string {
  return `${STRICT}vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${head}${extra}  virtual_ipaddress {\n${vips}  }\n}\n`;
}

interface Case { name: string; text: string; message: RegExp }

// Each is a configuration error in `keepalived -t` (checked against keepalived 2.2.7 here), which
// then runs with something else or without the instance.
const refused: Case[] = [
  { name: 'no VIP', text: strict('', '').replace('vrrp_instance VI_1 {', 'vrrp_instance VI_1 { # <-'), message: /requires at least one virtual_ipaddress/ },
  { name: 'unicast peers', text: strict('  unicast_peer { # <-\n    10.0.0.9\n  }\n'), message: /unicast_peer is not allowed with vrrp_strict/ },
  { name: 'PASS authentication', text: strict('  authentication {\n    auth_type PASS\n    auth_pass secret # <-\n  }\n'), message: /authentication is not allowed with vrrp_strict/ },
  { name: 'preempt_delay', text: strict('  preempt_delay 5 # <-\n'), message: /preempt_delay is not allowed with vrrp_strict .*reset it to 0/ },
  { name: 'state MASTER below 255', text: strict('  state MASTER # <-\n'), message: /'state MASTER' goes with priority 255 .*got state MASTER and priority 100 .*start it as BACKUP/ },
  { name: 'state BACKUP at 255', text: strict('  state BACKUP # <-\n', undefined, '  priority 255\n'), message: /got state BACKUP and priority 255 .*start it as MASTER/ },
  { name: 'accept with VRRPv2', text: strict('  accept # <-\n'), message: /accept with VRRP version 2 is not allowed with vrrp_strict .*RFC 3768/ },
  { name: 'garp_lower_prio_repeat', text: strict('  garp_lower_prio_repeat 2 # <-\n'), message: /garp_lower_prio_repeat 2 is not allowed with vrrp_strict/ },
  { name: 'garp_lower_prio_delay', text: strict('  garp_lower_prio_delay 3 # <-\n'), message: /garp_lower_prio_delay is not allowed with vrrp_strict/ },
  { name: 'lower_prio_no_advert off', text: strict('  lower_prio_no_advert off # <-\n'), message: /lower_prio_no_advert off is not allowed with vrrp_strict .*turn it on/ },
  { name: 'higher_prio_send_advert', text: strict('  higher_prio_send_advert # <-\n'), message: /higher_prio_send_advert is not allowed with vrrp_strict .*turn it off/ },
  { name: 'first IPv6 VIP not link-local', text: strict('', '    fd00::1/64 # <-\n    fe80::1/64\n'), message: /first IPv6 virtual_ipaddress must be link-local .*got fd00::1/ },
];

for (const c of refused) {
  test(`vrrp_strict refuses: ${c.name}`, () => {
    const r = load(c.text);
    const errs = errors(r);
    const hit = errs.find((d) => c.message.test(d.message));
    assert.ok(hit, `expected ${c.message}, got:\n${errs.map((d) => `${d.line}: ${d.message}`).join('\n')}`);
    assert.equal(hit.line, markedLine(c.text), hit.message);
    assert.ok(hit.col > 0);
    assert.equal(r.model, undefined, 'an error: no model, nothing runs');
  });
  test(`without vrrp_strict it is not a strict error: ${c.name}`, () => {
    const r = load(c.text.replace(STRICT, ''));
    assert.equal(errors(r).filter((d) => /vrrp_strict/.test(d.message)).length, 0);
  });
}

const accepted: Array<[string, string]> = [
  ['a plain BACKUP instance (no_accept by default)', strict('')],
  ['VRRPv3 with accept', strict('  version 3\n  accept\n')],
  ['the address owner: priority 255, state MASTER, accept with v2', strict('  state MASTER\n  accept\n', undefined, '  priority 255\n')],
  ['priority 255 without a state', strict('', undefined, '  priority 255\n')],
  ['nopreempt', strict('  nopreempt\n')],
  ['IPv6 with the link-local VIP first', strict('', '    fe80::1/64\n    fd00::1/64\n')],
  ['garp_lower_prio_repeat 0', strict('  garp_lower_prio_repeat 0\n')],
  ['lower_prio_no_advert and higher_prio_send_advert off, as strict has them', strict('  lower_prio_no_advert\n  higher_prio_send_advert off\n')],
  ['a global vrrp_lower_prio_no_advert off (strict wins over the global, as in keepalived)', strict('').replace('  vrrp_strict\n', '  vrrp_strict\n  vrrp_lower_prio_no_advert off\n  vrrp_higher_prio_send_advert\n')],
];
for (const [name, text] of accepted) {
  test(`vrrp_strict accepts: ${name}`, () => {
    const r = load(text);
    assert.deepEqual(errors(r).map((d) => d.message), []);
    assert.ok(r.model);
  });
}

test('vrrp_strict defaults: Accept_Mode off, no lower-priority GARP repeats; without it: accept, master values', () => {
  const s = load(strict('  garp_master_repeat 3\n')).model!.vrrpInstances[0]!;
  assert.equal(s.accept, false);
  assert.deepEqual([s.garp.lowerPrioRepeat, s.garp.lowerPrioDelayMs], [0, 0]);
  const n = load(strict('  garp_master_repeat 3\n').replace(STRICT, '')).model!.vrrpInstances[0]!;
  assert.equal(n.accept, true);
  assert.deepEqual([n.garp.lowerPrioRepeat, n.garp.lowerPrioDelayMs], [3, 5000]);
});

test('vrrp_strict in YAML: the same rule, named by the YAML path at its line', () => {
  const yaml = `global:
  vrrpStrict: true
vrrpInstances:
  - name: VI_1
    interface: eth0
    vrid: 51
    priority: 100
    preemptDelayMs: 5000
    virtualIps: [10.0.0.1/24]
`;
  const r = loadConfigText('c.yaml', yaml);
  const hit = errors(r).find((d) => /preempt_delay is not allowed with vrrp_strict/.test(d.message));
  assert.ok(hit, errors(r).map((d) => d.message).join('\n'));
  assert.match(hit.message, /vrrpInstances\[0\]/);
  assert.equal(hit.line, 8);
});

test('convert keeps vrrp_strict, accept and no_accept: the YAML gives the same model', () => {
  const text = `${STRICT}vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n  version 3\n  accept\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n`
    + 'vrrp_instance B {\n  interface eth0\n  virtual_router_id 2\n  no_accept\n  virtual_ipaddress {\n    10.0.0.2/24\n  }\n}\n'
    + 'vrrp_instance C {\n  interface eth0\n  virtual_router_id 3\n  virtual_ipaddress {\n    10.0.0.3/24\n  }\n}\n';
  const { back } = convertedBack(text, 's.conf');
  assert.deepEqual(back.model!.vrrpInstances.map((i) => i.accept), [true, false, false]);
});

// keepalived 2.2.7 `keepalived -t` (checked here): strict_mode on an instance applies the rules to
// it alone; strict_mode off exempts one instance from vrrp_strict.
test('strict_mode on one instance: its rules and defaults for that instance only', () => {
  const inst = (name: string, vrid: number, extra: string): string =>
    `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n${extra}  virtual_ipaddress {\n    10.0.0.${vrid}/24\n  }\n}\n`;
  const text = inst('S', 1, '  strict_mode\n  preempt_delay 5 # <-\n') + inst('L', 2, '  preempt_delay 5\n');
  const errs = errors(load(text));
  assert.deepEqual(errs.map((d) => [d.line, /vrrpInstance S|vrrp_instance S/.test(d.message) && /preempt_delay is not allowed/.test(d.message)]), [[markedLine(text), true]]);
  const m = load(inst('S', 1, '  strict_mode on\n') + inst('L', 2, '')).model!;
  const [s, l] = m.vrrpInstances;
  assert.equal(m.global.vrrpStrict, false);
  assert.deepEqual([s!.strictMode, s!.accept, s!.lowerPrioNoAdvert, s!.higherPrioSendAdvert, s!.garp.lowerPrioRepeat], [true, false, true, false, 0]);
  assert.deepEqual([l!.strictMode, l!.accept, l!.lowerPrioNoAdvert, l!.higherPrioSendAdvert, l!.garp.lowerPrioRepeat], [undefined, true, undefined, undefined, 5]);
});

test('strict_mode off exempts an instance from vrrp_strict: no rule, keepalived\'s non-strict defaults', () => {
  const text = strict('  strict_mode off\n  preempt_delay 5\n  lower_prio_no_advert off\n  higher_prio_send_advert\n');
  const r = load(text);
  assert.deepEqual(errors(r).map((d) => d.message), []);
  const x = r.model!.vrrpInstances[0]!;
  assert.equal(r.model!.global.vrrpStrict, true);
  assert.deepEqual([x.strictMode, x.accept, x.lowerPrioNoAdvert, x.higherPrioSendAdvert, x.preemptDelayMs], [undefined, true, undefined, undefined, 5000]);
});

test('advert options: instance over global over default (lower_prio_no_advert off, higher_prio_send_advert on)', () => {
  const one = (global: string, own: string) => {
    const text = `global_defs {\n${global}}\nvrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n${own}  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n`;
    const r = load(text);
    assert.deepEqual(errors(r), [], text);
    const x = r.model!.vrrpInstances[0]!;
    return [x.lowerPrioNoAdvert === true, x.higherPrioSendAdvert !== false];
  };
  assert.deepEqual(one('', ''), [false, true]);
  assert.deepEqual(one('  vrrp_lower_prio_no_advert\n  vrrp_higher_prio_send_advert off\n', ''), [true, false]);
  assert.deepEqual(one('  vrrp_lower_prio_no_advert\n  vrrp_higher_prio_send_advert off\n', '  lower_prio_no_advert no\n  higher_prio_send_advert yes\n'), [false, true]);
  assert.deepEqual(one('', '  lower_prio_no_advert\n  higher_prio_send_advert false\n'), [true, false]);
});

test('convert keeps strict_mode and the advert options (global and per instance): the YAML gives the same model', () => {
  const text = 'global_defs {\n  vrrp_lower_prio_no_advert\n  vrrp_higher_prio_send_advert off\n}\n'
    + 'vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n  strict_mode\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n'
    + 'vrrp_instance B {\n  interface eth0\n  virtual_router_id 2\n  lower_prio_no_advert off\n  higher_prio_send_advert\n  virtual_ipaddress {\n    10.0.0.2/24\n  }\n}\n'
    + 'vrrp_instance C {\n  interface eth0\n  virtual_router_id 3\n  virtual_ipaddress {\n    10.0.0.3/24\n  }\n}\n';
  const { back } = convertedBack(text, 's.conf');
  assert.deepEqual(back.model!.vrrpInstances.map((i) => [i.strictMode, i.lowerPrioNoAdvert, i.higherPrioSendAdvert]),
    [[true, true, false], [undefined, undefined, undefined], [undefined, true, false]]);
});

test('the advert keywords are no longer "recognised but not implemented"', () => {
  const text = 'global_defs {\n  vrrp_lower_prio_no_advert\n  vrrp_higher_prio_send_advert\n}\n'
    + 'vrrp_instance A {\n  interface eth0\n  virtual_router_id 1\n  strict_mode off\n  lower_prio_no_advert\n  higher_prio_send_advert\n  virtual_ipaddress {\n    10.0.0.1/24\n  }\n}\n';
  const r = load(text, 'k.conf', { strict: true });
  assert.deepEqual(r.diagnostics.map((d) => d.message), []);
});
