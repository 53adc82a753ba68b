// The vipkeeper-only `vipkeeper_announcements` block of keepalived.conf: translated into the same
// raw input as YAML, then built and checked by the shared code, errors at line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexKeepalived } from '../../../src/config/keepalived/lexer.js';
import { parseLines } from '../../../src/config/keepalived/parser.js';
import { Ctx, type Obj } from '../../../src/config/keepalived/context.js';
import { ANNOUNCEMENTS_KEYWORD, translateAnnouncements } from '../../../src/config/keepalived/announcements.js';
import { buildAnnouncements, checkAnnouncements, type AnnouncementsInput } from '../../../src/config/announcements.js';
import { Reporter } from '../../../src/config/normalize.js';
import { loadConfigText } from '../../../src/config/load.js';

const REST = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    10.20.0.1/32
  }
}
virtual_server 10.20.0.1 80 {
  protocol TCP
  lb_algo mh
  real_server 10.30.0.1 80 {
  }
}
`;

function read(block: string) {
  const text = REST + block;
  const model = loadConfigText('k.conf', REST).model!;
  const lexed = lexKeepalived('k.conf', text, { configId: 'x' });
  const parsed = parseLines(lexed.lines);
  const ctx = new Ctx(true);
  const out: Obj = {};
  for (const n of parsed.nodes) if (n.key.text === ANNOUNCEMENTS_KEYWORD) translateAnnouncements(ctx, n, out);
  const r = new Reporter(ctx.sources, 'k.conf');
  const built = buildAnnouncements(r, out.announcements as AnnouncementsInput | undefined);
  checkAnnouncements(r, built, model);
  const diags = [...ctx.diagnostics, ...r.diagnostics].map((d) => `${d.line}:${d.col}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`);
  return { input: out.announcements, built, diags, base: REST.split('\n').length - 1 };
}

test('vipkeeper_announcements: table and one route per line, options in any order', () => {
  const { input, built, diags } = read(`vipkeeper_announcements {
  table 120
  route 10.20.0.1/32 virtual_server 10.20.0.1:80/TCP hold_down 5 metric 10
  route 10.20.0.0/24 metric 20 vrrp_instance VI_1
  route 10.21.0.0/16 always hold_down 0.25
}
`);
  assert.deepEqual(diags, []);
  assert.deepEqual(input, {
    table: 120,
    routes: [
      { prefix: '10.20.0.1/32', virtualServer: '10.20.0.1:80/TCP', holdDownS: 5, metric: 10 },
      { prefix: '10.20.0.0/24', metric: 20, vrrpInstance: 'VI_1' },
      { prefix: '10.21.0.0/16', always: true, holdDownS: 0.25 },
    ],
  });
  assert.deepEqual(built!.routes.map((r) => [r.prefix, r.condition.kind, r.holdDownMs, r.metric]), [
    ['10.20.0.1/32', 'virtualServer', 5000, 10], ['10.20.0.0/24', 'vrrpInstance', 0, 20], ['10.21.0.0/16', 'always', 250, 0],
  ]);
});

test('vipkeeper_announcements: each error at its line and column', () => {
  const { diags, base } = read(`vipkeeper_announcements {
  table 254
  route 10.20.0.1/32 virtual_server 10.20.0.1:80/TCP always
  route 10.20.0.2/32 virtual_server 10.20.0.9:80/TCP
  route 10.20.0.3/32 always hold_down soon
  route 10.20.0.4/32 always metric
  route 10.20.0.5/32 always colour blue
  route 10.20.0.6/32 vrrp_instance VI_2
  bogus 1
}
`);
  const L = (n: number) => base + n;
  assert.deepEqual(diags, [
    `${L(5)}:39: route 10.20.0.3/32: 'hold_down' must be a number of seconds, got 'soon'`,
    `${L(6)}:29: route 10.20.0.4/32: 'metric' needs a value`,
    `${L(7)}:29: route 10.20.0.5/32: unknown option 'colour' (virtual_server, vrrp_instance, always, hold_down, metric)`,
    `${L(9)}:3: unknown keyword 'bogus' in vipkeeper_announcements`,
    `${L(3)}:3: announcements: route 10.20.0.1/32 has 2 conditions (virtualServer, always); give exactly one`,
    `${L(2)}:3: announcements: table 254 is the kernel's 'main' table; use a table of its own (default 100) so that only vipkeeper's routes are in it`,
    `${L(4)}:22: announcements: no virtual server '10.20.0.9:80/TCP'; known: 10.20.0.1:80/TCP`,
    `${L(8)}:22: announcements: no vrrp instance 'VI_2'`,
  ]);
});

test('vipkeeper_announcements given twice, or with a name, is refused', () => {
  const { diags, base } = read(`vipkeeper_announcements lb {
  route 10.20.0.1/32 always
}
vipkeeper_announcements {
}
`);
  assert.deepEqual(diags, [
    `${base + 1}:25: vipkeeper_announcements takes no name; got 'lb'`,
    `${base + 4}:1: vipkeeper_announcements given twice; put every route in one block`,
  ]);
});
