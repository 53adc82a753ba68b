// keepalived.conf as operators write it (issue 10): ~SEQ/~LST repetition, conditional lines and
// parameters, the pre-2.0 sync group, typos, not-implemented keywords and numbers past 2^53. Each
// case is accepted into the model it must give, or refused at the line:col it names. `keepalived`
// records what `keepalived -t -f FILE -i high` (2.2.7) said about the same construct.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Config } from '../../../src/config/model.js';
import { UNIMPLEMENTED_GROUPS } from '../../../src/config/keepalived/known.js';
import { suggest, editDistance } from '../../../src/config/suggest.js';
import { errors, load, warnings } from './helpers.js';

const inst = (body: string, vips = '    10.0.0.1/24\n') =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${body}  virtual_ipaddress {\n${vips}  }\n}\n`;

interface Case {
  name: string;
  text: string;
  configId?: string;
  strict?: boolean;
  keepalived: string;
  /** Accepted: the model must satisfy this. */
  model?: (m: Config) => void;
  /** Refused: exactly these errors (line, col, message). */
  errors?: Array<[number, number, string | RegExp]>;
  /** Warnings that must be there (line, message). */
  warns?: Array<[number, string | RegExp]>;
}

const vips = (m: Config, i = 0) => m.vrrpInstances[i]!.virtualIps.map((v) => `${v.address}/${v.prefixLen}`);

const CASES: Case[] = [
  {
    name: '~SEQ repeats the rest of the line with ${var} set',
    text: inst('', '    ~SEQ(i, 1, 3) 10.0.0.${i}/24\n'),
    keepalived: 'accepted',
    model: (m) => assert.deepEqual(vips(m), ['10.0.0.1/24', '10.0.0.2/24', '10.0.0.3/24']),
  },
  {
    name: '~SEQ with a step, counting down, and with start left out',
    text: inst('', '    ~SEQ(i, 9, -4, 1) 10.0.0.${i}/24\n    ~SEQ(j, 2) 10.0.1.${j}/24\n'),
    keepalived: 'accepted',
    model: (m) => assert.deepEqual(vips(m), ['10.0.0.9/24', '10.0.0.5/24', '10.0.0.1/24', '10.0.1.1/24', '10.0.1.2/24']),
  },
  {
    name: 'nested ~SEQ and ~LST: the inner one runs through for each outer value',
    text: inst('', '    ~SEQ(i, 1, 2) ~LST(j, 7, 8) 10.0.${i}.${j}/24\n'),
    keepalived: 'accepted',
    model: (m) => assert.deepEqual(vips(m), ['10.0.1.7/24', '10.0.1.8/24', '10.0.2.7/24', '10.0.2.8/24']),
  },
  {
    name: '~LST with {var, var} groups (keepalived.conf(5) example)',
    text: inst('', '    ~LST({IP, IP1}, {10,1},{20,4},{5,6}) 192.168.${IP}.${IP1}/32\n'),
    keepalived: 'accepted',
    model: (m) => assert.deepEqual(vips(m), ['192.168.10.1/32', '192.168.20.4/32', '192.168.5.6/32']),
  },
  {
    name: '~SEQx gives hexadecimal values (IPv6)',
    text: inst('  version 3\n', '    ~SEQx(H, 0x90, 0x10, 0xb0) fe80::20:${H}:1/64\n'),
    keepalived: 'accepted',
    model: (m) => assert.deepEqual(vips(m), ['fe80::20:90:1/64', 'fe80::20:a0:1/64', 'fe80::20:b0:1/64']),
  },
  {
    name: '~SEQ over a multi-line parameter stamps out whole instances; parameters in the header expand',
    text: '$COUNT=3\n$VI= \\\nvrrp_instance VI_${N} { \\\n  interface eth0 \\\n  virtual_router_id ${N} \\\n  virtual_ipaddress { \\\n    10.0.${N}.1/24 \\\n  } \\\n}\n~SEQ(N, 1, $COUNT) $VI\n',
    keepalived: 'accepted',
    model: (m) => assert.deepEqual(m.vrrpInstances.map((x) => [x.name, x.vrid, vips(m, x.vrid - 1)[0]]), [['VI_1', 1, '10.0.1.1/24'], ['VI_2', 2, '10.0.2.1/24'], ['VI_3', 3, '10.0.3.1/24']]),
  },
  {
    name: 'conditional parameter definitions: @high $PRIORITY=240 on config-id high',
    text: `@high $PRIORITY=240\n@^high $PRIORITY=100\n${inst('  priority $PRIORITY\n')}`,
    configId: 'high',
    keepalived: 'accepted (priority 240 with -i high)',
    model: (m) => assert.equal(m.vrrpInstances[0]!.priority, 240),
  },
  {
    name: 'conditional parameter definitions: @^high applies on any other config-id',
    text: `@high $PRIORITY=240\n@^high $PRIORITY=100\n${inst('  priority $PRIORITY\n')}`,
    configId: 'low',
    keepalived: 'accepted (priority 100 with -i low)',
    model: (m) => assert.equal(m.vrrpInstances[0]!.priority, 100),
  },
  {
    name: 'a parameter whose value is @id makes the line using it conditional',
    text: `$IF_HIGH=@high\n${inst('  $IF_HIGH priority 250\n')}`,
    configId: 'high',
    keepalived: 'accepted',
    model: (m) => assert.equal(m.vrrpInstances[0]!.priority, 250),
  },
  {
    name: '@id lines inside a multi-line parameter are decided where it is used',
    text: '$VI= \\\nvrrp_instance VI_1 { \\\n  interface eth0 \\\n  virtual_router_id 9 \\\n  @high priority 130 \\\n  @^high priority 120 \\\n  virtual_ipaddress { \\\n    10.0.0.1/24 \\\n  } \\\n}\n$VI\n',
    configId: 'other',
    keepalived: 'accepted',
    model: (m) => assert.equal(m.vrrpInstances[0]!.priority, 120),
  },
  {
    name: 'an error in a repeated line points at the line and column written',
    text: inst('', '    ~SEQ(i, 250, 5, 260) 10.0.0.${i}/24\n'),
    keepalived: "VRRP parsed invalid IP 10.0.0.260/24. skipping IP... (a warning: the VIP is dropped)",
    errors: [[5, 26, "virtual_ipaddress: '10.0.0.260/24': not a valid address/prefix"]],
  },
  {
    name: 'a ~SEQ whose step never reaches the end',
    text: '~SEQ(i, 1, -1, 3) vrrp_script s${i} { script /bin/true }\n',
    keepalived: "Invalid ~SEQ values '~SEQ(i, 1, -1, 3) ...'",
    errors: [[1, 1, '~SEQ(i, 1, -1, 3): step -1 never goes from 1 to 3']],
  },
  {
    name: 'a ~SEQ number with a leading zero (octal to keepalived) is refused, not guessed',
    text: '~SEQ(i, 010) vrrp_script s${i} { script /bin/true }\n',
    keepalived: 'accepted as 8 (strtol base 0)',
    errors: [[1, 1, "~SEQ(i, 010): '010' is not a number (decimal, or hex with 0x; keepalived reads a leading 0 as octal)"]],
  },
  {
    name: '~LST groups must give every variable a value',
    text: '~LST({A, B}, {1, 2}, {3}) vrrp_script s${A} { script /bin/true }\n',
    keepalived: 'no error for the short group',
    errors: [[1, 1, '~LST({A, B}, {1, 2}, {3}): {3} has 1 value for 2 variables']],
  },
  {
    name: '~LST values cannot be quoted',
    text: '~LST(P, "a b", c) vrrp_script s${P} { script /bin/true }\n',
    keepalived: "Invalid ~LST specification '~LST(P, \"a b\", c) ...'",
    errors: [[1, 1, '~LST(P, "a b", c): values cannot be quoted (keepalived refuses them too)']],
  },
  {
    name: 'an error in every copy of a repeated line is reported once, at the word written',
    text: inst('  ~SEQ(k, 1, 3) prioirty 5${k}\n'),
    keepalived: "Unknown keyword 'prioirty' (three times)",
    errors: [[4, 17, "unknown keyword 'prioirty' in vrrp_instance VI_1: did you mean 'priority'?"]],
  },
  {
    name: 'the pre-2.0 sync group (names directly in the block) is refused with the group { } form',
    text: 'vrrp_sync_group G {\n  VI_1\n  VI_2\n}\n',
    keepalived: "Unknown keyword 'VI_1' ... Sync group G has no virtual router(s). removing",
    errors: [[2, 3, "vrrp_sync_group G: instance names directly in the block are the pre-2.0 form; keepalived 2.x ignores them (each is an unknown keyword), so these instances were never synced. Write: group { VI_1 VI_2 }"]],
  },
  {
    name: 'a misspelt keyword is an error naming the keyword meant',
    text: inst('  prioirty 50\n'),
    keepalived: "Unknown keyword 'prioirty' (and priority stays 100)",
    errors: [[4, 3, "unknown keyword 'prioirty' in vrrp_instance VI_1: did you mean 'priority'?"]],
  },
  {
    name: 'a misspelt block name at the top level',
    text: 'vrrp_instanse VI_1 {\n}\n',
    keepalived: "Unknown keyword 'vrrp_instanse'",
    errors: [[1, 1, "unknown keyword 'vrrp_instanse' in the top level: did you mean 'vrrp_instance'?"]],
  },
  {
    name: 'a keyword in the wrong case is a typo too (keepalived compares exactly)',
    text: inst('  Priority 50\n'),
    keepalived: "Unknown keyword 'Priority'",
    errors: [[4, 3, "unknown keyword 'Priority' in vrrp_instance VI_1: did you mean 'priority'?"]],
  },
  {
    name: 'a keyword far from any is unknown: a warning, not a guess',
    text: inst('  frobnicate 1\n'),
    keepalived: "Unknown keyword 'frobnicate'",
    warns: [[4, "unknown keyword 'frobnicate' in vrrp_instance VI_1; ignored"]],
    model: () => {},
  },
  {
    name: 'a keyword of another block is misplaced, not misspelt: a warning',
    text: `global_defs {\n  priority 5\n}\n${inst('')}`,
    keepalived: "Unknown keyword 'priority'",
    warns: [[2, "unknown keyword 'priority' in global_defs; ignored"]],
    model: () => {},
  },
  {
    name: 'not implemented: a warning naming what will not happen',
    text: `global_defs {\n  smtp_alert\n}\n${inst('')}`,
    keepalived: 'accepted',
    warns: [[2, 'smtp_alert: not implemented by vipkeeper; no mail is sent; use a notify script']],
    model: () => {},
  },
  {
    name: 'not implemented, under --strict: an error',
    text: inst('  use_vmac_addr\n'),
    strict: true,
    keepalived: 'accepted',
    errors: [[4, 3, 'use_vmac_addr: not implemented by vipkeeper; no ipvlan interface and no VMAC for addresses on other interfaces is created; `use_vmac` names its VMAC itself (default vrrp.VRID)']],
  },
  {
    name: 'a number past 2^53 is refused as written, not echoed rounded',
    text: inst('  priority 9007199254740993\n'),
    keepalived: "number '9007199254740993' outside unsigned integer range ... Using default 100",
    errors: [[4, 12, "'priority' 9007199254740993 is too large to be read exactly (the limit is 2^53); no setting takes such a number"]],
  },
];

for (const c of CASES) {
  test(`keepalived syntax: ${c.name}`, () => {
    const r = load(c.text, 'k.conf', { configId: c.configId ?? 'lb', strict: c.strict ?? false });
    const got = errors(r).map((d) => [d.line, d.col, d.message]);
    if (c.errors && c.errors.length > 0) {
      assert.equal(got.length, c.errors.length, JSON.stringify(got));
      c.errors.forEach(([line, col, msg], i) => {
        assert.deepEqual(got[i]!.slice(0, 2), [line, col], JSON.stringify(got[i]));
        if (typeof msg === 'string') assert.equal(got[i]![2], msg); else assert.match(String(got[i]![2]), msg);
      });
      assert.equal(r.model, undefined);
    } else {
      assert.deepEqual(got, []);
      assert.ok(r.model);
      c.model?.(r.model);
    }
    for (const [line, msg] of c.warns ?? []) {
      const w = warnings(r).find((d) => d.line === line && (typeof msg === 'string' ? d.message === msg : msg.test(d.message)));
      assert.ok(w, JSON.stringify(warnings(r)));
    }
  });
}

test('migration notes: docs/config.md lists every not-implemented keyword with its consequence', () => {
  const doc = readFileSync(new URL('../../../docs/config.md', import.meta.url), 'utf8');
  const notes = doc.slice(doc.indexOf('## Migration notes'), doc.indexOf('## For programs'));
  for (const [consequence, words] of UNIMPLEMENTED_GROUPS) {
    const row = notes.split('\n').find((l) => l.includes(`\`${words[0]}\``));
    assert.ok(row, words[0]);
    for (const w of words) assert.ok(row.includes(`\`${w}\``), `${w} is in the row of ${words[0]}`);
    assert.ok(row.includes(consequence.replace(/\|/g, '\\|')), consequence);
  }
});

test('typos: the distance counts a swap as one edit, and the bound grows with the word', () => {
  assert.equal(editDistance('prioirty', 'priority'), 1);
  assert.equal(editDistance('priorty', 'priority'), 1);
  assert.equal(editDistance('virtual_router', 'virtual_router_id'), 3);
  assert.equal(suggest('prioirty', ['state', 'priority']), 'priority');
  assert.equal(suggest('virtual_routr_id', ['virtual_router_id']), 'virtual_router_id');
  assert.equal(suggest('stat', ['state']), 'state', 'one edit at 4 letters');
  assert.equal(suggest('sate', ['state', 'rate']), 'state', 'the first written wins a tie');
  assert.equal(suggest('stt', ['state']), undefined, 'no guess for 3 letters');
  assert.equal(suggest('stae', ['state']), 'state');
  assert.equal(suggest('sttae', ['state']), 'state', 'a swap is one edit');
  assert.equal(suggest('stxxe', ['state']), undefined, 'two edits are too many for 5 letters');
  assert.equal(suggest('frobnicate', ['priority', 'state', 'interface']), undefined);
});
