// The plain listing's fast path (real servers read straight into rows, formatRows) against the
// model path (list() into entries, formatList) on the same kernel dump bytes: random tables made
// into GET_SERVICE / GET_DEST answers with the codec's reply encoders, handed out as netlinkDumps
// does (one buffer, offsets). Fails if a column, a cut, the sort (ipvsadm's wrap-around comparison)
// or a fallback (IPv6 real servers, replies without one, dumps asked again) differs. The other
// views and --json / --rules go through the CLI on the model path, unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { formatList, formatRules, type ListFormat } from '../../../src/ipvs/format.js';
import { formatRows, PIECE_CHARS } from '../../../src/ipvs/format-rows.js';
import { makeIpvsCommand } from '../../../src/cli/commands/ipvs.js';
import { encodeFamilyReply, GENL_ID_CTRL } from '../../../src/codec/netlink/genl.js';
import { decodeIpvs, destReplyAttrs, encodeInfoReply, encodeIpvs, IPVS_CMD, serviceReplyAttrs } from '../../../src/codec/netlink/ipvs.js';
import { decodeServiceReply, encodeServiceKeyCommand } from '../../../src/codec/netlink/ipvs-service.js';
import { SysError } from '../../../src/lib/errors.js';
import { serviceKeyString, zeroStats, type DestEntry, type ForwardMethod, type ServiceEntry, type ServiceFlag } from '../../../src/ipvs/model.js';
import type { GenlTransport, NetlinkMessage } from '../../../src/ipvs/transport.js';
import { seededDraws } from '../../support/seeded-random.js';

const { rnd, pick } = seededDraws(4242);
const v4 = () => pick([
  () => `${rnd(256)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`,
  () => `10.${rnd(3)}.${rnd(3)}.${rnd(4)}`, // close addresses: equal words, ports decide
  () => `${pick([0, 127, 128, 255])}.${rnd(2)}.0.${rnd(2)}`, // differences of 2^31 and more: the comparison wraps
]).call(null);
const v6 = () => pick([`2001:db8::${rnd(65536).toString(16)}`, `fe80::${rnd(16)}:${rnd(65536).toString(16)}`, '::']);
const number = () => pick([0, 1, 9, 10, 99999, 4294967295, rnd(100000)]);

function dest(family: 4 | 6): DestEntry {
  const forward = pick<ForwardMethod>(['masq', 'masq', 'masq', 'local', 'tunnel', 'route', 'bypass']);
  return {
    family, address: family === 4 ? v4() : v6(), port: pick([80, 8000 + rnd(4), rnd(65536)]), forward, weight: pick([1, 1, 0, 65535, 2147483647, rnd(300)]),
    upperThreshold: number(), lowerThreshold: number(), activeConns: pick([0, 0, number()]), inactConns: pick([0, 0, number()]), persistConns: number(), stats: zeroStats(),
  };
}

function service(allV4: boolean): ServiceEntry {
  const family = allV4 || rnd(4) ? 4 : 6;
  const fwmark = rnd(6) ? 0 : pick([1, 7, 0x80000000, 0xffffffff]);
  const scheduler = pick(['wrr', 'rr', 'sh', 'wlc']);
  const flags: ServiceFlag[] = [];
  if (rnd(3) === 0) flags.push('persistent');
  if (scheduler === 'sh' && rnd(2)) flags.push('sh-port');
  const n = pick([0, 1, 2, 10, 10, 33]);
  const dests = Array.from({ length: n }, () => dest(allV4 || (family === 4 && rnd(8)) ? 4 : family === 6 ? 6 : pick([4, 6] as const)));
  return {
    family, protocol: pick(['tcp', 'tcp', 'udp', 'sctp'] as const), address: fwmark ? (family === 4 ? '0.0.0.0' : '::') : family === 4 ? v4() : v6(),
    port: fwmark ? 0 : pick([80, 443, rnd(65536)]), fwmark, scheduler, flags, timeout: flags.includes('persistent') ? rnd(1000) : 0,
    netmask: family === 4 ? pick([32, 24]) : 128, stats: zeroStats(), dests,
  };
}

/** Services with distinct keys (the kernel holds one of each). */
function table(allV4: boolean): ServiceEntry[] {
  const seen = new Set<string>();
  return Array.from({ length: pick([0, 1, 5, 40]) }, () => service(allV4)).filter((s) => !seen.has(serviceKeyString(s)) && !!seen.add(serviceKeyString(s)));
}

const INFO = { version: 0x010201, connTabSize: 4096 };
const FAMILY = 0x2a;
const msg = (payload: Uint8Array): NetlinkMessage => ({ type: FAMILY, flags: 0, seq: 0, pid: 0, payload });

/**
 * The table's dump answers. Each real server's reply is the codec's; now and then a reply carries
 * no real server (skipped by both paths). `busy(call)` refuses an inline dump with EBUSY (asked
 * again through request()); `inline: false` leaves the transport without dumpEach.
 */
function transport(services: ServiceEntry[], opts: { busy?: (call: number) => boolean; inline?: boolean } = {}): GenlTransport & { rowDumps: number } {
  const answers = new Map<string, Uint8Array[]>();
  for (const s of services) {
    const replies = s.dests.map((d) => encodeIpvs(IPVS_CMD.NEW_DEST, { dest: destReplyAttrs(d) }) as Uint8Array);
    if (replies.length && rnd(10) === 0) replies.splice(rnd(replies.length), 0, encodeIpvs(IPVS_CMD.NEW_DEST, {}));
    // Keyed by the request the client makes for the service as it reads it back from the services dump.
    const back = decodeServiceReply(encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(s) }))!;
    answers.set(Buffer.from(encodeServiceKeyCommand(IPVS_CMD.GET_DEST, back)).toString('hex'), replies);
  }
  const answer = (payload: Uint8Array): Uint8Array[] => {
    const { cmd } = decodeIpvs(payload);
    if (cmd === IPVS_CMD.GET_INFO) return [encodeInfoReply(INFO)];
    if (cmd === IPVS_CMD.GET_SERVICE) return services.map((s) => encodeIpvs(IPVS_CMD.NEW_SERVICE, { service: serviceReplyAttrs(s) }));
    return answers.get(Buffer.from(payload).toString('hex'))!;
  };
  let call = 0;
  const t = {
    rowDumps: 0,
    async request(type: number, _flags: number, payload: Uint8Array) {
      if (type === GENL_ID_CTRL) return [{ ...msg(encodeFamilyReply({ id: FAMILY, name: 'IPVS', version: 1, maxAttr: 6 })), type: GENL_ID_CTRL }];
      return answer(payload).map(msg);
    },
    dumpEach(_type: number, payloads: readonly Uint8Array[], each: (i: number, data: Buffer, start: number, end: number) => void) {
      for (let i = 0; i < payloads.length; i++) {
        const rows = payloads[i]![0] === IPVS_CMD.GET_DEST;
        if (rows && opts.busy?.(call++)) return { done: i, error: new SysError('netlink dump', 'EBUSY') };
        if (rows) t.rowDumps++;
        // All of a dump's replies in one buffer between other bytes, as a datagram holds them.
        const parts = answer(payloads[i]!);
        const data = Buffer.concat([Buffer.alloc(12, 0xee), ...parts.flatMap((p) => [Buffer.from(p), Buffer.alloc(4, 0xee)])]);
        let at = 12;
        for (const p of parts) { each(i, data, at, at + p.length); at += p.length + 4; }
      }
      return { done: payloads.length };
    },
    close() {},
  };
  if (opts.inline === false) return { ...t, dumpEach: undefined, request: t.request.bind(t) } as never;
  return t;
}

test('the plain listing from rows is formatList\'s text on 300 random tables', async () => {
  for (let k = 0; k < 300; k++) {
    const services = table(k % 2 === 0);
    const busy = k % 5 === 4 ? (call: number) => call % 7 === 3 : undefined;
    const c = await IpvsClient.open(transport(services, { busy, inline: k % 10 !== 9 }));
    const rows = await c.listRows();
    const want = formatList(INFO, await c.list());
    assert.equal(formatRows(INFO, rows), want, `table ${k}`);
    if (k % 2 === 0 && !busy && k % 10 !== 9) {
      // All IPv4: every real server must have been a row (else the fast path was not exercised).
      assert.equal(rows.rows.n, services.reduce((n, s) => n + s.dests.length, 0), `table ${k}: rows`);
      assert.ok(rows.objects.every((o) => o === undefined), `table ${k}: no entries`);
    }
  }
});

test('`ipvs list` prints the fast path in the plain view and the model path in every other view', async () => {
  const views: [string[], ListFormat | 'rules' | 'json'][] = [
    [[], {}], [['--exact'], {}], [['--stats'], { stats: true }], [['--rate'], { rate: true }], [['--thresholds'], { thresholds: true }],
    [['--persistent-conn'], { persistentConn: true }], [['--stats', '--exact'], { stats: true, exact: true }], [['--rules'], 'rules'],
  ];
  for (let k = 0; k < 40; k++) {
    const services = table(k % 2 === 0);
    for (const [argv, f] of views) {
      const t = transport(services);
      const out: string[] = [];
      const code = await makeIpvsCommand(() => IpvsClient.open(t)).run(['list', ...argv], { out: (x) => out.push(x), err: () => undefined });
      assert.equal(code, 0);
      const entries = await (await IpvsClient.open(transport(services))).list();
      const want = f === 'rules' ? formatRules(entries) : formatList(INFO, entries, f as ListFormat);
      assert.equal(out.join(''), want, `table ${k}, ${argv.join(' ') || 'plain'}`);
    }
  }
});

test('a service with an IPv6 real server after IPv4 rows keeps the kernel\'s order for the sort', async () => {
  const s = service(true);
  s.dests = [dest(4), dest(4), dest(4), dest(6), dest(4)];
  s.dests[0]!.address = '10.0.0.2'; s.dests[1]!.address = '10.0.0.1'; s.dests[2]!.address = '200.0.0.1'; s.dests[4]!.address = '10.0.0.1';
  const c = await IpvsClient.open(transport([s]));
  const rows = await c.listRows();
  assert.equal(rows.objects[0]?.length, 5);
  assert.equal(formatRows(INFO, rows), formatList(INFO, await c.list()));
});

test('real servers already in order (ascending, or newest first as the kernel lists them) give formatList\'s order, wrap-around included', async () => {
  const orders: [string, number][][] = [
    [['10.0.0.1', 80], ['10.0.0.1', 81], ['10.0.0.2', 1], ['10.0.1.0', 0]],
    [['10.0.1.0', 0], ['10.0.0.2', 1], ['10.0.0.1', 81], ['10.0.0.1', 80]],
    // Spans of 2^31 and more, in numeric order either way: the wrap-around comparison disagrees with it.
    [['1.0.0.1', 80], ['127.0.0.1', 80], ['200.0.0.1', 80]],
    [['255.0.0.1', 9], ['128.0.0.1', 9], ['0.0.0.1', 9]],
    [['0.0.0.1', 1], ['255.255.255.255', 1]],
    // Not monotonic, and ties (the kernel never holds two, the sort must still match).
    [['10.0.0.3', 1], ['10.0.0.1', 1], ['10.0.0.2', 1]],
    [['10.0.0.1', 5], ['10.0.0.1', 5], ['10.0.0.1', 4]],
  ];
  const services = orders.map((list, k) => {
    const s = service(true);
    Object.assign(s, { fwmark: 0, family: 4, protocol: 'tcp', address: `10.9.9.${k}`, port: 80, flags: [], timeout: 0 });
    s.dests = list.map(([address, port]) => ({ ...dest(4), address, port }));
    return s;
  });
  const c = await IpvsClient.open(transport(services));
  const rows = await c.listRows();
  assert.equal(rows.rows.n, orders.flat().length, 'every one a row');
  assert.equal(formatRows(INFO, rows), formatList(INFO, await c.list()));
});

test('`ipvs list` to an output that takes pieces: the same text, in whole lines of about PIECE_CHARS', async () => {
  const run = async (services: ServiceEntry[]) => {
    const pieces: string[] = [], lines: string[] = [];
    const code = await makeIpvsCommand(() => IpvsClient.open(transport(services))).run(['list'], { out: (x) => lines.push(x), err: (x) => assert.fail(x), write: (x) => pieces.push(x) });
    assert.equal(code, 0);
    assert.deepEqual(lines, [], 'nothing through out()');
    assert.equal(pieces.join(''), formatList(INFO, await (await IpvsClient.open(transport(services))).list()));
    for (const p of pieces) assert.ok(p.endsWith('\n'), 'whole lines');
    for (const p of pieces.slice(0, -1)) assert.ok(p.length >= PIECE_CHARS && p.length < PIECE_CHARS + (4 << 10), `piece of ${p.length}`);
    return pieces.length;
  };
  for (let k = 0; k < 10; k++) await run(table(k % 2 === 0));
  const big: ServiceEntry[] = Array.from({ length: 1000 }, (_, i) => ({
    family: 4, protocol: 'tcp', address: `10.100.${i >> 8}.${i & 255}`, port: 80, fwmark: 0, scheduler: 'wrr', flags: [], timeout: 0, netmask: 32, stats: zeroStats(),
    dests: Array.from({ length: 3 }, (_, j) => ({ ...dest(4), address: `10.200.${i >> 8}.${i & 255}`, port: 8000 + j })),
  }));
  assert.ok(await run(big) >= 4, 'a 4,000-line listing in several pieces');
});
