import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitAttrs } from '../../../src/codec/netlink/attrs.js';
import { decodeGenl } from '../../../src/codec/netlink/genl.js';
import { daemonAttrs, decodeDaemon, decodeIpvs, encodeIpvs, IPVS_CMD } from '../../../src/codec/netlink/ipvs.js';
import { HOST_LE } from '../../../src/codec/netlink/message.js';
import { IpvsClient } from '../../../src/ipvs/client.js';
import { syncDaemonChange, wantedSyncDaemon, type SyncDaemonSpec } from '../../../src/ipvs/sync-daemon.js';
import { SysError } from '../../../src/lib/errors.js';
import { FakeIpvsKernel } from '../../support/fake-ipvs-kernel.js';

const le32 = (n: number) => { const b = Buffer.alloc(4); HOST_LE ? b.writeUInt32LE(n) : b.writeUInt32BE(n); return [...b]; };
const le16 = (n: number) => { const b = Buffer.alloc(2); HOST_LE ? b.writeUInt16LE(n) : b.writeUInt16BE(n); return [...b]; };

test('NEW_DAEMON: genl header, then IPVS_CMD_ATTR_DAEMON nested with every IPVS_DAEMON_ATTR_* (golden bytes)', () => {
  const spec: SyncDaemonSpec = { role: 'master', iface: 'eth1', syncId: 51, maxLen: 1460, group: '224.0.0.82', port: 8849, ttl: 2 };
  const bytes = [...encodeIpvs(IPVS_CMD.NEW_DAEMON, { daemon: daemonAttrs(spec) })];
  const expected = [
    9, 1, 0, 0, // genl: cmd NEW_DAEMON, version 1, reserved
    64, 0, 3, 0x80, // IPVS_CMD_ATTR_DAEMON | NLA_F_NESTED, 64 bytes
    8, 0, 1, 0, ...le32(1), // STATE = IP_VS_STATE_MASTER
    9, 0, 2, 0, 0x65, 0x74, 0x68, 0x31, 0, 0, 0, 0, // MCAST_IFN "eth1\0" + pad
    8, 0, 3, 0, ...le32(51), // SYNC_ID
    6, 0, 4, 0, ...le16(1460), 0, 0, // SYNC_MAXLEN, host order
    8, 0, 5, 0, 224, 0, 0, 82, // MCAST_GROUP as in_addr (network order)
    6, 0, 7, 0, ...le16(8849), 0, 0, // MCAST_PORT, host order
    5, 0, 8, 0, 2, 0, 0, 0, // MCAST_TTL u8 + pad
  ];
  assert.deepEqual(bytes, expected);
});

test('an IPv6 group goes in MCAST_GROUP6; DEL_DAEMON carries only the state; decode reverses encode', () => {
  const v6: SyncDaemonSpec = { role: 'backup', iface: 'eth0', syncId: 7, group: 'ff02::8848' };
  const inner = splitAttrs(splitAttrs(decodeGenl(encodeIpvs(IPVS_CMD.NEW_DAEMON, { daemon: daemonAttrs(v6) })).attrs)[0]!.data);
  assert.deepEqual(inner.map((a) => a.type), [1, 2, 3, 6]);
  assert.equal(inner[3]!.data.length, 16);
  assert.deepEqual(decodeDaemon(decodeIpvs(encodeIpvs(IPVS_CMD.NEW_DAEMON, { daemon: daemonAttrs(v6) })).attrs.daemon as never), v6);
  const del = [...encodeIpvs(IPVS_CMD.DEL_DAEMON, { daemon: { state: 2 } })];
  assert.deepEqual(del, [10, 1, 0, 0, 12, 0, 3, 0x80, 8, 0, 1, 0, ...le32(2)]);
});

test('wanted daemon follows the VRRP instance: master only while MASTER, sync id defaults to the VRID', () => {
  const g = { lvsSyncDaemon: { interface: 'eth1', vrrpInstance: 'VI_1' } };
  const inst = [{ name: 'VI_1', vrid: 51 }];
  assert.deepEqual(wantedSyncDaemon(g, inst, () => 'MASTER'), { role: 'master', iface: 'eth1', syncId: 51 });
  assert.equal(wantedSyncDaemon(g, inst, () => 'BACKUP')!.role, 'backup');
  assert.equal(wantedSyncDaemon(g, inst, () => 'FAULT')!.role, 'backup');
  assert.equal(wantedSyncDaemon(g, inst, () => undefined)!.role, 'backup');
  assert.equal(wantedSyncDaemon({ lvsSyncDaemon: { ...g.lvsSyncDaemon, syncId: 9 } }, inst, () => 'MASTER')!.syncId, 9);
  assert.equal(wantedSyncDaemon({}, inst, () => 'MASTER'), undefined);
});

test('change: backup -> master stops the backup first; same settings change nothing; none wanted stops all', () => {
  const b: SyncDaemonSpec = { role: 'backup', iface: 'eth1', syncId: 1 };
  const m: SyncDaemonSpec = { ...b, role: 'master' };
  assert.deepEqual(syncDaemonChange([b], m), { stop: ['backup'], start: [m] });
  assert.deepEqual(syncDaemonChange([m], m), { stop: [], start: [] });
  assert.deepEqual(syncDaemonChange([m], undefined), { stop: ['master'], start: [] });
  assert.deepEqual(syncDaemonChange([m], { ...m, ttl: 3 }), { stop: ['master'], start: [{ ...m, ttl: 3 }] });
});

test('client: start, list and stop sync daemons through the (fake) kernel; errors name the errno and the role', async () => {
  const k = new FakeIpvsKernel();
  k.interfaces = new Set(['eth1']);
  const c = await IpvsClient.open(k);
  await c.startDaemon({ role: 'master', iface: 'eth1', syncId: 3, port: 8848 });
  assert.deepEqual(await c.listDaemons(), [{ role: 'master', iface: 'eth1', syncId: 3, port: 8848 }]);
  await assert.rejects(c.startDaemon({ role: 'master', iface: 'eth1', syncId: 3 }), (e: unknown) => e instanceof SysError && e.errno === 'EEXIST' && /already running/.test(e.message));
  await assert.rejects(c.startDaemon({ role: 'backup', iface: 'nope0', syncId: 3 }), (e: unknown) => e instanceof SysError && /no such interface/.test(e.message));
  await c.stopDaemon('master');
  assert.deepEqual(await c.listDaemons(), []);
  await assert.rejects(c.stopDaemon('backup'), (e: unknown) => e instanceof SysError && e.errno === 'ESRCH' && /backup/.test(e.message));
});
