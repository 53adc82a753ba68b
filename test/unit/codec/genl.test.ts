import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFamily, decodeGenl, encodeFamilyReply, encodeGenl, encodeGetFamily, CTRL_ATTRS, CTRL_CMD } from '../../../src/codec/netlink/genl.js';
import { encodeAttrs } from '../../../src/codec/netlink/attrs.js';

test('genl header: cmd, version, two reserved bytes, then the attributes', () => {
  const p = encodeGenl(7, 1, Buffer.from([8, 0, 1, 0, 1, 2, 3, 4]));
  assert.deepEqual([...p.subarray(0, 4)], [7, 1, 0, 0]);
  const g = decodeGenl(p);
  assert.equal(g.cmd, 7);
  assert.equal(g.version, 1);
  assert.deepEqual([...g.attrs], [8, 0, 1, 0, 1, 2, 3, 4]);
});

test('CTRL_CMD_GETFAMILY for "IPVS" is the bytes genl-ctrl-list sends', () => {
  // cmd 3, version 1; CTRL_ATTR_FAMILY_NAME (2) = "IPVS\0" (len 9, padded to 12).
  assert.deepEqual([...encodeGetFamily('IPVS')], [3, 1, 0, 0, 9, 0, 2, 0, 0x49, 0x50, 0x56, 0x53, 0, 0, 0, 0]);
});

test('a controller reply decodes to the family id, name and multicast groups', () => {
  const reply = encodeGenl(CTRL_CMD.NEWFAMILY, 2, encodeAttrs(CTRL_ATTRS, {
    familyId: 0x1d, familyName: 'IPVS', version: 1, hdrSize: 0, maxAttr: 6,
    mcastGroups: [{ name: 'events', id: 5 }],
  }));
  assert.deepEqual(decodeFamily(reply), { id: 0x1d, name: 'IPVS', version: 1, hdrSize: 0, maxAttr: 6, mcastGroups: [{ name: 'events', id: 5 }] });
  assert.equal(decodeFamily(encodeFamilyReply({ id: 40, name: 'IPVS', version: 1, maxAttr: 6 })).id, 40);
});

test('a reply without a family id is an error, not id 0', () => {
  assert.throws(() => decodeFamily(encodeGenl(CTRL_CMD.NEWFAMILY, 2, encodeAttrs(CTRL_ATTRS, { familyName: 'IPVS' }))), /without a family id/);
});
