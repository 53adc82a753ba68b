// readDestRow (a GET_DEST reply straight into the plain listing's row) against decodeDestIn on the
// same bytes: every field the plain view prints equal, including odd replies (unknown forwarding
// numbers, no address or family attribute, short or cut attributes, several dest attributes); what
// it cannot give identically (IPv6, an address shorter than 4 bytes) is handed back (-1), and a
// reply without a real server is 0 where decodeDestIn gives undefined.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDestRow } from '../../../src/codec/netlink/ipvs-dest-row.js';
import { decodeDestIn } from '../../../src/codec/netlink/ipvs-dest.js';
import { encodeAttrs, NLA_F_NESTED } from '../../../src/codec/netlink/attrs.js';
import { encodeGenl } from '../../../src/codec/netlink/genl.js';
import { DEST_ATTRS, destReplyAttrs, encodeIpvs, IPVS_CMD } from '../../../src/codec/netlink/ipvs.js';
import { DestRows } from '../../../src/ipvs/dest-rows.js';
import { FORWARD_BY_NUMBER } from '../../../src/ipvs/model.js';
import { zeroStats, type DestEntry, type Family } from '../../../src/ipvs/model.js';

const entry = (over: Partial<DestEntry> = {}): DestEntry => ({
  family: 4, address: '10.200.3.7', port: 8080, forward: 'masq', weight: 3, upperThreshold: 0, lowerThreshold: 0,
  activeConns: 12, inactConns: 2 ** 32 - 1, persistConns: 0, stats: zeroStats(), ...over,
});
/** A reply whose dest attribute holds exactly `attrs` (table-encoded), in a genl message. */
const raw = (attrs: Record<string, unknown>): Buffer => encodeIpvs(IPVS_CMD.NEW_DEST, { dest: attrs });
const nested = (type: number, body: Buffer): Buffer => {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(4 + body.length); h.writeUInt16LE(type | NLA_F_NESTED, 2);
  return Buffer.concat([h, body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
};

function same(payload: Buffer, family: Family, what: string): number {
  // In place, between other bytes, as a datagram holds it.
  const data = Buffer.concat([Buffer.alloc(8, 0xee), payload, Buffer.alloc(8, 0xee)]);
  const rows = new DestRows();
  const r = readDestRow(data, 8, 8 + payload.length, family, rows);
  const want = decodeDestIn(data, 8, 8 + payload.length, family);
  if (want === undefined) { assert.equal(r, 0, what); return r; }
  if (r < 0) return r;
  assert.equal(r, 1, what);
  assert.equal(rows.n, 1, what);
  const [got] = rows.entries(0, 1);
  assert.deepEqual({ family: got!.family, address: got!.address, port: got!.port, forward: FORWARD_BY_NUMBER[rows.fwd[0]!], weight: got!.weight, activeConns: got!.activeConns, inactConns: got!.inactConns },
    { family: want.family, address: want.address, port: want.port, forward: want.forward, weight: want.weight, activeConns: want.activeConns, inactConns: want.inactConns }, what);
  return r;
}

test('a real server\'s plain columns read as decodeDestIn reads them', () => {
  for (const d of [entry(), entry({ address: '0.0.0.0', port: 0, weight: 0, activeConns: 0, inactConns: 0 }), entry({ address: '255.255.255.255', port: 65535, weight: 2 ** 31 - 1 }),
    entry({ forward: 'route' }), entry({ forward: 'local' }), entry({ forward: 'tunnel', tunnelType: 'gue', tunnelPort: 1 }), entry({ forward: 'bypass' })]) {
    assert.equal(same(encodeIpvs(IPVS_CMD.NEW_DEST, { dest: destReplyAttrs(d) }), 4, d.address), 1, d.address);
  }
});

test('odd replies: unknown forwarding numbers, a negative weight, missing attributes, the last dest attribute wins', () => {
  const full = destReplyAttrs(entry()) as Record<string, unknown>;
  for (const fwd of [4, 5, 6, 7, 8, 0x10003]) assert.equal(same(raw({ ...full, fwdMethod: fwd }), 4, `fwd ${fwd}`), 1);
  assert.equal(same(raw({ ...full, weight: -5 }), 4, 'negative weight'), 1);
  const { addr: _a, ...noAddr } = full;
  assert.equal(same(raw(noAddr), 4, 'no address: 0.0.0.0'), 1);
  const { addrFamily: _f, ...noFamily } = full;
  assert.equal(same(raw(noFamily), 4, 'no family: the service\'s'), 1);
  assert.equal(same(raw(noFamily), 6, 'no family in an IPv6 service'), -1);
  assert.equal(same(raw({ ...full, addrFamily: 10 }), 4, 'IPv6'), -1);
  assert.equal(same(raw({ ...full, addrFamily: 7 }), 4, 'another family number reads as IPv4'), 1);
  const { port: _p, activeConns: _c, ...fewer } = full;
  assert.equal(same(raw(fewer), 4, 'no port, no active count'), 1);
  // Two dest attributes: both decoders take the last.
  const two = Buffer.concat([encodeGenl(IPVS_CMD.NEW_DEST, 1), nested(2, encodeAttrs(DEST_ATTRS, { ...full, port: 1 })), nested(2, encodeAttrs(DEST_ATTRS, { ...full, port: 2 }))]);
  assert.equal(same(two, 4, 'two dest attributes'), 1);
});

test('short or cut attributes: the same lengths are checked; a short address is handed back', () => {
  const full = encodeAttrs(DEST_ATTRS, destReplyAttrs(entry()) as Record<string, unknown>);
  const genl = encodeGenl(IPVS_CMD.NEW_DEST, 1);
  // A 2-byte address attribute first (decodeDestIn would read past it): handed back.
  const shortAddr = Buffer.from([6, 0, 1, 0, 10, 0, 0, 0]);
  assert.equal(same(Buffer.concat([genl, nested(2, Buffer.concat([full, shortAddr]))]), 4, 'short address last'), -1);
  // The dest block cut at every length: whatever decodeDestIn makes of it, the row is the same.
  for (let cut = 0; cut <= full.length; cut += 2) same(Buffer.concat([genl, nested(2, full.subarray(0, cut))]), 4, `cut at ${cut}`);
  // A short port or weight (n < 2, n < 4): ignored by both.
  const shortPort = Buffer.from([5, 0, 2, 0, 0x1f, 0, 0, 0]);
  assert.equal(same(Buffer.concat([genl, nested(2, Buffer.concat([full, shortPort]))]), 4, 'short port'), 1);
  assert.equal(same(Buffer.concat([genl, Buffer.from([8, 0, 1, 0x80, 0, 0, 0, 0])]), 4, 'no dest attribute'), 0);
  assert.equal(same(genl, 4, 'nothing after the genl header'), 0);
});
